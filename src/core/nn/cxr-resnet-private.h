/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resnet-private.h: the layout of CxrResnet, shared by the files that run it
 * (inference, Grad-CAM's backward pass, training). Not for the UI or the CLI. */
#pragma once

#include "cxr-conv.h"
#include "cxr-resnet.h"

G_BEGIN_DECLS

/* A convolution and the BatchNorm after it. The tensors are borrowed from the network's
 * parameter dict; scale/shift are BatchNorm folded for inference. */
typedef struct {
  CxrConvGeometry geometry;
  CxrTensor *weight;               /* [Cout, Cin, kh, kw] */
  CxrTensor *gamma, *beta;         /* [Cout] */
  CxrTensor *running_mean, *running_var; /* [Cout] */
  CxrTensor *num_batches_tracked;  /* scalar, int64 in the file */
  float *scale, *shift;            /* [Cout], owned */
  gboolean winograd;               /* the current plan runs it by Winograd (cxr_conv_algorithm) */
  float *winograd_weight;          /* [16, Cout, Cin], owned, NULL until a plan needs it; passed to
                                    * cxr_conv2d_forward, which reads it when the algorithm is Winograd */
} CxrConvBn;

typedef struct {
  int stage, index;                /* layer<stage+1>.<index> */
  int in_channels, out_channels, stride;
  int n_convs;                     /* 2 (BasicBlock) or 3 (Bottleneck) */
  CxrConvBn conv[3];
  gboolean has_downsample;
  CxrConvBn downsample;
} CxrBlock;

/* Called by cxr_resnet_forward after every residual block with the block's output [C, N, H, W]. The
 * output is borrowed: later blocks reuse its buffer. Grad-CAM (cxr-cam.c) keeps the activations it needs
 * this way, so that the inference forward stays the one code path. */
typedef void (*CxrResnetBlockObserver) (CxrResnet *net, int block_index, const float *out,
                                        int n, int h, int w, gpointer user_data);

struct _CxrResnet {
  CxrResnetArch arch;
  CxrStateDict *params;            /* owned: torchvision's keys and order */

  /* borrowed views into params */
  CxrConvBn stem;
  CxrBlock *blocks;                /* owned array, n_blocks, stage by stage */
  int n_blocks;
  CxrTensor *fc_weight, *fc_bias;
  int features;                    /* channels into the head */
  gboolean folded_stale;           /* scale/shift need refolding */

  /* inference buffers for the last (n, h, w), of the whole network (plan_first -1) or of the blocks from
   * plan_first on */
  int plan_n, plan_h, plan_w, plan_first;
  float *buffers[4];               /* activations [C, N, H, W]; [0] takes the stem's output, the
                                      * others the blocks' (smaller in BasicBlock nets) */
  gsize buffer_floats[4];          /* their sizes */
  float *workspace;                /* im2col scratch */
  float *input;                    /* the input in channel-major order */
  float *pooled;                   /* [N, features] */
  CxrParallel *parallel;           /* the kernels' threads */

  /* set for the duration of one forward pass by Grad-CAM, else NULL */
  CxrResnetBlockObserver block_observer;
  gpointer block_observer_data;
};

/* The blocks from @first on, the pooling and the head, in eval mode: @x is the input of block @first in the
 * engine's channel-major layout [C, N, h, w] (the layout block observers see), @logits gets [N, classes].
 * @first may be n_blocks: the pooling and the head alone.
 * Perturbation CAMs (Ablation-CAM) run the network on from a changed target layer this way. */
gboolean cxr_resnet_forward_tail (CxrResnet *net, int first, const float *x, int n, int h, int w, float *logits,
                                  GError **error);

G_END_DECLS
