/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-data.h: the images a training run learns from, decoded once, augmented every time.
 *
 * The cache. Each image is decoded and resized once, to the model's input size with the same
 * antialiased bilinear filter as inference (cxr-preprocess.h), and kept as 8-bit gray:
 *   cached = round (clamp (resized, 0, 1) * 255)
 * the way a torchvision pipeline that resizes a PIL image first holds 8-bit pixels until ToTensor.
 * What the network then sees is ToTensor and Normalize of those bytes, per channel:
 *   x = ((float) cached / 255 - mean[c]) / std[c]
 * Quantising after the resize moves a pixel by at most 0.5/255 from what inference computes
 * (inference keeps the resized floats); 224 x 224 bytes is 49 KB an image, so the tutorial's 5,552
 * images cache in 280 MB and an epoch never decodes a PNG twice. The parity tests feed both sides
 * the same tensors, so the quantisation is outside what they compare.
 *
 * Augmentation (training only, off for validation), all drawn from a generator seeded by
 * (run seed, epoch, position in the epoch), so that a run is the same whatever the threads and a
 * resumed run continues exactly:
 *   - a random crop of the cached image covering a fraction in [scale_min, scale_max] of its area
 *     (0.8 to 1.0) with aspect ratio log-uniform in [ratio_min, ratio_max] (3/4 to 4/3), as
 *     torchvision's RandomResizedCrop draws them (clamped to fit), placed uniformly;
 *   - rotated about its centre by an angle uniform in [-max_rotation, max_rotation] (10 degrees);
 *   - crop and rotation are one affine map, sampled bilinearly from the cached image (pixel centres
 *     at +0.5), black where it falls outside the image (torchvision's fill=0);
 *   - horizontal flip with probability hflip (0 by default: the heart sits on the left);
 *   - brightness: x = clamp (x * b, 0, 1), b uniform in [1 - brightness, 1 + brightness] (0.1);
 *   - contrast: x = clamp ((x - m) * c + m, 0, 1), c uniform in [1 - contrast, 1 + contrast] (0.1),
 *     m the image's mean after brightness (torchvision's adjust_contrast on gray); brightness
 *     always before contrast (torchvision's ColorJitter shuffles the two).
 *
 * Epoch order: the training indices shuffled by Fisher-Yates from (seed, epoch), or, balanced, as
 * many draws as there are images, each taking a class uniformly (by the first label: negative or
 * positive) and then an image of that class uniformly, with replacement (torchvision's
 * WeightedRandomSampler with weights 1 / class count).
 *
 * One thread fills the cache at a time (the loader thread, cxr-train-loader.h).
 */
#pragma once

#include "cxr-preprocess.h"

G_BEGIN_DECLS

#define CXR_TRAIN_MAX_LABELS 14

typedef struct {
  double scale_min, scale_max;     /* crop area fraction */
  double ratio_min, ratio_max;     /* crop aspect ratio (width / height) */
  double max_rotation;             /* degrees */
  double hflip;                    /* probability */
  double brightness, contrast;     /* largest relative change */
} CxrAugmentParams;

/* The defaults above: scale 0.8-1.0, ratio 3/4-4/3, 10 degrees, no flip, brightness and contrast 0.1. */
void cxr_augment_params_init_default (CxrAugmentParams *params);

typedef struct _CxrTrainData CxrTrainData;

/* Images for a network with @params' input (size, channels, mean, std) and @n_labels labels each. */
CxrTrainData *cxr_train_data_new         (const CxrPreprocessParams *params, int n_labels);
void          cxr_train_data_free        (CxrTrainData *data);

/* Adds an image (its path, decoded later) with its 0/1 labels [n_labels]; returns its index. */
guint         cxr_train_data_add         (CxrTrainData *data, const char *path, const guint8 *labels);
guint         cxr_train_data_get_size    (const CxrTrainData *data);
int           cxr_train_data_get_n_labels (const CxrTrainData *data);
const CxrPreprocessParams *cxr_train_data_get_params (const CxrTrainData *data);
const char   *cxr_train_data_get_path    (const CxrTrainData *data, guint index);
const guint8 *cxr_train_data_get_labels  (const CxrTrainData *data, guint index);
/* Floats of one rendered image: channels * height * width. */
gsize         cxr_train_data_get_image_floats (const CxrTrainData *data);
/* Images decoded so far, and the cache's bytes. */
guint         cxr_train_data_get_n_cached (const CxrTrainData *data);

/* Decodes and caches image @index unless it is cached. Errors name the file. */
gboolean      cxr_train_data_ensure_cached (CxrTrainData *data, guint index, GError **error);
/* The cached 8-bit image [height, width] (NULL until cached). */
const guint8 *cxr_train_data_peek_cached (const CxrTrainData *data, guint index);

/* The network's input for a cached image, [channels, height, width]: augmented with @augment and
 * the generator seed @seed, or plain when @augment is NULL. */
void          cxr_train_data_render      (const CxrTrainData *data, guint index, const CxrAugmentParams *augment,
                                          guint64 seed, float *out);

/* The images of @indices in an epoch's order (see above); @balanced draws with replacement. */
GArray       *cxr_train_data_epoch_order (const CxrTrainData *data, const guint *indices, guint n_indices,
                                          gboolean balanced, guint64 seed, guint epoch);

/* A generator seed for (run seed, epoch, position): SplitMix64 over the three. */
guint64       cxr_train_seed_mix         (guint64 seed, guint64 epoch, guint64 position);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrTrainData, cxr_train_data_free)

G_END_DECLS
