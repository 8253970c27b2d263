/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-actions.c: the window's GActions and their keys.
 *
 * Keys with modifiers are application accelerators (cxr-application.c; they show in menus). Single keys (A, D, +,
 * -, 0, F, 1-4, I, R, Space, Y, X, U, E; T and M for the measurements, in cxr-window-ctr.c and cxr-window-lines.c)
 * belong to bubble-phase shortcut controllers on the window: a focused entry or spin button sees the key first and
 * keeps it, so typing "d" in the search field types a "d".
 *
 * The box editor (issue 11) owns W and N (draw, as labelImg and CVAT), L (relabel), C (copy the model's box),
 * Delete, Tab and the arrows on a selected box. So the verdicts are Y (yes, agree), X (no, disagree: the reject
 * key of annotation tools such as Prodigy) and U (unsure), and the layout cycles with Ctrl+L.
 *
 * The digits 1-4 pick the view (original, ground truth, mask, heatmap) in the one large pane, as a radiology
 * viewer's number keys pick its viewports; zoom 1:1 moved from 1 to Ctrl+1, and fit is 0, F and Ctrl+0.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

static void
open_dataset_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_choose_dataset (CXR_WINDOW (user_data));
}

static void
open_model_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_choose_model (CXR_WINDOW (user_data));
}

static void
open_recent_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_autoptr (GFile) folder = g_file_new_for_path (g_variant_get_string (parameter, NULL));
  _cxr_window_open_dataset_interactive (CXR_WINDOW (user_data), folder);
}

static void
previous_image_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_image_list_move_selection (CXR_WINDOW (user_data)->image_list, -1);
}

static void
next_image_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_image_list_move_selection (CXR_WINDOW (user_data)->image_list, +1);
}

static void
zoom_in_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_compare_view_zoom_in (CXR_WINDOW (user_data)->compare_view);
}

static void
zoom_out_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_compare_view_zoom_out (CXR_WINDOW (user_data)->compare_view);
}

static void
zoom_fit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_view_state_fit (cxr_compare_view_get_view_state (CXR_WINDOW (user_data)->compare_view));
}

static void
zoom_one_to_one_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_compare_view_zoom_one_to_one (CXR_WINDOW (user_data)->compare_view);
}

static void
invert_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrViewState *view_state = cxr_compare_view_get_view_state (CXR_WINDOW (user_data)->compare_view);
  cxr_view_state_set_invert (view_state, !cxr_view_state_get_invert (view_state));
}

static void
reset_window_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_view_state_reset_window (cxr_compare_view_get_view_state (CXR_WINDOW (user_data)->compare_view));
}

static void
toggle_reviewed_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_toggle_reviewed (CXR_WINDOW (user_data));
}

static void
show_report_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_show_report (CXR_WINDOW (user_data));
}

static void
search_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_image_list_focus_search (CXR_WINDOW (user_data)->image_list);
}

static void
run_all_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_run_all (CXR_WINDOW (user_data));
}

static void
run_listed_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_run_listed (CXR_WINDOW (user_data));
}

static void
cancel_run_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);

  if (!_cxr_window_is_running (self))
    return;
  /* An export says what it left when its last whole file is written. */
  gboolean exporting = self->run_is_export;
  _cxr_window_cancel_run (self);
  if (!exporting)
    _cxr_window_toast (self, _("Run cancelled; the results so far are kept"));
}

static void
show_summary_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_show_summary (CXR_WINDOW (user_data));
}

static void
export_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_choose_export (CXR_WINDOW (user_data));
}

static void
train_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_show_training (CXR_WINDOW (user_data));
}

static const GActionEntry win_actions[] = {
  { .name = "open-dataset", .activate = open_dataset_activated },
  { .name = "open-model", .activate = open_model_activated },
  { .name = "open-recent", .activate = open_recent_activated, .parameter_type = "s" },
  { .name = "previous-image", .activate = previous_image_activated },
  { .name = "next-image", .activate = next_image_activated },
  { .name = "zoom-in", .activate = zoom_in_activated },
  { .name = "zoom-out", .activate = zoom_out_activated },
  { .name = "zoom-fit", .activate = zoom_fit_activated },
  { .name = "zoom-one-to-one", .activate = zoom_one_to_one_activated },
  { .name = "invert", .activate = invert_activated },
  { .name = "reset-window", .activate = reset_window_activated },
  { .name = "toggle-reviewed", .activate = toggle_reviewed_activated },
  { .name = "search", .activate = search_activated },
  { .name = "show-report", .activate = show_report_activated },
  { .name = "run-all", .activate = run_all_activated },
  { .name = "run-listed", .activate = run_listed_activated },
  { .name = "cancel-run", .activate = cancel_run_activated },
  { .name = "show-summary", .activate = show_summary_activated },
  { .name = "export", .activate = export_activated },
  { .name = "train", .activate = train_activated },
};

/* Single keys, active unless the focused widget takes the key. */
static const struct {
  const char *action;
  const char *trigger;
} single_keys[] = {
  { "win.previous-image", "a|Page_Up" },
  { "win.next-image", "d|Page_Down" },
  { "win.zoom-in", "plus|equal|KP_Add" },
  { "win.zoom-out", "minus|KP_Subtract" },
  { "win.zoom-fit", "0|f|KP_0|<Control>0" },
  { "win.zoom-one-to-one", "<Control>1" },
  { "win.next-unreviewed", "<Shift>d" },
  { "win.previous-unreviewed", "<Shift>a" },
  { "win.focus-note", "e" },
  { "win.invert", "i" },
  { "win.reset-window", "r" },
  { "win.toggle-reviewed", "space" },
};

void
_cxr_window_class_actions_init (CxrWindowClass *klass)
{
}

static void
set_enabled (CxrWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_cxr_window_actions_update (CxrWindow *self)
{
  gboolean has_dataset = self->dataset != NULL;
  gboolean has_image = has_dataset && cxr_current_image_get_index (self->current) != G_MAXUINT;
  g_autoptr (CxrModel) model = self->engine ? cxr_engine_dup_model (self->engine) : NULL;
  gboolean running = _cxr_window_is_running (self);

  set_enabled (self, "previous-image", has_dataset);
  set_enabled (self, "next-image", has_dataset);
  set_enabled (self, "zoom-in", has_image);
  set_enabled (self, "zoom-out", has_image);
  set_enabled (self, "zoom-fit", has_image);
  set_enabled (self, "zoom-one-to-one", has_image);
  set_enabled (self, "invert", has_image);
  set_enabled (self, "reset-window", has_image);
  set_enabled (self, "toggle-reviewed", has_image && self->review != NULL);
  set_enabled (self, "verdict", has_image && self->review != NULL);
  set_enabled (self, "next-unreviewed", has_dataset && self->review != NULL);
  set_enabled (self, "previous-unreviewed", has_dataset && self->review != NULL);
  set_enabled (self, "focus-note", has_image && self->review != NULL);
  set_enabled (self, "export-review", has_dataset && self->review != NULL);
  set_enabled (self, "search", has_dataset);
  set_enabled (self, "show-report", has_dataset);
  set_enabled (self, "run-all", has_dataset && model != NULL && !running);
  set_enabled (self, "run-listed", has_dataset && model != NULL && !running);
  set_enabled (self, "cancel-run", running);
  set_enabled (self, "show-summary", has_dataset && model != NULL);
  set_enabled (self, "export", has_dataset && model != NULL && !running);
  _cxr_window_boxes_update_actions (self);
  _cxr_window_ctr_update_actions (self);
  _cxr_window_lines_update_actions (self);
  _cxr_window_save_update_actions (self);
}

void
_cxr_window_actions_init (CxrWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);

  GtkEventController *controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_BUBBLE);
  for (guint i = 0; i < G_N_ELEMENTS (single_keys); i++)
    {
      GtkShortcutTrigger *trigger = gtk_shortcut_trigger_parse_string (single_keys[i].trigger);
      GtkShortcutAction *action = gtk_named_action_new (single_keys[i].action);
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (trigger, action));
    }
  const char *verdicts[][2] = { { "y", "agree" }, { "x", "disagree" }, { "u", "unsure" } };
  for (guint i = 0; i < G_N_ELEMENTS (verdicts); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (verdicts[i][0]),
                                                gtk_named_action_new ("win.verdict"));
      gtk_shortcut_set_arguments (shortcut, g_variant_new_string (verdicts[i][1]));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  for (int view = 1; view <= 4; view++)
    {
      g_autofree char *keys = g_strdup_printf ("%d|KP_%d", view, view);
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys),
                                                gtk_named_action_new ("win.show-view"));
      gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (view));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
