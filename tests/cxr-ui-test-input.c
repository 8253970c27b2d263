/* cxr-ui-test-input.c: see cxr-ui-test-input.h. */
#include "cxr-ui-test-input.h"

#include <gdk/x11/gdkx.h>
#include <math.h>

#include "cxr-ui-test-util.h"

static guint64
window_xid (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_assert_nonnull (native);
  GdkSurface *surface = gtk_native_get_surface (native);
  if (!GDK_IS_X11_SURFACE (surface))
    g_error ("the UI input tests need an X11 display (xvfb-run)");
  return gdk_x11_surface_get_xid (surface);
}

static void
run_xdotool (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  gboolean ran = g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error);
  if (!ran)
    g_error ("cannot run xdotool (install it: apt-get install xdotool): %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdotool %s failed: %s", args[0], err ? err : "");
  /* The events are in the X server's queue now; let GTK read and handle them. */
  cxr_ui_test_spin (120);
}

/* On top and focused: without a window manager nothing raises a window that another one covers. */
static void
focus_window (guint64 xid)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, xid);
  const char *raise[] = { "windowraise", id, NULL };
  run_xdotool (raise);
  const char *focus[] = { "windowfocus", "--sync", id, NULL };
  run_xdotool (focus);
}

/* @widget's point in its window's X coordinates. */
static void
window_point (GtkWidget *widget, double x, double y, int *wx, int *wy)
{
  if (isnan (x) || isnan (y))
    {
      x = gtk_widget_get_width (widget) / 2.0;
      y = gtk_widget_get_height (widget) / 2.0;
    }
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t in_native;
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT ((float) x, (float) y),
                                           &in_native));
  /* The surface may start outside the widget tree's origin (client-side shadows). */
  double sx, sy;
  gtk_native_get_surface_transform (native, &sx, &sy);
  *wx = (int) lround (in_native.x + sx);
  *wy = (int) lround (in_native.y + sy);
}

void
cxr_ui_test_pointer_move (GtkWidget *widget, double x, double y)
{
  int wx, wy;
  window_point (widget, x, y, &wx, &wy);
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, window_xid (widget));
  g_autofree char *xs = g_strdup_printf ("%d", wx);
  g_autofree char *ys = g_strdup_printf ("%d", wy);
  const char *args[] = { "mousemove", "--sync", "--window", id, xs, ys, NULL };
  run_xdotool (args);
}

void
cxr_ui_test_click (GtkWidget *widget, double x, double y, int button)
{
  guint64 xid = window_xid (widget);
  focus_window (xid);
  cxr_ui_test_pointer_move (widget, x, y);
  g_autofree char *b = g_strdup_printf ("%d", button);
  const char *args[] = { "click", b, NULL };
  run_xdotool (args);
}

void
cxr_ui_test_key (GtkWidget *widget, const char *keys)
{
  focus_window (window_xid (widget));
  const char *args[] = { "key", "--clearmodifiers", keys, NULL };
  run_xdotool (args);
}

void
cxr_ui_test_type (GtkWidget *widget, const char *text)
{
  focus_window (window_xid (widget));
  const char *args[] = { "type", "--delay", "20", text, NULL };
  run_xdotool (args);
}
