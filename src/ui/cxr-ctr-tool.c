/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ctr-tool.c: two drags, two calipers, one ratio. */
#include "config.h"

#include <math.h>

#include "cxr-ctr-tool.h"
#include "cxr-pane-measures.h"

struct _CxrCtrTool {
  GObject parent_instance;

  CxrPaneContent *content;     /* owned */
  CxrCtrToolStep step;
  CxrCtr ctr;
  guint shown;                 /* CXR_PANE_CTR_* laid so far (or stored) */
  gboolean complete;           /* both calipers belong to one measurement */

  /* the drag under way */
  CxrPaneView *drag_pane;
  double drag_x, drag_y;       /* image pixels where it began */
  CxrCtr before;               /* what was shown when it began */
  guint before_shown;
};

G_DEFINE_FINAL_TYPE (CxrCtrTool, cxr_ctr_tool, G_TYPE_OBJECT)

enum { PROP_0, PROP_STEP, N_PROPS };
enum { MEASURED, N_SIGNALS };
static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
show (CxrCtrTool *self)
{
  cxr_pane_content_set_ctr (self->content, self->shown ? &self->ctr : NULL, self->shown);
}

static void
set_step (CxrCtrTool *self, CxrCtrToolStep step)
{
  if (step == self->step)
    return;
  self->step = step;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
}

void
cxr_ctr_tool_set_measurement (CxrCtrTool *self, const CxrCtr *ctr)
{
  g_return_if_fail (CXR_IS_CTR_TOOL (self));
  self->drag_pane = NULL;
  self->complete = ctr != NULL;
  self->shown = ctr != NULL ? CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX : 0;
  if (ctr != NULL)
    self->ctr = *ctr;
  set_step (self, CXR_CTR_TOOL_IDLE);
  show (self);
}

gboolean
cxr_ctr_tool_get_measurement (CxrCtrTool *self, CxrCtr *ctr)
{
  if (!self->complete)
    return FALSE;
  *ctr = self->ctr;
  return TRUE;
}

void
cxr_ctr_tool_start (CxrCtrTool *self)
{
  g_return_if_fail (CXR_IS_CTR_TOOL (self));
  set_step (self, CXR_CTR_TOOL_HEART);
}

void
cxr_ctr_tool_seed_heart (CxrCtrTool *self, const CxrCaliper *heart)
{
  g_return_if_fail (CXR_IS_CTR_TOOL (self));
  self->ctr.heart = *heart;
  self->shown = CXR_PANE_CTR_HEART;
  self->complete = FALSE;
  show (self);
  set_step (self, CXR_CTR_TOOL_THORAX);
}

void
cxr_ctr_tool_cancel (CxrCtrTool *self)
{
  g_return_if_fail (CXR_IS_CTR_TOOL (self));
  if (self->step == CXR_CTR_TOOL_IDLE)
    return;
  set_step (self, CXR_CTR_TOOL_IDLE);
  /* Back to the stored measurement, if the image had one. */
  if (!self->complete)
    self->shown = 0;
  else
    self->shown = CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX;
  show (self);
}

CxrCtrToolStep
cxr_ctr_tool_get_step (CxrCtrTool *self)
{
  return self->step;
}

/* ---- the pointer ---------------------------------------------------------- */

static CxrCaliper *
caliper_of_step (CxrCtrTool *self)
{
  return self->step == CXR_CTR_TOOL_HEART ? &self->ctr.heart : &self->ctr.thorax;
}

static guint
bit_of_step (CxrCtrTool *self)
{
  return self->step == CXR_CTR_TOOL_HEART ? CXR_PANE_CTR_HEART : CXR_PANE_CTR_THORAX;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CxrCtrTool *self)
{
  CxrPaneView *pane = CXR_PANE_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  if (self->step == CXR_CTR_TOOL_IDLE || cxr_pane_content_get_image (self->content) == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_pane = pane;
  cxr_pane_view_widget_to_image_clamped (pane, x, y, &self->drag_x, &self->drag_y);
  self->before = self->ctr;
  self->before_shown = self->shown;
  if (self->step == CXR_CTR_TOOL_HEART)
    {
      /* A new measurement: the old one goes while the heart is laid. */
      self->shown = 0;
      self->complete = FALSE;
    }
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrCtrTool *self)
{
  if (self->drag_pane == NULL)
    return;
  double start_x, start_y, ix, iy;
  gtk_gesture_drag_get_start_point (gesture, &start_x, &start_y);
  cxr_pane_view_widget_to_image_clamped (self->drag_pane, start_x + offset_x, start_y + offset_y, &ix, &iy);
  *caliper_of_step (self) = cxr_caliper_from_points (self->drag_x, self->drag_y, ix);
  self->shown |= bit_of_step (self);
  show (self);
}

static void
on_drag_end (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrCtrTool *self)
{
  if (self->drag_pane == NULL)
    return;
  self->drag_pane = NULL;
  if (fabs (offset_x) < CXR_PANE_MEASURE_MIN_DRAG)
    {
      /* A click: nothing laid, still waiting for the same caliper. */
      self->ctr = self->before;
      self->shown = self->before_shown;
      show (self);
      return;
    }
  on_drag_update (gesture, offset_x, offset_y, self);
  if (self->step == CXR_CTR_TOOL_HEART)
    {
      set_step (self, CXR_CTR_TOOL_THORAX);
      return;
    }
  self->complete = TRUE;
  set_step (self, CXR_CTR_TOOL_IDLE);
  g_signal_emit (self, signals[MEASURED], 0);
}

static void
on_drag_cancel (GtkGesture *gesture, GdkEventSequence *sequence, CxrCtrTool *self)
{
  if (self->drag_pane == NULL)
    return;
  self->drag_pane = NULL;
  self->ctr = self->before;
  self->shown = self->before_shown;
  show (self);
}

static void
update_cursor (CxrCtrTool *self, CxrPaneView *pane)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (pane), self->step != CXR_CTR_TOOL_IDLE ? "crosshair" : NULL);
}

static void
on_step_changed (CxrCtrTool *self, GParamSpec *pspec, CxrPaneView *pane)
{
  update_cursor (self, pane);
}

void
cxr_ctr_tool_attach_pane (CxrCtrTool *self, CxrPaneView *pane)
{
  g_return_if_fail (CXR_IS_CTR_TOOL (self) && CXR_IS_PANE_VIEW (pane));
  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  /* Before the box editor's and the pane's own gestures: while armed, a drag is a caliper. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (on_drag_begin), self, 0);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (on_drag_update), self, 0);
  g_signal_connect_object (drag, "drag-end", G_CALLBACK (on_drag_end), self, 0);
  g_signal_connect_object (drag, "cancel", G_CALLBACK (on_drag_cancel), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (pane), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect_object (self, "notify::step", G_CALLBACK (on_step_changed), pane, 0);
}

static void
cxr_ctr_tool_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrCtrTool *self = CXR_CTR_TOOL (object);
  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_int (value, self->step);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_ctr_tool_dispose (GObject *object)
{
  CxrCtrTool *self = CXR_CTR_TOOL (object);
  g_clear_object (&self->content);
  G_OBJECT_CLASS (cxr_ctr_tool_parent_class)->dispose (object);
}

static void
cxr_ctr_tool_class_init (CxrCtrToolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = cxr_ctr_tool_dispose;
  object_class->get_property = cxr_ctr_tool_get_property;
  properties[PROP_STEP] = g_param_spec_int ("step", NULL, NULL, CXR_CTR_TOOL_IDLE, CXR_CTR_TOOL_THORAX,
                                            CXR_CTR_TOOL_IDLE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[MEASURED] = g_signal_new ("measured", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
}

static void
cxr_ctr_tool_init (CxrCtrTool *self)
{
}

CxrCtrTool *
cxr_ctr_tool_new (CxrPaneContent *content)
{
  CxrCtrTool *self = g_object_new (CXR_TYPE_CTR_TOOL, NULL);
  self->content = g_object_ref (content);
  return self;
}
