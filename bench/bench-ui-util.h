/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-ui-util.h: what the benchmarks and picture tools that run the window under a display (xvfb-run) share:
 * start-up, waiting while the main loop turns, the main loop's stall probe, percentiles, and a widget's own
 * rendering saved as PNG. */
#pragma once

#include <adwaita.h>

#include "cxr-application.h"
#include "cxr-window.h"

G_BEGIN_DECLS

/* Settings in memory (from this build's schema unless GSETTINGS_SCHEMA_DIR names another), the locale and this
 * build's catalogues, then GTK and libadwaita. FALSE (and a message) without a display. */
gboolean bench_ui_init (void);

/* The application, registered and not unique (a benchmark runs beside the user's cxrcam). */
CxrApplication *bench_ui_application_new (void);
/* A review window of @width x @height, presented and mapped. */
CxrWindow      *bench_ui_window_new (CxrApplication *app, int width, int height);

typedef gboolean (*BenchUiCondition) (gpointer data);
/* Turns the main loop until @condition holds; aborts naming @what after @timeout_ms. */
void     bench_ui_spin_until (BenchUiCondition condition, gpointer data, guint timeout_ms, const char *what);
/* Turns the main loop for @ms, sleeping while it has nothing to do (no busy wait: the main thread's CPU
 * time is what it really spends). */
void     bench_ui_spin_for (guint ms);
/* A condition: @widget is mapped and has its size. */
gboolean bench_ui_widget_mapped (gpointer widget);

/* The main loop's stall probe: a 1 ms timeout at default priority. The wall time between two of its runs is
 * the stall as a user sees it, including time the machine gave to other processes; the main thread's CPU time
 * between them is what this program itself spent. */
typedef struct {
  gint64 last_tick, last_tick_cpu;
  gint64 longest_stall;   /* µs, wall clock */
  gint64 longest_busy;    /* µs of the main thread's CPU time */
  guint source;
} BenchUiStallProbe;

/* The calling thread's CPU time, in µs: what it spent itself, whatever else the machine ran meanwhile. */
gint64 bench_ui_thread_cpu_time (void);

void bench_ui_stall_probe_start (BenchUiStallProbe *probe);
void bench_ui_stall_probe_stop (BenchUiStallProbe *probe);

/* The value at fraction @p (0 to 1) of @values (doubles), which it sorts. */
double bench_ui_percentile (GArray *values, double p);

/* What @widget draws, rendered by its window's renderer (GtkWidgetPaintable, not a screen grab), as the PNG
 * @path (or @folder/@name); prints the path and size. */
void bench_ui_save_png_file (GtkWidget *widget, const char *path);
void bench_ui_save_png (GtkWidget *widget, const char *folder, const char *name);

/* Gives a window that is already shown another size: a new default size alone does not resize a shown window,
 * so it is also the window's smallest size (which the tools never need to shrink below). */
void bench_ui_window_resize (GtkWindow *window, int width, int height);

/* "KEY=VALUE" (cam-threshold=0.45, cam-method=layercam) into @settings, the value parsed as the key's type (a
 * string as it is, without GVariant's quotes); aborts naming what is wrong. For the picture tools' arguments. */
void bench_ui_apply_setting (GSettings *settings, const char *assignment);

G_END_DECLS
