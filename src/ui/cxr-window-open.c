/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-open.c: choosing and opening datasets and models, and the recent datasets menu.
 *
 * A dataset is indexed on a worker (the full NIH table takes a few hundred milliseconds) and handed to the main
 * thread, which owns it from then on; a model loads on the engine thread. Failures are in-window messages.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

#define MAX_RECENT_DATASETS 8

/* ---- recent datasets ------------------------------------------------------ */

void
_cxr_window_update_recent_menu (CxrWindow *self)
{
  g_auto (GStrv) recent = g_settings_get_strv (self->settings, "recent-datasets");

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (recent[i]);
      g_autoptr (GMenuItem) item = g_menu_item_new (name, NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (recent[i]));
      g_menu_append_item (self->recent_menu, item);
    }
}

static void
remember_dataset (CxrWindow *self, const char *folder)
{
  g_auto (GStrv) recent = g_settings_get_strv (self->settings, "recent-datasets");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 1;

  g_strv_builder_add (builder, folder);
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT_DATASETS; i++)
    if (g_strcmp0 (recent[i], folder) != 0)
      {
        g_strv_builder_add (builder, recent[i]);
        n++;
      }
  g_auto (GStrv) updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-datasets", (const char *const *) updated);
  g_settings_set_string (self->settings, "last-dataset", folder);
  _cxr_window_update_recent_menu (self);
}

/* ---- datasets ------------------------------------------------------------- */

typedef struct {
  char *folder;
  gboolean announce;   /* the user chose it just now: say what was found */
} OpenRequest;

static void
open_request_free (OpenRequest *request)
{
  g_free (request->folder);
  g_free (request);
}


typedef struct {
  CxrDataset *dataset;
  CxrReview *review;
  char *review_error;   /* the review sidecar could not be read: the dataset opens without review flags */
} OpenedDataset;

static void
opened_dataset_free (OpenedDataset *opened)
{
  g_clear_object (&opened->dataset);
  g_clear_object (&opened->review);
  g_free (opened->review_error);
  g_free (opened);
}

static void
open_dataset_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  const char *folder = ((OpenRequest *) task_data)->folder;
  GError *error = NULL;

  CxrDataset *dataset = cxr_dataset_open (folder, CXR_DATASET_OPEN_DEFAULT, &error);
  if (dataset == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  OpenedDataset *opened = g_new0 (OpenedDataset, 1);
  opened->dataset = dataset;
  g_autofree char *review_path = cxr_dataset_dup_review_path (dataset);
  if (review_path != NULL)
    {
      opened->review = cxr_review_open (review_path, &error);
      if (opened->review == NULL)
        {
          opened->review_error = g_strdup (error->message);
          g_clear_error (&error);
        }
    }
  g_task_return_pointer (task, opened, (GDestroyNotify) opened_dataset_free);
}

void
_cxr_window_show_report (CxrWindow *self)
{
  if (self->dataset == NULL)
    return;

  const CxrDatasetReport *report = cxr_dataset_get_report (self->dataset);
  g_autoptr (GString) body = g_string_new (NULL);
  g_string_append_printf (body, ngettext ("%u image", "%u images", report->n_images), report->n_images);
  g_string_append (body, "\n");
  g_string_append_printf (body, ngettext ("%u labelled row", "%u labelled rows", report->n_label_rows),
                          report->n_label_rows);
  g_string_append (body, "\n");
  g_string_append_printf (body, ngettext ("%u box, %u of them on images that are here",
                                          "%u boxes, %u of them on images that are here", report->n_boxes),
                          report->n_boxes, report->n_boxes_with_image);
  for (guint i = 0; report->unknown_labels && i < report->unknown_labels->len; i++)
    {
      g_string_append (body, "\n");
      g_string_append_printf (body, _("Unknown label: %s"), (const char *) g_ptr_array_index (report->unknown_labels, i));
    }
  for (guint i = 0; report->notes && i < report->notes->len; i++)
    {
      g_string_append (body, "\n");
      g_string_append (body, g_ptr_array_index (report->notes, i));
    }

  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Dataset Report"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_report_button (AdwToast *toast, CxrWindow *self)
{
  _cxr_window_show_report (self);
}

static void
on_dataset_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CxrWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  OpenedDataset *opened = g_task_propagate_pointer (G_TASK (result), &error);
  OpenRequest *request = g_task_get_task_data (G_TASK (result));

  _cxr_window_busy_pop (self);
  if (opened == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Open Dataset"), error->message);
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      return;
    }

  _cxr_window_set_dataset (self, opened->dataset, opened->review);
  remember_dataset (self, request->folder);

  if (opened->review_error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Review flags not loaded: %s"), opened->review_error);
      _cxr_window_toast (self, message);
    }
  if (!request->announce)
    {
      opened_dataset_free (opened);
      return;
    }

  const CxrDatasetReport *report = cxr_dataset_get_report (opened->dataset);
  g_autofree char *images = g_strdup_printf (ngettext ("%u image", "%u images", report->n_images), report->n_images);
  g_autofree char *summary = g_strdup_printf (ngettext ("%s, %u with boxes", "%s, %u with boxes",
                                                        report->n_box_images_with_image),
                                              images, report->n_box_images_with_image);
  AdwToast *toast = adw_toast_new (summary);
  adw_toast_set_button_label (toast, _("_Details"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_report_button), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  opened_dataset_free (opened);
}

static void
open_dataset (CxrWindow *self, GFile *folder, gboolean announce)
{

  g_autofree char *path = g_file_get_path (folder);
  if (path == NULL)
    {
      _cxr_window_toast (self, _("Only local folders can be opened"));
      return;
    }

  /* A newer request wins over one still being indexed. */
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  self->open_cancellable = g_cancellable_new ();

  OpenRequest *request = g_new0 (OpenRequest, 1);
  request->folder = g_steal_pointer (&path);
  request->announce = announce;

  _cxr_window_busy_push (self);
  g_autoptr (GTask) task = g_task_new (NULL, self->open_cancellable, on_dataset_opened, g_object_ref (self));
  g_task_set_task_data (task, request, (GDestroyNotify) open_request_free);
  g_task_run_in_thread (task, open_dataset_in_thread);
}

static void
open_dataset_quietly (CxrWindow *self, gpointer folder)
{
  open_dataset (self, folder, FALSE);
}

/* Unsaved box edits are saved or discarded first (the user is asked). */
void
cxr_window_open_dataset (CxrWindow *self, GFile *folder)
{
  g_return_if_fail (CXR_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  _cxr_window_save_then (self, open_dataset_quietly, g_object_ref (folder), g_object_unref);
}

static void
open_dataset_now (CxrWindow *self, gpointer folder)
{
  open_dataset (self, folder, TRUE);
}

static void
stop_work_then_open (CxrWindow *self, gpointer folder)
{
  _cxr_window_stop_work_then (self, _("Stop and _Open"), open_dataset_now, g_object_ref (folder), g_object_unref);
}

/* Unsaved box edits: save or discard them first; a run or an export is going: ask, and open once it stopped. */
void
_cxr_window_open_dataset_interactive (CxrWindow *self, GFile *folder)
{
  _cxr_window_save_then (self, stop_work_then_open, g_object_ref (folder), g_object_unref);
}

static void
on_dataset_chosen (GtkNativeDialog *dialog, int response, CxrWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      _cxr_window_open_dataset_interactive (self, folder);
    }
  g_object_unref (dialog);
}

void
_cxr_window_choose_dataset (CxrWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open Dataset"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_dataset_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- models --------------------------------------------------------------- */

typedef struct {
  CxrWindow *self;     /* a reference */
  gboolean announce;
} LoadRequest;

static void
on_model_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoadRequest *request = user_data;
  g_autoptr (CxrWindow) self = request->self;
  gboolean announce = request->announce;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_engine_load_model_finish (CXR_ENGINE (source), result, &error);

  _cxr_window_busy_pop (self);
  if (model == NULL)
    {
      g_free (request);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Open Model"), error->message);
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      return;
    }

  g_free (request);
  g_settings_set_string (self->settings, "last-model", cxr_model_get_path (model));
  _cxr_window_model_changed (self, model);
  if (!announce)
    return;
  g_autofree char *description = cxr_model_describe (model);
  g_autofree char *message = g_strdup_printf (_("Model loaded: %s"), description);
  _cxr_window_toast (self, message);
}

static void
open_model (CxrWindow *self, GFile *file, gboolean announce)
{

  g_autofree char *path = g_file_get_path (file);
  if (path == NULL)
    {
      _cxr_window_toast (self, _("Only local files can be opened"));
      return;
    }
  LoadRequest *request = g_new0 (LoadRequest, 1);
  request->self = g_object_ref (self);
  request->announce = announce;
  _cxr_window_busy_push (self);
  cxr_engine_load_model_async (self->engine, path, NULL, NULL, on_model_loaded, request);
}

void
cxr_window_open_model (CxrWindow *self, GFile *file)
{
  g_return_if_fail (CXR_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  open_model (self, file, FALSE);
}

static void
on_model_chosen (GtkNativeDialog *dialog, int response, CxrWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      open_model (self, file, TRUE);
    }
  g_object_unref (dialog);
}

void
_cxr_window_choose_model (CxrWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open Model"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                                               _("_Open"), _("_Cancel"));
  g_autoptr (GtkFileFilter) weights = gtk_file_filter_new ();
  gtk_file_filter_set_name (weights, _("PyTorch and safetensors weights"));
  gtk_file_filter_add_suffix (weights, "pth");
  gtk_file_filter_add_suffix (weights, "pt");
  gtk_file_filter_add_suffix (weights, "safetensors");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), weights);
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_model_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_cxr_window_open_init (CxrWindow *self)
{
  _cxr_window_update_recent_menu (self);
}
