/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decoding: every committed fixture to its expected gray exactly, and bad
 * files to errors (never a crash or a made-up image). */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "cxr-error.h"
#include "cxr-image.h"
#include "cxr-npy.h"
#include "cxr-resize.h"
#include "cxr-test-util.h"

typedef struct {
  const char *file;
  CxrImageFileType type;
  CxrImageColor color;
  int bit_depth;
  int channels;
  gboolean interlaced;
  gboolean luma;
} Fixture;

#define PNG CXR_IMAGE_FILE_PNG
#define JPG CXR_IMAGE_FILE_JPEG
#define GRAY CXR_IMAGE_COLOR_GRAY
#define GA CXR_IMAGE_COLOR_GRAY_ALPHA
#define RGB CXR_IMAGE_COLOR_RGB
#define RGBA CXR_IMAGE_COLOR_RGBA
#define PAL CXR_IMAGE_COLOR_PALETTE

/* What gen_images.py wrote: file, type, colour, bit depth, channels, interlaced, luma. */
static const Fixture fixtures[] = {
  { "gray1.png", PNG, GRAY, 1, 1, FALSE, FALSE },
  { "gray2.png", PNG, GRAY, 2, 1, FALSE, FALSE },
  { "gray4.png", PNG, GRAY, 4, 1, FALSE, FALSE },
  { "gray8.png", PNG, GRAY, 8, 1, FALSE, FALSE },
  { "gray8-adam7.png", PNG, GRAY, 8, 1, TRUE, FALSE },
  { "gray8-trns.png", PNG, GRAY, 8, 1, FALSE, FALSE },
  { "gray16.png", PNG, GRAY, 16, 1, FALSE, FALSE },
  { "gray16-adam7.png", PNG, GRAY, 16, 1, TRUE, FALSE },
  { "graya8.png", PNG, GA, 8, 2, FALSE, FALSE },
  { "graya16.png", PNG, GA, 16, 2, FALSE, FALSE },
  { "rgb8-equal.png", PNG, RGB, 8, 3, FALSE, FALSE },
  { "rgb8-color.png", PNG, RGB, 8, 3, FALSE, TRUE },
  { "rgb8-color-adam7.png", PNG, RGB, 8, 3, TRUE, TRUE },
  { "rgb8-almost-equal.png", PNG, RGB, 8, 3, FALSE, TRUE },
  { "rgb16-equal.png", PNG, RGB, 16, 3, FALSE, FALSE },
  { "rgb16-color.png", PNG, RGB, 16, 3, FALSE, TRUE },
  { "rgba8-equal.png", PNG, RGBA, 8, 4, FALSE, FALSE },
  { "rgba8-color.png", PNG, RGBA, 8, 4, FALSE, TRUE },
  { "rgba16-equal.png", PNG, RGBA, 16, 4, FALSE, FALSE },
  { "rgba16-color.png", PNG, RGBA, 16, 4, FALSE, TRUE },
  { "palette8-gray.png", PNG, PAL, 8, 1, FALSE, FALSE },
  { "palette4-color.png", PNG, PAL, 4, 1, FALSE, TRUE },
  { "palette2-trns.png", PNG, PAL, 2, 1, FALSE, TRUE },
  { "jpeg-gray.jpg", JPG, GRAY, 8, 1, FALSE, FALSE },
  { "jpeg-gray-64x48.jpg", JPG, GRAY, 8, 1, FALSE, FALSE },
  { "jpeg-rgb-color.jpg", JPG, RGB, 8, 3, FALSE, TRUE },
  { "jpeg-rgb-of-gray.jpg", JPG, RGB, 8, 3, FALSE, FALSE },
  { "jpeg-progressive.jpg", JPG, RGB, 8, 3, TRUE, TRUE },
};

static char *
fixture_path (const char *file)
{
  g_autofree char *name = g_build_filename ("images", file, NULL);
  return cxr_test_fixture_path (name);
}

static CxrTensor *
load_expected (const char *file)
{
  g_autofree char *stem = g_strndup (file, strrchr (file, '.') - file);
  g_autofree char *npy = g_strdup_printf ("%s.npy", stem);
  g_autofree char *path = fixture_path (npy);
  g_autoptr (GError) error = NULL;
  CxrTensor *t = cxr_npy_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->ndim, ==, 2);
  return t;
}

static void
assert_image_is (const CxrImage *image, const CxrTensor *want, const char *what)
{
  g_assert_cmpint (image->height, ==, want->shape[0]);
  g_assert_cmpint (image->width, ==, want->shape[1]);
  gsize n = (gsize) image->width * image->height;
  gsize at = 0;
  double err = cxr_test_max_abs_diff (image->pixels, want->data, n, &at);
  if (err != 0.0)
    g_error ("%s: pixel %" G_GSIZE_FORMAT " is %.9g, expected %.9g (decoding must be exact)",
             what, at, image->pixels[at], want->data[at]);
}

static void
test_fixture (gconstpointer data)
{
  const Fixture *f = data;
  g_autofree char *path = fixture_path (f->file);
  g_autoptr (CxrTensor) want = load_expected (f->file);

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  assert_image_is (image, want, f->file);
  g_assert_cmpint (image->file_type, ==, f->type);
  g_assert_cmpstr (cxr_image_color_name (image->color), ==, cxr_image_color_name (f->color));
  g_assert_cmpint (image->bit_depth, ==, f->bit_depth);
  g_assert_cmpint (image->channels, ==, f->channels);
  g_assert_cmpint (image->interlaced, ==, f->interlaced);
  g_assert_cmpint (image->luma, ==, f->luma);

  /* The same bytes from memory, under a name that is not a path. */
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_autoptr (CxrImage) again = cxr_image_load_from_bytes ((const guint8 *) contents, length, "memory", &error);
  g_assert_no_error (error);
  assert_image_is (again, want, f->file);
}

/* The type comes from the content: a PNG called .jpg and a JPEG with no extension both load. */
static void
test_type_from_content (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const char *sources[] = { "gray8.png", "jpeg-gray.jpg" };
  const char *targets[] = { "misnamed.jpg", "noextension" };
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *src = fixture_path (sources[i]);
      g_autofree char *dst = g_build_filename (dir, targets[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;
      g_assert_true (g_file_get_contents (src, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (dst, contents, length, NULL));
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrImage) image = cxr_image_load (dst, &error);
      g_assert_no_error (error);
      g_autoptr (CxrTensor) want = load_expected (sources[i]);
      assert_image_is (image, want, targets[i]);
    }
}

/* 8-bit files come back byte for byte as 8-bit gray; 16-bit ones round. */
static void
test_gray8 (void)
{
  g_autofree char *path = fixture_path ("gray8.png");
  g_autoptr (CxrImage) image = cxr_image_load (path, NULL);
  g_assert_nonnull (image);
  g_autofree guint8 *gray = cxr_image_to_gray8 (image);
  gsize n = (gsize) image->width * image->height;
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat ((float) gray[i] / 255.0f, ==, image->pixels[i]);
  g_assert_cmpint (gray[0], ==, 0);        /* gen_images.py puts both extremes in the corners */
  g_assert_cmpint (gray[n - 1], ==, 255);

  g_autofree char *path16 = fixture_path ("gray16.png");
  g_autoptr (CxrImage) image16 = cxr_image_load (path16, NULL);
  g_assert_nonnull (image16);
  g_autofree guint8 *gray16 = cxr_image_to_gray8 (image16);
  n = (gsize) image16->width * image16->height;
  for (gsize i = 0; i < n; i++)
    {
      double exact = image16->pixels[i] * 255.0;
      g_assert_cmpfloat (fabs (gray16[i] - exact), <=, 0.5 + 1e-4);
    }
}

/* ---- Bad input ---- */

static void
assert_fails (const guint8 *data, gsize length, const char *name, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load_from_bytes (data, length, name, &error);
  g_assert_null (image);
  g_assert_nonnull (error);
  if (code >= 0)
    g_assert_error (error, CXR_ERROR, code);
  else
    g_assert_true (error->domain == CXR_ERROR);
  g_assert_true (g_str_has_prefix (error->message, name));
}

static void
test_not_an_image (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "notes.png", NULL);
  g_assert_true (g_file_set_contents (path, "Cardiomegaly, reviewed by A.B.\n", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load (path, &error);
  g_assert_null (image);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "not a PNG, JPEG or DICOM image"));
  g_test_message ("%s", error->message);

  assert_fails ((const guint8 *) "", 0, "empty", CXR_ERROR_FORMAT);
  assert_fails ((const guint8 *) "\x89PNG", 4, "short-signature", CXR_ERROR_FORMAT);
  assert_fails ((const guint8 *) "\xff\xd8\xff", 3, "only-soi", CXR_ERROR_FORMAT);
}

/* Well-formed but not handled: a CMYK JPEG. */
static void
test_unsupported_cmyk (void)
{
  g_autofree char *path = fixture_path ("jpeg-cmyk.jpg");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load (path, &error);
  g_assert_null (image);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s", error->message);
}

static void
test_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load ("/nonexistent/cxrcam/image.png", &error);
  g_assert_null (image);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/cxrcam/image.png"));
}

static guint8 *
read_fixture (const char *file, gsize *length)
{
  g_autofree char *path = fixture_path (file);
  char *contents = NULL;
  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return (guint8 *) contents;
}

/* Every cut of every kind of file fails with CXR_ERROR_FORMAT: libpng reads
 * to IEND, and a JPEG that ends early is not padded with gray. */
static void
test_truncated (void)
{
  static const char *files[] = { "gray8.png", "rgba16-color.png", "gray8-adam7.png", "palette4-color.png",
                                 "jpeg-gray.jpg", "jpeg-rgb-color.jpg", "jpeg-progressive.jpg" };
  for (gsize f = 0; f < G_N_ELEMENTS (files); f++)
    {
      gsize length = 0;
      g_autofree guint8 *data = read_fixture (files[f], &length);
      /* Every byte near both ends, then 40 cuts spread over the middle. */
      for (gsize cut = 0; cut < length; cut++)
        {
          gboolean near_end = cut < 64 || cut + 16 >= length;
          if (!near_end && cut % MAX (1, length / 40) != 0)
            continue;
          g_autofree char *name = g_strdup_printf ("%s cut at %" G_GSIZE_FORMAT, files[f], cut);
          assert_fails (data, cut, name, CXR_ERROR_FORMAT);
        }
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrImage) last = cxr_image_load_from_bytes (data, length - 1, files[f], &error);
      g_test_message ("%s one byte short: %s", files[f], last == NULL ? error->message : "(loaded)");
    }
}

/* PNG chunks carry CRCs: any flipped byte after the signature is an error.
 * The signature's own bytes make it "not a PNG or JPEG". */
static void
test_png_flipped_bytes (void)
{
  gsize length = 0;
  g_autofree guint8 *data = read_fixture ("gray8.png", &length);
  for (gsize at = 0; at < length; at++)
    {
      data[at] ^= 0xff;
      g_autofree char *name = g_strdup_printf ("gray8.png flipped at %" G_GSIZE_FORMAT, at);
      assert_fails (data, length, name, CXR_ERROR_FORMAT);
      data[at] ^= 0xff;
    }
}

/* JPEG has no checksums: a flipped byte in the entropy-coded data may
 * decode to other pixels. What is asserted is that no flip crashes or hangs,
 * that failures are GErrors in CXR_ERROR, and that flips in the headers fail. */
static void
test_jpeg_flipped_bytes (void)
{
  static const char *files[] = { "jpeg-gray.jpg", "jpeg-progressive.jpg" };
  for (gsize f = 0; f < G_N_ELEMENTS (files); f++)
    {
      gsize length = 0;
      g_autofree guint8 *data = read_fixture (files[f], &length);
      int failed = 0;
      for (gsize at = 0; at < length; at++)
        {
          data[at] ^= 0xff;
          g_autoptr (GError) error = NULL;
          g_autoptr (CxrImage) image = cxr_image_load_from_bytes (data, length, files[f], &error);
          g_assert_true ((image == NULL) != (error == NULL));
          if (error != NULL)
            {
              g_assert_true (error->domain == CXR_ERROR);
              g_assert_true (g_str_has_prefix (error->message, files[f]));
              failed++;
            }
          if (at < 2)
            g_assert_nonnull (error);  /* the SOI marker */
          data[at] ^= 0xff;
        }
      g_test_message ("%s: %d of %" G_GSIZE_FORMAT " single-byte flips rejected", files[f], failed, length);
      g_assert_cmpint (failed, >, 0);
    }
}

/* Random garbage after a valid signature never crashes. */
static void
test_garbage_after_signature (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  guint8 buffer[512];
  for (int trial = 0; trial < 200; trial++)
    {
      gsize length = 3 + g_rand_int_range (rand, 0, sizeof buffer - 8);
      for (gsize i = 0; i < length; i++)
        buffer[i] = g_rand_int_range (rand, 0, 256);
      if (trial % 2 == 0)
        {
          memcpy (buffer, "\x89PNG\r\n\x1a\n", 8);
          length = MAX (length, 8);
        }
      else
        memcpy (buffer, "\xff\xd8\xff", 3);
      assert_fails (buffer, length, "garbage", -1);
    }
}

static guint32
be32 (guint32 v)
{
  return GUINT32_TO_BE (v);
}

/* A PNG with just a signature and an IHDR of the given size (valid CRC). */
static GByteArray *
png_header_only (guint32 width, guint32 height)
{
  GByteArray *png = g_byte_array_new ();
  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  guint8 chunk[4 + 4 + 13 + 4];
  guint32 v = be32 (13);
  memcpy (chunk, &v, 4);
  memcpy (chunk + 4, "IHDR", 4);
  v = be32 (width);
  memcpy (chunk + 8, &v, 4);
  v = be32 (height);
  memcpy (chunk + 12, &v, 4);
  memcpy (chunk + 16, "\x08\x00\x00\x00\x00", 5);  /* 8-bit gray, no interlace */
  v = be32 (crc32 (0, chunk + 4, 4 + 13));
  memcpy (chunk + 21, &v, 4);
  g_byte_array_append (png, chunk, sizeof chunk);
  return png;
}

/* The offset of the SOF0/SOF2 marker, walking the header segments (a
 * byte search could hit FF C0 inside a quantisation table). */
static gsize
find_jpeg_sof (const guint8 *jpeg, gsize length)
{
  gsize at = 2;
  while (at + 4 <= length && jpeg[at] == 0xff)
    {
      if (jpeg[at + 1] == 0xc0 || jpeg[at + 1] == 0xc2)
        return at;
      at += 2 + ((gsize) jpeg[at + 2] << 8 | jpeg[at + 3]);
    }
  g_error ("no SOF marker found");
}

static void
test_absurd_dimensions (void)
{
  /* 20000 x 20000 was allowed, and a 389 KB PNG of that size took 2 GB: the image limit is 8192 x 8192 now. */
  static const guint32 sizes[][2] = { { 30001, 10 }, { 10, 40000 }, { 20000, 20000 }, { 16385, 8 }, { 8193, 8193 },
                                      { 0x7fffffff, 0x7fffffff } };
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GByteArray) png = png_header_only (sizes[i][0], sizes[i][1]);
      g_autofree char *name = g_strdup_printf ("huge-%ux%u.png", sizes[i][0], sizes[i][1]);
      assert_fails (png->data, png->len, name, CXR_ERROR_LIMIT);
    }
  /* Within the limits the same header is merely truncated. */
  g_autoptr (GByteArray) png = png_header_only (8192, 8192);
  assert_fails (png->data, png->len, "big-but-allowed.png", CXR_ERROR_FORMAT);
  g_autoptr (GByteArray) tall = png_header_only (16384, 16);
  assert_fails (tall->data, tall->len, "tall-but-allowed.png", CXR_ERROR_FORMAT);

  /* A JPEG whose SOF claims 40000 x 40000. */
  gsize length = 0;
  g_autofree guint8 *jpeg = read_fixture ("jpeg-gray.jpg", &length);
  gsize sof = find_jpeg_sof (jpeg, length);
  /* FF C0, length (2), precision (1), height (2), width (2) */
  jpeg[sof + 5] = 40000 >> 8;
  jpeg[sof + 6] = 40000 & 0xff;
  jpeg[sof + 7] = 40000 >> 8;
  jpeg[sof + 8] = 40000 & 0xff;
  assert_fails (jpeg, length, "huge.jpg", CXR_ERROR_LIMIT);
}

/* ---- Thumbnails ---- */

static void
test_thumbnail_png (void)
{
  g_autofree char *path = fixture_path ("gray8.png");  /* 37 x 23 */
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) thumb = cxr_image_load_thumbnail (path, 16, &error);
  g_assert_no_error (error);
  g_assert_cmpint (thumb->width, ==, 16);
  g_assert_cmpint (thumb->height, ==, 10);  /* 23 * 16 / 37 = 9.95 */

  g_autoptr (CxrImage) full = cxr_image_load (path, NULL);
  g_autofree float *want = g_new (float, 16 * 10);
  cxr_resize_area (want, 10, 16, full->pixels, full->height, full->width);
  g_assert_cmpmem (thumb->pixels, 16 * 10 * sizeof (float), want, 16 * 10 * sizeof (float));

  /* Small images are not enlarged. */
  g_autoptr (CxrImage) same = cxr_image_load_thumbnail (path, 256, &error);
  g_assert_no_error (error);
  g_assert_cmpint (same->width, ==, 37);
  g_assert_cmpint (same->height, ==, 23);
}

/* A 64 x 48 JPEG asked for 8 px is decoded at 1/8 scale: 8 x 6 straight
 * from the DCT, close to the full decode's block means. */
static void
test_thumbnail_jpeg (void)
{
  g_autofree char *path = fixture_path ("jpeg-gray-64x48.jpg");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) thumb = cxr_image_load_thumbnail (path, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (thumb->width, ==, 8);
  g_assert_cmpint (thumb->height, ==, 6);

  g_autoptr (CxrImage) full = cxr_image_load (path, NULL);
  float want[8 * 6];
  cxr_resize_area (want, 6, 8, full->pixels, full->height, full->width);
  gsize at;
  double err = cxr_test_max_abs_diff (thumb->pixels, want, 8 * 6, &at);
  g_test_message ("1/8-scale JPEG decode vs 8x8 block means: worst %.4f", err);
  g_assert_cmpfloat (err, <, 4.0 / 255.0);
}

/* ---- Speed ---- */

/* Decode time of a real 1024 x 1024 NIH PNG, for the log (no bound asserted). */
static void
test_report_decode_speed (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  static const char *names[] = { "00000004_000.png", "00001369_000.png" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (nih, "images", names[i], NULL);
      double best = G_MAXDOUBLE;
      for (int rep = 0; rep < 5; rep++)
        {
          gint64 start = g_get_monotonic_time ();
          g_autoptr (GError) error = NULL;
          g_autoptr (CxrImage) image = cxr_image_load (path, &error);
          g_assert_no_error (error);
          g_assert_nonnull (image);
          best = MIN (best, (g_get_monotonic_time () - start) / 1000.0);
        }
      g_test_message ("decode %s: %.1f ms (best of 5)", names[i], best);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *name = g_strdup_printf ("/image/fixture/%s", fixtures[i].file);
      g_test_add_data_func (name, &fixtures[i], test_fixture);
    }
  g_test_add_func ("/image/type-from-content", test_type_from_content);
  g_test_add_func ("/image/gray8", test_gray8);
  g_test_add_func ("/image/error/not-an-image", test_not_an_image);
  g_test_add_func ("/image/error/missing-file", test_missing_file);
  g_test_add_func ("/image/error/unsupported-cmyk", test_unsupported_cmyk);
  g_test_add_func ("/image/error/truncated", test_truncated);
  g_test_add_func ("/image/error/png-flipped-bytes", test_png_flipped_bytes);
  g_test_add_func ("/image/error/jpeg-flipped-bytes", test_jpeg_flipped_bytes);
  g_test_add_func ("/image/error/garbage", test_garbage_after_signature);
  g_test_add_func ("/image/error/absurd-dimensions", test_absurd_dimensions);
  g_test_add_func ("/image/thumbnail/png", test_thumbnail_png);
  g_test_add_func ("/image/thumbnail/jpeg", test_thumbnail_jpeg);
  g_test_add_func ("/image/speed", test_report_decode_speed);
  return g_test_run ();
}
