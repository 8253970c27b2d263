/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-train-ui: the training page's responsiveness under a real display (run it under xvfb-run).
 *
 *   bench-train-ui live [DATASET] [SECONDS]   start a ResNet-18 from the page (new network, batch 16, 224 x 224)
 *                                             on DATASET (default the NIH subset) and, for SECONDS (default 60)
 *                                             from its first step, redraw the live plot on every frame: report
 *                                             the main loop's longest stall (wall clock, and the main thread's
 *                                             own CPU time) and the frame interval (median, p95, max)
 *   bench-train-ui redraw                     the plot's redraw time with 1,000, 10,000 and 100,000 step points
 *                                             (and 100 epochs): cxr_plot_draw into an image surface the size of
 *                                             the page's plot, and a full frame of the widget (median of 40)
 *
 * Training runs on the page's own engine thread (and the kernels' helper threads), so the main thread only
 * takes the step reports and draws; the figures say whether it ever waits.
 */
#include <adwaita.h>
#include <math.h>
#include <stdlib.h>

#include "bench-ui-util.h"
#include "bench-util.h"
#include "cxr-application.h"
#include "cxr-train-chart.h"
#include "cxr-train-window.h"
#include "cxr-window-private.h"

typedef struct {
  GArray *frame_times;          /* double ms between after-paints */
  gint64 last_paint;
  gboolean painted;
  gboolean measuring;
} Probe;

static void
on_after_paint (GdkFrameClock *clock, Probe *probe)
{
  gint64 now = g_get_monotonic_time ();
  probe->painted = TRUE;
  if (probe->measuring && probe->last_paint != 0)
    {
      double ms = (now - probe->last_paint) / 1000.0;
      g_array_append_val (probe->frame_times, ms);
    }
  probe->last_paint = now;
}

/* The live plot redrawn on every frame, as if a step arrived each time. */
static gboolean
redraw_every_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
dataset_open (gpointer data)
{
  return ((CxrWindow *) data)->list_model != NULL;
}

static gboolean
first_step (gpointer data)
{
  return cxr_train_curves_get_steps (cxr_train_window_get_curves (data))->len > 0;
}

/* ---- live --------------------------------------------------------------------- */

static int
bench_live (CxrApplication *app, const char *dataset, guint seconds)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_string (settings, "train-start", "resnet18");
  g_settings_set_int (settings, "train-outputs", 2);
  g_settings_set_int (settings, "train-input-size", 224);
  g_settings_set_int (settings, "train-batch", 16);
  g_settings_set_int (settings, "train-epochs", 1000);
  g_settings_set_string (settings, "train-freeze", "none");

  CxrWindow *window = bench_ui_window_new (app, 1400, 900);
  g_autoptr (GFile) folder = g_file_new_for_path (dataset);
  cxr_window_open_dataset (window, folder);
  bench_ui_spin_until (dataset_open, window, 30000, "the dataset");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL));
  CxrTrainWindow *page = CXR_TRAIN_WINDOW (window->train_window);
  CxrPlot *plot = cxr_train_window_get_plot (page);
  bench_ui_spin_until (bench_ui_widget_mapped, plot, 10000, "the training page");
  /* The runs go to a throw-away folder, not beside the data. */
  g_autofree char *out = g_dir_make_tmp ("cxrcam-bench-train-XXXXXX", NULL);
  g_autofree char *run = g_build_filename (out, "run", NULL);
  cxr_train_form_set_output (cxr_train_window_get_form (page), run);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL));
  bench_ui_spin_until (first_step, page, 600000, "the first step");

  Probe probe = { .frame_times = g_array_new (FALSE, FALSE, sizeof (double)) };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (plot));
  gulong paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &probe);
  guint redraw = gtk_widget_add_tick_callback (GTK_WIDGET (plot), redraw_every_frame, NULL, NULL);
  BenchUiStallProbe stalls;
  bench_ui_stall_probe_start (&stalls);
  guint steps_before = cxr_train_curves_get_steps (cxr_train_window_get_curves (page))->len;
  probe.measuring = TRUE;
  bench_ui_spin_for (seconds * 1000);
  probe.measuring = FALSE;
  guint steps = cxr_train_curves_get_steps (cxr_train_window_get_curves (page))->len - steps_before;
  bench_ui_stall_probe_stop (&stalls);
  gtk_widget_remove_tick_callback (GTK_WIDGET (plot), redraw);
  g_signal_handler_disconnect (clock, paint_handler);

  g_print ("training a ResNet-18 (new, batch 16, 224 x 224) on %s, %u s measured from its first step:\n", dataset,
           seconds);
  g_print ("  %u steps (%.2f s each, %.1f images/s), the plot redrawn on every frame\n", steps,
           steps ? seconds / (double) steps : NAN, steps * 16.0 / seconds);
  g_print ("  longest main-loop stall: %.1f ms wall clock, of which at most %.1f ms of the main thread's own CPU time\n",
           stalls.longest_stall / 1000.0, stalls.longest_busy / 1000.0);
  g_print ("  frame interval over %u frames: median %.1f ms, p95 %.1f ms, max %.1f ms\n", probe.frame_times->len,
           bench_ui_percentile (probe.frame_times, 0.5), bench_ui_percentile (probe.frame_times, 0.95),
           bench_ui_percentile (probe.frame_times, 1.0));
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (page));
  g_print ("  renderer: %s\n", G_OBJECT_TYPE_NAME (renderer));

  cxr_train_window_stop (page);
  while (cxr_train_window_is_training (page))
    g_main_context_iteration (NULL, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (probe.frame_times);
  /* The run's checkpoints and resume points (about 90 MB) are of no use after the measurement. */
  const char *remove_argv[] = { "rm", "-rf", out, NULL };
  g_spawn_sync (NULL, (char **) remove_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  return 0;
}

/* ---- redraw -------------------------------------------------------------------- */

static void
fill (CxrTrainCurves *curves, guint n_steps)
{
  cxr_train_curves_clear (curves);
  guint per_epoch = MAX (1, n_steps / 100);
  for (guint s = 1; s <= n_steps; s++)
    {
      CxrTrainStep step = { s, (s - 1) / per_epoch + 1, (s - 1) % per_epoch + 1, per_epoch,
                            0.7 * exp (-(double) s / (n_steps / 3.0)) + 0.1 * sin ((double) s), 1e-3 * (1 - (double) s / n_steps),
                            50 };
      cxr_train_curves_add_step (curves, &step);
      if (s % per_epoch == 0)
        {
          double t = (double) s / n_steps;
          CxrEpochMetrics m = { .epoch = s / per_epoch, .train_loss = 0.7 - 0.5 * t, .val_loss = 0.75 - 0.45 * t,
                                .train_accuracy = 0.5 + 0.45 * t, .val_accuracy = 0.5 + 0.4 * t, .val_auc = 0.6 + 0.35 * t,
                                .best = TRUE };
          cxr_train_curves_add_epoch (curves, &m, s);
        }
    }
}

static int
bench_redraw (void)
{
  g_autoptr (CxrTrainCurves) curves = cxr_train_curves_new ();
  GtkWidget *window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 520);
  CxrPlot *plot = CXR_PLOT (cxr_plot_new ());
  cxr_train_chart_setup (plot, curves);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (plot));
  gtk_window_present (GTK_WINDOW (window));
  bench_ui_spin_until (bench_ui_widget_mapped, plot, 10000, "the plot");
  Probe probe = { 0 };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (plot));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &probe);

  const guint sizes[] = { 1000, 10000, 100000 };
  int width = gtk_widget_get_width (GTK_WIDGET (plot)), height = gtk_widget_get_height (GTK_WIDGET (plot));
  g_print ("redrawing the training plot (%d x %d; 8 curves, 100 epochs):\n", width, height);
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      fill (curves, sizes[k]);
      cxr_train_chart_update_markers (plot, curves);
      double draw[40], draw_cpu[40], frame[40];
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      for (int i = 0; i < 40; i++)
        {
          cairo_t *cr = cairo_create (surface);
          double t0 = bench_now_ms ();
          gint64 cpu0 = bench_ui_thread_cpu_time ();
          cxr_plot_draw (plot, cr, width, height);
          cairo_surface_flush (surface);
          draw_cpu[i] = (bench_ui_thread_cpu_time () - cpu0) / 1000.0;
          draw[i] = bench_now_ms () - t0;
          cairo_destroy (cr);
        }
      cairo_surface_destroy (surface);
      for (int i = 0; i < 40; i++)
        {
          probe.painted = FALSE;
          double t0 = bench_now_ms ();
          gtk_widget_queue_draw (GTK_WIDGET (plot));
          while (!probe.painted)
            g_main_context_iteration (NULL, TRUE);
          frame[i] = bench_now_ms () - t0;
        }
      g_print ("  %6u step points (%u drawn after decimation): cxr_plot_draw median %.2f ms (%.2f ms of CPU), "
               "full frame median %.2f ms\n",
               sizes[k], cxr_plot_get_drawn_points (plot, CXR_CURVE_STEP_LOSS), bench_median (draw, 40),
               bench_median (draw_cpu, 40), bench_median (frame, 40));
    }
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (GTK_WIDGET (plot)));
  g_print ("  renderer: %s\n", G_OBJECT_TYPE_NAME (renderer));
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

int
main (int argc, char *argv[])
{
  if (argc < 2 || (g_strcmp0 (argv[1], "live") != 0 && g_strcmp0 (argv[1], "redraw") != 0))
    {
      g_printerr ("usage: %s live [DATASET] [SECONDS] | redraw   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  if (!bench_ui_init ())
    return 2;
  if (g_str_equal (argv[1], "redraw"))
    return bench_redraw ();
  g_autoptr (CxrApplication) app = bench_ui_application_new ();
  return bench_live (app, argc > 2 ? argv[2] : CXR_DEFAULT_NIH14_DIR, argc > 3 ? (guint) atoi (argv[3]) : 60);
}
