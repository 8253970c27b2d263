/* SPDX-License-Identifier: GPL-3.0-or-later */
/* safetensors: C -> C and C -> Python -> C round trips (Python reads and writes the format by hand with
 * json and numpy), and every kind of malformed header refused with a message naming the tensor. */
#include <glib/gstdio.h>
#include <string.h>

#include "cxr-checkpoint.h"
#include "cxr-error.h"
#include "cxr-safetensors.h"
#include "cxr-test-util.h"

/* Values exactly representable in every float dtype, so all round trips are exact. */
static float
pattern (gint64 i, gint64 salt)
{
  return (float) (((i * 37 + salt * 11) % 101) - 50) / 8.0f;
}

static CxrTensor *
make_tensor (CxrDtype dtype, int ndim, const gint64 *shape, gint64 salt)
{
  CxrTensor *t = cxr_tensor_new (ndim, shape);
  t->dtype = dtype;
  for (gint64 i = 0; i < cxr_tensor_numel (t); i++)
    {
      float v = pattern (i, salt);
      if (dtype == CXR_DTYPE_U8)
        v = (float) ((i * 7 + salt) % 256);
      else if (dtype == CXR_DTYPE_BOOL)
        v = (float) ((i + salt) % 2);
      else if (dtype == CXR_DTYPE_I64 || dtype == CXR_DTYPE_I32)
        v = (float) ((i * 1001 + salt) % 20001 - 10000);
      t->data[i] = v;
    }
  return t;
}

/* The dict the Python script also builds from the same formula. */
static CxrStateDict *
make_dict (void)
{
  CxrStateDict *dict = cxr_state_dict_new ();
  cxr_state_dict_insert (dict, "conv1.weight", make_tensor (CXR_DTYPE_F32, 4, (gint64[]) { 4, 1, 3, 3 }, 1));
  cxr_state_dict_insert (dict, "bn1.running_mean", make_tensor (CXR_DTYPE_F16, 1, (gint64[]) { 4 }, 2));
  cxr_state_dict_insert (dict, "bn1.running_var", make_tensor (CXR_DTYPE_BF16, 1, (gint64[]) { 5 }, 3));
  cxr_state_dict_insert (dict, "fc.weight", make_tensor (CXR_DTYPE_F64, 2, (gint64[]) { 2, 3 }, 4));
  cxr_state_dict_insert (dict, "bn1.num_batches_tracked", make_tensor (CXR_DTYPE_I64, 0, NULL, 5));
  cxr_state_dict_insert (dict, "ids", make_tensor (CXR_DTYPE_I32, 1, (gint64[]) { 3 }, 6));
  cxr_state_dict_insert (dict, "mask", make_tensor (CXR_DTYPE_BOOL, 1, (gint64[]) { 5 }, 7));
  cxr_state_dict_insert (dict, "lut", make_tensor (CXR_DTYPE_U8, 2, (gint64[]) { 2, 2 }, 8));
  cxr_state_dict_insert (dict, "empty", make_tensor (CXR_DTYPE_F32, 2, (gint64[]) { 0, 3 }, 9));
  return dict;
}

static void
assert_same_tensors (const CxrStateDict *want, const CxrStateDict *got, gboolean same_order)
{
  g_assert_cmpuint (cxr_state_dict_size (got), ==, cxr_state_dict_size (want));
  for (guint i = 0; i < cxr_state_dict_size (want); i++)
    {
      const char *key = cxr_state_dict_key_at (want, i);
      if (same_order)
        g_assert_cmpstr (cxr_state_dict_key_at (got, i), ==, key);
      const CxrTensor *x = cxr_state_dict_lookup (want, key), *y = cxr_state_dict_lookup (got, key);
      g_assert_nonnull (y);
      g_assert_true (cxr_tensor_shape_equal (y, x->ndim, x->shape));
      g_assert_cmpstr (cxr_dtype_name (y->dtype), ==, cxr_dtype_name (x->dtype));
      cxr_assert_close_abs (y->data, x->data, cxr_tensor_numel (x), 0.0);
    }
}

static void
test_round_trip (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr (CxrStateDict) dict = make_dict ();
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_checkpoint_save (path, dict, &error));  /* picks safetensors from the name */
  g_assert_no_error (error);

  g_autoptr (CxrStateDict) back = cxr_safetensors_load (path, &error);
  g_assert_no_error (error);
  assert_same_tensors (dict, back, TRUE);

  /* Detection is by content: the same bytes under a .pth name load as safetensors. */
  g_autofree char *renamed = g_build_filename (dir, "model.pth", NULL);
  g_assert_cmpint (g_rename (path, renamed), ==, 0);
  g_assert_cmpint (cxr_checkpoint_detect_format (renamed, NULL), ==, CXR_CHECKPOINT_FORMAT_SAFETENSORS);
  g_autoptr (CxrStateDict) detected = cxr_checkpoint_load (renamed, &error);
  g_assert_no_error (error);
  assert_same_tensors (dict, detected, TRUE);
}

static void
test_through_python (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *ours = g_build_filename (dir, "ours.safetensors", NULL);
  g_autofree char *theirs = g_build_filename (dir, "theirs.safetensors", NULL);
  g_autoptr (CxrStateDict) dict = make_dict ();
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_safetensors_save (ours, dict, &error));
  g_assert_no_error (error);

  if (!cxr_test_run_reference ("ckpt_safetensors.py", (const char *[]) { ours, theirs, NULL }))
    return;
  g_autoptr (CxrStateDict) back = cxr_safetensors_load (theirs, &error);
  g_assert_no_error (error);
  assert_same_tensors (dict, back, FALSE);
  /* Python wrote the data sorted by name; tensors come back in data order. */
  for (guint i = 1; i < cxr_state_dict_size (back); i++)
    g_assert_cmpint (strcmp (cxr_state_dict_key_at (back, i - 1), cxr_state_dict_key_at (back, i)), <, 0);
}

/* A file from a header and a data size (zeros). */
static char *
write_raw (const char *dir, const char *name, guint64 header_length, const char *header, gsize data_bytes)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  for (int i = 0; i < 8; i++)
    {
      guint8 byte = (header_length >> (8 * i)) & 0xff;
      g_byte_array_append (b, &byte, 1);
    }
  g_byte_array_append (b, (const guint8 *) header, strlen (header));
  g_autofree guint8 *zeros = g_malloc0 (data_bytes + 1);
  g_byte_array_append (b, zeros, data_bytes);
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, NULL));
  return path;
}

static void
assert_refused (const char *path, CxrErrorCode code, const char *must_mention)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_safetensors_load (path, &error);
  g_assert_null (dict);
  g_assert_error (error, CXR_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  if (must_mention && strstr (error->message, must_mention) == NULL)
    g_error ("error lacks '%s': %s", must_mention, error->message);
}

static void
test_malformed (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const struct {
    const char *name;
    const char *header;
    gsize data;
    CxrErrorCode code;
    const char *mention;
  } cases[] = {
    { "ok.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, 0, NULL },
    { "json.st", "{\"a\":{\"dtype\":\"F32\",", 8, CXR_ERROR_FORMAT, "JSON" },
    { "array.st", "[1,2,3]", 0, CXR_ERROR_FORMAT, "object" },
    { "past-end.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, CXR_ERROR_FORMAT, "'a'" },
    { "size.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 12, CXR_ERROR_FORMAT, "'a'" },
    { "overlap.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, CXR_ERROR_FORMAT, "overlap" },
    { "reversed.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8, CXR_ERROR_FORMAT, "'a'" },
    { "float-offset.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0.0,8]}}", 8, CXR_ERROR_FORMAT, "'a'" },
    { "negative.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, CXR_ERROR_FORMAT, "'a'" },
    { "dtype.st", "{\"q.scale\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, CXR_ERROR_UNSUPPORTED, "'q.scale'" },
    { "nodtype.st", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, CXR_ERROR_FORMAT, "dtype" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_raw (dir, cases[i].name, strlen (cases[i].header), cases[i].header, cases[i].data);
      if (cases[i].mention == NULL)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (CxrStateDict) dict = cxr_safetensors_load (path, &error);
          g_assert_no_error (error);
          g_assert_nonnull (dict);
          continue;
        }
      assert_refused (path, cases[i].code, cases[i].mention);
      if (cases[i].code == CXR_ERROR_UNSUPPORTED)
        assert_refused (path, cases[i].code, "I8");
    }

  /* Header lengths that cannot be right. */
  const char *header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  g_autofree char *huge = write_raw (dir, "huge.st", G_GUINT64_CONSTANT (1) << 40, header, 8);
  assert_refused (huge, CXR_ERROR_FORMAT, "huge.st");
  g_autofree char *longer = write_raw (dir, "longer.st", strlen (header) + 100, header, 8);
  assert_refused (longer, CXR_ERROR_FORMAT, "truncated");
  /* A header of 80,000 nested arrays overflowed json-glib's recursion. */
  g_autoptr (GString) deep = g_string_new ("{\"a\":");
  for (int i = 0; i < 80000; i++)
    g_string_append_c (deep, '[');
  g_autofree char *nested = write_raw (dir, "nested.st", deep->len, deep->str, 0);
  assert_refused (nested, CXR_ERROR_LIMIT, "nesting limit");
  g_autofree char *tiny = g_build_filename (dir, "tiny.st", NULL);
  g_assert_true (g_file_set_contents (tiny, "\x02\x00", 2, NULL));
  assert_refused (tiny, CXR_ERROR_FORMAT, "tiny.st");
}

/* Cutting a real file anywhere is an error, never a crash. */
static void
test_truncated (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr (CxrStateDict) dict = make_dict ();
  g_assert_true (cxr_safetensors_save (path, dict, NULL));
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_autofree char *cut = g_build_filename (dir, "cut.safetensors", NULL);
  for (gsize n = 0; n < length; n += 13)
    {
      g_assert_true (g_file_set_contents (cut, contents, (gssize) n, NULL));
      assert_refused (cut, CXR_ERROR_FORMAT, "cut.safetensors");
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/safetensors/round-trip", test_round_trip);
  g_test_add_func ("/safetensors/python", test_through_python);
  g_test_add_func ("/safetensors/malformed", test_malformed);
  g_test_add_func ("/safetensors/truncated", test_truncated);
  return g_test_run ();
}
