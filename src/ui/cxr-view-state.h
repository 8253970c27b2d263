/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-view-state.h: how the four panes look at an image, shared so that they move together.
 *
 * Geometry: either "fit" (the whole image, centred, as large as the pane allows) or a zoom factor (pane pixels
 * per image pixel) with the image point that sits at the pane's centre. Every pane is the same size, so one
 * state gives the same view in each. Display: window/level in the image's value units (8-bit gray 0..255 for PNG
 * and JPEG, whose picture the panes window with a colour matrix; a DICOM image's stored values, which the window/
 * level control windows into the texture itself, cxr-window-level.h), invert, and the opacity of the heatmap
 * overlay. One "changed" signal covers everything a pane
 * draws from; each property also notifies on its own for bindings.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CXR_VIEW_STATE_MIN_ZOOM 0.02
#define CXR_VIEW_STATE_MAX_ZOOM 32.0

#define CXR_TYPE_VIEW_STATE (cxr_view_state_get_type ())
G_DECLARE_FINAL_TYPE (CxrViewState, cxr_view_state, CXR, VIEW_STATE, GObject)

CxrViewState *cxr_view_state_new (void);

/* A new image size; keeps the zoom mode but recentres. */
void     cxr_view_state_set_image_size (CxrViewState *self, int width, int height);
void     cxr_view_state_get_image_size (CxrViewState *self, int *width, int *height);

gboolean cxr_view_state_get_fit (CxrViewState *self);
void     cxr_view_state_fit (CxrViewState *self);
/* Zoom to @zoom pane pixels per image pixel, keeping the centre. */
void     cxr_view_state_set_zoom (CxrViewState *self, double zoom, int pane_width, int pane_height);
/* The zoom the panes show now (in fit mode: the fit zoom for a pane of that size). */
double   cxr_view_state_get_effective_zoom (CxrViewState *self, int pane_width, int pane_height);
/* Multiplies the zoom by @factor keeping the image point under (@anchor_x, @anchor_y) (pane pixels) in place. */
void     cxr_view_state_zoom_at (CxrViewState *self, double factor, double anchor_x, double anchor_y,
                                 int pane_width, int pane_height);
/* Moves the image by (@dx, @dy) pane pixels. */
void     cxr_view_state_pan (CxrViewState *self, double dx, double dy, int pane_width, int pane_height);

/* Image to pane: pane_x = offset_x + image_x * scale. */
void     cxr_view_state_get_transform (CxrViewState *self, int pane_width, int pane_height,
                                       double *scale, double *offset_x, double *offset_y);

double   cxr_view_state_get_window_center (CxrViewState *self);
void     cxr_view_state_set_window_center (CxrViewState *self, double center);
double   cxr_view_state_get_window_width (CxrViewState *self);
void     cxr_view_state_set_window_width (CxrViewState *self, double width);
gboolean cxr_view_state_get_invert (CxrViewState *self);
void     cxr_view_state_set_invert (CxrViewState *self, gboolean invert);
/* Back to the image's default window (8-bit: the full range, centre 127.5, width 255; DICOM: the file's first
 * window) without inverting. */
void     cxr_view_state_reset_window (CxrViewState *self);
/* DICOM: the file's VOI LUT instead of the window (a centre or width set turns it off). */
gboolean cxr_view_state_get_use_table (CxrViewState *self);
void     cxr_view_state_set_use_table (CxrViewState *self, gboolean use_table);
/* A new image's value range (centres stay in [@low, @high], widths in [1, 2 (@high - @low)]), whether its picture
 * is windowed from stored values (@stored) and the window a reset goes to; emits "range-changed", then resets. */
void     cxr_view_state_set_value_range (CxrViewState *self, double low, double high, gboolean stored,
                                         double default_center, double default_width, gboolean default_use_table);
void     cxr_view_state_get_value_range (CxrViewState *self, double *low, double *high);
gboolean cxr_view_state_get_stored (CxrViewState *self);
/* Display value = clamp (slope * v + offset) for v in [0, 1]: window/level and invert in one affine map (the
 * identity for a stored picture, which is windowed already). */
void     cxr_view_state_get_gray_map (CxrViewState *self, float *slope, float *offset);

double   cxr_view_state_get_overlay_opacity (CxrViewState *self);
void     cxr_view_state_set_overlay_opacity (CxrViewState *self, double opacity);

G_END_DECLS
