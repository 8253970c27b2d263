/* SPDX-License-Identifier: GPL-3.0-or-later */
/* train-screenshots: the README's pictures of the evaluation view and the training page (run it under xvfb-run;
 * LC_ALL=de_DE.UTF-8 for German):
 *
 *   train-screenshots evaluation OUTPUT-FILE DATASET MODEL
 *       DATASET and MODEL in the window, the model run on every image, the Summary's evaluation page.
 *   train-screenshots training OUTPUT-FILE DATASET [EPOCHS]
 *       the training page during a run of a ResNet-18 from torchvision's initialisation on DATASET (AdamW, lr
 *       5e-4, weight decay 0.05, a warmup epoch, cosine, balanced sampling, batch 16, 224 x 224), taken halfway
 *       through its last epoch of EPOCHS (default 4); the run goes to a throw-away folder, removed at the end.
 *
 * The pictures are the widgets' own rendering (GtkWidgetPaintable), as bench/ui-screenshots makes the others.
 */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <string.h>

#include "bench-ui-util.h"
#include "cxr-application.h"
#include "cxr-eval-view.h"
#include "cxr-summary-dialog.h"
#include "cxr-train-window.h"
#include "cxr-window-private.h"

static gboolean
model_ready (gpointer data)
{
  CxrWindow *window = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (window->engine);
  return model != NULL && window->list_model != NULL && !cxr_current_image_get_loading (window->current)
         && !cxr_current_image_get_analysing (window->current);
}

static gboolean
dataset_open (gpointer data)
{
  return ((CxrWindow *) data)->list_model != NULL;
}

static gboolean
run_done (gpointer data)
{
  return !_cxr_window_is_running (data);
}

static gboolean
evaluated (gpointer data)
{
  CxrWindow *window = data;
  return window->eval_view != NULL && cxr_eval_view_get_evaluation (CXR_EVAL_VIEW (window->eval_view)) != NULL;
}

/* The split and the time per epoch are on the page (not "Timing a few steps…"). */
static gboolean
estimated (gpointer data)
{
  const char *plan = cxr_train_window_get_plan_text (data);
  const char *estimate = plan != NULL ? strchr (plan, '\n') : NULL;
  return estimate != NULL && estimate[1] != '\0'
         && strcmp (estimate + 1, g_dgettext (GETTEXT_PACKAGE, "Timing a few steps…")) != 0;
}

typedef struct {
  CxrTrainWindow *page;
  guint epochs;
} EpochWait;

/* In the last epoch, a few steps past its start. */
static gboolean
in_last_epoch (gpointer data)
{
  EpochWait *w = data;
  GArray *steps = cxr_train_curves_get_steps (cxr_train_window_get_curves (w->page));
  if (steps->len == 0)
    return FALSE;
  const CxrTrainStep *last = &g_array_index (steps, CxrTrainStep, steps->len - 1);
  return last->epoch == w->epochs && last->step >= last->steps_per_epoch / 2;
}

static int
evaluation (CxrApplication *app, const char *out, const char *dataset_path, const char *model_path)
{
  CxrWindow *window = bench_ui_window_new (app, 1600, 1000);
  g_autoptr (GFile) dataset = g_file_new_for_path (dataset_path);
  g_autoptr (GFile) model = g_file_new_for_path (model_path);
  cxr_window_open_dataset (window, dataset);
  cxr_window_open_model (window, model);
  bench_ui_spin_until (model_ready, window, 120000, "the dataset and the model");

  /* The evaluation of the model on every labelled image. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-all", NULL);
  bench_ui_spin_until (run_done, window, 3600000, "run on all");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-summary", NULL);
  bench_ui_spin_until (evaluated, window, 300000, "the evaluation");
  cxr_summary_dialog_show_page (CXR_SUMMARY_DIALOG (window->summary_dialog), "evaluation");
  bench_ui_window_resize (window->summary_dialog, 720, 1140);
  bench_ui_spin_for (1500);
  bench_ui_save_png_file (GTK_WIDGET (window->summary_dialog), out);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

static int
training (CxrApplication *app, const char *out, const char *dataset_path, guint epochs)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_string (settings, "train-start", "resnet18");
  g_settings_set_int (settings, "train-outputs", 2);
  g_settings_set_int (settings, "train-input-size", 224);
  g_settings_set_int (settings, "train-batch", 16);
  g_settings_set_int (settings, "train-epochs", epochs);
  g_settings_set_string (settings, "train-optimizer", "adamw");
  g_settings_set_double (settings, "train-lr", 5e-4);
  g_settings_set_double (settings, "train-weight-decay", 0.05);
  g_settings_set_double (settings, "train-warmup", 1);
  g_settings_set_string (settings, "train-schedule", "cosine");
  g_settings_set_boolean (settings, "train-balanced", TRUE);

  CxrWindow *window = bench_ui_window_new (app, 1600, 1000);
  g_autoptr (GFile) dataset = g_file_new_for_path (dataset_path);
  cxr_window_open_dataset (window, dataset);
  bench_ui_spin_until (dataset_open, window, 120000, "the dataset");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  CxrTrainWindow *page = CXR_TRAIN_WINDOW (window->train_window);
  bench_ui_spin_until (bench_ui_widget_mapped, cxr_train_window_get_plot (page), 10000, "the training page");
  bench_ui_window_resize (GTK_WINDOW (page), 1500, 940);
  g_autofree char *tmp = g_dir_make_tmp ("cxrcam-train-screenshots-XXXXXX", NULL);
  g_autofree char *run = g_build_filename (tmp, "r18-nih14", NULL);
  cxr_train_form_set_output (cxr_train_window_get_form (page), run);
  bench_ui_spin_until (estimated, page, 600000, "the split and the time estimate");
  gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL);
  EpochWait wait = { page, epochs };
  bench_ui_spin_until (in_last_epoch, &wait, 7200000, "the last epoch");
  bench_ui_save_png_file (GTK_WIDGET (page), out);
  cxr_train_window_stop (page);
  while (cxr_train_window_is_training (page))
    g_main_context_iteration (NULL, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp);
  if (system (command) != 0)
    g_printerr ("could not remove %s\n", tmp);
  return 0;
}

int
main (int argc, char *argv[])
{
  gboolean eval = argc == 5 && g_str_equal (argv[1], "evaluation");
  gboolean train = (argc == 4 || argc == 5) && g_str_equal (argv[1], "training");
  if (!eval && !train)
    {
      g_printerr ("usage: %s evaluation OUTPUT-FILE DATASET MODEL | training OUTPUT-FILE DATASET [EPOCHS]"
                  "   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  if (!bench_ui_init ())
    return 2;
  g_autoptr (CxrApplication) app = bench_ui_application_new ();
  return eval ? evaluation (app, argv[2], argv[3], argv[4])
              : training (app, argv[2], argv[3], argc > 4 ? (guint) atoi (argv[4]) : 4);
}
