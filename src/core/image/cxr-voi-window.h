/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-voi-window.h: DICOM stored values windowed for the screen, fast enough to drag.
 *
 * The panes keep a DICOM image's stored values (after the modality LUT) and window them on the fly (issue 16,
 * point 2). Doing that per pixel in double costs ~100 ms on a 2500 x 3000 CR; instead the values become 16-bit
 * codes once, on the worker that decodes the image:
 *
 *   value = base + code * step
 *
 * with step 1 when every value is an integer and the range spans at most 65536 of them (all CR/DX data: exact),
 * else 65536 even steps over [min, max]. A window then is a table of one byte per code
 * (cxr_voi_lut_fill_*, 64 KB, the window function evaluated once per code), and showing it is one table lookup per
 * pixel (cxr_voi_apply). The codes also come at half and quarter resolution (2 x 2 averages of codes), so that a
 * pane at fit zoom windows the level it shows only.
 *
 * Nothing here knows GTK; the window (src/ui/cxr-window-level.c) turns the bytes into textures.
 */
#pragma once

#include <glib.h>

#include "cxr-dicom.h"

G_BEGIN_DECLS

#define CXR_STORED_PLANE_LEVELS 3
#define CXR_VOI_N_CODES 65536

typedef struct {
  int width, height;              /* of level 0 */
  float *values;                  /* [height * width] the stored values after the modality LUT (exact) */
  double base;                    /* value of code 0 */
  double step;                    /* value per code */
  guint n_codes;                  /* codes in use: 1 ... CXR_VOI_N_CODES */
  guint16 *codes[CXR_STORED_PLANE_LEVELS];      /* level k: 2^k smaller on each side (rounded up) */
  int level_width[CXR_STORED_PLANE_LEVELS];
  int level_height[CXR_STORED_PLANE_LEVELS];
  CxrDicomImage *dicom;           /* what the file said (windows, VOI LUT, spacing ...); its values are NULL, they
                                   * are ours. NULL for planes made from bare values. */
} CxrStoredPlane;

/* Takes @values ([height * width], from cxr_alloc_floats(): freed with cxr_free_floats) and makes the
 * codes and their smaller levels. */
CxrStoredPlane *cxr_stored_plane_new   (float *values, int width, int height);
/* Takes @image and its values. */
CxrStoredPlane *cxr_stored_plane_new_from_dicom (CxrDicomImage *image);
CxrStoredPlane *cxr_stored_plane_ref   (CxrStoredPlane *plane);
void            cxr_stored_plane_unref (CxrStoredPlane *plane);
/* The stored value at an image pixel, or NAN outside. */
double          cxr_stored_plane_value_at (const CxrStoredPlane *plane, int x, int y);

/* lut[code] = round (255 y) with y = the window (@center, @width, @function) at base + code * step, 1 - y when
 * @invert; for codes 0 ... n_codes - 1. */
void cxr_voi_lut_fill_window (guint8 lut[CXR_VOI_N_CODES], const CxrStoredPlane *plane, double center, double width,
                              CxrDicomVoiFunction function, gboolean invert);
/* The same through the file's VOI LUT (its first item): y = LUT[clamp (value - first mapped)] / (2^bits - 1). */
void cxr_voi_lut_fill_table  (guint8 lut[CXR_VOI_N_CODES], const CxrStoredPlane *plane, const CxrDicomImage *image,
                              gboolean invert);
/* out[i] = lut[codes[i]] for one level. */
void cxr_voi_apply           (const CxrStoredPlane *plane, guint level, const guint8 lut[CXR_VOI_N_CODES],
                              guint8 *out);

/* The window an image starts at (issue 16: the file's first VOI window): its first Window Center/Width, else
 * (has a VOI LUT: *use_table TRUE) the range the VOI LUT maps, else the full range the values can take. */
void cxr_voi_initial_window  (const CxrDicomImage *image, double *center, double *width, gboolean *use_table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrStoredPlane, cxr_stored_plane_unref)

G_END_DECLS
