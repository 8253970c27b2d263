/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-ui-util.c: see bench-ui-util.h. */
#include "config.h"

#include "bench-ui-util.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>
#include <time.h>

#include "bench-util.h"
#include "cxr-paths.h"

gboolean
bench_ui_init (void)
{
  /* As the window's main.c: this build's schema and catalogues, the user's locale (LC_ALL=de_DE.UTF-8 for
   * German pictures). */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_autofree char *schemas = cxr_paths_schema_dir ();
  if (schemas != NULL && g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_autofree char *locale_dir = cxr_paths_locale_dir ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return FALSE;
    }
  adw_init ();
  return TRUE;
}

CxrApplication *
bench_ui_application_new (void)
{
  CxrApplication *app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  return app;
}

CxrWindow *
bench_ui_window_new (CxrApplication *app, int width, int height)
{
  CxrWindow *window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  bench_ui_spin_until (bench_ui_widget_mapped, window, 10000, "the window");
  return window;
}

void
bench_ui_spin_until (BenchUiCondition condition, gpointer data, guint timeout_ms, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
bench_ui_spin_for (guint ms)
{
  gboolean done = FALSE;
  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
bench_ui_widget_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

gint64
bench_ui_thread_cpu_time (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
on_tick (gpointer data)
{
  BenchUiStallProbe *probe = data;
  gint64 now = g_get_monotonic_time (), cpu = bench_ui_thread_cpu_time ();
  if (probe->last_tick != 0)
    {
      probe->longest_stall = MAX (probe->longest_stall, now - probe->last_tick);
      probe->longest_busy = MAX (probe->longest_busy, cpu - probe->last_tick_cpu);
    }
  probe->last_tick = now;
  probe->last_tick_cpu = cpu;
  return G_SOURCE_CONTINUE;
}

void
bench_ui_stall_probe_start (BenchUiStallProbe *probe)
{
  *probe = (BenchUiStallProbe) { 0 };
  probe->source = g_timeout_add (1, on_tick, probe);
}

void
bench_ui_stall_probe_stop (BenchUiStallProbe *probe)
{
  g_clear_handle_id (&probe->source, g_source_remove);
}

double
bench_ui_percentile (GArray *values, double p)
{
  if (values->len == 0)
    return NAN;
  bench_sort ((double *) values->data, values->len);
  guint i = (guint) lround (p * (values->len - 1));
  return g_array_index (values, double, i);
}

void
bench_ui_save_png (GtkWidget *widget, const char *folder, const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  bench_ui_save_png_file (widget, path);
}

typedef struct {
  GtkWidget *window;
  int width, height;   /* before */
} SizeWait;

static gboolean
size_changed (gpointer data)
{
  SizeWait *w = data;
  return gtk_widget_get_width (w->window) != w->width || gtk_widget_get_height (w->window) != w->height;
}

void
bench_ui_window_resize (GtkWindow *window, int width, int height)
{
  SizeWait before = { GTK_WIDGET (window), gtk_widget_get_width (GTK_WIDGET (window)),
                      gtk_widget_get_height (GTK_WIDGET (window)) };
  gtk_window_set_default_size (window, width, height);
  gtk_widget_set_size_request (GTK_WIDGET (window), width, height);
  bench_ui_spin_until (size_changed, &before, 10000, "the window's new size");
  bench_ui_spin_for (300);
}

void
bench_ui_save_png_file (GtkWidget *widget, const char *path)
{
  /* A few frames first, so that the paintable has the last one. */
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  bench_ui_spin_for (400);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_to_node (snapshot);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node,
                                                               &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("%s (%d x %d)\n", path, width, height);
}

/* "cam-threshold=0.45": the value parsed as the key's type (strings as they are, without GVariant's quotes). */
void
bench_ui_apply_setting (GSettings *settings, const char *assignment)
{
  g_auto (GStrv) parts = g_strsplit (assignment, "=", 2);
  g_autoptr (GSettingsSchema) schema = NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  if (parts[1] == NULL || !g_settings_schema_has_key (schema, parts[0]))
    g_error ("%s: not KEY=VALUE with a key of %s", assignment, g_settings_schema_get_id (schema));
  g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, parts[0]);
  const GVariantType *type = g_settings_schema_key_get_value_type (key);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) value = g_variant_type_equal (type, G_VARIANT_TYPE_STRING)
                               ? g_variant_ref_sink (g_variant_new_string (parts[1]))
                               : g_variant_parse (type, parts[1], NULL, NULL, &error);
  if (value == NULL)
    g_error ("%s: %s", assignment, error->message);
  if (!g_settings_set_value (settings, parts[0], value))
    g_error ("%s: not a value %s takes", assignment, parts[0]);
}
