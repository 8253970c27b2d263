/* cxr-compare-view.h: the four panes side by side (original, ground truth, mask, heatmap), linked through one
 * view state, with captions and a status line for the pixel under the pointer and the zoom. */
#pragma once

#include <gtk/gtk.h>

#include "cxr-pane-content.h"
#include "cxr-pane-view.h"
#include "cxr-view-state.h"

G_BEGIN_DECLS

#define CXR_TYPE_COMPARE_VIEW (cxr_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (CxrCompareView, cxr_compare_view, CXR, COMPARE_VIEW, GtkWidget)

GtkWidget      *cxr_compare_view_new            (void);

void            cxr_compare_view_set_content    (CxrCompareView *self, CxrPaneContent *content);
CxrPaneContent *cxr_compare_view_get_content    (CxrCompareView *self);
CxrViewState   *cxr_compare_view_get_view_state (CxrCompareView *self);
CxrPaneView    *cxr_compare_view_get_pane       (CxrCompareView *self, CxrPaneKind kind);

/* Zoom steps as the toolbar and keys use them, about the panes' centre. */
void            cxr_compare_view_zoom_in        (CxrCompareView *self);
void            cxr_compare_view_zoom_out       (CxrCompareView *self);
void            cxr_compare_view_zoom_one_to_one (CxrCompareView *self);

G_END_DECLS
