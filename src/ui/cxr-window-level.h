/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-level.h: a DICOM image on screen at full bit depth, windowed as the window/level control says.
 *
 * The panes' content carries a DICOM image's stored values (cxr_pane_content_get_stored). When such an image
 * arrives this object gives the view state the file's value range and first VOI window (its first Window
 * Center/Width, else its VOI LUT, else the full range: cxr_voi_initial_window) and the sidebar the file's presets;
 * then every change of window, level, invert or VOI LUT makes a new byte table over the stored codes and a lazy
 * texture pyramid from it (cxr-voi-window.h, cxr_windowed_pyramid_new), which replaces the picture and keeps the
 * CAM. MONOCHROME1 is shown inverted (the Invert switch inverts it back). A PNG or JPEG brings the 8-bit range
 * back, windowed by the panes' colour matrix as before.
 */
#pragma once

#include "cxr-cam-controls.h"
#include "cxr-pane-content.h"
#include "cxr-view-state.h"

G_BEGIN_DECLS

#define CXR_TYPE_WINDOW_LEVEL (cxr_window_level_get_type ())
G_DECLARE_FINAL_TYPE (CxrWindowLevel, cxr_window_level, CXR, WINDOW_LEVEL, GObject)

/* @extra: a second content that shows the same picture (the side-by-side heatmap), or NULL; see set_extra. */
CxrWindowLevel *cxr_window_level_new (CxrPaneContent *content, CxrViewState *view_state, CxrCamControls *controls);
void            cxr_window_level_set_extra (CxrWindowLevel *self, CxrPaneContent *extra);

G_END_DECLS
