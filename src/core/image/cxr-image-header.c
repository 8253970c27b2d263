/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-header.c: PNG IHDR and JPEG SOFn, read with stdio. */
#include "cxr-image-header.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "cxr-error.h"

static guint
be16 (const guint8 *p)
{
  return ((guint) p[0] << 8) | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
bad (const char *path, const char *what, GError **error)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: %s", path, what);
  return FALSE;
}

static gboolean
read_png (FILE *f, const char *path, CxrImageHeader *header, GError **error)
{
  guint8 b[26];   /* signature (8), IHDR length (4), "IHDR" (4), width, height (4 each), bit depth, colour type */
  if (fread (b, 1, sizeof b, f) != sizeof b || memcmp (b + 12, "IHDR", 4) != 0)
    return bad (path, "the PNG file has no IHDR chunk", error);
  guint32 width = be32 (b + 16), height = be32 (b + 20);
  if (width == 0 || height == 0 || width > G_MAXINT || height > G_MAXINT)
    return bad (path, "the PNG header gives no size", error);
  header->width = (int) width;
  header->height = (int) height;
  /* Colour types 0 (gray) and 4 (gray + alpha) have one colour plane; 2, 3 and 6 have three. */
  header->depth = b[25] == 0 || b[25] == 4 ? 1 : 3;
  return TRUE;
}

static gboolean
read_jpeg (FILE *f, const char *path, CxrImageHeader *header, GError **error)
{
  if (fseek (f, 2, SEEK_SET) != 0)
    return bad (path, "the JPEG file ends after its first marker", error);
  for (;;)
    {
      int c = fgetc (f);
      if (c == EOF)
        break;
      if (c != 0xff)
        continue;   /* not a marker: entropy-coded data or padding */
      int marker;
      do
        marker = fgetc (f);
      while (marker == 0xff);   /* fill bytes */
      if (marker == EOF)
        break;
      /* Markers without a length: TEM, RST0-7, SOI, EOI; a stuffed zero. */
      if (marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd9))
        continue;
      guint8 len[2];
      if (fread (len, 1, 2, f) != 2)
        break;
      guint length = be16 (len);
      if (length < 2)
        return bad (path, "a JPEG marker segment is shorter than its length field", error);
      gboolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (sof)
        {
          guint8 s[6];   /* precision, height, width, components */
          if (length < 8 || fread (s, 1, sizeof s, f) != sizeof s)
            return bad (path, "the JPEG frame header is truncated", error);
          header->height = (int) be16 (s + 1);
          header->width = (int) be16 (s + 3);
          header->depth = s[5] == 1 ? 1 : 3;
          if (header->width == 0 || header->height == 0)
            return bad (path, "the JPEG frame header gives no size", error);
          return TRUE;
        }
      if (fseek (f, (long) length - 2, SEEK_CUR) != 0)
        break;
    }
  return bad (path, "the JPEG file has no frame header", error);
}

gboolean
cxr_image_header_read (const char *path, CxrImageHeader *header, GError **error)
{
  memset (header, 0, sizeof *header);
  FILE *f = g_fopen (path, "rb");
  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  guint8 magic[8];
  gboolean ok;
  size_t n = fread (magic, 1, sizeof magic, f);
  if (n == 8 && memcmp (magic, "\x89PNG\r\n\x1a\n", 8) == 0)
    ok = fseek (f, 0, SEEK_SET) == 0 && read_png (f, path, header, error);
  else if (n >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff)
    ok = read_jpeg (f, path, header, error);
  else
    ok = bad (path, "not a PNG or JPEG file", error);
  fclose (f);
  return ok;
}
