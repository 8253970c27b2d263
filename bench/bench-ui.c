/* bench-ui: the review window's responsiveness under a real display (run it under xvfb-run).
 *
 *   bench-ui threshold [MODEL]   time from a threshold change to the panes' next frame, on a 1024 x 1024 NIH
 *                                image with its Grad-CAM (MODEL: default the tiny fixture network; the CAM is
 *                                upsampled to the image either way, which is what the re-cut costs)
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
#include <time.h>

#include "cxr-application.h"
#include "cxr-window-private.h"

typedef struct {
  CxrWindow *window;
  gboolean painted;
  gint64 painted_at;
  /* main-loop stall probe */
  gint64 last_tick;
  gint64 longest_stall;
  gint64 last_tick_cpu;     /* the main thread's CPU time at the last tick */
  gint64 longest_busy;      /* the most CPU time the main thread spent between two ticks */
  GArray *frame_times;    /* double ms between after-paints */
  gint64 last_paint;
} Bench;

static void
spin_until (gboolean (*condition) (Bench *), Bench *bench, guint timeout_ms, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (!condition (bench))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static void
spin_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static gboolean
window_ready (Bench *bench)
{
  return gtk_widget_get_mapped (GTK_WIDGET (bench->window)) && gtk_widget_get_width (GTK_WIDGET (bench->window)) > 0;
}

static gboolean
dataset_shown (Bench *bench)
{
  return bench->window->list_model != NULL && cxr_pane_content_get_image (bench->window->content) != NULL
         && !cxr_current_image_get_loading (bench->window->current);
}

static gboolean
cam_shown (Bench *bench)
{
  return dataset_shown (bench) && !cxr_current_image_get_analysing (bench->window->current)
         && cxr_pane_content_get_heatmap (bench->window->content) != NULL;
}

static gboolean
painted (Bench *bench)
{
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

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values, double p)
{
  g_array_sort (values, compare_doubles);
  guint i = (guint) lround (p * (values->len - 1));
  return g_array_index (values, double, i);
}

static CxrWindow *
open_window (Bench *bench, CxrApplication *app, int width, int height)
{
  CxrWindow *window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  bench->window = window;
  spin_until (window_ready, bench, 10000, "the window");
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
  spin_until (dataset_shown, &bench, 30000, "the dataset");
  guint index;
  if (!cxr_dataset_lookup (window->dataset, "00001369_000.png", &index))
    g_error ("00001369_000.png is not in %s", CXR_DEFAULT_NIH14_DIR);
  cxr_image_list_select_index (window->image_list, index);
  g_autoptr (GFile) model = g_file_new_for_path (model_path);
  cxr_window_open_model (window, model);
  spin_until (cam_shown, &bench, 120000, "the Grad-CAM");
  int width, height;
  cxr_pane_content_get_size (window->content, &width, &height);
  spin_for (500);

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
      spin_until (painted, &bench, 5000, "a frame");
      double ms = (bench.painted_at - start) / 1000.0, handler_ms = (handled - start) / 1000.0;
      g_array_append_val (to_frame, ms);
      g_array_append_val (in_handler, handler_ms);
      spin_for (30);
    }

  /* The same frame with nothing changed: what the renderer alone costs for the four panes. */
  g_autoptr (GArray) redraw = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      bench.painted = FALSE;
      gint64 start = g_get_monotonic_time ();
      gtk_widget_queue_draw (GTK_WIDGET (window->compare_view));
      spin_until (painted, &bench, 5000, "a frame");
      double ms = (bench.painted_at - start) / 1000.0;
      g_array_append_val (redraw, ms);
      spin_for (30);
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
      spin_until (painted, &bench, 5000, "a frame");
      double ms = (bench.painted_at - start) / 1000.0;
      g_array_append_val (label_frame, ms);
      spin_for (30);
    }

  g_print ("threshold change -> next frame, %dx%d image, %u changes:\n", width, height, n);
  g_print ("  to after-paint: median %.2f ms, p95 %.2f ms, max %.2f ms\n", percentile (to_frame, 0.5),
           percentile (to_frame, 0.95), percentile (to_frame, 1.0));
  g_print ("  of which the re-cut (mask, box, scores, mask texture) on the main thread: median %.2f ms, max %.2f ms\n",
           percentile (in_handler, 0.5), percentile (in_handler, 1.0));
  g_print ("  for comparison, redrawing the four panes unchanged: median %.2f ms, p95 %.2f ms\n",
           percentile (redraw, 0.5), percentile (redraw, 0.95));
  g_print ("  for comparison, a frame where one small label changed: median %.2f ms, p95 %.2f ms\n",
           percentile (label_frame, 0.5), percentile (label_frame, 0.95));
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_print ("  renderer: %s\n", G_OBJECT_TYPE_NAME (renderer));
  gtk_window_destroy (GTK_WINDOW (window));
  return percentile (to_frame, 0.5) <= 16.0 ? 0 : 1;
}

/* ---- scrolling ---------------------------------------------------------------- */

static gint64
thread_cpu_time (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Wall time between two ticks is the stall as the user sees it, including time the machine gave to other
 * processes; the main thread's CPU time between them is what this program itself spent. */
static gboolean
on_tick (gpointer data)
{
  Bench *bench = data;
  gint64 now = g_get_monotonic_time (), cpu = thread_cpu_time ();
  if (bench->last_tick != 0)
    {
      bench->longest_stall = MAX (bench->longest_stall, now - bench->last_tick);
      bench->longest_busy = MAX (bench->longest_busy, cpu - bench->last_tick_cpu);
    }
  bench->last_tick = now;
  bench->last_tick_cpu = cpu;
  return G_SOURCE_CONTINUE;
}

static int
bench_scroll (CxrApplication *app)
{
  Bench bench = { 0 };
  CxrWindow *window = open_window (&bench, app, 1600, 1000);

  g_autoptr (GFile) folder = g_file_new_for_path (CXR_DEFAULT_NIH14_DIR);
  cxr_window_open_dataset (window, folder);
  spin_until (dataset_shown, &bench, 30000, "the dataset");
  spin_for (300);

  GtkWidget *list_view = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (window->image_list), CXR_TYPE_IMAGE_LIST,
                                                        "list_view");
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_parent (list_view));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

  /* The probe: a 1 ms timeout at default priority; the longest gap between two of its runs is the longest time
   * the main loop was busy with something else. */
  bench.frame_times = g_array_new (FALSE, FALSE, sizeof (double));
  bench.last_paint = 0;
  guint probe = g_timeout_add (1, on_tick, &bench);
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
          spin_until (painted, &bench, 5000, "a frame");
          steps++;
        }
    }
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (probe);

  g_print ("scrolling the %u-image list, %u steps of 120 px in %.1f s (thumbnail cache empty at start):\n",
           g_list_model_get_n_items (G_LIST_MODEL (window->list_model)), steps, seconds);
  g_print ("  longest main-loop stall: %.1f ms wall clock, of which at most %.1f ms of the main thread's own CPU time\n",
           bench.longest_stall / 1000.0, bench.longest_busy / 1000.0);
  g_print ("  frame interval: median %.1f ms, p95 %.1f ms, max %.1f ms\n", percentile (bench.frame_times, 0.5),
           percentile (bench.frame_times, 0.95), percentile (bench.frame_times, 1.0));
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
  return bench.longest_busy < 20000 ? 0 : 1;
}

int
main (int argc, char *argv[])
{
  if (argc < 2 || (g_strcmp0 (argv[1], "threshold") != 0 && g_strcmp0 (argv[1], "scroll") != 0))
    {
      g_printerr ("usage: %s threshold [MODEL] | scroll   (under xvfb-run)\n", argv[0]);
      return 2;
    }

  /* Settings in memory from this build's schema; thumbnails into a fresh, empty cache. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", CXR_BUILD_DIR "/data", TRUE);
  g_autofree char *cache = g_dir_make_tmp ("cxrcam-bench-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 2;
    }
  adw_init ();
  g_autoptr (CxrApplication) app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  int status = g_str_equal (argv[1], "threshold")
    ? bench_threshold (app, argc > 2 ? argv[2] : CXR_SOURCE_DIR "/tests/reference/fixtures/networks/basic_c1_k14.pth")
    : bench_scroll (app);

  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", cache);
  if (system (command) != 0)
    g_printerr ("could not remove %s\n", cache);
  return status;
}
