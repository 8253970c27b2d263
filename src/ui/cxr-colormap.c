/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-colormap.c: jet as the core's pred_ pictures have it (OpenCV's table); inferno and viridis interpolated
 * linearly between eleven stops. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cxr-cam-render.h"
#include "cxr-colormap.h"

/* matplotlib's perceptual scales sampled at 0, 0.1, ..., 1; eleven stops keep them within a few levels of the
 * 256-entry originals, which is all a heatmap overlay needs. */
static const guint8 inferno_stops[11][3] = {
  { 0x00, 0x00, 0x04 }, { 0x16, 0x0b, 0x39 }, { 0x42, 0x0a, 0x68 }, { 0x6a, 0x17, 0x6e },
  { 0x93, 0x26, 0x67 }, { 0xbc, 0x37, 0x54 }, { 0xdd, 0x51, 0x3a }, { 0xf3, 0x78, 0x19 },
  { 0xfc, 0xa5, 0x0a }, { 0xf6, 0xd7, 0x46 }, { 0xfc, 0xff, 0xa4 },
};

static const guint8 viridis_stops[11][3] = {
  { 0x44, 0x01, 0x54 }, { 0x48, 0x24, 0x75 }, { 0x41, 0x44, 0x87 }, { 0x35, 0x5f, 0x8d },
  { 0x2a, 0x78, 0x8e }, { 0x21, 0x91, 0x8c }, { 0x22, 0xa8, 0x84 }, { 0x44, 0xbf, 0x70 },
  { 0x7a, 0xd1, 0x51 }, { 0xbd, 0xdf, 0x26 }, { 0xfd, 0xe7, 0x25 },
};

static const char *const ids[CXR_N_COLORMAPS] = { "jet", "inferno", "viridis" };

const char *
cxr_colormap_get_id (CxrColormap colormap)
{
  g_return_val_if_fail (colormap < CXR_N_COLORMAPS, ids[0]);
  return ids[colormap];
}

CxrColormap
cxr_colormap_from_id (const char *id)
{
  for (guint i = 0; i < CXR_N_COLORMAPS; i++)
    if (g_strcmp0 (id, ids[i]) == 0)
      return i;
  return CXR_COLORMAP_JET;
}

const char *
cxr_colormap_get_title (CxrColormap colormap)
{
  switch (colormap)
    {
    case CXR_COLORMAP_INFERNO:
      return C_("colormap", "Inferno");
    case CXR_COLORMAP_VIRIDIS:
      return C_("colormap", "Viridis");
    case CXR_COLORMAP_JET:
    default:
      return C_("colormap", "Jet");
    }
}

static void
fill_from_stops (const guint8 stops[11][3], guint8 lut[768])
{
  for (int i = 0; i < 256; i++)
    {
      double t = i / 255.0 * 10.0;
      int k = MIN ((int) t, 9);
      double f = t - k;
      for (int c = 0; c < 3; c++)
        lut[i * 3 + c] = (guint8) lround (stops[k][c] * (1.0 - f) + stops[k + 1][c] * f);
    }
}

void
cxr_colormap_fill_lut (CxrColormap colormap, guint8 lut[768])
{
  switch (colormap)
    {
    case CXR_COLORMAP_INFERNO:
      fill_from_stops (inferno_stops, lut);
      break;
    case CXR_COLORMAP_VIRIDIS:
      fill_from_stops (viridis_stops, lut);
      break;
    case CXR_COLORMAP_JET:
    default:
      /* The table the exported pred_ pictures use, so that the screen and the files agree pixel for pixel. */
      memcpy (lut, cxr_colormap_jet, sizeof cxr_colormap_jet);
      break;
    }
}
