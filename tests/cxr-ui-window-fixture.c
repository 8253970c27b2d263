/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ui-window-fixture.c: see cxr-ui-window-fixture.h. */
#include "cxr-ui-window-fixture.h"

#include <gdk/x11/gdkx.h>

#include "cxr-ui-test-util.h"

/* One application for the whole program: an application id can be registered on the bus once. */
static CxrApplication *fixture_app;

CxrApplication *
cxr_window_fixture_init_app (void)
{
  fixture_app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (fixture_app), G_APPLICATION_NON_UNIQUE);
  g_autoptr (GError) error = NULL;
  if (!g_application_register (G_APPLICATION (fixture_app), NULL, &error))
    g_error ("could not register the application: %s", error->message);
  return fixture_app;
}

void
cxr_window_fixture_free_app (void)
{
  g_clear_object (&fixture_app);
}

static gboolean
window_allocated (gpointer data)
{
  CxrWindowFixture *f = data;
  return gtk_widget_get_mapped (GTK_WIDGET (f->window)) && gtk_widget_get_width (GTK_WIDGET (f->window)) > 0;
}

static gboolean
dataset_shown (gpointer data)
{
  CxrWindowFixture *f = data;
  return f->window->list_model != NULL && cxr_pane_content_get_image (f->window->content) != NULL
         && !cxr_current_image_get_loading (f->window->current);
}

gboolean
cxr_window_fixture_image_settled (gpointer data)
{
  CxrWindowFixture *f = data;
  return !cxr_current_image_get_loading (f->window->current) && !cxr_current_image_get_analysing (f->window->current);
}

gboolean
cxr_window_fixture_cam_shown (gpointer data)
{
  CxrWindowFixture *f = data;
  return cxr_window_fixture_image_settled (f) && cxr_pane_content_get_heatmap (f->window->content) != NULL;
}

static gboolean
model_loaded (gpointer data)
{
  CxrWindowFixture *f = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (f->window->engine);
  return model != NULL;
}

gboolean
cxr_window_fixture_run_finished (gpointer data)
{
  CxrWindowFixture *f = data;
  return !_cxr_window_is_running (f->window) && f->window->n_jobs == 0;
}

void
cxr_window_fixture_set_up_sized (CxrWindowFixture *f, int width, int height)
{
  f->dataset = cxr_ui_test_make_dataset ();
  f->model = cxr_ui_test_model_path ();
  f->window = cxr_window_new (fixture_app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  gtk_window_present (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (window_allocated, f, 5000, "the window to appear");
}

void
cxr_window_fixture_set_up (CxrWindowFixture *f, gconstpointer data)
{
  cxr_ui_test_reset_settings ();
  cxr_window_fixture_set_up_sized (f, 1400, 900);
}

void
cxr_window_fixture_tear_down (CxrWindowFixture *f, gconstpointer data)
{
  if (f->window != NULL)
    cxr_ui_test_destroy_window (g_steal_pointer (&f->window));
  /* Let cancelled jobs report back before the next test. */
  cxr_ui_test_spin (200);
  g_free (f->dataset);
  g_free (f->model);
}

void
cxr_window_fixture_open_dataset (CxrWindowFixture *f)
{
  g_autoptr (GFile) folder = g_file_new_for_path (f->dataset);
  cxr_window_open_dataset (f->window, folder);
  cxr_ui_test_wait_until (dataset_shown, f, 10000, "the dataset's first image");
}

void
cxr_window_fixture_open_model (CxrWindowFixture *f)
{
  g_autoptr (GFile) file = g_file_new_for_path (f->model);
  cxr_window_open_model (f->window, file);
  cxr_ui_test_wait_until (model_loaded, f, 10000, "the model");
  cxr_ui_test_wait_until (cxr_window_fixture_cam_shown, f, 20000, "the first image's Grad-CAM");
}

void
cxr_window_fixture_activate (CxrWindowFixture *f, const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), action, NULL));
}

const char *
cxr_window_fixture_current_name (CxrWindowFixture *f)
{
  guint index = cxr_current_image_get_index (f->window->current);
  g_assert_cmpuint (index, !=, G_MAXUINT);
  return cxr_dataset_get_entry (f->window->dataset, index)->name;
}

/* ---- real input ----------------------------------------------------------------- */

static void
on_subprocess_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;
  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Runs a command to its end while the main loop turns, so that the window handles the input as it comes. */
static void
run_turning (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  gboolean done = FALSE;
  g_subprocess_wait_check_async (process, NULL, on_subprocess_done, &done);
  cxr_ui_test_wait_until (flag_set, &done, 10000, argv[0]);
}

static Window
window_xid (CxrWindowFixture *f)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return gdk_x11_surface_get_xid (surface);
}

void
cxr_window_fixture_xdotool (CxrWindowFixture *f, const char *first_arg, ...)
{
  /* Xvfb has no window manager: give the window the keyboard focus ourselves. */
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) window_xid (f));
  const char *focus[] = { "xdotool", "windowfocus", xid, NULL };
  run_turning (focus);

  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "xdotool");
  va_list args;
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_turning ((const char *const *) argv->pdata);
  /* The X server has the events; GTK reads and dispatches them on the next turns. */
  cxr_ui_test_spin (100);
}

void
cxr_window_fixture_key (CxrWindowFixture *f, const char *keys)
{
  cxr_window_fixture_xdotool (f, "key", "--delay", "40", keys, NULL);
}

void
cxr_window_fixture_type (CxrWindowFixture *f, const char *text)
{
  cxr_window_fixture_xdotool (f, "type", "--delay", "40", text, NULL);
}

void
cxr_window_fixture_click (CxrWindowFixture *f, GtkWidget *widget, double x, double y)
{
  graphene_point_t in_window;
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (x, y), &in_window));
  /* Window coordinates count from the surface, which may have a shadow around the window. */
  double surface_x, surface_y;
  gtk_native_get_surface_transform (GTK_NATIVE (f->window), &surface_x, &surface_y);
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) window_xid (f));
  g_autofree char *px = g_strdup_printf ("%d", (int) (in_window.x + surface_x));
  g_autofree char *py = g_strdup_printf ("%d", (int) (in_window.y + surface_y));
  cxr_window_fixture_xdotool (f, "mousemove", "--window", xid, px, py, "sleep", "0.1", "click", "1", NULL);
}

void
cxr_window_fixture_screenshot (CxrWindowFixture *f, const char *path)
{
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) window_xid (f));
  const char *argv[] = { "import", "-window", xid, path, NULL };
  run_turning (argv);
}
