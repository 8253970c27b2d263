/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-thumbnail: thumbnails are 256 px on the long side, made on the worker pool, cached under a name that
 * changes with the file, cancellable, and every request gets its callback. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxr-error.h"
#include "cxr-image.h"
#include "cxr-thumbnail.h"
#include "cxr-test-util.h"

static char *
write_image (const char *dir, const char *name, int width, int height, guint32 rgba, const char *type)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  gdk_pixbuf_fill (pixbuf, rgba);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (gdk_pixbuf_save (pixbuf, path, type, &error, NULL));
  return path;
}

typedef struct {
  GMainLoop *loop;
  guint pending;
  GPtrArray *pixbufs;     /* in completion order; NULL for a failed request */
  GPtrArray *errors;      /* GError or NULL, parallel to pixbufs */
  guint from_cache;
  GThread *callback_thread;
} Collector;

static void
collect (GObject *source, GAsyncResult *result, gpointer data)
{
  Collector *c = data;
  GError *error = NULL;
  gboolean cached = FALSE;
  GdkPixbuf *pixbuf = cxr_thumbnailer_load_finish (CXR_THUMBNAILER (source), result, &cached, &error);
  g_ptr_array_add (c->pixbufs, pixbuf);
  g_ptr_array_add (c->errors, error);
  c->from_cache += pixbuf != NULL && cached;
  c->callback_thread = g_thread_self ();
  if (--c->pending == 0)
    g_main_loop_quit (c->loop);
}

static void
free_error (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
free_object (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
collector_init (Collector *c)
{
  memset (c, 0, sizeof *c);
  c->loop = g_main_loop_new (NULL, FALSE);
  c->pixbufs = g_ptr_array_new_with_free_func (free_object);
  c->errors = g_ptr_array_new_with_free_func (free_error);
}

static void
collector_clear (Collector *c)
{
  g_main_loop_unref (c->loop);
  g_ptr_array_unref (c->pixbufs);
  g_ptr_array_unref (c->errors);
}

static void
load_and_wait (CxrThumbnailer *thumbnailer, const char *path, GCancellable *cancellable, Collector *c)
{
  c->pending++;
  cxr_thumbnailer_load_async (thumbnailer, path, cancellable, collect, c);
  g_main_loop_run (c->loop);
}

static void
test_make_and_cache (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *wide = write_image (dir, "wide.png", 1024, 768, 0x404040ff, "png");
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (cache, 0);
  g_assert_cmpuint (cxr_thumbnailer_get_size (thumbnailer), ==, 256);

  Collector c;
  collector_init (&c);
  load_and_wait (thumbnailer, wide, NULL, &c);
  g_assert_no_error (c.errors->pdata[0]);
  GdkPixbuf *first = c.pixbufs->pdata[0];
  g_assert_cmpint (gdk_pixbuf_get_width (first), ==, 256);
  g_assert_cmpint (gdk_pixbuf_get_height (first), ==, 192);
  g_assert_cmpuint (c.from_cache, ==, 0);
  g_assert_true (c.callback_thread == g_thread_self ());   /* callbacks come back to the caller's context */

  g_autoptr (GError) error = NULL;
  g_autofree char *cached = cxr_thumbnailer_dup_cache_path (thumbnailer, wide, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cached, cache));
  g_assert_true (g_str_has_suffix (cached, ".png"));
  g_assert_true (g_file_test (cached, G_FILE_TEST_IS_REGULAR));

  /* The second request is served from the cache: swap the cache file for a marker image to see it. */
  g_autoptr (GdkPixbuf) marker = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 7, 5);
  gdk_pixbuf_fill (marker, 0xff0000ff);
  g_assert_true (gdk_pixbuf_save (marker, cached, "png", NULL, NULL));
  load_and_wait (thumbnailer, wide, NULL, &c);
  GdkPixbuf *second = c.pixbufs->pdata[1];
  g_assert_cmpint (gdk_pixbuf_get_width (second), ==, 7);
  g_assert_cmpuint (c.from_cache, ==, 1);

  /* A changed file (new size and mtime) gets a new cache name and a new thumbnail. */
  g_usleep (10000);
  g_autofree char *again = write_image (dir, "wide.png", 512, 1024, 0x808080ff, "png");
  g_autofree char *cached_again = cxr_thumbnailer_dup_cache_path (thumbnailer, wide, &error);
  g_assert_cmpstr (cached_again, !=, cached);
  load_and_wait (thumbnailer, wide, NULL, &c);
  GdkPixbuf *third = c.pixbufs->pdata[2];
  g_assert_cmpint (gdk_pixbuf_get_width (third), ==, 128);
  g_assert_cmpint (gdk_pixbuf_get_height (third), ==, 256);

  /* A broken cache file is remade. */
  g_assert_true (g_file_set_contents (cached_again, "not a png", -1, NULL));
  load_and_wait (thumbnailer, wide, NULL, &c);
  g_assert_cmpint (gdk_pixbuf_get_width ((GdkPixbuf *) c.pixbufs->pdata[3]), ==, 128);
  g_assert_cmpuint (c.from_cache, ==, 1);
  collector_clear (&c);
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* Held, the thumbnailer starts nothing: after half a second (a 64-pixel PNG takes milliseconds) no request has
 * come back; a second hold needs a second release; then all of them come, in order of request. */
static void
test_hold (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *small = write_image (dir, "small.png", 64, 48, 0x404040ff, "png");
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (cache, 32);
  Collector c;
  collector_init (&c);

  cxr_thumbnailer_hold (thumbnailer);
  cxr_thumbnailer_hold (thumbnailer);
  for (guint i = 0; i < 5; i++)
    {
      c.pending++;
      cxr_thumbnailer_load_async (thumbnailer, small, NULL, collect, &c);
    }
  g_timeout_add (500, quit_loop, c.loop);
  g_main_loop_run (c.loop);
  g_assert_cmpuint (c.pixbufs->len, ==, 0);
  cxr_thumbnailer_release (thumbnailer);
  g_timeout_add (500, quit_loop, c.loop);
  g_main_loop_run (c.loop);
  g_assert_cmpuint (c.pixbufs->len, ==, 0);

  cxr_thumbnailer_release (thumbnailer);
  g_main_loop_run (c.loop);   /* until the last one */
  g_assert_cmpuint (c.pixbufs->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_no_error (c.errors->pdata[i]);
      g_assert_cmpint (gdk_pixbuf_get_width (c.pixbufs->pdata[i]), ==, 32);
    }
  collector_clear (&c);
}

static void
test_errors_and_cancellation (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (cache, 64);
  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  g_autofree char *fake = g_build_filename (dir, "fake.png", NULL);
  g_assert_true (g_file_set_contents (fake, "this is text", -1, NULL));

  Collector c;
  collector_init (&c);
  load_and_wait (thumbnailer, missing, NULL, &c);
  g_assert_error ((GError *) c.errors->pdata[0], CXR_ERROR, CXR_ERROR_IO);
  load_and_wait (thumbnailer, fake, NULL, &c);
  g_assert_error ((GError *) c.errors->pdata[1], CXR_ERROR, CXR_ERROR_FORMAT);

  g_autofree char *image = write_image (dir, "x.jpg", 300, 200, 0x202020ff, "jpeg");
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  g_cancellable_cancel (cancelled);
  load_and_wait (thumbnailer, image, cancelled, &c);
  g_assert_error ((GError *) c.errors->pdata[2], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  collector_clear (&c);

  /* Many requests, half of them cancelled at once: every one gets its callback, with a thumbnail or
   * G_IO_ERROR_CANCELLED, and dropping our reference early loses none. */
  collector_init (&c);
  g_autoptr (CxrThumbnailer) busy = cxr_thumbnailer_new (cache, 64);
  g_autoptr (GPtrArray) cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("img%02d.png", i);
      g_ptr_array_add (paths, write_image (dir, name, 1024, 1024, 0x10101000u * (guint) (i % 15) | 0xff, "png"));
    }
  for (guint i = 0; i < paths->len; i++)
    {
      GCancellable *cancellable = g_cancellable_new ();
      g_ptr_array_add (cancellables, cancellable);
      c.pending++;
      cxr_thumbnailer_load_async (busy, paths->pdata[i], cancellable, collect, &c);
    }
  for (guint i = 0; i < cancellables->len; i += 2)
    g_cancellable_cancel (cancellables->pdata[i]);
  g_clear_object (&busy);
  g_main_loop_run (c.loop);
  g_assert_cmpuint (c.pixbufs->len, ==, 40);
  guint made = 0, cancelled_count = 0;
  for (guint i = 0; i < c.errors->len; i++)
    {
      GError *e = c.errors->pdata[i];
      if (e == NULL)
        made++;
      else
        {
          g_assert_error (e, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          cancelled_count++;
        }
    }
  g_test_message ("%u made, %u cancelled", made, cancelled_count);
  g_assert_cmpuint (made, >=, 20);
  g_assert_cmpuint (cancelled_count, >=, 1);
  collector_clear (&c);
}

/* What a dataset folder may hold besides images: a FIFO (open() used to wait for a writer forever, hanging a
 * worker), a link to /dev/zero, a folder, and an image over the pixel limit (a 389 KB PNG of 20000 x 20000 pixels
 * took 2 GB to shrink; a strip of 16385 pixels is enough to cross the limit). Each is an error naming the file. */
static void
test_not_images (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (cache, 64);
  g_autofree char *fifo = g_build_filename (dir, "fifo.png", NULL);
  g_autofree char *zero = g_build_filename (dir, "zero.png", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder.png", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_autofree char *strip = write_image (dir, "strip.png", 16385, 1, 0x000000ff, "png");

  const struct { const char *path; int code; const char *says; } cases[] = {
    { fifo, CXR_ERROR_IO, "(it is a FIFO)" },
    { zero, CXR_ERROR_IO, "(it is a character device)" },
    { folder, CXR_ERROR_IO, "(it is a folder)" },
    { strip, CXR_ERROR_LIMIT, "the image limit" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GdkPixbuf) pixbuf = cxr_thumbnailer_load (thumbnailer, cases[i].path, NULL, NULL, &error);
      g_assert_null (pixbuf);
      g_assert_error (error, CXR_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].path));
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

static void
test_default_cache_dir (void)
{
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (NULL, 0);
  g_autofree char *expected = g_build_filename (g_get_user_cache_dir (), "cxrcam", "thumbnails", NULL);
  g_assert_cmpstr (cxr_thumbnailer_get_cache_dir (thumbnailer), ==, expected);
}

static void
test_real_xray (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (nih, "images", "00001369_000.png", NULL);   /* one of the RGBA files */
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (dir, 0);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean cached = TRUE;
  g_autoptr (GdkPixbuf) pixbuf = cxr_thumbnailer_load (thumbnailer, path, NULL, &cached, &error);
  gint64 made = g_get_monotonic_time ();
  g_autoptr (GdkPixbuf) again = cxr_thumbnailer_load (thumbnailer, path, NULL, &cached, &error);
  gint64 reread = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_true (cached);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 256);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 256);
  g_test_message ("1024x1024 PNG: thumbnail made in %.1f ms, read from the cache in %.1f ms",
                  (made - start) / 1000.0, (reread - made) / 1000.0);
}

/* DICOM (gdk-pixbuf knows none): the thumbnail is the network's gray of the file, shrunk, in every channel. */
static void
test_dicom (void)
{
  const char *samples = cxr_test_dicom_samples_dir ();
  if (samples == NULL)
    return;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (samples, "MR_small.dcm", NULL);   /* 64 x 64, 16-bit */
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (dir, 32);
  g_autoptr (GError) error = NULL;
  gboolean cached = TRUE;
  g_autoptr (GdkPixbuf) pixbuf = cxr_thumbnailer_load (thumbnailer, path, NULL, &cached, &error);
  g_assert_no_error (error);
  g_assert_false (cached);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 32);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 32);
  g_autoptr (CxrImage) expected = cxr_image_load_thumbnail (path, 32, &error);
  g_assert_no_error (error);
  g_autofree guint8 *gray = cxr_image_to_gray8 (expected);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf), channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint distinct = 0;
  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 32; x++)
      {
        const guint8 *p = pixels + y * stride + channels * x;
        g_assert_cmpuint (p[0], ==, gray[y * 32 + x]);
        g_assert_cmpuint (p[1], ==, p[0]);
        g_assert_cmpuint (p[2], ==, p[0]);
        distinct += x > 0 && p[0] != p[-channels];
      }
  g_assert_cmpuint (distinct, >, 100);   /* an image, not a flat square */
}

/* A chest radiograph as the window's DICOM test files store it (dicom_from_png.py --viewer: 12-bit MONOCHROME1,
 * stored 4080 - 16 v, first window LUNG 1700 / 2600): its thumbnail shows the radiograph the way the PNG's does,
 * not a black square (docs/cxrcam-dicom-ctr.png once showed one). Checked against the PNG's own thumbnail: the
 * same shape, brighter where the PNG is brighter, and pixel for pixel the PNG's gray through that window. */
static void
test_dicom_radiograph (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *png = g_build_filename (nih, "images", "00000001_000.png", NULL);
  const char *args[] = { "--viewer", png, dir, "viewer.dcm", NULL };
  g_assert_true (cxr_test_run_reference ("dicom_from_png.py", args));
  g_autofree char *path = g_build_filename (dir, "viewer.dcm", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autoptr (CxrThumbnailer) thumbnailer = cxr_thumbnailer_new (cache, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = cxr_thumbnailer_load (thumbnailer, path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GdkPixbuf) from_png = cxr_thumbnailer_load (thumbnailer, png, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, gdk_pixbuf_get_width (from_png));
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, gdk_pixbuf_get_height (from_png));

  const guint8 *a = gdk_pixbuf_read_pixels (pixbuf), *b = gdk_pixbuf_read_pixels (from_png);
  int stride_a = gdk_pixbuf_get_rowstride (pixbuf), stride_b = gdk_pixbuf_get_rowstride (from_png);
  int ch_a = gdk_pixbuf_get_n_channels (pixbuf), ch_b = gdk_pixbuf_get_n_channels (from_png);
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  double sum = 0, sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double va = a[y * stride_a + ch_a * x], vb = b[y * stride_b + ch_b * x];
        sum += va;
        sa += va;
        sb += vb;
        sab += va * vb;
        saa += va * va;
        sbb += vb * vb;
      }
  double n = (double) w * h, mean = sum / n;
  double correlation = (sab - sa * sb / n) / sqrt ((saa - sa * sa / n) * (sbb - sb * sb / n));
  g_test_message ("DICOM thumbnail: mean %.1f, correlation with the PNG's %.3f", mean, correlation);
  g_assert_cmpfloat (mean, >, 40);
  g_assert_cmpfloat (mean, <, 215);
  g_assert_cmpfloat (correlation, >, 0.9);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/thumbnail/make-and-cache", test_make_and_cache);
  g_test_add_func ("/thumbnail/errors-and-cancellation", test_errors_and_cancellation);
  g_test_add_func ("/thumbnail/hold", test_hold);
  g_test_add_func ("/thumbnail/not-images", test_not_images);
  g_test_add_func ("/thumbnail/default-cache-dir", test_default_cache_dir);
  g_test_add_func ("/thumbnail/real-x-ray", test_real_xray);
  g_test_add_func ("/thumbnail/dicom", test_dicom);
  g_test_add_func ("/thumbnail/dicom-radiograph", test_dicom_radiograph);
  return g_test_run ();
}
