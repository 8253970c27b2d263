/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ui-command-line.c: `cxrcam DIR --model FILE --method M --layer L --threshold T` through the application's
 * real command-line handling (g_application_run), as `cxrcam-cli demo` opens the window on its comparison's
 * winner: the window comes up on the dataset with those CAM settings in its controls and in the settings, and its
 * heatmap is made with them; a bad method, layer or threshold is refused with a message and exit status 1, and
 * sets nothing. Each case runs in a subprocess of its own: an application runs once per process. */
#include <glib/gstdio.h>

#include "cxr-application.h"
#include "cxr-cam-controls.h"
#include "cxr-settings.h"
#include "cxr-ui-test-util.h"
#include "cxr-window-private.h"

typedef struct {
  GApplication *app;    /* while it runs */
  gboolean checked;
  guint n_windows;      /* when it returned */
} Run;

static gboolean
cam_shown (CxrWindow *window)
{
  return window->list_model != NULL && !cxr_current_image_get_loading (window->current)
         && !cxr_current_image_get_analysing (window->current)
         && cxr_pane_content_get_heatmap (window->content) != NULL;
}

/* Polled on the application's main loop: once the window shows the first image's heatmap, checks it and quits. */
static gboolean
check_window (gpointer data)
{
  Run *run = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  if (active == NULL || !cam_shown (CXR_WINDOW (active)))
    return G_SOURCE_CONTINUE;

  CxrWindow *window = CXR_WINDOW (active);
  g_assert_cmpstr (cxr_cam_controls_get_method (window->cam_controls), ==, "layercam");
  g_assert_cmpstr (cxr_cam_controls_get_layer (window->cam_controls), ==, "layer3,layer4");
  g_assert_cmpfloat_with_epsilon (cxr_cam_controls_get_threshold (window->cam_controls), 0.45, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_current_image_get_threshold (window->current), 0.45, 1e-12);

  g_autoptr (GSettings) settings = cxr_settings_new (NULL);
  g_autofree char *method = g_settings_get_string (settings, "cam-method");
  g_autofree char *layer = g_settings_get_string (settings, "cam-layer");
  g_assert_cmpstr (method, ==, "layercam");
  g_assert_cmpstr (layer, ==, "layer3,layer4");
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "cam-threshold"), 0.45, 1e-12);

  run->checked = TRUE;
  gtk_window_destroy (active);
  return G_SOURCE_REMOVE;
}

static int
run_application (const char *const *arguments, Run *run)
{
  g_autoptr (CxrApplication) app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN
                                                  | G_APPLICATION_HANDLES_COMMAND_LINE);
  run->app = G_APPLICATION (app);
  g_auto (GStrv) argv = g_strdupv ((GStrv) arguments);
  guint poll = g_timeout_add (50, check_window, run);
  int status = g_application_run (G_APPLICATION (app), (int) g_strv_length (argv), argv);
  if (!run->checked)
    g_source_remove (poll);
  run->n_windows = g_list_length (gtk_application_get_windows (GTK_APPLICATION (app)));
  run->app = NULL;
  return status;
}

static void
test_winner_in_child (void)
{
  g_autofree char *dataset = cxr_ui_test_make_dataset ();
  g_autofree char *model = cxr_ui_test_model_path ();
  Run run = { 0 };
  /* The spellings `cxrcam-cli demo` prints: the CLI's method name, a fusion with "+". */
  const char *arguments[] = { "cxrcam", dataset, "--model", model, "--method", "layercam", "--layer",
                              "layer3+layer4", "--threshold", "0.45", NULL };
  g_assert_cmpint (run_application (arguments, &run), ==, 0);
  g_assert_true (run.checked);
}

static void
test_winner (void)
{
  g_test_trap_subprocess ("/ui/command-line/winner/subprocess", 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A refused command line: status 1, the message on stderr, no window, and no setting changed (the good --method
 * given with it is not applied either). */
static void
refused_in_child (const char *option, const char *value)
{
  g_autofree char *dataset = cxr_ui_test_make_dataset ();
  Run run = { 0 };
  const char *arguments[] = { "cxrcam", dataset, "--method", "layercam", option, value, NULL };
  g_assert_cmpint (run_application (arguments, &run), ==, 1);
  g_assert_false (run.checked);
  g_assert_cmpuint (run.n_windows, ==, 0);
  g_autoptr (GSettings) settings = cxr_settings_new (NULL);
  g_autofree char *method = g_settings_get_string (settings, "cam-method");
  g_assert_cmpstr (method, ==, "grad-cam");
  g_assert_cmpfloat (g_settings_get_double (settings, "cam-threshold"), ==, 0.5);
}

static void
test_bad_threshold_in_child (void)
{
  refused_in_child ("--threshold", "1.5");
}

static void
test_bad_threshold_text_in_child (void)
{
  /* A decimal comma is not a number here, whatever the locale. */
  refused_in_child ("--threshold", "0,45");
}

static void
test_bad_layer_in_child (void)
{
  refused_in_child ("--layer", "layer3.1");
}

static void
test_bad_method_in_child (void)
{
  refused_in_child ("--method", "gradcam+++");
}

static void
test_refused (void)
{
  const struct {
    const char *path;
    const char *message;
  } cases[] = {
    { "/ui/command-line/refused/threshold/subprocess", "cxrcam: the threshold is a number from 0 to 1, not '1.5'\n" },
    { "/ui/command-line/refused/threshold-text/subprocess",
      "cxrcam: the threshold is a number from 0 to 1, not '0,45'\n" },
    { "/ui/command-line/refused/layer/subprocess",
      "cxrcam: the window has no target layer 'layer3.1' (it offers layer4, layer3, layer2, layer1, layer2+layer3, "
      "layer3+layer4, layer2+layer3+layer4)\n" },
    { "/ui/command-line/refused/method/subprocess", "cxrcam: unknown CAM method 'gradcam+++' (known: *)\n" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_trap_subprocess (cases[i].path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr (cases[i].message);
    }
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui/command-line/winner", test_winner);
  g_test_add_func ("/ui/command-line/winner/subprocess", test_winner_in_child);
  g_test_add_func ("/ui/command-line/refused", test_refused);
  g_test_add_func ("/ui/command-line/refused/threshold/subprocess", test_bad_threshold_in_child);
  g_test_add_func ("/ui/command-line/refused/threshold-text/subprocess", test_bad_threshold_text_in_child);
  g_test_add_func ("/ui/command-line/refused/layer/subprocess", test_bad_layer_in_child);
  g_test_add_func ("/ui/command-line/refused/method/subprocess", test_bad_method_in_child);
  return g_test_run ();
}
