/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-score.c: localisation summary and threshold sweep (definitions in cxr-cam-score.h). */
#include "cxr-cam-score.h"

#include <math.h>
#include <string.h>

const double cxr_cam_iou_thresholds[CXR_CAM_N_IOU_THRESHOLDS] = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7 };
const double cxr_cam_iobb_thresholds[CXR_CAM_N_IOBB_THRESHOLDS] = { 0.1, 0.25, 0.5, 0.75, 0.9 };
const float cxr_cam_sweep_thresholds[CXR_CAM_N_SWEEP_THRESHOLDS] = {
  0.05f, 0.10f, 0.15f, 0.20f, 0.25f, 0.30f, 0.35f, 0.40f, 0.45f, 0.50f,
  0.55f, 0.60f, 0.65f, 0.70f, 0.75f, 0.80f, 0.85f, 0.90f, 0.95f,
};

void
cxr_cam_summary_init (CxrCamSummary *summary)
{
  memset (summary, 0, sizeof *summary);
  summary->best_index = -1;
  summary->best_iou = -1.0;
}

void
cxr_cam_summary_add (CxrCamSummary *summary, const CxrBoxScore *score, int id)
{
  summary->n_images++;
  if (!cxr_box_score_is_scored (score))
    return;
  summary->n_scored++;
  summary->sum_iou += score->iou;
  for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
    summary->n_hits_iou[t] += score->iou > cxr_cam_iou_thresholds[t];
  for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
    summary->n_hits_iobb[t] += score->iobb > cxr_cam_iobb_thresholds[t];
  if (score->iou > summary->best_iou)
    {
      summary->best_iou = score->iou;
      summary->best_index = id;
    }
}

double
cxr_cam_summary_mean_iou (const CxrCamSummary *summary)
{
  return summary->n_scored ? summary->sum_iou / summary->n_scored : NAN;
}

double
cxr_cam_summary_iou_accuracy (const CxrCamSummary *summary, guint threshold_index)
{
  g_return_val_if_fail (threshold_index < CXR_CAM_N_IOU_THRESHOLDS, NAN);
  return summary->n_scored ? (double) summary->n_hits_iou[threshold_index] / summary->n_scored : NAN;
}

double
cxr_cam_summary_iobb_accuracy (const CxrCamSummary *summary, guint threshold_index)
{
  g_return_val_if_fail (threshold_index < CXR_CAM_N_IOBB_THRESHOLDS, NAN);
  return summary->n_scored ? (double) summary->n_hits_iobb[threshold_index] / summary->n_scored : NAN;
}

void
cxr_cam_sweep_init (CxrCamSweep *sweep)
{
  for (guint t = 0; t < CXR_CAM_N_SWEEP_THRESHOLDS; t++)
    cxr_cam_summary_init (&sweep->at[t]);
}

void
cxr_cam_sweep_add (CxrCamSweep *sweep, CxrCamWorkspace *workspace, const float *cam, int width, int height,
                   CxrBoxMode mode, const CxrRect *truth, guint n_truth, int id)
{
  for (guint t = 0; t < CXR_CAM_N_SWEEP_THRESHOLDS; t++)
    {
      g_auto (CxrCamCut) cut = { NULL };
      cxr_cam_cut (&cut, workspace, cam, width, height, cxr_cam_sweep_thresholds[t], mode, truth, n_truth, NULL);
      cxr_cam_summary_add (&sweep->at[t], &cut.score, id);
    }
}

int
cxr_cam_sweep_best (const CxrCamSweep *sweep)
{
  int best = -1;
  double best_mean = -1.0;
  for (guint t = 0; t < CXR_CAM_N_SWEEP_THRESHOLDS; t++)
    {
      double mean = cxr_cam_summary_mean_iou (&sweep->at[t]);
      if (!isnan (mean) && mean > best_mean)
        {
          best_mean = mean;
          best = t;
        }
    }
  return best;
}
