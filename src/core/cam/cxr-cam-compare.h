/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-compare.h: which method, which layer and which threshold localise this model's findings best.
 *
 * Every image is decoded and preprocessed once and explained by each method at each layer (a layer may be a fused
 * list, "layer3,layer4"). Each map is cut at every sweep threshold (0.05 ... 0.95, cxr-cam-score.h) against the
 * image's ground truth, scored by the pointing game and, when asked, by the confidence change and ROAD
 * (cxr-cam-metrics.h), and timed. A row of the table is one (method, layer):
 *
 *   mean IoU at the best threshold, that threshold (the highest mean IoU; ties: the lower threshold)
 *   Wang et al.'s accuracy at IoU > 0.1, 0.3 and 0.5 at that threshold
 *   the pointing game's hit rate
 *   confidence drop and increase, ROAD MoRF and LeRF (the means over percentiles) and their combination
 *   seconds per image for the map alone (not the decoding, the cuts or the metrics)
 *
 * The best row has the highest mean IoU at its best threshold (ties: the earlier row, in request order: methods
 * outer, layers inner).
 */
#pragma once

#include "cxr-cam-metrics.h"
#include "cxr-cam-score.h"

G_BEGIN_DECLS

#define CXR_COMPARE_N_ACCURACIES 3
extern const guint cxr_compare_accuracy_indices[CXR_COMPARE_N_ACCURACIES];   /* into cxr_cam_iou_thresholds: 0.1, 0.3, 0.5 */

typedef struct {
  CxrCamMethod method;
  char *layer;                  /* as requested, "layer4" or "layer3,layer4" */
  char *canonical_layer;        /* "layer4.1", "layer3.1,layer4.1"; NULL until an image was explained */
  guint n_images;               /* explained */
  CxrCamSweep sweep;            /* per threshold: mean IoU and Wang's accuracy over the images with ground truth */
  guint n_pointing, n_hits;     /* pointing game over the images with ground truth */
  guint n_faithfulness;         /* images with confidence and ROAD figures */
  double sum_drop, sum_increase, sum_morf, sum_lerf;
  double morf_curve[CXR_ROAD_N_PERCENTILES], lerf_curve[CXR_ROAD_N_PERCENTILES];   /* sums, per percentile */
  double seconds;               /* computing the maps */
} CxrCamCompareRow;

/* NAN where nothing was scored. */
int    cxr_cam_compare_row_best_threshold_index (const CxrCamCompareRow *row);
double cxr_cam_compare_row_best_threshold       (const CxrCamCompareRow *row);
double cxr_cam_compare_row_best_mean_iou        (const CxrCamCompareRow *row);
/* Wang's accuracy at IoU > 0.1, 0.3, 0.5 (k = 0, 1, 2) at the best threshold. */
double cxr_cam_compare_row_accuracy             (const CxrCamCompareRow *row, guint k);
double cxr_cam_compare_row_pointing             (const CxrCamCompareRow *row);
double cxr_cam_compare_row_drop                 (const CxrCamCompareRow *row);
double cxr_cam_compare_row_increase             (const CxrCamCompareRow *row);
double cxr_cam_compare_row_morf                 (const CxrCamCompareRow *row);
double cxr_cam_compare_row_lerf                 (const CxrCamCompareRow *row);
double cxr_cam_compare_row_road                 (const CxrCamCompareRow *row);   /* (LeRF - MoRF) / 2 */
double cxr_cam_compare_row_seconds_per_image    (const CxrCamCompareRow *row);

/* What to compare: plain values, copied by the job. */
typedef struct {
  const CxrCamMethod *methods;
  guint n_methods;
  const char *const *layers;     /* NULL-terminated */
  int target_class;              /* a class index, CXR_CAM_TARGET_POSITIVE or CXR_CAM_TARGET_TOP */
  gboolean aug_smooth, eigen_smooth;
  CxrBoxMode box_mode;
  gboolean faithfulness;         /* confidence and ROAD: 20 forwards and 18 solves per map */
} CxrCamCompareOptions;

void cxr_cam_compare_options_init (CxrCamCompareOptions *options);

typedef struct _CxrCamComparison CxrCamComparison;

/* An empty table with a row for every method and layer of @options. */
CxrCamComparison *cxr_cam_comparison_new   (const CxrCamCompareOptions *options);
CxrCamComparison *cxr_cam_comparison_ref   (CxrCamComparison *self);
void              cxr_cam_comparison_unref (CxrCamComparison *self);

guint                   cxr_cam_comparison_get_n_rows (const CxrCamComparison *self);
const CxrCamCompareRow *cxr_cam_comparison_get_row    (const CxrCamComparison *self, guint i);
/* The best row's index, or -1 when no row scored an image. */
int                     cxr_cam_comparison_get_best   (const CxrCamComparison *self);
guint                   cxr_cam_comparison_get_n_images (const CxrCamComparison *self);
/* Images that could not be read (counted by the caller with cxr_cam_comparison_add_failure). */
guint                   cxr_cam_comparison_get_n_failed (const CxrCamComparison *self);
void                    cxr_cam_comparison_add_failure  (CxrCamComparison *self);
/* The class explained (the card's name), once an image was explained. */
const char             *cxr_cam_comparison_get_label  (const CxrCamComparison *self);

/* Explains @image (its ground truth @truth, CxrRect, may be empty) every way and adds it to the rows. @image_id
 * seeds ROAD's noise. Runs the network: the engine thread. @progress_from ... @progress_to through @monitor. */
gboolean cxr_cam_comparison_add_image (CxrCamComparison *self, CxrModel *model, const CxrImage *image,
                                       const GArray *truth, guint image_id, const CxrCamMonitor *monitor,
                                       double progress_from, double progress_to, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrCamComparison, cxr_cam_comparison_unref)

G_END_DECLS
