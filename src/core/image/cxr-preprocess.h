/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-preprocess.h: an image to the network's input tensor, as the
 * torchvision pipeline that trained the model would produce it:
 *
 *   gray [0, 1] (cxr-image.h)
 *   -> interpolate (size, mode="bilinear", align_corners=False, antialias=True)  (cxr-resize.h)
 *   -> replicate to `channels`
 *   -> Normalize (mean, std): x.sub_(mean[c]).div_(std[c]), in float32.
 */
#pragma once

#include <glib.h>

#include "cxr-image.h"

G_BEGIN_DECLS

#define CXR_PREPROCESS_MAX_CHANNELS 3

typedef struct {
  int width;                                /* output size, default 224 x 224 */
  int height;
  int channels;                             /* 1 or 3 */
  float mean[CXR_PREPROCESS_MAX_CHANNELS];  /* per channel, default ImageNet */
  float std[CXR_PREPROCESS_MAX_CHANNELS];
} CxrPreprocessParams;

/* 224 x 224, 3 channels, ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). */
void     cxr_preprocess_params_init_default (CxrPreprocessParams *params);

/* Number of floats cxr_preprocess() writes: channels * height * width. */
gsize    cxr_preprocess_output_size         (const CxrPreprocessParams *params);

/* out: [channels, height, width]. */
void     cxr_preprocess                     (float *out, const CxrImage *image, const CxrPreprocessParams *params);

/* cxr_image_load() followed by cxr_preprocess(). */
gboolean cxr_preprocess_file                (float *out, const char *path, const CxrPreprocessParams *params,
                                             GError **error);

G_END_DECLS
