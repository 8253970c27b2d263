/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom.c: the C side of cxr-dicom.h: freeing, sniffing, reading a file. Decoding is in cxr-dicom-gdcm.cc. */
#include "cxr-dicom.h"

#include <math.h>
#include <string.h>

#include "cxr-input-file.h"
#include "cxr-tensor.h"

void
cxr_dicom_image_free (CxrDicomImage *image)
{
  if (image == NULL)
    return;
  cxr_free_floats (image->values);
  for (int i = 0; i < image->n_windows; i++)
    g_free (image->windows[i].explanation);
  g_free (image->windows);
  g_free (image->voi_lut_data);
  g_free (image->voi_lut_explanation);
  g_free (image->photometric);
  g_free (image->sop_class_uid);
  g_free (image->sop_instance_uid);
  g_free (image->modality);
  g_free (image->transfer_syntax_uid);
  g_free (image->transfer_syntax_name);
  g_free (image->patient_name);
  g_free (image->patient_id);
  g_free (image->patient_birth_date);
  g_free (image);
}

gboolean
cxr_dicom_sniff (const guint8 *data, gsize length)
{
  if (length >= 132 && memcmp (data + 128, "DICM", 4) == 0)
    return TRUE;
  /* A bare data set (no preamble): its first element is in group 0002 or 0008, little or big endian, and an
   * explicit VR is two capital letters. */
  if (length < 8)
    return FALSE;
  gboolean group_le = (data[0] == 0x02 || data[0] == 0x08) && data[1] == 0x00;
  gboolean group_be = data[0] == 0x00 && (data[1] == 0x02 || data[1] == 0x08);
  if (!group_le && !group_be)
    return FALSE;
  gboolean explicit_vr = g_ascii_isupper (data[4]) && g_ascii_isupper (data[5]);
  /* Implicit VR: a 32-bit length, small for the first elements of a header. */
  gboolean implicit_vr = data[7] == 0x00 && data[6] == 0x00;
  return explicit_vr || implicit_vr;
}

gboolean
cxr_dicom_sniff_file (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  guint8 head[132];
  gsize n = 0;
  if (!cxr_input_file_read_head (path, head, sizeof head, &n, NULL, NULL))
    return FALSE;
  return cxr_dicom_sniff (head, n);
}

gboolean
cxr_dicom_read (const char *path, CxrDicomImage **image, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *image = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  if (!cxr_input_file_read (path, 0, &contents, &length, NULL, error))
    return FALSE;
  return cxr_dicom_read_from_bytes ((const guint8 *) contents, length, path, image, error);
}

double
cxr_dicom_voi_linear (double x, double center, double width)
{
  /* PS3.3 C.11.2.1.2.1 with y_min 0 and y_max 1. The middle branch is written so that an integer x minus a centre
   * ending in .5 is exact before the one division. */
  if (width <= 1)
    return x <= center - 0.5 ? 0.0 : 1.0;
  if (x <= center - 0.5 - (width - 1) / 2)
    return 0.0;
  if (x > center - 0.5 + (width - 1) / 2)
    return 1.0;
  return (x - center + 0.5) / (width - 1) + 0.5;
}

static double
voi_linear_exact (double x, double center, double width)
{
  if (x <= center - width / 2)
    return 0.0;
  if (x > center + width / 2)
    return 1.0;
  return (x - center) / width + 0.5;
}

float *
cxr_dicom_to_unit_gray (const CxrDicomImage *image)
{
  g_return_val_if_fail (image != NULL && image->values != NULL, NULL);

  gsize n = (gsize) image->width * image->height;
  float *out = cxr_alloc_floats (n);
  gboolean window = image->n_windows > 0 && !image->colour;
  gboolean lut = !window && image->has_voi_lut && !image->colour;
  double center = window ? image->windows[0].center : 0, width = window ? image->windows[0].width : 1;
  double lut_max = lut ? (double) ((1u << image->voi_lut_bits) - 1) : 1;
  double low = image->range_low, span = image->range_high - image->range_low;
  for (gsize i = 0; i < n; i++)
    {
      double x = image->values[i], y;
      if (window)
        switch (image->voi_function)
          {
          case CXR_DICOM_VOI_LINEAR_EXACT:
            y = voi_linear_exact (x, center, width);
            break;
          case CXR_DICOM_VOI_SIGMOID:
            y = 1.0 / (1.0 + exp (-4.0 * (x - center) / width));
            break;
          default:
            y = cxr_dicom_voi_linear (x, center, width);
            break;
          }
      else if (lut)
        {
          double index = x - image->voi_lut_first;
          gsize k = index <= 0 ? 0 : index >= image->voi_lut_entries - 1 ? (gsize) image->voi_lut_entries - 1
                                                                          : (gsize) index;
          y = image->voi_lut_data[k] / lut_max;
        }
      else
        y = span > 0 ? CLAMP ((x - low) / span, 0.0, 1.0) : 0.0;
      if (image->monochrome1)
        y = 1.0 - y;
      out[i] = (float) y;
    }
  return out;
}
