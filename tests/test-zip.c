/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The zip container: stored, deflated (written by Python's zipfile) and zip64 (hand-made by the generator,
 * verified there with zipfile and torch.load) archives; damage detection; and the writer, checked by
 * Python's zipfile. */
#define _GNU_SOURCE  /* memmem */
#include <glib/gstdio.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-test-util.h"
#include "cxr-zip.h"

static char *
checkpoint_fixture (const char *name)
{
  g_autofree char *relative = g_build_filename ("checkpoints", name, NULL);
  return cxr_test_fixture_path (relative);
}

static CxrZipReader *
open_fixture (const char *name)
{
  g_autofree char *path = checkpoint_fixture (name);
  g_autoptr (GError) error = NULL;
  CxrZipReader *zip = cxr_zip_reader_open (path, &error);
  g_assert_no_error (error);
  return zip;
}

static GBytes *
read_entry (CxrZipReader *zip, const char *name)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = cxr_zip_reader_read (zip, name, &error);
  g_assert_no_error (error);
  return bytes;
}

static void
test_stored (void)
{
  g_autoptr (CxrZipReader) zip = open_fixture ("plain.pth");
  g_assert_cmpuint (cxr_zip_reader_get_n_entries (zip), >, 60);
  g_assert_cmpstr (cxr_zip_reader_get_entry_name (zip, 0), ==, "plain/data.pkl");
  g_autoptr (GBytes) version = read_entry (zip, "plain/version");
  g_assert_cmpmem (g_bytes_get_data (version, NULL), g_bytes_get_size (version), "3\n", 2);
  g_assert_cmpint (cxr_zip_reader_get_entry_size (zip, "plain/version"), ==, 2);
  g_assert_cmpint (cxr_zip_reader_get_entry_size (zip, "plain/nothing"), ==, -1);

  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) missing = cxr_zip_reader_read (zip, "plain/nothing", &error);
  g_assert_null (missing);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "'plain/nothing'"));
}

/* Same entries, same bytes, whatever the container's encoding. */
static void
assert_same_entries (CxrZipReader *a, CxrZipReader *b)
{
  g_assert_cmpuint (cxr_zip_reader_get_n_entries (a), ==, cxr_zip_reader_get_n_entries (b));
  for (guint i = 0; i < cxr_zip_reader_get_n_entries (a); i++)
    {
      const char *name = cxr_zip_reader_get_entry_name (a, i);
      g_assert_cmpstr (name, ==, cxr_zip_reader_get_entry_name (b, i));
      g_autoptr (GBytes) x = read_entry (a, name);
      g_autoptr (GBytes) y = read_entry (b, name);
      g_assert_true (g_bytes_equal (x, y));
    }
}

static void
test_deflated (void)
{
  g_autoptr (CxrZipReader) stored = open_fixture ("plain.pth");
  g_autoptr (CxrZipReader) deflated = open_fixture ("deflated.pth");
  assert_same_entries (stored, deflated);
}

static void
test_zip64 (void)
{
  g_autoptr (CxrZipReader) plain = open_fixture ("views.pth");
  g_autoptr (CxrZipReader) zip64 = open_fixture ("zip64.pth");
  assert_same_entries (plain, zip64);
}

static char *
copy_fixture (const char *dir, const char *name, char **contents, gsize *length)
{
  g_autofree char *src = checkpoint_fixture (name);
  g_assert_true (g_file_get_contents (src, contents, length, NULL));
  return g_build_filename (dir, name, NULL);
}

static void
test_crc_mismatch (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *contents = NULL;
  gsize length;
  g_autofree char *path = copy_fixture (dir, "plain.pth", &contents, &length);

  /* Find the data of plain/data/0 in the file and flip one bit of it. */
  g_autoptr (CxrZipReader) original = open_fixture ("plain.pth");
  g_autoptr (GBytes) entry = read_entry (original, "plain/data/0");
  const guint8 *needle = g_bytes_get_data (entry, NULL);
  const guint8 *at = memmem (contents, length, needle, g_bytes_get_size (entry));
  g_assert_nonnull (at);
  contents[(at - (const guint8 *) contents) + 5] ^= 0x10;
  g_assert_true (g_file_set_contents (path, contents, (gssize) length, NULL));

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) damaged = cxr_zip_reader_read (zip, "plain/data/0", &error);
  g_assert_null (damaged);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "CRC"));
  g_assert_nonnull (strstr (error->message, "'plain/data/0'"));
  g_clear_error (&error);
  /* The other entries are fine. */
  g_autoptr (GBytes) fine = cxr_zip_reader_read (zip, "plain/data/1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (fine);
}

static void
test_not_a_zip (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "image.png", NULL);
  g_assert_true (g_file_set_contents (path, "\x89PNG\r\n\x1a\n not a zip at all, honestly", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (path, &error);
  g_assert_null (zip);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "image.png"));
}

static void
test_truncated (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *contents = NULL;
  gsize length;
  g_autofree char *path = copy_fixture (dir, "deflated.pth", &contents, &length);
  for (gsize cut = 0; cut < length; cut += 997)
    {
      g_assert_true (g_file_set_contents (path, contents, (gssize) cut, NULL));
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (path, &error);
      g_assert_null (zip);
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      if (cut >= 4)
        g_assert_nonnull (strstr (error->message, "truncated"));
    }
}

/* Bit flips anywhere in small archives (central directory and end records included): every read either
 * succeeds or reports an error; nothing crashes or reads out of bounds. */
static void
test_fuzz (void)
{
  const char *fixtures[] = { "views.pth", "zip64.pth", "deflated.pth" };
  g_autoptr (GRand) rand = g_rand_new_with_seed (77);
  guint errors = 0;
  for (gsize f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autofree char *path = checkpoint_fixture (fixtures[f]);
      g_autofree char *contents = NULL;
      gsize length;
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      for (int round = 0; round < 300; round++)
        {
          g_autoptr (GBytes) damaged = NULL;
          guint8 *copy = g_memdup2 (contents, length);
          /* Favour the tail, where the directory and end records live. */
          gsize lo = round % 2 ? 0 : length > 600 ? length - 600 : 0;
          for (int k = 0; k < 3; k++)
            copy[g_rand_int_range (rand, (gint32) lo, (gint32) length)] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
          damaged = g_bytes_new_take (copy, length);

          g_autoptr (GError) error = NULL;
          g_autoptr (CxrZipReader) zip = cxr_zip_reader_new_from_bytes (damaged, "fuzz.zip", &error);
          if (zip == NULL)
            {
              errors++;
              continue;
            }
          for (guint i = 0; i < cxr_zip_reader_get_n_entries (zip); i++)
            {
              g_autoptr (GError) read_error = NULL;
              g_autoptr (GBytes) entry = cxr_zip_reader_read (zip, cxr_zip_reader_get_entry_name (zip, i), &read_error);
              errors += entry == NULL;
            }
        }
    }
  g_assert_cmpuint (errors, >, 0);
}

/* Entries of assorted sizes written by cxrcam, checked by Python's zipfile (CRCs, names, contents, 64-byte
 * alignment of every entry's data) and read back by cxrcam. */
static void
test_writer_through_python (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "written.zip", NULL);
  const gsize sizes[] = { 0, 1, 63, 64, 65, 1000, 100000 };
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, &error);
    g_autoptr (CxrZipWriter) zip = cxr_zip_writer_new (file);
    for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_autofree char *name = g_strdup_printf ("archive/data/%" G_GSIZE_FORMAT, i);
        g_autofree guint8 *data = g_malloc (sizes[i] + 1);
        for (gsize j = 0; j < sizes[i]; j++)
          data[j] = (guint8) ((j * 7 + i) % 251);
        /* Write in two pieces to exercise streaming. */
        gsize half = sizes[i] / 2;
        g_assert_true (cxr_zip_writer_begin_entry (zip, name, &error));
        g_assert_true (cxr_zip_writer_write (zip, data, half, &error));
        g_assert_true (cxr_zip_writer_write (zip, data + half, sizes[i] - half, &error));
        g_assert_true (cxr_zip_writer_end_entry (zip, &error));
      }
    g_assert_true (cxr_zip_writer_add (zip, "archive/Ünïcode näme", "ü", strlen ("ü"), &error));
    g_assert_true (cxr_zip_writer_finish (zip, &error));
    g_assert_true (cxr_atomic_file_commit (file, &error));
    g_assert_no_error (error);
  }

  g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_zip_reader_get_n_entries (zip), ==, G_N_ELEMENTS (sizes) + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GBytes) entry = read_entry (zip, cxr_zip_reader_get_entry_name (zip, (guint) i));
      g_assert_cmpuint (g_bytes_get_size (entry), ==, sizes[i]);
      const guint8 *data = g_bytes_get_data (entry, NULL);
      for (gsize j = 0; j < sizes[i]; j++)
        g_assert_cmpuint (data[j], ==, (j * 7 + i) % 251);
    }
  g_autofree char *sizes_arg = g_strdup ("0,1,63,64,65,1000,100000");
  cxr_test_run_reference ("ckpt_zip_check.py", (const char *[]) { path, sizes_arg, NULL });
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/zip/read/stored", test_stored);
  g_test_add_func ("/zip/read/deflated", test_deflated);
  g_test_add_func ("/zip/read/zip64", test_zip64);
  g_test_add_func ("/zip/read/crc-mismatch", test_crc_mismatch);
  g_test_add_func ("/zip/read/not-a-zip", test_not_a_zip);
  g_test_add_func ("/zip/read/truncated", test_truncated);
  g_test_add_func ("/zip/read/fuzz", test_fuzz);
  g_test_add_func ("/zip/write/python", test_writer_through_python);
  return g_test_run ();
}
