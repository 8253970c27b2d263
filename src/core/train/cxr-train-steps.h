/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-steps.h: steps.csv, the per-step log of a training run, so that a run's loss curve can be
 * drawn again from its folder (history.csv has only the epochs).
 *
 *   global_step,epoch,step,steps_per_epoch,loss,lr,images_per_second
 *   1,1,1,11,0.71234567,0.001,35.2
 *
 * One row per optimiser step, appended as the step finishes (one write each; numbers in the C locale's
 * shortest round-trip form). A killed run may leave a last line cut short: the reader ignores it. When a
 * run resumes from a resume point, the rows from its first new step on are dropped before it appends
 * (the file is rewritten atomically), so the log always tells one run, step by step, whatever stopped
 * it on the way.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_TRAIN_STEPS_FILE "steps.csv"

typedef struct {
  guint64 global_step;     /* 1-based: optimiser steps so far, this one included */
  guint epoch;             /* 1-based */
  guint step;              /* 1-based in the epoch */
  guint steps_per_epoch;
  double loss;
  double lr;
  double images_per_second;
} CxrTrainStep;

typedef struct _CxrTrainStepLog CxrTrainStepLog;

/* A log of @out_dir/steps.csv; nothing is touched before the first append. */
CxrTrainStepLog *cxr_train_step_log_new    (const char *out_dir);
void             cxr_train_step_log_free   (CxrTrainStepLog *log);
/* Appends @step; the first append of a log first drops every row at or after @step's global step. */
gboolean         cxr_train_step_log_append (CxrTrainStepLog *log, const CxrTrainStep *step, GError **error);

/* The rows of a steps.csv, ascending by global step (a GArray of CxrTrainStep). A missing file is
 * G_FILE_ERROR_NOENT. */
GArray          *cxr_train_steps_load      (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrTrainStepLog, cxr_train_step_log_free)

G_END_DECLS
