/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-box-editor-pointer.c: editing boxes with the pointer in the ground-truth and original panes.
 *
 * The gestures run in the capture phase, before the pane's own pan and window/level drags: a press on a box, on
 * a handle of the selected box, or anywhere on the image in draw mode is the editor's; any other press is denied
 * and pans as before. The original pane takes part only while it shows the boxes (something is selected or
 * being drawn), so that a press never grabs a box nobody can see.
 *
 * One drag is one undo step: while the pointer moves, only what the panes draw changes (the content's boxes),
 * and the store gets a single set_rect (or add) at the release. A drag moves by whole image pixels and puts a
 * dragged edge on a whole pixel, as the arrow keys do, so that a dragged box reads "x 412" in BB.csv rather than
 * "x 411.838709677419"; untouched coordinates keep their text.
 */
#include "config.h"

#include <math.h>

#include "cxr-box-editor-private.h"

/* How far outside a box's outline, in pane pixels, a press still takes the box. */
#define GRAB_SLOP 4.0
/* The smallest box a drag draws, in image pixels; a click in draw mode draws nothing. */
#define MIN_DRAWN_SIZE 2.0

static const char *const handle_cursors[CXR_N_BOX_HANDLES] = {
  "nw-resize", "n-resize", "ne-resize", "e-resize", "se-resize", "s-resize", "sw-resize", "w-resize",
};

static double
pane_scale (CxrPaneView *pane)
{
  double scale, ox, oy;
  cxr_view_state_get_transform (cxr_pane_view_get_view_state (pane), gtk_widget_get_width (GTK_WIDGET (pane)),
                                gtk_widget_get_height (GTK_WIDGET (pane)), &scale, &ox, &oy);
  return scale;
}

/* The pane takes part: it shows the boxes. */
static gboolean
pane_active (CxrBoxEditor *self, CxrPaneView *pane)
{
  if (!cxr_box_editor_can_edit (self) || cxr_pane_view_get_view_state (pane) == NULL)
    return FALSE;
  if (cxr_pane_view_get_kind (pane) == CXR_PANE_GROUND_TRUTH)
    return TRUE;
  return cxr_pane_view_get_kind (pane) == CXR_PANE_ORIGINAL && cxr_pane_content_get_editing (self->content);
}

static CxrBoxHandle
hit_handle (CxrPaneView *pane, const CxrBBox *box, double x, double y)
{
  const double reach = CXR_PANE_HANDLE_SIZE / 2.0 + 3.0;
  for (int handle = 0; handle < CXR_N_BOX_HANDLES; handle++)
    {
      double hx, hy, wx, wy;
      cxr_box_handle_position (handle, box->x, box->y, box->w, box->h, &hx, &hy);
      cxr_pane_view_image_to_widget (pane, hx, hy, &wx, &wy);
      if (fabs (x - wx) <= reach && fabs (y - wy) <= reach)
        return handle;
    }
  return CXR_BOX_HANDLE_NONE;
}

/* The box under a pane point: the selected one first, else the smallest (a box inside another stays
 * reachable). */
static guint
hit_box (CxrBoxEditor *self, CxrPaneView *pane, double x, double y)
{
  g_autoptr (GArray) boxes = cxr_box_editor_list_boxes (self);
  guint best = 0;
  double best_area = INFINITY;

  for (guint i = 0; i < boxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (boxes, CxrBBox, i);
      double x0, y0, x1, y1;
      cxr_pane_view_image_to_widget (pane, box->x, box->y, &x0, &y0);
      cxr_pane_view_image_to_widget (pane, box->x + box->w, box->y + box->h, &x1, &y1);
      if (x < x0 - GRAB_SLOP || x > x1 + GRAB_SLOP || y < y0 - GRAB_SLOP || y > y1 + GRAB_SLOP)
        continue;
      if (box->id == self->selected)
        return box->id;
      double area = box->w * box->h;
      if (area < best_area)
        {
          best = box->id;
          best_area = area;
        }
    }
  return best;
}

/* ---- what the panes show during a drag ---------------------------------- */

static void
show_drag (CxrBoxEditor *self)
{
  CxrBoxDrag *drag = &self->drag;
  g_autoptr (GArray) boxes = g_array_copy (drag->shown);
  gboolean found = FALSE;

  for (guint i = 0; i < boxes->len; i++)
    {
      CxrPaneBox *box = &g_array_index (boxes, CxrPaneBox, i);
      if (drag->id != 0 && box->id == drag->id)
        {
          box->x = drag->x, box->y = drag->y, box->w = drag->w, box->h = drag->h;
          found = TRUE;
        }
    }
  if (!found)
    {
      CxrPaneBox box = { drag->x, drag->y, drag->w, drag->h, drag->id, "" };
      g_strlcpy (box.label, self->last_label, sizeof box.label);
      g_array_append_val (boxes, box);
    }
  drag->moved = TRUE;
  cxr_pane_content_set_gt_boxes (self->content, boxes);
  _cxr_box_editor_emit_drag_moved (self);
}

static void
end_drag (CxrBoxEditor *self, gboolean restore)
{
  CxrBoxDrag *drag = &self->drag;
  if (!drag->active)
    return;
  /* What the store says goes back on screen; a commit after this redraws from the store again. */
  if (restore && drag->moved)
    cxr_pane_content_set_gt_boxes (self->content, drag->shown);
  g_clear_pointer (&drag->shown, g_array_unref);
  drag->active = FALSE;
  drag->moved = FALSE;
  _cxr_box_editor_update_content (self);
  _cxr_box_editor_emit_drag_moved (self);
}

void
_cxr_box_editor_cancel_drag (CxrBoxEditor *self, gboolean restore)
{
  end_drag (self, restore);
}

gboolean
cxr_box_editor_get_drag_rect (CxrBoxEditor *self, double *x, double *y, double *w, double *h)
{
  if (!self->drag.active)
    return FALSE;
  *x = self->drag.x, *y = self->drag.y, *w = self->drag.w, *h = self->drag.h;
  return TRUE;
}

/* ---- geometry ------------------------------------------------------------ */

static void
resize (CxrBoxEditor *self, double dx, double dy, gboolean keep_aspect)
{
  CxrBoxDrag *drag = &self->drag;
  CxrBoxHandle handle = drag->handle;
  int width, height;
  cxr_pane_content_get_size (self->content, &width, &height);

  gboolean moves_left = handle == CXR_BOX_HANDLE_NW || handle == CXR_BOX_HANDLE_W || handle == CXR_BOX_HANDLE_SW;
  gboolean moves_right = handle == CXR_BOX_HANDLE_NE || handle == CXR_BOX_HANDLE_E || handle == CXR_BOX_HANDLE_SE;
  gboolean moves_top = handle == CXR_BOX_HANDLE_NW || handle == CXR_BOX_HANDLE_N || handle == CXR_BOX_HANDLE_NE;
  gboolean moves_bottom = handle == CXR_BOX_HANDLE_SW || handle == CXR_BOX_HANDLE_S || handle == CXR_BOX_HANDLE_SE;
  double left = drag->x0, right = drag->x0 + drag->w0, top = drag->y0, bottom = drag->y0 + drag->h0;

  /* The dragged edges land on whole pixels inside the image; they cannot pass the opposite edge. */
  if (moves_left)
    left = CLAMP (round (left + dx), 0.0, right - 1.0);
  if (moves_right)
    right = CLAMP (round (right + dx), left + 1.0, (double) width);
  if (moves_top)
    top = CLAMP (round (top + dy), 0.0, bottom - 1.0);
  if (moves_bottom)
    bottom = CLAMP (round (bottom + dy), top + 1.0, (double) height);

  double w = right - left, h = bottom - top;
  if (keep_aspect && drag->w0 > 0 && drag->h0 > 0)
    {
      double aspect = drag->w0 / drag->h0;
      gboolean corner = (moves_left || moves_right) && (moves_top || moves_bottom);
      if (corner ? w / drag->w0 >= h / drag->h0 : (moves_left || moves_right))
        h = w / aspect;
      else
        w = h * aspect;
      /* The opposite corner or edge stays; an edge handle grows the other way about the middle. */
      if (moves_left)
        left = right - w;
      else if (!moves_right)
        left = drag->x0 + (drag->w0 - w) / 2;
      if (moves_top)
        top = bottom - h;
      else if (!moves_bottom)
        top = drag->y0 + (drag->h0 - h) / 2;
      /* Kept inside the image by shrinking both sides together. */
      double fit = 1.0;
      if (left < 0)
        fit = MIN (fit, (w + left) / w);
      if (top < 0)
        fit = MIN (fit, (h + top) / h);
      if (left + w > width)
        fit = MIN (fit, (width - left) / w);
      if (top + h > height)
        fit = MIN (fit, (height - top) / h);
      if (fit < 1.0)
        {
          double nw = MAX (1.0, w * fit), nh = MAX (1.0, h * fit);
          if (moves_left)
            left = right - nw;
          else if (!moves_right)
            left += (w - nw) / 2;
          if (moves_top)
            top = bottom - nh;
          else if (!moves_bottom)
            top += (h - nh) / 2;
          w = nw, h = nh;
        }
    }
  drag->x = left, drag->y = top, drag->w = w, drag->h = h;
  cxr_box_editor_clamp (self, &drag->x, &drag->y, &drag->w, &drag->h);
}

static void
update_drag (CxrBoxEditor *self, double offset_x, double offset_y, gboolean shift)
{
  CxrBoxDrag *drag = &self->drag;
  double scale = pane_scale (drag->pane);
  double dx = offset_x / scale, dy = offset_y / scale;
  int width, height;
  cxr_pane_content_get_size (self->content, &width, &height);

  switch (drag->kind)
    {
    case CXR_BOX_DRAG_MOVE:
      drag->x = drag->x0 + round (dx);
      drag->y = drag->y0 + round (dy);
      drag->w = drag->w0, drag->h = drag->h0;
      cxr_box_editor_clamp (self, &drag->x, &drag->y, &drag->w, &drag->h);
      break;
    case CXR_BOX_DRAG_RESIZE:
      resize (self, dx, dy, shift);
      break;
    case CXR_BOX_DRAG_DRAW:
      {
        double ax = CLAMP (round (drag->start_x), 0.0, (double) width);
        double ay = CLAMP (round (drag->start_y), 0.0, (double) height);
        double bx = CLAMP (round (drag->start_x + dx), 0.0, (double) width);
        double by = CLAMP (round (drag->start_y + dy), 0.0, (double) height);
        drag->x = MIN (ax, bx), drag->y = MIN (ay, by);
        drag->w = fabs (bx - ax), drag->h = fabs (by - ay);
        break;
      }
    }
  show_drag (self);
}

/* ---- gestures ------------------------------------------------------------- */

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CxrBoxEditor *self)
{
  CxrPaneView *pane = CXR_PANE_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  CxrBoxDrag *drag = &self->drag;
  CxrBBox box;

  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));
  if (!pane_active (self, pane) || drag->active
      || (event != NULL && gdk_event_get_time (event) == self->label_press_time))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  double ix, iy;
  cxr_pane_view_widget_to_image (pane, x, y, &ix, &iy);
  CxrBoxHandle handle = CXR_BOX_HANDLE_NONE;
  guint id = 0;
  if (_cxr_box_editor_get_box (self, self->selected, &box))
    handle = hit_handle (pane, &box, x, y);
  if (handle == CXR_BOX_HANDLE_NONE)
    id = hit_box (self, pane, x, y);

  int width, height;
  cxr_pane_content_get_size (self->content, &width, &height);
  gboolean on_image = ix >= 0 && iy >= 0 && ix <= width && iy <= height;
  if (handle != CXR_BOX_HANDLE_NONE)
    drag->kind = CXR_BOX_DRAG_RESIZE, id = self->selected;
  else if (self->drawing && on_image)
    drag->kind = CXR_BOX_DRAG_DRAW, id = 0;
  else if (id != 0)
    drag->kind = CXR_BOX_DRAG_MOVE;
  else
    {
      /* A press beside the boxes lets go of the selection and pans, as before. */
      cxr_box_editor_set_selected (self, 0);
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (id != 0)
    {
      cxr_box_editor_set_selected (self, id);
      _cxr_box_editor_get_box (self, id, &box);
      drag->x0 = box.x, drag->y0 = box.y, drag->w0 = box.w, drag->h0 = box.h;
    }
  else
    drag->x0 = ix, drag->y0 = iy, drag->w0 = drag->h0 = 0;
  drag->active = TRUE;
  drag->pane = pane;
  drag->id = id;
  drag->handle = handle;
  drag->start_x = ix, drag->start_y = iy;
  drag->x = drag->x0, drag->y = drag->y0, drag->w = drag->w0, drag->h = drag->h0;
  drag->shown = g_array_copy ((GArray *) cxr_pane_content_get_gt_boxes (self->content));
  _cxr_box_editor_update_content (self);
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrBoxEditor *self)
{
  if (!self->drag.active)
    return;
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  update_drag (self, offset_x, offset_y, (state & GDK_SHIFT_MASK) != 0);
}

static void
on_drag_end (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrBoxEditor *self)
{
  CxrBoxDrag *drag = &self->drag;
  if (!drag->active)
    return;

  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  update_drag (self, offset_x, offset_y, (state & GDK_SHIFT_MASK) != 0);
  CxrBoxDragKind kind = drag->kind;
  guint id = drag->id;
  double x = drag->x, y = drag->y, w = drag->w, h = drag->h;
  end_drag (self, TRUE);

  if (kind != CXR_BOX_DRAG_DRAW)
    {
      _cxr_box_editor_set_rect (self, id, x, y, w, h);
      return;
    }
  if (w < MIN_DRAWN_SIZE || h < MIN_DRAWN_SIZE)
    return;
  /* One box per W, as in labelImg: the next press selects and moves again. */
  cxr_box_editor_set_drawing (self, FALSE);
  guint added = cxr_box_editor_add (self, self->last_label, x, y, w, h);
  if (added != 0)
    _cxr_box_editor_emit_label_wanted (self, added);
}

static void
on_drag_cancel (GtkGesture *gesture, GdkEventSequence *sequence, CxrBoxEditor *self)
{
  end_drag (self, TRUE);
}

/* A double click on a box asks for its label; elsewhere the pane fits, as before. */
static void
on_click_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CxrBoxEditor *self)
{
  CxrPaneView *pane = CXR_PANE_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  if (n_press != 2 || !pane_active (self, pane) || self->drawing)
    return;
  guint id = hit_box (self, pane, x, y);
  if (id == 0)
    return;
  /* The press's drag, if it began first, moved nothing: it ends here, and the press starts none after this. */
  end_drag (self, TRUE);
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));
  self->label_press_time = event != NULL ? gdk_event_get_time (event) : 0;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  cxr_box_editor_set_selected (self, id);
  _cxr_box_editor_emit_label_wanted (self, id);
}

static const char *
cursor_at (CxrBoxEditor *self, CxrPaneView *pane, double x, double y)
{
  CxrBBox box;
  if (!pane_active (self, pane))
    return NULL;
  if (_cxr_box_editor_get_box (self, self->selected, &box))
    {
      CxrBoxHandle handle = hit_handle (pane, &box, x, y);
      if (handle != CXR_BOX_HANDLE_NONE)
        return handle_cursors[handle];
    }
  if (self->drawing)
    return "crosshair";
  return hit_box (self, pane, x, y) != 0 ? "move" : NULL;
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, CxrBoxEditor *self)
{
  CxrPaneView *pane = CXR_PANE_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (motion)));
  if (self->drag.active)
    return;
  const char *name = cursor_at (self, pane, x, y);
  GdkCursor *cursor = gtk_widget_get_cursor (GTK_WIDGET (pane));
  const char *current = cursor ? gdk_cursor_get_name (cursor) : NULL;
  if (g_strcmp0 (name, current) != 0)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (pane), name);
}

void
_cxr_box_editor_update_panes_cursor (CxrBoxEditor *self)
{
  for (guint i = 0; i < self->n_panes; i++)
    if (self->panes[i] != NULL)
      gtk_widget_set_cursor_from_name (self->panes[i], self->drawing ? "crosshair" : NULL);
}

void
cxr_box_editor_attach_pane (CxrBoxEditor *self, CxrPaneView *pane)
{
  g_return_if_fail (CXR_IS_BOX_EDITOR (self));
  g_return_if_fail (CXR_IS_PANE_VIEW (pane));

  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (GTK_WIDGET (pane), GTK_EVENT_CONTROLLER (drag));

  /* Grouped with the drag: a claimed press is both gestures', so the second press of a double click reaches the
   * click gesture even though the drag took the first. */
  GtkGesture *click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (on_click_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (pane), GTK_EVENT_CONTROLLER (click));
  gtk_gesture_group (drag, click);

  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (pane), motion);

  g_return_if_fail (self->n_panes < G_N_ELEMENTS (self->panes));
  self->panes[self->n_panes] = GTK_WIDGET (pane);
  g_object_add_weak_pointer (G_OBJECT (pane), (gpointer *) &self->panes[self->n_panes]);
  self->n_panes++;
}

void
_cxr_box_editor_detach_panes (CxrBoxEditor *self)
{
  for (guint i = 0; i < self->n_panes; i++)
    {
      GtkWidget *pane = self->panes[i];
      if (pane == NULL)
        continue;
      g_object_remove_weak_pointer (G_OBJECT (pane), (gpointer *) &self->panes[i]);
      g_signal_handlers_disconnect_by_data (pane, self);
      /* The gestures stay with the pane but call nothing any more. */
      GListModel *controllers = gtk_widget_observe_controllers (pane);
      for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
        {
          g_autoptr (GObject) controller = g_list_model_get_item (controllers, c);
          g_signal_handlers_disconnect_by_data (controller, self);
        }
      g_object_unref (controllers);
    }
  self->n_panes = 0;
}
