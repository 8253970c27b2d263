/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-chart.h: the training page's plot: which curve goes on which axis, in which colour and
 * style, its legend, its readout, and the best epoch's marker. Shared by the page, its tests and the
 * benchmark, so that what they measure is what the page draws. */
#pragma once

#include "cxr-plot.h"
#include "cxr-train-curves.h"

G_BEGIN_DECLS

/* Adds a layer per curve of @curves to an empty @plot (in CxrCurve order: layer i draws curve i), with
 * its axes, legend labels and readout. */
void cxr_train_chart_setup          (CxrPlot *plot, CxrTrainCurves *curves);
/* Marks the best epoch so far (after an epoch arrived or a run was loaded). */
void cxr_train_chart_update_markers (CxrPlot *plot, CxrTrainCurves *curves);

G_END_DECLS
