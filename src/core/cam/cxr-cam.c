/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam.c: Grad-CAM and Grad-CAM++ from the network to the normalised map at image resolution. */
#include "cxr-cam.h"

#include <math.h>
#include <string.h>

#include "cxr-cam-private.h"
#include "cxr-error.h"
#include "cxr-resize.h"

void
cxr_cam_options_init_default (CxrCamOptions *options)
{
  memset (options, 0, sizeof *options);
  options->method = CXR_CAM_METHOD_GRADCAM;
  options->layer = NULL;
  options->target_class = CXR_CAM_TARGET_POSITIVE;
}

static const char *const method_names[CXR_CAM_N_METHODS] = {
  [CXR_CAM_METHOD_GRADCAM] = "gradcam",
  [CXR_CAM_METHOD_GRADCAM_PLUSPLUS] = "gradcam++",
  [CXR_CAM_METHOD_HIRESCAM] = "hirescam",
  [CXR_CAM_METHOD_GRADCAM_ELEMENTWISE] = "gradcam-elementwise",
  [CXR_CAM_METHOD_XGRADCAM] = "xgradcam",
  [CXR_CAM_METHOD_LAYERCAM] = "layercam",
  [CXR_CAM_METHOD_EIGENCAM] = "eigencam",
  [CXR_CAM_METHOD_EIGENGRADCAM] = "eigengradcam",
  [CXR_CAM_METHOD_SCORECAM] = "scorecam",
  [CXR_CAM_METHOD_ABLATIONCAM] = "ablationcam",
};

const char *
cxr_cam_method_get_name (CxrCamMethod method)
{
  g_return_val_if_fail (method < CXR_CAM_N_METHODS, method_names[0]);
  return method_names[method];
}

/* "Grad-CAM++", "grad_cam_plusplus", "gradcampp" -> "gradcam++": lower case without hyphens and underscores, and
 * "pp" or "plusplus" at the end spelled "++". */
static char *
fold_method_name (const char *name)
{
  g_autoptr (GString) folded = g_string_new (NULL);
  for (const char *p = name; *p; p++)
    if (*p != '-' && *p != '_' && *p != ' ')
      g_string_append_c (folded, g_ascii_tolower (*p));
  if (g_str_has_suffix (folded->str, "plusplus"))
    g_string_truncate (folded, folded->len - strlen ("plusplus"));
  else if (g_str_has_suffix (folded->str, "pp"))
    g_string_truncate (folded, folded->len - strlen ("pp"));
  else
    return g_string_free (g_steal_pointer (&folded), FALSE);
  g_string_append (folded, "++");
  return g_string_free (g_steal_pointer (&folded), FALSE);
}

gboolean
cxr_cam_method_from_name (const char *name, CxrCamMethod *method, GError **error)
{
  g_autofree char *folded = fold_method_name (name);
  for (int m = 0; m < CXR_CAM_N_METHODS; m++)
    {
      g_autofree char *known = fold_method_name (method_names[m]);
      if (strcmp (folded, known) == 0)
        {
          *method = m;
          return TRUE;
        }
    }
  g_autoptr (GString) known = g_string_new (NULL);
  for (int m = 0; m < CXR_CAM_N_METHODS; m++)
    g_string_append_printf (known, "%s%s", m ? ", " : "", method_names[m]);
  g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "unknown CAM method '%s' (known: %s)", name, known->str);
  return FALSE;
}

gboolean
cxr_cam_method_uses_gradients (CxrCamMethod method)
{
  return method != CXR_CAM_METHOD_EIGENCAM && method != CXR_CAM_METHOD_SCORECAM
         && method != CXR_CAM_METHOD_ABLATIONCAM;
}

gboolean
cxr_cam_method_is_perturbation (CxrCamMethod method)
{
  return method == CXR_CAM_METHOD_SCORECAM || method == CXR_CAM_METHOD_ABLATIONCAM;
}

/* "layer2, layer2.0 … layer2.3, …" for error messages. */
static char *
describe_layers (const CxrResnetArch *arch)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (int stage = 0; stage < arch->n_stages; stage++)
    g_string_append_printf (s, "%slayer%d (= layer%d.%d), layer%d.0 … layer%d.%d", stage ? "; " : "",
                            stage + 1, stage + 1, arch->blocks[stage] - 1, stage + 1, stage + 1,
                            arch->blocks[stage] - 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
parse_index (const char *text, const char **end, int *value)
{
  if (!g_ascii_isdigit (*text))
    return FALSE;
  char *stop = NULL;
  guint64 v = g_ascii_strtoull (text, &stop, 10);
  if (v > G_MAXINT)
    return FALSE;
  *value = (int) v;
  *end = stop;
  return TRUE;
}

gboolean
cxr_cam_resolve_layer (const CxrResnetArch *arch, const char *name, int *block_index, char **canonical_name,
                       GError **error)
{
  int stage = 0, block = -1;
  const char *p = name;
  gboolean ok = name != NULL && g_str_has_prefix (name, "layer");
  if (ok)
    ok = parse_index (p + strlen ("layer"), &p, &stage) && stage >= 1 && stage <= arch->n_stages;
  if (ok && *p == '.')
    ok = parse_index (p + 1, &p, &block) && block < arch->blocks[stage - 1];
  if (ok)
    ok = *p == '\0';
  if (!ok)
    {
      g_autofree char *known = describe_layers (arch);
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "no layer '%s' in this network: a CAM layer is a residual block (%s)",
                   name ? name : "(null)", known);
      return FALSE;
    }
  if (block < 0)
    block = arch->blocks[stage - 1] - 1;

  int index = block;
  for (int s = 0; s < stage - 1; s++)
    index += arch->blocks[s];
  if (block_index)
    *block_index = index;
  if (canonical_name)
    *canonical_name = g_strdup_printf ("layer%d.%d", stage, block);
  return TRUE;
}

gboolean
cxr_cam_resolve_layers (const CxrResnetArch *arch, const char *names, int *block_indices, int *n_blocks,
                        char **canonical_names, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (names ? names : "", ",", -1);
  g_autoptr (GString) canonical = g_string_new (NULL);
  int n = 0;
  for (int i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);
      int index;
      g_autofree char *one = NULL;
      if (!cxr_cam_resolve_layer (arch, name, &index, &one, error))
        return FALSE;
      gboolean repeated = FALSE;
      for (int j = 0; j < n; j++)
        repeated |= block_indices[j] == index;
      if (repeated)
        continue;
      if (n == CXR_CAM_MAX_LAYERS)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "at most %d layers can be fused", CXR_CAM_MAX_LAYERS);
          return FALSE;
        }
      block_indices[n++] = index;
      g_string_append_printf (canonical, "%s%s", canonical->len ? "," : "", one);
    }
  if (n == 0)
    return cxr_cam_resolve_layer (arch, NULL, NULL, NULL, error);
  *n_blocks = n;
  if (canonical_names)
    *canonical_names = g_string_free (g_steal_pointer (&canonical), FALSE);
  return TRUE;
}

/* ---- the result --------------------------------------------------------------------------------- */

static void
cam_result_clear (gpointer data)
{
  CxrCamResult *result = data;
  g_free (result->path);
  g_free (result->name);
  g_clear_error (&result->error);
  g_free (result->layer);
  g_free (result->target_name);
  g_free (result->logits);
  g_free (result->probabilities);
  g_free (result->gray8);
  g_free (result->cam);
  g_free (result->cam_features);
  g_free (result->cam_raw);
}

CxrCamResult *
cxr_cam_result_new (const char *path)
{
  CxrCamResult *result = g_atomic_rc_box_new0 (CxrCamResult);
  result->path = g_strdup (path);
  result->name = path ? g_path_get_basename (path) : NULL;
  return result;
}

CxrCamResult *
cxr_cam_result_ref (CxrCamResult *result)
{
  return g_atomic_rc_box_acquire (result);
}

void
cxr_cam_result_unref (CxrCamResult *result)
{
  if (result)
    g_atomic_rc_box_release_full (result, cam_result_clear);
}

G_DEFINE_BOXED_TYPE (CxrCamResult, cxr_cam_result, cxr_cam_result_ref, cxr_cam_result_unref)

/* ---- the pieces ---------------------------------------------------------------------------------- */

void
cxr_cam_normalise (float *x, gsize n)
{
  if (n == 0)
    return;
  /* As scale_cam_image in float32: img - min, then / (1e-7 + max) with the sum formed in double and
   * rounded to float, as NumPy does for a float32 array divided by a float64 scalar. */
  float lo = x[0];
  for (gsize i = 1; i < n; i++)
    lo = MIN (lo, x[i]);
  float hi = -INFINITY;
  for (gsize i = 0; i < n; i++)
    {
      x[i] -= lo;
      hi = MAX (hi, x[i]);
    }
  float denominator = (float) ((double) hi + (double) CXR_CAM_NORMALISE_EPS);
  for (gsize i = 0; i < n; i++)
    x[i] /= denominator;
}

void
cxr_cam_feature_size (const CxrResnet *net, int block_index, int h, int w, int *feature_h, int *feature_w,
                      int *channels)
{
  const CxrConvGeometry *g = &net->stem.geometry;
  h = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  w = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  h = (h + 2 - 3) / 2 + 1;
  w = (w + 2 - 3) / 2 + 1;
  for (int i = 0; i <= block_index; i++)
    for (int c = 0; c < net->blocks[i].n_convs; c++)
      {
        g = &net->blocks[i].conv[c].geometry;
        h = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
        w = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
      }
  *feature_h = h;
  *feature_w = w;
  if (channels)
    *channels = net->blocks[block_index].out_channels;
}

/* ---- one pass over one input ---------------------------------------------------------------------- */

/* The largest logit but @skip_class's (-1: none), or @skip_class when it is the only class. */
static int
top_class (const float *logits, int n_classes, int skip_class)
{
  int best = -1;
  for (int c = 0; c < n_classes; c++)
    if (c != skip_class && (best < 0 || logits[c] > logits[best]))
      best = c;
  return best >= 0 ? best : 0;
}

/* The class to explain: @target->class_index may be CXR_CAM_TARGET_TOP, chosen after the forward pass from the
 * logits (never @target->skip_class unless it is the only class); the class explained is left in
 * @target->class_index, so that later passes of the same image (aug_smooth) explain the same class. */
typedef struct {
  int class_index;
  int skip_class;
} Target;

/* The method at blocks[0 .. n_blocks) of one input [1, C, H, W]: each layer's map max (cam, 0) at its resolution
 * into maps[i] (allocated here, [map_h[i], map_w[i]]), the logits, and the first layer's channel weights (the
 * weighting methods) into @weights when not NULL. Perturbation progress runs from @from to @to. */
static gboolean
layer_maps (CxrResnet *net, const float *input, int h, int w, CxrCamMethod method, gboolean eigen_smooth,
            const int *blocks, int n_blocks, Target *target, float **maps, int *map_h, int *map_w, float *logits,
            float *weights, const CxrCamMonitor *monitor, double from, double to, GError **error)
{
  int target_class = target->class_index;
  if (target_class != CXR_CAM_TARGET_TOP && (target_class < 0 || target_class >= net->arch.n_classes))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "class %d does not exist (the network has %d)",
                   target_class, net->arch.n_classes);
      return FALSE;
    }
  int first = net->n_blocks;
  for (int i = 0; i < n_blocks; i++)
    {
      if (blocks[i] < 0 || blocks[i] >= net->n_blocks)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "block %d does not exist (the network has %d)",
                       blocks[i], net->n_blocks);
          return FALSE;
        }
      first = MIN (first, blocks[i]);
    }

  CxrCamActivations kept;
  cxr_cam_activations_init (&kept, net, first);
  float *grads[CXR_CAM_MAX_LAYERS] = { NULL };
  gboolean ok = cxr_cam_forward_keep (net, input, h, w, &kept, logits, error);
  if (ok && target_class == CXR_CAM_TARGET_TOP)
    target->class_index = target_class = top_class (logits, net->arch.n_classes, target->skip_class);
  if (ok && cxr_cam_method_uses_gradients (method))
    {
      for (int i = 0; i < n_blocks; i++)
        {
          int k = blocks[i] - first;
          grads[i] = cxr_alloc_floats ((gsize) kept.channels[k] * kept.heights[k] * kept.widths[k]);
        }
      cxr_cam_gradients (net, &kept, target_class, blocks, n_blocks, grads);
    }

  for (int i = 0; ok && i < n_blocks; i++)
    {
      int k = blocks[i] - first;
      int channels = kept.channels[k];
      gsize plane = (gsize) kept.heights[k] * kept.widths[k];
      const float *activations = kept.outputs[k];
      double layer_from = from + (to - from) * i / n_blocks, layer_to = from + (to - from) * (i + 1) / n_blocks;
      g_autofree float *w_k = NULL;
      switch (method)
        {
        case CXR_CAM_METHOD_GRADCAM:
        case CXR_CAM_METHOD_GRADCAM_PLUSPLUS:
        case CXR_CAM_METHOD_XGRADCAM:
          w_k = g_new (float, channels);
          cxr_cam_channel_weights (w_k, method, activations, grads[i], channels, plane);
          break;
        case CXR_CAM_METHOD_SCORECAM:
          w_k = g_new (float, channels);
          ok = cxr_cam_score_weights (w_k, net, input, h, w, activations, channels, kept.heights[k], kept.widths[k],
                                      target_class, monitor, layer_from, layer_to, error);
          break;
        case CXR_CAM_METHOD_ABLATIONCAM:
          w_k = g_new (float, channels);
          ok = cxr_cam_ablation_weights (w_k, net, blocks[i], activations, channels, kept.heights[k], kept.widths[k],
                                         logits[target_class], target_class, monitor, layer_from, layer_to, error);
          break;
        default:
          break;
        }
      if (!ok)
        break;
      if (i == 0 && weights != NULL && w_k != NULL)
        memcpy (weights, w_k, sizeof (float) * channels);
      maps[i] = g_new (float, plane);
      map_h[i] = kept.heights[k];
      map_w[i] = kept.widths[k];
      cxr_cam_layer_image (maps[i], method, eigen_smooth, activations, grads[i], w_k, channels, plane);
    }

  for (int i = 0; i < n_blocks; i++)
    cxr_free_floats (grads[i]);
  cxr_cam_activations_clear (&kept);
  if (!ok)
    for (int i = 0; i < n_blocks; i++)
      g_clear_pointer (&maps[i], g_free);
  return ok;
}

gboolean
cxr_cam_run_network (CxrResnet *net, const float *input, int h, int w, CxrCamMethod method, int block_index,
                     int target_class, float *cam_raw, float *weights, float *logits, GError **error)
{
  /* An index only: choosing the top class needs the card's class names (cxr_cam_compute). */
  if (target_class == CXR_CAM_TARGET_TOP)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "class %d does not exist (the network has %d)",
                   target_class, net->arch.n_classes);
      return FALSE;
    }
  g_autofree float *own_logits = logits ? NULL : g_new (float, net->arch.n_classes);
  float *map = NULL;
  int map_h, map_w;
  Target target = { target_class, -1 };
  if (!layer_maps (net, input, h, w, method, FALSE, &block_index, 1, &target, &map, &map_h, &map_w,
                   logits ? logits : own_logits, weights, NULL, 0.0, 1.0, error))
    return FALSE;
  memcpy (cam_raw, map, sizeof (float) * map_h * map_w);
  g_free (map);
  return TRUE;
}

/* ---- layers and smoothing ------------------------------------------------------------------------- */

/* The map of one input at the requested layers: with one layer its map at the layer's resolution (@raw and
 * @normalised [map_h, map_w]); with several, each normalised, upsampled to the input's size, averaged
 * (aggregate_multi_layers; @raw is the average, @normalised the average normalised). */
static gboolean
one_pass (CxrResnet *net, const float *input, int h, int w, CxrCamMethod method, gboolean eigen_smooth,
          const int *blocks, int n_blocks, Target *target, float **raw, float **normalised, int *map_h, int *map_w,
          float *logits, const CxrCamMonitor *monitor, double from, double to, GError **error)
{
  float *maps[CXR_CAM_MAX_LAYERS] = { NULL };
  int mh[CXR_CAM_MAX_LAYERS], mw[CXR_CAM_MAX_LAYERS];
  if (!layer_maps (net, input, h, w, method, eigen_smooth, blocks, n_blocks, target, maps, mh, mw, logits, NULL,
                   monitor, from, to, error))
    return FALSE;
  if (n_blocks == 1)
    {
      gsize n = (gsize) mh[0] * mw[0];
      *raw = maps[0];
      *normalised = g_memdup2 (maps[0], sizeof (float) * n);
      cxr_cam_normalise (*normalised, n);
      *map_h = mh[0];
      *map_w = mw[0];
      return TRUE;
    }

  gsize n = (gsize) h * w;
  g_autofree double *sum = g_new0 (double, n);
  g_autofree float *resized = g_new (float, n);
  for (int i = 0; i < n_blocks; i++)
    {
      cxr_cam_normalise (maps[i], (gsize) mh[i] * mw[i]);
      cxr_resize_bilinear (resized, h, w, maps[i], mh[i], mw[i]);
      for (gsize p = 0; p < n; p++)
        sum[p] += MAX (resized[p], 0.0f);
      g_free (maps[i]);
    }
  *raw = g_new (float, n);
  for (gsize p = 0; p < n; p++)
    (*raw)[p] = (float) (sum[p] / n_blocks);
  *normalised = g_memdup2 (*raw, sizeof (float) * n);
  cxr_cam_normalise (*normalised, n);
  *map_h = h;
  *map_w = w;
  return TRUE;
}

/* forward_augmentation_smoothing: ttach's HorizontalFlip x Multiply (0.9, 1, 1.1); each map mirrored back and the
 * six averaged at the input's resolution (not normalised again). The plain input goes first: its logits are
 * @logits, and a CXR_CAM_TARGET_TOP target is chosen from them for all six (the sum is in double, so the order
 * does not show). */
static gboolean
aug_smooth_pass (CxrResnet *net, const float *input, int channels, int h, int w, CxrCamMethod method,
                 gboolean eigen_smooth, const int *blocks, int n_blocks, Target *target, float **map, float *logits,
                 const CxrCamMonitor *monitor, GError **error)
{
  static const struct {
    int flip;
    float factor;
  } passes[] = { { 0, 1.0f }, { 0, 0.9f }, { 0, 1.1f }, { 1, 0.9f }, { 1, 1.0f }, { 1, 1.1f } };
  gsize plane = (gsize) h * w, size = (gsize) channels * plane;
  g_autofree float *augmented = g_new (float, size);
  g_autofree float *pass_logits = g_new (float, net->arch.n_classes);
  g_autofree double *sum = g_new0 (double, plane);
  int n_passes = G_N_ELEMENTS (passes);

  for (int pass = 0; pass < n_passes; pass++)
    {
      int flip = passes[pass].flip;
      float factor = passes[pass].factor;
      for (int c = 0; c < channels; c++)
        for (int y = 0; y < h; y++)
          {
            const float *src = input + (gsize) c * plane + (gsize) y * w;
            float *dst = augmented + (gsize) c * plane + (gsize) y * w;
            for (int x = 0; x < w; x++)
              dst[x] = (flip ? src[w - 1 - x] : src[x]) * factor;
          }
      g_autofree float *raw = NULL, *normalised = NULL, *upsampled = NULL;
      int mh, mw;
      if (!one_pass (net, augmented, h, w, method, eigen_smooth, blocks, n_blocks, target, &raw, &normalised,
                     &mh, &mw, pass_logits, monitor, (double) pass / n_passes, (double) (pass + 1) / n_passes,
                     error))
        return FALSE;
      if (pass == 0)
        memcpy (logits, pass_logits, sizeof (float) * net->arch.n_classes);
      const float *at_input = normalised;
      if (mh != h || mw != w)
        {
          /* One layer: BaseCAM.forward upsamples it to the input (scale_cam_image) and normalises again. */
          upsampled = g_new (float, plane);
          cxr_resize_bilinear (upsampled, h, w, normalised, mh, mw);
          for (gsize p = 0; p < plane; p++)
            upsampled[p] = MAX (upsampled[p], 0.0f);
          cxr_cam_normalise (upsampled, plane);
          at_input = upsampled;
        }
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          sum[(gsize) y * w + x] += at_input[(gsize) y * w + (flip ? w - 1 - x : x)];
    }

  *map = g_new (float, plane);
  for (gsize p = 0; p < plane; p++)
    (*map)[p] = (float) (sum[p] / n_passes);
  return TRUE;
}

/* ---- the pipeline -------------------------------------------------------------------------------- */

CxrCamResult *
cxr_cam_compute_input (CxrModel *model, const CxrImage *image, const float *input, const CxrCamOptions *options,
                       const CxrCamMonitor *monitor, GError **error)
{
  CxrCamOptions defaults;
  if (options == NULL)
    {
      cxr_cam_options_init_default (&defaults);
      options = &defaults;
    }
  const CxrModelCard *card = cxr_model_get_card (model);
  CxrResnet *net = cxr_model_get_network (model);
  const CxrResnetArch *arch = cxr_resnet_get_arch (net);
  guint n_classes = cxr_model_get_n_classes (model);

  int blocks[CXR_CAM_MAX_LAYERS], n_blocks = 0;
  g_autofree char *layer = NULL;
  if (!cxr_cam_resolve_layers (arch, options->layer ? options->layer : card->cam_layer, blocks, &n_blocks, &layer,
                               error))
    return NULL;
  int target = options->target_class == CXR_CAM_TARGET_POSITIVE ? (int) card->positive_class : options->target_class;
  if (target >= (int) n_classes || (target < 0 && target != CXR_CAM_TARGET_TOP))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "no class %d: the model has %u classes", target, n_classes);
      return NULL;
    }

  Target chosen = { target, -1 };
  for (guint c = 0; c < n_classes; c++)
    if (g_ascii_strcasecmp (card->class_names[c], "No Finding") == 0)
      chosen.skip_class = (int) c;

  const CxrPreprocessParams *params = cxr_model_get_preprocess (model);
  g_autoptr (CxrCamResult) result = cxr_cam_result_new (NULL);
  result->logits = g_new (float, n_classes);
  int fh, fw;
  gboolean ok;
  if (options->aug_smooth)
    {
      ok = aug_smooth_pass (net, input, arch->input_channels, params->height, params->width, options->method,
                            options->eigen_smooth, blocks, n_blocks, &chosen, &result->cam_features, result->logits,
                            monitor, error);
      fh = params->height;
      fw = params->width;
      if (ok)
        result->cam_raw = g_memdup2 (result->cam_features, sizeof (float) * fh * fw);
    }
  else
    ok = one_pass (net, input, params->height, params->width, options->method, options->eigen_smooth, blocks,
                   n_blocks, &chosen, &result->cam_raw, &result->cam_features, &fh, &fw, result->logits, monitor, 0.0,
                   1.0, error);
  if (!ok)
    return NULL;

  result->method = options->method;
  result->layer = g_steal_pointer (&layer);
  result->aug_smooth = options->aug_smooth;
  result->eigen_smooth = options->eigen_smooth;
  result->target_class = chosen.class_index;
  result->target_name = g_strdup (card->class_names[chosen.class_index]);
  result->n_classes = n_classes;
  result->probabilities = g_new (float, n_classes);
  cxr_model_activate (model, result->logits, result->probabilities, 1);
  result->feature_height = fh;
  result->feature_width = fw;

  result->width = image->width;
  result->height = image->height;
  result->gray8 = cxr_image_to_gray8 (image);
  result->cam = g_new (float, (gsize) image->width * image->height);
  cxr_resize_bilinear (result->cam, image->height, image->width, result->cam_features, fh, fw);
  return g_steal_pointer (&result);
}

CxrCamResult *
cxr_cam_compute_full (CxrModel *model, const CxrImage *image, const CxrCamOptions *options,
                      const CxrCamMonitor *monitor, GError **error)
{
  const CxrPreprocessParams *params = cxr_model_get_preprocess (model);
  float *input = cxr_alloc_floats (cxr_preprocess_output_size (params));
  cxr_preprocess (input, image, params);
  CxrCamResult *result = cxr_cam_compute_input (model, image, input, options, monitor, error);
  cxr_free_floats (input);
  return result;
}

float *
cxr_cam_result_map_at (const CxrCamResult *result, int height, int width)
{
  gsize n = (gsize) height * width;
  if (result->feature_height == height && result->feature_width == width)
    return g_memdup2 (result->cam_features, sizeof (float) * n);
  float *map = g_new (float, n);
  cxr_resize_bilinear (map, height, width, result->cam_features, result->feature_height, result->feature_width);
  for (gsize p = 0; p < n; p++)
    map[p] = MAX (map[p], 0.0f);
  cxr_cam_normalise (map, n);
  return map;
}

CxrCamResult *
cxr_cam_compute (CxrModel *model, const CxrImage *image, const CxrCamOptions *options, GError **error)
{
  return cxr_cam_compute_full (model, image, options, NULL, error);
}

CxrCamResult *
cxr_cam_compute_file_full (CxrModel *model, const char *path, const CxrCamOptions *options,
                           const CxrCamMonitor *monitor, GError **error)
{
  g_autoptr (CxrImage) image = cxr_image_load (path, error);
  if (image == NULL)
    return NULL;
  CxrCamResult *result = cxr_cam_compute_full (model, image, options, monitor, error);
  if (result != NULL)
    {
      result->path = g_strdup (path);
      result->name = g_path_get_basename (path);
    }
  return result;
}

CxrCamResult *
cxr_cam_compute_file (CxrModel *model, const char *path, const CxrCamOptions *options, GError **error)
{
  return cxr_cam_compute_file_full (model, path, options, NULL, error);
}
