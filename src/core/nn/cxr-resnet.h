/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resnet.h: torchvision's ResNet, inferred from a state_dict.
 *
 * The architecture (block kind, blocks per stage, widths, input channels,
 * classes) is read off the state_dict's keys and shapes, so resnet18 ...
 * resnet152, wide_resnet50_2 and the tiny networks of the tests all load
 * through the same code. The topology is torchvision's: a k x k stride-2 stem
 * convolution, BatchNorm, ReLU, 3x3/2 max pool, stages of BasicBlocks or
 * Bottlenecks (stride 2 on the 3x3 convolution of the first block of every
 * stage after the first, 1x1 downsample branch where the shape changes),
 * global average pooling and a linear head.
 *
 * The network owns its parameters as a CxrStateDict with torchvision's keys,
 * the source of truth for saving and training. Inference uses copies of the
 * convolution weights with BatchNorm folded in, refreshed by
 * cxr_resnet_parameters_changed().
 *
 * A CxrResnet is not thread-safe: the engine thread owns it.
 */
#pragma once

#include "cxr-state-dict.h"

G_BEGIN_DECLS

#define CXR_RESNET_MAX_STAGES 4

typedef enum {
  CXR_BLOCK_BASIC,       /* two 3x3 convolutions, expansion 1 */
  CXR_BLOCK_BOTTLENECK,  /* 1x1, 3x3, 1x1, expansion 4 (any, read from the weights) */
} CxrBlockKind;

typedef struct {
  CxrBlockKind block;
  int input_channels;                     /* 1 or 3 (any) */
  int stem_channels;                      /* conv1's outputs (64 in torchvision) */
  int stem_kernel;                        /* conv1's kernel size (7 in torchvision) */
  int n_stages;                           /* 1 ... 4 (4 in torchvision) */
  int blocks[CXR_RESNET_MAX_STAGES];      /* blocks per stage */
  int widths[CXR_RESNET_MAX_STAGES];      /* inner width of the blocks (conv1's outputs) */
  int out_channels[CXR_RESNET_MAX_STAGES];/* channels leaving each stage */
  int n_classes;                          /* fc's outputs */
} CxrResnetArch;

typedef struct _CxrResnet CxrResnet;

/* Reads the architecture off a state_dict; errors name the key that is missing or malformed. */
gboolean    cxr_resnet_arch_from_state_dict (const CxrStateDict *dict, CxrResnetArch *arch, GError **error);
/* torchvision's resnet18/34/50/101/152 and wide_resnet50_2/101_2 by name. */
gboolean    cxr_resnet_arch_from_name       (const char *name, int input_channels, int n_classes,
                                             CxrResnetArch *arch, GError **error);
/* "resnet50 (Bottleneck [3, 4, 6, 3], 3 input channels, 2 classes)", or a generic description. */
char       *cxr_resnet_arch_describe        (const CxrResnetArch *arch);

/* A network with torchvision's default initialisation drawn from @seed. */
CxrResnet  *cxr_resnet_new                  (const CxrResnetArch *arch, guint64 seed);
/* Infers the architecture and loads the weights (strictly). */
CxrResnet  *cxr_resnet_new_from_state_dict  (const CxrStateDict *dict, GError **error);
void        cxr_resnet_free                 (CxrResnet *net);

/* Copies every tensor of @dict into the network, as torch's load_state_dict(strict=True):
 * missing and unexpected keys are listed, shape mismatches give both shapes. num_batches_tracked
 * may be absent (older checkpoints). On error the network is unchanged. */
gboolean    cxr_resnet_load_state_dict      (CxrResnet *net, const CxrStateDict *dict, GError **error);

const CxrResnetArch *cxr_resnet_get_arch    (const CxrResnet *net);
/* The parameters and buffers under torchvision's names, in torchvision's order (borrowed). */
CxrStateDict *cxr_resnet_get_parameters     (CxrResnet *net);
/* Call after changing parameters in place, so inference refolds BatchNorm. */
void        cxr_resnet_parameters_changed   (CxrResnet *net);

/* Inference (eval mode). @input is [N, C, H, W] as PyTorch lays it out; @logits gets [N, classes].
 * Activation buffers are allocated once per (N, H, W) and reused. */
gboolean    cxr_resnet_forward              (CxrResnet *net, const float *input, int n, int h, int w,
                                             float *logits, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrResnet, cxr_resnet_free)

G_END_DECLS
