/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-window.c: the training page (see cxr-train-window.h).
 *
 * Its actions (train.*) drive everything: start, resume, cancel, open a run, review with a checkpoint,
 * export. The training job's events fill the run's curves (the plot follows them) and the counters; each
 * epoch adds a row with its checkpoint. Before a run, a change of the settings asks the page's engine
 * for the split, then for the time of a few steps when what a step costs has changed.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-engine-train.h"
#include "cxr-train-chart.h"
#include "cxr-train-window.h"

/* The settings have to rest this long before the split is worked out again. */
#define ESTIMATE_DELAY_MS 700
/* Steps timed for the estimate (after one untimed step). */
#define ESTIMATE_STEPS 3

struct _CxrTrainWindow {
  AdwWindow parent_instance;

  /* template widgets */
  AdwWindowTitle *window_title;
  GtkButton *open_button;
  GtkMenuButton *export_button;
  GtkButton *review_button;
  GtkButton *cancel_button;
  GtkButton *resume_button;
  GtkButton *start_button;
  CxrTrainForm *form;
  GtkLabel *status_label;
  GtkLabel *detail_label;
  GtkProgressBar *progress_bar;
  GtkLabel *plan_label;
  GtkLabel *error_label;
  CxrPlot *plot;
  GtkListBox *epochs_list;

  /* owned */
  CxrEngine *engine;                 /* the page's own: training never waits for review jobs, nor they for it */
  CxrTrainCurves *curves;
  GCancellable *train_cancellable;   /* while a run is going */
  GCancellable *estimate_cancellable;
  guint estimate_source;
  char *run_folder;                  /* the run on the page */
  gboolean resumable;                /* it stopped before its last epoch */
  gboolean disposed;
  GPtrArray *epoch_buttons;          /* GtkWidget*, borrowed from the rows */
  char *plan_text;
  char *split_text;                  /* its first line: the split alone */
  gboolean timing_pending;           /* its second line waits for a timing */

  /* counters of the run going */
  guint n_epochs;
  gint64 run_started_us;             /* when this start or resume took its first step */
  guint64 first_step;                /* the global step it took first */
  double images_per_second;          /* smoothed */

  /* the last timing, reused while what a step costs stays the same */
  char *timing_key;
  double seconds_per_step;
  double seconds_validation_per_image;
  double seconds_preparing_per_image;
  guint timed_steps;
};

G_DEFINE_FINAL_TYPE (CxrTrainWindow, cxr_train_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_TRAINING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REVIEW_CHECKPOINT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_estimate (CxrTrainWindow *self);

/* ---- words -------------------------------------------------------------------- */

static char *
format_duration (double seconds)
{
  if (!isfinite (seconds) || seconds < 0)
    return g_strdup (C_("duration", "—"));
  if (seconds < 10)
    /* Translators: a duration in seconds with one decimal */
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 90)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%.0f s"), seconds);
  guint total = (guint) lround (seconds);
  if (total < 90 * 60)
    /* Translators: a duration in minutes and seconds */
    return g_strdup_printf (_("%u min %u s"), total / 60, total % 60);
  /* Translators: a duration in hours and minutes */
  return g_strdup_printf (_("%u h %u min"), total / 3600, (total / 60) % 60);
}

static void
show_error (CxrTrainWindow *self, const char *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* A short notice under the counters (no toasts here: the page's own line says it where one looks). */
static void
notice (CxrTrainWindow *self, const char *message)
{
  gtk_label_set_label (self->detail_label, message);
}

static char *
run_file (CxrTrainWindow *self, const char *name)
{
  return self->run_folder ? g_build_filename (self->run_folder, name, NULL) : NULL;
}

/* ---- state -------------------------------------------------------------------- */

static void
update_actions (CxrTrainWindow *self)
{
  gboolean training = self->train_cancellable != NULL;
  g_autofree char *best = run_file (self, "best.pth");
  gboolean has_best = best != NULL && g_file_test (best, G_FILE_TEST_IS_REGULAR);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.start", !training);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.resume", !training && self->resumable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.cancel",
                                 training && !g_cancellable_is_cancelled (self->train_cancellable));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.open-run", !training);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.review-best", has_best);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.review-epoch", self->run_folder != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.export",
                                 cxr_train_curves_get_steps (self->curves)->len > 0
                                   || cxr_train_curves_get_history (self->curves)->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), training);
  gtk_widget_set_visible (GTK_WIDGET (self->resume_button), !training && self->resumable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->form), !training);
  if (has_best && !training)
    gtk_widget_add_css_class (GTK_WIDGET (self->review_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->review_button), "suggested-action");
}

static void
set_run_folder (CxrTrainWindow *self, const char *folder)
{
  g_free (self->run_folder);
  self->run_folder = g_strdup (folder);
  adw_window_title_set_subtitle (self->window_title, folder);
}

static char *
describe_epoch (const CxrEpochMetrics *m)
{
  g_autofree char *time = format_duration (m->seconds);
  /* Translators: an epoch row's numbers */
  return g_strdup_printf (_("Training loss %.4f, accuracy %.3f · validation loss %.4f, accuracy %.3f, AUC %.3f · %s"),
                          m->train_loss, m->train_accuracy, m->val_loss, m->val_accuracy, m->val_auc, time);
}

static void
rebuild_epochs (CxrTrainWindow *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->epochs_list))) != NULL
         && GTK_IS_LIST_BOX_ROW (child))
    gtk_list_box_remove (self->epochs_list, child);
  g_ptr_array_set_size (self->epoch_buttons, 0);

  GArray *history = cxr_train_curves_get_history (self->curves);
  guint best = cxr_train_curves_get_best_epoch (self->curves);
  for (guint i = 0; i < history->len; i++)
    {
      const CxrEpochMetrics *m = &g_array_index (history, CxrEpochMetrics, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = m->epoch == best
        /* Translators: the row of the epoch with the best validation AUC */
        ? g_strdup_printf (_("Epoch %u · best validation AUC"), m->epoch)
        /* Translators: an epoch's row */
        : g_strdup_printf (_("Epoch %u"), m->epoch);
      g_autofree char *subtitle = describe_epoch (m);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (m->epoch == best)
        adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("starred-symbolic"));

      GtkWidget *button = gtk_button_new_with_mnemonic (_("Re_view"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_autofree char *checkpoint = g_strdup_printf ("epoch-%03u.pth", m->epoch);
      /* Translators: tooltip of an epoch row's Review button; %s is the checkpoint file */
      g_autofree char *tooltip = g_strdup_printf (_("Make %s the window’s model and predict again"), checkpoint);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "train.review-epoch");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_uint32 (m->epoch));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->epochs_list, row);
      g_ptr_array_add (self->epoch_buttons, button);
    }
  cxr_train_chart_update_markers (self->plot, self->curves);
}

static void
set_training (CxrTrainWindow *self, GCancellable *cancellable)
{
  g_set_object (&self->train_cancellable, cancellable);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);
}

/* ---- the run's events ------------------------------------------------------------- */

/* Reports reach a page that may have been destroyed since the run started. */
typedef struct {
  CxrTrainWindow *self;   /* a weak pointer */
} PageRef;

static PageRef *
page_ref_new (CxrTrainWindow *self)
{
  PageRef *ref = g_new0 (PageRef, 1);
  ref->self = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &ref->self);
  return ref;
}

static void
page_ref_free (PageRef *ref)
{
  if (ref->self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (ref->self), (gpointer *) &ref->self);
  g_free (ref);
}

static void
show_step (CxrTrainWindow *self, const CxrTrainEvent *event)
{
  if (self->run_started_us == 0)
    {
      self->run_started_us = g_get_monotonic_time ();
      self->first_step = event->global_step;
      self->images_per_second = event->images_per_second;
    }
  else
    self->images_per_second = 0.8 * self->images_per_second + 0.2 * event->images_per_second;
  self->n_epochs = event->n_epochs;

  /* Translators: the training page's counters: epoch of epochs, step of steps in the epoch */
  g_autofree char *status = g_strdup_printf (_("Epoch %u of %u · step %u of %u"), event->epoch, event->n_epochs,
                                             event->step, event->n_steps);
  gtk_label_set_label (self->status_label, status);

  /* The time left from this start's own pace (validation included once an epoch has passed). */
  guint64 total = (guint64) event->n_epochs * event->n_steps;
  guint64 taken = event->global_step - self->first_step + 1;
  double elapsed = (g_get_monotonic_time () - self->run_started_us) / 1e6;
  double left = taken > 1 ? elapsed / (taken - 1) * (double) (total - MIN (total, event->global_step)) : NAN;
  g_autofree char *eta = format_duration (left);
  /* Translators: the training page's speed and time left */
  g_autofree char *detail = g_strdup_printf (_("%.1f images/s · %s left · loss %.4f · learning rate %.3g"),
                                             self->images_per_second, eta, event->loss, event->lr);
  gtk_label_set_label (self->detail_label, detail);
  gtk_progress_bar_set_fraction (self->progress_bar, total ? (double) event->global_step / total : 0);
}

static void
on_progress (const CxrTrainEvent *event, gpointer user_data)
{
  PageRef *ref = user_data;
  CxrTrainWindow *self = ref->self;
  if (self == NULL || self->disposed)
    return;

  switch (event->kind)
    {
    case CXR_TRAIN_EVENT_PREPARING:
      {
        g_autofree char *text = event->total > 0
          /* Translators: progress before the first epoch when only the head trains */
          ? g_strdup_printf (_("Computing the frozen backbone’s features: %u of %u images"), event->done, event->total)
          : g_strdup (_("Reading the dataset…"));
        gtk_label_set_label (self->status_label, text);
        if (event->total > 0)
          gtk_progress_bar_set_fraction (self->progress_bar, (double) event->done / event->total);
        else
          gtk_progress_bar_pulse (self->progress_bar);
        break;
      }
    case CXR_TRAIN_EVENT_STEP:
      {
        CxrTrainStep step = { event->global_step, event->epoch, event->step, event->n_steps, event->loss, event->lr,
                              event->images_per_second };
        cxr_train_curves_add_step (self->curves, &step);
        show_step (self, event);
        break;
      }
    case CXR_TRAIN_EVENT_EPOCH:
      self->n_epochs = event->n_epochs;
      if (cxr_train_curves_add_epoch (self->curves, event->metrics, event->global_step))
        rebuild_epochs (self);
      update_actions (self);
      break;
    case CXR_TRAIN_EVENT_SAVED:
    default:
      break;
    }
}

static void
on_trained (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PageRef *ref = user_data;
  CxrTrainWindow *self = ref->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrTrainResult) trained = cxr_engine_train_finish (CXR_ENGINE (source), result, &error);
  page_ref_free (ref);
  if (self == NULL || self->disposed)
    return;

  self->run_started_us = 0;
  if (trained != NULL)
    {
      self->resumable = FALSE;
      guint best = cxr_train_curves_get_best_epoch (self->curves);
      double auc = NAN;
      for (guint i = 0; i < trained->history->len; i++)
        if (g_array_index (trained->history, CxrEpochMetrics, i).epoch == best)
          auc = g_array_index (trained->history, CxrEpochMetrics, i).val_auc;
      /* Translators: the training page's status after a run */
      g_autofree char *status = g_strdup_printf (_("Finished: best epoch %u, validation AUC %.3f"), best, auc);
      gtk_label_set_label (self->status_label, status);
      gtk_progress_bar_set_fraction (self->progress_bar, 1);
      notice (self, _("Review with This Checkpoint makes best.pth the window’s model"));
      if (trained->step_log_error)
        {
          g_autofree char *message = g_strdup_printf (_("The per-step log could not be written: %s"),
                                                      trained->step_log_error);
          show_error (self, message);
        }
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *state = run_file (self, "train-state.json");
      self->resumable = state != NULL && g_file_test (state, G_FILE_TEST_IS_REGULAR);
      GArray *steps = cxr_train_curves_get_steps (self->curves);
      guint64 last = steps->len ? g_array_index (steps, CxrTrainStep, steps->len - 1).global_step : 0;
      g_autofree char *status = self->resumable
        /* Translators: the training page's status after Cancel */
        ? g_strdup_printf (_("Stopped after step %u; Resume continues from there"), (guint) last)
        : g_strdup (_("Stopped before the first step"));
      gtk_label_set_label (self->status_label, status);
      gtk_label_set_label (self->detail_label, "");
    }
  else
    {
      g_autofree char *state = run_file (self, "train-state.json");
      self->resumable = state != NULL && g_file_test (state, G_FILE_TEST_IS_REGULAR);
      gtk_label_set_label (self->status_label, _("Training failed"));
      show_error (self, error->message);
    }
  set_training (self, NULL);
}

static void
start_job (CxrTrainWindow *self, const CxrTrainConfig *config, gboolean resume)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  if (self->estimate_cancellable)
    g_cancellable_cancel (self->estimate_cancellable);
  g_clear_handle_id (&self->estimate_source, g_source_remove);
  show_error (self, NULL);
  self->run_started_us = 0;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->status_label, resume ? _("Resuming…") : _("Starting…"));
  /* A timing that the start cancelled says nothing any more. */
  if (self->timing_pending && self->split_text)
    gtk_label_set_label (self->plan_label, self->split_text);
  self->timing_pending = FALSE;
  gtk_label_set_label (self->detail_label, "");
  set_training (self, cancellable);
  cxr_engine_train_async (self->engine, config, resume, on_progress, page_ref_new (self), (GDestroyNotify) page_ref_free,
                          cancellable, on_trained, page_ref_new (self));
}

/* ---- actions ------------------------------------------------------------------------ */

static void
start_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (widget);
  CxrTrainConfig config;
  g_autoptr (GError) error = NULL;
  if (self->train_cancellable != NULL)
    return;
  if (!cxr_train_form_get_config (self->form, &config, &error))
    {
      show_error (self, error->message);
      cxr_train_config_clear (&config);
      return;
    }
  cxr_train_curves_clear (self->curves);
  self->resumable = FALSE;
  set_run_folder (self, config.out_dir);
  rebuild_epochs (self);
  cxr_train_form_next_run (self->form);
  start_job (self, &config, FALSE);
  cxr_train_config_clear (&config);
}

static void
resume_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (widget);
  if (self->train_cancellable != NULL || !self->resumable || self->run_folder == NULL)
    return;
  CxrTrainState state;
  cxr_train_state_init (&state);
  g_autoptr (GError) error = NULL;
  /* From the folder as it is now: the curves end where its resume point is. */
  if (!cxr_train_curves_load (self->curves, self->run_folder, &state, &error))
    {
      show_error (self, error->message);
      cxr_train_state_clear (&state);
      return;
    }
  rebuild_epochs (self);
  g_free (state.config.out_dir);
  state.config.out_dir = g_strdup (self->run_folder);
  start_job (self, &state.config, TRUE);
  cxr_train_state_clear (&state);
}

static void
cancel_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  cxr_train_window_stop (CXR_TRAIN_WINDOW (widget));
}

static void
start_or_resume_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (widget);
  if (self->resumable)
    resume_activated (widget, action, parameter);
  else
    start_activated (widget, action, parameter);
}

static void
review (CxrTrainWindow *self, const char *name)
{
  g_autofree char *path = run_file (self, name);
  if (path == NULL)
    return;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      /* Translators: a checkpoint that is not in the run's folder */
      g_autofree char *message = g_strdup_printf (_("%s is not there (yet)"), name);
      notice (self, message);
      return;
    }
  g_signal_emit (self, signals[REVIEW_CHECKPOINT], 0, path);
}

static void
review_best_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  review (CXR_TRAIN_WINDOW (widget), "best.pth");
}

static void
review_epoch_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  g_autofree char *name = g_strdup_printf ("epoch-%03u.pth", g_variant_get_uint32 (parameter));
  review (CXR_TRAIN_WINDOW (widget), name);
}

static void
on_run_folder_chosen (GtkNativeDialog *dialog, int response, CxrTrainWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;
      g_autoptr (GError) error = NULL;
      if (path != NULL && !cxr_train_window_open_run (self, path, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not open the run: %s"), error->message);
          show_error (self, message);
        }
    }
  g_object_unref (dialog);
}

static void
open_run_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open a Training Run"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"),
                                                               _("_Cancel"));
  g_autofree char *start = self->run_folder ? g_path_get_dirname (self->run_folder) : NULL;
  if (start != NULL && g_file_test (start, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GFile) folder = g_file_new_for_path (start);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_run_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
export_to (CxrTrainWindow *self, const char *kind, const char *path, GError **error)
{
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self->plot)), 960);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self->plot)), 540);
  if (g_str_equal (kind, "png"))
    return cxr_plot_export_png (self->plot, path, width, height, error);
  if (g_str_equal (kind, "svg"))
    return cxr_plot_export_svg (self->plot, path, width, height, error);
  /* The numbers as the run's history.csv has them, one row per epoch. */
  return cxr_train_history_save (path, cxr_train_curves_get_history (self->curves), error);
}

static void
on_export_chosen (GtkNativeDialog *dialog, int response, CxrTrainWindow *self)
{
  const char *kind = g_object_get_data (G_OBJECT (dialog), "kind");
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      if (path != NULL && export_to (self, kind, path, &error))
        {
          g_autofree char *name = g_path_get_basename (path);
          /* Translators: after an export; %s is the file name */
          g_autofree char *message = g_strdup_printf (_("Saved “%s”"), name);
          notice (self, message);
        }
      else if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Export failed: %s"), error->message);
          show_error (self, message);
        }
    }
  g_object_unref (dialog);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *parameter)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (widget);
  const char *kind = g_variant_get_string (parameter, NULL);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  g_autofree char *run = self->run_folder ? g_path_get_basename (self->run_folder) : g_strdup ("training");
  g_autofree char *name = g_str_equal (kind, "csv") ? g_strdup_printf ("%s-history.csv", run)
                                                    : g_strdup_printf ("%s-plot.%s", run, kind);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (self->run_folder != NULL)
    {
      g_autoptr (GFile) folder = g_file_new_for_path (self->run_folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  g_object_set_data_full (G_OBJECT (chooser), "kind", g_strdup (kind), g_free);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- the estimate before a run ------------------------------------------------------- */

typedef struct {
  PageRef *ref;
  CxrTrainConfig config;
  char *timing_key;
  GCancellable *cancellable;
} EstimateRequest;

static void
estimate_request_free (EstimateRequest *request)
{
  page_ref_free (request->ref);
  cxr_train_config_clear (&request->config);
  g_free (request->timing_key);
  g_clear_object (&request->cancellable);
  g_free (request);
}

/* What a step costs depends on these; the split does not. */
static char *
timing_key_for (const CxrTrainConfig *c)
{
  return g_strdup_printf ("%s|%s|%s|%u|%u|%d|%u|%d", c->data_dir, c->model_path ? c->model_path : "",
                          c->arch ? c->arch : "", c->n_outputs, c->input_size, c->trainable, c->batch_size, c->augment);
}

static void
show_plan (CxrTrainWindow *self, const CxrTrainEstimate *e, gboolean timing)
{
  g_autoptr (GString) text = g_string_new (NULL);
  const char *positive = e->n_labels == 1 ? _("Cardiomegaly") : _("a finding");
  g_autofree char *train = g_strdup_printf (ngettext ("Training: %u image, %u with %s", "Training: %u images, %u with %s",
                                                      e->n_train), e->n_train, e->n_train_positive, positive);
  g_autofree char *val = g_strdup_printf (ngettext ("validation: %u image, %u with %s",
                                                    "validation: %u images, %u with %s", e->n_val),
                                          e->n_val, e->n_val_positive, positive);
  g_autofree char *steps = g_strdup_printf (ngettext ("%u step per epoch", "%u steps per epoch", e->steps_per_epoch),
                                            e->steps_per_epoch);
  g_free (self->split_text);
  self->split_text = g_strdup_printf ("%s · %s · %s", train, val, steps);
  g_string_append_printf (text, "%s\n", self->split_text);

  self->timing_pending = timing;
  if (timing)
    g_string_append (text, _("Timing a few steps…"));
  else if (self->timing_key != NULL && self->seconds_per_step > 0)
    {
      double per_epoch = self->seconds_per_step * e->steps_per_epoch + self->seconds_validation_per_image * e->n_val;
      g_autofree char *epoch = format_duration (per_epoch);
      g_autofree char *step = format_duration (self->seconds_per_step);
      /* Translators: the time estimate before a run: per epoch, steps timed, per step */
      g_string_append_printf (text, ngettext ("About %s per epoch (%u step timed: %s)",
                                              "About %s per epoch (%u steps timed, %s each)", self->timed_steps),
                              epoch, self->timed_steps, step);
      if (self->seconds_preparing_per_image > 0)
        {
          g_autofree char *preparing = format_duration (self->seconds_preparing_per_image * (e->n_train + e->n_val));
          /* Translators: added to the estimate when only the head trains */
          g_string_append_printf (text, _(", and %s once for the frozen backbone’s features"), preparing);
        }
    }
  g_free (self->plan_text);
  self->plan_text = g_string_free (g_steal_pointer (&text), FALSE);
  gtk_label_set_label (self->plan_label, self->plan_text);
}

static void on_estimated (GObject *source, GAsyncResult *result, gpointer user_data);

static void
request_estimate (CxrTrainWindow *self, const CxrTrainConfig *config, guint steps, GCancellable *cancellable)
{
  EstimateRequest *request = g_new0 (EstimateRequest, 1);
  request->ref = page_ref_new (self);
  cxr_train_config_copy (&request->config, config);
  request->timing_key = timing_key_for (config);
  request->cancellable = g_object_ref (cancellable);
  cxr_engine_train_estimate_async (self->engine, config, steps, cancellable, on_estimated, request);
}

static void
on_estimated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EstimateRequest *request = user_data;
  CxrTrainWindow *self = request->ref->self;
  g_autoptr (GError) error = NULL;
  g_autofree CxrTrainEstimate *estimate = cxr_engine_train_estimate_finish (CXR_ENGINE (source), result, &error);
  if (self == NULL || self->disposed || g_cancellable_is_cancelled (request->cancellable))
    {
      estimate_request_free (request);
      return;
    }
  if (estimate == NULL)
    {
      g_free (self->plan_text);
      /* Translators: the plan line when the settings cannot train; %s says why */
      self->plan_text = g_strdup_printf (_("Cannot train with these settings: %s"), error->message);
      gtk_label_set_label (self->plan_label, self->plan_text);
      estimate_request_free (request);
      return;
    }
  if (estimate->timed_steps > 0)
    {
      g_free (self->timing_key);
      self->timing_key = g_strdup (request->timing_key);
      self->seconds_per_step = estimate->seconds_per_step;
      self->timed_steps = estimate->timed_steps;
      self->seconds_validation_per_image = estimate->n_val ? estimate->seconds_validation / estimate->n_val : 0;
      self->seconds_preparing_per_image = estimate->seconds_preparing / MAX (1, estimate->n_train + estimate->n_val);
      show_plan (self, estimate, FALSE);
    }
  else
    {
      /* The split is known; time the steps unless they cost what they cost last time. */
      gboolean timing = g_strcmp0 (self->timing_key, request->timing_key) != 0;
      show_plan (self, estimate, timing);
      if (timing)
        request_estimate (self, &request->config, ESTIMATE_STEPS, request->cancellable);
    }
  estimate_request_free (request);
}

static gboolean
estimate_now (gpointer data)
{
  CxrTrainWindow *self = data;
  self->estimate_source = 0;
  if (self->train_cancellable != NULL)
    return G_SOURCE_REMOVE;
  if (self->estimate_cancellable)
    g_cancellable_cancel (self->estimate_cancellable);
  g_clear_object (&self->estimate_cancellable);

  CxrTrainConfig config;
  g_autoptr (GError) error = NULL;
  if (!cxr_train_form_get_config (self->form, &config, &error))
    {
      g_free (self->plan_text);
      self->plan_text = g_strdup_printf (_("Cannot train with these settings: %s"), error->message);
      gtk_label_set_label (self->plan_label, self->plan_text);
      cxr_train_config_clear (&config);
      return G_SOURCE_REMOVE;
    }
  self->estimate_cancellable = g_cancellable_new ();
  request_estimate (self, &config, 0, self->estimate_cancellable);
  cxr_train_config_clear (&config);
  return G_SOURCE_REMOVE;
}

static void
schedule_estimate (CxrTrainWindow *self)
{
  g_clear_handle_id (&self->estimate_source, g_source_remove);
  if (self->train_cancellable != NULL || !gtk_widget_get_visible (GTK_WIDGET (self)))
    return;
  self->estimate_source = g_timeout_add (ESTIMATE_DELAY_MS, estimate_now, self);
}

static void
on_form_changed (CxrTrainWindow *self)
{
  show_error (self, NULL);
  schedule_estimate (self);
}

static void
on_visible (CxrTrainWindow *self)
{
  /* Measured when the page is shown, not while it is hidden. */
  if (gtk_widget_get_visible (GTK_WIDGET (self)) && self->plan_text[0] == '\0')
    schedule_estimate (self);
}

/* ---- public ------------------------------------------------------------------------- */

void
cxr_train_window_set_window_dataset (CxrTrainWindow *self, const char *folder)
{
  g_return_if_fail (CXR_IS_TRAIN_WINDOW (self));
  cxr_train_form_set_window_dataset (self->form, folder);
}

void
cxr_train_window_set_window_model (CxrTrainWindow *self, const char *path)
{
  g_return_if_fail (CXR_IS_TRAIN_WINDOW (self));
  cxr_train_form_set_window_model (self->form, path);
}

gboolean
cxr_train_window_is_training (CxrTrainWindow *self)
{
  g_return_val_if_fail (CXR_IS_TRAIN_WINDOW (self), FALSE);
  return self->train_cancellable != NULL;
}

void
cxr_train_window_stop (CxrTrainWindow *self)
{
  g_return_if_fail (CXR_IS_TRAIN_WINDOW (self));

  if (self->train_cancellable == NULL || g_cancellable_is_cancelled (self->train_cancellable))
    return;
  g_cancellable_cancel (self->train_cancellable);
  gtk_label_set_label (self->status_label, _("Stopping after this step…"));
  update_actions (self);
}

gboolean
cxr_train_window_open_run (CxrTrainWindow *self, const char *folder, GError **error)
{
  g_return_val_if_fail (CXR_IS_TRAIN_WINDOW (self), FALSE);

  if (self->train_cancellable != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("A run is going; cancel it first."));
      return FALSE;
    }
  CxrTrainState state;
  cxr_train_state_init (&state);
  if (!cxr_train_curves_load (self->curves, folder, &state, error))
    {
      cxr_train_state_clear (&state);
      return FALSE;
    }
  set_run_folder (self, folder);
  show_error (self, NULL);
  self->resumable = state.epochs_done < state.config.epochs;
  self->n_epochs = state.config.epochs;
  rebuild_epochs (self);
  g_autofree char *status = NULL;
  if (self->resumable)
    /* Translators: the status of an interrupted run read from its folder */
    status = g_strdup_printf (_("Stopped after %u of %u epochs (step %u); Resume continues it"),
                              state.epochs_done, state.config.epochs, (guint) state.global_step);
  else
    /* Translators: the status of a finished run read from its folder */
    status = g_strdup_printf (_("Finished run of %u epochs, best epoch %u"), state.epochs_done,
                              cxr_train_curves_get_best_epoch (self->curves));
  gtk_label_set_label (self->status_label, status);
  gtk_label_set_label (self->detail_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 state.config.epochs ? (double) state.epochs_done / state.config.epochs : 0);
  update_actions (self);
  cxr_train_state_clear (&state);
  return TRUE;
}

const char *
cxr_train_window_get_run_folder (CxrTrainWindow *self)
{
  g_return_val_if_fail (CXR_IS_TRAIN_WINDOW (self), NULL);
  return self->run_folder;
}

CxrTrainForm *
cxr_train_window_get_form (CxrTrainWindow *self)
{
  return self->form;
}

CxrPlot *
cxr_train_window_get_plot (CxrTrainWindow *self)
{
  return self->plot;
}

CxrTrainCurves *
cxr_train_window_get_curves (CxrTrainWindow *self)
{
  return self->curves;
}

GtkWidget *
cxr_train_window_get_button (CxrTrainWindow *self, const char *name)
{
  if (g_str_equal (name, "start"))
    return GTK_WIDGET (self->start_button);
  if (g_str_equal (name, "cancel"))
    return GTK_WIDGET (self->cancel_button);
  if (g_str_equal (name, "resume"))
    return GTK_WIDGET (self->resume_button);
  if (g_str_equal (name, "review"))
    return GTK_WIDGET (self->review_button);
  if (g_str_equal (name, "open"))
    return GTK_WIDGET (self->open_button);
  if (g_str_equal (name, "export"))
    return GTK_WIDGET (self->export_button);
  return NULL;
}

GtkWidget *
cxr_train_window_get_epoch_button (CxrTrainWindow *self, guint epoch)
{
  GArray *history = cxr_train_curves_get_history (self->curves);
  for (guint i = 0; i < history->len && i < self->epoch_buttons->len; i++)
    if (g_array_index (history, CxrEpochMetrics, i).epoch == epoch)
      return g_ptr_array_index (self->epoch_buttons, i);
  return NULL;
}

const char *
cxr_train_window_get_plan_text (CxrTrainWindow *self)
{
  return self->plan_text;
}

/* ---- type ------------------------------------------------------------------------------ */

static void
cxr_train_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      g_value_set_boolean (value, self->train_cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_train_window_dispose (GObject *object)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (object);

  self->disposed = TRUE;
  /* A run stops after its step and keeps its resume point; the engine finishes it on its thread. */
  if (self->train_cancellable)
    g_cancellable_cancel (self->train_cancellable);
  if (self->estimate_cancellable)
    g_cancellable_cancel (self->estimate_cancellable);
  g_clear_handle_id (&self->estimate_source, g_source_remove);
  g_clear_object (&self->train_cancellable);
  g_clear_object (&self->estimate_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_TRAIN_WINDOW);

  g_clear_object (&self->curves);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cxr_train_window_parent_class)->dispose (object);
}

static void
cxr_train_window_finalize (GObject *object)
{
  CxrTrainWindow *self = CXR_TRAIN_WINDOW (object);

  g_ptr_array_unref (self->epoch_buttons);
  g_free (self->run_folder);
  g_free (self->plan_text);
  g_free (self->split_text);
  g_free (self->timing_key);

  G_OBJECT_CLASS (cxr_train_window_parent_class)->finalize (object);
}

static void
cxr_train_window_class_init (CxrTrainWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cxr_train_window_get_property;
  object_class->dispose = cxr_train_window_dispose;
  object_class->finalize = cxr_train_window_finalize;

  properties[PROP_TRAINING] = g_param_spec_boolean ("training", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[REVIEW_CHECKPOINT] = g_signal_new ("review-checkpoint", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                             NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CXR_TYPE_TRAIN_FORM);
  g_type_ensure (CXR_TYPE_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-train-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, review_button);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, resume_button);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, form);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, plan_label);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, plot);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainWindow, epochs_list);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);

  gtk_widget_class_install_action (widget_class, "train.start", NULL, start_activated);
  gtk_widget_class_install_action (widget_class, "train.resume", NULL, resume_activated);
  gtk_widget_class_install_action (widget_class, "train.start-or-resume", NULL, start_or_resume_activated);
  gtk_widget_class_install_action (widget_class, "train.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "train.open-run", NULL, open_run_activated);
  gtk_widget_class_install_action (widget_class, "train.review-best", NULL, review_best_activated);
  gtk_widget_class_install_action (widget_class, "train.review-epoch", "u", review_epoch_activated);
  gtk_widget_class_install_action (widget_class, "train.export", "s", export_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "train.start-or-resume", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "train.start-or-resume", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "train.open-run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cxr_train_window_init (CxrTrainWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->engine = cxr_engine_new ();
  self->curves = cxr_train_curves_new ();
  self->epoch_buttons = g_ptr_array_new ();
  self->plan_text = g_strdup ("");
  cxr_train_chart_setup (self->plot, self->curves);
  g_signal_connect (self, "notify::visible", G_CALLBACK (on_visible), NULL);
  update_actions (self);
}

CxrTrainWindow *
cxr_train_window_new (GtkWindow *parent)
{
  return g_object_new (CXR_TYPE_TRAIN_WINDOW, "transient-for", parent, "destroy-with-parent", TRUE, NULL);
}
