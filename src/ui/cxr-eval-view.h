/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-eval-view.h: how well a model separates the positive images of a labelled dataset from the No
 * Finding ones: ROC curve with AUC and its bootstrap interval, sensitivity and specificity at the
 * decision threshold, the threshold that reaches a chosen sensitivity, and the confusion matrix, whose
 * cells list their images for review. A page of the Summary.
 *
 * It is given plain values (cxr_eval_view_set_input: the labelled images with a prediction) and computes
 * on a worker (cxr_roc_evaluate: the bootstrap takes a moment on a large dataset). "predict-requested"
 * asks its owner to predict the labelled images that have no prediction yet; "show-cell" (a
 * CxrConfusionCell) asks to list a cell's images (cxr_eval_view_dup_cell_entries).
 */
#pragma once

#include <gtk/gtk.h>

#include "cxr-plot.h"
#include "cxr-roc.h"

G_BEGIN_DECLS

/* The decision threshold of the window (a positive call at >= it) and the bootstrap's size. */
#define CXR_EVAL_THRESHOLD 0.5
#define CXR_EVAL_BOOTSTRAP_ROUNDS 2000

typedef struct {
  const char *positive_name;   /* the finding the model calls positive: "Cardiomegaly" */
  const char *model_name;      /* for the description */
  guint n;                     /* labelled images with a prediction */
  const guint *entries;        /* [n] dataset entry indices */
  const float *scores;         /* [n] probability of the positive class */
  const guint8 *labels;        /* [n] 1: the finding, 0: No Finding */
  guint n_missing;             /* labelled images without a prediction yet */
} CxrEvalInput;

#define CXR_TYPE_EVAL_VIEW (cxr_eval_view_get_type ())
G_DECLARE_FINAL_TYPE (CxrEvalView, cxr_eval_view, CXR, EVAL_VIEW, GtkWidget)

GtkWidget              *cxr_eval_view_new               (void);

/* Copies @input (NULL: no model or no labelled images) and evaluates it. */
void                    cxr_eval_view_set_input         (CxrEvalView *self, const CxrEvalInput *input);
/* Progress of the owner's prediction of the missing images; @total 0 when it is not predicting. */
void                    cxr_eval_view_set_predicting    (CxrEvalView *self, guint done, guint total);

/* The last evaluation shown, or NULL (none yet, or computing). */
const CxrRocEvaluation *cxr_eval_view_get_evaluation    (CxrEvalView *self);
/* The dataset entries of a cell of the confusion matrix, ascending. */
GArray                 *cxr_eval_view_dup_cell_entries  (CxrEvalView *self, CxrConfusionCell cell);
GtkWidget              *cxr_eval_view_get_cell_button   (CxrEvalView *self, CxrConfusionCell cell);
CxrPlot                *cxr_eval_view_get_plot          (CxrEvalView *self);
/* A word for a cell ("False positives"), for lists and titles. */
const char             *cxr_eval_view_cell_title        (CxrConfusionCell cell);

G_END_DECLS
