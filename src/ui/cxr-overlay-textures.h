/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-overlay-textures.h: GdkTextures for the panes, made from plain pixel arrays, as small pyramids.
 *
 * A pane at fit zoom shows a 1024 x 1024 radiograph in a few hundred pixels. Sampling the full texture there costs
 * a software renderer (Xvfb's llvmpipe, the cairo renderer) four times the memory traffic it needs, so each
 * picture comes at full, half and quarter resolution and the pane draws the smallest level that is still at least
 * as sharp as the screen (cxr_pyramid_pick). Each level covers the whole image: draw it at the image's size.
 *
 * GDK 4.8 has no one-channel memory format, so gray becomes RGB. The gray pyramid is made whole (on the worker that
 * decodes the image); heatmap and mask pyramids copy their source and make each level the first time it is asked
 * for, so that a threshold change pays for the level on screen only (about half a millisecond at fit zoom). Lazy
 * pyramids belong to the main thread.
 */
#pragma once

#include <gdk/gdk.h>

#include "cxr-voi-window.h"

G_BEGIN_DECLS

#define CXR_PYRAMID_LEVELS 3

typedef struct _CxrPyramid CxrPyramid;

CxrPyramid *cxr_pyramid_ref   (CxrPyramid *pyramid);
void        cxr_pyramid_unref (CxrPyramid *pyramid);
/* Level 0 is the full resolution; level k is 2^k times smaller on each side (rounded up). */
GdkTexture *cxr_pyramid_get_level (CxrPyramid *pyramid, guint level);
/* The level to draw at @scale device pixels per image pixel: the smallest that is not enlarged. */
GdkTexture *cxr_pyramid_pick  (CxrPyramid *pyramid, double scale);

/* @gray8 [height * width] -> opaque RGB. */
CxrPyramid *cxr_gray_pyramid_new    (const guint8 *gray8, int width, int height);
/* A DICOM image's stored values (cxr-voi-window.h) through a window's byte table @lut (copied) -> opaque RGB gray.
 * Lazy: a level is windowed the first time a pane draws it, so that dragging the window at fit zoom windows the
 * quarter-size level only. */
CxrPyramid *cxr_windowed_pyramid_new (CxrStoredPlane *plane, const guint8 lut[CXR_VOI_N_CODES]);
/* @cam [height * width] in [0, 1] through @lut (256 RGB triplets) -> opaque RGB; the pane blends it over the image
 * with the overlay opacity. Smaller levels average the CAM, then look up the colour. */
CxrPyramid *cxr_heatmap_pyramid_new (const float *cam, int width, int height, const guint8 lut[768]);
/* @mask [height * width] (non-zero: inside) -> RGBA that leaves the inside untouched and darkens the outside to
 * @outside_alpha (1: black, as the tutorial's mask images). Smaller levels darken by the outside fraction. */
CxrPyramid *cxr_mask_pyramid_new    (const guint8 *mask, int width, int height, double outside_alpha);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrPyramid, cxr_pyramid_unref)

G_END_DECLS
