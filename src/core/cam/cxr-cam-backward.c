/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-backward.c: d score / d (a block's output) for Grad-CAM, in eval mode.
 *
 * The forward pass is the inference one (cxr_resnet_forward), which keeps only four reused buffers; an
 * observer copies the outputs of the target block and every block after it. The backward pass then walks
 * from the head down to the target block. Inside each block it needs the inner activations (their ReLU
 * masks), which were not kept: it recomputes them from the block's kept input, one block at a time, which
 * costs a forward pass of the blocks after the target (layer4's three blocks for a layer3 target) and
 * saves holding every activation of the network. BatchNorm is the folded affine of its running statistics,
 * so its backward is a per-channel scale.
 *
 * The convolutions are the engine's own (cxr-conv.h) at batch 1 on the network's thread team: the
 * recomputation runs as the inference pass ran them (Winograd with its kept weights where its plan chose
 * it), the backward pass is training's (Winograd, pointwise GEMM or im2col + GEMM), without weight
 * gradients.
 */
#include "cxr-cam-private.h"

#include <string.h>

#include "cxr-backward.h"
#include "cxr-train-ops.h"

void
cxr_cam_activations_init (CxrCamActivations *kept, const CxrResnet *net, int first)
{
  int n = net->n_blocks - first;
  memset (kept, 0, sizeof *kept);
  kept->first = first;
  kept->n_blocks = net->n_blocks;
  kept->outputs = g_new0 (float *, n);
  kept->channels = g_new0 (int, n);
  kept->heights = g_new0 (int, n);
  kept->widths = g_new0 (int, n);
}

void
cxr_cam_activations_clear (CxrCamActivations *kept)
{
  if (kept->outputs != NULL)
    for (int i = 0; i < kept->n_blocks - kept->first; i++)
      cxr_free_floats (kept->outputs[i]);
  g_clear_pointer (&kept->outputs, g_free);
  g_clear_pointer (&kept->channels, g_free);
  g_clear_pointer (&kept->heights, g_free);
  g_clear_pointer (&kept->widths, g_free);
}

static void
keep_block_output (CxrResnet *net, int block_index, const float *out, int n, int h, int w, gpointer user_data)
{
  CxrCamActivations *kept = user_data;
  if (block_index < kept->first)
    return;
  int k = block_index - kept->first;
  int c = net->blocks[block_index].out_channels;
  gsize size = (gsize) c * n * h * w;
  if (kept->outputs[k] == NULL
      || (gsize) kept->channels[k] * kept->heights[k] * kept->widths[k] != size)
    {
      cxr_free_floats (kept->outputs[k]);
      kept->outputs[k] = cxr_alloc_floats (size);
    }
  memcpy (kept->outputs[k], out, sizeof (float) * size);
  kept->channels[k] = c;
  kept->heights[k] = h;
  kept->widths[k] = w;
}

gboolean
cxr_cam_forward_keep (CxrResnet *net, const float *input, int h, int w, CxrCamActivations *kept,
                      float *logits, GError **error)
{
  net->block_observer = keep_block_output;
  net->block_observer_data = kept;
  gboolean ok = cxr_resnet_forward (net, input, 1, h, w, logits, error);
  net->block_observer = NULL;
  net->block_observer_data = NULL;
  return ok;
}

/* ---- one block backwards -------------------------------------------------------------------------- */

typedef struct {
  float *inner[2];    /* recomputed inner activations (conv outputs after BN and ReLU) */
  float *grad;        /* gradient at the current pre-activation */
  float *dz;          /* gradient at a convolution's raw output (before BN) */
  float *dinner;      /* gradient at an inner activation */
  float *workspace;   /* im2col / column scratch for forward and backward */
} BlockScratch;

static void
block_scratch_clear (BlockScratch *s)
{
  cxr_free_floats (s->inner[0]);
  cxr_free_floats (s->inner[1]);
  cxr_free_floats (s->grad);
  cxr_free_floats (s->dz);
  cxr_free_floats (s->dinner);
  cxr_free_floats (s->workspace);
}

static int
out_h (const CxrConvGeometry *g, int h)
{
  return cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
}

static int
out_w (const CxrConvGeometry *g, int w)
{
  return cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
}

/* Sizes the scratch for blocks (first, last] whose inputs are the kept outputs. */
static void
block_scratch_init (BlockScratch *s, const CxrResnet *net, const CxrCamActivations *kept)
{
  gsize activation = 1, workspace = 1;
  for (int j = kept->first + 1; j < net->n_blocks; j++)
    {
      const CxrBlock *block = &net->blocks[j];
      int k = j - 1 - kept->first;
      int h = kept->heights[k], w = kept->widths[k];
      if (block->has_downsample)
        workspace = MAX (workspace, cxr_conv2d_backward_workspace_floats (&block->downsample.geometry, 1, h, w));
      for (int c = 0; c < block->n_convs; c++)
        {
          const CxrConvBn *unit = &block->conv[c];
          const CxrConvGeometry *g = &unit->geometry;
          workspace = MAX (workspace, cxr_conv2d_backward_workspace_floats (g, 1, h, w));
          workspace = MAX (workspace, cxr_conv2d_forward_workspace_floats (g, 1, h, w, unit->winograd_weight == NULL));
          activation = MAX (activation, (gsize) g->in_channels * h * w);
          h = out_h (g, h);
          w = out_w (g, w);
          activation = MAX (activation, (gsize) g->out_channels * h * w);
        }
    }
  s->inner[0] = cxr_alloc_floats (activation);
  s->inner[1] = cxr_alloc_floats (activation);
  s->grad = cxr_alloc_floats (activation);
  s->dz = cxr_alloc_floats (activation);
  s->dinner = cxr_alloc_floats (activation);
  s->workspace = cxr_alloc_floats (workspace);
}

/* dz = grad * scale[c]: the folded BatchNorm's backward into a cleared buffer. */
static void
batchnorm_backward (float *dz, const float *grad, const CxrConvBn *unit, gsize plane)
{
  int channels = unit->geometry.out_channels;
  memset (dz, 0, sizeof (float) * channels * plane);
  cxr_affine_backward (dz, NULL, NULL, grad, NULL, unit->scale, channels, plane);
}

/* dx += d (block output) / d x applied to dout, for one image. x is the block's input [Cin, 1, h, w],
 * out its output. */
static void
block_backward (CxrResnet *net, const CxrBlock *block, const float *x, int h, int w, const float *out,
                const float *dout, float *dx, BlockScratch *s)
{
  const float *inner[3] = { x, NULL, NULL };
  int ih[3] = { h }, iw[3] = { w };
  int last = block->n_convs - 1;

  /* The inner activations, recomputed: relu (bn (conv (previous))). */
  for (int c = 0; c < last; c++)
    {
      const CxrConvBn *unit = &block->conv[c];
      cxr_conv2d_forward (s->inner[c], inner[c], unit->weight->data, unit->winograd_weight, unit->scale,
                          unit->shift, NULL, TRUE, &unit->geometry, 1, ih[c], iw[c], s->workspace, net->parallel);
      inner[c + 1] = s->inner[c];
      ih[c + 1] = out_h (&unit->geometry, ih[c]);
      iw[c + 1] = out_w (&unit->geometry, iw[c]);
    }
  int oh = out_h (&block->conv[last].geometry, ih[last]);
  int ow = out_w (&block->conv[last].geometry, iw[last]);
  gsize out_plane = (gsize) oh * ow;
  gsize out_size = (gsize) block->out_channels * out_plane;

  /* out = relu (bn (conv_last (...)) + shortcut) */
  memcpy (s->grad, dout, sizeof (float) * out_size);
  cxr_relu_backward_inplace (s->grad, out, out_size, net->parallel);

  if (block->has_downsample)
    {
      batchnorm_backward (s->dz, s->grad, &block->downsample, out_plane);
      cxr_conv2d_backward (dx, NULL, NULL, s->dz, NULL, block->downsample.weight->data,
                           &block->downsample.geometry, 1, h, w, s->workspace, net->parallel);
    }
  else
    cxr_add_backward (dx, NULL, s->grad, out_size);

  const float *grad = s->grad;
  for (int c = last; c >= 0; c--)
    {
      const CxrConvBn *unit = &block->conv[c];
      const CxrConvGeometry *g = &unit->geometry;
      batchnorm_backward (s->dz, grad, unit, (gsize) out_h (g, ih[c]) * out_w (g, iw[c]));
      if (c == 0)
        {
          cxr_conv2d_backward (dx, NULL, NULL, s->dz, NULL, unit->weight->data, g, 1, ih[0], iw[0], s->workspace,
                               net->parallel);
          break;
        }
      gsize in_size = (gsize) g->in_channels * ih[c] * iw[c];
      memset (s->dinner, 0, sizeof (float) * in_size);
      cxr_conv2d_backward (s->dinner, NULL, NULL, s->dz, NULL, unit->weight->data, g, 1, ih[c], iw[c],
                           s->workspace, net->parallel);
      cxr_relu_backward_inplace (s->dinner, inner[c], in_size, net->parallel);
      grad = s->dinner;
    }
}

/* Copies @grad, the gradient at the output of @block, to the caller's buffers that asked for that block. */
static void
deliver (const int *blocks, int n_blocks, float **grads, int block, const float *grad, gsize size)
{
  for (int i = 0; i < n_blocks; i++)
    if (blocks[i] == block && grads[i] != grad)
      memcpy (grads[i], grad, sizeof (float) * size);
}

void
cxr_cam_gradients (CxrResnet *net, const CxrCamActivations *kept, int target_class, const int *blocks, int n_blocks,
                   float **grads)
{
  int last = net->n_blocks - 1;
  int k_last = last - kept->first;
  int features = net->features;
  gsize plane = (gsize) kept->heights[k_last] * kept->widths[k_last];
  const float *fc = net->fc_weight->data + (gsize) target_class * features;

  /* Two buffers the size of the largest kept activation, for the gradient between blocks. */
  gsize largest = 0;
  for (int k = 0; k < net->n_blocks - kept->first; k++)
    largest = MAX (largest, (gsize) kept->channels[k] * kept->heights[k] * kept->widths[k]);
  float *buffers[2] = { cxr_alloc_floats (largest), cxr_alloc_floats (largest) };

  /* The head: logit = fc (avgpool (A)), so d logit / d A[k, p] = fc[c, k] / (H W) everywhere (divided in
   * float, as PyTorch's average pool backward does). */
  float *top = buffers[0];
  for (int k = 0; k < features; k++)
    {
      float g = fc[k] / (float) plane;
      for (gsize p = 0; p < plane; p++)
        top[k * plane + p] = g;
    }
  deliver (blocks, n_blocks, grads, last, top, (gsize) features * plane);

  BlockScratch scratch = { { NULL } };
  if (kept->first != last)
    block_scratch_init (&scratch, net, kept);
  const float *dout = top;
  for (int j = last; j > kept->first; j--)
    {
      int k = j - kept->first;
      gsize in_size = (gsize) kept->channels[k - 1] * kept->heights[k - 1] * kept->widths[k - 1];
      float *dx = dout == buffers[0] ? buffers[1] : buffers[0];
      memset (dx, 0, sizeof (float) * in_size);
      block_backward (net, &net->blocks[j], kept->outputs[k - 1], kept->heights[k - 1], kept->widths[k - 1],
                      kept->outputs[k], dout, dx, &scratch);
      deliver (blocks, n_blocks, grads, j - 1, dx, in_size);
      dout = dx;
    }

  if (kept->first != last)
    block_scratch_clear (&scratch);
  cxr_free_floats (buffers[0]);
  cxr_free_floats (buffers[1]);
}

void
cxr_cam_gradient (CxrResnet *net, const CxrCamActivations *kept, int target_class, float *grad)
{
  cxr_cam_gradients (net, kept, target_class, &kept->first, 1, &grad);
}
