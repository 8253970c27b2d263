/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-box-editor.h: the ground-truth box editor's state and its pointer controller.
 *
 * It knows the dataset's box store, the image on screen (by name, as BB.csv names it), which of its boxes is
 * selected, whether a new box is being drawn, and the label last used. It edits through the store only, so
 * every edit is one undo step, journaled before it shows; the window's actions (cxr-window-boxes.c) call it, and
 * so do the pointer gestures it adds to the panes. Everything is in original-image pixels, clamped to the image.
 *
 * "error" (const char *message): an edit the store refused (a pending recovery, a journal that cannot be
 * written); the window shows it, since the edit did not happen. "label-wanted" (guint id): a box was just drawn or
 * double-clicked: the window asks for its label.
 */
#pragma once

#include <glib-object.h>

#include "cxr-bbox-store.h"
#include "cxr-pane-content.h"
#include "cxr-pane-view.h"

G_BEGIN_DECLS

/* The NIH box labels (BBox_List_2017.csv), in the order the label popover offers them. */
extern const char *const cxr_box_editor_nih_labels[8];

#define CXR_TYPE_BOX_EDITOR (cxr_box_editor_get_type ())
G_DECLARE_FINAL_TYPE (CxrBoxEditor, cxr_box_editor, CXR, BOX_EDITOR, GObject)

CxrBoxEditor *cxr_box_editor_new (CxrPaneContent *content);

/* NULL: nothing can be edited (the folder has no box file). */
void          cxr_box_editor_set_store     (CxrBoxEditor *self, CxrBBoxStore *store);
CxrBBoxStore *cxr_box_editor_get_store     (CxrBoxEditor *self);
/* The image on screen (NULL: none). Drops the selection and leaves draw mode. */
void          cxr_box_editor_set_image     (CxrBoxEditor *self, const char *name);
const char   *cxr_box_editor_get_image     (CxrBoxEditor *self);
/* TRUE when the store takes edits for the image on screen. */
gboolean      cxr_box_editor_can_edit      (CxrBoxEditor *self);

/* The selected box's id (0: none); only a box of the image on screen can be selected. Notifies "selected". */
guint         cxr_box_editor_get_selected  (CxrBoxEditor *self);
void          cxr_box_editor_set_selected  (CxrBoxEditor *self, guint id);
/* Selects the next (@step 1) or previous (-1) box of the image in file order, wrapping; from none, the first or
 * the last. FALSE when the image has no box. */
gboolean      cxr_box_editor_select_next   (CxrBoxEditor *self, int step);
/* The image's boxes now (CxrBBox, file order). */
GArray       *cxr_box_editor_list_boxes    (CxrBoxEditor *self);

/* Draw mode (W, N): the next primary drag on the image draws a new box. Notifies "drawing". */
gboolean      cxr_box_editor_get_drawing   (CxrBoxEditor *self);
void          cxr_box_editor_set_drawing   (CxrBoxEditor *self, gboolean drawing);

/* The label a new box gets: the last one chosen, "Cardiomegaly" at first. */
const char   *cxr_box_editor_get_last_label (CxrBoxEditor *self);
void          cxr_box_editor_set_last_label (CxrBoxEditor *self, const char *label);

/* Edits of the image on screen, each one undo step. FALSE (and "error" emitted) when the store refused. */
guint         cxr_box_editor_add           (CxrBoxEditor *self, const char *label, double x, double y, double w,
                                            double h);   /* the new id, selected; 0 on error */
gboolean      cxr_box_editor_nudge         (CxrBoxEditor *self, double dx, double dy);
gboolean      cxr_box_editor_delete        (CxrBoxEditor *self);
gboolean      cxr_box_editor_relabel       (CxrBoxEditor *self, const char *label);
/* Clamps a box to the image (at least one pixel wide and high). FALSE when there is no image. */
gboolean      cxr_box_editor_clamp         (CxrBoxEditor *self, double *x, double *y, double *w, double *h);

/* Adds the pointer gestures to a pane (the ground-truth and the original pane). */
void          cxr_box_editor_attach_pane   (CxrBoxEditor *self, CxrPaneView *pane);
/* The box being dragged now (id 0 while drawing a new one) and its rect, for the pointer readout; FALSE when no
 * drag is going. */
gboolean      cxr_box_editor_get_drag_rect (CxrBoxEditor *self, double *x, double *y, double *w, double *h);

G_END_DECLS
