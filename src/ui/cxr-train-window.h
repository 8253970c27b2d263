/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-window.h: the training page: the settings, the split and the time per epoch before a run, a
 * run with its live plot, counters, Cancel and Resume, the epochs' checkpoints, and a run read back from
 * its folder.
 *
 * Training runs on the page's own engine (its own thread), so that the review window's jobs go on while
 * it trains. The page hides when closed and keeps its run; its review window asks before closing while
 * a run is going (cxr_train_window_is_training). "review-checkpoint" (path) asks the review window to
 * make a checkpoint its model. The "training" property follows the run.
 */
#pragma once

#include <adwaita.h>

#include "cxr-plot.h"
#include "cxr-train-curves.h"
#include "cxr-train-form.h"

G_BEGIN_DECLS

#define CXR_TYPE_TRAIN_WINDOW (cxr_train_window_get_type ())
G_DECLARE_FINAL_TYPE (CxrTrainWindow, cxr_train_window, CXR, TRAIN_WINDOW, AdwWindow)

CxrTrainWindow *cxr_train_window_new                (GtkWindow *parent);

/* What the review window has open: the form trains on that dataset and can start from that model. */
void            cxr_train_window_set_window_dataset (CxrTrainWindow *self, const char *folder);
void            cxr_train_window_set_window_model   (CxrTrainWindow *self, const char *path);

gboolean        cxr_train_window_is_training        (CxrTrainWindow *self);
/* Cancels the run (it stops after its current step and saves a resume point); "training" turns FALSE
 * when it has. */
void            cxr_train_window_stop               (CxrTrainWindow *self);
/* Shows the run in @folder (finished or interrupted); refused while a run is going. */
gboolean        cxr_train_window_open_run           (CxrTrainWindow *self, const char *folder, GError **error);
/* The folder of the run on the page, or NULL. */
const char     *cxr_train_window_get_run_folder     (CxrTrainWindow *self);

/* Parts, for tests and the benchmark. */
CxrTrainForm   *cxr_train_window_get_form           (CxrTrainWindow *self);
CxrPlot        *cxr_train_window_get_plot           (CxrTrainWindow *self);
CxrTrainCurves *cxr_train_window_get_curves         (CxrTrainWindow *self);
GtkWidget      *cxr_train_window_get_button         (CxrTrainWindow *self, const char *name);
/* The epoch rows' "Review" buttons, in epoch order. */
GtkWidget      *cxr_train_window_get_epoch_button   (CxrTrainWindow *self, guint epoch);
/* The split and time estimate shown before a run ("" before the first). */
const char     *cxr_train_window_get_plan_text      (CxrTrainWindow *self);

G_END_DECLS
