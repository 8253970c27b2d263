/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PyTorch checkpoints: every fixture of gen_checkpoints.py against the values PyTorch wrote beside it,
 * the refusals (forbidden globals, legacy files, unsupported dtypes, damaged files), a fuzz pass over
 * damaged pickles, and save_pth checked by live PyTorch (torch.load + torchvision resnet18, byte for byte
 * against torch.save). */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cxr-checkpoint.h"
#include "cxr-error.h"
#include "cxr-npy.h"
#include "cxr-pickle.h"
#include "cxr-test-util.h"
#include "cxr-zip.h"

static char *
checkpoint_fixture (const char *name)
{
  g_autofree char *relative = g_build_filename ("checkpoints", name, NULL);
  return cxr_test_fixture_path (relative);
}

static JsonObject *
load_manifest (JsonParser *parser)
{
  g_autofree char *path = checkpoint_fixture ("expected.json");
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* Keys, order, shapes, dtypes and every value, exactly. */
static void
assert_matches_case (const CxrStateDict *dict, JsonObject *manifest, const char *case_name)
{
  JsonObject *c = json_object_get_object_member (json_object_get_object_member (manifest, "cases"), case_name);
  JsonObject *layout = json_object_get_object_member (json_object_get_object_member (manifest, "layouts"),
                                                      json_object_get_string_member (c, "layout"));
  JsonArray *keys = json_object_get_array_member (layout, "keys");
  JsonArray *shapes = json_object_get_array_member (layout, "shapes");
  JsonArray *dtypes = json_object_get_array_member (layout, "dtypes");
  g_autofree char *values_path = checkpoint_fixture (json_object_get_string_member (c, "values"));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrTensor) values = cxr_npy_load (values_path, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (cxr_state_dict_size (dict), ==, json_array_get_length (keys));
  gint64 at = 0;
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      const char *key = json_array_get_string_element (keys, i);
      g_assert_cmpstr (cxr_state_dict_key_at (dict, i), ==, key);
      const CxrTensor *tensor = cxr_state_dict_lookup (dict, key);
      JsonArray *shape = json_array_get_array_element (shapes, i);
      g_assert_cmpint (tensor->ndim, ==, json_array_get_length (shape));
      for (int d = 0; d < tensor->ndim; d++)
        g_assert_cmpint (tensor->shape[d], ==, json_array_get_int_element (shape, d));
      g_assert_cmpstr (cxr_dtype_name (tensor->dtype), ==, json_array_get_string_element (dtypes, i));
      gint64 n = cxr_tensor_numel (tensor);
      g_assert_cmpint (at + n, <=, cxr_tensor_numel (values));
      if (memcmp (tensor->data, values->data + at, n * sizeof (float)) != 0)
        {
          cxr_assert_close_abs (tensor->data, values->data + at, n, 0.0);
          g_error ("%s: '%s' differs in bits (a signed zero?)", case_name, key);
        }
      at += n;
    }
  g_assert_cmpint (at, ==, cxr_tensor_numel (values));
}

static void
test_fixture_case (gconstpointer data)
{
  const char *case_name = data;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *manifest = load_manifest (parser);
  JsonObject *c = json_object_get_object_member (json_object_get_object_member (manifest, "cases"), case_name);
  g_autofree char *path = checkpoint_fixture (json_object_get_string_member (c, "file"));

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (path, &error);
  g_assert_no_error (error);
  assert_matches_case (dict, manifest, case_name);
}

/* torch names the archive's top folder after the file; a renamed file keeps the old folder name. */
static void
test_renamed_file (void)
{
  g_autofree char *src = checkpoint_fixture ("plain.pth");
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *dst = g_build_filename (dir, "some other name.pt", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (src, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (dst, contents, length, NULL));

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (dst, &error);
  g_assert_no_error (error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  assert_matches_case (dict, load_manifest (parser), "plain");
}

static void
assert_load_fails (const char *path, CxrErrorCode code, const char *const *must_mention)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (path, &error);
  g_assert_null (dict);
  g_assert_error (error, CXR_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  for (gsize i = 0; must_mention && must_mention[i]; i++)
    if (strstr (error->message, must_mention[i]) == NULL)
      g_error ("error message lacks '%s': %s", must_mention[i], error->message);
}

#define PWNED_MARKER "/tmp/cxrcam-pickle-was-executed"

static void
test_forbidden_globals (void)
{
  g_unlink (PWNED_MARKER);
  g_autofree char *posix = checkpoint_fixture ("forbidden_posix_system.pth");
  g_autofree char *builtins = checkpoint_fixture ("forbidden_builtins_eval.pth");
  assert_load_fails (posix, CXR_ERROR_REFUSED,
                     (const char *[]) { "refusing pickle global 'posix.system'", "forbidden_posix_system.pth",
                                        "archive/data.pkl", NULL });
  assert_load_fails (builtins, CXR_ERROR_REFUSED,
                     (const char *[]) { "'builtins.eval'", "evil/data.pkl", NULL });
  g_assert_false (g_file_test (PWNED_MARKER, G_FILE_TEST_EXISTS));
}

static void
test_legacy_format (void)
{
  g_autofree char *path = checkpoint_fixture ("legacy.pth");
  assert_load_fails (path, CXR_ERROR_UNSUPPORTED,
                     (const char *[]) { "legacy.pth", "legacy", "torch.save", "zip", NULL });
}

static void
test_unsupported_dtypes (void)
{
  g_autofree char *int8 = checkpoint_fixture ("int8.pth");
  g_autofree char *complex = checkpoint_fixture ("complex64.pth");
  assert_load_fails (int8, CXR_ERROR_UNSUPPORTED, (const char *[]) { "'quantized.scale'", "int8", NULL });
  assert_load_fails (complex, CXR_ERROR_UNSUPPORTED, (const char *[]) { "'fc.weight'", "complex64", NULL });
}

static void
test_not_a_checkpoint (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *text = g_build_filename (dir, "notes.pth", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.pth", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pth", NULL);
  g_autofree char *other_zip = g_build_filename (dir, "other.zip", NULL);
  g_assert_true (g_file_set_contents (text, "these are not the weights you are looking for\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));

  assert_load_fails (text, CXR_ERROR_FORMAT, (const char *[]) { "notes.pth", "not a checkpoint", NULL });
  assert_load_fails (empty, CXR_ERROR_FORMAT, (const char *[]) { "empty.pth", "not a checkpoint", NULL });
  assert_load_fails (missing, CXR_ERROR_IO, (const char *[]) { "missing.pth", NULL });

  /* A zip without <prefix>/data.pkl */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (other_zip, &error);
    g_autoptr (CxrZipWriter) zip = cxr_zip_writer_new (file);
    g_assert_true (cxr_zip_writer_add (zip, "readme.txt", "hello", 5, &error));
    g_assert_true (cxr_zip_writer_finish (zip, &error));
    g_assert_true (cxr_atomic_file_commit (file, &error));
    g_assert_no_error (error);
  }
  assert_load_fails (other_zip, CXR_ERROR_FORMAT, (const char *[]) { "other.zip", "data.pkl", NULL });
}

static void
test_truncated (void)
{
  g_autofree char *src = checkpoint_fixture ("plain.pth");
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (src, &contents, &length, NULL));
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cut.pth", NULL);

  gsize cuts[] = { 4, 30, 100, 1000, length / 3, length / 2, length - 200, length - 23, length - 1 };
  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_assert_true (g_file_set_contents (path, contents, (gssize) cuts[i], NULL));
      assert_load_fails (path, CXR_ERROR_FORMAT, (const char *[]) { "cut.pth", "truncated", NULL });
    }
}

/* A zip holding a pickle we write here, with one tensor whose view or storage is inconsistent. */
static char *
write_one_tensor_checkpoint (const char *dir, const char *name, gint64 storage_numel, const gint64 *size,
                             const gint64 *stride, int ndim, gint64 offset, gsize data_bytes)
{
  g_autoptr (CxrPickleWriter) w = cxr_pickle_writer_new ();
  cxr_pickle_writer_global (w, "collections", "OrderedDict");
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_EMPTY_TUPLE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_REDUCE);
  cxr_pickle_writer_put (w, NULL);
  cxr_pickle_writer_string (w, "layer1.0.conv1.weight", NULL);
  cxr_pickle_writer_global (w, "torch._utils", "_rebuild_tensor_v2");
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_MARK);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_MARK);
  cxr_pickle_writer_string (w, "storage", NULL);
  cxr_pickle_writer_global (w, "torch", "FloatStorage");
  cxr_pickle_writer_string (w, "0", NULL);
  cxr_pickle_writer_string (w, "cpu", NULL);
  cxr_pickle_writer_int (w, storage_numel);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_TUPLE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_BINPERSID);
  cxr_pickle_writer_int (w, offset);
  cxr_pickle_writer_int_tuple (w, size, ndim);
  cxr_pickle_writer_int_tuple (w, stride, ndim);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_NEWFALSE);
  cxr_pickle_writer_global (w, "collections", "OrderedDict");
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_EMPTY_TUPLE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_REDUCE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_TUPLE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_REDUCE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_SETITEM);
  g_autoptr (GBytes) pickle = cxr_pickle_writer_finish (w);

  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, &error);
  g_autoptr (CxrZipWriter) zip = cxr_zip_writer_new (file);
  g_autofree guint8 *zeros = g_malloc0 (data_bytes + 1);
  gsize pickle_length;
  const void *pickle_data = g_bytes_get_data (pickle, &pickle_length);
  g_assert_true (cxr_zip_writer_add (zip, "archive/data.pkl", pickle_data, pickle_length, &error));
  g_assert_true (cxr_zip_writer_add (zip, "archive/data/0", zeros, data_bytes, &error));
  g_assert_true (cxr_zip_writer_finish (zip, &error));
  g_assert_true (cxr_atomic_file_commit (file, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_inconsistent_storage (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  gint64 size[2] = { 4, 4 }, stride[2] = { 4, 1 };

  /* Sanity: the same construction with a consistent storage loads. */
  g_autofree char *good = write_one_tensor_checkpoint (dir, "good.pth", 16, size, stride, 2, 0, 64);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_state_dict_size (dict), ==, 1);

  /* The view needs 16 elements, the storage declares 10. */
  g_autofree char *short_view = write_one_tensor_checkpoint (dir, "short-view.pth", 10, size, stride, 2, 0, 40);
  assert_load_fails (short_view, CXR_ERROR_FORMAT, (const char *[]) { "'layer1.0.conv1.weight'", "storage", NULL });
  /* An offset pushes the view past the end. */
  g_autofree char *offset = write_one_tensor_checkpoint (dir, "offset.pth", 16, size, stride, 2, 1, 64);
  assert_load_fails (offset, CXR_ERROR_FORMAT, (const char *[]) { "'layer1.0.conv1.weight'", NULL });
  /* The storage declares 16 elements but the archive holds 20 bytes. */
  g_autofree char *short_data = write_one_tensor_checkpoint (dir, "short-data.pth", 16, size, stride, 2, 0, 20);
  assert_load_fails (short_data, CXR_ERROR_FORMAT, (const char *[]) { "'layer1.0.conv1.weight'", "20 bytes", NULL });
}

/* Damaged pickles must give an error, never a crash, a hang or a leak (run under valgrind or ASan to see
 * the last two). Every prefix of a real data.pkl, and random bit flips through the whole loader. */
static void
test_fuzz_pickles (void)
{
  g_autofree char *src = checkpoint_fixture ("views.pth");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (src, &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) pickle = cxr_zip_reader_read (zip, "views/data.pkl", &error);
  g_assert_no_error (error);
  gsize length;
  const guint8 *data = g_bytes_get_data (pickle, &length);

  for (gsize cut = 0; cut < length; cut++)
    {
      g_autoptr (GError) cut_error = NULL;
      g_autoptr (CxrPickle) parsed = cxr_pickle_load (data, cut, "cut.pkl", &cut_error);
      g_assert_null (parsed);
      g_assert_nonnull (cut_error);
    }

  /* Whole files with flipped bits: rebuild the archive around each damaged pickle. */
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "flipped.pth", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (1234);
  g_autofree guint8 *damaged = g_memdup2 (data, length);
  guint loaded = 0, failed = 0;
  for (int round = 0; round < 400; round++)
    {
      memcpy (damaged, data, length);
      int flips = g_rand_int_range (rand, 1, 4);
      for (int f = 0; f < flips; f++)
        damaged[g_rand_int_range (rand, 0, (gint32) length)] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));

      {
        g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, &error);
        g_autoptr (CxrZipWriter) writer = cxr_zip_writer_new (file);
        g_assert_true (cxr_zip_writer_add (writer, "views/data.pkl", damaged, length, &error));
        for (guint i = 0; i < cxr_zip_reader_get_n_entries (zip); i++)
          {
            const char *name = cxr_zip_reader_get_entry_name (zip, i);
            if (g_str_equal (name, "views/data.pkl"))
              continue;
            g_autoptr (GBytes) entry = cxr_zip_reader_read (zip, name, &error);
            gsize entry_length;
            const void *entry_data = g_bytes_get_data (entry, &entry_length);
            g_assert_true (cxr_zip_writer_add (writer, name, entry_data, entry_length, &error));
          }
        g_assert_true (cxr_zip_writer_finish (writer, &error));
        g_assert_true (cxr_atomic_file_commit (file, &error));
        g_assert_no_error (error);
      }

      g_autoptr (GError) load_error = NULL;
      g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (path, &load_error);
      if (dict != NULL)
        loaded++;
      else
        {
          g_assert_nonnull (load_error);
          g_assert_true (load_error->domain == CXR_ERROR);
          failed++;
        }
    }
  g_test_message ("bit flips: %u loaded (harmless flips), %u refused", loaded, failed);
  g_assert_cmpuint (failed, >, 0);
}

/* Deeply nested and cyclic structures: bounded, freed without recursion. */
static void
test_hostile_structures (void)
{
  g_autoptr (GByteArray) deep = g_byte_array_new ();
  g_byte_array_append (deep, (const guint8 *) "\x80\x02]", 3);      /* EMPTY_LIST */
  for (int i = 0; i < 200000; i++)
    g_byte_array_append (deep, (const guint8 *) "\x85", 1);        /* TUPLE1 around it */
  g_byte_array_append (deep, (const guint8 *) ".", 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrPickle) nested = cxr_pickle_load (deep->data, deep->len, "deep.pkl", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cxr_pickle_get_root (nested)->kind, ==, CXR_PICKLE_TUPLE);

  /* A list that contains itself: ]q\0h\0a. */
  static const guint8 cyclic[] = "\x80\x02]q\x00h\x00" "a.";
  g_autoptr (CxrPickle) cycle = cxr_pickle_load (cyclic, sizeof cyclic - 1, "cycle.pkl", &error);
  g_assert_no_error (error);
  g_assert_nonnull (cycle);

  /* A stack that never stops growing is bounded. */
  g_autoptr (GByteArray) wide = g_byte_array_new ();
  g_byte_array_append (wide, (const guint8 *) "\x80\x02", 2);
  for (int i = 0; i < (1 << 21); i++)
    g_byte_array_append (wide, (const guint8 *) "N", 1);
  g_autoptr (CxrPickle) flat = cxr_pickle_load (wide->data, wide->len, "wide.pkl", &error);
  g_assert_null (flat);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* A memo index that does not exist, and an opcode that is not one. */
  static const guint8 bad_get[] = "\x80\x02h\x07.";
  g_autoptr (CxrPickle) p1 = cxr_pickle_load (bad_get, sizeof bad_get - 1, "get.pkl", &error);
  g_assert_null (p1);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_clear_error (&error);
  static const guint8 bad_op[] = "\x80\x02\xff.";
  g_autoptr (CxrPickle) p2 = cxr_pickle_load (bad_op, sizeof bad_op - 1, "op.pkl", &error);
  g_assert_null (p2);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "byte 2"));
}

/* views.pth with a byteorder record, as torch >= 2.1 writes one. */
static char *
with_byteorder (const char *dir, const char *byteorder)
{
  g_autofree char *src = checkpoint_fixture ("views.pth");
  g_autofree char *name = g_strdup_printf ("%s.pth", byteorder);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (src, &error);
  g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, &error);
  g_autoptr (CxrZipWriter) writer = cxr_zip_writer_new (file);
  for (guint i = 0; i < cxr_zip_reader_get_n_entries (zip); i++)
    {
      const char *entry_name = cxr_zip_reader_get_entry_name (zip, i);
      g_autoptr (GBytes) entry = cxr_zip_reader_read (zip, entry_name, &error);
      g_assert_true (cxr_zip_writer_add (writer, entry_name, g_bytes_get_data (entry, NULL), g_bytes_get_size (entry),
                                         &error));
    }
  g_assert_true (cxr_zip_writer_add (writer, "views/byteorder", byteorder, strlen (byteorder), &error));
  g_assert_true (cxr_zip_writer_finish (writer, &error));
  g_assert_true (cxr_atomic_file_commit (file, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_byteorder (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *little = with_byteorder (dir, "little");
  g_autofree char *big = with_byteorder (dir, "big");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (little, &error);
  g_assert_no_error (error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  assert_matches_case (dict, load_manifest (parser), "views");
  assert_load_fails (big, CXR_ERROR_UNSUPPORTED, (const char *[]) { "big.pth", "big-endian", NULL });
}

static void
test_strip_module_prefix (void)
{
  g_autoptr (CxrStateDict) dict = cxr_state_dict_new ();
  cxr_state_dict_insert (dict, "module.conv1.weight", cxr_tensor_new_1d (1));
  cxr_state_dict_insert (dict, "fc.bias", cxr_tensor_new_1d (2));
  g_assert_false (cxr_state_dict_strip_module_prefix (dict));
  g_assert_cmpstr (cxr_state_dict_key_at (dict, 0), ==, "module.conv1.weight");

  g_autoptr (CxrTensor) fc = cxr_state_dict_steal (dict, "fc.bias");
  cxr_state_dict_insert (dict, "module.fc.bias", g_steal_pointer (&fc));
  cxr_state_dict_insert (dict, "module.module.x", cxr_tensor_new_1d (3));
  g_assert_true (cxr_state_dict_strip_module_prefix (dict));
  g_assert_cmpstr (cxr_state_dict_key_at (dict, 0), ==, "conv1.weight");
  g_assert_cmpstr (cxr_state_dict_key_at (dict, 1), ==, "fc.bias");
  g_assert_cmpstr (cxr_state_dict_key_at (dict, 2), ==, "module.x");
}

static void
assert_dicts_identical (const CxrStateDict *a, const CxrStateDict *b)
{
  g_assert_cmpuint (cxr_state_dict_size (a), ==, cxr_state_dict_size (b));
  for (guint i = 0; i < cxr_state_dict_size (a); i++)
    {
      const char *key = cxr_state_dict_key_at (a, i);
      g_assert_cmpstr (key, ==, cxr_state_dict_key_at (b, i));
      const CxrTensor *x = cxr_state_dict_lookup (a, key), *y = cxr_state_dict_lookup (b, key);
      g_assert_true (cxr_tensor_shape_equal (y, x->ndim, x->shape));
      g_assert_cmpint (x->dtype, ==, y->dtype);
      g_assert_cmpmem (x->data, cxr_tensor_numel (x) * sizeof (float), y->data, cxr_tensor_numel (y) * sizeof (float));
    }
}

/* save_pth -> load gives back the same dict, dtypes included, for each fixture's dtype. */
static void
test_save_load_round_trip (void)
{
  const char *fixtures[] = { "plain.pth", "fp16.pth", "bf16.pth", "fp64.pth", "views.pth" };
  g_autofree char *dir = cxr_test_make_tmpdir ();
  for (gsize i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *src = checkpoint_fixture (fixtures[i]);
      g_autofree char *dst = g_build_filename (dir, fixtures[i], NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrStateDict) original = cxr_checkpoint_load (src, &error);
      g_assert_no_error (error);
      g_assert_true (cxr_checkpoint_save_pth (dst, original, &error));
      g_assert_no_error (error);
      g_autoptr (CxrStateDict) back = cxr_checkpoint_load (dst, &error);
      g_assert_no_error (error);
      assert_dicts_identical (original, back);
    }
}

static GPtrArray *
list_dir (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return names;
}

/* A failed save leaves the old file as it was and no temporary file behind. */
static void
test_save_is_atomic (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.pth", NULL);
  g_assert_true (g_file_set_contents (path, "the old weights", -1, NULL));

  g_autoptr (CxrStateDict) dict = cxr_state_dict_new ();
  cxr_state_dict_insert (dict, "fine", cxr_tensor_new_1d (3));
  CxrTensor *bad = cxr_tensor_new_1d (3);
  bad->dtype = (CxrDtype) 42;
  cxr_state_dict_insert (dict, "broken", bad);

  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_checkpoint_save_pth (path, dict, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "'broken'"));
  g_clear_error (&error);

  g_autofree char *contents = NULL;
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the old weights");

  /* An atomic file abandoned half-written is removed; the destination keeps its contents. */
  {
    g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, &error);
    g_assert_no_error (error);
    g_assert_true (cxr_atomic_file_write (file, "half of the new", 15, &error));
  }
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the old weights");
  g_autoptr (GPtrArray) names = list_dir (dir);
  g_assert_cmpuint (names->len, ==, 1);

  /* A folder that does not exist */
  g_autofree char *nowhere = g_build_filename (dir, "no", "such", "model.pth", NULL);
  cxr_state_dict_steal (dict, "broken");
  cxr_tensor_free (bad);
  g_assert_false (cxr_checkpoint_save_pth (nowhere, dict, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
}

/* Live PyTorch: a seeded torchvision resnet18 with non-trivial BatchNorm statistics, saved by torch; loaded
 * and saved back by cxrcam; torch.load + resnet18().load_state_dict(strict=True) accept it with every
 * tensor equal (num_batches_tracked int64), and the file equals torch.save's byte for byte. */
static void
test_resnet18_through_pytorch (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  if (!cxr_test_run_reference ("ckpt_resnet18.py", (const char *[]) { "make", dir, NULL }))
    return;

  g_autofree char *input = g_build_filename (dir, "input", "resnet18.pth", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "output", NULL);
  g_autofree char *output = g_build_filename (out_dir, "resnet18.pth", NULL);
  g_assert_cmpint (g_mkdir_with_parents (out_dir, 0755), ==, 0);

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (input, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_state_dict_size (dict), ==, 122);
  const CxrTensor *tracked = cxr_state_dict_lookup (dict, "bn1.num_batches_tracked");
  g_assert_nonnull (tracked);
  g_assert_cmpint (tracked->dtype, ==, CXR_DTYPE_I64);
  g_assert_cmpint (tracked->ndim, ==, 0);
  g_assert_cmpfloat (tracked->data[0], ==, 12345.0f);

  g_assert_true (cxr_checkpoint_save_pth (output, dict, &error));
  g_assert_no_error (error);
  cxr_test_run_reference ("ckpt_resnet18.py", (const char *[]) { "check", dir, NULL });
}

/* Live PyTorch: float32 values saved by cxrcam as float16, bfloat16, float64 and integers equal torch's
 * own conversions of the same values bit for bit (rounding to nearest even, subnormals, overflow). */
static void
test_dtype_conversions_through_pytorch (void)
{
  static const float specials[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 1.0f / 3.0f, 65504.0f, 65519.99f, 65520.0f, 1e6f, -1e6f,
    6.1035156e-05f, 6.0e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 1e-10f, 3.0e-08f,
    1.00048828125f, 1.00146484375f, 1.0009765625f, 3.4e38f, -3.4e38f, 1.17549435e-38f, 1.0e-40f,
  };
  const gint64 n = 4096 + G_N_ELEMENTS (specials);
  g_autoptr (CxrTensor) x = cxr_tensor_new_1d (n);
  for (gsize i = 0; i < G_N_ELEMENTS (specials); i++)
    x->data[i] = specials[i];
  g_autoptr (GRand) rand = g_rand_new_with_seed (99);
  for (gint64 i = G_N_ELEMENTS (specials); i < n; i++)
    {
      /* Random bit patterns over a wide range of exponents (finite only). */
      guint32 bits;
      do
        bits = g_rand_int (rand);
      while (((bits >> 23) & 0xff) == 0xff);
      float v;
      memcpy (&v, &bits, 4);
      x->data[i] = v;
    }

  g_autoptr (CxrStateDict) dict = cxr_state_dict_new ();
  const CxrDtype float_dtypes[] = { CXR_DTYPE_F32, CXR_DTYPE_F16, CXR_DTYPE_BF16, CXR_DTYPE_F64 };
  const char *names[] = { "x", "x_half", "x_bf16", "x_double" };
  for (gsize i = 0; i < G_N_ELEMENTS (float_dtypes); i++)
    {
      CxrTensor *t = cxr_tensor_copy (x);
      t->dtype = float_dtypes[i];
      cxr_state_dict_insert (dict, names[i], t);
    }
  CxrTensor *ints = cxr_tensor_new_2d (2, 3);
  const float int_values[] = { 0, 1, -2, 123456, -7, 16777216 };
  memcpy (ints->data, int_values, sizeof int_values);
  ints->dtype = CXR_DTYPE_I64;
  cxr_state_dict_insert (dict, "ints64", ints);
  CxrTensor *ints32 = cxr_tensor_copy (ints);
  ints32->dtype = CXR_DTYPE_I32;
  cxr_state_dict_insert (dict, "ints32", ints32);
  CxrTensor *bytes = cxr_tensor_new_1d (3);
  bytes->data[0] = 0, bytes->data[1] = 7, bytes->data[2] = 255;
  bytes->dtype = CXR_DTYPE_U8;
  cxr_state_dict_insert (dict, "bytes", bytes);
  CxrTensor *flags = cxr_tensor_new_1d (3);
  flags->data[0] = 0, flags->data[1] = 1, flags->data[2] = 1;
  flags->dtype = CXR_DTYPE_BOOL;
  cxr_state_dict_insert (dict, "flags", flags);
  CxrTensor *scalar = cxr_tensor_new (0, NULL);
  scalar->data[0] = 42.0f;
  scalar->dtype = CXR_DTYPE_I64;
  cxr_state_dict_insert (dict, "scalar", scalar);
  cxr_state_dict_insert (dict, "empty", cxr_tensor_new_2d (0, 5));

  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "dtypes.pth", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_checkpoint_save_pth (path, dict, &error));
  g_assert_no_error (error);
  cxr_test_run_reference ("ckpt_dtypes.py", (const char *[]) { path, NULL });
}

/* Files that claim far more than they hold: each stops at the expansion limit before the memory is taken (a
 * 4 MB file of four deflated 1 GB storages took 8.4 GB and 57 s; torch.zeros(1).expand(2**40) asked for 4 TB and
 * aborted; a 2^28-element view took 1.06 GB before the file was refused). */
static void
test_hostile_claims (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *bomb = g_build_filename (dir, "bomb.pth", NULL);
  g_autofree char *view40 = g_build_filename (dir, "view40.pth", NULL);
  g_autofree char *view28 = g_build_filename (dir, "view28.pth", NULL);
  if (!cxr_test_run_reference ("bad_checkpoints.py", (const char *[]) { "bomb", bomb, "96", "2", NULL })
      || !cxr_test_run_reference ("bad_checkpoints.py", (const char *[]) { "view", view40, "1099511627776", NULL })
      || !cxr_test_run_reference ("bad_checkpoints.py", (const char *[]) { "view", view28, "268435456", NULL }))
    return;
  assert_load_fails (bomb, CXR_ERROR_LIMIT, (const char *[]) { "zip entry 'bomb/data/0'", "96.0 MiB",
                                                               "expansion limit", NULL });
  assert_load_fails (view40, CXR_ERROR_LIMIT, (const char *[]) { "tensor 'w'", "4.0 TiB", "expansion limit", NULL });
  assert_load_fails (view28, CXR_ERROR_LIMIT, (const char *[]) { "tensor 'w'", "1.0 GiB", "expansion limit", NULL });
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  static const char *const cases[] = {
    "plain", "dataparallel", "wrapped_state_dict", "wrapped_model", "fp16", "bf16", "fp64", "views",
    "deflated", "zip64", "proto4", "module",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/checkpoint/load/%s", cases[i]);
      g_test_add_data_func (name, cases[i], test_fixture_case);
    }
  g_test_add_func ("/checkpoint/load/renamed-file", test_renamed_file);
  g_test_add_func ("/checkpoint/refuse/forbidden-globals", test_forbidden_globals);
  g_test_add_func ("/checkpoint/refuse/legacy-format", test_legacy_format);
  g_test_add_func ("/checkpoint/refuse/unsupported-dtypes", test_unsupported_dtypes);
  g_test_add_func ("/checkpoint/refuse/not-a-checkpoint", test_not_a_checkpoint);
  g_test_add_func ("/checkpoint/refuse/truncated", test_truncated);
  g_test_add_func ("/checkpoint/refuse/inconsistent-storage", test_inconsistent_storage);
  g_test_add_func ("/checkpoint/refuse/big-endian", test_byteorder);
  g_test_add_func ("/checkpoint/pickle/fuzz", test_fuzz_pickles);
  g_test_add_func ("/checkpoint/pickle/hostile-structures", test_hostile_structures);
  g_test_add_func ("/checkpoint/strip-module-prefix", test_strip_module_prefix);
  g_test_add_func ("/checkpoint/hostile-claims", test_hostile_claims);
  g_test_add_func ("/checkpoint/save/round-trip", test_save_load_round_trip);
  g_test_add_func ("/checkpoint/save/atomic", test_save_is_atomic);
  g_test_add_func ("/checkpoint/pytorch/resnet18", test_resnet18_through_pytorch);
  g_test_add_func ("/checkpoint/pytorch/dtype-conversions", test_dtype_conversions_through_pytorch);
  return g_test_run ();
}
