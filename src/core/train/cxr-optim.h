/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-optim.h: the optimisers and learning-rate schedules of training, as torch.optim defines them.
 *
 * Each optimiser applies, element by element and in the same order of float operations, the update
 * of torch 1.13's single-tensor code path (torch/optim/sgd.py, adam.py, adamw.py with foreach=False),
 * with the scalars PyTorch computes in double (bias corrections, step sizes) computed in double and
 * rounded to float where PyTorch's kernels round them:
 *
 *   SGD    g = grad + wd * p;  first step: b = g, later b = momentum * b + (1 - dampening) * g;
 *          nesterov: g = g + momentum * b, else g = b;  p = p - lr * g   (no momentum: p = p - lr * g)
 *   Adam   t += 1;  g = grad + wd * p;  m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g;
 *          denom = sqrt(v) / sqrt(1 - beta2^t) + eps;  p = p - (lr / (1 - beta1^t)) * m / denom
 *   AdamW  as Adam, but without wd in g, and p = p * (1 - lr * wd) first (decoupled weight decay)
 *
 * Parameters and gradients are borrowed CxrTensors; the optimiser owns its state (momentum buffers,
 * moments), which it can hand out and take back as named tensors for resuming.
 *
 * Schedules give the learning rate of optimiser step t (0-based), counting steps, not epochs:
 *   warmup (t < W):   lr * (t + 1) / (W + 1)
 *   then, u = t - W:  constant  lr
 *                     step      lr * gamma ^ floor(u / step_size)
 *                     cosine    min_lr + (lr - min_lr) * (1 + cos(pi * u / (T - W))) / 2
 * which is what torch.optim.lr_scheduler.SequentialLR([LinearLR(start_factor=1/(W+1), total_iters=W),
 * <ConstantLR(factor=1) | StepLR(step_size, gamma) | CosineAnnealingLR(T_max=T-W, eta_min)>],
 * milestones=[W]) gives when stepped after every optimiser step (tests/test-optim.c checks it).
 */
#pragma once

#include "cxr-parallel.h"
#include "cxr-state-dict.h"

G_BEGIN_DECLS

typedef enum {
  CXR_OPTIMIZER_SGD,
  CXR_OPTIMIZER_ADAM,
  CXR_OPTIMIZER_ADAMW,
} CxrOptimizerKind;

typedef struct {
  CxrOptimizerKind kind;
  double momentum;       /* SGD */
  double dampening;      /* SGD */
  gboolean nesterov;     /* SGD: needs momentum > 0 and dampening 0, as in PyTorch */
  double beta1, beta2;   /* Adam, AdamW */
  double eps;            /* Adam, AdamW */
  double weight_decay;
} CxrOptimizerConfig;

/* PyTorch's defaults: SGD without momentum or weight decay; Adam betas (0.9, 0.999), eps 1e-8, no
 * weight decay; AdamW the same with weight decay 0.01. */
void        cxr_optimizer_config_init      (CxrOptimizerConfig *config, CxrOptimizerKind kind);
/* Checks the values PyTorch checks (non-negative rates, betas in [0, 1), nesterov's conditions). */
gboolean    cxr_optimizer_config_validate  (const CxrOptimizerConfig *config, GError **error);
gboolean    cxr_optimizer_kind_from_name   (const char *name, CxrOptimizerKind *kind, GError **error);
const char *cxr_optimizer_kind_name        (CxrOptimizerKind kind);

typedef struct _CxrOptimizer CxrOptimizer;

CxrOptimizer *cxr_optimizer_new        (const CxrOptimizerConfig *config);
void          cxr_optimizer_free       (CxrOptimizer *optimizer);
const CxrOptimizerConfig *cxr_optimizer_get_config (const CxrOptimizer *optimizer);

/* Adds a parameter under @name (its state_dict key) with its gradient, both borrowed: they must
 * outlive the optimiser and keep their shape. */
void          cxr_optimizer_add        (CxrOptimizer *optimizer, const char *name, CxrTensor *param,
                                        const CxrTensor *grad);
guint         cxr_optimizer_get_n_params (const CxrOptimizer *optimizer);

/* One update of every parameter with learning rate @lr, on the team's threads (NULL: the caller's). */
void          cxr_optimizer_step       (CxrOptimizer *optimizer, double lr, CxrParallel *parallel);
/* Steps taken so far (Adam's t). */
guint64       cxr_optimizer_get_steps  (const CxrOptimizer *optimizer);

/* The state as named tensors (copies) in parameter order: "<name>.momentum_buffer" for SGD with
 * momentum once it exists, "<name>.exp_avg" and "<name>.exp_avg_sq" for Adam and AdamW. */
CxrStateDict *cxr_optimizer_save_state (const CxrOptimizer *optimizer);
/* Restores what cxr_optimizer_save_state() gave, with the step count. Every tensor the optimiser
 * needs must be there with its parameter's shape (a missing momentum buffer means "not yet
 * created", as before SGD's first step); on error the optimiser is unchanged. */
gboolean      cxr_optimizer_load_state (CxrOptimizer *optimizer, const CxrStateDict *state, guint64 steps,
                                        GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrOptimizer, cxr_optimizer_free)

/* ---- learning-rate schedules ---- */

typedef enum {
  CXR_SCHEDULE_CONSTANT,
  CXR_SCHEDULE_STEP,
  CXR_SCHEDULE_COSINE,
} CxrScheduleKind;

typedef struct {
  CxrScheduleKind kind;
  double base_lr;
  guint warmup_steps;    /* W: linear warmup, 0 for none */
  guint total_steps;     /* T: cosine's horizon (warmup included) */
  guint step_size;       /* step: optimiser steps between decays */
  double gamma;          /* step: the decay factor */
  double min_lr;         /* cosine: the floor (eta_min) */
} CxrSchedule;

void        cxr_schedule_init           (CxrSchedule *schedule, CxrScheduleKind kind, double base_lr);
gboolean    cxr_schedule_kind_from_name (const char *name, CxrScheduleKind *kind, GError **error);
const char *cxr_schedule_kind_name      (CxrScheduleKind kind);
/* The learning rate for optimiser step @step (0-based). */
double      cxr_schedule_lr             (const CxrSchedule *schedule, guint64 step);

G_END_DECLS
