/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resnet-train.c: training-mode forward and backward passes of torchvision's ResNet
 * (see cxr-resnet-train.h for what is kept and what is recomputed). */
#include "cxr-resnet-train.h"

#include <stdarg.h>
#include <string.h>

#include "cxr-backward.h"
#include "cxr-bn.h"
#include "cxr-conv.h"
#include "cxr-error.h"
#include "cxr-linear.h"
#include "cxr-pool.h"
#include "cxr-resnet-private.h"
#include "cxr-train-ops.h"

#define N_SCRATCH 5

/* One convolution and its BatchNorm, as this pass runs them. */
typedef struct {
  const CxrConvBn *unit;        /* the network's (borrowed) */
  gboolean trainable;
  int h, w, ho, wo;             /* input and output size in the current plan */
  float *z;                     /* trainable: [Cout, N, Ho, Wo] raw convolution output, kept */
  float *mean, *invstd;         /* [Cout] trainable: this batch's statistics */
  float *scale, *shift;         /* [Cout] the affine BatchNorm applied: batch (trainable) or running (frozen) */
  CxrTensor *dweight, *dgamma, *dbeta; /* trainable: gradients (borrowed from grads) */
} Unit;

typedef struct {
  const CxrBlock *block;
  gboolean trainable;
  Unit conv[3];
  Unit downsample;
  int h, w, ho, wo;
  gboolean keeps_output;        /* the output is kept in `output` (else it lives in scratch) */
  float *output;                /* [Cout, N, Ho, Wo] when kept */
} Block;

struct _CxrResnetTrain {
  CxrResnet *net;               /* borrowed */
  CxrTrainable trainable;
  CxrStateDict *grads;          /* owned */
  CxrParallel *parallel;

  Unit stem;
  Block *blocks;
  int n_blocks;
  int first_trainable;          /* index of the first trainable block, n_blocks if none */
  CxrTensor *dfc_weight, *dfc_bias;

  /* the plan for (plan_n, plan_h, plan_w); buffers are allocated for alloc_n images */
  int plan_n, plan_h, plan_w;
  int alloc_n;
  gsize workspace_floats;
  int stem_h, stem_w;           /* stem output */
  int pool_h, pool_w;           /* max pool output */
  int last_h, last_w;           /* last block output */
  float *input;                 /* [Cin, N, H, W], kept for conv1's weight gradient */
  float *pool_output;           /* [C, N, Hp, Wp] kept when block 0 trains */
  float *scratch[N_SCRATCH];    /* each the largest activation */
  float *workspace;             /* convolution scratch, forward and backward (rearranged weights included) */
  gint32 *argmax;               /* [C, N, Hp, Wp] */
  float *pooled;                /* [N, F] */
  float *dpooled;               /* [N, F] */
  float *last_output;           /* the last block's output after a forward pass (borrowed pointer) */
  gsize buffer_bytes;
  gboolean have_forward;        /* a training forward pass is ready for backward */
};

gboolean
cxr_trainable_from_freeze_name (const char *name, CxrTrainable *trainable, GError **error)
{
  if (g_str_equal (name, "head"))
    *trainable = CXR_TRAINABLE_HEAD;
  else if (g_str_equal (name, "layer4"))
    *trainable = CXR_TRAINABLE_LAYER4;
  else if (g_str_equal (name, "none") || g_str_equal (name, "all"))
    *trainable = CXR_TRAINABLE_ALL;
  else
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "unknown freeze mode '%s' (head: train the head only; layer4: layer4 and the head; none: everything)",
                   name);
      return FALSE;
    }
  return TRUE;
}

const char *
cxr_trainable_freeze_name (CxrTrainable trainable)
{
  switch (trainable)
    {
    case CXR_TRAINABLE_HEAD: return "head";
    case CXR_TRAINABLE_LAYER4: return "layer4";
    case CXR_TRAINABLE_ALL: return "none";
    }
  return "unknown";
}

/* ---- construction ------------------------------------------------------- */

/* The key under which @tensor sits in the network's parameters. */
static const char *
key_of (CxrResnet *net, const CxrTensor *tensor)
{
  for (guint i = 0; i < cxr_state_dict_size (net->params); i++)
    {
      const char *key = cxr_state_dict_key_at (net->params, i);
      if (cxr_state_dict_lookup (net->params, key) == tensor)
        return key;
    }
  g_assert_not_reached ();
}

static CxrTensor *
add_gradient (CxrResnetTrain *train, const CxrTensor *param)
{
  CxrTensor *grad = cxr_tensor_new (param->ndim, param->shape);
  cxr_state_dict_insert (train->grads, key_of (train->net, param), grad);
  return grad;
}

static void
unit_init (Unit *u, const CxrConvBn *unit, gboolean trainable)
{
  int c = unit->geometry.out_channels;
  u->unit = unit;
  u->trainable = trainable;
  u->mean = cxr_alloc_floats (c);
  u->invstd = cxr_alloc_floats (c);
  u->scale = cxr_alloc_floats (c);
  u->shift = cxr_alloc_floats (c);
}

static void
unit_clear (Unit *u)
{
  cxr_free_floats (u->mean);
  cxr_free_floats (u->invstd);
  cxr_free_floats (u->scale);
  cxr_free_floats (u->shift);
  cxr_free_floats (u->z);
}

/* The gradients are created in the network's parameter order, whatever order the units come in. */
static void
create_gradients (CxrResnetTrain *train)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) units = g_ptr_array_new ();   /* Unit *, the trainable ones */

  if (train->stem.trainable)
    g_ptr_array_add (units, &train->stem);
  for (int b = 0; b < train->n_blocks; b++)
    {
      Block *block = &train->blocks[b];
      if (!block->trainable)
        continue;
      for (int k = 0; k < block->block->n_convs; k++)
        g_ptr_array_add (units, &block->conv[k]);
      if (block->block->has_downsample)
        g_ptr_array_add (units, &block->downsample);
    }
  for (guint i = 0; i < units->len; i++)
    {
      const Unit *u = g_ptr_array_index (units, i);
      g_hash_table_add (wanted, u->unit->weight);
      g_hash_table_add (wanted, u->unit->gamma);
      g_hash_table_add (wanted, u->unit->beta);
    }
  g_hash_table_add (wanted, train->net->fc_weight);
  g_hash_table_add (wanted, train->net->fc_bias);

  CxrStateDict *params = train->net->params;
  for (guint i = 0; i < cxr_state_dict_size (params); i++)
    {
      const char *key = cxr_state_dict_key_at (params, i);
      CxrTensor *param = cxr_state_dict_lookup (params, key);
      if (g_hash_table_contains (wanted, param))
        add_gradient (train, param);
    }

  for (guint i = 0; i < units->len; i++)
    {
      Unit *u = g_ptr_array_index (units, i);
      u->dweight = cxr_state_dict_lookup (train->grads, key_of (train->net, u->unit->weight));
      u->dgamma = cxr_state_dict_lookup (train->grads, key_of (train->net, u->unit->gamma));
      u->dbeta = cxr_state_dict_lookup (train->grads, key_of (train->net, u->unit->beta));
    }
  train->dfc_weight = cxr_state_dict_lookup (train->grads, "fc.weight");
  train->dfc_bias = cxr_state_dict_lookup (train->grads, "fc.bias");
}

CxrResnetTrain *
cxr_resnet_train_new (CxrResnet *net, CxrTrainable trainable)
{
  CxrResnetTrain *train = g_new0 (CxrResnetTrain, 1);
  train->net = net;
  train->trainable = trainable;
  train->grads = cxr_state_dict_new ();
  train->parallel = cxr_parallel_new (0);

  unit_init (&train->stem, &net->stem, trainable == CXR_TRAINABLE_ALL);
  train->n_blocks = net->n_blocks;
  train->blocks = g_new0 (Block, net->n_blocks);
  train->first_trainable = net->n_blocks;
  int last_stage = net->arch.n_stages - 1;
  for (int b = 0; b < net->n_blocks; b++)
    {
      Block *block = &train->blocks[b];
      const CxrBlock *src = &net->blocks[b];
      block->block = src;
      block->trainable = trainable == CXR_TRAINABLE_ALL
                         || (trainable == CXR_TRAINABLE_LAYER4 && src->stage == last_stage);
      for (int k = 0; k < src->n_convs; k++)
        unit_init (&block->conv[k], &src->conv[k], block->trainable);
      if (src->has_downsample)
        unit_init (&block->downsample, &src->downsample, block->trainable);
      if (block->trainable && train->first_trainable == net->n_blocks)
        train->first_trainable = b;
    }
  create_gradients (train);
  return train;
}

static void
release_plan (CxrResnetTrain *train)
{
  g_clear_pointer (&train->input, cxr_free_floats);
  g_clear_pointer (&train->pool_output, cxr_free_floats);
  for (int i = 0; i < N_SCRATCH; i++)
    g_clear_pointer (&train->scratch[i], cxr_free_floats);
  g_clear_pointer (&train->workspace, cxr_free_floats);
  g_clear_pointer (&train->argmax, g_free);
  g_clear_pointer (&train->pooled, cxr_free_floats);
  g_clear_pointer (&train->dpooled, cxr_free_floats);
  g_clear_pointer (&train->stem.z, cxr_free_floats);
  for (int b = 0; b < train->n_blocks; b++)
    {
      Block *block = &train->blocks[b];
      for (int k = 0; k < block->block->n_convs; k++)
        g_clear_pointer (&block->conv[k].z, cxr_free_floats);
      g_clear_pointer (&block->downsample.z, cxr_free_floats);
      g_clear_pointer (&block->output, cxr_free_floats);
    }
  train->plan_n = train->plan_h = train->plan_w = train->alloc_n = 0;
  train->workspace_floats = 0;
  train->buffer_bytes = 0;
  train->have_forward = FALSE;
  train->last_output = NULL;
}

void
cxr_resnet_train_release (CxrResnetTrain *train)
{
  release_plan (train);
}

void
cxr_resnet_train_free (CxrResnetTrain *train)
{
  if (train == NULL)
    return;
  release_plan (train);
  unit_clear (&train->stem);
  for (int b = 0; b < train->n_blocks; b++)
    {
      for (int k = 0; k < train->blocks[b].block->n_convs; k++)
        unit_clear (&train->blocks[b].conv[k]);
      if (train->blocks[b].block->has_downsample)
        unit_clear (&train->blocks[b].downsample);
    }
  g_free (train->blocks);
  cxr_state_dict_free (train->grads);
  cxr_parallel_free (train->parallel);
  g_free (train);
}

CxrResnet *
cxr_resnet_train_get_network (CxrResnetTrain *train)
{
  return train->net;
}

CxrTrainable
cxr_resnet_train_get_trainable (const CxrResnetTrain *train)
{
  return train->trainable;
}

CxrStateDict *
cxr_resnet_train_get_gradients (CxrResnetTrain *train)
{
  return train->grads;
}

gboolean
cxr_resnet_train_is_trainable (const CxrResnetTrain *train, const char *key)
{
  return cxr_state_dict_lookup (train->grads, key) != NULL;
}

int
cxr_resnet_train_get_n_features (const CxrResnetTrain *train)
{
  return train->net->features;
}

CxrParallel *
cxr_resnet_train_get_parallel (CxrResnetTrain *train)
{
  return train->parallel;
}

gsize
cxr_resnet_train_get_buffer_bytes (const CxrResnetTrain *train)
{
  return train->buffer_bytes;
}

/* ---- planning ----------------------------------------------------------- */

static float *
plan_alloc (CxrResnetTrain *train, gsize floats)
{
  train->buffer_bytes += floats * sizeof (float);
  return cxr_alloc_floats (MAX (floats, 1));
}

static gsize
unit_output_floats (const Unit *u, int n)
{
  return (gsize) u->unit->geometry.out_channels * n * u->ho * u->wo;
}

/* Sets a unit's sizes for an input of h x w and returns its output size through h, w. */
static void
unit_measure (Unit *u, int n, int *h, int *w, gsize *largest, gsize *workspace)
{
  const CxrConvGeometry *g = &u->unit->geometry;
  u->h = *h;
  u->w = *w;
  u->ho = cxr_conv_out_size (*h, g->kernel_h, g->stride_h, g->pad_h);
  u->wo = cxr_conv_out_size (*w, g->kernel_w, g->stride_w, g->pad_w);
  *largest = MAX (*largest, unit_output_floats (u, n));
  *largest = MAX (*largest, (gsize) g->in_channels * n * *h * *w);
  /* The weights change every step: Winograd transforms them on every call, into the workspace. */
  *workspace = MAX (*workspace, cxr_conv2d_forward_workspace_floats (g, n, *h, *w, TRUE));
  if (u->trainable)
    *workspace = MAX (*workspace, cxr_conv2d_backward_workspace_floats (g, n, *h, *w));
  *h = u->ho;
  *w = u->wo;
}

/* Plans (n, h, w). A smaller batch of the same size reuses the buffers (every buffer grows with n),
 * so a trainer's last partial batch does not reallocate everything twice per epoch. */
static void
ensure_plan (CxrResnetTrain *train, int n, int h, int w)
{
  if (train->plan_n == n && train->plan_h == h && train->plan_w == w)
    return;

  gsize largest = 0, workspace = 0;
  int ch = h, cw = w;
  unit_measure (&train->stem, n, &ch, &cw, &largest, &workspace);
  train->stem_h = ch;
  train->stem_w = cw;
  ch = train->pool_h = (ch + 2 - 3) / 2 + 1;
  cw = train->pool_w = (cw + 2 - 3) / 2 + 1;
  for (int b = 0; b < train->n_blocks; b++)
    {
      Block *block = &train->blocks[b];
      block->h = ch;
      block->w = cw;
      int bh = ch, bw = cw;
      for (int k = 0; k < block->block->n_convs; k++)
        unit_measure (&block->conv[k], n, &bh, &bw, &largest, &workspace);
      if (block->block->has_downsample)
        {
          int dh = ch, dw = cw;
          unit_measure (&block->downsample, n, &dh, &dw, &largest, &workspace);
        }
      block->ho = ch = bh;
      block->wo = cw = bw;
      /* Trainable blocks keep their output (the ReLU mask, the next block's input); so does the
       * frozen block that feeds the first trainable one. */
      block->keeps_output = block->trainable || b + 1 == train->first_trainable;
    }
  train->last_h = ch;
  train->last_w = cw;
  if (train->plan_h == h && train->plan_w == w && n <= train->alloc_n && workspace <= train->workspace_floats)
    {
      train->plan_n = n;
      return;
    }
  release_plan (train);

  int cin = train->net->arch.input_channels;
  int stem_channels = train->stem.unit->geometry.out_channels;
  train->input = plan_alloc (train, (gsize) cin * n * h * w);
  if (train->stem.trainable)
    train->stem.z = plan_alloc (train, unit_output_floats (&train->stem, n));
  if (train->first_trainable == 0)
    train->pool_output = plan_alloc (train, (gsize) stem_channels * n * train->pool_h * train->pool_w);
  for (int b = 0; b < train->n_blocks; b++)
    {
      Block *block = &train->blocks[b];
      if (block->trainable)
        {
          for (int k = 0; k < block->block->n_convs; k++)
            block->conv[k].z = plan_alloc (train, unit_output_floats (&block->conv[k], n));
          if (block->block->has_downsample)
            block->downsample.z = plan_alloc (train, unit_output_floats (&block->downsample, n));
        }
      if (block->keeps_output)
        block->output = plan_alloc (train, (gsize) block->block->out_channels * n * block->ho * block->wo);
    }
  for (int i = 0; i < N_SCRATCH; i++)
    train->scratch[i] = plan_alloc (train, largest);
  train->workspace = plan_alloc (train, workspace);
  gsize pooled_cells = (gsize) stem_channels * n * train->pool_h * train->pool_w;
  train->argmax = g_new (gint32, pooled_cells);
  train->buffer_bytes += pooled_cells * sizeof (gint32);
  train->pooled = plan_alloc (train, (gsize) n * train->net->features);
  train->dpooled = plan_alloc (train, (gsize) n * train->net->features);
  train->plan_n = train->alloc_n = n;
  train->plan_h = h;
  train->plan_w = w;
  train->workspace_floats = workspace;
}

/* A scratch buffer that is none of @busy (NULL-terminated). */
static float *
free_scratch (CxrResnetTrain *train, ...)
{
  const float *busy[8];
  int n_busy = 0;
  va_list args;
  va_start (args, train);
  for (const float *p; (p = va_arg (args, const float *)) != NULL && n_busy < 8;)
    busy[n_busy++] = p;
  va_end (args);

  for (int i = N_SCRATCH - 1; i >= 0; i--)
    {
      gboolean used = FALSE;
      for (int j = 0; j < n_busy; j++)
        used |= busy[j] == train->scratch[i];
      if (!used)
        return train->scratch[i];
    }
  g_assert_not_reached ();
}

/* ---- forward ------------------------------------------------------------ */

static void
conv_forward (CxrResnetTrain *train, const Unit *u, float *out, const float *inp, const float *scale,
              const float *shift, const float *residual, gboolean relu, int n)
{
  cxr_conv2d_forward (out, inp, u->unit->weight->data, NULL, scale, shift, residual, relu, &u->unit->geometry,
                      n, u->h, u->w, train->workspace, train->parallel);
}

/* Frozen units normalise with their running statistics, folded into the convolution. */
static void
unit_fold_running (Unit *u)
{
  const CxrConvBn *unit = u->unit;
  cxr_batchnorm_fold (u->scale, u->shift, unit->gamma->data, unit->beta->data, unit->running_mean->data,
                      unit->running_var->data, CXR_BN_EPS, unit->geometry.out_channels);
}

/* A trainable unit: z = conv(inp), batch statistics, running statistics, the batch affine. */
static void
unit_forward_train (CxrResnetTrain *train, Unit *u, const float *inp, int n)
{
  const CxrConvBn *unit = u->unit;
  int channels = unit->geometry.out_channels;
  conv_forward (train, u, u->z, inp, NULL, NULL, NULL, FALSE, n);
  cxr_batchnorm_train_statistics (u->mean, u->invstd, unit->running_mean->data, unit->running_var->data,
                                  u->z, channels, (gsize) n * u->ho * u->wo, CXR_BN_MOMENTUM, CXR_BN_TRAIN_EPS,
                                  train->parallel);
  cxr_batchnorm_train_affine (u->scale, u->shift, unit->gamma->data, unit->beta->data, u->mean, u->invstd,
                              channels);
  unit->num_batches_tracked->data[0] += 1.0f;
}

/* out = relu?(bn(z) + residual) with the unit's affine of this step. */
static void
unit_apply (CxrResnetTrain *train, const Unit *u, float *out, const float *residual, gboolean relu, int n)
{
  cxr_batchnorm_apply (out, u->z, u->scale, u->shift, residual, relu, u->unit->geometry.out_channels,
                       (gsize) n * u->ho * u->wo, train->parallel);
}

/* Eval mode through a block: as the inference forward pass. Returns the output. */
static float *
block_forward_eval (CxrResnetTrain *train, Block *block, const float *x, int n)
{
  const CxrBlock *src = block->block;
  const float *shortcut = x;
  float *t1 = free_scratch (train, x, NULL);
  float *t2 = free_scratch (train, x, t1, NULL);
  float *ds = free_scratch (train, x, t1, t2, NULL);
  float *out = block->keeps_output ? block->output : NULL;

  if (src->has_downsample)
    {
      unit_fold_running (&block->downsample);
      conv_forward (train, &block->downsample, ds, x, block->downsample.scale, block->downsample.shift,
                    NULL, FALSE, n);
      shortcut = ds;
    }
  for (int k = 0; k < src->n_convs; k++)
    unit_fold_running (&block->conv[k]);

  conv_forward (train, &block->conv[0], t1, x, block->conv[0].scale, block->conv[0].shift, NULL, TRUE, n);
  if (src->n_convs == 2)
    {
      out = out ? out : t2;
      conv_forward (train, &block->conv[1], out, t1, block->conv[1].scale, block->conv[1].shift, shortcut,
                    TRUE, n);
      return out;
    }
  conv_forward (train, &block->conv[1], t2, t1, block->conv[1].scale, block->conv[1].shift, NULL, TRUE, n);
  out = out ? out : t1;
  conv_forward (train, &block->conv[2], out, t2, block->conv[2].scale, block->conv[2].shift, shortcut, TRUE, n);
  return out;
}

/* Train mode through a block: keeps every z and the output. */
static float *
block_forward_train (CxrResnetTrain *train, Block *block, const float *x, int n)
{
  const CxrBlock *src = block->block;
  int last = src->n_convs - 1;
  const float *inp = x;
  float *a = NULL;

  for (int k = 0; k <= last; k++)
    {
      unit_forward_train (train, &block->conv[k], inp, n);
      if (k < last)
        {
          a = free_scratch (train, x, inp, NULL);
          unit_apply (train, &block->conv[k], a, NULL, TRUE, n);
          inp = a;
        }
    }
  const float *shortcut = x;
  if (src->has_downsample)
    {
      unit_forward_train (train, &block->downsample, x, n);
      float *s = free_scratch (train, x, NULL);
      unit_apply (train, &block->downsample, s, NULL, FALSE, n);
      shortcut = s;
    }
  unit_apply (train, &block->conv[last], block->output, shortcut, TRUE, n);
  return block->output;
}

static gboolean
check_input (CxrResnetTrain *train, int n, int h, int w, gboolean training, GError **error)
{
  int min_side = 2 * train->net->arch.stem_kernel;
  if (n <= 0 || h < min_side || w < min_side)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "input of %d image(s) of %dx%d is too small for this network (at least %dx%d)",
                   n, w, h, min_side, min_side);
      return FALSE;
    }
  if (!training || train->first_trainable == train->n_blocks)
    return TRUE;
  /* The smallest BatchNorm plane is the last block's output. */
  int lh = h, lw = w;
  const CxrConvGeometry *g = &train->stem.unit->geometry;
  lh = cxr_conv_out_size (lh, g->kernel_h, g->stride_h, g->pad_h);
  lw = cxr_conv_out_size (lw, g->kernel_w, g->stride_w, g->pad_w);
  lh = (lh + 2 - 3) / 2 + 1;
  lw = (lw + 2 - 3) / 2 + 1;
  for (int b = 0; b < train->n_blocks; b++)
    for (int k = 0; k < train->blocks[b].block->n_convs; k++)
      {
        g = &train->blocks[b].block->conv[k].geometry;
        lh = cxr_conv_out_size (lh, g->kernel_h, g->stride_h, g->pad_h);
        lw = cxr_conv_out_size (lw, g->kernel_w, g->stride_w, g->pad_w);
      }
  if ((gsize) n * lh * lw < 2)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "a training batch of %d image(s) of %dx%d leaves one value per channel in the last "
                   "BatchNorm layers; use a larger batch or input", n, w, h);
      return FALSE;
    }
  return TRUE;
}

/* The whole network up to the last block's output; @training selects batch statistics for the
 * trainable units. Returns the last block's output. */
static const float *
run_backbone (CxrResnetTrain *train, const float *input, int n, int h, int w, gboolean training)
{
  ensure_plan (train, n, h, w);
  int cin = train->net->arch.input_channels;
  cxr_swap_outer_dims (train->input, input, n, cin, (gsize) h * w);

  Unit *stem = &train->stem;
  int stem_channels = stem->unit->geometry.out_channels;
  float *pool_out = train->pool_output ? train->pool_output : train->scratch[1];
  if (training && stem->trainable)
    {
      unit_forward_train (train, stem, train->input, n);
      unit_apply (train, stem, train->scratch[0], NULL, TRUE, n);
    }
  else
    {
      unit_fold_running (stem);
      conv_forward (train, stem, train->scratch[0], train->input, stem->scale, stem->shift, NULL, TRUE, n);
    }
  /* When the stem trains, the pool's argmax is kept for the backward pass. */
  cxr_maxpool2d_forward_parallel (pool_out, training && stem->trainable ? train->argmax : NULL, train->scratch[0],
                                  stem_channels, n, train->stem_h, train->stem_w, 3, 2, 1, train->parallel);

  const float *x = pool_out;
  for (int b = 0; b < train->n_blocks; b++)
    {
      Block *block = &train->blocks[b];
      x = (training && block->trainable) ? block_forward_train (train, block, x, n)
                                         : block_forward_eval (train, block, x, n);
    }
  return x;
}

static void
head_forward (CxrResnetTrain *train, const float *features, int n, float *logits)
{
  CxrResnet *net = train->net;
  cxr_linear_forward (logits, features, net->fc_weight->data, net->fc_bias->data, n, net->features,
                      net->arch.n_classes);
}

gboolean
cxr_resnet_train_forward (CxrResnetTrain *train, const float *input, int n, int h, int w, float *logits,
                          GError **error)
{
  train->have_forward = FALSE;
  if (!check_input (train, n, h, w, TRUE, error))
    return FALSE;
  const float *x = run_backbone (train, input, n, h, w, TRUE);
  cxr_global_avgpool_forward (train->pooled, x, train->net->features, n, train->last_h, train->last_w);
  head_forward (train, train->pooled, n, logits);
  train->last_output = (float *) x;
  train->have_forward = TRUE;
  cxr_resnet_parameters_changed (train->net);  /* the running statistics moved */
  return TRUE;
}

gboolean
cxr_resnet_train_evaluate (CxrResnetTrain *train, const float *input, int n, int h, int w, float *logits,
                           GError **error)
{
  train->have_forward = FALSE;
  if (!check_input (train, n, h, w, FALSE, error))
    return FALSE;
  const float *x = run_backbone (train, input, n, h, w, FALSE);
  cxr_global_avgpool_forward (train->pooled, x, train->net->features, n, train->last_h, train->last_w);
  head_forward (train, train->pooled, n, logits);
  return TRUE;
}

gboolean
cxr_resnet_train_features (CxrResnetTrain *train, const float *input, int n, int h, int w, float *features,
                           GError **error)
{
  train->have_forward = FALSE;
  if (!check_input (train, n, h, w, FALSE, error))
    return FALSE;
  const float *x = run_backbone (train, input, n, h, w, FALSE);
  cxr_global_avgpool_forward (features, x, train->net->features, n, train->last_h, train->last_w);
  return TRUE;
}

void
cxr_resnet_train_head_forward (CxrResnetTrain *train, const float *features, int n, float *logits)
{
  head_forward (train, features, n, logits);
}

static void
zero_tensor (CxrTensor *t)
{
  memset (t->data, 0, cxr_tensor_numel (t) * sizeof (float));
}

void
cxr_resnet_train_head_backward (CxrResnetTrain *train, const float *features, const float *dlogits, int n)
{
  CxrResnet *net = train->net;
  zero_tensor (train->dfc_weight);
  zero_tensor (train->dfc_bias);
  cxr_linear_backward (NULL, train->dfc_weight->data, train->dfc_bias->data, dlogits, features, NULL,
                       n, net->features, net->arch.n_classes);
}

/* ---- backward ----------------------------------------------------------- */

/* dweight of the unit += ... and, when @dinp is not NULL, dinp += conv^T (dz) (cxr-backward.h). */
static void
conv_backward (CxrResnetTrain *train, const Unit *u, float *dinp, const float *dz, const float *inp, int n)
{
  cxr_conv2d_backward (dinp, u->dweight->data, NULL, dz, inp, u->unit->weight->data, &u->unit->geometry,
                       n, u->h, u->w, train->workspace, train->parallel);
}

/* dz (+)= d(loss)/d(z) from the gradient at the unit's BatchNorm output (through its ReLU when @relu):
 * in place when dz is dout, else added onto dz. */
static void
unit_bn_backward (CxrResnetTrain *train, const Unit *u, float *dz, const float *dout, gboolean relu, int n)
{
  cxr_batchnorm_train_backward (dz, u->dgamma->data, u->dbeta->data, dout, u->z, u->mean, u->invstd,
                                u->unit->gamma->data, u->scale, u->shift, relu,
                                u->unit->geometry.out_channels, (gsize) n * u->ho * u->wo, train->parallel);
}

static void
clear_floats (float *buffer, gsize count)
{
  memset (buffer, 0, count * sizeof (float));
}

/* Backward through a trainable block. @g holds d(loss)/d(output) and is used up; @x is the block's
 * input. Returns the buffer holding d(loss)/d(x), or NULL when @need_dx is FALSE. */
static float *
block_backward (CxrResnetTrain *train, Block *block, float *g, const float *x, gboolean need_dx, int n)
{
  const CxrBlock *src = block->block;
  int last = src->n_convs - 1;
  gsize out_count = (gsize) src->out_channels * n * block->ho * block->wo;

  cxr_relu_backward_inplace (g, block->output, out_count, train->parallel);

  /* The main branch, from the last convolution back to the first. */
  float *dz = free_scratch (train, g, x, NULL);
  clear_floats (dz, out_count);
  unit_bn_backward (train, &block->conv[last], dz, g, FALSE, n);
  for (int k = last; k > 0; k--)
    {
      Unit *prev = &block->conv[k - 1];
      float *a = free_scratch (train, g, x, dz, NULL);
      unit_apply (train, prev, a, NULL, TRUE, n);
      float *da = free_scratch (train, g, x, dz, a, NULL);
      clear_floats (da, unit_output_floats (prev, n));
      conv_backward (train, &block->conv[k], da, dz, a, n);
      unit_bn_backward (train, prev, da, da, TRUE, n);
      dz = da;
    }

  if (!src->has_downsample)
    {
      /* d(x) = g (the identity shortcut's) + the main branch's, added onto g, which is free by now. */
      conv_backward (train, &block->conv[0], need_dx ? g : NULL, dz, x, n);
      return need_dx ? g : NULL;
    }
  float *dx = need_dx ? free_scratch (train, g, x, dz, NULL) : NULL;
  if (dx)
    clear_floats (dx, (gsize) src->in_channels * n * block->h * block->w);
  conv_backward (train, &block->conv[0], dx, dz, x, n);
  unit_bn_backward (train, &block->downsample, g, g, FALSE, n);
  conv_backward (train, &block->downsample, dx, g, x, n);
  return dx;
}

static void
stem_backward (CxrResnetTrain *train, const float *dpool, int n)
{
  Unit *stem = &train->stem;
  int channels = stem->unit->geometry.out_channels;
  float *da = free_scratch (train, dpool, NULL);
  memset (da, 0, unit_output_floats (stem, n) * sizeof (float));
  cxr_maxpool2d_backward_parallel (da, dpool, train->argmax, channels, n, train->stem_h, train->stem_w,
                                   train->pool_h, train->pool_w, train->parallel);
  unit_bn_backward (train, stem, da, da, TRUE, n);
  conv_backward (train, stem, NULL, da, train->input, n);
}

void
cxr_resnet_train_backward (CxrResnetTrain *train, const float *dlogits)
{
  g_return_if_fail (train->have_forward);
  CxrResnet *net = train->net;
  int n = train->plan_n;
  int features = net->features;

  cxr_resnet_train_head_backward (train, train->pooled, dlogits, n);
  if (train->first_trainable == train->n_blocks)
    return;
  /* The kernels accumulate: every other gradient starts from zero. */
  for (guint i = 0; i < cxr_state_dict_size (train->grads); i++)
    {
      CxrTensor *grad = cxr_state_dict_lookup (train->grads, cxr_state_dict_key_at (train->grads, i));
      if (grad != train->dfc_weight && grad != train->dfc_bias)
        zero_tensor (grad);
    }

  memset (train->dpooled, 0, (gsize) n * features * sizeof (float));
  cxr_linear_backward (train->dpooled, NULL, NULL, dlogits, NULL, net->fc_weight->data,
                       n, features, net->arch.n_classes);
  float *g = free_scratch (train, train->last_output, NULL);
  memset (g, 0, (gsize) features * n * train->last_h * train->last_w * sizeof (float));
  cxr_global_avgpool_backward (g, train->dpooled, features, n, train->last_h, train->last_w);

  for (int b = train->n_blocks - 1; b >= train->first_trainable; b--)
    {
      Block *block = &train->blocks[b];
      const float *x = b > 0 ? train->blocks[b - 1].output : train->pool_output;
      gboolean need_dx = b > train->first_trainable || train->stem.trainable;
      g = block_backward (train, block, g, x, need_dx, n);
    }
  if (train->stem.trainable)
    stem_backward (train, g, n);
  train->have_forward = FALSE;
}
