#include <glib/gstdio.h>

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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/npy/numpy-round-trip", test_round_trip_through_numpy);
  g_test_add_func ("/npy/garbage", test_rejects_garbage);
  g_test_add_func ("/npy/truncated", test_rejects_truncated_data);
  return g_test_run ();
}
