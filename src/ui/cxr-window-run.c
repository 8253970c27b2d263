/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-run.c: "run on all", the summary and the export.
 *
 * A run sends the filtered list through the engine's batch Grad-CAM job. Each result fills the results table as it
 * arrives (the list rows follow), images with ground truth of the explained class are kept as feature-resolution
 * records (cxr-localisation.h), and an export hands each result to the core's exporter (cxr-cam-export.h), which
 * cuts it and writes its pictures on a writer thread. Scoring the records again after a threshold change, and the
 * summary's sweep, run on a worker.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-cam-boxes.h"
#include "cxr-cam-export.h"
#include "cxr-engine-cam.h"
#include "cxr-summary-dialog.h"
#include "cxr-window-private.h"

/* A threshold that stops moving for this long re-scores the run. */
#define RESCORE_DELAY_MS 200

typedef struct {
  CxrWindow *self;                 /* a weak pointer: the run is cancelled when the window goes */
  GCancellable *cancellable;       /* the run's: reports still queued after a cancel are dropped */
  GArray *indices;                 /* guint entry index per request position */
  CxrLocalisations *localisations; /* a reference */
  CxrCamExporter *exporter;        /* owned until the run ends; NULL for a plain run */
  CxrCamWorkspace *workspace;
} RunState;

static void
run_state_free (RunState *state)
{
  if (state->self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (state->self), (gpointer *) &state->self);
  g_array_unref (state->indices);
  g_clear_object (&state->cancellable);
  g_clear_pointer (&state->localisations, cxr_localisations_unref);
  g_clear_pointer (&state->exporter, cxr_cam_exporter_free);
  cxr_cam_workspace_free (state->workspace);
  g_free (state);
}

/* A run (or an export, until its last file is written) is going. */
gboolean
_cxr_window_is_running (CxrWindow *self)
{
  return self->run_cancellable != NULL;
}

/* One bar for the whole job: for an export, analysing and writing each count half, since an export is done only
 * when its last file is written (the writing once went on for a minute after "Done"). */
static void
update_progress (CxrWindow *self)
{
  guint done = self->run_done, total = self->run_total;
  g_autofree char *text = NULL;
  double fraction;

  if (self->run_cancellable != NULL && g_cancellable_is_cancelled (self->run_cancellable))
    {
      gtk_label_set_label (self->progress_label, _("Stopping after the file being written…"));
      return;
    }
  if (self->run_is_export)
    {
      guint written = self->exporter != NULL ? cxr_cam_exporter_get_n_done (self->exporter) : 0;
      /* Translators: progress of an export: images analysed, images whose files are written, of all images */
      text = g_strdup_printf (_("Analysed %u and written %u of %u images…"), done, written, total);
      fraction = total ? (done + written) / (2.0 * total) : 0.0;
    }
  else
    {
      /* Translators: progress of "run on all": images done of all images */
      text = g_strdup_printf (_("Analysing %u of %u images…"), done, total);
      fraction = total ? (double) done / total : 0.0;
    }
  gtk_label_set_label (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static gboolean
poll_export_progress (gpointer data)
{
  update_progress (data);
  return G_SOURCE_CONTINUE;
}

static double
current_threshold (CxrWindow *self)
{
  return gtk_adjustment_get_value (cxr_cam_controls_get_threshold_adjustment (self->cam_controls));
}

static void
on_run_result (CxrCamResult *result, guint done, guint total, gpointer user_data)
{
  RunState *state = user_data;
  CxrWindow *self = state->self;

  /* After a cancel (another dataset or model, the window closing) the results table may already be another
   * dataset's: what was still queued belongs to nothing on screen. */
  if (self == NULL || self->results == NULL || g_cancellable_is_cancelled (state->cancellable))
    return;
  self->run_done = done;
  update_progress (self);

  guint index = g_array_index (state->indices, guint, result->index);
  if (result->error != NULL)
    {
      cxr_results_set_error (self->results, index, result->error->message);
      return;
    }

  float probability = result->probabilities[result->target_class];
  cxr_results_set_prediction (self->results, index, probability, probability >= 0.5f);

  g_autoptr (GArray) bboxes = cxr_dataset_get_boxes (self->dataset, index);
  g_autoptr (GArray) truth = cxr_cam_truth_rects (bboxes, result->target_name);
  /* Under a millisecond for a 1024 x 1024 CAM (docs/grad-cam.md): fine between two frames. An export cuts at the
   * threshold it was started with, which is the one on screen. */
  float threshold = (float) current_threshold (self);
  g_auto (CxrCamCut) cut = { NULL };
  if (state->exporter != NULL)
    {
      /* The reader's CTR, when one was measured, goes in the export's last column. */
      CxrCtr ctr;
      const char *name = cxr_dataset_get_entry (self->dataset, index)->name;
      double ratio = self->review != NULL && cxr_review_get_ctr (self->review, name, &ctr) ? cxr_ctr_ratio (&ctr) : NAN;
      cxr_cam_exporter_add_with_ctr (state->exporter, result, truth, &cut, ratio);
    }
  else if (truth->len > 0)
    cxr_cam_cut (&cut, state->workspace, result->cam, result->width, result->height, threshold, CXR_BOX_MODE_LARGEST,
                 (const CxrRect *) truth->data, truth->len, NULL);
  if (truth->len > 0)
    {
      cxr_results_set_localisation (self->results, index, (float) cut.score.iou, (float) cut.score.iobb, threshold);
      cxr_localisations_add (state->localisations, index, result, truth);
    }
}

/* The job is over (an export: its files are written): what waited for it goes on. */
static void
finish_run (CxrWindow *self)
{
  g_clear_object (&self->run_cancellable);
  g_clear_handle_id (&self->export_poll_source, g_source_remove);
  self->exporter = NULL;
  self->run_is_export = FALSE;
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  _cxr_window_busy_pop (self);
  _cxr_window_actions_update (self);

  CxrWindowThen then = self->after_stop;
  gpointer then_data = self->after_stop_data;
  GDestroyNotify then_free = self->after_stop_free;
  self->after_stop = NULL;
  self->after_stop_data = NULL;
  self->after_stop_free = NULL;
  if (then != NULL)
    then (self, then_data);
  if (then_free != NULL)
    then_free (then_data);
}

static void refresh_summary (CxrWindow *self);
static void run_state_done (RunState *state);

typedef struct {
  CxrWindow *self;   /* a reference */
  char *folder;
} ExportDone;

static void
on_export_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExportDone *done = user_data;
  CxrWindow *self = done->self;
  g_autoptr (GError) error = NULL;
  guint n_written = 0;
  gboolean cancelled = self->run_cancellable != NULL && g_cancellable_is_cancelled (self->run_cancellable);

  if (cxr_cam_exporter_finish_finish (result, &n_written, &error))
    {
      g_autofree char *name = g_path_get_basename (done->folder);
      g_autofree char *message = cancelled
        ? g_strdup_printf (ngettext ("Export stopped: %u image and bb_results.csv written to “%s”",
                                     "Export stopped: %u images and bb_results.csv written to “%s”",
                                     n_written), n_written, name)
        : g_strdup_printf (ngettext ("Exported %u image and bb_results.csv to “%s”",
                                     "Exported %u images and bb_results.csv to “%s”",
                                     n_written), n_written, name);
      _cxr_window_toast (self, message);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("Export failed: %s"), error->message);
      _cxr_window_toast (self, message);
    }
  /* Only now is the export over: the progress bar, the busy state and a waiting close or open end here. */
  if (self->run_is_export && self->run_cancellable != NULL && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      finish_run (self);
      refresh_summary (self);
    }
  g_object_unref (self);
  g_free (done->folder);
  g_free (done);
}

static void
on_run_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CxrWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  guint n_failed = 0;
  gboolean ok = cxr_engine_cam_batch_finish (CXR_ENGINE (source), result, &n_failed, &error);

  /* A cancelled run was finished by whoever cancelled it, and a newer run may be going by now. */
  if (g_task_get_cancellable (G_TASK (result)) != self->run_cancellable)
    return;

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _cxr_window_toast (self, error->message);
  /* An export goes on writing: its end is on_export_written. */
  if (self->run_is_export)
    return;
  if (ok)
    {
      guint total = self->run_total;
      g_autofree char *message = n_failed
        ? g_strdup_printf (ngettext ("Analysed %u of %u images; %u could not be read",
                                     "Analysed %u of %u images; %u could not be read", total),
                           total - n_failed, total, n_failed)
        : g_strdup_printf (ngettext ("Analysed %u image", "Analysed %u images", total), total);
      _cxr_window_toast (self, message);
    }
  finish_run (self);
  refresh_summary (self);
}

static void
start_run (CxrWindow *self, gboolean listed_only, const char *export_folder)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);

  if (self->list_model == NULL || model == NULL || _cxr_window_is_running (self))
    return;

  /* All images: every entry with an image file (Data_Entry may list thousands more than the folder holds). */
  g_autoptr (GArray) indices = listed_only ? cxr_image_list_model_dup_entries (self->list_model)
                                           : cxr_image_list_model_dup_images (self->list_model);
  if (indices->len == 0)
    {
      _cxr_window_toast (self, _("No images in the list"));
      return;
    }
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < indices->len; i++)
    g_ptr_array_add (paths, cxr_dataset_dup_image_path (self->dataset, g_array_index (indices, guint, i)));
  g_ptr_array_add (paths, NULL);

  const CxrModelCard *card = cxr_model_get_card (model);
  const char *class_name = card->class_names[card->positive_class];
  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  cxr_cam_controls_get_options (self->cam_controls, &options);

  /* A new run replaces what the last one kept. */
  _cxr_window_forget_run (self);
  self->localisations = cxr_localisations_new (class_name);
  self->run_cancellable = g_cancellable_new ();

  RunState *state = g_new0 (RunState, 1);
  state->self = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &state->self);
  state->indices = g_array_ref (indices);
  state->cancellable = g_object_ref (self->run_cancellable);
  state->localisations = cxr_localisations_ref (self->localisations);
  state->workspace = cxr_cam_workspace_new ();
  if (export_folder != NULL)
    {
      CxrViewState *view_state = cxr_compare_view_get_view_state (self->compare_view);
      CxrCamExportOptions export;
      cxr_cam_export_options_init (&export);
      export.folder = export_folder;
      export.label = class_name;
      export.threshold = (float) current_threshold (self);
      export.box_mode = CXR_BOX_MODE_LARGEST;
      export.opacity = (float) cxr_view_state_get_overlay_opacity (view_state);
      export.ctr_column = TRUE;
      g_autoptr (GError) error = NULL;
      state->exporter = cxr_cam_exporter_new (&export, self->run_cancellable, &error);
      if (state->exporter == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Export failed: %s"), error->message);
          _cxr_window_toast (self, message);
          g_clear_object (&self->run_cancellable);
          run_state_free (state);
          return;
        }
    }

  self->run_is_export = state->exporter != NULL;
  self->exporter = state->exporter;   /* borrowed, until on_export_written */
  self->run_done = 0;
  self->run_total = indices->len;
  if (self->run_is_export)
    self->export_poll_source = g_timeout_add (100, poll_export_progress, self);
  update_progress (self);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  _cxr_window_busy_push (self);
  _cxr_window_actions_update (self);

  cxr_engine_cam_batch_async (self->engine, (const char *const *) paths->pdata, &options, on_run_result, state,
                              (GDestroyNotify) run_state_done, self->run_cancellable, on_run_finished,
                              g_object_ref (self));
}

/* The run's state is freed after its last report, on the main thread; an export's files are finished there. */
static void
finish_export (RunState *state)
{
  if (state->exporter == NULL || state->self == NULL)
    return;
  ExportDone *done = g_new0 (ExportDone, 1);
  done->self = g_object_ref (state->self);
  done->folder = g_strdup (cxr_cam_exporter_get_folder (state->exporter));
  cxr_cam_exporter_finish_async (g_steal_pointer (&state->exporter), on_export_written, done);
}

static void
run_state_done (RunState *state)
{
  finish_export (state);
  run_state_free (state);
}

void
_cxr_window_run_all (CxrWindow *self)
{
  start_run (self, FALSE, NULL);
}

void
_cxr_window_run_listed (CxrWindow *self)
{
  start_run (self, TRUE, NULL);
}

void
_cxr_window_export_to (CxrWindow *self, const char *folder)
{
  start_run (self, TRUE, folder);
}

void
_cxr_window_cancel_run (CxrWindow *self)
{
  if (self->run_cancellable == NULL)
    return;
  g_cancellable_cancel (self->run_cancellable);
  /* An export ends when the file being written is whole (on_export_written); a plain run ends now. */
  if (self->run_is_export && self->exporter != NULL)
    update_progress (self);
  else
    finish_run (self);
}

/* ---- work that must stop first ------------------------------------------------ */

typedef struct {
  CxrWindow *self;   /* a reference */
  CxrWindowThen then;
  gpointer data;
  GDestroyNotify free;
} StopRequest;

static void
on_stop_answered (AdwMessageDialog *dialog, const char *response, StopRequest *request)
{
  CxrWindow *self = request->self;
  /* One answer per question. */
  g_signal_handlers_disconnect_by_data (dialog, request);
  if (g_str_equal (response, "stop") && _cxr_window_is_running (self))
    {
      if (self->after_stop_free != NULL)
        self->after_stop_free (self->after_stop_data);
      self->after_stop = request->then;
      self->after_stop_data = request->data;
      self->after_stop_free = request->free;
      request->free = NULL;
      _cxr_window_cancel_run (self);
    }
  else if (g_str_equal (response, "stop"))
    {
      request->then (self, request->data);
    }
  if (request->free != NULL)
    request->free (request->data);
  g_object_unref (self);
  g_free (request);
}

void
_cxr_window_stop_work_then (CxrWindow *self, const char *stop_label, CxrWindowThen then, gpointer data,
                            GDestroyNotify free_data)
{
  if (!_cxr_window_is_running (self))
    {
      then (self, data);
      if (free_data != NULL)
        free_data (data);
      return;
    }

  const char *heading = self->run_is_export ? _("Stop the Export?") : _("Stop the Run?");
  g_autofree char *body = self->run_is_export
    ? g_strdup_printf (_("%u of %u images are analysed and %u written. Stopping finishes the file being written, "
                         "so only whole files are left, and writes bb_results.csv for them."),
                       self->run_done, self->run_total,
                       self->exporter != NULL ? cxr_cam_exporter_get_n_done (self->exporter) : 0)
    : g_strdup_printf (_("%u of %u images are analysed. Their results are kept."), self->run_done, self->run_total);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog, "continue", _("_Keep Working"), "stop", stop_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "continue");
  adw_message_dialog_set_close_response (dialog, "continue");

  StopRequest *request = g_new0 (StopRequest, 1);
  request->self = g_object_ref (self);
  request->then = then;
  request->data = data;
  request->free = free_data;
  g_signal_connect (dialog, "response", G_CALLBACK (on_stop_answered), request);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_cxr_window_forget_run (CxrWindow *self)
{
  if (self->score_cancellable != NULL)
    g_cancellable_cancel (self->score_cancellable);
  g_clear_object (&self->score_cancellable);
  g_clear_handle_id (&self->rescore_source, g_source_remove);
  g_clear_pointer (&self->localisations, cxr_localisations_unref);
}

/* ---- scoring again ------------------------------------------------------------ */

static void
fill_summary (CxrWindow *self, const CxrLocalisationReport *report)
{
  CxrSummaryDialog *dialog = CXR_SUMMARY_DIALOG (self->summary_dialog);
  double iou_accuracy[CXR_CAM_N_IOU_THRESHOLDS], iobb_accuracy[CXR_CAM_N_IOBB_THRESHOLDS];
  double sweep_thresholds[CXR_CAM_N_SWEEP_THRESHOLDS], sweep_mean[CXR_CAM_N_SWEEP_THRESHOLDS];
  CxrSummaryData data = { 0 };

  data.n_images = self->results ? cxr_results_count (self->results, CXR_RESULT_PREDICTED) : 0;
  data.n_positive = self->results ? cxr_results_count_positive (self->results) : 0;
  data.threshold = current_threshold (self);
  data.mean_iou = NAN;
  data.positive_class = self->localisations ? cxr_localisations_get_class_name (self->localisations) : NULL;
  if (report != NULL)
    {
      const CxrCamSummary *summary = &report->summary;
      data.threshold = report->threshold;
      data.n_scored = summary->n_scored;
      data.mean_iou = cxr_cam_summary_mean_iou (summary);
      data.best_name = report->best_name;
      data.best_iou = summary->best_iou;
      for (guint i = 0; i < CXR_CAM_N_IOU_THRESHOLDS; i++)
        iou_accuracy[i] = cxr_cam_summary_iou_accuracy (summary, i);
      for (guint i = 0; i < CXR_CAM_N_IOBB_THRESHOLDS; i++)
        iobb_accuracy[i] = cxr_cam_summary_iobb_accuracy (summary, i);
      data.n_iou = CXR_CAM_N_IOU_THRESHOLDS;
      data.iou_thresholds = cxr_cam_iou_thresholds;
      data.iou_accuracy = iou_accuracy;
      data.n_iobb = CXR_CAM_N_IOBB_THRESHOLDS;
      data.iobb_thresholds = cxr_cam_iobb_thresholds;
      data.iobb_accuracy = iobb_accuracy;
      if (report->has_sweep)
        {
          for (guint i = 0; i < CXR_CAM_N_SWEEP_THRESHOLDS; i++)
            {
              sweep_thresholds[i] = cxr_cam_sweep_thresholds[i];
              sweep_mean[i] = cxr_cam_summary_mean_iou (&report->sweep.at[i]);
            }
          data.n_sweep = CXR_CAM_N_SWEEP_THRESHOLDS;
          data.sweep_thresholds = sweep_thresholds;
          data.sweep_mean_iou = sweep_mean;
        }
    }
  cxr_summary_dialog_set_data (dialog, &data);
}

static void
on_scored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CxrWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrLocalisationReport) report = cxr_localisations_score_finish (result, &error);

  if (report == NULL)
    return;   /* cancelled: a newer score is on its way */
  g_clear_object (&self->score_cancellable);

  for (guint i = 0; i < report->scores->len && self->results != NULL; i++)
    {
      const CxrLocalisationScore *score = &g_array_index (report->scores, CxrLocalisationScore, i);
      cxr_results_set_localisation (self->results, score->index, (float) score->score.iou,
                                    (float) score->score.iobb, report->threshold);
    }
  if (self->summary_dialog != NULL)
    fill_summary (self, report);
}

static void
start_scoring (CxrWindow *self)
{
  if (self->score_cancellable != NULL)
    g_cancellable_cancel (self->score_cancellable);
  g_clear_object (&self->score_cancellable);
  if (self->localisations == NULL || cxr_localisations_get_n_records (self->localisations) == 0)
    {
      if (self->summary_dialog != NULL)
        fill_summary (self, NULL);
      return;
    }

  self->score_cancellable = g_cancellable_new ();
  cxr_localisations_score_async (self->localisations, (float) current_threshold (self), self->summary_dialog != NULL,
                                 self->score_cancellable, on_scored, g_object_ref (self));
}

static gboolean
rescore_now (gpointer data)
{
  CxrWindow *self = data;
  self->rescore_source = 0;
  start_scoring (self);
  return G_SOURCE_REMOVE;
}

void
_cxr_window_threshold_changed (CxrWindow *self)
{
  if (self->localisations == NULL)
    return;
  g_clear_handle_id (&self->rescore_source, g_source_remove);
  self->rescore_source = g_timeout_add (RESCORE_DELAY_MS, rescore_now, self);
}

/* ---- summary ------------------------------------------------------------------ */

static void
refresh_summary (CxrWindow *self)
{
  if (self->summary_dialog == NULL)
    return;
  _cxr_window_eval_refresh (self);
  _cxr_window_compare_refresh (self);
  if (self->localisations != NULL && cxr_localisations_get_n_records (self->localisations) > 0)
    cxr_summary_dialog_set_busy (CXR_SUMMARY_DIALOG (self->summary_dialog), TRUE);
  start_scoring (self);
}

static void
on_summary_threshold_chosen (CxrSummaryDialog *dialog, double threshold, CxrWindow *self)
{
  gtk_adjustment_set_value (cxr_cam_controls_get_threshold_adjustment (self->cam_controls), threshold);
}

void
_cxr_window_show_summary (CxrWindow *self)
{
  if (self->summary_dialog == NULL)
    {
      CxrSummaryDialog *dialog = cxr_summary_dialog_new (GTK_WINDOW (self));
      g_signal_connect_object (dialog, "threshold-chosen", G_CALLBACK (on_summary_threshold_chosen), self, 0);
      _cxr_window_eval_attach (self, dialog);
      _cxr_window_compare_attach (self, dialog);
      self->summary_dialog = GTK_WINDOW (dialog);
      g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->summary_dialog);
    }
  refresh_summary (self);
  gtk_window_present (self->summary_dialog);
}

/* ---- export ------------------------------------------------------------------- */

static void
on_export_folder_chosen (GtkNativeDialog *dialog, int response, CxrWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (folder);
      if (path != NULL)
        _cxr_window_export_to (self, path);
    }
  g_object_unref (dialog);
}

void
_cxr_window_choose_export (CxrWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Export Results"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                               _("_Export"), _("_Cancel"));
  if (self->dataset != NULL)
    {
      g_autoptr (GFile) folder = g_file_new_for_path (cxr_dataset_get_folder (self->dataset));
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
