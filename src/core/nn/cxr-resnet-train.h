/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resnet-train.h: a CxrResnet in training mode — forward with batch statistics, backward to
 * every trainable parameter.
 *
 * What is trained (torchvision's module names):
 *   CXR_TRAINABLE_HEAD    fc only; everything before it is frozen
 *   CXR_TRAINABLE_LAYER4  layer4 and fc; conv1, bn1 and layer1..layer3 are frozen
 *   CXR_TRAINABLE_ALL     everything
 * Frozen parts run as in model.eval(): their BatchNorm normalises with the running statistics
 * (folded into the convolution's epilogue, exactly the inference path) and never updates them; the
 * PyTorch reference sets requires_grad=False on their parameters and calls .eval() on those
 * modules only. Trainable BatchNorm layers run as in model.train() (cxr-bn.h): batch statistics,
 * running statistics moved with momentum 0.1, num_batches_tracked += 1 per forward pass.
 *
 * Memory. For the backward pass a trainable convolution keeps only its raw output z (before
 * BatchNorm) and each trainable block its output; everything else is recomputed when needed:
 * the post-BatchNorm-ReLU activation that feeds the next convolution is rebuilt from z with the
 * same per-channel affine (bit for bit what the forward pass produced), the max pool's argmax from
 * the rebuilt stem activation. PyTorch keeps both z and the activation for every convolution, so
 * this holds about half of what autograd holds. A handful of scratch buffers of the largest
 * activation size carry the transient activations and gradients; frozen parts keep nothing.
 * Buffers are planned once per (N, H, W) and reused.
 *
 * Every backward pass writes the gradients afresh (it clears them, then its kernels accumulate into
 * them) into tensors keyed like the parameters (cxr_resnet_train_get_gradients), in the network's
 * parameter order.
 *
 * Like the network, a CxrResnetTrain belongs to one thread at a time (the engine thread).
 */
#pragma once

#include "cxr-parallel.h"
#include "cxr-resnet.h"

G_BEGIN_DECLS

typedef enum {
  CXR_TRAINABLE_HEAD,
  CXR_TRAINABLE_LAYER4,
  CXR_TRAINABLE_ALL,
} CxrTrainable;

/* "head", "layer4", "none" (nothing frozen: CXR_TRAINABLE_ALL; "all" is accepted too): the CLI's --freeze. */
gboolean    cxr_trainable_from_freeze_name (const char *name, CxrTrainable *trainable, GError **error);
const char *cxr_trainable_freeze_name      (CxrTrainable trainable);

typedef struct _CxrResnetTrain CxrResnetTrain;

/* @net is borrowed and must outlive the result; its parameters are updated in place by the caller's
 * optimiser (call cxr_resnet_parameters_changed() after each step so inference refolds). */
CxrResnetTrain *cxr_resnet_train_new            (CxrResnet *net, CxrTrainable trainable);
void            cxr_resnet_train_free           (CxrResnetTrain *train);

CxrResnet      *cxr_resnet_train_get_network    (CxrResnetTrain *train);
CxrTrainable    cxr_resnet_train_get_trainable  (const CxrResnetTrain *train);
/* The gradient of every trainable parameter, under the parameter's key (borrowed). */
CxrStateDict   *cxr_resnet_train_get_gradients  (CxrResnetTrain *train);
/* Whether @key (a state_dict key) is a trainable parameter (not a buffer, not frozen). */
gboolean        cxr_resnet_train_is_trainable   (const CxrResnetTrain *train, const char *key);

/* Training-mode forward pass over @input [N, C, H, W] (PyTorch's layout): logits [N, classes]. Keeps
 * what cxr_resnet_train_backward() needs. Fails for inputs too small for the network and for a
 * batch that leaves one value per channel in some trainable BatchNorm (as PyTorch does). */
gboolean        cxr_resnet_train_forward        (CxrResnetTrain *train, const float *input, int n, int h, int w,
                                                 float *logits, GError **error);
/* The backward pass of the last forward pass, from d(loss)/d(logits) [N, classes]. */
void            cxr_resnet_train_backward       (CxrResnetTrain *train, const float *dlogits);

/* Eval-mode forward pass (running statistics everywhere, nothing kept) through the training
 * buffers: validation without a second set of activation buffers. */
gboolean        cxr_resnet_train_evaluate       (CxrResnetTrain *train, const float *input, int n, int h, int w,
                                                 float *logits, GError **error);

/* Head-only training on cached features. The pooled features [N, F] of the eval-mode backbone
 * (F = cxr_resnet_train_get_n_features ()), then the head alone on them. */
int             cxr_resnet_train_get_n_features (const CxrResnetTrain *train);
gboolean        cxr_resnet_train_features       (CxrResnetTrain *train, const float *input, int n, int h, int w,
                                                 float *features, GError **error);
void            cxr_resnet_train_head_forward   (CxrResnetTrain *train, const float *features, int n, float *logits);
/* Writes the head's gradients for d(loss)/d(logits) of the features last passed to head_forward. */
void            cxr_resnet_train_head_backward  (CxrResnetTrain *train, const float *features, const float *dlogits,
                                                 int n);

/* The kernels' thread team (for the optimiser's step, say). */
CxrParallel    *cxr_resnet_train_get_parallel   (CxrResnetTrain *train);

/* Bytes of activation and scratch memory planned for the last (N, H, W). */
gsize           cxr_resnet_train_get_buffer_bytes (const CxrResnetTrain *train);
/* Frees the activation buffers until the next forward pass. */
void            cxr_resnet_train_release        (CxrResnetTrain *train);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrResnetTrain, cxr_resnet_train_free)

G_END_DECLS
