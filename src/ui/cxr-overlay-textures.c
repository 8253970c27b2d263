/* cxr-overlay-textures.c: gray, heatmap and mask pixels as textures. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cxr-overlay-textures.h"

GdkTexture *
cxr_gray_texture_new (const guint8 *gray8, int width, int height)
{
  gsize n = (gsize) width * height;
  guint8 *rgb = g_malloc (n * 3);

  for (gsize i = 0; i < n; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray8[i];

  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, n * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

GdkTexture *
cxr_heatmap_texture_new (const float *cam, int width, int height, const guint8 lut[768])
{
  gsize n = (gsize) width * height;
  guint8 *rgb = g_malloc (n * 3);

  for (gsize i = 0; i < n; i++)
    {
      float v = cam[i];
      /* NaN and out-of-range values take the ends of the scale. */
      int k = v > 0.0f ? (v < 1.0f ? (int) (v * 255.0f + 0.5f) : 255) : 0;
      rgb[3 * i] = lut[3 * k];
      rgb[3 * i + 1] = lut[3 * k + 1];
      rgb[3 * i + 2] = lut[3 * k + 2];
    }

  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, n * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

GdkTexture *
cxr_mask_texture_new (const guint8 *mask, int width, int height, double outside_alpha)
{
  gsize n = (gsize) width * height;
  guint32 *rgba = g_malloc (n * 4);
  guint8 alpha = (guint8) lround (CLAMP (outside_alpha, 0.0, 1.0) * 255.0);
  /* Premultiplied black with that alpha, and fully transparent: two words, whatever the byte order. */
  guint8 outside_bytes[4] = { 0, 0, 0, alpha };
  guint32 outside, inside = 0;
  memcpy (&outside, outside_bytes, 4);

  for (gsize i = 0; i < n; i++)
    rgba[i] = mask[i] ? inside : outside;

  g_autoptr (GBytes) bytes = g_bytes_new_take (rgba, n * 4);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, (gsize) width * 4);
}
