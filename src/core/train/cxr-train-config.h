/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-config.h: what a training run is asked to do (CxrTrainConfig) and what each of its epochs
 * measured (CxrEpochMetrics): the trainer runs them (cxr-trainer.h), the resume point stores them
 * (cxr-train-state.h). */
#pragma once

#include <glib.h>

#include "cxr-optim.h"
#include "cxr-resnet-train.h"
#include "cxr-train-data.h"

G_BEGIN_DECLS

typedef enum {
  CXR_TRAIN_SUBSET_ALL,       /* every Cardiomegaly and No Finding image (every labelled one for 14 outputs) */
  CXR_TRAIN_SUBSET_BALANCED,  /* the tutorial's: every Cardiomegaly image and as many No Finding ones */
} CxrTrainSubset;

typedef struct {
  char *data_dir;
  char *model_path;          /* start from these weights (and their card), or NULL */
  char *arch;                /* without model_path: torchvision's initialisation of this architecture */
  guint n_outputs;           /* with arch: 1, 2 or 14 */
  guint input_size;          /* 0: the model card's (224 by default) */
  char *out_dir;
  guint epochs;
  guint batch_size;
  double lr;
  CxrOptimizerConfig optimizer;
  CxrScheduleKind schedule;
  double warmup_epochs;      /* linear warmup, in epochs (fractions allowed) */
  double step_epochs;        /* step schedule: decay by gamma every this many epochs */
  double gamma;
  double min_lr;             /* cosine schedule's floor */
  CxrTrainable trainable;
  gboolean augment;
  CxrAugmentParams augment_params;
  gboolean balanced_sampling;
  CxrTrainSubset subset;
  double val_fraction;
  guint64 seed;
  double pos_weight;         /* <= 0: none */
  guint max_images;          /* 0: all; else the first so many of the subset (small runs) */
} CxrTrainConfig;

/* resnet18 from torchvision's initialisation, 2 outputs, 5 epochs of 16, SGD (lr 0.01, momentum
 * 0.9, weight decay 1e-4), cosine schedule without warmup, everything trainable, augmentation on,
 * shuffled, all images, 20% validation, seed 0. */
void     cxr_train_config_init     (CxrTrainConfig *config);
void     cxr_train_config_clear    (CxrTrainConfig *config);
void     cxr_train_config_copy     (CxrTrainConfig *dest, const CxrTrainConfig *src);
/* Checks everything that can be checked before touching a file. */
gboolean cxr_train_config_validate (const CxrTrainConfig *config, GError **error);

typedef struct {
  guint epoch;               /* 1-based */
  double train_loss, train_accuracy;
  double val_loss, val_accuracy, val_auc, val_sensitivity, val_specificity;
  guint n_train, n_val;
  double seconds;            /* the epoch's wall time, validation included */
  double images_per_second;  /* training images per second of training */
  gboolean best;             /* the best validation AUC so far (ties: the lower validation loss) */
} CxrEpochMetrics;

G_END_DECLS
