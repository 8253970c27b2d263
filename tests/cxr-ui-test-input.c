/* SPDX-License-Identifier: GPL-3.0-or-later */
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
  /* GTK's own stacking requests (a window presented a moment ago) reach the server first, or they would
   * land after ours. */
  gdk_display_sync (gdk_display_get_default ());
  cxr_ui_test_spin (50);
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

void
cxr_ui_test_scroll (GtkWidget *widget, int clicks)
{
  focus_window (window_xid (widget));
  cxr_ui_test_pointer_move (widget, NAN, NAN);
  g_autofree char *repeat = g_strdup_printf ("%d", ABS (clicks));
  const char *args[] = { "click", "--repeat", repeat, "--delay", "30", clicks > 0 ? "5" : "4", NULL };
  run_xdotool (args);
}

void
cxr_ui_test_scroll_into_view (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (scrolled);
  for (int attempt = 0; attempt < 40; attempt++)
    {
      graphene_rect_t bounds;
      g_assert_true (gtk_widget_compute_bounds (widget, scrolled, &bounds));
      double top = bounds.origin.y, bottom = bounds.origin.y + bounds.size.height;
      if (top >= 0 && bottom <= gtk_widget_get_height (scrolled))
        return;
      cxr_ui_test_scroll (scrolled, top < 0 ? -2 : 2);
    }
  g_error ("could not scroll %s into view", G_OBJECT_TYPE_NAME (widget));
}
