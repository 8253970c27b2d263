/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-score.h: a dataset's localisation summary and the threshold sweep.
 *
 * Summary over the images that have ground truth for the target label (cxr_box_score_is_scored): the mean
 * IoU (an image without a predicted box counts as 0), the best image (highest IoU; ties: the first added),
 * and Wang et al.'s (CVPR 2017) localisation accuracy: the fraction of those images with IoU > T for
 * T = 0.1, 0.2, ..., 0.7 and with IoBB > T for T = 0.1, 0.25, 0.5, 0.75, 0.9.
 *
 * Sweep: the same boxes for every threshold t = 0.05, 0.10, ..., 0.95 on each cached CAM, the mean IoU per t
 * and the best t (the highest mean IoU; ties: the lower t).
 */
#pragma once

#include "cxr-cam-boxes.h"

G_BEGIN_DECLS

#define CXR_CAM_N_IOU_THRESHOLDS  7
#define CXR_CAM_N_IOBB_THRESHOLDS 5
#define CXR_CAM_N_SWEEP_THRESHOLDS 19

extern const double cxr_cam_iou_thresholds[CXR_CAM_N_IOU_THRESHOLDS];     /* 0.1 ... 0.7 */
extern const double cxr_cam_iobb_thresholds[CXR_CAM_N_IOBB_THRESHOLDS];   /* 0.1, 0.25, 0.5, 0.75, 0.9 */
extern const float  cxr_cam_sweep_thresholds[CXR_CAM_N_SWEEP_THRESHOLDS]; /* 0.05 ... 0.95 */

typedef struct {
  guint n_images;           /* images added */
  guint n_scored;           /* ... with ground truth */
  guint n_hits_iou[CXR_CAM_N_IOU_THRESHOLDS];
  guint n_hits_iobb[CXR_CAM_N_IOBB_THRESHOLDS];
  double sum_iou;
  int best_index;           /* the id passed to _add for the best image; -1 before any scored image */
  double best_iou;
} CxrCamSummary;

void   cxr_cam_summary_init (CxrCamSummary *summary);
/* @id identifies the image to the caller (its index in a request). */
void   cxr_cam_summary_add  (CxrCamSummary *summary, const CxrBoxScore *score, int id);
/* NAN when no image was scored. */
double cxr_cam_summary_mean_iou (const CxrCamSummary *summary);
double cxr_cam_summary_iou_accuracy (const CxrCamSummary *summary, guint threshold_index);
double cxr_cam_summary_iobb_accuracy (const CxrCamSummary *summary, guint threshold_index);

typedef struct {
  CxrCamSummary at[CXR_CAM_N_SWEEP_THRESHOLDS];
} CxrCamSweep;

void   cxr_cam_sweep_init (CxrCamSweep *sweep);
/* Scores one image's CAM ([height, width], image resolution) at every sweep threshold. */
void   cxr_cam_sweep_add  (CxrCamSweep *sweep, CxrCamWorkspace *workspace, const float *cam, int width,
                           int height, CxrBoxMode mode, const CxrRect *truth, guint n_truth, int id);
/* The index of the best threshold, or -1 when no image was scored. */
int    cxr_cam_sweep_best (const CxrCamSweep *sweep);

G_END_DECLS
