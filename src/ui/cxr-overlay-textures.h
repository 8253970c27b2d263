/* cxr-overlay-textures.h: GdkTextures for the panes, made from plain pixel arrays.
 *
 * GDK 4.8 has no one-channel memory format, so gray becomes RGB. Each function is a single pass over the
 * pixels (about a millisecond for 1024x1024) and may run on any thread: a GdkMemoryTexture is immutable.
 */
#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

/* @gray8 [height * width] -> an opaque RGB texture. */
GdkTexture *cxr_gray_texture_new    (const guint8 *gray8, int width, int height);

/* @cam [height * width] in [0, 1] through @lut (256 RGB triplets) -> an opaque RGB texture; the pane blends it
 * over the image with the overlay opacity. */
GdkTexture *cxr_heatmap_texture_new (const float *cam, int width, int height, const guint8 lut[768]);

/* @mask [height * width] (non-zero: inside) -> RGBA that leaves the inside untouched and darkens the outside
 * to @outside_alpha (1: black, as the tutorial's mask images). */
GdkTexture *cxr_mask_texture_new    (const guint8 *mask, int width, int height, double outside_alpha);

G_END_DECLS
