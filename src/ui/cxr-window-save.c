/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-save.c: saving the ground-truth boxes so that nothing is lost (issue 11): autosave, the question
 * before unsaved edits would go, recovery of a session that ended without saving, BB.csv changed on disk, a box
 * file that cannot be written, and the boxes exported for other tools.
 *
 * Every edit is in the store's journal before it shows (cxr-bbox-store.h), so a crash loses nothing; what this
 * file adds is the window's side:
 *   - autosave (setting autosave-boxes, on by default): autosave-delay seconds after the last edit, as
 *     gnome-text-editor does, the boxes are saved (BB.csv and gt_dict.json);
 *   - closing the window or opening another dataset with unsaved edits asks Save / Discard / Cancel;
 *   - a journal found at open asks Recover (N edits) / Discard before any edit can be made (edits are refused by
 *     the store until then); a journal of another version of the file can only be discarded (a copy is kept as
 *     BB.csv.journal~); another program's journal makes the boxes read-only here, with a banner;
 *   - BB.csv changed on disk (GFileMonitor, then the store's content check, so our own saves do not count):
 *     without unsaved edits the boxes are read again; with them the user chooses Reload (the edits are written to
 *     BB-mine-DATE.csv first) or Keep Mine (Save As…): neither version is lost;
 *   - a read-only BB.csv or folder: a banner says so, and the store refuses every edit with that reason (the box
 *     editor shows it), so no edit is made that could not be saved;
 *   - win.export-boxes('voc'|'coco'|'yolo'): the boxes as they are now into a folder the user picks.
 * libadwaita 1.2 has no AdwBanner: the banner is a GtkInfoBar above the panes.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-bbox-export.h"
#include "cxr-window-private.h"

/* The change events of one rewrite (truncate, write, close; or a rename) arrive together: act once they settle. */
#define DISK_CHANGE_SETTLE_MS 300

static void watch_store (CxrWindow *self);

static CxrBBoxStore *
store_of (CxrWindow *self)
{
  return self->dataset != NULL ? cxr_dataset_get_bbox_store (self->dataset) : NULL;
}

static char *
file_name_of (CxrBBoxStore *store)
{
  return g_path_get_basename (cxr_bbox_store_get_path (store));
}

/* ---- the banner ------------------------------------------------------------------------------------------ */

typedef enum {
  BANNER_NONE,
  BANNER_READ_ONLY,     /* no button */
  BANNER_RECOVERY,      /* "Recover or Discard…" */
} BannerKind;

static void ask_recovery (CxrWindow *self);

static void
show_banner (CxrWindow *self, BannerKind kind, const char *text)
{
  GtkInfoBar *bar = GTK_INFO_BAR (self->box_banner);
  self->box_banner_kind = kind;
  if (kind == BANNER_NONE)
    {
      gtk_info_bar_set_revealed (bar, FALSE);
      return;
    }
  gtk_label_set_text (self->box_banner_label, text);
  gtk_widget_set_visible (self->box_banner_button, kind == BANNER_RECOVERY);
  gtk_info_bar_set_message_type (bar, GTK_MESSAGE_WARNING);
  gtk_info_bar_set_revealed (bar, TRUE);
}

static void
on_banner_button (GtkButton *button, CxrWindow *self)
{
  if (self->box_banner_kind == BANNER_RECOVERY)
    ask_recovery (self);
}

/* ---- autosave -------------------------------------------------------------------------------------------- */

static void offer_disk_choice (CxrWindow *self);

/* Nothing stands in the way of a save the user did not ask for. */
static gboolean
can_save_unasked (CxrWindow *self, CxrBBoxStore *store)
{
  return store != NULL && cxr_bbox_store_is_dirty (store) && !self->box_conflict && self->box_dialog == NULL
         && cxr_bbox_store_get_recovery (store, NULL) == CXR_BBOX_RECOVERY_NONE
         && cxr_bbox_store_get_read_only (store) == NULL;
}

static gboolean
autosave_now (gpointer user_data)
{
  CxrWindow *self = user_data;
  self->autosave_source = 0;
  CxrBBoxStore *store = store_of (self);
  if (!can_save_unasked (self, store))
    return G_SOURCE_REMOVE;
  if (cxr_bbox_store_has_changed_on_disk (store))
    {
      offer_disk_choice (self);
      return G_SOURCE_REMOVE;
    }
  g_autoptr (GError) error = NULL;
  if (!_cxr_window_boxes_save (self, &error))
    {
      /* The edits stay (in the store and its journal); say why once, and try again after the next edit. */
      g_autofree char *message = g_strdup_printf (_("The boxes could not be saved automatically: %s"), error->message);
      _cxr_window_toast (self, message);
    }
  _cxr_window_update_title (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_autosave (CxrWindow *self)
{
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  if (!g_settings_get_boolean (self->settings, "autosave-boxes") || !can_save_unasked (self, store_of (self)))
    return;
  guint delay = g_settings_get_uint (self->settings, "autosave-delay");
  self->autosave_source = g_timeout_add_seconds (delay, autosave_now, self);
}

static void
on_store_changed (CxrBBoxStore *store, guint id, CxrWindow *self)
{
  schedule_autosave (self);
}

static void
on_autosave_setting (GSettings *settings, const char *key, CxrWindow *self)
{
  schedule_autosave (self);
}

/* ---- the question before unsaved edits would go ---------------------------------------------------------- */

typedef struct {
  CxrWindow *self;
  CxrWindowThen then;
  gpointer data;
  GDestroyNotify free_data;
} Pending;

static void
pending_free (Pending *pending)
{
  if (pending->free_data != NULL)
    pending->free_data (pending->data);
  g_object_unref (pending->self);
  g_free (pending);
}

static gboolean
run_pending (gpointer data)
{
  Pending *pending = data;
  pending->then (pending->self, pending->data);
  return G_SOURCE_REMOVE;
}

static void
on_unsaved_response (AdwMessageDialog *dialog, const char *response, Pending *pending)
{
  CxrWindow *self = pending->self;
  CxrBBoxStore *store = store_of (self);
  gboolean go_on = FALSE;
  self->box_dialog = NULL;
  if (g_str_equal (response, "save"))
    {
      g_autoptr (GError) error = NULL;
      go_on = _cxr_window_boxes_save (self, &error);
      if (!go_on)
        {
          GtkWidget *failed = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Save the Boxes"), NULL);
          adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (failed),
                                          _("%s\n\nNothing was closed. Your edits are still here, and in the "
                                            "recovery journal beside the file."), error->message);
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (failed), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (failed));
        }
    }
  else if (g_str_equal (response, "discard"))
    {
      g_autoptr (GError) error = NULL;
      go_on = store == NULL || cxr_bbox_store_revert (store, &error);
      if (!go_on)
        _cxr_window_toast (self, error->message);
    }
  _cxr_window_update_title (self);
  /* What waited goes on once the dialog has finished its response: closing the window it belongs to inside the
   * response would pull the window away under it. */
  if (go_on)
    g_idle_add_full (G_PRIORITY_DEFAULT, run_pending, pending, (GDestroyNotify) pending_free);
  else
    pending_free (pending);
}

void
_cxr_window_save_then (CxrWindow *self, CxrWindowThen then, gpointer data, GDestroyNotify free_data)
{
  CxrBBoxStore *store = store_of (self);
  if (store == NULL || !cxr_bbox_store_is_dirty (store))
    {
      then (self, data);
      if (free_data != NULL)
        free_data (data);
      return;
    }
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  Pending *pending = g_new0 (Pending, 1);
  pending->self = g_object_ref (self);
  pending->then = then;
  pending->data = data;
  pending->free_data = free_data;

  g_autofree char *name = file_name_of (store);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save the Edited Boxes?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The boxes of “%s” have edits that are not saved. If you do not save them, "
                                    "they are lost."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "discard", _("_Discard"),
                                    "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_unsaved_response), pending);
  self->box_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
close_now (CxrWindow *self, gpointer unused)
{
  self->box_close_decided = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
_cxr_window_save_close_request (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (self->box_close_decided)
    {
      self->box_close_decided = FALSE;   /* once: a run still going may hold the close up, and ask again */
      return FALSE;
    }
  if (store == NULL || !cxr_bbox_store_is_dirty (store))
    return FALSE;
  if (self->box_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->box_dialog));
      return TRUE;
    }
  _cxr_window_save_then (self, close_now, NULL, NULL);
  return TRUE;
}

/* ---- recovery at open ------------------------------------------------------------------------------------ */

static void update_read_only (CxrWindow *self);

static void
on_recovery_response (AdwMessageDialog *dialog, const char *response, CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  self->box_dialog = NULL;
  if (store == NULL)
    return;
  guint n_edits = 0;
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, &n_edits);
  g_autoptr (GError) error = NULL;
  if (g_str_equal (response, "recover"))
    {
      if (!cxr_bbox_store_recover (store, &error))
        {
          g_autofree char *message = g_strdup_printf (_("The edits could not be recovered: %s"), error->message);
          _cxr_window_toast (self, message);
        }
      else
        {
          g_autofree char *message = g_strdup_printf (ngettext ("%u edit recovered", "%u edits recovered", n_edits),
                                                      n_edits);
          _cxr_window_toast (self, message);
        }
    }
  else if (g_str_equal (response, "discard"))
    {
      /* Edits of another version are kept aside (they fit no file now, but they are someone's work). */
      if (recovery == CXR_BBOX_RECOVERY_STALE)
        {
          g_autofree char *journal = cxr_bbox_store_dup_journal_path (store);
          g_autofree char *kept = g_strconcat (journal, "~", NULL);
          g_autoptr (GFile) from = g_file_new_for_path (journal);
          g_autoptr (GFile) to = g_file_new_for_path (kept);
          g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL);
        }
      if (!cxr_bbox_store_discard_recovery (store, &error))
        _cxr_window_toast (self, error->message);
    }
  update_read_only (self);
  _cxr_window_actions_update (self);
  _cxr_window_update_title (self);
  schedule_autosave (self);
}

static void
ask_recovery (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (store == NULL || self->box_dialog != NULL)
    return;
  guint n_edits = 0;
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, &n_edits);
  if (recovery != CXR_BBOX_RECOVERY_PENDING && recovery != CXR_BBOX_RECOVERY_STALE)
    return;
  g_autofree char *name = file_name_of (store);
  g_autofree char *journal_path = cxr_bbox_store_dup_journal_path (store);
  g_autofree char *journal = g_path_get_basename (journal_path);
  GtkWidget *dialog;
  if (recovery == CXR_BBOX_RECOVERY_PENDING)
    {
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Recover Unsaved Edits?"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      ngettext ("The boxes of “%s” have %u edit from a session that ended without "
                                                "saving it. Recover it to go on where that session stopped, or "
                                                "discard it to keep the file as it is.",
                                                "The boxes of “%s” have %u edits from a session that ended without "
                                                "saving them. Recover them to go on where that session stopped, or "
                                                "discard them to keep the file as it is.", n_edits),
                                      name, n_edits);
      g_autofree char *recover = g_strdup_printf (ngettext ("_Recover (%u Edit)", "_Recover (%u Edits)", n_edits),
                                                  n_edits);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "later", _("_Not Now"), "discard",
                                        _("_Discard"), "recover", recover, NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "recover", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "recover");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
    }
  else
    {
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Unsaved Edits Cannot Be Recovered"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      _("“%s” holds %u unsaved edits that were made to another version of “%s”. "
                                        "The file has changed since, so they no longer fit it and can only be "
                                        "discarded. A copy of them is kept as “%s~”."),
                                      journal, n_edits, name, journal);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "discard", _("_Discard Them"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "discard");
    }
  g_signal_connect (dialog, "response", G_CALLBACK (on_recovery_response), self);
  self->box_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- read-only ------------------------------------------------------------------------------------------- */

static void
update_read_only (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (store == NULL)
    {
      show_banner (self, BANNER_NONE, NULL);
      return;
    }
  g_autofree char *name = file_name_of (store);
  guint n_edits = 0;
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, &n_edits);
  if (recovery == CXR_BBOX_RECOVERY_IN_USE)
    {
      g_autofree char *text = g_strdup_printf (_("Another program is editing “%s”: its boxes are read-only here."),
                                               name);
      show_banner (self, BANNER_READ_ONLY, text);
      return;
    }
  g_autoptr (GError) error = NULL;
  if (!cxr_bbox_store_check_writable (store, &error))
    {
      cxr_bbox_store_set_read_only (store, error->message);
      /* Translators: the reason comes first, e.g. "/data/BB.csv is read-only" */
      g_autofree char *text = g_strdup_printf (_("%s. The boxes cannot be edited here."), error->message);
      show_banner (self, BANNER_READ_ONLY, text);
      return;
    }
  cxr_bbox_store_set_read_only (store, NULL);
  if (recovery == CXR_BBOX_RECOVERY_PENDING || recovery == CXR_BBOX_RECOVERY_STALE)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u unsaved edit of an earlier session waits: the boxes "
                                                         "cannot be edited until it is recovered or discarded.",
                                                         "%u unsaved edits of an earlier session wait: the boxes "
                                                         "cannot be edited until they are recovered or discarded.",
                                                         n_edits), n_edits);
      show_banner (self, BANNER_RECOVERY, text);
      return;
    }
  show_banner (self, BANNER_NONE, NULL);
}

/* ---- BB.csv changed on disk ------------------------------------------------------------------------------ */

static void
reload_boxes (CxrWindow *self)
{
  g_autoptr (GError) error = NULL;
  if (!cxr_dataset_reload_boxes (self->dataset, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The changed box file could not be read: %s"), error->message);
      _cxr_window_toast (self, message);
    }
  self->box_conflict = FALSE;
  _cxr_window_boxes_attach_store (self);   /* the editor, the title and the actions follow the new store */
  _cxr_window_save_store_changed (self);
  if (self->list_model != NULL)
    cxr_image_list_model_boxes_changed (self->list_model, G_MAXUINT);
  cxr_current_image_reload_boxes (self->current);
}

/* BB.csv -> BB-mine-20261203-041800.csv beside it. */
static char *
mine_path_for (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("%s-mine-%s.csv", base, stamp);
  return g_build_filename (dir, name, NULL);
}

gboolean
_cxr_window_save_reload_keeping_mine (CxrWindow *self, char **kept_path, GError **error)
{
  CxrBBoxStore *store = store_of (self);
  g_return_val_if_fail (store != NULL, FALSE);
  g_autofree char *mine = NULL;
  if (cxr_bbox_store_is_dirty (store))
    {
      mine = mine_path_for (cxr_bbox_store_get_path (store));
      g_autoptr (GBytes) bytes = cxr_bbox_store_serialize (store);
      gsize length;
      const char *data = g_bytes_get_data (bytes, &length);
      if (!cxr_atomic_file_set_contents (mine, data, length, error))
        return FALSE;   /* nothing was dropped */
    }
  reload_boxes (self);
  if (kept_path != NULL)
    *kept_path = g_steal_pointer (&mine);
  return TRUE;
}

gboolean
_cxr_window_save_boxes_as (CxrWindow *self, const char *path, GError **error)
{
  CxrBBoxStore *store = store_of (self);
  g_return_val_if_fail (store != NULL, FALSE);
  if (!cxr_bbox_store_save_as (store, path, error))
    return FALSE;
  self->box_conflict = FALSE;
  watch_store (self);   /* the store's file is the new one now */
  _cxr_window_update_title (self);
  return TRUE;
}

static void
on_save_as_chosen (GtkNativeDialog *chooser, int response, CxrWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr (GError) error = NULL;
      if (path != NULL && !_cxr_window_save_boxes_as (self, path, &error))
        {
          g_autofree char *message = g_strdup_printf (_("The boxes could not be saved: %s"), error->message);
          _cxr_window_toast (self, message);
        }
      else if (path != NULL)
        {
          g_autofree char *name = g_path_get_basename (path);
          g_autofree char *message = g_strdup_printf (_("Your boxes were saved as “%s”"), name);
          _cxr_window_toast (self, message);
        }
    }
  else
    _cxr_window_toast (self, _("Your edits are not saved yet: the box file on disk is another program’s version"));
  g_object_unref (chooser);
}

void
_cxr_window_save_choose_save_as (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (store == NULL)
    return;
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Save the Boxes As"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                               _("_Cancel"));
  g_autofree char *dir = g_path_get_dirname (cxr_bbox_store_get_path (store));
  g_autoptr (GFile) folder = g_file_new_for_path (dir);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_autofree char *mine = mine_path_for (cxr_bbox_store_get_path (store));
  g_autofree char *suggested = g_path_get_basename (mine);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_as_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_disk_choice (AdwMessageDialog *dialog, const char *response, CxrWindow *self)
{
  self->box_dialog = NULL;
  if (g_str_equal (response, "reload"))
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *kept = NULL;
      if (!_cxr_window_save_reload_keeping_mine (self, &kept, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Not reloaded: your edits could not be kept aside: %s"),
                                                      error->message);
          _cxr_window_toast (self, message);
          return;
        }
      if (kept != NULL)
        {
          g_autofree char *name = g_path_get_basename (kept);
          g_autofree char *message = g_strdup_printf (_("Reloaded. Your edits are kept in “%s”"), name);
          _cxr_window_toast (self, message);
        }
    }
  else
    _cxr_window_save_choose_save_as (self);
}

static void
offer_disk_choice (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (store == NULL || self->box_dialog != NULL)
    return;
  self->box_conflict = TRUE;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  g_autofree char *name = file_name_of (store);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The Box File Changed on Disk"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Another program changed “%s” while you have unsaved edits of its boxes here. "
                                    "Reload it to see the new version (your edits are written to a file of their "
                                    "own first), or keep your version and save it under another name."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "reload", _("_Reload"), "keep",
                                    _("_Keep Mine (Save As…)"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "keep", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect (dialog, "response", G_CALLBACK (on_disk_choice), self);
  self->box_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_cxr_window_save_check_disk (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (store == NULL || !cxr_bbox_store_has_changed_on_disk (store))
    return;
  if (!cxr_bbox_store_is_dirty (store))
    {
      reload_boxes (self);
      g_autofree char *name = file_name_of (store_of (self));
      g_autofree char *message = g_strdup_printf (_("“%s” changed on disk and was read again"), name);
      _cxr_window_toast (self, message);
      return;
    }
  offer_disk_choice (self);
}

static gboolean
disk_change_settled (gpointer user_data)
{
  CxrWindow *self = user_data;
  self->box_monitor_source = 0;
  _cxr_window_save_check_disk (self);
  return G_SOURCE_REMOVE;
}

static void
on_file_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, CxrWindow *self)
{
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    {
      update_read_only (self);   /* chmod: writable or read-only now */
      return;
    }
  g_clear_handle_id (&self->box_monitor_source, g_source_remove);
  self->box_monitor_source = g_timeout_add (DISK_CHANGE_SETTLE_MS, disk_change_settled, self);
}

/* ---- following the dataset's store ----------------------------------------------------------------------- */

static void
unwatch (CxrWindow *self)
{
  if (self->box_watched != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->box_watched, on_store_changed, self);
      g_clear_object (&self->box_watched);
    }
  if (self->box_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->box_monitor, on_file_changed, self);
      g_file_monitor_cancel (self->box_monitor);
      g_clear_object (&self->box_monitor);
    }
  g_clear_handle_id (&self->box_monitor_source, g_source_remove);
  g_clear_handle_id (&self->autosave_source, g_source_remove);
}

static void
watch_store (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  unwatch (self);
  if (store == NULL)
    return;
  self->box_watched = g_object_ref (store);
  g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  g_autoptr (GFile) file = g_file_new_for_path (cxr_bbox_store_get_path (store));
  self->box_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->box_monitor != NULL)
    g_signal_connect (self->box_monitor, "changed", G_CALLBACK (on_file_changed), self);
}

void
_cxr_window_save_store_changed (CxrWindow *self)
{
  CxrBBoxStore *store = store_of (self);
  if (store == self->box_watched)
    return;
  gboolean new_dataset = self->box_watched_dataset != self->dataset;
  self->box_watched_dataset = self->dataset;
  if (new_dataset && self->box_dialog != NULL)
    {
      /* A question about the last dataset's boxes means nothing now. */
      gtk_window_destroy (GTK_WINDOW (self->box_dialog));
      self->box_dialog = NULL;
    }
  self->box_conflict = FALSE;
  self->box_close_decided = FALSE;
  watch_store (self);
  update_read_only (self);
  if (store != NULL && new_dataset)
    ask_recovery (self);
  _cxr_window_actions_update (self);
}

/* ---- export ---------------------------------------------------------------------------------------------- */

static void
on_export_details (AdwToast *toast, CxrWindow *self)
{
  const char *details = g_object_get_data (G_OBJECT (toast), "details");
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Left Out of the Export"), details);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
_cxr_window_export_boxes_to (CxrWindow *self, CxrBBoxExportFormat format, const char *folder, GError **error)
{
  g_auto (CxrBBoxExportReport) report = { 0 };
  if (self->dataset == NULL || !cxr_bbox_export_dataset (self->dataset, format, folder, &report, error))
    return self->dataset == NULL;
  g_autofree char *boxes = g_strdup_printf (ngettext ("%u box", "%u boxes", report.n_boxes), report.n_boxes);
  /* Translators: "Exported 984 boxes of 880 images" */
  g_autofree char *message = g_strdup_printf (ngettext ("Exported %s of %u image", "Exported %s of %u images",
                                                        report.n_images), boxes, report.n_images);
  AdwToast *toast;
  if (report.skipped->len > 0)
    {
      g_autofree char *longer = g_strdup_printf (ngettext ("%s; %u left out", "%s; %u left out", report.skipped->len),
                                                 message, report.skipped->len);
      toast = adw_toast_new (longer);
      g_ptr_array_add (report.skipped, NULL);
      g_autofree char *details = g_strjoinv ("\n", (char **) report.skipped->pdata);
      g_object_set_data_full (G_OBJECT (toast), "details", g_steal_pointer (&details), g_free);
      adw_toast_set_button_label (toast, _("_Details"));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_export_details), self, 0);
    }
  else
    toast = adw_toast_new (message);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  return TRUE;
}

static void
on_export_folder_chosen (GtkNativeDialog *chooser, int response, CxrWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      CxrBBoxExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "format"));
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr (GError) error = NULL;
      if (path != NULL && !_cxr_window_export_boxes_to (self, format, path, &error))
        {
          g_autofree char *message = g_strdup_printf (_("The boxes could not be exported: %s"), error->message);
          _cxr_window_toast (self, message);
        }
    }
  g_object_unref (chooser);
}

static void
export_boxes_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  CxrBBoxExportFormat format;
  if (self->dataset == NULL || !cxr_bbox_export_format_from_name (g_variant_get_string (parameter, NULL), &format))
    return;
  static const char *const titles[] = { N_("Export the Boxes as Pascal VOC XML"), N_("Export the Boxes as COCO JSON"),
                                        N_("Export the Boxes as YOLO Text") };
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_(titles[format]), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                               _("_Export"), _("_Cancel"));
  g_autoptr (GFile) folder = g_file_new_for_path (cxr_dataset_get_folder (self->dataset));
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_object_set_data (G_OBJECT (chooser), "format", GINT_TO_POINTER (format));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_boxes_as_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  _cxr_window_save_choose_save_as (CXR_WINDOW (user_data));
}

static const GActionEntry save_actions[] = {
  { .name = "export-boxes", .activate = export_boxes_activated, .parameter_type = "s" },
  { .name = "save-boxes-as", .activate = save_boxes_as_activated },
};

/* ---- setup ----------------------------------------------------------------------------------------------- */

void
_cxr_window_save_update_actions (CxrWindow *self)
{
  GAction *export = g_action_map_lookup_action (G_ACTION_MAP (self), "export-boxes");
  if (export == NULL)
    return;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (export), self->dataset != NULL);
  GAction *save_as = g_action_map_lookup_action (G_ACTION_MAP (self), "save-boxes-as");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (save_as), store_of (self) != NULL);
}

static void
on_content_changed (CxrPaneContent *content, guint parts, CxrWindow *self)
{
  /* Whether a box can be edited depends on the image's size, known once its pixels are shown. */
  if (parts & CXR_PANE_PART_IMAGE)
    _cxr_window_actions_update (self);
}

void
_cxr_window_save_init (CxrWindow *self)
{
  g_signal_connect (self->content, "changed", G_CALLBACK (on_content_changed), self);
  g_action_map_add_action_entries (G_ACTION_MAP (self), save_actions, G_N_ELEMENTS (save_actions), self);
  g_autoptr (GAction) autosave = g_settings_create_action (self->settings, "autosave-boxes");
  g_action_map_add_action (G_ACTION_MAP (self), autosave);
  g_signal_connect (self->settings, "changed::autosave-boxes", G_CALLBACK (on_autosave_setting), self);

  /* The banner goes above the panes, in the box that holds the header bar and the stack. */
  GtkWidget *bar = gtk_info_bar_new ();
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_info_bar_add_child (GTK_INFO_BAR (bar), label);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Recover or Discard…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (on_banner_button), self);
  gtk_info_bar_add_action_widget (GTK_INFO_BAR (bar), button, GTK_RESPONSE_NONE);
  gtk_info_bar_set_revealed (GTK_INFO_BAR (bar), FALSE);
  gtk_widget_add_css_class (bar, "box-banner");
  GtkWidget *stack = GTK_WIDGET (self->stack);
  GtkWidget *parent = gtk_widget_get_parent (stack);
  g_return_if_fail (GTK_IS_BOX (parent));
  gtk_box_insert_child_after (GTK_BOX (parent), bar, gtk_widget_get_prev_sibling (stack));
  self->box_banner = bar;
  self->box_banner_label = GTK_LABEL (label);
  self->box_banner_button = button;
}

void
_cxr_window_save_dispose (CxrWindow *self)
{
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_func (self->settings, on_autosave_setting, self);
  /* The settings action listens to the settings, which outlive the window: it goes with the window. */
  g_action_map_remove_action (G_ACTION_MAP (self), "autosave-boxes");
  if (self->content != NULL)
    g_signal_handlers_disconnect_by_func (self->content, on_content_changed, self);
  unwatch (self);
  self->box_watched_dataset = NULL;
}
