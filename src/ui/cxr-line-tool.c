/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-line-tool.c: drags that draw, grab and move lines. */
#include "config.h"

#include <math.h>

#include "cxr-line-tool.h"
#include "cxr-pane-measures.h"

/* How near a press must come to a line or its end, in pane pixels: the box editor's reach for its handles. */
#define REACH (CXR_PANE_HANDLE_SIZE / 2.0 + 3.0)

typedef enum {
  DRAG_NONE,
  DRAG_NEW,      /* drawing a line */
  DRAG_START,    /* moving a line's first end */
  DRAG_END,      /* ... its second end */
  DRAG_LINE,     /* moving a whole line */
} DragKind;

struct _CxrLineTool {
  GObject parent_instance;

  CxrPaneContent *content;     /* owned */
  GArray *lines;               /* CxrMeasureLine */
  guint selected;              /* G_MAXUINT: none */
  gboolean armed;

  /* the drag under way */
  CxrPaneView *drag_pane;
  DragKind drag;
  guint drag_index;            /* the line it changes; for DRAG_NEW valid once the line was added */
  gboolean new_added;          /* DRAG_NEW: the drag went far enough to be a line */
  CxrMeasureLine before;       /* the line as it was when the drag began */
  double drag_x, drag_y;       /* image pixels where it began */
};

G_DEFINE_FINAL_TYPE (CxrLineTool, cxr_line_tool, G_TYPE_OBJECT)

enum { PROP_0, PROP_ARMED, PROP_SELECTED, N_PROPS };
enum { CHANGED, N_SIGNALS };
static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
show (CxrLineTool *self)
{
  cxr_pane_content_set_lines (self->content, self->lines, self->selected);
}

void
cxr_line_tool_select (CxrLineTool *self, guint index)
{
  g_return_if_fail (CXR_IS_LINE_TOOL (self));
  if (index >= self->lines->len)
    index = G_MAXUINT;
  if (index == self->selected)
    return;
  self->selected = index;
  show (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

guint
cxr_line_tool_get_selected (CxrLineTool *self)
{
  return self->selected;
}

void
cxr_line_tool_set_lines (CxrLineTool *self, const GArray *lines)
{
  g_return_if_fail (CXR_IS_LINE_TOOL (self));
  self->drag_pane = NULL;
  self->drag = DRAG_NONE;
  g_array_set_size (self->lines, 0);
  if (lines != NULL && lines->len > 0)
    g_array_append_vals (self->lines, lines->data, lines->len);
  gboolean was_selected = self->selected != G_MAXUINT;
  self->selected = G_MAXUINT;
  show (self);
  if (was_selected)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

const GArray *
cxr_line_tool_get_lines (CxrLineTool *self)
{
  return self->lines;
}

void
cxr_line_tool_set_armed (CxrLineTool *self, gboolean armed)
{
  g_return_if_fail (CXR_IS_LINE_TOOL (self));
  if (armed == self->armed)
    return;
  self->armed = armed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARMED]);
}

gboolean
cxr_line_tool_get_armed (CxrLineTool *self)
{
  return self->armed;
}

gboolean
cxr_line_tool_delete_selected (CxrLineTool *self)
{
  g_return_val_if_fail (CXR_IS_LINE_TOOL (self), FALSE);
  if (self->selected == G_MAXUINT || self->drag != DRAG_NONE)
    return FALSE;
  g_array_remove_index (self->lines, self->selected);
  self->selected = G_MAXUINT;
  show (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/* ---- the pointer ---------------------------------------------------------- */

static CxrMeasureLine *
line_at (CxrLineTool *self, guint index)
{
  return &g_array_index (self->lines, CxrMeasureLine, index);
}

/* The line or line end under a pane point: ends first (the last drawn line first, as it is drawn on top), then,
 * unless armed (when a press off the ends draws), the lines themselves. */
static DragKind
hit (CxrLineTool *self, CxrPaneView *pane, double x, double y, guint *index)
{
  for (guint i = self->lines->len; i-- > 0;)
    {
      const CxrMeasureLine *line = line_at (self, i);
      double x0, y0, x1, y1;
      cxr_pane_view_image_to_widget (pane, line->x0, line->y0, &x0, &y0);
      cxr_pane_view_image_to_widget (pane, line->x1, line->y1, &x1, &y1);
      *index = i;
      if (hypot (x - x1, y - y1) <= REACH)
        return DRAG_END;
      if (hypot (x - x0, y - y0) <= REACH)
        return DRAG_START;
    }
  for (guint i = self->lines->len; !self->armed && i-- > 0;)
    {
      const CxrMeasureLine *line = line_at (self, i);
      CxrMeasureLine on_pane;
      cxr_pane_view_image_to_widget (pane, line->x0, line->y0, &on_pane.x0, &on_pane.y0);
      cxr_pane_view_image_to_widget (pane, line->x1, line->y1, &on_pane.x1, &on_pane.y1);
      *index = i;
      if (cxr_measure_line_distance (&on_pane, x, y) <= REACH)
        return DRAG_LINE;
    }
  return DRAG_NONE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CxrLineTool *self)
{
  CxrPaneView *pane = CXR_PANE_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  if (cxr_pane_content_get_image (self->content) == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  guint index = G_MAXUINT;
  DragKind kind = hit (self, pane, x, y, &index);
  if (kind == DRAG_NONE && !self->armed)
    {
      /* A press beside every line lets go of the selected one, and pans as ever. */
      cxr_line_tool_select (self, G_MAXUINT);
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_pane = pane;
  cxr_pane_view_widget_to_image_clamped (pane, x, y, &self->drag_x, &self->drag_y);
  if (kind == DRAG_NONE)
    {
      self->drag = DRAG_NEW;
      self->new_added = FALSE;
      cxr_line_tool_select (self, G_MAXUINT);
      return;
    }
  self->drag = kind;
  self->drag_index = index;
  self->before = *line_at (self, index);
  cxr_line_tool_select (self, index);
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrLineTool *self)
{
  if (self->drag_pane == NULL)
    return;
  double start_x, start_y, ix, iy;
  gtk_gesture_drag_get_start_point (gesture, &start_x, &start_y);
  cxr_pane_view_widget_to_image_clamped (self->drag_pane, start_x + offset_x, start_y + offset_y, &ix, &iy);
  switch (self->drag)
    {
    case DRAG_NEW:
      if (!self->new_added)
        {
          if (hypot (offset_x, offset_y) < CXR_PANE_MEASURE_MIN_DRAG)
            return;
          CxrMeasureLine line = { self->drag_x, self->drag_y, ix, iy };
          g_array_append_val (self->lines, line);
          self->drag_index = self->lines->len - 1;
          self->new_added = TRUE;
        }
      line_at (self, self->drag_index)->x1 = ix;
      line_at (self, self->drag_index)->y1 = iy;
      break;
    case DRAG_START:
      line_at (self, self->drag_index)->x0 = ix;
      line_at (self, self->drag_index)->y0 = iy;
      break;
    case DRAG_END:
      line_at (self, self->drag_index)->x1 = ix;
      line_at (self, self->drag_index)->y1 = iy;
      break;
    case DRAG_LINE:
      {
        /* The whole line by the pointer's way, as far as both ends stay on the image. */
        int width, height;
        cxr_pane_content_get_size (self->content, &width, &height);
        const CxrMeasureLine *b = &self->before;
        double dx = CLAMP (ix - self->drag_x, -MIN (b->x0, b->x1), width - MAX (b->x0, b->x1));
        double dy = CLAMP (iy - self->drag_y, -MIN (b->y0, b->y1), height - MAX (b->y0, b->y1));
        *line_at (self, self->drag_index) = (CxrMeasureLine) { b->x0 + dx, b->y0 + dy, b->x1 + dx, b->y1 + dy };
        break;
      }
    case DRAG_NONE:
    default:
      return;
    }
  show (self);
}

static void
on_drag_end (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrLineTool *self)
{
  if (self->drag_pane == NULL)
    return;
  on_drag_update (gesture, offset_x, offset_y, self);
  DragKind kind = self->drag;
  self->drag_pane = NULL;
  self->drag = DRAG_NONE;
  if (kind == DRAG_NEW)
    {
      if (!self->new_added)
        return;   /* a click: no line */
      cxr_line_tool_select (self, self->drag_index);
      g_signal_emit (self, signals[CHANGED], 0);
      return;
    }
  if (offset_x == 0 && offset_y == 0)
    {
      /* A click on a line selects it and changes nothing. */
      *line_at (self, self->drag_index) = self->before;
      show (self);
      return;
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_drag_cancel (GtkGesture *gesture, GdkEventSequence *sequence, CxrLineTool *self)
{
  if (self->drag_pane == NULL)
    return;
  self->drag_pane = NULL;
  if (self->drag == DRAG_NEW && self->new_added)
    g_array_remove_index (self->lines, self->drag_index);
  else if (self->drag != DRAG_NEW)
    *line_at (self, self->drag_index) = self->before;
  self->drag = DRAG_NONE;
  show (self);
}

static void
on_armed_changed (CxrLineTool *self, GParamSpec *pspec, CxrPaneView *pane)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (pane), self->armed ? "crosshair" : NULL);
}

void
cxr_line_tool_attach_pane (CxrLineTool *self, CxrPaneView *pane)
{
  g_return_if_fail (CXR_IS_LINE_TOOL (self) && CXR_IS_PANE_VIEW (pane));
  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  /* Before the box editor's and the pane's own gestures: a press on a line, or any while armed, is the tool's. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (on_drag_begin), self, 0);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (on_drag_update), self, 0);
  g_signal_connect_object (drag, "drag-end", G_CALLBACK (on_drag_end), self, 0);
  g_signal_connect_object (drag, "cancel", G_CALLBACK (on_drag_cancel), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (pane), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect_object (self, "notify::armed", G_CALLBACK (on_armed_changed), pane, 0);
}

static void
cxr_line_tool_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrLineTool *self = CXR_LINE_TOOL (object);
  switch (prop_id)
    {
    case PROP_ARMED:
      g_value_set_boolean (value, self->armed);
      break;
    case PROP_SELECTED:
      g_value_set_uint (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_line_tool_dispose (GObject *object)
{
  CxrLineTool *self = CXR_LINE_TOOL (object);
  g_clear_object (&self->content);
  G_OBJECT_CLASS (cxr_line_tool_parent_class)->dispose (object);
}

static void
cxr_line_tool_finalize (GObject *object)
{
  CxrLineTool *self = CXR_LINE_TOOL (object);
  g_array_unref (self->lines);
  G_OBJECT_CLASS (cxr_line_tool_parent_class)->finalize (object);
}

static void
cxr_line_tool_class_init (CxrLineToolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = cxr_line_tool_dispose;
  object_class->finalize = cxr_line_tool_finalize;
  object_class->get_property = cxr_line_tool_get_property;
  properties[PROP_ARMED] = g_param_spec_boolean ("armed", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] = g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, G_MAXUINT,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
cxr_line_tool_init (CxrLineTool *self)
{
  self->lines = g_array_new (FALSE, FALSE, sizeof (CxrMeasureLine));
  self->selected = G_MAXUINT;
}

CxrLineTool *
cxr_line_tool_new (CxrPaneContent *content)
{
  CxrLineTool *self = g_object_new (CXR_TYPE_LINE_TOOL, NULL);
  self->content = g_object_ref (content);
  return self;
}
