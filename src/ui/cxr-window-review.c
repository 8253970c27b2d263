/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-review.c: the reader's review in the window: verdicts (Y agree, N disagree, U unsure), the Reviewed
 * toggle (Space), notes, the progress over the dataset, the next and previous image not yet reviewed (Shift+D,
 * Shift+A), and the review as CSV. The sidecar itself is written by cxr-window.c, a second after the last change. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-atomic-file.h"
#include "cxr-finding-names.h"
#include "cxr-window-private.h"

static const char *
current_name (CxrWindow *self, guint *index)
{
  *index = cxr_current_image_get_index (self->current);
  if (self->dataset == NULL || self->review == NULL || *index == G_MAXUINT)
    return NULL;
  return cxr_dataset_get_entry (self->dataset, *index)->name;
}

/* Of the images in the folder: Data_Entry may list thousands more than the folder holds. */
static guint
count_reviewed (CxrWindow *self, guint *n_images)
{
  g_autoptr (GArray) images = cxr_image_list_model_dup_images (self->list_model);
  guint n = 0;
  for (guint i = 0; i < images->len; i++)
    {
      const CxrDatasetEntry *image = cxr_dataset_get_entry (self->dataset, g_array_index (images, guint, i));
      CxrReviewEntry entry;
      n += cxr_review_lookup (self->review, image->name, &entry) && entry.reviewed;
    }
  *n_images = images->len;
  return n;
}

void
_cxr_window_review_update (CxrWindow *self)
{
  guint index;
  const char *name = current_name (self, &index);
  if (name == NULL)
    cxr_review_panel_show_entry (self->review_panel, NULL);
  else
    {
      CxrReviewEntry entry;
      cxr_review_lookup (self->review, name, &entry);
      cxr_review_panel_show_entry (self->review_panel, &entry);
    }
  if (self->list_model != NULL && self->review != NULL)
    {
      guint n_images, n_reviewed = count_reviewed (self, &n_images);
      cxr_review_panel_set_progress (self->review_panel, n_reviewed, n_images);
    }
  else
    cxr_review_panel_set_progress (self->review_panel, 0, 0);
}

static void
set_verdict (CxrWindow *self, CxrVerdict verdict)
{
  guint index;
  const char *name = current_name (self, &index);
  if (name == NULL)
    return;
  cxr_review_set_verdict (self->review, name, verdict);
  _cxr_window_review_touched (self, index);
}

static void
on_verdict_chosen (CxrReviewPanel *panel, int verdict, CxrWindow *self)
{
  set_verdict (self, (CxrVerdict) verdict);
}

static void
on_reviewed_toggled (CxrReviewPanel *panel, gboolean reviewed, CxrWindow *self)
{
  guint index;
  const char *name = current_name (self, &index);
  if (name == NULL)
    return;
  cxr_review_set_reviewed (self->review, name, reviewed);
  _cxr_window_review_touched (self, index);
}

static void
on_note_changed (CxrReviewPanel *panel, const char *note, CxrWindow *self)
{
  guint index;
  const char *name = current_name (self, &index);
  if (name == NULL)
    return;
  cxr_review_set_note (self->review, name, note);
  _cxr_window_review_touched (self, index);
}

/* ---- actions ------------------------------------------------------------------ */

static void
verdict_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrVerdict verdict;
  if (!cxr_verdict_from_id (g_variant_get_string (parameter, NULL), &verdict))
    verdict = CXR_VERDICT_NONE;
  set_verdict (CXR_WINDOW (user_data), verdict);
}

/* Moves to the nearest listed image, after (+1) or before (-1) the one on screen and round the end, that nobody
 * has marked reviewed. */
static void
go_to_unreviewed (CxrWindow *self, int direction)
{
  if (self->list_model == NULL || self->review == NULL)
    return;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list_model));
  guint here = cxr_image_list_model_find_entry (self->list_model, cxr_current_image_get_index (self->current));
  gint64 start = here == G_MAXUINT ? (direction > 0 ? -1 : (gint64) n) : (gint64) here;
  for (guint step = 1; step <= n; step++)
    {
      guint position = (guint) ((start + direction * (gint64) step + 2 * (gint64) n) % n);
      guint index = cxr_image_list_model_get_entry (self->list_model, position);
      CxrReviewEntry entry;
      if (cxr_review_lookup (self->review, cxr_dataset_get_entry (self->dataset, index)->name, &entry)
          && entry.reviewed)
        continue;
      if (index != cxr_current_image_get_index (self->current))
        cxr_image_list_select_index (self->image_list, index);
      return;
    }
  _cxr_window_toast (self, _("Every image in the list is reviewed"));
}

static void
next_unreviewed_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  go_to_unreviewed (CXR_WINDOW (user_data), +1);
}

static void
previous_unreviewed_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  go_to_unreviewed (CXR_WINDOW (user_data), -1);
}

static void
focus_list_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_image_list_focus_rows (CXR_WINDOW (user_data)->image_list);
}

static void
focus_note_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  g_settings_set_boolean (self->settings, "show-controls", TRUE);
  cxr_review_panel_focus_note (self->review_panel);
}

/* Every image of the dataset, in the dataset's order, with what the model said when it has said it. */
gboolean
_cxr_window_write_review_csv (CxrWindow *self, const char *path, GError **error)
{
  g_autoptr (GString) csv = g_string_new (CXR_REVIEW_CSV_HEADER);
  g_autoptr (GArray) images = cxr_image_list_model_dup_images (self->list_model);
  for (guint k = 0; k < images->len; k++)
    {
      guint i = g_array_index (images, guint, k);
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, i);
      const CxrImageResult *result = self->results ? cxr_results_lookup (self->results, i) : NULL;
      double probability = result != NULL && (result->flags & CXR_RESULT_PREDICTED) ? result->probability : NAN;
      g_autofree char *labels = cxr_finding_format_list (entry->findings);
      cxr_review_csv_append_row (self->review, csv, entry->name, labels, probability);
    }
  return cxr_atomic_file_set_contents (path, csv->str, csv->len, error);
}

static void
on_review_csv_chosen (GtkNativeDialog *dialog, int response, CxrWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->review != NULL)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr (GError) error = NULL;
      if (path != NULL && _cxr_window_write_review_csv (self, path, &error))
        {
          g_autofree char *name = g_path_get_basename (path);
          /* Translators: %s is the file name */
          g_autofree char *message = g_strdup_printf (_("Review saved as “%s”"), name);
          _cxr_window_toast (self, message);
        }
      else if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Could not export the review: %s"), error->message);
          _cxr_window_toast (self, message);
        }
    }
  g_object_unref (dialog);
}

static void
export_review_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Export the Review"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "cxrcam-review.csv");
  if (self->dataset != NULL)
    {
      g_autoptr (GFile) folder = g_file_new_for_path (cxr_dataset_get_folder (self->dataset));
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_review_csv_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const GActionEntry review_actions[] = {
  { .name = "verdict", .parameter_type = "s", .activate = verdict_activated },
  { .name = "next-unreviewed", .activate = next_unreviewed_activated },
  { .name = "previous-unreviewed", .activate = previous_unreviewed_activated },
  { .name = "focus-list", .activate = focus_list_activated },
  { .name = "focus-note", .activate = focus_note_activated },
  { .name = "export-review", .activate = export_review_activated },
};

void
_cxr_window_review_init (CxrWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), review_actions, G_N_ELEMENTS (review_actions), self);
  g_signal_connect (self->review_panel, "verdict-chosen", G_CALLBACK (on_verdict_chosen), self);
  g_signal_connect (self->review_panel, "reviewed-toggled", G_CALLBACK (on_reviewed_toggled), self);
  g_signal_connect (self->review_panel, "note-changed", G_CALLBACK (on_note_changed), self);
}
