/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-render.c: the four pictures of an explained image (see cxr-cam-render.h), drawn with cairo. */
#include "cxr-cam-render.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-png-write.h"

/* OpenCV's COLORMAP_JET as applyColorMap produces it, in RGB order. OpenCV builds it from a 256-entry
 * basemap (blue rises from 127.5/255 to 1, green and red follow a quarter later, each in steps of 4/255)
 * interpolated at the same 256 points in float and converted with saturate_cast, which rounds half to
 * even; tests/reference/jet_colormap.py repeats that computation and prints this table. */
const guint8 cxr_colormap_jet[256][3] = {
  {   0,   0, 128 }, {   0,   0, 132 }, {   0,   0, 136 }, {   0,   0, 140 },
  {   0,   0, 144 }, {   0,   0, 148 }, {   0,   0, 152 }, {   0,   0, 156 },
  {   0,   0, 160 }, {   0,   0, 164 }, {   0,   0, 168 }, {   0,   0, 172 },
  {   0,   0, 176 }, {   0,   0, 180 }, {   0,   0, 184 }, {   0,   0, 188 },
  {   0,   0, 192 }, {   0,   0, 196 }, {   0,   0, 200 }, {   0,   0, 204 },
  {   0,   0, 208 }, {   0,   0, 212 }, {   0,   0, 216 }, {   0,   0, 220 },
  {   0,   0, 224 }, {   0,   0, 228 }, {   0,   0, 232 }, {   0,   0, 236 },
  {   0,   0, 240 }, {   0,   0, 244 }, {   0,   0, 248 }, {   0,   0, 252 },
  {   0,   0, 255 }, {   0,   4, 255 }, {   0,   8, 255 }, {   0,  12, 255 },
  {   0,  16, 255 }, {   0,  20, 255 }, {   0,  24, 255 }, {   0,  28, 255 },
  {   0,  32, 255 }, {   0,  36, 255 }, {   0,  40, 255 }, {   0,  44, 255 },
  {   0,  48, 255 }, {   0,  52, 255 }, {   0,  56, 255 }, {   0,  60, 255 },
  {   0,  64, 255 }, {   0,  68, 255 }, {   0,  72, 255 }, {   0,  76, 255 },
  {   0,  80, 255 }, {   0,  84, 255 }, {   0,  88, 255 }, {   0,  92, 255 },
  {   0,  96, 255 }, {   0, 100, 255 }, {   0, 104, 255 }, {   0, 108, 255 },
  {   0, 112, 255 }, {   0, 116, 255 }, {   0, 120, 255 }, {   0, 124, 255 },
  {   0, 128, 255 }, {   0, 132, 255 }, {   0, 136, 255 }, {   0, 140, 255 },
  {   0, 144, 255 }, {   0, 148, 255 }, {   0, 152, 255 }, {   0, 156, 255 },
  {   0, 160, 255 }, {   0, 164, 255 }, {   0, 168, 255 }, {   0, 172, 255 },
  {   0, 176, 255 }, {   0, 180, 255 }, {   0, 184, 255 }, {   0, 188, 255 },
  {   0, 192, 255 }, {   0, 196, 255 }, {   0, 200, 255 }, {   0, 204, 255 },
  {   0, 208, 255 }, {   0, 212, 255 }, {   0, 216, 255 }, {   0, 220, 255 },
  {   0, 224, 255 }, {   0, 228, 255 }, {   0, 232, 255 }, {   0, 236, 255 },
  {   0, 240, 255 }, {   0, 244, 255 }, {   0, 248, 255 }, {   0, 252, 255 },
  {   2, 255, 254 }, {   6, 255, 250 }, {  10, 255, 246 }, {  14, 255, 242 },
  {  18, 255, 238 }, {  22, 255, 234 }, {  26, 255, 230 }, {  30, 255, 226 },
  {  34, 255, 222 }, {  38, 255, 218 }, {  42, 255, 214 }, {  46, 255, 210 },
  {  50, 255, 206 }, {  54, 255, 202 }, {  58, 255, 198 }, {  62, 255, 194 },
  {  66, 255, 190 }, {  70, 255, 186 }, {  74, 255, 182 }, {  78, 255, 178 },
  {  82, 255, 174 }, {  86, 255, 170 }, {  90, 255, 166 }, {  94, 255, 162 },
  {  98, 255, 158 }, { 102, 255, 154 }, { 106, 255, 150 }, { 110, 255, 146 },
  { 114, 255, 142 }, { 118, 255, 138 }, { 122, 255, 134 }, { 126, 255, 130 },
  { 130, 255, 126 }, { 134, 255, 122 }, { 138, 255, 118 }, { 142, 255, 114 },
  { 146, 255, 110 }, { 150, 255, 106 }, { 154, 255, 102 }, { 158, 255,  98 },
  { 162, 255,  94 }, { 166, 255,  90 }, { 170, 255,  86 }, { 174, 255,  82 },
  { 178, 255,  78 }, { 182, 255,  74 }, { 186, 255,  70 }, { 190, 255,  66 },
  { 194, 255,  62 }, { 198, 255,  58 }, { 202, 255,  54 }, { 206, 255,  50 },
  { 210, 255,  46 }, { 214, 255,  42 }, { 218, 255,  38 }, { 222, 255,  34 },
  { 226, 255,  30 }, { 230, 255,  26 }, { 234, 255,  22 }, { 238, 255,  18 },
  { 242, 255,  14 }, { 246, 255,  10 }, { 250, 255,   6 }, { 254, 255,   1 },
  { 255, 252,   0 }, { 255, 248,   0 }, { 255, 244,   0 }, { 255, 240,   0 },
  { 255, 236,   0 }, { 255, 232,   0 }, { 255, 228,   0 }, { 255, 224,   0 },
  { 255, 220,   0 }, { 255, 216,   0 }, { 255, 212,   0 }, { 255, 208,   0 },
  { 255, 204,   0 }, { 255, 200,   0 }, { 255, 196,   0 }, { 255, 192,   0 },
  { 255, 188,   0 }, { 255, 184,   0 }, { 255, 180,   0 }, { 255, 176,   0 },
  { 255, 172,   0 }, { 255, 168,   0 }, { 255, 164,   0 }, { 255, 160,   0 },
  { 255, 156,   0 }, { 255, 152,   0 }, { 255, 148,   0 }, { 255, 144,   0 },
  { 255, 140,   0 }, { 255, 136,   0 }, { 255, 132,   0 }, { 255, 128,   0 },
  { 255, 124,   0 }, { 255, 120,   0 }, { 255, 116,   0 }, { 255, 112,   0 },
  { 255, 108,   0 }, { 255, 104,   0 }, { 255, 100,   0 }, { 255,  96,   0 },
  { 255,  92,   0 }, { 255,  88,   0 }, { 255,  84,   0 }, { 255,  80,   0 },
  { 255,  76,   0 }, { 255,  72,   0 }, { 255,  68,   0 }, { 255,  64,   0 },
  { 255,  60,   0 }, { 255,  56,   0 }, { 255,  52,   0 }, { 255,  48,   0 },
  { 255,  44,   0 }, { 255,  40,   0 }, { 255,  36,   0 }, { 255,  32,   0 },
  { 255,  28,   0 }, { 255,  24,   0 }, { 255,  20,   0 }, { 255,  16,   0 },
  { 255,  12,   0 }, { 255,   8,   0 }, { 255,   4,   0 }, { 255,   0,   0 },
  { 252,   0,   0 }, { 248,   0,   0 }, { 244,   0,   0 }, { 240,   0,   0 },
  { 236,   0,   0 }, { 232,   0,   0 }, { 228,   0,   0 }, { 224,   0,   0 },
  { 220,   0,   0 }, { 216,   0,   0 }, { 212,   0,   0 }, { 208,   0,   0 },
  { 204,   0,   0 }, { 200,   0,   0 }, { 196,   0,   0 }, { 192,   0,   0 },
  { 188,   0,   0 }, { 184,   0,   0 }, { 180,   0,   0 }, { 176,   0,   0 },
  { 172,   0,   0 }, { 168,   0,   0 }, { 164,   0,   0 }, { 160,   0,   0 },
  { 156,   0,   0 }, { 152,   0,   0 }, { 148,   0,   0 }, { 144,   0,   0 },
  { 140,   0,   0 }, { 136,   0,   0 }, { 132,   0,   0 }, { 128,   0,   0 },
};

#define GT_RGB 1.0, 1.0, 0.0          /* yellow, as the tutorial draws ground truth */
#define PRED_RGB 0.0, 0.85, 1.0       /* cyan-blue: apart from yellow, and from the heatmap's red */

void
cxr_cam_render_options_init (CxrCamRenderOptions *options)
{
  memset (options, 0, sizeof *options);
  options->threshold = 0.5f;
  options->box_mode = CXR_BOX_MODE_LARGEST;
  options->opacity = CXR_CAM_DEFAULT_OPACITY;
}

void
cxr_cam_render_heatmap_overlay (guint8 *rgb, const guint8 *gray8, const float *cam, int width, int height,
                                float opacity)
{
  gsize n = (gsize) width * height;
  /* show_cam_on_image in float32: heat = JET[uint8 (255 cam)] / 255, img = gray / 255,
   * out = (1 - image_weight) heat + image_weight img, then uint8 (255 out / max (out)). */
  float image_weight = 1.0f - opacity;
  float heat_weight = (float) (1.0 - (double) image_weight);
  float top = 0.0f;
  for (int pass = 0; pass < 2; pass++)
    for (gsize i = 0; i < n; i++)
      {
        int index = cxr_colormap_index (cam[i]);
        float img = gray8[i] / 255.0f;
        for (int k = 0; k < 3; k++)
          {
            float heat = cxr_colormap_jet[index][k] / 255.0f;
            float v = heat_weight * heat + image_weight * img;
            if (pass == 0)
              top = MAX (top, v);
            else
              rgb[i * 3 + k] = top > 0.0f ? (guint8) (255.0f * (v / top)) : 0;
          }
      }
}

void
cxr_cam_render_masked (guint8 *out, const guint8 *gray8, const guint8 *mask, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = mask[i] ? gray8[i] : 0;
}

/* ---- files ------------------------------------------------------------------------------------- */

static gboolean
check_surface (cairo_surface_t *surface, GError **error)
{
  if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "cannot draw: %s",
               cairo_status_to_string (cairo_surface_status (surface)));
  return FALSE;
}

/* Atomically, as every file cxrcam writes: a picture is the old one or the new one, never half of one. Encoded by
 * cxr-png-write (zlib level 1, one filter), not cairo_surface_write_to_png (level 6, adaptive filters): the same
 * pixels in a fifteenth of the time. */
static gboolean
write_surface (cairo_surface_t *surface, const char *folder, const char *prefix, const char *stem, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%s_%s.png", prefix, stem);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  cairo_surface_flush (surface);
  gboolean gray = cairo_image_surface_get_format (surface) == CAIRO_FORMAT_A8;
  return cxr_png_write_file (path, cairo_image_surface_get_data (surface), cairo_image_surface_get_width (surface),
                             cairo_image_surface_get_height (surface), cairo_image_surface_get_stride (surface),
                             gray ? CXR_PNG_GRAY8 : CXR_PNG_XRGB32, error);
}

/* A gray surface (cairo's A8, which it writes as an 8-bit gray PNG) holding @pixels. */
static cairo_surface_t *
gray_surface (const guint8 *pixels, int width, int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    memcpy (data + (gsize) y * stride, pixels + (gsize) y * width, width);
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* An RGB surface from gray (rgb NULL) or from [h, w, 3] bytes. */
static cairo_surface_t *
rgb_surface (const guint8 *gray, const guint8 *rgb, int width, int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (data + (gsize) y * stride);
      for (int x = 0; x < width; x++)
        {
          gsize i = (gsize) y * width + x;
          guint32 r = rgb ? rgb[i * 3] : gray[i];
          guint32 g = rgb ? rgb[i * 3 + 1] : gray[i];
          guint32 b = rgb ? rgb[i * 3 + 2] : gray[i];
          row[x] = (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* A box outline with its label on a dark band above it (inside the box when there is no room above). */
static void
draw_labelled_box (cairo_t *cr, const CxrRect *box, double red, double green, double blue, const char *label,
                   double line_width, double font_size)
{
  cairo_set_source_rgb (cr, red, green, blue);
  cairo_set_line_width (cr, line_width);
  cairo_rectangle (cr, box->x, box->y, box->w, box->h);
  cairo_stroke (cr);

  if (label == NULL || *label == '\0')
    return;
  cairo_set_font_size (cr, font_size);
  cairo_text_extents_t extents;
  cairo_text_extents (cr, label, &extents);
  double pad = font_size * 0.25;
  double band = font_size + 2 * pad;
  double top = box->y - line_width / 2 - band;
  if (top < 0)
    top = box->y + line_width / 2;
  double left = box->x - line_width / 2;
  cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
  cairo_rectangle (cr, left, top, extents.x_advance + 2 * pad, band);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, red, green, blue);
  cairo_move_to (cr, left + pad, top + pad + font_size * 0.8);
  cairo_show_text (cr, label);
}

char *
cxr_cam_result_dup_stem (const CxrCamResult *result)
{
  g_autofree char *base = g_path_get_basename (result->path ? result->path : result->name ? result->name : "image");
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

gboolean
cxr_cam_write_images (const CxrCamResult *result, const char *folder, const CxrCamRenderOptions *options,
                      const CxrRect *boxes, guint n_boxes, GError **error)
{
  g_return_val_if_fail (result->cam != NULL && result->gray8 != NULL, FALSE);
  int width = result->width, height = result->height;
  gsize n = (gsize) width * height;
  g_autofree char *stem = cxr_cam_result_dup_stem (result);
  gboolean ok = TRUE;

  /* original_ */
  cairo_surface_t *surface = gray_surface (result->gray8, width, height);
  ok = check_surface (surface, error) && write_surface (surface, folder, "original", stem, error);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;

  /* gtimage_: boxes drawn without antialiasing, so that their pixels are exactly yellow and cyan. */
  surface = rgb_surface (result->gray8, NULL, width, height);
  if (!check_surface (surface, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_t *cr = cairo_create (surface);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  double scale = MAX (width, height) / 1024.0;
  double line_width = MAX (2.0, round (3.0 * scale));
  double font_size = MAX (10.0, round (22.0 * scale));
  float probability = result->probabilities ? result->probabilities[result->target_class] : NAN;
  for (guint i = 0; i < n_boxes; i++)
    {
      /* As the tutorial's picture, in any locale: the same bytes under de_DE as under C. */
      char number[CXR_FORMAT_BUF];
      g_autofree char *label = g_strdup_printf ("pred %s %s", result->target_name ? result->target_name : "",
                                                cxr_format_fixed (number, probability, 2));
      draw_labelled_box (cr, &boxes[i], PRED_RGB, i == 0 ? label : NULL, line_width, font_size);
    }
  for (guint i = 0; i < options->n_truth; i++)
    {
      g_autofree char *label = g_strdup_printf ("GT %s", options->truth_label ? options->truth_label : "");
      draw_labelled_box (cr, &options->truth[i], GT_RGB, label, line_width, font_size);
    }
  cairo_destroy (cr);
  ok = check_surface (surface, error) && write_surface (surface, folder, "gtimage", stem, error);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;

  /* mask_ */
  g_autofree guint8 *mask = g_malloc (n);
  g_autofree guint8 *masked = g_malloc (n);
  cxr_cam_threshold (mask, result->cam, n, options->threshold);
  cxr_cam_render_masked (masked, result->gray8, mask, n);
  surface = gray_surface (masked, width, height);
  ok = check_surface (surface, error) && write_surface (surface, folder, "mask", stem, error);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;

  /* pred_ */
  g_autofree guint8 *rgb = g_malloc (n * 3);
  cxr_cam_render_heatmap_overlay (rgb, result->gray8, result->cam, width, height, options->opacity);
  surface = rgb_surface (NULL, rgb, width, height);
  ok = check_surface (surface, error) && write_surface (surface, folder, "pred", stem, error);
  cairo_surface_destroy (surface);
  return ok;
}
