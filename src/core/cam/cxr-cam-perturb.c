/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-perturb.c: the channel weights of Score-CAM and Ablation-CAM, which run the network once per channel of
 * the target layer (in batches) instead of taking a gradient. */
#include "cxr-cam-private.h"

#include <math.h>
#include <string.h>

#include "cxr-resize.h"

/* pytorch-grad-cam's batch sizes. The results do not depend on them. */
#define SCORE_BATCH 16
#define ABLATION_BATCH 32

static gboolean
step (const CxrCamMonitor *monitor, double fraction, GError **error)
{
  if (monitor == NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (monitor->cancellable, error))
    return FALSE;
  if (monitor->step != NULL)
    monitor->step (fraction, monitor->step_data);
  return TRUE;
}

/* score_cam.py: M_k = UpsamplingBilinear2d (A_k) to the input's size (align_corners=True), (M - min) / (max - min
 * + 1e-8); the score of x * M_k (every input channel masked alike); w = softmax over k. A channel that is constant
 * gives M_k = 0 and so the score of an all-zero input: those are computed once. */
gboolean
cxr_cam_score_weights (float *weights, CxrResnet *net, const float *input, int h, int w, const float *activations,
                       int channels, int fh, int fw, int target_class, const CxrCamMonitor *monitor,
                       double progress_from, double progress_to, GError **error)
{
  int in_channels = cxr_resnet_get_arch (net)->input_channels;
  int n_classes = cxr_resnet_get_arch (net)->n_classes;
  gsize plane = (gsize) h * w, image = (gsize) in_channels * plane, feature_plane = (gsize) fh * fw;
  g_autofree float *scores = g_new (float, channels);
  g_autofree float *batch = g_new (float, image * SCORE_BATCH);       /* [N, C, H, W] */
  g_autofree float *logits = g_new (float, (gsize) n_classes * SCORE_BATCH);
  g_autofree float *mask = g_new (float, plane);
  g_autofree int *members = g_new (int, SCORE_BATCH);
  double zero_score = NAN;

  int k = 0, done = 0;
  while (k < channels)
    {
      int n = 0;
      for (; k < channels && n < SCORE_BATCH; k++)
        {
          const float *a = activations + (gsize) k * feature_plane;
          cxr_resize_bilinear_corners (mask, h, w, a, fh, fw);
          float lo = mask[0], hi = mask[0];
          for (gsize p = 1; p < plane; p++)
            {
              lo = MIN (lo, mask[p]);
              hi = MAX (hi, mask[p]);
            }
          if (hi == lo)
            {
              /* M_k = 0 everywhere: the all-zero input, scored once below. */
              scores[k] = NAN;
              continue;
            }
          float denominator = hi - lo + CXR_CAM_SCORECAM_EPS;
          float *x = batch + (gsize) n * image;
          for (int c = 0; c < in_channels; c++)
            for (gsize p = 0; p < plane; p++)
              x[(gsize) c * plane + p] = input[(gsize) c * plane + p] * ((mask[p] - lo) / denominator);
          members[n++] = k;
        }
      if (n > 0)
        {
          if (!cxr_resnet_forward (net, batch, n, h, w, logits, error))
            return FALSE;
          for (int i = 0; i < n; i++)
            scores[members[i]] = logits[(gsize) i * n_classes + target_class];
        }
      done = k;
      if (!step (monitor, progress_from + (progress_to - progress_from) * done / channels, error))
        return FALSE;
    }

  for (int c = 0; c < channels; c++)
    if (isnan (scores[c]))
      {
        if (isnan (zero_score))
          {
            memset (batch, 0, sizeof (float) * image);
            if (!cxr_resnet_forward (net, batch, 1, h, w, logits, error))
              return FALSE;
            zero_score = logits[target_class];
          }
        scores[c] = (float) zero_score;
      }

  /* torch.nn.Softmax in float: exp (s - max) / sum. */
  float top = scores[0];
  for (int c = 1; c < channels; c++)
    top = MAX (top, scores[c]);
  double total = 0.0;
  for (int c = 0; c < channels; c++)
    {
      weights[c] = expf (scores[c] - top);
      total += weights[c];
    }
  for (int c = 0; c < channels; c++)
    weights[c] = (float) (weights[c] / total);
  return TRUE;
}

/* ablation_cam.py and ablation_layer.py: each copy of the layer's output has one channel set to 0 (or, when the
 * output has no zero at all, to its minimum - 1e7), the rest of the network runs on the copies, and
 * w_k = (score - score_k) / score. */
gboolean
cxr_cam_ablation_weights (float *weights, CxrResnet *net, int block, const float *activations, int channels,
                          int fh, int fw, float score, int target_class, const CxrCamMonitor *monitor,
                          double progress_from, double progress_to, GError **error)
{
  int n_classes = cxr_resnet_get_arch (net)->n_classes;
  gsize plane = (gsize) fh * fw, size = (gsize) channels * plane;
  float lo = activations[0];
  for (gsize i = 1; i < size; i++)
    lo = MIN (lo, activations[i]);
  float ablated = lo == 0.0f ? 0.0f : lo - 1e7f;

  g_autofree float *batch = g_new (float, size * ABLATION_BATCH);    /* [C, N, fh, fw], the engine's layout */
  g_autofree float *logits = g_new (float, (gsize) n_classes * ABLATION_BATCH);
  for (int k0 = 0; k0 < channels; k0 += ABLATION_BATCH)
    {
      int n = MIN (ABLATION_BATCH, channels - k0);
      for (int c = 0; c < channels; c++)
        for (int i = 0; i < n; i++)
          {
            float *dst = batch + ((gsize) c * n + i) * plane;
            if (c == k0 + i)
              for (gsize p = 0; p < plane; p++)
                dst[p] = ablated;
            else
              memcpy (dst, activations + (gsize) c * plane, sizeof (float) * plane);
          }
      if (!cxr_resnet_forward_tail (net, block + 1, batch, n, fh, fw, logits, error))
        return FALSE;
      for (int i = 0; i < n; i++)
        weights[k0 + i] = (score - logits[(gsize) i * n_classes + target_class]) / score;
      if (!step (monitor, progress_from + (progress_to - progress_from) * (k0 + n) / channels, error))
        return FALSE;
    }
  return TRUE;
}
