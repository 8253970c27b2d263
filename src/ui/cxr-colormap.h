/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-colormap.h: the colour scales a heatmap can use, as 256-entry RGB lookup tables. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_COLORMAP_JET,       /* OpenCV's COLORMAP_JET, as the tutorial's heatmaps */
  CXR_COLORMAP_INFERNO,
  CXR_COLORMAP_VIRIDIS,
  CXR_N_COLORMAPS
} CxrColormap;

/* The settings id ("jet", "inferno", "viridis") and back; unknown ids are JET. */
const char  *cxr_colormap_get_id (CxrColormap colormap);
CxrColormap  cxr_colormap_from_id (const char *id);
/* The name shown to users, translated. */
const char  *cxr_colormap_get_title (CxrColormap colormap);

/* Fills lut[256 * 3] with R, G, B for v = i / 255. */
void         cxr_colormap_fill_lut (CxrColormap colormap, guint8 lut[768]);

G_END_DECLS
