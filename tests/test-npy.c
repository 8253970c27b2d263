/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-npy.h"
#include "cxr-test-util.h"

static void
test_round_trip_through_numpy (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *ours = g_build_filename (dir, "ours.npy", NULL);
  g_autofree char *theirs = g_build_filename (dir, "theirs.npy", NULL);

  float data[2 * 3 * 4];
  for (int i = 0; i < 24; i++)
    data[i] = (float) i * 0.25f - 3.0f;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_npy_save (ours, data, 3, (gint64[]) { 2, 3, 4 }, &error));
  g_assert_no_error (error);

  /* numpy reads our file, checks it, and writes it back as float64 for us to read. */
  if (!cxr_test_run_reference ("npy_roundtrip.py", (const char *[]) { ours, theirs, NULL }))
    return;
  g_autoptr (CxrTensor) back = cxr_npy_load (theirs, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->dtype, ==, CXR_DTYPE_F64);
  g_assert_true (cxr_tensor_shape_equal (back, 3, (gint64[]) { 2, 3, 4 }));
  for (int i = 0; i < 24; i++)
    g_assert_cmpfloat (back->data[i], ==, data[i] * 2.0f);
}

static void
test_rejects_garbage (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.npy", NULL);
  g_assert_true (g_file_set_contents (path, "PK\x03\x04 not numpy", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrTensor) t = cxr_npy_load (path, &error);
  g_assert_null (t);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
}

static void
test_rejects_truncated_data (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "short.npy", NULL);
  float data[8] = { 0 };
  g_assert_true (cxr_npy_save (path, data, 1, (gint64[]) { 8 }, NULL));
  g_autofree char *contents = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (path, contents, len - 4, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrTensor) t = cxr_npy_load (path, &error);
  g_assert_null (t);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
}

/* A version 1.0 .npy file with @header (padded) and @data_bytes of zeros after it. */
static char *
write_npy (const char *dir, const char *name, const char *header, gsize data_bytes)
{
  g_autoptr (GString) h = g_string_new (header);
  while ((10 + h->len + 1) % 64 != 0)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY\x01\x00", 8);
  guint8 len[2] = { h->len & 0xff, h->len >> 8 };
  g_byte_array_append (b, len, 2);
  g_byte_array_append (b, (const guint8 *) h->str, h->len);
  g_autofree guint8 *zeros = g_malloc0 (data_bytes + 1);
  g_byte_array_append (b, zeros, data_bytes);
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, NULL));
  return path;
}

/* Shapes whose byte count wraps or overflows: once a heap overflow ((2^62,): 2^62 * 4 wrapped to 0 bytes), signed
 * overflow in the element count ((2, INT64_MAX)) and an abort for want of 4 TB ((10^6, 10^6)). Each is now an
 * error before anything is allocated. */
static void
test_rejects_impossible_shapes (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const struct { const char *shape; CxrErrorCode code; const char *mention; } cases[] = {
    { "(4611686018427387904,)", CXR_ERROR_FORMAT, "truncated" },
    { "(2, 9223372036854775807)", CXR_ERROR_LIMIT, "element limit" },
    { "(9223372036854775807, 9223372036854775807, 4)", CXR_ERROR_LIMIT, "element limit" },
    { "(1000000, 1000000)", CXR_ERROR_FORMAT, "truncated" },
    { "(3, 0, 99999999999)", 0, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *header = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, 'shape': %s, }",
                                                 cases[i].shape);
      g_autofree char *path = write_npy (dir, "shape.npy", header, 16);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrTensor) t = cxr_npy_load (path, &error);
      if (cases[i].mention == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpint (cxr_tensor_numel (t), ==, 0);
          continue;
        }
      g_assert_null (t);
      g_assert_error (error, CXR_ERROR, (gint) cases[i].code);
      g_test_message ("%s: %s", cases[i].shape, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].mention));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/npy/numpy-round-trip", test_round_trip_through_numpy);
  g_test_add_func ("/npy/garbage", test_rejects_garbage);
  g_test_add_func ("/npy/truncated", test_rejects_truncated_data);
  g_test_add_func ("/npy/impossible-shapes", test_rejects_impossible_shapes);
  return g_test_run ();
}
