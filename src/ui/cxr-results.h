/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-results.h: what the current model said about each image of the dataset, by entry index.
 *
 * Filled by the per-image analysis and by "run on all"; read by the image list (rows, filters), the summary and
 * the export. Cleared when the model or the dataset changes. "changed" (guint index) after an entry changed;
 * index G_MAXUINT means "all of them".
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  CXR_RESULT_PREDICTED = 1 << 0,  /* probability and positive are set */
  CXR_RESULT_LOCALISED = 1 << 1,  /* iou and iobb are set: the image has ground truth of the positive class */
  CXR_RESULT_FAILED    = 1 << 2,  /* the image could not be analysed; error says why */
} CxrResultFlags;

typedef struct {
  CxrResultFlags flags;
  float probability;   /* of the model's positive class */
  gboolean positive;   /* the model's decision (probability >= 0.5) */
  float iou;           /* of the predicted box with the ground-truth box(es), at the threshold below */
  float iobb;          /* intersection over the ground-truth box area */
  float threshold;     /* the CAM threshold iou and iobb were computed at */
  char *error;
} CxrImageResult;

#define CXR_TYPE_RESULTS (cxr_results_get_type ())
G_DECLARE_FINAL_TYPE (CxrResults, cxr_results, CXR, RESULTS, GObject)

CxrResults           *cxr_results_new (guint n_entries);
guint                 cxr_results_get_n_entries (CxrResults *self);
/* NULL when nothing is known about the entry. */
const CxrImageResult *cxr_results_lookup (CxrResults *self, guint index);

void  cxr_results_set_prediction (CxrResults *self, guint index, float probability, gboolean positive);
void  cxr_results_set_localisation (CxrResults *self, guint index, float iou, float iobb, float threshold);
void  cxr_results_clear_localisation (CxrResults *self, guint index);
void  cxr_results_set_error (CxrResults *self, guint index, const char *message);
void  cxr_results_clear (CxrResults *self);

/* Counts over all entries: with all of @flags; predicted positive. */
guint cxr_results_count (CxrResults *self, CxrResultFlags flags);
guint cxr_results_count_positive (CxrResults *self);

G_END_DECLS
