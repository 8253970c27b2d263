/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-config.c: a training run's settings (see cxr-train-config.h). */
#include "cxr-train-config.h"

#include <math.h>
#include <string.h>

#include "cxr-error.h"

void
cxr_train_config_init (CxrTrainConfig *c)
{
  memset (c, 0, sizeof *c);
  c->arch = g_strdup ("resnet18");
  c->n_outputs = 2;
  c->epochs = 5;
  c->batch_size = 16;
  c->lr = 0.01;
  cxr_optimizer_config_init (&c->optimizer, CXR_OPTIMIZER_SGD);
  c->optimizer.momentum = 0.9;
  c->optimizer.weight_decay = 1e-4;
  c->schedule = CXR_SCHEDULE_COSINE;
  c->step_epochs = 1;
  c->gamma = 0.1;
  c->trainable = CXR_TRAINABLE_ALL;
  c->augment = TRUE;
  cxr_augment_params_init_default (&c->augment_params);
  c->subset = CXR_TRAIN_SUBSET_ALL;
  c->val_fraction = 0.2;
}

void
cxr_train_config_clear (CxrTrainConfig *c)
{
  g_clear_pointer (&c->data_dir, g_free);
  g_clear_pointer (&c->model_path, g_free);
  g_clear_pointer (&c->arch, g_free);
  g_clear_pointer (&c->out_dir, g_free);
}

void
cxr_train_config_copy (CxrTrainConfig *dest, const CxrTrainConfig *src)
{
  *dest = *src;
  dest->data_dir = g_strdup (src->data_dir);
  dest->model_path = g_strdup (src->model_path);
  dest->arch = g_strdup (src->arch);
  dest->out_dir = g_strdup (src->out_dir);
}

gboolean
cxr_train_config_validate (const CxrTrainConfig *c, GError **error)
{
  const char *problem = NULL;
  if (c->data_dir == NULL)
    problem = "no dataset folder";
  else if (c->out_dir == NULL)
    problem = "no output folder";
  else if (c->model_path == NULL && c->arch == NULL)
    problem = "neither starting weights nor an architecture";
  else if (c->model_path == NULL && c->n_outputs != 1 && c->n_outputs != 2 && c->n_outputs != 14)
    problem = "the head must have 1, 2 or 14 outputs";
  else if (c->epochs < 1)
    problem = "at least one epoch";
  else if (c->batch_size < 2)
    problem = "a batch of at least 2 images (BatchNorm in training mode needs two)";
  else if (!(c->lr > 0) || !isfinite (c->lr))
    problem = "the learning rate must be positive";
  else if (!(c->val_fraction > 0 && c->val_fraction < 1))
    problem = "the validation fraction must lie strictly between 0 and 1";
  else if (!(c->warmup_epochs >= 0) || !(c->step_epochs > 0) || !(c->gamma > 0) || !(c->min_lr >= 0))
    problem = "bad schedule settings (warmup >= 0, step > 0, gamma > 0, minimum rate >= 0)";
  else if (c->input_size != 0 && c->input_size < 32)
    problem = "an input size of at least 32 pixels";
  else if (c->augment && !(c->augment_params.scale_min > 0 && c->augment_params.scale_min <= c->augment_params.scale_max
                           && c->augment_params.scale_max <= 1 && c->augment_params.ratio_min > 0
                           && c->augment_params.ratio_min <= c->augment_params.ratio_max))
    problem = "bad augmentation settings";
  if (problem)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "training: %s", problem);
      return FALSE;
    }
  if (c->model_path == NULL)
    {
      CxrResnetArch arch;
      if (!cxr_resnet_arch_from_name (c->arch, 3, c->n_outputs, &arch, error))
        return FALSE;
    }
  return cxr_optimizer_config_validate (&c->optimizer, error);
}
