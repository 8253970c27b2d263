/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-optim.h"

#include <math.h>
#include <string.h>

#include "cxr-cpu.h"
#include "cxr-error.h"

void
cxr_optimizer_config_init (CxrOptimizerConfig *config, CxrOptimizerKind kind)
{
  *config = (CxrOptimizerConfig) {
    .kind = kind,
    .beta1 = 0.9,
    .beta2 = 0.999,
    .eps = 1e-8,
    .weight_decay = kind == CXR_OPTIMIZER_ADAMW ? 1e-2 : 0.0,
  };
}

gboolean
cxr_optimizer_config_validate (const CxrOptimizerConfig *c, GError **error)
{
  const char *problem = NULL;
  if (!(c->weight_decay >= 0))
    problem = "the weight decay must not be negative";
  else if (c->kind == CXR_OPTIMIZER_SGD && !(c->momentum >= 0))
    problem = "the momentum must not be negative";
  else if (c->kind == CXR_OPTIMIZER_SGD && c->nesterov && (c->momentum <= 0 || c->dampening != 0))
    problem = "Nesterov momentum needs a momentum above 0 and no dampening";
  else if (c->kind != CXR_OPTIMIZER_SGD && !(c->beta1 >= 0 && c->beta1 < 1 && c->beta2 >= 0 && c->beta2 < 1))
    problem = "Adam's betas must lie in [0, 1)";
  else if (c->kind != CXR_OPTIMIZER_SGD && !(c->eps >= 0))
    problem = "Adam's eps must not be negative";
  if (problem)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "%s", problem);
      return FALSE;
    }
  return TRUE;
}

static const char *const optimizer_names[] = { "sgd", "adam", "adamw" };

gboolean
cxr_optimizer_kind_from_name (const char *name, CxrOptimizerKind *kind, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (optimizer_names); i++)
    if (g_ascii_strcasecmp (name, optimizer_names[i]) == 0)
      {
        *kind = (CxrOptimizerKind) i;
        return TRUE;
      }
  g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "unknown optimizer '%s' (sgd, adam or adamw)", name);
  return FALSE;
}

const char *
cxr_optimizer_kind_name (CxrOptimizerKind kind)
{
  return kind < G_N_ELEMENTS (optimizer_names) ? optimizer_names[kind] : "unknown";
}

/* ---- the optimiser ------------------------------------------------------ */

typedef struct {
  char *name;
  CxrTensor *param;         /* borrowed */
  const CxrTensor *grad;    /* borrowed */
  float *state[2];          /* SGD: momentum buffer; Adam: exp_avg, exp_avg_sq. Owned, NULL until needed */
  gboolean has_buffer;      /* SGD: the momentum buffer exists (after the first step) */
} Slot;

struct _CxrOptimizer {
  CxrOptimizerConfig config;
  GArray *slots;            /* Slot */
  guint64 steps;
};

static void
slot_clear (gpointer data)
{
  Slot *slot = data;
  g_free (slot->name);
  cxr_free_floats (slot->state[0]);
  cxr_free_floats (slot->state[1]);
}

CxrOptimizer *
cxr_optimizer_new (const CxrOptimizerConfig *config)
{
  CxrOptimizer *optimizer = g_new0 (CxrOptimizer, 1);
  optimizer->config = *config;
  optimizer->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  g_array_set_clear_func (optimizer->slots, slot_clear);
  return optimizer;
}

void
cxr_optimizer_free (CxrOptimizer *optimizer)
{
  if (optimizer == NULL)
    return;
  g_array_unref (optimizer->slots);
  g_free (optimizer);
}

const CxrOptimizerConfig *
cxr_optimizer_get_config (const CxrOptimizer *optimizer)
{
  return &optimizer->config;
}

static int
n_state_tensors (const CxrOptimizerConfig *config)
{
  if (config->kind == CXR_OPTIMIZER_SGD)
    return config->momentum != 0 ? 1 : 0;
  return 2;
}

void
cxr_optimizer_add (CxrOptimizer *optimizer, const char *name, CxrTensor *param, const CxrTensor *grad)
{
  g_return_if_fail (cxr_tensor_numel (param) == cxr_tensor_numel (grad));
  Slot slot = { .name = g_strdup (name), .param = param, .grad = grad };
  gsize numel = cxr_tensor_numel (param);
  for (int i = 0; i < n_state_tensors (&optimizer->config); i++)
    {
      slot.state[i] = cxr_alloc_floats (MAX (numel, 1));
      memset (slot.state[i], 0, numel * sizeof (float));
    }
  g_array_append_val (optimizer->slots, slot);
}

guint
cxr_optimizer_get_n_params (const CxrOptimizer *optimizer)
{
  return optimizer->slots->len;
}

guint64
cxr_optimizer_get_steps (const CxrOptimizer *optimizer)
{
  return optimizer->steps;
}

/* The scalars of one step, each as the float PyTorch's kernel sees (python floats are doubles,
 * cast to the tensor's float type when a kernel takes them). */
typedef struct {
  float weight_decay;       /* grad.add(param, alpha=wd) */
  float momentum;           /* buf.mul_(momentum) */
  float one_minus_dampening;/* buf.add_(d_p, alpha=1 - dampening) */
  float minus_lr;           /* param.add_(d_p, alpha=-lr) */
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float bias_correction2_sqrt; /* exp_avg_sq.sqrt() / bias_correction2_sqrt */
  float eps;
  float minus_step_size;    /* param.addcdiv_(exp_avg, denom, value=-step_size) */
  float decay_factor;       /* AdamW: param.mul_(1 - lr * weight_decay) */
} StepScalars;

/* SGD, element by element in PyTorch's order. `fmaf` where PyTorch's vectorised add with alpha
 * uses a fused multiply-add (vec::fmadd). */
CXR_TARGET_CLONES static void
sgd_range (float *restrict p, const float *restrict grad, float *restrict buf, gboolean first,
           const CxrOptimizerConfig *c, const StepScalars *s, gsize begin, gsize end)
{
  for (gsize i = begin; i < end; i++)
    {
      float d = grad[i];
      if (c->weight_decay != 0)
        d = fmaf (p[i], s->weight_decay, d);
      if (buf != NULL)
        {
          if (first)
            buf[i] = d;
          else
            buf[i] = fmaf (d, s->one_minus_dampening, buf[i] * s->momentum);
          d = c->nesterov ? fmaf (buf[i], s->momentum, d) : buf[i];
        }
      p[i] = fmaf (d, s->minus_lr, p[i]);
    }
}

CXR_TARGET_CLONES static void
adam_range (float *restrict p, const float *restrict grad, float *restrict m, float *restrict v,
            const CxrOptimizerConfig *c, const StepScalars *s, gsize begin, gsize end)
{
  gboolean adamw = c->kind == CXR_OPTIMIZER_ADAMW;
  for (gsize i = begin; i < end; i++)
    {
      float g = grad[i];
      if (adamw)
        p[i] = p[i] * s->decay_factor;
      else if (c->weight_decay != 0)
        g = fmaf (p[i], s->weight_decay, g);
      m[i] = fmaf (g, s->one_minus_beta1, m[i] * s->beta1);
      /* addcmul_: self + value * t1 * t2, left to right, not fused */
      float gg = s->one_minus_beta2 * g;
      gg = gg * g;
      v[i] = v[i] * s->beta2 + gg;
      float denom = sqrtf (v[i]) / s->bias_correction2_sqrt + s->eps;
      /* addcdiv_: self + value * t1 / t2 */
      float update = s->minus_step_size * m[i];
      update = update / denom;
      p[i] = p[i] + update;
    }
}

typedef struct {
  CxrOptimizer *optimizer;
  const StepScalars *scalars;
} StepJob;

static void
step_thread (int thread, int n_threads, gpointer data)
{
  const StepJob *job = data;
  const CxrOptimizerConfig *c = &job->optimizer->config;
  GArray *slots = job->optimizer->slots;
  for (guint k = 0; k < slots->len; k++)
    {
      Slot *slot = &g_array_index (slots, Slot, k);
      gsize begin, end;
      cxr_parallel_split (cxr_tensor_numel (slot->param), 1024, thread, n_threads, &begin, &end);
      if (c->kind == CXR_OPTIMIZER_SGD)
        sgd_range (slot->param->data, slot->grad->data, slot->state[0], !slot->has_buffer, c, job->scalars,
                   begin, end);
      else
        adam_range (slot->param->data, slot->grad->data, slot->state[0], slot->state[1], c, job->scalars,
                    begin, end);
    }
}

void
cxr_optimizer_step (CxrOptimizer *optimizer, double lr, CxrParallel *parallel)
{
  const CxrOptimizerConfig *c = &optimizer->config;
  optimizer->steps++;
  double t = (double) optimizer->steps;
  double bias_correction1 = 1.0 - pow (c->beta1, t);
  double bias_correction2 = 1.0 - pow (c->beta2, t);
  StepScalars s = {
    .weight_decay = (float) c->weight_decay,
    .momentum = (float) c->momentum,
    .one_minus_dampening = (float) (1.0 - c->dampening),
    .minus_lr = (float) -lr,
    .beta1 = (float) c->beta1,
    .one_minus_beta1 = (float) (1.0 - c->beta1),
    .beta2 = (float) c->beta2,
    .one_minus_beta2 = (float) (1.0 - c->beta2),
    .bias_correction2_sqrt = (float) sqrt (bias_correction2),
    .eps = (float) c->eps,
    .minus_step_size = (float) -(lr / bias_correction1),
    .decay_factor = (float) (1.0 - lr * c->weight_decay),
  };
  StepJob job = { optimizer, &s };
  cxr_parallel_run (parallel, step_thread, &job);

  for (guint k = 0; k < optimizer->slots->len; k++)
    g_array_index (optimizer->slots, Slot, k).has_buffer = TRUE;
}

static const char *
state_suffix (const CxrOptimizerConfig *config, int i)
{
  if (config->kind == CXR_OPTIMIZER_SGD)
    return "momentum_buffer";
  return i == 0 ? "exp_avg" : "exp_avg_sq";
}

CxrStateDict *
cxr_optimizer_save_state (const CxrOptimizer *optimizer)
{
  CxrStateDict *state = cxr_state_dict_new ();
  const CxrOptimizerConfig *c = &optimizer->config;
  for (guint k = 0; k < optimizer->slots->len; k++)
    {
      const Slot *slot = &g_array_index (optimizer->slots, Slot, k);
      if (c->kind == CXR_OPTIMIZER_SGD && !slot->has_buffer)
        continue;
      for (int i = 0; i < n_state_tensors (c); i++)
        {
          CxrTensor *t = cxr_tensor_new (slot->param->ndim, slot->param->shape);
          memcpy (t->data, slot->state[i], cxr_tensor_numel (t) * sizeof (float));
          g_autofree char *key = g_strdup_printf ("%s.%s", slot->name, state_suffix (c, i));
          cxr_state_dict_insert (state, key, t);
        }
    }
  return state;
}

gboolean
cxr_optimizer_load_state (CxrOptimizer *optimizer, const CxrStateDict *state, guint64 steps, GError **error)
{
  const CxrOptimizerConfig *c = &optimizer->config;
  guint expected = 0;

  /* Check everything before changing anything. */
  for (guint k = 0; k < optimizer->slots->len; k++)
    {
      const Slot *slot = &g_array_index (optimizer->slots, Slot, k);
      for (int i = 0; i < n_state_tensors (c); i++)
        {
          g_autofree char *key = g_strdup_printf ("%s.%s", slot->name, state_suffix (c, i));
          const CxrTensor *t = cxr_state_dict_lookup (state, key);
          if (t == NULL)
            {
              if (c->kind == CXR_OPTIMIZER_SGD && steps == 0)
                continue;
              g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH, "the optimizer state has no '%s'", key);
              return FALSE;
            }
          if (!cxr_tensor_shape_equal (t, slot->param->ndim, slot->param->shape))
            {
              g_autofree char *got = cxr_shape_to_string (t->ndim, t->shape);
              g_autofree char *want = cxr_shape_to_string (slot->param->ndim, slot->param->shape);
              g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
                           "the optimizer state's '%s' has shape %s, the parameter %s", key, got, want);
              return FALSE;
            }
          expected++;
        }
    }
  if (expected != cxr_state_dict_size (state))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
                   "the optimizer state has %u tensors, of which %u belong to this %s optimizer's parameters",
                   cxr_state_dict_size (state), expected, cxr_optimizer_kind_name (c->kind));
      return FALSE;
    }

  for (guint k = 0; k < optimizer->slots->len; k++)
    {
      Slot *slot = &g_array_index (optimizer->slots, Slot, k);
      slot->has_buffer = FALSE;
      for (int i = 0; i < n_state_tensors (c); i++)
        {
          g_autofree char *key = g_strdup_printf ("%s.%s", slot->name, state_suffix (c, i));
          const CxrTensor *t = cxr_state_dict_lookup (state, key);
          gsize bytes = cxr_tensor_numel (slot->param) * sizeof (float);
          if (t == NULL)
            memset (slot->state[i], 0, bytes);
          else
            {
              memcpy (slot->state[i], t->data, bytes);
              slot->has_buffer = TRUE;
            }
        }
    }
  optimizer->steps = steps;
  return TRUE;
}

/* ---- schedules ---------------------------------------------------------- */

void
cxr_schedule_init (CxrSchedule *schedule, CxrScheduleKind kind, double base_lr)
{
  *schedule = (CxrSchedule) {
    .kind = kind,
    .base_lr = base_lr,
    .step_size = 1,
    .gamma = 0.1,
  };
}

static const char *const schedule_names[] = { "constant", "step", "cosine" };

gboolean
cxr_schedule_kind_from_name (const char *name, CxrScheduleKind *kind, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (schedule_names); i++)
    if (g_ascii_strcasecmp (name, schedule_names[i]) == 0)
      {
        *kind = (CxrScheduleKind) i;
        return TRUE;
      }
  g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "unknown schedule '%s' (constant, step or cosine)", name);
  return FALSE;
}

const char *
cxr_schedule_kind_name (CxrScheduleKind kind)
{
  return kind < G_N_ELEMENTS (schedule_names) ? schedule_names[kind] : "unknown";
}

double
cxr_schedule_lr (const CxrSchedule *s, guint64 step)
{
  if (step < s->warmup_steps)
    return s->base_lr * (double) (step + 1) / (double) (s->warmup_steps + 1);
  guint64 u = step - s->warmup_steps;
  switch (s->kind)
    {
    case CXR_SCHEDULE_CONSTANT:
      return s->base_lr;
    case CXR_SCHEDULE_STEP:
      return s->base_lr * pow (s->gamma, (double) (u / MAX (s->step_size, 1)));
    case CXR_SCHEDULE_COSINE:
      {
        double horizon = s->total_steps > s->warmup_steps ? s->total_steps - s->warmup_steps : 1;
        double progress = MIN ((double) u, horizon);
        return s->min_lr + (s->base_lr - s->min_lr) * (1.0 + cos (G_PI * progress / horizon)) / 2.0;
      }
    }
  return s->base_lr;
}
