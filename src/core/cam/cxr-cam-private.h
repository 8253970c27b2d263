/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-private.h: the pieces of Grad-CAM that the tests reach into (not for the UI or the CLI). */
#pragma once

#include "cxr-cam.h"
#include "cxr-resnet-private.h"

G_BEGIN_DECLS

/* A blank result for @path (NULL: none yet); the engine makes its per-image error results with it. */
CxrCamResult *cxr_cam_result_new (const char *path);

/* cxr_cam_compute_full from the image already preprocessed with the model's parameters (@input [1, C, h, w]);
 * @image gives the size and the display pixels. Comparisons explain one image many ways from one decode. */
CxrCamResult *cxr_cam_compute_input (CxrModel *model, const CxrImage *image, const float *input,
                                     const CxrCamOptions *options, const CxrCamMonitor *monitor, GError **error);

/* The map at the network input's resolution [height, width], as pytorch-grad-cam hands it to its metrics: the
 * normalised map upsampled, max (., 0) and normalised again (scale_cam_image, aggregate_multi_layers); fused and
 * smoothed maps are there already. */
float        *cxr_cam_result_map_at (const CxrCamResult *result, int height, int width);

/* Block outputs kept from one forward pass (batch 1): every block from @first to the last. */
typedef struct {
  int first;              /* the target block */
  int n_blocks;           /* the network's */
  float **outputs;        /* [n_blocks - first], each [C, 1, H, W]; cxr_alloc_floats */
  int *channels, *heights, *widths;
} CxrCamActivations;

void     cxr_cam_activations_init  (CxrCamActivations *kept, const CxrResnet *net, int first);
void     cxr_cam_activations_clear (CxrCamActivations *kept);
/* The output of block @index (>= first). */
static inline const float *
cxr_cam_activations_get (const CxrCamActivations *kept, int index)
{
  return kept->outputs[index - kept->first];
}

/* Runs the inference forward pass on one image [1, C, H, W] and keeps the outputs of the blocks from
 * kept->first on. */
gboolean cxr_cam_forward_keep (CxrResnet *net, const float *input, int h, int w, CxrCamActivations *kept,
                               float *logits, GError **error);

/* d logit[target_class] / d (output of block kept->first), [C, 1, H, W] of that block: the closed form
 * fc.weight[c, k] / (H W) at the last block, else a backward pass in eval mode through the later blocks
 * (their inner activations recomputed from the kept block outputs). */
void     cxr_cam_gradient          (CxrResnet *net, const CxrCamActivations *kept, int target_class,
                                    float *grad);
/* The same at several blocks (each >= kept->first) in one backward pass: grads[i] gets the gradient at the
 * output of blocks[i]. */
void     cxr_cam_gradients         (CxrResnet *net, const CxrCamActivations *kept, int target_class,
                                    const int *blocks, int n_blocks, float **grads);

/* Channel weights from activations and gradients [channels, plane] (pytorch-grad-cam's get_cam_weights) for
 * Grad-CAM, Grad-CAM++ and XGrad-CAM. */
void     cxr_cam_channel_weights   (float *weights, CxrCamMethod method, const float *activations,
                                    const float *grad, int channels, gsize plane);

/* cam[p] = max (sum_k weights[k] activations[k, p], 0). */
void     cxr_cam_weighted_sum      (float *cam, const float *weights, const float *activations, int channels,
                                    gsize plane);

/* pytorch-grad-cam's get_cam_image for one layer, then max (cam, 0): cam [plane] from the activations and
 * gradients [channels, plane] (gradients may be NULL for the methods that do not use them). @weights are the
 * channel weights of the weighting methods (Grad-CAM, Grad-CAM++, XGrad-CAM, Score-CAM, Ablation-CAM); NULL for
 * the others. */
void     cxr_cam_layer_image       (float *cam, CxrCamMethod method, gboolean eigen_smooth, const float *activations,
                                    const float *grad, const float *weights, int channels, gsize plane);

/* get_2d_projection: @x [channels, plane] seen as a plane x channels matrix, centred per channel, projected on
 * its first right singular vector (NaN read as 0); the sign makes the projection correlate positively with
 * sum_k x[k, p]. Computed in double from the smaller Gram matrix. */
void     cxr_cam_projection        (float *out, const float *x, int channels, gsize plane);

/* Score-CAM's weights (score_cam.py) for one layer: the input [1, C, H, W] masked by each channel of
 * @activations ([channels, fh, fw]) upsampled and normalised, run in batches; softmax over the channels'
 * scores. Reports @progress_from ... @progress_to through @monitor. */
gboolean cxr_cam_score_weights     (float *weights, CxrResnet *net, const float *input, int h, int w,
                                    const float *activations, int channels, int fh, int fw, int target_class,
                                    const CxrCamMonitor *monitor, double progress_from, double progress_to,
                                    GError **error);

/* Ablation-CAM's weights (ablation_cam.py) at block @block: the rest of the network run on copies of
 * @activations with one channel ablated each, in batches; (score - ablated score) / score. */
gboolean cxr_cam_ablation_weights  (float *weights, CxrResnet *net, int block, const float *activations,
                                    int channels, int fh, int fw, float score, int target_class,
                                    const CxrCamMonitor *monitor, double progress_from, double progress_to,
                                    GError **error);

G_END_DECLS
