/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-png-write: the fast PNG writer (cxr-png-write.h) keeps every pixel of what cairo_surface_write_to_png, the
 * writer of the cam pictures before it, wrote. On a real NIH radiograph and a JET overlay drawn over it: the gray
 * picture (original_, mask_), the RGB overlay (pred_) and a cairo RGB24 surface with boxes drawn on it (gtimage_)
 * are encoded both ways, decoded by cairo and by gdk-pixbuf (libpng underneath, but not our code), and compared
 * byte for byte with each other and with the source pixels. */
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>

#include "cxr-cam-render.h"
#include "cxr-image.h"
#include "cxr-png-write.h"
#include "cxr-test-util.h"

static cairo_status_t
append_to_array (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

typedef struct {
  const guint8 *data;
  gsize length, offset;
} Reader;

static cairo_status_t
read_from_array (void *closure, unsigned char *data, unsigned int length)
{
  Reader *reader = closure;
  if (reader->offset + length > reader->length)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, reader->data + reader->offset, length);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
decode_with_cairo (GByteArray *png)
{
  Reader reader = { png->data, png->len, 0 };
  cairo_surface_t *surface = cairo_image_surface_create_from_png_stream (read_from_array, &reader);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

/* Both decoded surfaces hold the same pixels, row by row (cairo decodes gray as RGB24, 0xffGGGGGG or 0x00GGGGGG
 * depending on its version: compare the colour bytes only). */
static void
assert_same_surfaces (cairo_surface_t *a, cairo_surface_t *b)
{
  int width = cairo_image_surface_get_width (a), height = cairo_image_surface_get_height (a);
  g_assert_cmpint (cairo_image_surface_get_width (b), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (b), ==, height);
  g_assert_cmpint (cairo_image_surface_get_format (a), ==, cairo_image_surface_get_format (b));
  for (int y = 0; y < height; y++)
    {
      const guint32 *ra = (const guint32 *) (gconstpointer) (cairo_image_surface_get_data (a)
                                                             + (gsize) y * cairo_image_surface_get_stride (a));
      const guint32 *rb = (const guint32 *) (gconstpointer) (cairo_image_surface_get_data (b)
                                                             + (gsize) y * cairo_image_surface_get_stride (b));
      for (int x = 0; x < width; x++)
        if ((ra[x] & 0xffffff) != (rb[x] & 0xffffff))
          g_error ("pixel (%d, %d): 0x%06x written by cairo, 0x%06x by cxr-png-write", x, y, ra[x] & 0xffffff,
                   rb[x] & 0xffffff);
    }
}

/* gdk-pixbuf reads our PNG back as exactly @expected ([h, w, channels] with @channels 1 or 3). */
static void
assert_pixbuf_equals (GByteArray *png, const guint8 *expected, int width, int height, int channels)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (gdk_pixbuf_loader_write (loader, png->data, png->len, &error));
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  g_assert_no_error (error);
  GdkPixbuf *pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, 3);
  const guint8 *data = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      for (int c = 0; c < 3; c++)
        {
          guint8 want = expected[((gsize) y * width + x) * channels + (channels == 1 ? 0 : c)];
          guint8 got = data[(gsize) y * stride + x * 3 + c];
          if (got != want)
            g_error ("pixel (%d, %d) channel %d: %u, want %u", x, y, c, got, want);
        }
}

/* Encodes @surface with cairo and with cxr-png-write (from @pixels in @format), and compares. */
static void
check_both_ways (cairo_surface_t *surface, const guint8 *pixels, gsize stride, CxrPngFormat format,
                 const guint8 *expected, int channels)
{
  int width = cairo_image_surface_get_width (surface), height = cairo_image_surface_get_height (surface);
  g_autoptr (GByteArray) before = g_byte_array_new ();
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_to_array, before), ==, CAIRO_STATUS_SUCCESS);
  g_autoptr (GByteArray) after = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_png_encode (after, pixels, width, height, stride, format, "test", &error));
  g_assert_no_error (error);
  g_test_message ("cairo %u bytes, cxr-png-write %u bytes", before->len, after->len);

  cairo_surface_t *a = decode_with_cairo (before);
  cairo_surface_t *b = decode_with_cairo (after);
  assert_same_surfaces (a, b);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  assert_pixbuf_equals (after, expected, width, height, channels);
}

static guint8 *
load_radiograph (int *width, int *height)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return NULL;
  g_autofree char *path = g_build_filename (nih, "images", "00001369_000.png", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load (path, &error);
  g_assert_no_error (error);
  *width = image->width;
  *height = image->height;
  return cxr_image_to_gray8 (image);
}

static void
test_gray (void)
{
  int width, height;
  g_autofree guint8 *gray = load_radiograph (&width, &height);
  if (gray == NULL)
    return;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, width, height);
  int stride = cairo_image_surface_get_stride (surface);
  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    memcpy (cairo_image_surface_get_data (surface) + (gsize) y * stride, gray + (gsize) y * width, width);
  cairo_surface_mark_dirty (surface);
  check_both_ways (surface, cairo_image_surface_get_data (surface), stride, CXR_PNG_GRAY8, gray, 1);
  /* The same pixels from a packed buffer. */
  g_autoptr (GByteArray) packed = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_png_encode (packed, gray, width, height, width, CXR_PNG_GRAY8, "packed", &error));
  assert_pixbuf_equals (packed, gray, width, height, 1);
  cairo_surface_destroy (surface);
}

static void
test_rgb (void)
{
  int width, height;
  g_autofree guint8 *gray = load_radiograph (&width, &height);
  if (gray == NULL)
    return;
  /* A smooth CAM with a peak off centre and values outside [0, 1] at the edges: every JET entry is used. */
  g_autofree float *cam = g_new (float, (gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      cam[(gsize) y * width + x] = 1.1f * expf (-((x - 600.0f) * (x - 600.0f) + (y - 450.0f) * (y - 450.0f))
                                                / 90000.0f) - 0.05f;
  g_autofree guint8 *rgb = g_malloc ((gsize) width * height * 3);
  cxr_cam_render_heatmap_overlay (rgb, gray, cam, width, height, CXR_CAM_DEFAULT_OPACITY);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  int stride = cairo_image_surface_get_stride (surface);
  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (cairo_image_surface_get_data (surface) + (gsize) y * stride);
      for (int x = 0; x < width; x++)
        {
          const guint8 *p = rgb + ((gsize) y * width + x) * 3;
          row[x] = ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
        }
    }
  cairo_surface_mark_dirty (surface);
  check_both_ways (surface, cairo_image_surface_get_data (surface), stride, CXR_PNG_XRGB32, rgb, 3);

  /* Boxes and a label drawn on it, as gtimage_ has them. */
  cairo_t *cr = cairo_create (surface);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb (cr, 1, 1, 0);
  cairo_set_line_width (cr, 3);
  cairo_rectangle (cr, 300.5, 400.25, 350, 280);
  cairo_stroke (cr);
  cairo_move_to (cr, 310, 390);
  cairo_set_font_size (cr, 22);
  cairo_show_text (cr, "GT Cardiomegaly");
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_autofree guint8 *drawn = g_malloc ((gsize) width * height * 3);
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (gconstpointer) (cairo_image_surface_get_data (surface)
                                                              + (gsize) y * stride);
      for (int x = 0; x < width; x++)
        {
          guint8 *p = drawn + ((gsize) y * width + x) * 3;
          p[0] = row[x] >> 16, p[1] = row[x] >> 8, p[2] = row[x];
        }
    }
  g_assert_true (memcmp (drawn, rgb, (gsize) width * height * 3) != 0);
  check_both_ways (surface, cairo_image_surface_get_data (surface), stride, CXR_PNG_XRGB32, drawn, 3);

  /* Packed RGB bytes give the same picture. */
  g_autoptr (GByteArray) packed = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_png_encode (packed, rgb, width, height, (gsize) width * 3, CXR_PNG_RGB8, "packed", &error));
  assert_pixbuf_equals (packed, rgb, width, height, 3);
  cairo_surface_destroy (surface);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/png-write/gray", test_gray);
  g_test_add_func ("/png-write/rgb", test_rgb);
  return g_test_run ();
}
