/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-model.h"

#include <math.h>

#include "cxr-checkpoint.h"
#include "cxr-error.h"

/* Reference counted as a GLib atomic rc box, like every shared value of the core. */
struct _CxrModel {
  char *path;
  CxrResnet *network;
  CxrModelCard *card;
  CxrPreprocessParams preprocess;
  float *input;       /* [capacity, C, H, W], reused across calls */
  guint input_capacity;
};

static gboolean
init_preprocess (CxrModel *model, GError **error)
{
  const CxrResnetArch *arch = cxr_resnet_get_arch (model->network);
  const CxrModelCard *card = model->card;

  if (card->input_channels != 0 && (int) card->input_channels != arch->input_channels)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
                   "the model card says %u input channels but the weights take %d",
                   card->input_channels, arch->input_channels);
      return FALSE;
    }
  if (arch->input_channels != 1 && arch->input_channels != 3)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                   "networks with %d input channels are not supported (1 or 3)", arch->input_channels);
      return FALSE;
    }
  if (card->resize_mode != NULL && !g_str_equal (card->resize_mode, "bilinear-antialias"))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                   "resize mode '%s' in the model card is not supported (bilinear-antialias)", card->resize_mode);
      return FALSE;
    }

  CxrPreprocessParams *p = &model->preprocess;
  cxr_preprocess_params_init_default (p);
  p->width = card->input_width;
  p->height = card->input_height;
  p->channels = arch->input_channels;
  for (int c = 0; c < 3; c++)
    {
      p->mean[c] = card->mean[c];
      p->std[c] = card->std[c];
    }
  return TRUE;
}

CxrModel *
cxr_model_new (CxrResnet *network, const CxrModelCard *card, const char *path)
{
  CxrModel *model = g_atomic_rc_box_new0 (CxrModel);
  model->path = g_strdup (path);
  model->network = network;
  model->card = cxr_model_card_copy (card);
  if (!init_preprocess (model, NULL))
    cxr_preprocess_params_init_default (&model->preprocess);
  return model;
}

CxrModel *
cxr_model_load (const char *weights_path, const char *card_path, GError **error)
{
  g_autoptr (CxrStateDict) weights = cxr_checkpoint_load (weights_path, error);
  if (weights == NULL)
    return NULL;

  g_autoptr (CxrResnet) network = cxr_resnet_new_from_state_dict (weights, error);
  if (network == NULL)
    {
      g_prefix_error (error, "%s: ", weights_path);
      return NULL;
    }

  guint n_classes = cxr_resnet_get_arch (network)->n_classes;
  g_autoptr (CxrModelCard) card = cxr_model_card_load_for_weights (weights_path, card_path, n_classes, error);
  if (card == NULL)
    return NULL;

  g_autoptr (CxrModel) model = g_atomic_rc_box_new0 (CxrModel);
  model->path = g_strdup (weights_path);
  model->network = g_steal_pointer (&network);
  model->card = g_steal_pointer (&card);
  if (!init_preprocess (model, error))
    {
      g_prefix_error (error, "%s: ", weights_path);
      return NULL;
    }
  return g_steal_pointer (&model);
}

CxrModel *
cxr_model_ref (CxrModel *model)
{
  return g_atomic_rc_box_acquire (model);
}

static void
model_clear (CxrModel *model)
{
  cxr_resnet_free (model->network);
  cxr_model_card_free (model->card);
  cxr_free_floats (model->input);
  g_free (model->path);
}

void
cxr_model_unref (CxrModel *model)
{
  if (model != NULL)
    g_atomic_rc_box_release_full (model, (GDestroyNotify) model_clear);
}

const char *
cxr_model_get_path (const CxrModel *model)
{
  return model->path;
}

const CxrModelCard *
cxr_model_get_card (const CxrModel *model)
{
  return model->card;
}

CxrResnet *
cxr_model_get_network (CxrModel *model)
{
  return model->network;
}

guint
cxr_model_get_n_classes (const CxrModel *model)
{
  return model->card->n_classes;
}

const CxrPreprocessParams *
cxr_model_get_preprocess (const CxrModel *model)
{
  return &model->preprocess;
}

char *
cxr_model_describe (const CxrModel *model)
{
  g_autofree char *arch = cxr_resnet_arch_describe (cxr_resnet_get_arch (model->network));
  g_autofree char *classes = g_strjoinv (", ", model->card->class_names);
  return g_strdup_printf ("%s, %s over %s", arch, cxr_activation_name (model->card->activation), classes);
}

gboolean
cxr_model_predict (CxrModel *model, CxrImage *const *images, guint n, float *logits, GError **error)
{
  const CxrPreprocessParams *p = &model->preprocess;
  gsize per_image = cxr_preprocess_output_size (p);
  if (n > model->input_capacity)
    {
      cxr_free_floats (model->input);
      model->input = cxr_alloc_floats (per_image * n);
      model->input_capacity = n;
    }
  for (guint i = 0; i < n; i++)
    cxr_preprocess (model->input + per_image * i, images[i], p);
  return cxr_resnet_forward (model->network, model->input, n, p->height, p->width, logits, error);
}

void
cxr_model_activate (const CxrModel *model, const float *logits, float *probabilities, guint n)
{
  guint k = model->card->n_classes;
  for (guint i = 0; i < n; i++)
    {
      const float *z = logits + (gsize) i * k;
      float *p = probabilities + (gsize) i * k;
      if (model->card->activation == CXR_ACTIVATION_SIGMOID)
        {
          for (guint c = 0; c < k; c++)
            p[c] = 1.0f / (1.0f + expf (-z[c]));
          continue;
        }
      /* softmax, shifted by the maximum so that exp never overflows */
      float top = z[0];
      for (guint c = 1; c < k; c++)
        top = MAX (top, z[c]);
      double sum = 0.0;
      for (guint c = 0; c < k; c++)
        sum += exp ((double) z[c] - top);
      for (guint c = 0; c < k; c++)
        p[c] = (float) (exp ((double) z[c] - top) / sum);
    }
}
