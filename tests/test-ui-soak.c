/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A soak of the review window: random image switches, threshold moves and method changes in one session. After
 * two of every three switches, once the image has settled, the overlays are there for every image that has a
 * result; no GLib warning or critical is logged; the peak resident memory is reported after 100 switches and at
 * the end.
 *
 * In the suite: 100 switches on the UI tests' small dataset and tiny network. The long run (500 switches on real
 * radiographs with a trained ResNet-18; minutes, so outside the suite):
 *
 *   CXR_SOAK_SWITCHES=500 CXR_SOAK_DATASET=../shared/data/nih14 CXR_SOAK_MODEL=/work/artifacts/r18-nih14/best.pth \
 *     dbus-run-session -- xvfb-run -a -s "-screen 0 1600x1000x24" build/tests/test-ui-soak --tap
 */
#include <adwaita.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static guint n_warnings;

static GLogWriterOutput
count_warnings (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))
    n_warnings++;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* kB, from /proc/self/status: VmHWM (the peak) or VmRSS (now). */
static guint64
status_kb (const char *key)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  const char *line = strstr (status, key);
  return line != NULL ? g_ascii_strtoull (line + strlen (key) + 1, NULL, 10) : 0;
}

static gboolean
settled (gpointer data)
{
  Fixture *f = data;
  return cxr_window_fixture_image_settled (f) && !cxr_current_image_get_analysing (f->window->current);
}

static void
check_overlays (Fixture *f, guint step)
{
  CxrCurrentImage *current = f->window->current;
  if (cxr_current_image_get_error (current) != NULL || isnan (cxr_current_image_get_probability (current)))
    return;   /* no result for this image (the broken file): nothing to show */
  if (cxr_pane_content_get_heatmap (f->window->content) == NULL || cxr_pane_content_get_mask (f->window->content) == NULL)
    g_error ("step %u, %s: a result without its overlays", step, cxr_window_fixture_current_name (f));
}

static void
test_soak (Fixture *f, gconstpointer data)
{
  const char *switches_env = g_getenv ("CXR_SOAK_SWITCHES");
  guint n_switches = switches_env != NULL ? (guint) g_ascii_strtoull (switches_env, NULL, 10) : 100;
  if (g_getenv ("CXR_SOAK_DATASET") != NULL)
    {
      g_free (f->dataset);
      f->dataset = g_strdup (g_getenv ("CXR_SOAK_DATASET"));
    }
  if (g_getenv ("CXR_SOAK_MODEL") != NULL)
    {
      g_free (f->model);
      f->model = g_strdup (g_getenv ("CXR_SOAK_MODEL"));
    }
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  g_log_set_writer_func (count_warnings, NULL, NULL);

  GRand *rand = g_rand_new_with_seed (20261202);
  /* The images in the folder (Data_Entry may list many more). */
  g_autoptr (GArray) images = cxr_image_list_model_dup_images (f->window->list_model);
  guint n_images = images->len;
  g_assert_cmpuint (n_images, >=, 2);
  guint n_thresholds = 0, n_methods = 0, n_checked = 0;
  guint64 rss_at_100 = 0, hwm_at_100 = 0;
  gint64 start = g_get_monotonic_time ();
  GtkAdjustment *threshold = cxr_cam_controls_get_threshold_adjustment (f->window->cam_controls);

  /* Each step switches to another image (never the one on screen, so that every step is a switch); about half
   * the steps also move the threshold and one in seven changes the method, before or after the switch. */
  for (guint step = 1; step <= n_switches; step++)
    {
      guint current = cxr_current_image_get_index (f->window->current);
      guint index;
      do
        index = g_array_index (images, guint, g_rand_int_range (rand, 0, (gint32) n_images));
      while (index == current);
      gboolean threshold_first = g_rand_boolean (rand);
      gboolean move_threshold = g_rand_double (rand) < 0.5;
      gboolean change_method = g_rand_double (rand) < 1.0 / 7.0;
      if (move_threshold && threshold_first)
        gtk_adjustment_set_value (threshold, g_rand_double_range (rand, 0.05, 0.95));
      g_assert_true (cxr_image_list_select_index (f->window->image_list, index));
      g_assert_cmpuint (cxr_current_image_get_index (f->window->current), ==, index);
      if (move_threshold && !threshold_first)
        gtk_adjustment_set_value (threshold, g_rand_double_range (rand, 0.05, 0.95));
      n_thresholds += move_threshold;
      if (change_method)
        {
          const char *method = cxr_cam_controls_get_method (f->window->cam_controls);
          cxr_cam_controls_set_method (f->window->cam_controls,
                                       g_str_equal (method, "grad-cam") ? "grad-cam++" : "grad-cam");
          n_methods++;
        }
      /* Every third step goes on without waiting: requests overtake each other, and the latest must win. */
      if (step % 3 != 0)
        {
          cxr_ui_test_wait_until (settled, f, 60000, "the image to settle");
          check_overlays (f, step);
          n_checked++;
        }
      if (step == 100)
        {
          rss_at_100 = status_kb ("VmRSS:");
          hwm_at_100 = status_kb ("VmHWM:");
        }
    }
  cxr_ui_test_wait_until (settled, f, 60000, "the last image to settle");
  check_overlays (f, n_switches);
  g_rand_free (rand);

  double seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("soak: %u image switches with %u threshold moves and %u method changes in %.1f s on %u images; "
                  "overlays checked %u times; RSS after 100 switches %" G_GUINT64_FORMAT " kB (peak %"
                  G_GUINT64_FORMAT " kB), after %u switches %" G_GUINT64_FORMAT " kB (peak %" G_GUINT64_FORMAT
                  " kB); %u warnings", n_switches, n_thresholds, n_methods, seconds, n_images, n_checked, rss_at_100,
                  hwm_at_100, n_switches, status_kb ("VmRSS:"), status_kb ("VmHWM:"), n_warnings);
  g_assert_cmpuint (n_warnings, ==, 0);
  g_assert_cmpuint (n_checked, >=, n_switches * 2 / 3);
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();
  g_test_add ("/ui/soak/switch-threshold-method", Fixture, NULL, cxr_window_fixture_set_up, test_soak,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
