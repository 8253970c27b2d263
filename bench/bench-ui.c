/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-ui: the review window's responsiveness under a real display (run it under xvfb-run).
 *
 *   bench-ui threshold [MODEL]   time from a threshold change to the panes' next frame, on a 1024 x 1024 NIH
 *                                image with its Grad-CAM (MODEL: default the tiny fixture network; the CAM is
 *                                upsampled to the image either way, which is what the re-cut costs)
 *   bench-ui open FOLDER         time from opening FOLDER (a dataset: 200 DICOM files for bench/run-dicom) to its
 *                                first image on screen, in a fresh process (the DICOM decoder starts cold)
 *   bench-ui scroll              scroll the 280-image list top to bottom and back, with an empty thumbnail
 *                                cache, and report the main loop's longest stall and the frame times
 *
 * The clock stops at the frame clock's "after-paint" of the first frame after the change: the re-cut of the
 * cached CAM, the mask texture, the scene graph and its rendering are all inside.
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>

#include "bench-ui-util.h"
#include "cxr-application.h"
#include "cxr-window-private.h"

typedef struct {
  CxrWindow *window;
  gboolean painted;
  gint64 painted_at;
  GArray *frame_times;    /* double ms between after-paints */
  gint64 last_paint;
} Bench;

static gboolean
dataset_shown (gpointer data)
{
  Bench *bench = data;
  return bench->window->list_model != NULL && cxr_pane_content_get_image (bench->window->content) != NULL
         && !cxr_current_image_get_loading (bench->window->current);
}

static gboolean
cam_shown (gpointer data)
{
  Bench *bench = data;
  return dataset_shown (bench) && !cxr_current_image_get_analysing (bench->window->current)
         && cxr_pane_content_get_heatmap (bench->window->content) != NULL;
}

static gboolean
painted (gpointer data)
{
  Bench *bench = data;
  return bench->painted;
}

static void
on_after_paint (GdkFrameClock *clock, Bench *bench)
{
  gint64 now = g_get_monotonic_time ();
  bench->painted = TRUE;
  bench->painted_at = now;
  if (bench->frame_times != NULL && bench->last_paint != 0)
    {
      double ms = (now - bench->last_paint) / 1000.0;
      g_array_append_val (bench->frame_times, ms);
    }
  bench->last_paint = now;
}

static CxrWindow *
open_window (Bench *bench, CxrApplication *app, int width, int height)
{
  CxrWindow *window = bench_ui_window_new (app, width, height);
  bench->window = window;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), bench);
  return window;
}

/* ---- threshold ---------------------------------------------------------------- */

static int
bench_threshold (CxrApplication *app, const char *model_path)
{
  Bench bench = { 0 };
  CxrWindow *window = open_window (&bench, app, 1600, 1000);

  g_autoptr (GFile) folder = g_file_new_for_path (CXR_DEFAULT_NIH14_DIR);
  cxr_window_open_dataset (window, folder);
  bench_ui_spin_until (dataset_shown, &bench, 30000, "the dataset");
  guint index;
  if (!cxr_dataset_lookup (window->dataset, "00001369_000.png", &index))
    g_error ("00001369_000.png is not in %s", CXR_DEFAULT_NIH14_DIR);
  cxr_image_list_select_index (window->image_list, index);
  g_autoptr (GFile) model = g_file_new_for_path (model_path);
  cxr_window_open_model (window, model);
  bench_ui_spin_until (cam_shown, &bench, 120000, "the Grad-CAM");
  int width, height;
  cxr_pane_content_get_size (window->content, &width, &height);
  bench_ui_spin_for (500);

  GtkAdjustment *threshold = cxr_cam_controls_get_threshold_adjustment (window->cam_controls);
  g_autoptr (GArray) to_frame = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) in_handler = g_array_new (FALSE, FALSE, sizeof (double));
  const guint n = g_getenv ("CXR_BENCH_N") ? atoi (g_getenv ("CXR_BENCH_N")) : 60;
  for (guint i = 0; i < n; i++)
    {
      /* Sweep up and down through the range, as a hand on the slider does. */
      double t = 0.2 + 0.6 * fabs (sin (i * 0.21));
      bench.painted = FALSE;
      gint64 start = g_get_monotonic_time ();
      gtk_adjustment_set_value (threshold, t);
      gint64 handled = g_get_monotonic_time ();
      bench_ui_spin_until (painted, &bench, 5000, "a frame");
      double ms = (bench.painted_at - start) / 1000.0, handler_ms = (handled - start) / 1000.0;
      g_array_append_val (to_frame, ms);
      g_array_append_val (in_handler, handler_ms);
      bench_ui_spin_for (30);
    }

  /* The same frame with nothing changed: what the renderer alone costs for the four panes. */
  g_autoptr (GArray) redraw = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      bench.painted = FALSE;
      gint64 start = g_get_monotonic_time ();
      gtk_widget_queue_draw (GTK_WIDGET (window->compare_view));
      bench_ui_spin_until (painted, &bench, 5000, "a frame");
      double ms = (bench.painted_at - start) / 1000.0;
      g_array_append_val (redraw, ms);
      bench_ui_spin_for (30);
    }

  /* A one-label change: what any frame costs with this renderer (a full repaint when it cannot use damage). */
  g_autoptr (GArray) label_frame = g_array_new (FALSE, FALSE, sizeof (double));
  GtkLabel *count = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window->image_list), CXR_TYPE_IMAGE_LIST,
                                                              "count_label"));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", i);
      bench.painted = FALSE;
      gint64 start = g_get_monotonic_time ();
      gtk_label_set_label (count, text);
      bench_ui_spin_until (painted, &bench, 5000, "a frame");
      double ms = (bench.painted_at - start) / 1000.0;
      g_array_append_val (label_frame, ms);
      bench_ui_spin_for (30);
    }

  g_print ("threshold change -> next frame, %dx%d image, %u changes:\n", width, height, n);
  g_print ("  to after-paint: median %.2f ms, p95 %.2f ms, max %.2f ms\n", bench_ui_percentile (to_frame, 0.5),
           bench_ui_percentile (to_frame, 0.95), bench_ui_percentile (to_frame, 1.0));
  g_print ("  of which the re-cut (mask, box, scores, mask texture) on the main thread: median %.2f ms, max %.2f ms\n",
           bench_ui_percentile (in_handler, 0.5), bench_ui_percentile (in_handler, 1.0));
  g_print ("  for comparison, redrawing the four panes unchanged: median %.2f ms, p95 %.2f ms\n",
           bench_ui_percentile (redraw, 0.5), bench_ui_percentile (redraw, 0.95));
  g_print ("  for comparison, a frame where one small label changed: median %.2f ms, p95 %.2f ms\n",
           bench_ui_percentile (label_frame, 0.5), bench_ui_percentile (label_frame, 0.95));
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_print ("  renderer: %s\n", G_OBJECT_TYPE_NAME (renderer));
  gtk_window_destroy (GTK_WINDOW (window));
  return bench_ui_percentile (to_frame, 0.5) <= 16.0 ? 0 : 1;
}

/* ---- opening a folder ---------------------------------------------------------- */

static int
bench_open (CxrApplication *app, const char *path)
{
  Bench bench = { 0 };
  CxrWindow *window = open_window (&bench, app, 1600, 1000);
  bench_ui_spin_for (300);
  g_autoptr (GFile) folder = g_file_new_for_path (path);
  double start = g_get_monotonic_time () / 1000.0;
  cxr_window_open_dataset (window, folder);
  bench_ui_spin_until (dataset_shown, &bench, 60000, "the dataset's first image");
  /* And the frame that shows it. */
  bench.painted = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (window));
  bench_ui_spin_until (painted, &bench, 10000, "a frame");
  double shown = bench.painted_at / 1000.0;
  g_print ("open %s: first image on screen after %.1f ms (%u images)\n", path, shown - start,
           g_list_model_get_n_items (G_LIST_MODEL (window->list_model)));
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

/* ---- scrolling ---------------------------------------------------------------- */

static int
bench_scroll (CxrApplication *app)
{
  Bench bench = { 0 };
  CxrWindow *window = open_window (&bench, app, 1600, 1000);

  g_autoptr (GFile) folder = g_file_new_for_path (CXR_DEFAULT_NIH14_DIR);
  cxr_window_open_dataset (window, folder);
  bench_ui_spin_until (dataset_shown, &bench, 30000, "the dataset");
  bench_ui_spin_for (300);

  GtkWidget *list_view = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (window->image_list), CXR_TYPE_IMAGE_LIST,
                                                        "list_view");
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_parent (list_view));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

  bench.frame_times = g_array_new (FALSE, FALSE, sizeof (double));
  bench.last_paint = 0;
  BenchUiStallProbe stalls;
  bench_ui_stall_probe_start (&stalls);
  gint64 start = g_get_monotonic_time ();
  guint steps = 0;
  /* Two passes down and up, 120 px per frame (a brisk flick of the wheel), over the whole list. */
  for (int pass = 0; pass < 4; pass++)
    {
      gboolean down = pass % 2 == 0;
      for (;;)
        {
          double value = gtk_adjustment_get_value (adjustment);
          double upper = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
          if ((down && value >= upper) || (!down && value <= 0))
            break;
          gtk_adjustment_set_value (adjustment, CLAMP (value + (down ? 120 : -120), 0, upper));
          bench.painted = FALSE;
          bench_ui_spin_until (painted, &bench, 5000, "a frame");
          steps++;
        }
    }
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  bench_ui_stall_probe_stop (&stalls);

  g_print ("scrolling the %u-image list, %u steps of 120 px in %.1f s (thumbnail cache empty at start):\n",
           g_list_model_get_n_items (G_LIST_MODEL (window->list_model)), steps, seconds);
  g_print ("  longest main-loop stall: %.1f ms wall clock, of which at most %.1f ms of the main thread's own CPU time\n",
           stalls.longest_stall / 1000.0, stalls.longest_busy / 1000.0);
  g_print ("  frame interval: median %.1f ms, p95 %.1f ms, max %.1f ms\n", bench_ui_percentile (bench.frame_times, 0.5),
           bench_ui_percentile (bench.frame_times, 0.95), bench_ui_percentile (bench.frame_times, 1.0));
  /* Every thumbnail decoded on the way went through the thumbnailer's workers into its disk cache. */
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "cxrcam", "thumbnails", NULL);
  guint n_thumbnails = 0;
  g_autoptr (GDir) dir = g_dir_open (cache_dir, 0, NULL);
  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n_thumbnails++;
  g_print ("  thumbnails decoded on the thumbnailer's workers during the scroll: %u\n", n_thumbnails);
  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (bench.frame_times);
  /* A PNG decode of a 1024 x 1024 radiograph takes 20-40 ms of CPU: a main thread that never spends that much
   * between two ticks never decoded one. */
  return stalls.longest_busy < 20000 ? 0 : 1;
}

int
main (int argc, char *argv[])
{
  if (argc < 2 || (g_strcmp0 (argv[1], "threshold") != 0 && g_strcmp0 (argv[1], "scroll") != 0
                    && (g_strcmp0 (argv[1], "open") != 0 || argc < 3)))
    {
      g_printerr ("usage: %s threshold [MODEL] | open FOLDER | scroll   (under xvfb-run)\n", argv[0]);
      return 2;
    }

  /* Thumbnails into a fresh, empty cache. */
  g_autofree char *cache = g_dir_make_tmp ("cxrcam-bench-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  if (!bench_ui_init ())
    return 2;
  g_autoptr (CxrApplication) app = bench_ui_application_new ();

  int status = g_str_equal (argv[1], "open") ? bench_open (app, argv[2])
    : g_str_equal (argv[1], "threshold")
    ? bench_threshold (app, argc > 2 ? argv[2] : CXR_SOURCE_DIR "/tests/reference/fixtures/networks/basic_c1_k14.pth")
    : bench_scroll (app);

  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", cache);
  if (system (command) != 0)
    g_printerr ("could not remove %s\n", cache);
  return status;
}
