/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom.c: the C side of cxr-dicom.h: freeing, sniffing, reading a file. Decoding is in cxr-dicom-gdcm.cc. */
#include "cxr-dicom.h"

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
