/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-box-editor-private.h: the box editor's parts, shared by cxr-box-editor.c (state, edits) and
 * cxr-box-editor-pointer.c (the gestures on the panes). */
#pragma once

#include <gtk/gtk.h>

#include "cxr-box-editor.h"

G_BEGIN_DECLS

typedef enum {
  CXR_BOX_DRAG_MOVE,
  CXR_BOX_DRAG_RESIZE,
  CXR_BOX_DRAG_DRAW,
} CxrBoxDragKind;

typedef struct {
  gboolean active;
  CxrBoxDragKind kind;
  CxrPaneView *pane;        /* where the drag goes on */
  guint id;                 /* the box moved or resized; 0 while drawing */
  CxrBoxHandle handle;      /* the handle being dragged */
  double start_x, start_y;  /* the pointer at the press, image pixels */
  double x0, y0, w0, h0;    /* the box at the press */
  double x, y, w, h;        /* the box now, shown but not in the store until the release */
  GArray *shown;            /* the content's ground-truth boxes at the press (CxrPaneBox), to draw on */
  gboolean moved;           /* the panes show the drag: they go back to @shown at the end */
} CxrBoxDrag;

struct _CxrBoxEditor {
  GObject parent_instance;

  /* owned */
  CxrPaneContent *content;
  CxrBBoxStore *store;
  char *image;
  char *last_label;
  GtkWidget *panes[4];       /* weak pointers: the panes the gestures were added to */
  guint n_panes;

  guint selected;
  gboolean drawing;
  CxrBoxDrag drag;
  guint32 label_press_time;  /* the second press of a double click asked for a label: it starts no drag */
};

void     _cxr_box_editor_update_content     (CxrBoxEditor *self);
void     _cxr_box_editor_emit_error         (CxrBoxEditor *self, const GError *error);
void     _cxr_box_editor_emit_label_wanted  (CxrBoxEditor *self, guint id);
void     _cxr_box_editor_emit_drag_moved    (CxrBoxEditor *self);
gboolean _cxr_box_editor_get_box            (CxrBoxEditor *self, guint id, CxrBBox *box);
/* Sets a box's rect, clamped; no undo step when nothing changes. */
gboolean _cxr_box_editor_set_rect           (CxrBoxEditor *self, guint id, double x, double y, double w, double h);

/* cxr-box-editor-pointer.c */
/* Ends a drag without committing it; with @restore the panes go back to what they showed at the press (not when
 * the store changed meanwhile: what it says now is on screen). */
void     _cxr_box_editor_cancel_drag        (CxrBoxEditor *self, gboolean restore);
void     _cxr_box_editor_update_panes_cursor (CxrBoxEditor *self);
void     _cxr_box_editor_detach_panes       (CxrBoxEditor *self);

G_END_DECLS
