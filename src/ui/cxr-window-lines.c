/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-lines.c: the line tool in the window (issue 16, point 4). M arms it (drags on the original or
 * ground-truth pane draw lines until M again or Escape), a click selects a line, Delete deletes the selected line
 * and Escape lets go of it. Arming it ends a CTR measurement under way, and T or Shift+T disarm it
 * (cxr-window-ctr.c), so that a drag is never two tools'. A selected line and a selected box exclude each other,
 * so that Delete deletes what the reader sees selected.
 *
 * Each image's lines live in the review sidecar ("lines", cxr-review.h): shown when the image comes, written (a
 * second later, with the rest of the review) whenever the reader drew, moved or deleted one. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

static void
on_current_index (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  guint index;
  const char *name = _cxr_window_current_name (self, &index);
  g_autoptr (GArray) lines = name != NULL && self->review != NULL ? cxr_review_get_lines (self->review, name) : NULL;
  cxr_line_tool_set_lines (self->line_tool, lines);
}

static void
on_lines_changed (CxrLineTool *tool, CxrWindow *self)
{
  guint index;
  const char *name = _cxr_window_current_name (self, &index);
  if (name == NULL)
    return;
  if (self->review == NULL)
    {
      _cxr_window_toast (self, _("The measurement cannot be kept: this folder has no review file"));
      return;
    }
  cxr_review_set_lines (self->review, name, cxr_line_tool_get_lines (tool));
  _cxr_window_review_touched (self, index);
}

/* While the tool is armed the status line says what a drag does. */
static void
on_armed (CxrLineTool *tool, GParamSpec *pspec, CxrWindow *self)
{
  cxr_compare_view_set_readout (self->compare_view, cxr_line_tool_get_armed (tool)
                                ? _("Length: drag from one end to the other (Escape or M ends)") : NULL);
}

static void
on_line_selected (CxrLineTool *tool, GParamSpec *pspec, CxrWindow *self)
{
  if (cxr_line_tool_get_selected (tool) != G_MAXUINT
      && g_action_group_get_action_enabled (G_ACTION_GROUP (self), "deselect-box"))
    g_action_group_activate_action (G_ACTION_GROUP (self), "deselect-box", NULL);
}

static void
on_box_selected (CxrBoxEditor *editor, GParamSpec *pspec, CxrWindow *self)
{
  if (cxr_box_editor_get_selected (editor) != 0)
    cxr_line_tool_select (self->line_tool, G_MAXUINT);
}

static void
measure_line_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  gboolean arm = !cxr_line_tool_get_armed (self->line_tool);
  if (arm)
    cxr_ctr_tool_cancel (self->ctr_tool);
  cxr_line_tool_set_armed (self->line_tool, arm);
}

static void
delete_line_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_line_tool_delete_selected (CXR_WINDOW (user_data)->line_tool);
}

static const GActionEntry line_actions[] = {
  { .name = "measure-line", .activate = measure_line_activated },
  { .name = "delete-line", .activate = delete_line_activated },
};

/* Delete and Escape before the box editor's keys (cxr-window-boxes.c), which take Escape while a box is selected
 * or drawn: here they act only on a line or an armed tool, and pass otherwise. Not while typing. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                CxrWindow *self)
{
  if (_cxr_window_focus_takes_text (self) || (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;
  gboolean selected = cxr_line_tool_get_selected (self->line_tool) != G_MAXUINT;
  switch (keyval)
    {
    case GDK_KEY_Delete:
    case GDK_KEY_KP_Delete:
      return selected && cxr_line_tool_delete_selected (self->line_tool);
    case GDK_KEY_Escape:
      if (cxr_line_tool_get_armed (self->line_tool))
        cxr_line_tool_set_armed (self->line_tool, FALSE);
      else if (selected)
        cxr_line_tool_select (self->line_tool, G_MAXUINT);
      else if (cxr_ctr_tool_get_step (self->ctr_tool) != CXR_CTR_TOOL_IDLE)
        cxr_ctr_tool_cancel (self->ctr_tool);   /* T cancels it too; Escape is where a reader looks first */
      else
        return FALSE;
      return TRUE;
    default:
      return FALSE;
    }
}

void
_cxr_window_lines_update_actions (CxrWindow *self)
{
  gboolean has_image = self->dataset != NULL && cxr_current_image_get_index (self->current) != G_MAXUINT;
  for (guint i = 0; i < G_N_ELEMENTS (line_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), line_actions[i].name);
      if (action == NULL)   /* the window is still being made */
        return;
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), has_image);
    }
}

void
_cxr_window_lines_init (CxrWindow *self)
{
  self->line_tool = cxr_line_tool_new (self->content);
  g_action_map_add_action_entries (G_ACTION_MAP (self), line_actions, G_N_ELEMENTS (line_actions), self);
  cxr_line_tool_attach_pane (self->line_tool, cxr_compare_view_get_pane (self->compare_view, CXR_PANE_ORIGINAL));
  cxr_line_tool_attach_pane (self->line_tool, cxr_compare_view_get_pane (self->compare_view, CXR_PANE_GROUND_TRUTH));
  g_signal_connect (self->line_tool, "changed", G_CALLBACK (on_lines_changed), self);
  g_signal_connect (self->line_tool, "notify::armed", G_CALLBACK (on_armed), self);
  g_signal_connect (self->line_tool, "notify::selected", G_CALLBACK (on_line_selected), self);
  g_signal_connect (self->current, "notify::index", G_CALLBACK (on_current_index), self);

  GtkEventController *keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  /* A single key, in the bubble phase like the window's others (cxr-window-actions.c): a focused entry types it. */
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_BUBBLE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("m"),
                                                          gtk_named_action_new ("win.measure-line")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

/* After the box editor exists (it is made after the line tool, whose gestures go first). */
void
_cxr_window_lines_watch_boxes (CxrWindow *self)
{
  g_signal_connect (self->box_editor, "notify::selected", G_CALLBACK (on_box_selected), self);
}

void
_cxr_window_lines_dispose (CxrWindow *self)
{
  if (self->line_tool != NULL)
    g_signal_handlers_disconnect_by_data (self->line_tool, self);
  if (self->box_editor != NULL)
    g_signal_handlers_disconnect_by_func (self->box_editor, on_box_selected, self);
  if (self->current != NULL)
    g_signal_handlers_disconnect_by_func (self->current, on_current_index, self);
  g_clear_object (&self->line_tool);
}
