/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-plot-series.h: the numbers of one line of a chart, kept apart from drawing (as Sysprof's chart
 * keeps its series apart from its layers).
 *
 * Points are (x, y) doubles appended in order; a y that is not finite is a gap. When x never
 * decreases (steps, epochs, a ROC curve's false positive rate) the series is "sorted": the drawing
 * then decimates it to the pixel columns it covers and finds the point nearest the pointer by binary
 * search, so that 10,000 points cost about what 2,000 do. "changed" is emitted after every change;
 * its argument is TRUE when points were only appended.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CXR_TYPE_PLOT_SERIES (cxr_plot_series_get_type ())
G_DECLARE_FINAL_TYPE (CxrPlotSeries, cxr_plot_series, CXR, PLOT_SERIES, GObject)

typedef struct {
  double x, y;
} CxrPlotPoint;

CxrPlotSeries *cxr_plot_series_new          (void);

void           cxr_plot_series_append       (CxrPlotSeries *self, double x, double y);
/* Replaces every point (@n may be 0). */
void           cxr_plot_series_set_points   (CxrPlotSeries *self, const double *x, const double *y, guint n);
void           cxr_plot_series_clear        (CxrPlotSeries *self);

guint          cxr_plot_series_get_n_points (CxrPlotSeries *self);
CxrPlotPoint   cxr_plot_series_get_point    (CxrPlotSeries *self, guint index);
gboolean       cxr_plot_series_is_sorted    (CxrPlotSeries *self);
/* The extent of the finite points; FALSE when there are none. */
gboolean       cxr_plot_series_get_bounds   (CxrPlotSeries *self, double *x_min, double *x_max, double *y_min,
                                             double *y_max);

/* The points to draw for the x range [@x0, @x1] spread over @columns pixel columns, appended to @out
 * (CxrPlotPoint): every point when there are few, else for each column its first, lowest, highest and
 * last point in x order (the M4 reduction: the drawn line covers the same pixels as the full one).
 * Includes one point on each side of the range so that lines run to the edges. A gap is a point with
 * y = NAN. Unsorted series come back whole. */
void           cxr_plot_series_decimate     (CxrPlotSeries *self, double x0, double x1, guint columns,
                                             GArray *out);

/* The index of the first point with x >= @x (n_points when none); sorted series only. */
guint          cxr_plot_series_lower_bound  (CxrPlotSeries *self, double x);

G_END_DECLS
