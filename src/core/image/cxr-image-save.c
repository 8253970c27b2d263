/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-image-save.h"

#include <png.h>
#include <setjmp.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"

typedef struct {
  GByteArray *bytes;
  char message[256];
} PngSink;

static void
append_bytes (png_structp png, png_bytep data, png_size_t length)
{
  PngSink *sink = png_get_io_ptr (png);
  g_byte_array_append (sink->bytes, data, length);
}

static void
flush_nothing (png_structp png)
{
}

static void
record_error (png_structp png, png_const_charp message)
{
  PngSink *sink = png_get_error_ptr (png);
  g_strlcpy (sink->message, message, sizeof sink->message);
  png_longjmp (png, 1);
}

/* Encodes in memory; the caller writes the file atomically. */
static gboolean
encode_gray8 (const guint8 *pixels, int width, int height, GByteArray *out, const char *path, GError **error)
{
  PngSink sink = { out, "" };
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &sink, record_error, NULL);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: out of memory for the PNG encoder", path);
      return FALSE;
    }
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: PNG encoding failed: %s", path, sink.message);
      return FALSE;
    }
  png_set_write_fn (png, &sink, append_bytes, flush_nothing);
  png_set_IHDR (png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  /* Speed over size: phantoms and exports are written by the hundred. */
  png_set_compression_level (png, 3);
  png_write_info (png, info);
  for (int y = 0; y < height; y++)
    png_write_row (png, pixels + (gsize) y * width);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return TRUE;
}

gboolean
cxr_image_save_png (const CxrImage *image, const char *path, GError **error)
{
  g_autofree guint8 *gray = cxr_image_to_gray8 (image);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  if (!encode_gray8 (gray, image->width, image->height, bytes, path, error))
    return FALSE;
  return cxr_atomic_file_set_contents (path, bytes->data, bytes->len, error);
}
