/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resnet.c: building, loading and running torchvision's ResNet (inference). */
#include "cxr-resnet.h"

#include <math.h>
#include <string.h>

#include "cxr-bn.h"
#include "cxr-conv.h"
#include "cxr-error.h"
#include "cxr-linear.h"
#include "cxr-pool.h"
#include "cxr-resnet-private.h"
#include "cxr-winograd.h"

/* ---- architecture ------------------------------------------------------ */

static const CxrTensor *
require_tensor (const CxrStateDict *dict, const char *key, int ndim, GError **error)
{
  const CxrTensor *t = cxr_state_dict_lookup (dict, key);
  if (t == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
                   "not a torchvision ResNet state_dict: no key '%s'", key);
      return NULL;
    }
  if (t->ndim != ndim)
    {
      g_autofree char *shape = cxr_shape_to_string (t->ndim, t->shape);
      g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
                   "'%s' has shape %s, expected %d dimensions", key, shape, ndim);
      return NULL;
    }
  return t;
}

gboolean
cxr_resnet_arch_from_state_dict (const CxrStateDict *dict, CxrResnetArch *arch, GError **error)
{
  memset (arch, 0, sizeof *arch);

  const CxrTensor *stem = require_tensor (dict, "conv1.weight", 4, error);
  if (stem == NULL)
    return FALSE;
  arch->stem_channels = stem->shape[0];
  arch->input_channels = stem->shape[1];
  arch->stem_kernel = stem->shape[2];
  if (stem->shape[3] != stem->shape[2])
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                   "conv1.weight: only square stem kernels are supported, not %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                   stem->shape[2], stem->shape[3]);
      return FALSE;
    }

  arch->block = cxr_state_dict_lookup (dict, "layer1.0.conv3.weight") ? CXR_BLOCK_BOTTLENECK : CXR_BLOCK_BASIC;

  for (int s = 0; s < CXR_RESNET_MAX_STAGES; s++)
    {
      int blocks = 0;
      for (;; blocks++)
        {
          g_autofree char *key = g_strdup_printf ("layer%d.%d.conv1.weight", s + 1, blocks);
          if (cxr_state_dict_lookup (dict, key) == NULL)
            break;
        }
      if (blocks == 0)
        break;

      g_autofree char *conv1 = g_strdup_printf ("layer%d.0.conv1.weight", s + 1);
      g_autofree char *last = g_strdup_printf (arch->block == CXR_BLOCK_BOTTLENECK ? "layer%d.0.conv3.weight"
                                                                                   : "layer%d.0.conv2.weight", s + 1);
      const CxrTensor *first = require_tensor (dict, conv1, 4, error);
      const CxrTensor *output = first ? require_tensor (dict, last, 4, error) : NULL;
      if (output == NULL)
        return FALSE;
      arch->blocks[s] = blocks;
      arch->widths[s] = first->shape[0];
      arch->out_channels[s] = output->shape[0];
      arch->n_stages = s + 1;
    }
  if (arch->n_stages == 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH, "not a torchvision ResNet state_dict: no key 'layer1.0.conv1.weight'");
      return FALSE;
    }

  const CxrTensor *fc = require_tensor (dict, "fc.weight", 2, error);
  if (fc == NULL)
    return FALSE;
  arch->n_classes = fc->shape[0];
  return TRUE;
}

typedef struct {
  const char *name;
  CxrBlockKind block;
  int blocks[4];
  int width_factor;  /* wide_resnet: inner width x2 */
} ArchPreset;

static const ArchPreset presets[] = {
  { "resnet18", CXR_BLOCK_BASIC, { 2, 2, 2, 2 }, 1 },
  { "resnet34", CXR_BLOCK_BASIC, { 3, 4, 6, 3 }, 1 },
  { "resnet50", CXR_BLOCK_BOTTLENECK, { 3, 4, 6, 3 }, 1 },
  { "resnet101", CXR_BLOCK_BOTTLENECK, { 3, 4, 23, 3 }, 1 },
  { "resnet152", CXR_BLOCK_BOTTLENECK, { 3, 8, 36, 3 }, 1 },
  { "wide_resnet50_2", CXR_BLOCK_BOTTLENECK, { 3, 4, 6, 3 }, 2 },
  { "wide_resnet101_2", CXR_BLOCK_BOTTLENECK, { 3, 4, 23, 3 }, 2 },
};

gboolean
cxr_resnet_arch_from_name (const char *name, int input_channels, int n_classes,
                           CxrResnetArch *arch, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      const ArchPreset *p = &presets[i];
      if (!g_str_equal (name, p->name))
        continue;
      memset (arch, 0, sizeof *arch);
      arch->block = p->block;
      arch->input_channels = input_channels;
      arch->stem_channels = 64;
      arch->stem_kernel = 7;
      arch->n_stages = 4;
      arch->n_classes = n_classes;
      for (int s = 0; s < 4; s++)
        {
          int planes = 64 << s;
          arch->blocks[s] = p->blocks[s];
          arch->widths[s] = planes * p->width_factor;
          arch->out_channels[s] = p->block == CXR_BLOCK_BOTTLENECK ? planes * 4 : planes;
        }
      return TRUE;
    }
  g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
               "unknown architecture '%s' (known: resnet18, resnet34, resnet50, resnet101, resnet152, "
               "wide_resnet50_2, wide_resnet101_2)", name);
  return FALSE;
}

static const char *
preset_name (const CxrResnetArch *arch)
{
  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      CxrResnetArch p;
      if (cxr_resnet_arch_from_name (presets[i].name, arch->input_channels, arch->n_classes, &p, NULL)
          && memcmp (&p, arch, sizeof p) == 0)
        return presets[i].name;
    }
  return NULL;
}

char *
cxr_resnet_arch_describe (const CxrResnetArch *arch)
{
  g_autoptr (GString) s = g_string_new (NULL);
  const char *name = preset_name (arch);
  g_string_append (s, name ? name : "resnet");
  g_string_append_printf (s, " (%s [", arch->block == CXR_BLOCK_BOTTLENECK ? "Bottleneck" : "BasicBlock");
  for (int i = 0; i < arch->n_stages; i++)
    g_string_append_printf (s, "%s%d", i ? ", " : "", arch->blocks[i]);
  g_string_append (s, "]");
  if (name == NULL)
    {
      g_string_append (s, ", widths [");
      for (int i = 0; i < arch->n_stages; i++)
        g_string_append_printf (s, "%s%d", i ? ", " : "", arch->widths[i]);
      g_string_append (s, "]");
    }
  g_string_append_printf (s, ", %d input channel%s, %d class%s)",
                          arch->input_channels, arch->input_channels == 1 ? "" : "s",
                          arch->n_classes, arch->n_classes == 1 ? "" : "es");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* ---- parameters -------------------------------------------------------- */

static void
add_conv_bn (CxrResnet *net, CxrConvBn *unit, const char *conv_name, const char *bn_name,
             int in_channels, int out_channels, int kernel, int stride, int padding)
{
  CxrStateDict *p = net->params;
  g_autofree char *weight = g_strdup_printf ("%s.weight", conv_name);
  g_autofree char *gamma = g_strdup_printf ("%s.weight", bn_name);
  g_autofree char *beta = g_strdup_printf ("%s.bias", bn_name);
  g_autofree char *mean = g_strdup_printf ("%s.running_mean", bn_name);
  g_autofree char *var = g_strdup_printf ("%s.running_var", bn_name);
  g_autofree char *count = g_strdup_printf ("%s.num_batches_tracked", bn_name);

  unit->geometry = (CxrConvGeometry) {
    .in_channels = in_channels, .out_channels = out_channels,
    .kernel_h = kernel, .kernel_w = kernel,
    .stride_h = stride, .stride_w = stride,
    .pad_h = padding, .pad_w = padding,
  };

  /* Insertion order is torchvision's state_dict order: conv weight, then bn weight, bias,
   * running_mean, running_var, num_batches_tracked. */
  cxr_state_dict_insert (p, weight, cxr_tensor_new_4d (out_channels, in_channels, kernel, kernel));
  cxr_state_dict_insert (p, gamma, cxr_tensor_new_1d (out_channels));
  cxr_state_dict_insert (p, beta, cxr_tensor_new_1d (out_channels));
  cxr_state_dict_insert (p, mean, cxr_tensor_new_1d (out_channels));
  cxr_state_dict_insert (p, var, cxr_tensor_new_1d (out_channels));
  CxrTensor *batches = cxr_tensor_new (0, NULL);
  batches->dtype = CXR_DTYPE_I64;
  cxr_state_dict_insert (p, count, batches);

  unit->weight = cxr_state_dict_lookup (p, weight);
  unit->gamma = cxr_state_dict_lookup (p, gamma);
  unit->beta = cxr_state_dict_lookup (p, beta);
  unit->running_mean = cxr_state_dict_lookup (p, mean);
  unit->running_var = cxr_state_dict_lookup (p, var);
  unit->num_batches_tracked = cxr_state_dict_lookup (p, count);
  unit->scale = cxr_alloc_floats (out_channels);
  unit->shift = cxr_alloc_floats (out_channels);

  for (int c = 0; c < out_channels; c++)
    {
      unit->gamma->data[c] = 1.0f;
      unit->running_var->data[c] = 1.0f;
    }
}

static void
conv_bn_clear (CxrConvBn *unit)
{
  cxr_free_floats (unit->scale);
  cxr_free_floats (unit->shift);
}

/* Allocates every parameter (BatchNorm at identity, weights zero) in torchvision's order. */
static CxrResnet *
resnet_new_zeroed (const CxrResnetArch *arch)
{
  CxrResnet *net = g_new0 (CxrResnet, 1);
  net->arch = *arch;
  net->params = cxr_state_dict_new ();

  int k = arch->stem_kernel;
  add_conv_bn (net, &net->stem, "conv1", "bn1", arch->input_channels, arch->stem_channels, k, 2, k / 2);

  int n_blocks = 0;
  for (int s = 0; s < arch->n_stages; s++)
    n_blocks += arch->blocks[s];
  net->blocks = g_new0 (CxrBlock, n_blocks);
  net->n_blocks = n_blocks;

  int in_channels = arch->stem_channels;
  CxrBlock *block = net->blocks;
  for (int s = 0; s < arch->n_stages; s++)
    for (int b = 0; b < arch->blocks[s]; b++, block++)
      {
        int width = arch->widths[s];
        int out_channels = arch->out_channels[s];
        int stride = (s > 0 && b == 0) ? 2 : 1;
        g_autofree char *prefix = g_strdup_printf ("layer%d.%d", s + 1, b);
        g_autofree char *conv1 = g_strconcat (prefix, ".conv1", NULL);
        g_autofree char *conv2 = g_strconcat (prefix, ".conv2", NULL);
        g_autofree char *conv3 = g_strconcat (prefix, ".conv3", NULL);
        g_autofree char *bn1 = g_strconcat (prefix, ".bn1", NULL);
        g_autofree char *bn2 = g_strconcat (prefix, ".bn2", NULL);
        g_autofree char *bn3 = g_strconcat (prefix, ".bn3", NULL);
        g_autofree char *ds_conv = g_strconcat (prefix, ".downsample.0", NULL);
        g_autofree char *ds_bn = g_strconcat (prefix, ".downsample.1", NULL);

        block->stage = s;
        block->index = b;
        block->in_channels = in_channels;
        block->out_channels = out_channels;
        block->stride = stride;
        if (arch->block == CXR_BLOCK_BASIC)
          {
            block->n_convs = 2;
            add_conv_bn (net, &block->conv[0], conv1, bn1, in_channels, width, 3, stride, 1);
            add_conv_bn (net, &block->conv[1], conv2, bn2, width, out_channels, 3, 1, 1);
          }
        else
          {
            block->n_convs = 3;
            add_conv_bn (net, &block->conv[0], conv1, bn1, in_channels, width, 1, 1, 0);
            add_conv_bn (net, &block->conv[1], conv2, bn2, width, width, 3, stride, 1);
            add_conv_bn (net, &block->conv[2], conv3, bn3, width, out_channels, 1, 1, 0);
          }
        block->has_downsample = stride != 1 || in_channels != out_channels;
        if (block->has_downsample)
          add_conv_bn (net, &block->downsample, ds_conv, ds_bn, in_channels, out_channels, 1, stride, 0);
        in_channels = out_channels;
      }

  cxr_state_dict_insert (net->params, "fc.weight", cxr_tensor_new_2d (arch->n_classes, in_channels));
  cxr_state_dict_insert (net->params, "fc.bias", cxr_tensor_new_1d (arch->n_classes));
  net->fc_weight = cxr_state_dict_lookup (net->params, "fc.weight");
  net->fc_bias = cxr_state_dict_lookup (net->params, "fc.bias");
  net->features = in_channels;
  net->folded_stale = TRUE;
  return net;
}

/* torchvision's initialisation: Kaiming normal (fan_out, ReLU gain) for convolutions, BatchNorm at
 * identity, nn.Linear's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the head. */
static void
initialise_parameters (CxrResnet *net, guint64 seed)
{
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr (GRand) rng = g_rand_new_with_seed_array (seed_words, 2);

  for (guint i = 0; i < cxr_state_dict_size (net->params); i++)
    {
      const char *key = cxr_state_dict_key_at (net->params, i);
      CxrTensor *t = cxr_state_dict_lookup (net->params, key);
      gint64 numel = cxr_tensor_numel (t);
      if (t->ndim == 4)
        {
          double fan_out = (double) t->shape[0] * t->shape[2] * t->shape[3];
          double std = sqrt (2.0 / fan_out);
          for (gint64 j = 0; j < numel; j += 2)
            {
              /* Box-Muller: two normals per pair of uniforms. */
              double u1 = 1.0 - g_rand_double (rng), u2 = g_rand_double (rng);
              double r = sqrt (-2.0 * log (u1));
              t->data[j] = (float) (std * r * cos (2 * G_PI * u2));
              if (j + 1 < numel)
                t->data[j + 1] = (float) (std * r * sin (2 * G_PI * u2));
            }
        }
      else if (g_str_has_prefix (key, "fc."))
        {
          double bound = 1.0 / sqrt ((double) net->features);
          for (gint64 j = 0; j < numel; j++)
            t->data[j] = (float) g_rand_double_range (rng, -bound, bound);
        }
    }
  net->folded_stale = TRUE;
}

CxrResnet *
cxr_resnet_new (const CxrResnetArch *arch, guint64 seed)
{
  CxrResnet *net = resnet_new_zeroed (arch);
  initialise_parameters (net, seed);
  return net;
}

/* Calls func on every convolution of the network. */
static void
foreach_conv (CxrResnet *net, void (*func) (CxrConvBn *unit))
{
  func (&net->stem);
  for (int i = 0; i < net->n_blocks; i++)
    {
      for (int c = 0; c < net->blocks[i].n_convs; c++)
        func (&net->blocks[i].conv[c]);
      if (net->blocks[i].has_downsample)
        func (&net->blocks[i].downsample);
    }
}

static void
release_activations (CxrResnet *net)
{
  for (gsize i = 0; i < G_N_ELEMENTS (net->buffers); i++)
    g_clear_pointer (&net->buffers[i], cxr_free_floats);
  g_clear_pointer (&net->workspace, cxr_free_floats);
  g_clear_pointer (&net->input, cxr_free_floats);
  g_clear_pointer (&net->pooled, cxr_free_floats);
  net->plan_n = net->plan_h = net->plan_w = 0;
  net->plan_first = -1;
}

static void
release_winograd_weight (CxrConvBn *unit)
{
  g_clear_pointer (&unit->winograd_weight, cxr_free_floats);
}

/* Everything inference allocated: activations, the threads, Winograd's transformed weights. */
static void
release_buffers (CxrResnet *net)
{
  release_activations (net);
  g_clear_pointer (&net->parallel, cxr_parallel_free);
  foreach_conv (net, release_winograd_weight);
}

void
cxr_resnet_free (CxrResnet *net)
{
  if (net == NULL)
    return;
  release_buffers (net);
  conv_bn_clear (&net->stem);
  for (int i = 0; i < net->n_blocks; i++)
    {
      for (int c = 0; c < net->blocks[i].n_convs; c++)
        conv_bn_clear (&net->blocks[i].conv[c]);
      if (net->blocks[i].has_downsample)
        conv_bn_clear (&net->blocks[i].downsample);
    }
  g_free (net->blocks);
  cxr_state_dict_free (net->params);
  g_free (net);
}

static gboolean
is_batch_counter (const char *key)
{
  return g_str_has_suffix (key, ".num_batches_tracked");
}

/* Lists up to 20 keys, then says how many more. */
static void
append_key_list (GString *message, const char *what, GPtrArray *keys)
{
  g_string_append_printf (message, "%s%u %s key%s: ", message->len ? "; " : "", keys->len, what,
                          keys->len == 1 ? "" : "s");
  for (guint i = 0; i < keys->len && i < 20; i++)
    g_string_append_printf (message, "%s%s", i ? ", " : "", (const char *) g_ptr_array_index (keys, i));
  if (keys->len > 20)
    g_string_append_printf (message, ", … (%u more)", keys->len - 20);
}

/* Weights a network can compute with: floating point (integer weights once gave 0.5, 0.5 for every image) and
 * finite (a NaN once gave NaN probabilities with exit status 0). */
static gboolean
check_weights (const char *key, const CxrTensor *tensor, GError **error)
{
  switch (tensor->dtype)
    {
    case CXR_DTYPE_F32:
    case CXR_DTYPE_F16:
    case CXR_DTYPE_BF16:
    case CXR_DTYPE_F64:
      break;
    default:
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "tensor '%s' has dtype %s: a network's weights must be "
                   "floating point", key, cxr_dtype_name (tensor->dtype));
      return FALSE;
    }
  gint64 n = cxr_tensor_numel (tensor);
  for (gint64 j = 0; j < n; j++)
    if (!isfinite (tensor->data[j]))
      {
        g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "tensor '%s' holds %s (element %" G_GINT64_FORMAT " of %"
                     G_GINT64_FORMAT "): the weights are broken", key, isnan (tensor->data[j]) ? "NaN" : "an infinity",
                     j, n);
        return FALSE;
      }
  return TRUE;
}

gboolean
cxr_resnet_load_state_dict (CxrResnet *net, const CxrStateDict *dict, GError **error)
{
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  g_autoptr (GPtrArray) unexpected = g_ptr_array_new ();
  g_autoptr (GString) message = g_string_new (NULL);
  g_autoptr (GString) shapes = g_string_new (NULL);

  for (guint i = 0; i < cxr_state_dict_size (net->params); i++)
    {
      const char *key = cxr_state_dict_key_at (net->params, i);
      const CxrTensor *ours = cxr_state_dict_lookup (net->params, key);
      const CxrTensor *theirs = cxr_state_dict_lookup (dict, key);
      if (theirs == NULL)
        {
          if (!is_batch_counter (key))
            g_ptr_array_add (missing, (gpointer) key);
        }
      /* A 0-d scalar and a 1-element 1-d tensor both carry a batch counter. */
      else if (!cxr_tensor_shape_equal (theirs, ours->ndim, ours->shape)
               && !(is_batch_counter (key) && cxr_tensor_numel (theirs) == 1))
        {
          g_autofree char *got = cxr_shape_to_string (theirs->ndim, theirs->shape);
          g_autofree char *want = cxr_shape_to_string (ours->ndim, ours->shape);
          g_string_append_printf (shapes, "%ssize mismatch for %s: the checkpoint has %s, the network expects %s",
                                  shapes->len ? "; " : "", key, got, want);
        }
    }
  for (guint i = 0; i < cxr_state_dict_size (dict); i++)
    {
      const char *key = cxr_state_dict_key_at (dict, i);
      if (cxr_state_dict_lookup (net->params, key) == NULL)
        g_ptr_array_add (unexpected, (gpointer) key);
    }

  if (missing->len)
    append_key_list (message, "missing", missing);
  if (unexpected->len)
    append_key_list (message, "unexpected", unexpected);
  if (shapes->len)
    g_string_append_printf (message, "%s%s", message->len ? "; " : "", shapes->str);
  if (message->len)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH, "the weights do not fit the network: %s", message->str);
      return FALSE;
    }

  for (guint i = 0; i < cxr_state_dict_size (net->params); i++)
    {
      const char *key = cxr_state_dict_key_at (net->params, i);
      const CxrTensor *theirs = cxr_state_dict_lookup (dict, key);
      if (theirs != NULL && !is_batch_counter (key) && !check_weights (key, theirs, error))
        return FALSE;
    }
  for (guint i = 0; i < cxr_state_dict_size (net->params); i++)
    {
      const char *key = cxr_state_dict_key_at (net->params, i);
      CxrTensor *ours = cxr_state_dict_lookup (net->params, key);
      const CxrTensor *theirs = cxr_state_dict_lookup (dict, key);
      if (theirs != NULL)
        memcpy (ours->data, theirs->data, cxr_tensor_numel (ours) * sizeof (float));
    }
  net->folded_stale = TRUE;
  return TRUE;
}

CxrResnet *
cxr_resnet_new_from_state_dict (const CxrStateDict *dict, GError **error)
{
  CxrResnetArch arch;
  if (!cxr_resnet_arch_from_state_dict (dict, &arch, error))
    return NULL;
  g_autoptr (CxrResnet) net = resnet_new_zeroed (&arch);
  if (!cxr_resnet_load_state_dict (net, dict, error))
    return NULL;
  return g_steal_pointer (&net);
}

const CxrResnetArch *
cxr_resnet_get_arch (const CxrResnet *net)
{
  return &net->arch;
}

CxrStateDict *
cxr_resnet_get_parameters (CxrResnet *net)
{
  return net->params;
}

void
cxr_resnet_parameters_changed (CxrResnet *net)
{
  net->folded_stale = TRUE;
}

/* ---- inference --------------------------------------------------------- */

/* BatchNorm into the epilogue's scale/shift; Winograd's copy of the weights follows them. */
static void
fold_unit (CxrConvBn *unit)
{
  cxr_batchnorm_fold (unit->scale, unit->shift, unit->gamma->data, unit->beta->data,
                      unit->running_mean->data, unit->running_var->data, CXR_BN_EPS,
                      unit->geometry.out_channels);
  if (unit->winograd_weight)
    cxr_winograd_transform_weight (unit->winograd_weight, unit->weight->data, &unit->geometry, NULL);
}

static void
fold_batchnorm (CxrResnet *net)
{
  foreach_conv (net, fold_unit);
  net->folded_stale = FALSE;
}

static void
grow (gsize *size, gsize candidate)
{
  *size = MAX (*size, candidate);
}

/* Plans one convolution on an (n, h, w) input: whether it runs by Winograd (then its transformed
 * weights are kept), and the scratch it needs. */
static gsize
plan_conv (CxrConvBn *unit, int n, int h, int w)
{
  unit->winograd = cxr_conv_algorithm (&unit->geometry, n, h, w) == CXR_CONV_WINOGRAD;
  return cxr_conv2d_forward_workspace_floats (&unit->geometry, n, h, w, FALSE);
}

/* Walks the network's shapes for an (n, h, w) input to plan every convolution and size the
 * activation buffers and the shared scratch. The stem's output, before max pooling, is the
 * largest map of a BasicBlock network (4 times layer1's in resnet18) but lives in buffers[0]
 * only: the blocks' buffers are sized for the blocks. With @first >= 0 the plan covers the
 * blocks from @first on (a tail forward) and (h, w) is that block's input; -1: the whole network. */
static void
measure_plan (CxrResnet *net, int first, int n, int h, int w, gsize *stem_floats, gsize *activation_floats,
              gsize *workspace_floats)
{
  *activation_floats = 0;
  *workspace_floats = 0;
  *stem_floats = 0;

  const CxrConvGeometry *g = &net->stem.geometry;
  if (first < 0)
    {
      grow (workspace_floats, plan_conv (&net->stem, n, h, w));
      h = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
      w = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
      *stem_floats = (gsize) g->out_channels * n * h * w;
      h = (h + 2 - 3) / 2 + 1;
      w = (w + 2 - 3) / 2 + 1;
      grow (activation_floats, (gsize) g->out_channels * n * h * w);  /* the max pool's output */
    }

  for (int i = MAX (first, 0); i < net->n_blocks; i++)
    {
      CxrBlock *block = &net->blocks[i];
      int bh = h, bw = w;
      for (int c = 0; c < block->n_convs; c++)
        {
          g = &block->conv[c].geometry;
          grow (workspace_floats, plan_conv (&block->conv[c], n, bh, bw));
          bh = cxr_conv_out_size (bh, g->kernel_h, g->stride_h, g->pad_h);
          bw = cxr_conv_out_size (bw, g->kernel_w, g->stride_w, g->pad_w);
          grow (activation_floats, (gsize) g->out_channels * n * bh * bw);
        }
      if (block->has_downsample)
        grow (workspace_floats, plan_conv (&block->downsample, n, h, w));
      h = bh;
      w = bw;
    }
}

/* Winograd's weights are transformed when a plan first needs them, then kept (refolding updates them). */
static void
prepare_winograd_weight (CxrConvBn *unit)
{
  if (!unit->winograd || unit->winograd_weight)
    return;
  unit->winograd_weight = cxr_alloc_floats (cxr_winograd_weight_floats (&unit->geometry));
  cxr_winograd_transform_weight (unit->winograd_weight, unit->weight->data, &unit->geometry, NULL);
}

static void
ensure_plan (CxrResnet *net, int first, int n, int h, int w)
{
  if (net->plan_n == n && net->plan_h == h && net->plan_w == w && net->plan_first == first)
    return;
  release_activations (net);

  gsize stem_floats, activation_floats, workspace_floats;
  measure_plan (net, first, n, h, w, &stem_floats, &activation_floats, &workspace_floats);
  foreach_conv (net, prepare_winograd_weight);
  for (gsize i = 0; i < G_N_ELEMENTS (net->buffers); i++)
    {
      net->buffer_floats[i] = i == 0 ? MAX (stem_floats, activation_floats) : activation_floats;
      net->buffers[i] = cxr_alloc_floats (MAX (net->buffer_floats[i], 1));
    }
  net->workspace = cxr_alloc_floats (MAX (workspace_floats, 1));
  if (first < 0)
    net->input = cxr_alloc_floats ((gsize) net->arch.input_channels * n * h * w);
  net->pooled = cxr_alloc_floats ((gsize) n * net->features);
  if (net->parallel == NULL)
    net->parallel = cxr_parallel_new (0);
  net->plan_n = n;
  net->plan_h = h;
  net->plan_w = w;
  net->plan_first = first;
}

/* Buffers differ in size (measure_plan): catch an output written where it does not fit. */
static void
check_fits (const CxrResnet *net, const float *out, gsize floats)
{
  for (gsize i = 0; i < G_N_ELEMENTS (net->buffers); i++)
    if (out == net->buffers[i] && floats > net->buffer_floats[i])
      g_error ("%" G_GSIZE_FORMAT " floats of activations do not fit buffers[%" G_GSIZE_FORMAT "] (%" G_GSIZE_FORMAT ")",
               floats, i, net->buffer_floats[i]);
}

static void
run_conv (CxrResnet *net, const CxrConvBn *unit, float *out, const float *inp, const float *residual,
          gboolean relu, int n, int *h, int *w)
{
  check_fits (net, out, (gsize) unit->geometry.out_channels * n
                        * cxr_conv_out_size (*h, unit->geometry.kernel_h, unit->geometry.stride_h, unit->geometry.pad_h)
                        * cxr_conv_out_size (*w, unit->geometry.kernel_w, unit->geometry.stride_w, unit->geometry.pad_w));
  cxr_conv2d_forward (out, inp, unit->weight->data, unit->winograd_weight, unit->scale, unit->shift, residual, relu,
                      &unit->geometry, n, *h, *w, net->workspace, net->parallel);
  *h = cxr_conv_out_size (*h, unit->geometry.kernel_h, unit->geometry.stride_h, unit->geometry.pad_h);
  *w = cxr_conv_out_size (*w, unit->geometry.kernel_w, unit->geometry.stride_w, unit->geometry.pad_w);
}

/* Picks a buffer that is none of the ones in use. */
static float *
free_buffer (CxrResnet *net, const float *a, const float *b, const float *c)
{
  for (gsize i = 0; i < G_N_ELEMENTS (net->buffers); i++)
    if (net->buffers[i] != a && net->buffers[i] != b && net->buffers[i] != c)
      return net->buffers[i];
  g_assert_not_reached ();
}

/* One residual block. Four buffers suffice: the block input x, two inner activations and the
 * shortcut; the output goes to whichever inner buffer is free by then. Returns the output. */
static float *
run_block (CxrResnet *net, const CxrBlock *block, float *x, int n, int *h, int *w)
{
  int bh = *h, bw = *w;
  const float *shortcut = x;
  float *t1 = free_buffer (net, x, NULL, NULL);
  float *t2 = free_buffer (net, x, t1, NULL);
  float *ds = free_buffer (net, x, t1, t2);

  if (block->has_downsample)
    {
      int dh = *h, dw = *w;
      run_conv (net, &block->downsample, ds, x, NULL, FALSE, n, &dh, &dw);
      shortcut = ds;
    }

  run_conv (net, &block->conv[0], t1, x, NULL, TRUE, n, &bh, &bw);
  if (block->n_convs == 2)
    {
      run_conv (net, &block->conv[1], t2, t1, shortcut, TRUE, n, &bh, &bw);
      *h = bh;
      *w = bw;
      return t2;
    }
  run_conv (net, &block->conv[1], t2, t1, NULL, TRUE, n, &bh, &bw);
  run_conv (net, &block->conv[2], t1, t2, shortcut, TRUE, n, &bh, &bw);
  *h = bh;
  *w = bw;
  return t1;
}

gboolean
cxr_resnet_forward (CxrResnet *net, const float *input, int n, int h, int w, float *logits, GError **error)
{
  int min_side = 2 * net->arch.stem_kernel;
  if (n <= 0 || h < min_side || w < min_side)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "input of %d image(s) of %dx%d is too small for this network (at least %dx%d)",
                   n, w, h, min_side, min_side);
      return FALSE;
    }
  if (net->folded_stale)
    fold_batchnorm (net);
  ensure_plan (net, -1, n, h, w);

  int c = net->arch.input_channels;
  cxr_swap_outer_dims (net->input, input, n, c, (gsize) h * w);

  float *stem_out = net->buffers[0];
  run_conv (net, &net->stem, stem_out, net->input, NULL, TRUE, n, &h, &w);

  float *x = net->buffers[1];
  int ph = (h + 2 - 3) / 2 + 1, pw = (w + 2 - 3) / 2 + 1;
  cxr_maxpool2d_forward (x, NULL, stem_out, net->stem.geometry.out_channels, n, h, w, 3, 2, 1);
  h = ph;
  w = pw;

  for (int i = 0; i < net->n_blocks; i++)
    {
      x = run_block (net, &net->blocks[i], x, n, &h, &w);
      if (net->block_observer)
        net->block_observer (net, i, x, n, h, w, net->block_observer_data);
    }

  cxr_global_avgpool_forward (net->pooled, x, net->features, n, h, w);
  cxr_linear_forward (logits, net->pooled, net->fc_weight->data, net->fc_bias->data,
                      n, net->features, net->arch.n_classes);
  return TRUE;
}

gboolean
cxr_resnet_forward_tail (CxrResnet *net, int first, const float *x, int n, int h, int w, float *logits,
                         GError **error)
{
  if (first < 0 || first > net->n_blocks || n <= 0 || h <= 0 || w <= 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "no tail from block %d for %d input(s) of %dx%d (the network has %d blocks)", first, n, w, h,
                   net->n_blocks);
      return FALSE;
    }
  if (net->folded_stale)
    fold_batchnorm (net);
  ensure_plan (net, first, n, h, w);

  /* run_block never writes into its input: the caller's activations are read where they are. */
  float *in = (float *) x;
  for (int i = first; i < net->n_blocks; i++)
    in = run_block (net, &net->blocks[i], in, n, &h, &w);
  cxr_global_avgpool_forward (net->pooled, in, net->features, n, h, w);
  cxr_linear_forward (logits, net->pooled, net->fc_weight->data, net->fc_bias->data,
                      n, net->features, net->arch.n_classes);
  return TRUE;
}
