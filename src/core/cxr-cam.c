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
  options->method = CXR_CAM_METHOD_GRADCAM;
  options->layer = NULL;
  options->target_class = CXR_CAM_TARGET_POSITIVE;
}

const char *
cxr_cam_method_get_name (CxrCamMethod method)
{
  return method == CXR_CAM_METHOD_GRADCAM_PLUSPLUS ? "gradcam++" : "gradcam";
}

gboolean
cxr_cam_method_from_name (const char *name, CxrCamMethod *method, GError **error)
{
  static const struct {
    const char *name;
    CxrCamMethod method;
  } names[] = {
    { "gradcam", CXR_CAM_METHOD_GRADCAM },
    { "grad-cam", CXR_CAM_METHOD_GRADCAM },
    { "gradcam++", CXR_CAM_METHOD_GRADCAM_PLUSPLUS },
    { "grad-cam++", CXR_CAM_METHOD_GRADCAM_PLUSPLUS },
    { "gradcampp", CXR_CAM_METHOD_GRADCAM_PLUSPLUS },
    { "gradcam-plusplus", CXR_CAM_METHOD_GRADCAM_PLUSPLUS },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      {
        *method = names[i].method;
        return TRUE;
      }
  g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "unknown CAM method '%s' (known: gradcam, gradcam++)", name);
  return FALSE;
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

void
cxr_cam_channel_weights (float *weights, CxrCamMethod method, const float *activations, const float *grad,
                         int channels, gsize plane)
{
  for (int k = 0; k < channels; k++)
    {
      const float *a = activations + (gsize) k * plane;
      const float *g = grad + (gsize) k * plane;
      double sum = 0.0;
      if (method == CXR_CAM_METHOD_GRADCAM)
        {
          for (gsize p = 0; p < plane; p++)
            sum += g[p];
          weights[k] = (float) (sum / plane);
          continue;
        }
      /* Grad-CAM++: alpha = g^2 / (2 g^2 + S g^3 + eps), zero where g is; w = sum relu (g) alpha. */
      double s = 0.0;
      for (gsize p = 0; p < plane; p++)
        s += a[p];
      for (gsize p = 0; p < plane; p++)
        {
          double gp = g[p];
          if (gp <= 0.0)
            continue;  /* relu (g) = 0: no contribution, whatever alpha is */
          double g2 = gp * gp;
          double alpha = g2 / (2.0 * g2 + s * g2 * gp + CXR_CAM_PLUSPLUS_EPS);
          sum += gp * alpha;
        }
      weights[k] = (float) sum;
    }
}

void
cxr_cam_weighted_sum (float *cam, const float *weights, const float *activations, int channels, gsize plane)
{
  /* In double: a few hundred thousand products, and the map's small differences are what is shown. */
  g_autofree double *sum = g_new0 (double, plane);
  for (int k = 0; k < channels; k++)
    {
      const float *a = activations + (gsize) k * plane;
      double wk = weights[k];
      if (wk == 0.0)
        continue;
      for (gsize p = 0; p < plane; p++)
        sum[p] += wk * a[p];
    }
  for (gsize p = 0; p < plane; p++)
    cam[p] = sum[p] > 0.0 ? (float) sum[p] : 0.0f;
}

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

/* cxr_cam_run_network, where @target_class may be CXR_CAM_TARGET_TOP (never @skip_class unless it is the only
 * class); *@chosen receives the class explained. */
static gboolean
run_network_choosing (CxrResnet *net, const float *input, int h, int w, CxrCamMethod method, int block_index,
                      int target_class, int skip_class, int *chosen, float *cam_raw, float *weights, float *logits,
                      GError **error)
{
  if (block_index < 0 || block_index >= net->n_blocks)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "block %d does not exist (the network has %d)",
                   block_index, net->n_blocks);
      return FALSE;
    }
  if (target_class != CXR_CAM_TARGET_TOP && (target_class < 0 || target_class >= net->arch.n_classes))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "class %d does not exist (the network has %d)",
                   target_class, net->arch.n_classes);
      return FALSE;
    }

  g_autofree float *own_logits = logits ? NULL : g_new (float, net->arch.n_classes);
  float *scores = logits ? logits : own_logits;
  CxrCamActivations kept;
  cxr_cam_activations_init (&kept, net, block_index);
  if (!cxr_cam_forward_keep (net, input, h, w, &kept, scores, error))
    {
      cxr_cam_activations_clear (&kept);
      return FALSE;
    }
  if (target_class == CXR_CAM_TARGET_TOP)
    target_class = top_class (scores, net->arch.n_classes, skip_class);
  if (chosen != NULL)
    *chosen = target_class;

  int channels = kept.channels[0];
  gsize plane = (gsize) kept.heights[0] * kept.widths[0];
  const float *activations = kept.outputs[0];
  float *grad = cxr_alloc_floats ((gsize) channels * plane);
  cxr_cam_gradient (net, &kept, target_class, grad);

  g_autofree float *own_weights = weights ? NULL : g_new (float, channels);
  float *w_k = weights ? weights : own_weights;
  cxr_cam_channel_weights (w_k, method, activations, grad, channels, plane);
  cxr_cam_weighted_sum (cam_raw, w_k, activations, channels, plane);

  cxr_free_floats (grad);
  cxr_cam_activations_clear (&kept);
  return TRUE;
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
  return run_network_choosing (net, input, h, w, method, block_index, target_class, -1, NULL, cam_raw, weights,
                               logits, error);
}

/* ---- the pipeline -------------------------------------------------------------------------------- */

CxrCamResult *
cxr_cam_compute (CxrModel *model, const CxrImage *image, const CxrCamOptions *options, GError **error)
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

  int block_index;
  g_autofree char *layer = NULL;
  if (!cxr_cam_resolve_layer (arch, options->layer ? options->layer : card->cam_layer, &block_index, &layer, error))
    return NULL;
  int target = options->target_class == CXR_CAM_TARGET_POSITIVE ? (int) card->positive_class : options->target_class;
  if (target >= (int) n_classes || (target < 0 && target != CXR_CAM_TARGET_TOP))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "no class %d: the model has %u classes", target, n_classes);
      return NULL;
    }

  const CxrPreprocessParams *params = cxr_model_get_preprocess (model);
  float *input = cxr_alloc_floats (cxr_preprocess_output_size (params));
  cxr_preprocess (input, image, params);

  int fh, fw;
  cxr_cam_feature_size (net, block_index, params->height, params->width, &fh, &fw, NULL);
  gsize plane = (gsize) fh * fw;
  g_autoptr (CxrCamResult) result = cxr_cam_result_new (NULL);
  result->cam_raw = g_new (float, plane);
  result->logits = g_new (float, n_classes);
  int no_finding = -1;
  for (guint c = 0; c < n_classes; c++)
    if (g_ascii_strcasecmp (card->class_names[c], "No Finding") == 0)
      no_finding = (int) c;
  gboolean ok = run_network_choosing (net, input, params->height, params->width, options->method, block_index,
                                      target, no_finding, &target, result->cam_raw, NULL, result->logits, error);
  cxr_free_floats (input);
  if (!ok)
    return NULL;

  result->method = options->method;
  result->layer = g_steal_pointer (&layer);
  result->target_class = target;
  result->target_name = g_strdup (card->class_names[target]);
  result->n_classes = n_classes;
  result->probabilities = g_new (float, n_classes);
  cxr_model_activate (model, result->logits, result->probabilities, 1);

  result->feature_height = fh;
  result->feature_width = fw;
  result->cam_features = g_memdup2 (result->cam_raw, sizeof (float) * plane);
  cxr_cam_normalise (result->cam_features, plane);

  result->width = image->width;
  result->height = image->height;
  result->gray8 = cxr_image_to_gray8 (image);
  result->cam = g_new (float, (gsize) image->width * image->height);
  cxr_resize_bilinear (result->cam, image->height, image->width, result->cam_features, fh, fw);
  return g_steal_pointer (&result);
}

CxrCamResult *
cxr_cam_compute_file (CxrModel *model, const char *path, const CxrCamOptions *options, GError **error)
{
  g_autoptr (CxrImage) image = cxr_image_load (path, error);
  if (image == NULL)
    return NULL;
  CxrCamResult *result = cxr_cam_compute (model, image, options, error);
  if (result != NULL)
    {
      result->path = g_strdup (path);
      result->name = g_path_get_basename (path);
    }
  return result;
}
