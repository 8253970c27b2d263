/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-loss.h: the training losses, each with its gradient, as PyTorch defines them (mean reduction).
 *
 *   1 output   binary cross-entropy with logits (torch.nn.BCEWithLogitsLoss), target 0 or 1
 *   2 outputs  cross-entropy over a softmax (torch.nn.CrossEntropyLoss), target the class index
 *   14 outputs multi-label BCE with logits over every output (the NIH labels), targets 0 or 1
 *
 * An optional positive-class weight rebalances rare positives: for BCE it is PyTorch's pos_weight
 * (one per output; the positive term of the loss is multiplied by it), for cross-entropy it is
 * PyTorch's class weight [1, w] (a weighted mean: sum(w_i * l_i) / sum(w_i)).
 *
 * BCE with logits, for logit x, target t and positive weight p (1 without):
 *   l = (1 - t) * x + (1 + (p - 1) * t) * log(1 + exp(-x)),  dl/dx = (1 + (p - 1) * t) * sigmoid(x) - p * t
 * computed stably (log1p(exp(-|x|)) + max(-x, 0)). Cross-entropy:
 *   l = logsumexp(x) - x[y],  dl/dx = softmax(x) - onehot(y).
 * Sums are in double; the loss comes back as a double and the gradients are rounded once.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Mean BCE with logits over all n * outputs elements. dlogits (may be NULL) gets d(mean)/d(logits).
 * pos_weight: [outputs] or NULL. */
double cxr_loss_bce_with_logits (float *dlogits,            /* [n, outputs] or NULL */
                                 const float *logits,       /* [n, outputs] */
                                 const float *targets,      /* [n, outputs], 0 or 1 (any in [0, 1]) */
                                 const float *pos_weight,   /* [outputs] or NULL */
                                 int n, int outputs);

/* Mean cross-entropy; with class_weight, the weighted mean. dlogits (may be NULL) gets its gradient. */
double cxr_loss_cross_entropy (float *dlogits,              /* [n, classes] or NULL */
                               const float *logits,         /* [n, classes] */
                               const guint8 *targets,       /* [n] class indices */
                               const float *class_weight,   /* [classes] or NULL */
                               int n, int classes);

/* The loss cxrcam trains a head of @outputs outputs with, from 0/1 labels [n, K] (K = 1 for one or
 * two outputs, else K = outputs): BCE with logits for 1 output, cross-entropy over the two classes
 * [negative, positive] for 2, multi-label BCE otherwise. @pos_weight <= 0 means none (1 is the same
 * as none). dlogits may be NULL. */
double cxr_loss_for_head (float *dlogits, const float *logits, const guint8 *labels, int n, int outputs,
                          float pos_weight);

G_END_DECLS
