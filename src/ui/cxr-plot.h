/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-plot.h: a line chart in the style of Sysprof's charts: series (cxr-plot-series.h) kept apart from
 * drawing, axes, and layers that draw one series each on one of the axes.
 *
 * One x axis and up to three y axes (left, right, and a second right axis further out, e.g. the learning
 * rate beside accuracy). Each layer draws its series as a line, a faint line, a dashed line, points, or
 * a line with points, in its colour. A legend above the chart lists the labelled layers; a click on an
 * entry hides or shows its layer. Vertical markers (an epoch, the best epoch) are drawn across the chart.
 * Hovering shows the point nearest the pointer with a readout.
 *
 * Everything is drawn by one cairo function (cxr_plot_draw): in snapshot on screen, and into PNG and SVG
 * surfaces for export, so that the files show what the window shows. Sorted series are decimated to the
 * pixel columns they cover, so a redraw costs about the same for 1,000 or 100,000 points. Appending to a
 * series queues one redraw for the next frame, however many points arrive before it.
 */
#pragma once

#include <gtk/gtk.h>

#include "cxr-plot-series.h"

G_BEGIN_DECLS

typedef enum {
  CXR_PLOT_Y_LEFT,
  CXR_PLOT_Y_RIGHT,
  CXR_PLOT_Y_RIGHT_OUTER,
  CXR_PLOT_N_Y_AXES
} CxrPlotYAxis;

typedef enum {
  CXR_PLOT_LINE,
  CXR_PLOT_FAINT_LINE,
  CXR_PLOT_DASHED_LINE,
  CXR_PLOT_POINTS,
  CXR_PLOT_LINE_POINTS,
} CxrPlotStyle;

typedef enum {
  CXR_PLOT_NUMBER_PLAIN,       /* as many decimals as the tick step needs */
  CXR_PLOT_NUMBER_INTEGER,
  CXR_PLOT_NUMBER_SCIENTIFIC,  /* 1e-04 */
} CxrPlotNumberFormat;

#define CXR_TYPE_PLOT (cxr_plot_get_type ())
G_DECLARE_FINAL_TYPE (CxrPlot, cxr_plot, CXR, PLOT, GtkWidget)

GtkWidget     *cxr_plot_new                (void);

/* Axes. A range with NAN ends is automatic (the data's, padded; with @include_zero down to 0). */
void           cxr_plot_set_x_axis         (CxrPlot *self, const char *label, CxrPlotNumberFormat format,
                                            double min, double max);
void           cxr_plot_set_y_axis         (CxrPlot *self, CxrPlotYAxis axis, const char *label,
                                            CxrPlotNumberFormat format, double min, double max,
                                            gboolean include_zero);

/* Layers, drawn in the order added. @label NULL keeps the layer out of the legend. Returns its index. */
guint          cxr_plot_add_layer          (CxrPlot *self, CxrPlotSeries *series, CxrPlotYAxis axis,
                                            CxrPlotStyle style, const GdkRGBA *color, const char *label);
guint          cxr_plot_get_n_layers       (CxrPlot *self);
CxrPlotSeries *cxr_plot_get_layer_series   (CxrPlot *self, guint layer);
const char    *cxr_plot_get_layer_label    (CxrPlot *self, guint layer);
void           cxr_plot_set_layer_label    (CxrPlot *self, guint layer, const char *label);
void           cxr_plot_set_layer_visible  (CxrPlot *self, guint layer, gboolean visible);
gboolean       cxr_plot_get_layer_visible  (CxrPlot *self, guint layer);

/* Vertical markers across the chart, with a label at the top. */
void           cxr_plot_clear_markers      (CxrPlot *self);
void           cxr_plot_add_marker         (CxrPlot *self, double x, const char *label, const GdkRGBA *color,
                                            gboolean dashed);

/* The hover readout of a point (a new string); the default names the layer and gives x and y. */
typedef char *(*CxrPlotReadoutFunc) (CxrPlot *plot, guint layer, guint index, gpointer user_data);
void           cxr_plot_set_readout_func   (CxrPlot *self, CxrPlotReadoutFunc func, gpointer user_data,
                                            GDestroyNotify destroy);
/* The text shown when nothing is plotted yet (NULL: none). */
void           cxr_plot_set_placeholder    (CxrPlot *self, const char *text);

/* The point under the pointer, as the last frame drew it: FALSE when none. */
gboolean       cxr_plot_get_hover          (CxrPlot *self, guint *layer, guint *index);
/* Where a data point is (or was, in the last frame) on the widget; FALSE before the first frame. */
gboolean       cxr_plot_data_to_widget     (CxrPlot *self, CxrPlotYAxis axis, double x, double y,
                                            double *widget_x, double *widget_y);
/* The legend entry of a layer in the last frame, in widget coordinates; FALSE when not shown. */
gboolean       cxr_plot_get_legend_area    (CxrPlot *self, guint layer, graphene_rect_t *area);
/* Points the last frame drew for a layer (after decimation). */
guint          cxr_plot_get_drawn_points   (CxrPlot *self, guint layer);

/* Draws the chart into @cr over @width x @height with the widget's colours and font. */
void           cxr_plot_draw               (CxrPlot *self, cairo_t *cr, int width, int height);
/* The same drawing as a file, on the window's background colour. */
gboolean       cxr_plot_export_png         (CxrPlot *self, const char *path, int width, int height,
                                            GError **error);
gboolean       cxr_plot_export_svg         (CxrPlot *self, const char *path, int width, int height,
                                            GError **error);
/* Every labelled layer's points: "series,x,y" rows (C locale), written atomically. */
gboolean       cxr_plot_export_csv         (CxrPlot *self, const char *path, GError **error);

G_END_DECLS
