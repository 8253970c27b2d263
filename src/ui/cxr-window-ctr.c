/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-ctr.c: the cardiothoracic ratio in the window (issue 16, point 4): T arms the CTR tool (heart, then
 * thorax: two drags on the original or ground-truth pane), Shift+T starts from the model's Cardiomegaly box as the
 * heart caliper (else the ground truth's), T again while armed cancels. Each image's measurement lives in the review
 * sidecar ("ctr", cxr-review.h): shown when the image comes, written (a second later, with the rest of the review)
 * when both calipers are laid. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

static void
on_current_index (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  guint index;
  const char *name = _cxr_window_current_name (self, &index);
  CxrCtr ctr;
  if (name != NULL && self->review != NULL && cxr_review_get_ctr (self->review, name, &ctr))
    cxr_ctr_tool_set_measurement (self->ctr_tool, &ctr);
  else
    cxr_ctr_tool_set_measurement (self->ctr_tool, NULL);
}

static void
on_measured (CxrCtrTool *tool, CxrWindow *self)
{
  guint index;
  const char *name = _cxr_window_current_name (self, &index);
  CxrCtr ctr;
  if (name == NULL || !cxr_ctr_tool_get_measurement (tool, &ctr))
    return;
  if (self->review == NULL)
    {
      _cxr_window_toast (self, _("The measurement cannot be kept: this folder has no review file"));
      return;
    }
  cxr_review_set_ctr (self->review, name, &ctr);
  _cxr_window_review_touched (self, index);
}

/* While the tool is armed the status line says what the next drag lays. */
static void
on_step (CxrCtrTool *tool, GParamSpec *pspec, CxrWindow *self)
{
  switch (cxr_ctr_tool_get_step (tool))
    {
    case CXR_CTR_TOOL_HEART:
      cxr_compare_view_set_readout (self->compare_view,
                                    _("CTR: drag across the heart’s widest extent (T cancels)"));
      break;
    case CXR_CTR_TOOL_THORAX:
      cxr_compare_view_set_readout (self->compare_view,
                                    _("CTR: drag across the thorax’s widest extent, inside the ribs (T cancels)"));
      break;
    case CXR_CTR_TOOL_IDLE:
    default:
      cxr_compare_view_set_readout (self->compare_view, NULL);
      break;
    }
}

static void
measure_ctr_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  if (cxr_ctr_tool_get_step (self->ctr_tool) != CXR_CTR_TOOL_IDLE)
    cxr_ctr_tool_cancel (self->ctr_tool);
  else
    {
      cxr_line_tool_set_armed (self->line_tool, FALSE);   /* a drag is one tool's */
      cxr_ctr_tool_start (self->ctr_tool);
    }
}

/* The heart caliper from a Cardiomegaly box: the model's, when the heatmap explains Cardiomegaly, else the ground
 * truth's. */
static gboolean
cardiomegaly_box (CxrWindow *self, CxrCaliper *heart)
{
  const GArray *predicted = cxr_current_image_get_predicted_boxes (self->current);
  if (g_strcmp0 (cxr_current_image_get_target_name (self->current), "Cardiomegaly") == 0 && predicted != NULL
      && predicted->len > 0)
    {
      const CxrPaneBox *box = &g_array_index (predicted, CxrPaneBox, 0);
      *heart = cxr_caliper_from_box (box->x, box->y, box->w, box->h);
      return TRUE;
    }
  const GArray *truth = cxr_current_image_get_bboxes (self->current);
  for (guint i = 0; truth != NULL && i < truth->len; i++)
    {
      const CxrBBox *box = &g_array_index (truth, CxrBBox, i);
      if (g_strcmp0 (box->label, "Cardiomegaly") == 0)
        {
          *heart = cxr_caliper_from_box (box->x, box->y, box->w, box->h);
          return TRUE;
        }
    }
  return FALSE;
}

static void
seed_ctr_heart_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  CxrCaliper heart;
  if (!cardiomegaly_box (self, &heart))
    {
      _cxr_window_toast (self, _("No Cardiomegaly box to start from: run the model with Cardiomegaly as the target"));
      return;
    }
  cxr_line_tool_set_armed (self->line_tool, FALSE);
  cxr_ctr_tool_seed_heart (self->ctr_tool, &heart);
}

static const GActionEntry ctr_actions[] = {
  { .name = "measure-ctr", .activate = measure_ctr_activated },
  { .name = "seed-ctr-heart", .activate = seed_ctr_heart_activated },
};

void
_cxr_window_ctr_update_actions (CxrWindow *self)
{
  gboolean has_image = self->dataset != NULL && cxr_current_image_get_index (self->current) != G_MAXUINT;
  for (guint i = 0; i < G_N_ELEMENTS (ctr_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), ctr_actions[i].name);
      if (action == NULL)   /* the window is still being made */
        return;
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), has_image);
    }
}

void
_cxr_window_ctr_init (CxrWindow *self)
{
  self->ctr_tool = cxr_ctr_tool_new (self->content);
  g_action_map_add_action_entries (G_ACTION_MAP (self), ctr_actions, G_N_ELEMENTS (ctr_actions), self);
  cxr_ctr_tool_attach_pane (self->ctr_tool, cxr_compare_view_get_pane (self->compare_view, CXR_PANE_ORIGINAL));
  cxr_ctr_tool_attach_pane (self->ctr_tool, cxr_compare_view_get_pane (self->compare_view, CXR_PANE_GROUND_TRUTH));
  g_signal_connect (self->ctr_tool, "measured", G_CALLBACK (on_measured), self);
  g_signal_connect (self->ctr_tool, "notify::step", G_CALLBACK (on_step), self);
  g_signal_connect (self->current, "notify::index", G_CALLBACK (on_current_index), self);

  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_BUBBLE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("t"),
                                                          gtk_named_action_new ("win.measure-ctr")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Shift>t"),
                                                          gtk_named_action_new ("win.seed-ctr-heart")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

void
_cxr_window_ctr_dispose (CxrWindow *self)
{
  if (self->ctr_tool != NULL)
    g_signal_handlers_disconnect_by_data (self->ctr_tool, self);
  if (self->current != NULL)
    g_signal_handlers_disconnect_by_func (self->current, on_current_index, self);
  g_clear_object (&self->ctr_tool);
}
