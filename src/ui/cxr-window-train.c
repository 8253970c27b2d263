/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-train.c: the review window's side of the training page.
 *
 * The page (cxr-train-window.h) is made when first shown and follows the window's dataset and model.
 * "Review with this checkpoint" loads the checkpoint as the window's model; once it is in, the
 * predictions on screen are made again (the whole list when the last model had been run on it). The
 * Model button names the checkpoint in use, with its epoch when it comes from a run. Closing the window
 * while a run is going asks first, and then waits for the run to reach its resume point.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cxr-train-state.h"
#include "cxr-train-window.h"
#include "cxr-window-private.h"

static CxrTrainWindow *
train_window (CxrWindow *self)
{
  return self->train_window ? CXR_TRAIN_WINDOW (self->train_window) : NULL;
}

/* "best.pth · epoch 3" for a run's checkpoints, else the file's name. */
static char *
describe_checkpoint (const char *path, guint *epoch_out)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *folder = g_path_get_dirname (path);
  guint epoch = 0;
  if (sscanf (name, "epoch-%u.pth", &epoch) != 1)
    epoch = 0;
  if (g_str_equal (name, "best.pth") || g_str_equal (name, "best.safetensors"))
    {
      CxrTrainState state;
      cxr_train_state_init (&state);
      if (cxr_train_state_read (folder, &state, NULL))
        epoch = state.best_epoch;
      cxr_train_state_clear (&state);
    }
  if (epoch_out)
    *epoch_out = epoch;
  if (epoch == 0)
    return g_steal_pointer (&name);
  /* Translators: the Model button for a checkpoint of a training run: file name and epoch */
  return g_strdup_printf (_("%s · epoch %u"), name, epoch);
}

void
_cxr_window_update_model_button (CxrWindow *self)
{
  g_autoptr (CxrModel) model = self->engine ? cxr_engine_dup_model (self->engine) : NULL;
  if (model == NULL)
    {
      gtk_button_set_use_underline (self->model_button, TRUE);
      gtk_button_set_label (self->model_button, _("_Model…"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_button), _("Open a model checkpoint (Shift+Ctrl+O)"));
      return;
    }
  const char *path = cxr_model_get_path (model);
  g_autofree char *label = describe_checkpoint (path, NULL);
  /* File names may hold underscores: no mnemonic. */
  gtk_button_set_use_underline (self->model_button, FALSE);
  gtk_button_set_label (self->model_button, label);
  /* Translators: the Model button's tooltip when a model is open; %s is its path */
  g_autofree char *tooltip = g_strdup_printf (_("In use: %s\nOpen another model checkpoint (Shift+Ctrl+O)"), path);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_button), tooltip);
}

void
_cxr_window_training_sync (CxrWindow *self)
{
  CxrTrainWindow *train = train_window (self);
  if (train == NULL)
    return;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  cxr_train_window_set_window_dataset (train, self->dataset ? cxr_dataset_get_folder (self->dataset) : NULL);
  cxr_train_window_set_window_model (train, model ? cxr_model_get_path (model) : NULL);
}

void
_cxr_window_training_model_changed (CxrWindow *self)
{
  _cxr_window_training_sync (self);
  if (!self->rerun_after_model)
    return;
  self->rerun_after_model = FALSE;
  /* The Model button names the checkpoint now (no toast: the run's own follows at once, and libadwaita
   * 1.2 can crash when a toast replaces one still sliding in). The image on screen is explained again by
   * the model change; a list the last model had run on is run again, so that every prediction shown is
   * the new model's. */
  if (self->list_model != NULL && self->rerun_list)
    _cxr_window_run_all (self);
  self->rerun_list = FALSE;
}

static void
on_review_checkpoint (CxrTrainWindow *train, const char *path, CxrWindow *self)
{
  self->rerun_list = self->localisations != NULL
                     || (self->results != NULL && cxr_results_count (self->results, CXR_RESULT_PREDICTED) > 1);
  self->rerun_after_model = TRUE;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  cxr_window_open_model (self, file);
  gtk_window_present (GTK_WINDOW (self));
}

void
_cxr_window_show_training (CxrWindow *self)
{
  if (self->train_window == NULL)
    {
      CxrTrainWindow *train = cxr_train_window_new (GTK_WINDOW (self));
      g_signal_connect_object (train, "review-checkpoint", G_CALLBACK (on_review_checkpoint), self, 0);
      self->train_window = GTK_WINDOW (train);
      g_object_add_weak_pointer (G_OBJECT (train), (gpointer *) &self->train_window);
      _cxr_window_training_sync (self);
    }
  gtk_window_present (self->train_window);
}

/* ---- closing while a run is going -------------------------------------------- */

static gboolean
close_now (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
on_training_notify (CxrTrainWindow *train, GParamSpec *pspec, CxrWindow *self)
{
  if (cxr_train_window_is_training (train) || !self->close_after_training)
    return;
  g_signal_handlers_disconnect_by_func (train, on_training_notify, self);
  /* From the main loop, not from inside the page's own notification: closing destroys the page. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_now, g_object_ref (self), g_object_unref);
}

static void
on_close_response (AdwMessageDialog *dialog, const char *response, CxrWindow *self)
{
  CxrTrainWindow *train = train_window (self);
  if (!g_str_equal (response, "stop") || train == NULL)
    return;
  self->close_after_training = TRUE;
  g_signal_connect_object (train, "notify::training", G_CALLBACK (on_training_notify), self, 0);
  cxr_train_window_stop (train);
  /* It may have ended between the question and the answer. */
  on_training_notify (train, NULL, self);
}

gboolean
_cxr_window_training_close_request (CxrWindow *self)
{
  CxrTrainWindow *train = train_window (self);
  if (train == NULL || !cxr_train_window_is_training (train))
    return FALSE;
  if (self->close_after_training)
    return TRUE;   /* stopping: the window closes when the run has */

  const char *folder = cxr_train_window_get_run_folder (train);
  /* Translators: asked when the window closes during training; %s is the run's folder */
  g_autofree char *body = g_strdup_printf (_("A training run is going. Closing stops it after the current step; its "
                                             "resume point stays in %s, and Resume on the training page continues it."),
                                           folder ? folder : "");
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop Training?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Keep Training"), "stop",
                                    _("_Stop and Close"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}
