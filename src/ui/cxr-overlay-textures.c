/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-overlay-textures.c: gray, heatmap and mask pixels as texture pyramids. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cxr-cam-render.h"
#include "cxr-overlay-textures.h"

typedef GdkTexture *(*LevelBuilder) (CxrPyramid *pyramid, guint level);

/* A pyramid is either complete (every level made at once, e.g. on a worker) or lazy: it keeps its source pixels and
 * makes a level the first time a pane asks for it, on the main thread. A threshold change then pays only for the
 * level on screen. */
struct _CxrPyramid {
  GdkTexture *levels[CXR_PYRAMID_LEVELS];
  LevelBuilder build;     /* NULL: complete */
  GBytes *source;         /* the level-0 pixels the builder reads */
  int width, height;      /* of level 0 */
  double alpha;           /* mask pyramids: the outside's alpha */
  guint8 lut[768];        /* heatmap pyramids: the colormap */
  CxrStoredPlane *plane;  /* windowed pyramids: the stored values ... */
  guint8 *window_lut;     /* ... and the window's table [CXR_VOI_N_CODES] */
};

static void
pyramid_clear (CxrPyramid *pyramid)
{
  for (guint i = 0; i < CXR_PYRAMID_LEVELS; i++)
    g_clear_object (&pyramid->levels[i]);
  g_clear_pointer (&pyramid->source, g_bytes_unref);
  g_clear_pointer (&pyramid->plane, cxr_stored_plane_unref);
  g_clear_pointer (&pyramid->window_lut, g_free);
}

CxrPyramid *
cxr_pyramid_ref (CxrPyramid *pyramid)
{
  return g_atomic_rc_box_acquire (pyramid);
}

void
cxr_pyramid_unref (CxrPyramid *pyramid)
{
  g_atomic_rc_box_release_full (pyramid, (GDestroyNotify) pyramid_clear);
}

GdkTexture *
cxr_pyramid_get_level (CxrPyramid *pyramid, guint level)
{
  g_return_val_if_fail (level < CXR_PYRAMID_LEVELS, NULL);
  if (pyramid->levels[level] == NULL && pyramid->build != NULL)
    pyramid->levels[level] = pyramid->build (pyramid, level);
  return pyramid->levels[level];
}

GdkTexture *
cxr_pyramid_pick (CxrPyramid *pyramid, double scale)
{
  guint level = 0;
  while (level + 1 < CXR_PYRAMID_LEVELS && scale * (1u << (level + 1)) <= 1.0)
    level++;
  return cxr_pyramid_get_level (pyramid, level);
}

static int
half (int size)
{
  return (size + 1) / 2;
}

/* Averages 2 x 2 blocks of one byte plane (edge blocks average what they have). */
static guint8 *
shrink_bytes (const guint8 *in, int width, int height)
{
  int out_width = half (width), out_height = half (height);
  guint8 *out = g_malloc ((gsize) out_width * out_height);
  for (int y = 0; y < out_height; y++)
    for (int x = 0; x < out_width; x++)
      {
        int x0 = 2 * x, y0 = 2 * y, x1 = MIN (x0 + 1, width - 1), y1 = MIN (y0 + 1, height - 1);
        int sum = in[y0 * width + x0] + in[y0 * width + x1] + in[y1 * width + x0] + in[y1 * width + x1];
        out[y * out_width + x] = (guint8) ((sum + 2) / 4);
      }
  return out;
}

static GdkTexture *
gray_texture_new (const guint8 *gray8, int width, int height)
{
  gsize n = (gsize) width * height;
  guint8 *rgb = g_malloc (n * 3);

  for (gsize i = 0; i < n; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray8[i];

  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, n * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

static GdkTexture *
heatmap_texture_new (const float *cam, int width, int height, const guint8 lut[768])
{
  gsize n = (gsize) width * height;
  guint8 *rgb = g_malloc (n * 3);

  for (gsize i = 0; i < n; i++)
    {
      /* The index rule of pred_ pictures (show_cam_on_image's truncation): the pane shows what an export holds. */
      int k = cxr_colormap_index (cam[i]);
      rgb[3 * i] = lut[3 * k];
      rgb[3 * i + 1] = lut[3 * k + 1];
      rgb[3 * i + 2] = lut[3 * k + 2];
    }

  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, n * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

/* @coverage [height * width]: 255 inside the mask, 0 outside (or a fraction in between). */
static GdkTexture *
mask_texture_new (const guint8 *coverage, int width, int height, double outside_alpha)
{
  gsize n = (gsize) width * height;
  guint8 *rgba = g_malloc0 (n * 4);
  double alpha = CLAMP (outside_alpha, 0.0, 1.0);

  /* Premultiplied black: only the alpha byte is non-zero. */
  for (gsize i = 0; i < n; i++)
    rgba[4 * i + 3] = (guint8) lround ((255 - coverage[i]) * alpha);

  g_autoptr (GBytes) bytes = g_bytes_new_take (rgba, n * 4);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, (gsize) width * 4);
}

static CxrPyramid *
pyramid_new (void)
{
  return g_atomic_rc_box_new0 (CxrPyramid);
}

CxrPyramid *
cxr_gray_pyramid_new (const guint8 *gray8, int width, int height)
{
  CxrPyramid *pyramid = pyramid_new ();
  g_autofree guint8 *level = NULL;
  const guint8 *pixels = gray8;

  for (guint l = 0; l < CXR_PYRAMID_LEVELS; l++)
    {
      if (l > 0)
        {
          guint8 *smaller = shrink_bytes (pixels, width, height);
          g_free (level);
          pixels = level = smaller;
          width = half (width);
          height = half (height);
        }
      pyramid->levels[l] = gray_texture_new (pixels, width, height);
    }
  return pyramid;
}

/* Averages 2^level x 2^level blocks of the level-0 CAM (edge blocks average what they have). */
static GdkTexture *
build_heatmap_level (CxrPyramid *pyramid, guint level)
{
  const float *cam = g_bytes_get_data (pyramid->source, NULL);
  int step = 1 << level, width = pyramid->width, height = pyramid->height;
  int out_width = (width + step - 1) / step, out_height = (height + step - 1) / step;
  if (level == 0)
    return heatmap_texture_new (cam, width, height, pyramid->lut);

  g_autofree float *values = g_new (float, (gsize) out_width * out_height);
  for (int y = 0; y < out_height; y++)
    for (int x = 0; x < out_width; x++)
      {
        float sum = 0.0f;
        int count = 0;
        for (int dy = 0; dy < step && y * step + dy < height; dy++)
          for (int dx = 0; dx < step && x * step + dx < width; dx++, count++)
            sum += cam[(gsize) (y * step + dy) * width + x * step + dx];
        values[y * out_width + x] = sum / count;
      }
  return heatmap_texture_new (values, out_width, out_height, pyramid->lut);
}

CxrPyramid *
cxr_heatmap_pyramid_new (const float *cam, int width, int height, const guint8 lut[768])
{
  CxrPyramid *pyramid = pyramid_new ();
  pyramid->build = build_heatmap_level;
  pyramid->source = g_bytes_new (cam, (gsize) width * height * sizeof (float));
  pyramid->width = width;
  pyramid->height = height;
  memcpy (pyramid->lut, lut, sizeof pyramid->lut);
  return pyramid;
}

/* Counts the mask's pixels in 2^level x 2^level blocks: the outside fraction sets the alpha. */
static GdkTexture *
build_mask_level (CxrPyramid *pyramid, guint level)
{
  const guint8 *mask = g_bytes_get_data (pyramid->source, NULL);
  int step = 1 << level, width = pyramid->width, height = pyramid->height;
  int out_width = (width + step - 1) / step, out_height = (height + step - 1) / step;
  gsize n = (gsize) out_width * out_height;
  g_autofree guint8 *coverage = g_malloc (n);

  if (level == 0)
    for (gsize i = 0; i < n; i++)
      coverage[i] = mask[i] ? 255 : 0;
  else
    for (int y = 0; y < out_height; y++)
      for (int x = 0; x < out_width; x++)
        {
          int inside = 0, count = 0;
          for (int dy = 0; dy < step && y * step + dy < height; dy++)
            {
              const guint8 *row = mask + (gsize) (y * step + dy) * width + x * step;
              for (int dx = 0; dx < step && x * step + dx < width; dx++, count++)
                inside += row[dx] != 0;
            }
          coverage[y * out_width + x] = (guint8) ((inside * 255 + count / 2) / count);
        }
  return mask_texture_new (coverage, out_width, out_height, pyramid->alpha);
}

CxrPyramid *
cxr_mask_pyramid_new (const guint8 *mask, int width, int height, double outside_alpha)
{
  CxrPyramid *pyramid = pyramid_new ();
  pyramid->build = build_mask_level;
  pyramid->source = g_bytes_new (mask, (gsize) width * height);
  pyramid->width = width;
  pyramid->height = height;
  pyramid->alpha = outside_alpha;
  return pyramid;
}

static GdkTexture *
build_windowed_level (CxrPyramid *pyramid, guint level)
{
  const CxrStoredPlane *plane = pyramid->plane;
  g_autofree guint8 *gray8 = g_malloc ((gsize) plane->level_width[level] * plane->level_height[level]);
  cxr_voi_apply (plane, level, pyramid->window_lut, gray8);
  return gray_texture_new (gray8, plane->level_width[level], plane->level_height[level]);
}

CxrPyramid *
cxr_windowed_pyramid_new (CxrStoredPlane *plane, const guint8 lut[CXR_VOI_N_CODES])
{
  G_STATIC_ASSERT (CXR_PYRAMID_LEVELS == CXR_STORED_PLANE_LEVELS);
  CxrPyramid *pyramid = pyramid_new ();
  pyramid->build = build_windowed_level;
  pyramid->plane = cxr_stored_plane_ref (plane);
  pyramid->window_lut = g_memdup2 (lut, CXR_VOI_N_CODES);
  pyramid->width = plane->width;
  pyramid->height = plane->height;
  return pyramid;
}
