/* The review session as a radiologist works through it, with real keys and clicks under Xvfb (xdotool): marking
 * images reviewed with Space after moving with D, the overlays of an image found by searching and clicking, a clean
 * start whatever the saved settings. Each test here once failed on the defect it names (issue 10). */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static gboolean
review_file_has (Fixture *f, const char *needle)
{
  g_autofree char *path = cxr_dataset_dup_review_path (f->window->dataset);
  g_autofree char *text = NULL;
  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

static gboolean
third_image_saved (gpointer data)
{
  return review_file_has (data, "00000003_000.png");
}

static gboolean
is_reviewed (Fixture *f, const char *name)
{
  CxrReviewEntry entry;
  return cxr_review_lookup (f->window->review, name, &entry) && entry.reviewed;
}

/* Settings saved by an earlier session (Grad-CAM++) once made the window update its actions before it had them:
 * thirty GLib-GIO-CRITICALs at every start. Criticals are fatal here. */
static void
test_start_with_saved_settings (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_reset_settings ();
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_string (settings, "cam-method", "grad-cam++");
  g_settings_set_string (settings, "cam-layer", "layer3");
  g_settings_set_string (settings, "colormap", "viridis");
  cxr_window_fixture_set_up_sized (f, 1400, 900);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "next-image"));
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  g_assert_cmpstr (cxr_cam_controls_get_method (f->window->cam_controls), ==, "grad-cam++");
}

/* D, D, Space: the third image is marked reviewed and stays on screen; the flag reaches the sidecar. Once the
 * list's keyboard focus stayed on the first row while D moved the selection, and Space selected that row. */
static void
test_space_marks_reviewed (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  cxr_window_fixture_key (f, "d");
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the third image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  cxr_window_fixture_key (f, "space");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  g_assert_true (is_reviewed (f, "00000003_000.png"));
  g_assert_false (is_reviewed (f, "00000001_000.png"));
  cxr_ui_test_wait_until (third_image_saved, f, 5000, "the review sidecar");

  /* Arrow keys continue from the selection too, and Space again takes the mark away. */
  cxr_window_fixture_key (f, "Down");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the fourth image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000004_000.png");
  cxr_window_fixture_key (f, "a");
  cxr_window_fixture_key (f, "space");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  g_assert_false (is_reviewed (f, "00000003_000.png"));
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

  g_test_add ("/ui/review/start-with-saved-settings", Fixture, NULL, NULL, test_start_with_saved_settings,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/review/space-marks-reviewed", Fixture, NULL, cxr_window_fixture_set_up, test_space_marks_reviewed,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
