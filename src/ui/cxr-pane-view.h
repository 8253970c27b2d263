/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pane-view.h: one of the four panes: the image at the shared zoom, pan and window/level, with the overlays
 * of its kind, drawn in snapshot.
 *
 * Input: the wheel zooms about the pointer, a primary or middle drag pans, a secondary or Ctrl + primary drag changes
 * window (left and right) and level (up and down), a double click fits. "hover" reports the image pixel under the pointer.
 */
#pragma once

#include <gtk/gtk.h>

#include "cxr-pane-content.h"
#include "cxr-view-state.h"

G_BEGIN_DECLS

typedef enum {
  CXR_PANE_ORIGINAL,
  CXR_PANE_GROUND_TRUTH,   /* ground-truth boxes and the predicted box */
  CXR_PANE_MASK,           /* the image where the CAM is above the threshold */
  CXR_PANE_HEATMAP,        /* the CAM through the colormap over the image */
} CxrPaneKind;

#define CXR_TYPE_PANE_KIND (cxr_pane_kind_get_type ())
GType cxr_pane_kind_get_type (void);

#define CXR_TYPE_PANE_VIEW (cxr_pane_view_get_type ())
G_DECLARE_FINAL_TYPE (CxrPaneView, cxr_pane_view, CXR, PANE_VIEW, GtkWidget)

GtkWidget      *cxr_pane_view_new            (CxrPaneKind kind);

CxrPaneKind     cxr_pane_view_get_kind       (CxrPaneView *self);
/* A heatmap pane that is one of two methods side by side draws its content's ground-truth and predicted boxes
 * over the map, so that each half shows where its own method puts the finding; a lone heatmap pane leaves them
 * to the ground-truth pane beside it. Off by default; ignored by the other kinds. */
void            cxr_pane_view_set_heatmap_boxes (CxrPaneView *self, gboolean shown);
gboolean        cxr_pane_view_get_heatmap_boxes (CxrPaneView *self);
void            cxr_pane_view_set_content    (CxrPaneView *self, CxrPaneContent *content);
CxrPaneContent *cxr_pane_view_get_content    (CxrPaneView *self);
void            cxr_pane_view_set_view_state (CxrPaneView *self, CxrViewState *view_state);
CxrViewState   *cxr_pane_view_get_view_state (CxrPaneView *self);

/* Between widget and image coordinates at the current view. */
void            cxr_pane_view_widget_to_image (CxrPaneView *self, double x, double y, double *image_x,
                                               double *image_y);
/* The same, kept on the image (measurements end at its edges). */
void            cxr_pane_view_widget_to_image_clamped (CxrPaneView *self, double x, double y, double *image_x,
                                                       double *image_y);
void            cxr_pane_view_image_to_widget (CxrPaneView *self, double image_x, double image_y, double *x,
                                               double *y);

/* The 8 resize handles of the selected box, clockwise from the top-left corner, and where each sits in image
 * pixels. The pane draws them as squares of CXR_PANE_HANDLE_SIZE pane pixels; the box editor hit-tests them. */
typedef enum {
  CXR_BOX_HANDLE_NONE = -1,
  CXR_BOX_HANDLE_NW,
  CXR_BOX_HANDLE_N,
  CXR_BOX_HANDLE_NE,
  CXR_BOX_HANDLE_E,
  CXR_BOX_HANDLE_SE,
  CXR_BOX_HANDLE_S,
  CXR_BOX_HANDLE_SW,
  CXR_BOX_HANDLE_W,
  CXR_N_BOX_HANDLES
} CxrBoxHandle;

#define CXR_PANE_HANDLE_SIZE 9.0

void            cxr_box_handle_position (CxrBoxHandle handle, double x, double y, double w, double h,
                                         double *handle_x, double *handle_y);

/* The colours the boxes are drawn in, for legends. */
extern const GdkRGBA cxr_pane_gt_box_color;
extern const GdkRGBA cxr_pane_predicted_box_color;
extern const GdkRGBA cxr_pane_heart_color;
extern const GdkRGBA cxr_pane_thorax_color;

G_END_DECLS
