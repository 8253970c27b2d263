/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-voi-window.c: stored values as 16-bit codes, windows as byte tables over the codes. */
#include "config.h"

#include <math.h>

#include "cxr-tensor.h"
#include "cxr-voi-window.h"

static void
stored_plane_clear (CxrStoredPlane *plane)
{
  cxr_free_floats (plane->values);
  g_clear_pointer (&plane->dicom, cxr_dicom_image_free);
  for (guint l = 0; l < CXR_STORED_PLANE_LEVELS; l++)
    g_free (plane->codes[l]);
}

CxrStoredPlane *
cxr_stored_plane_ref (CxrStoredPlane *plane)
{
  return g_atomic_rc_box_acquire (plane);
}

void
cxr_stored_plane_unref (CxrStoredPlane *plane)
{
  g_atomic_rc_box_release_full (plane, (GDestroyNotify) stored_plane_clear);
}

/* Averages 2 x 2 blocks of codes (edge blocks average what they have). */
static guint16 *
shrink_codes (const guint16 *in, int width, int height, int *out_width, int *out_height)
{
  int ow = (width + 1) / 2, oh = (height + 1) / 2;
  guint16 *out = g_new (guint16, (gsize) ow * oh);
  for (int y = 0; y < oh; y++)
    {
      const guint16 *r0 = in + (gsize) (2 * y) * width;
      const guint16 *r1 = in + (gsize) MIN (2 * y + 1, height - 1) * width;
      for (int x = 0; x < ow; x++)
        {
          int x0 = 2 * x, x1 = MIN (x0 + 1, width - 1);
          guint sum = (guint) r0[x0] + r0[x1] + r1[x0] + r1[x1];
          out[(gsize) y * ow + x] = (guint16) ((sum + 2) / 4);
        }
    }
  *out_width = ow;
  *out_height = oh;
  return out;
}

CxrStoredPlane *
cxr_stored_plane_new (float *values, int width, int height)
{
  CxrStoredPlane *plane = g_atomic_rc_box_new0 (CxrStoredPlane);
  gsize n = (gsize) width * height;
  float low = INFINITY, high = -INFINITY;
  gboolean integral = TRUE;

  plane->values = values;
  plane->width = width;
  plane->height = height;
  for (gsize i = 0; i < n; i++)
    {
      float v = values[i];
      low = MIN (low, v);
      high = MAX (high, v);
      integral = integral && v == floorf (v);
    }
  if (n == 0 || !isfinite (low) || !isfinite (high))
    low = high = 0.0f;

  plane->base = low;
  if (integral && (double) high - low < CXR_VOI_N_CODES)
    {
      /* Every CR/DX image: the codes are the values, exactly. */
      plane->step = 1.0;
      plane->n_codes = (guint) ((double) high - low) + 1;
    }
  else
    {
      plane->step = ((double) high - low) / (CXR_VOI_N_CODES - 1);
      plane->n_codes = CXR_VOI_N_CODES;
    }

  guint16 *codes = g_new (guint16, MAX (n, 1));
  double inverse = plane->step > 0 ? 1.0 / plane->step : 0.0;
  for (gsize i = 0; i < n; i++)
    {
      double c = isfinite (values[i]) ? ((double) values[i] - plane->base) * inverse + 0.5 : 0.0;
      codes[i] = (guint16) CLAMP (c, 0.0, (double) (plane->n_codes - 1));
    }
  plane->codes[0] = codes;
  plane->level_width[0] = width;
  plane->level_height[0] = height;
  for (guint l = 1; l < CXR_STORED_PLANE_LEVELS; l++)
    plane->codes[l] = shrink_codes (plane->codes[l - 1], plane->level_width[l - 1], plane->level_height[l - 1],
                                    &plane->level_width[l], &plane->level_height[l]);
  return plane;
}

CxrStoredPlane *
cxr_stored_plane_new_from_dicom (CxrDicomImage *image)
{
  float *values = g_steal_pointer (&image->values);
  CxrStoredPlane *plane = cxr_stored_plane_new (values, image->width, image->height);
  plane->dicom = image;
  return plane;
}

double
cxr_stored_plane_value_at (const CxrStoredPlane *plane, int x, int y)
{
  if (x < 0 || y < 0 || x >= plane->width || y >= plane->height)
    return NAN;
  return plane->values[(gsize) y * plane->width + x];
}

static guint8
to_byte (double y, gboolean invert)
{
  y = CLAMP (y, 0.0, 1.0);
  if (invert)
    y = 1.0 - y;
  return (guint8) lround (y * 255.0);
}

void
cxr_voi_lut_fill_window (guint8 lut[CXR_VOI_N_CODES], const CxrStoredPlane *plane, double center, double width,
                         CxrDicomVoiFunction function, gboolean invert)
{
  for (guint code = 0; code < CXR_VOI_N_CODES; code++)
    {
      double x = plane->base + MIN (code, plane->n_codes - 1) * plane->step, y;
      switch (function)
        {
        case CXR_DICOM_VOI_LINEAR_EXACT:
          y = width <= 0 ? (x > center) : (x <= center - width / 2 ? 0.0
                                           : x > center + width / 2 ? 1.0 : (x - center) / width + 0.5);
          break;
        case CXR_DICOM_VOI_SIGMOID:
          y = 1.0 / (1.0 + exp (-4.0 * (x - center) / MAX (width, 1e-9)));
          break;
        case CXR_DICOM_VOI_LINEAR:
        default:
          y = cxr_dicom_voi_linear (x, center, width);
          break;
        }
      lut[code] = to_byte (y, invert);
    }
}

void
cxr_voi_lut_fill_table (guint8 lut[CXR_VOI_N_CODES], const CxrStoredPlane *plane, const CxrDicomImage *image,
                        gboolean invert)
{
  g_return_if_fail (image->has_voi_lut && image->voi_lut_entries > 0);
  double top = ldexp (1.0, image->voi_lut_bits) - 1.0;
  int last = image->voi_lut_entries - 1;
  for (guint code = 0; code < CXR_VOI_N_CODES; code++)
    {
      double x = plane->base + MIN (code, plane->n_codes - 1) * plane->step;
      double index = floor (x - image->voi_lut_first);
      int k = index <= 0 ? 0 : index >= last ? last : (int) index;
      lut[code] = to_byte (image->voi_lut_data[k] / top, invert);
    }
}

void
cxr_voi_apply (const CxrStoredPlane *plane, guint level, const guint8 lut[CXR_VOI_N_CODES], guint8 *out)
{
  g_return_if_fail (level < CXR_STORED_PLANE_LEVELS);
  const guint16 *codes = plane->codes[level];
  gsize n = (gsize) plane->level_width[level] * plane->level_height[level];
  for (gsize i = 0; i < n; i++)
    out[i] = lut[codes[i]];
}

void
cxr_voi_initial_window (const CxrDicomImage *image, double *center, double *width, gboolean *use_table)
{
  *use_table = FALSE;
  if (image->n_windows > 0 && image->windows[0].width > 0)
    {
      *center = image->windows[0].center;
      *width = image->windows[0].width;
      return;
    }
  if (image->has_voi_lut && image->voi_lut_entries > 0)
    {
      /* The range the table maps; the table itself is what is shown. */
      *use_table = TRUE;
      *center = image->voi_lut_first + image->voi_lut_entries / 2.0;
      *width = image->voi_lut_entries;
      return;
    }
  *center = (image->range_low + image->range_high) / 2.0 + 0.5;
  *width = image->range_high - image->range_low + 1.0;
}
