/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-preprocess.h"

#include "cxr-resize.h"

void
cxr_preprocess_params_init_default (CxrPreprocessParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (CxrPreprocessParams) {
    .width = 224,
    .height = 224,
    .channels = 3,
    .mean = { 0.485f, 0.456f, 0.406f },
    .std = { 0.229f, 0.224f, 0.225f },
  };
}

gsize
cxr_preprocess_output_size (const CxrPreprocessParams *params)
{
  g_return_val_if_fail (params != NULL, 0);

  return (gsize) params->channels * params->height * params->width;
}

void
cxr_preprocess (float *out, const CxrImage *image, const CxrPreprocessParams *params)
{
  g_return_if_fail (out != NULL && image != NULL && params != NULL);
  g_return_if_fail (params->channels >= 1 && params->channels <= CXR_PREPROCESS_MAX_CHANNELS);
  g_return_if_fail (params->width > 0 && params->height > 0);

  gsize plane = (gsize) params->height * params->width;

  /* Resize into the last channel's plane, then normalise every channel from
   * it, the last one in place: no scratch buffer. */
  float *gray = out + (gsize) (params->channels - 1) * plane;
  cxr_resize_bilinear_aa (gray, params->height, params->width, image->pixels, image->height, image->width);

  for (int c = 0; c < params->channels; c++)
    {
      /* Normalize's x.sub_(mean).div_(std): two float32 operations, rounded one after the other. */
      float mean = params->mean[c], std = params->std[c];
      float *dst = out + (gsize) c * plane;
      for (gsize i = 0; i < plane; i++)
        dst[i] = (gray[i] - mean) / std;
    }
}

gboolean
cxr_preprocess_file (float *out, const char *path, const CxrPreprocessParams *params, GError **error)
{
  g_return_val_if_fail (out != NULL && path != NULL && params != NULL, FALSE);

  g_autoptr (CxrImage) image = cxr_image_load (path, error);
  if (image == NULL)
    return FALSE;
  cxr_preprocess (out, image, params);
  return TRUE;
}
