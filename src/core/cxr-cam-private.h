/* cxr-cam-private.h: the pieces of Grad-CAM that the tests reach into (not for the UI or the CLI). */
#pragma once

#include "cxr-cam.h"
#include "cxr-resnet-private.h"

G_BEGIN_DECLS

/* A blank result for @path (NULL: none yet); the engine makes its per-image error results with it. */
CxrCamResult *cxr_cam_result_new (const char *path);

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

/* Channel weights from activations and gradients [channels, plane] (pytorch-grad-cam's get_cam_weights). */
void     cxr_cam_channel_weights   (float *weights, CxrCamMethod method, const float *activations,
                                    const float *grad, int channels, gsize plane);

/* cam[p] = max (sum_k weights[k] activations[k, p], 0). */
void     cxr_cam_weighted_sum      (float *cam, const float *weights, const float *activations, int channels,
                                    gsize plane);

G_END_DECLS
