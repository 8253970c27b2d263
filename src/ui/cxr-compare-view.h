/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-compare-view.h: the four panes side by side (original, ground truth, mask, heatmap), linked through one
 * view state, with captions and a status line for the pixel under the pointer and the zoom. */
#pragma once

#include <gtk/gtk.h>

#include "cxr-pane-content.h"
#include "cxr-pane-view.h"
#include "cxr-view-state.h"

G_BEGIN_DECLS

typedef enum {
  CXR_COMPARE_LAYOUT_GRID,     /* 2 x 2 */
  CXR_COMPARE_LAYOUT_ROW,      /* 1 x 4, side by side */
  CXR_COMPARE_LAYOUT_SINGLE,   /* one large pane, the others a key (1-4) or a tab away */
} CxrCompareLayout;

/* "grid", "row", "single" */
const char *cxr_compare_layout_to_id (CxrCompareLayout layout);
gboolean    cxr_compare_layout_from_id (const char *id, CxrCompareLayout *layout);

#define CXR_TYPE_COMPARE_VIEW (cxr_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (CxrCompareView, cxr_compare_view, CXR, COMPARE_VIEW, GtkWidget)

GtkWidget      *cxr_compare_view_new            (void);

void            cxr_compare_view_set_content    (CxrCompareView *self, CxrPaneContent *content);
CxrPaneContent *cxr_compare_view_get_content    (CxrCompareView *self);
CxrViewState   *cxr_compare_view_get_view_state (CxrCompareView *self);
CxrPaneView    *cxr_compare_view_get_pane       (CxrCompareView *self, CxrPaneKind kind);

/* The arrangement of the four panes; the panes stay the same widgets in every layout. */
void             cxr_compare_view_set_layout      (CxrCompareView *self, CxrCompareLayout layout);
CxrCompareLayout cxr_compare_view_get_layout      (CxrCompareView *self);
/* The pane the single layout shows. */
void             cxr_compare_view_set_single_view (CxrCompareView *self, CxrPaneKind kind);
CxrPaneKind      cxr_compare_view_get_single_view (CxrCompareView *self);

/* A second heatmap beside the first in the heatmap pane's cell, from @content (NULL: one heatmap again), and the
 * captions of the two halves (NULL first: "Heatmap"). While there are two, each half draws its content's
 * ground-truth and predicted boxes over its map. */
void            cxr_compare_view_set_second_heatmap   (CxrCompareView *self, CxrPaneContent *content);
void            cxr_compare_view_set_heatmap_captions (CxrCompareView *self, const char *first, const char *second);
CxrPaneView    *cxr_compare_view_get_second_heatmap_pane (CxrCompareView *self);
const char     *cxr_compare_view_get_heatmap_caption  (CxrCompareView *self, gboolean second);

/* Text for the status line instead of the pixel under the pointer (the box being dragged: x, y, w, h); NULL
 * goes back to the pixel. */
void            cxr_compare_view_set_readout    (CxrCompareView *self, const char *text);

/* Zoom steps as the toolbar and keys use them, about the panes' centre. */
void            cxr_compare_view_zoom_in        (CxrCompareView *self);
void            cxr_compare_view_zoom_out       (CxrCompareView *self);
void            cxr_compare_view_zoom_one_to_one (CxrCompareView *self);

G_END_DECLS
