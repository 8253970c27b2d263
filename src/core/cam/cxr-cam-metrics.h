/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-metrics.h: how faithful and how well placed a CAM is, besides the IoU of its box.
 *
 *   pointing game   (Zhang et al., ECCV 2016) a hit when the CAM's maximum at image resolution (the first in raster
 *                   order on ties) lies in a ground-truth box: pixel (x, y), whose centre is (x + 0.5, y + 0.5), in
 *                   [bx, bx + bw) x [by, by + bh). Images without ground truth are not counted.
 *   confidence      pytorch_grad_cam/metrics/cam_mult_image.py: the network input multiplied by the CAM at the
 *                   input's resolution ("keep the image where the CAM is high"); with p the class probability
 *                   before and p' after, the drop is max (p - p', 0) and the increase is 1 when p' > p, else 0
 *                   (DropInConfidence, IncreaseInConfidence).
 *   ROAD            pytorch_grad_cam/metrics/road.py (Rong et al., ICML 2022, Remove And Debias): the pixels whose
 *                   CAM is at or above the p-th percentile (most relevant first, MoRF) or at or below the (100 - p)-th
 *                   (least relevant first, LeRF: the kept pixels are those above the p-th percentile of 1 - CAM)
 *                   are replaced by the noisy linear imputation: each one the weighted mean of its eight
 *                   neighbours (1/6 beside, 1/12 diagonal; outside the image left out) as one sparse linear system,
 *                   plus N(0, 0.01^2) noise; the score is p' - p. The curves are taken at p = 10, 20, ... 90 and
 *                   averaged (ROADMostRelevantFirstAverage, ROADLeastRelevantFirstAverage); the combined score is
 *                   (LeRF - MoRF) / 2 (ROADCombined). A faithful map makes MoRF negative and LeRF near zero.
 *
 * The scores are the class probabilities the card's activation gives (pytorch-grad-cam's examples score metrics
 * with ClassifierOutputSoftmaxTarget). The percentile is NumPy's (linear interpolation between the sorted values),
 * the mask strict (CAM < threshold keeps a pixel), as RemoveMostRelevantFirst has it. The noise comes from a
 * generator seeded per image, so that a run repeats; pytorch-grad-cam draws it from torch's global generator.
 *
 * The system is solved by conjugate gradients preconditioned with an aggregation multigrid V-cycle, to a residual
 * of 1e-6 of the right-hand side (scipy's spsolve in road.py is direct). The channels of a network input made
 * from one gray image are affine functions of each other (x_c = a_c x_0 + b_c, by the card's mean and std), and
 * the imputation commutes with affine maps (its weights sum to one), so channel 0 is imputed once and the others
 * follow from it.
 */
#pragma once

#include "cxr-cam-boxes.h"
#include "cxr-cam.h"

G_BEGIN_DECLS

#define CXR_ROAD_N_PERCENTILES 9
#define CXR_ROAD_NOISE 0.01f

extern const int cxr_road_percentiles[CXR_ROAD_N_PERCENTILES];   /* 10, 20, ... 90 */

/* Whether the maximum of @cam ([height, width]) lies in one of @truth's boxes; @x and @y (may be NULL) get where
 * the maximum is. */
gboolean cxr_cam_pointing_hit (const float *cam, int width, int height, const CxrRect *truth, guint n_truth,
                               int *x, int *y);

/* The linear imputation of road.py: @out [height, width] is @image where @keep is non-zero and the solution of the
 * neighbour-mean system elsewhere (no noise). FALSE only when cancelled. */
gboolean cxr_road_impute (float *out, const float *image, const guint8 *keep, int width, int height,
                          GCancellable *cancellable);

/* NumPy's np.percentile (values, q) with linear interpolation, for q in [0, 100]. */
double   cxr_percentile (const float *values, gsize n, double q);

/* One image's faithfulness figures. */
typedef struct {
  float probability;                              /* p, the class probability of the plain input */
  float drop, increase;                           /* confidence: max (p - p', 0) and [p' > p] */
  float morf[CXR_ROAD_N_PERCENTILES];             /* ROAD p' - p, most relevant removed first, per percentile */
  float lerf[CXR_ROAD_N_PERCENTILES];             /* ... least relevant removed first */
  float morf_mean, lerf_mean, road_combined;
} CxrCamFaithfulness;

/* The confidence change and ROAD for the map @map_input ([h, w], the CAM at the network input's resolution, in
 * [0, 1]) of the preprocessed image @input ([1, C, h, w], cxr_preprocess with the model's parameters), explaining
 * @target_class. @seed seeds the ROAD noise; @noise is its standard deviation (CXR_ROAD_NOISE; 0 for none).
 * Runs the network: the engine thread. */
gboolean cxr_cam_faithfulness (CxrCamFaithfulness *out, CxrModel *model, const float *input, const float *map_input,
                               int target_class, guint64 seed, float noise, GCancellable *cancellable,
                               GError **error);

G_END_DECLS
