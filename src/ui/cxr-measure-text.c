/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-measure-text.c: positions, values and lengths as the window words them. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-measure-text.h"

gboolean
cxr_measure_has_spacing (const CxrDicomImage *dicom)
{
  return dicom != NULL && dicom->spacing_row_mm > 0 && dicom->spacing_column_mm > 0;
}

static gboolean
at_detector (const CxrDicomImage *dicom)
{
  return g_strcmp0 (dicom->spacing_source, "ImagerPixelSpacing") == 0;
}

static char *
format_value (double value)
{
  if (value == floor (value) && fabs (value) < 1e9)
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.3g", value);
}

char *
cxr_measure_readout (const CxrStoredPlane *plane, double image_x, double image_y, float cam)
{
  int x = (int) floor (image_x), y = (int) floor (image_y);
  double value = cxr_stored_plane_value_at (plane, x, y);
  if (isnan (value))
    return g_strdup ("");
  g_autofree char *value_text = format_value (value);
  const CxrDicomImage *dicom = plane->dicom;
  g_autofree char *text = NULL;
  if (cxr_measure_has_spacing (dicom))
    {
      double mm_x = image_x * dicom->spacing_column_mm, mm_y = image_y * dicom->spacing_row_mm;
      if (at_detector (dicom))
        /* Translators: the pixel under the pointer, its position in mm (from the DICOM file's Imager Pixel Spacing,
         * measured at the X-ray detector) and its stored value */
        text = g_strdup_printf (_("x %d, y %d (%.1f, %.1f mm at the detector): value %s"), x, y, mm_x, mm_y,
                                value_text);
      else
        /* Translators: the pixel under the pointer, its position in mm and its stored value (DICOM) */
        text = g_strdup_printf (_("x %d, y %d (%.1f, %.1f mm): value %s"), x, y, mm_x, mm_y, value_text);
    }
  else
    /* Translators: the pixel under the pointer and its stored value (DICOM, no pixel spacing) */
    text = g_strdup_printf (_("x %d, y %d: value %s"), x, y, value_text);
  if (isnan (cam))
    return g_steal_pointer (&text);
  /* Translators: the pointer readout followed by the Grad-CAM value (0-1) */
  return g_strdup_printf (_("%s, CAM %.2f"), text, cam);
}

char *
cxr_measure_box_size (const CxrDicomImage *dicom, double width_px, double height_px)
{
  if (!cxr_measure_has_spacing (dicom))
    return NULL;
  double w = width_px * dicom->spacing_column_mm, h = height_px * dicom->spacing_row_mm;
  if (at_detector (dicom))
    /* Translators: a box's width and height in mm, measured at the X-ray detector */
    return g_strdup_printf (_("%.1f × %.1f mm at the detector"), w, h);
  /* Translators: a box's width and height in mm */
  return g_strdup_printf (_("%.1f × %.1f mm"), w, h);
}

char *
cxr_measure_line_text (const CxrDicomImage *dicom, double dx_px, double dy_px)
{
  if (!cxr_measure_has_spacing (dicom))
    /* Translators: a length in image pixels */
    return g_strdup_printf (_("%.0f px"), hypot (dx_px, dy_px));
  /* Pixel Spacing is row spacing (between rows: y), then column spacing (between columns: x); they may differ. */
  double mm = hypot (dx_px * dicom->spacing_column_mm, dy_px * dicom->spacing_row_mm);
  if (at_detector (dicom))
    /* Translators: a length in mm, measured at the X-ray detector */
    return g_strdup_printf (_("%.1f mm at the detector"), mm);
  /* Translators: a length in mm */
  return g_strdup_printf (_("%.1f mm"), mm);
}

char *
cxr_measure_length (const CxrDicomImage *dicom, double length_px)
{
  return cxr_measure_line_text (dicom, length_px, 0);
}
