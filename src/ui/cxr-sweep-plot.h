/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-sweep-plot.h: mean IoU against the CAM threshold, drawn in snapshot; a click picks a threshold.
 *
 * Data and drawing are apart (as sysprof's line layer): set_data copies the points, snapshot only reads them.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CXR_TYPE_SWEEP_PLOT (cxr_sweep_plot_get_type ())
G_DECLARE_FINAL_TYPE (CxrSweepPlot, cxr_sweep_plot, CXR, SWEEP_PLOT, GtkWidget)

GtkWidget *cxr_sweep_plot_new (void);

/* @thresholds ascending in [0, 1]; @values in [0, 1] (NAN: no value at that threshold). */
void       cxr_sweep_plot_set_data (CxrSweepPlot *self, const double *thresholds, const double *values, guint n);
guint      cxr_sweep_plot_get_n_points (CxrSweepPlot *self);
/* The threshold in use, marked by a vertical line (NAN: none). */
void       cxr_sweep_plot_set_threshold (CxrSweepPlot *self, double threshold);

/* The threshold a click at widget x picks: the nearest sweep point's. NAN without data. */
double     cxr_sweep_plot_threshold_at (CxrSweepPlot *self, double x);

G_END_DECLS
