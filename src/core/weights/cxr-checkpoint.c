/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-checkpoint.h"

#include <stdio.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-dtype.h"
#include "cxr-input-file.h"
#include "cxr-limits.h"
#include "cxr-pickle.h"
#include "cxr-safetensors.h"
#include "cxr-zip.h"

/* How deep a pickled module tree or a wrapping dict may nest before we call it hostile. */
#define MAX_WRAPPER_DEPTH 4

/* torch.serialization.MAGIC_NUMBER as pickle LONG1 (0x1950a86a20f9469cfc6c), at the start of legacy files. */
static const guint8 legacy_magic[] = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

/* Keys under which training scripts commonly wrap the state_dict, most specific first. */
static const char *const wrapper_keys[] = { "state_dict", "model_state_dict", "model", "net" };

/* ------------------------------------------------------------------------------------------------ */
/* Format detection                                                                                 */

CxrCheckpointFormat
cxr_checkpoint_detect_format (const char *path, GError **error)
{
  guint8 head[sizeof legacy_magic + 2] = { 0 };
  gsize n = 0;
  guint64 file_size = 0;
  if (!cxr_input_file_read_head (path, head, sizeof head, &n, &file_size, error))
    return CXR_CHECKPOINT_FORMAT_UNKNOWN;

  if (n >= 4 && head[0] == 'P' && head[1] == 'K'
      && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
    return CXR_CHECKPOINT_FORMAT_PTH;
  /* safetensors before pickles: its length field's first byte may well be 0x80. */
  if (n >= 9 && head[8] == '{')
    {
      guint64 header_length = 0;
      for (int i = 7; i >= 0; i--)
        header_length = (header_length << 8) | head[i];
      if (file_size >= 8 && header_length >= 2 && header_length <= file_size - 8)
        return CXR_CHECKPOINT_FORMAT_SAFETENSORS;
    }
  if (n >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5)
    return CXR_CHECKPOINT_FORMAT_LEGACY_PICKLE;
  return CXR_CHECKPOINT_FORMAT_UNKNOWN;
}

CxrStateDict *
cxr_checkpoint_load (const char *path, GError **error)
{
  switch (cxr_checkpoint_detect_format (path, error))
    {
    case CXR_CHECKPOINT_FORMAT_PTH:
      return cxr_checkpoint_load_pth (path, error);
    case CXR_CHECKPOINT_FORMAT_SAFETENSORS:
      return cxr_safetensors_load (path, error);
    case CXR_CHECKPOINT_FORMAT_LEGACY_PICKLE:
      {
        guint8 head[sizeof legacy_magic] = { 0 };
        gsize n = 0;
        gboolean is_torch = cxr_input_file_read_head (path, head, sizeof head, &n, NULL, NULL) && n == sizeof head
                            && memcmp (head, legacy_magic, sizeof legacy_magic) == 0;
        g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                     "%s is %s, which cxrcam cannot read safely. Re-save it with PyTorch in the default zip format: "
                     "torch.save(torch.load(\"old.pth\"), \"new.pth\")",
                     path, is_torch ? "a legacy (pre-1.6, non-zip) PyTorch checkpoint" : "a bare Python pickle");
        return NULL;
      }
    case CXR_CHECKPOINT_FORMAT_UNKNOWN:
      if (error && *error)
        return NULL;
      break;
    }
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
               "%s is not a checkpoint: expected a PyTorch .pth/.pt file (a zip archive) or a .safetensors file", path);
  return NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* Finding the tensors in the unpickled object                                                      */

typedef struct {
  const char *where;    /* "file.pth:archive/data.pkl" */
  GPtrArray *keys;      /* char*, owned */
  GPtrArray *tensors;   /* const CxrPickleValue* of kind TENSOR, borrowed */
} TensorList;

static void
add_tensor (TensorList *list, const char *key, const CxrPickleValue *tensor)
{
  g_ptr_array_add (list->keys, g_strdup (key));
  g_ptr_array_add (list->tensors, (gpointer) tensor);
}

static gboolean
not_a_state_dict (GError **error, const TensorList *list, const char *detail)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s does not hold a state_dict: %s", list->where, detail);
  return FALSE;
}

/* A module's parameters, persistent buffers, then its children, as torch.nn.Module.state_dict() orders them. */
static gboolean
collect_module (const CxrPickleValue *module, const char *prefix, int depth, TensorList *list, GError **error)
{
  if (depth > CXR_LIMIT_MODULE_DEPTH)
    return not_a_state_dict (error, list, "modules nest too deeply");
  const CxrPickleValue *state = module->object.state;
  if (state == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("module %s ('%s') has no state", module->object.cls->global.qualified_name,
                                                 prefix);
      return not_a_state_dict (error, list, detail);
    }

  const CxrPickleValue *skip = cxr_pickle_dict_lookup (state, "_non_persistent_buffers_set");
  const char *tables[] = { "_parameters", "_buffers" };
  for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      const CxrPickleValue *table = cxr_pickle_dict_lookup (state, tables[t]);
      if (table == NULL || table->kind != CXR_PICKLE_DICT)
        continue;
      for (guint i = 0; i + 1 < table->items->len; i += 2)
        {
          const CxrPickleValue *name = g_ptr_array_index (table->items, i);
          const CxrPickleValue *value = g_ptr_array_index (table->items, i + 1);
          if (name->kind != CXR_PICKLE_STRING || value->kind != CXR_PICKLE_TENSOR)
            continue;  /* None marks an unset parameter or buffer */
          gboolean non_persistent = FALSE;
          for (guint j = 0; t == 1 && skip && skip->kind == CXR_PICKLE_SET && j < skip->items->len; j++)
            non_persistent |= cxr_pickle_is_string (g_ptr_array_index (skip->items, j), name->string.data);
          if (non_persistent)
            continue;
          g_autofree char *key = g_strconcat (prefix, name->string.data, NULL);
          add_tensor (list, key, value);
        }
    }

  const CxrPickleValue *children = cxr_pickle_dict_lookup (state, "_modules");
  for (guint i = 0; children && children->kind == CXR_PICKLE_DICT && i + 1 < children->items->len; i += 2)
    {
      const CxrPickleValue *name = g_ptr_array_index (children->items, i);
      const CxrPickleValue *child = g_ptr_array_index (children->items, i + 1);
      if (name->kind != CXR_PICKLE_STRING || child->kind != CXR_PICKLE_OBJECT)
        continue;
      g_autofree char *child_prefix = g_strconcat (prefix, name->string.data, ".", NULL);
      if (!collect_module (child, child_prefix, depth + 1, list, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_tensor_dict (const CxrPickleValue *dict)
{
  if (dict->items->len == 0)
    return FALSE;
  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    if (((const CxrPickleValue *) g_ptr_array_index (dict->items, i))->kind != CXR_PICKLE_STRING
        || ((const CxrPickleValue *) g_ptr_array_index (dict->items, i + 1))->kind != CXR_PICKLE_TENSOR)
      return FALSE;
  return TRUE;
}

static char *
describe_keys (const CxrPickleValue *dict)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i + 1 < dict->items->len && i < 2 * 12; i += 2)
    {
      const CxrPickleValue *key = g_ptr_array_index (dict->items, i);
      const CxrPickleValue *value = g_ptr_array_index (dict->items, i + 1);
      g_string_append_printf (s, "%s%s (%s)", i ? ", " : "",
                              key->kind == CXR_PICKLE_STRING ? key->string.data : cxr_pickle_kind_name (key->kind),
                              cxr_pickle_kind_name (value->kind));
    }
  if (dict->items->len > 2 * 12)
    g_string_append (s, ", ...");
  return g_string_free (s, FALSE);
}

static gboolean
collect_tensors (const CxrPickleValue *root, int depth, TensorList *list, GError **error)
{
  if (root->kind == CXR_PICKLE_OBJECT)
    return collect_module (root, "", 0, list, error);

  if (root->kind != CXR_PICKLE_DICT)
    {
      g_autofree char *detail = g_strdup_printf ("the top-level object is a %s", cxr_pickle_kind_name (root->kind));
      return not_a_state_dict (error, list, detail);
    }

  if (is_tensor_dict (root))
    {
      for (guint i = 0; i + 1 < root->items->len; i += 2)
        add_tensor (list, ((const CxrPickleValue *) g_ptr_array_index (root->items, i))->string.data,
                    g_ptr_array_index (root->items, i + 1));
      return TRUE;
    }

  for (gsize k = 0; k < G_N_ELEMENTS (wrapper_keys) && depth < MAX_WRAPPER_DEPTH; k++)
    {
      const CxrPickleValue *inner = cxr_pickle_dict_lookup (root, wrapper_keys[k]);
      if (inner != NULL && (inner->kind == CXR_PICKLE_DICT || inner->kind == CXR_PICKLE_OBJECT))
        return collect_tensors (inner, depth + 1, list, error);
    }

  g_autofree char *keys = describe_keys (root);
  g_autofree char *detail = g_strdup_printf (root->items->len == 0 ? "the dict is empty"
                                             : "a dict with %s, and none of the keys state_dict, model_state_dict, "
                                               "model or net", keys);
  return not_a_state_dict (error, list, detail);
}

/* ------------------------------------------------------------------------------------------------ */
/* Reading tensor data                                                                              */

typedef struct {
  CxrZipReader *zip;
  const char *path;
  const char *prefix;   /* "archive" */
  GHashTable *storages; /* key -> GBytes, read once even when shared */
  CxrLimitBudget budget; /* the floats the tensors become */
} StorageReader;

static GBytes *
read_storage (StorageReader *reader, const CxrPickleValue *storage, const char *tensor_key, GError **error)
{
  GBytes *bytes = g_hash_table_lookup (reader->storages, storage->storage.key);
  if (bytes != NULL)
    return bytes;

  g_autofree char *entry = g_strdup_printf ("%s/data/%s", reader->prefix, storage->storage.key);
  g_autoptr (GError) local_error = NULL;
  bytes = cxr_zip_reader_read (reader->zip, entry, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, CXR_ERROR, local_error->code, "tensor '%s': %s", tensor_key, local_error->message);
      return NULL;
    }
  g_hash_table_insert (reader->storages, storage->storage.key, bytes);
  return bytes;
}

static gboolean
view_error (GError **error, const StorageReader *reader, const char *key, const char *detail)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: tensor '%s' %s", reader->path, key, detail);
  return FALSE;
}

static CxrTensor *
materialize (StorageReader *reader, const char *key, const CxrPickleValue *value, GError **error)
{
  const CxrPickleValue *storage = value->tensor.storage;
  const CxrStorageType *type = storage->storage.type;
  if (!type->supported)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                   "%s: tensor '%s' has dtype %s (%s), which cxrcam does not support; convert it with "
                   "tensor.float() before saving", reader->path, key, type->dtype_name, type->class_name);
      return NULL;
    }

  /* The view's extent in the storage: offset + sum((size - 1) * stride) + 1, overflow checked. */
  int ndim = value->tensor.ndim;
  guint64 numel = 1, last = (guint64) value->tensor.offset;
  gboolean overflow = FALSE;
  for (int d = 0; d < ndim; d++)
    {
      guint64 size = (guint64) value->tensor.size[d], reach;
      overflow |= !g_uint64_checked_mul (&numel, numel, size);
      if (size > 0)
        {
          overflow |= !g_uint64_checked_mul (&reach, size - 1, (guint64) value->tensor.stride[d]);
          overflow |= !g_uint64_checked_add (&last, last, reach);
        }
    }
  if (overflow || numel > (guint64) G_MAXINT64 / 8)
    {
      view_error (error, reader, key, "has an impossible size");
      return NULL;
    }
  if (numel > 0 && last >= (guint64) storage->storage.numel)
    {
      g_autofree char *detail = g_strdup_printf ("reaches element %" G_GUINT64_FORMAT " of storage '%s', which has only %"
                                                 G_GINT64_FORMAT " elements", last, storage->storage.key,
                                                 storage->storage.numel);
      view_error (error, reader, key, detail);
      return NULL;
    }

  GBytes *bytes = read_storage (reader, storage, key, error);
  if (bytes == NULL)
    return NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  if ((guint64) length / type->element_size < (guint64) storage->storage.numel)
    {
      g_autofree char *detail = g_strdup_printf ("uses storage '%s' of %" G_GINT64_FORMAT " %s elements, but its data "
                                                 "is only %" G_GSIZE_FORMAT " bytes", storage->storage.key,
                                                 storage->storage.numel, type->dtype_name, length);
      view_error (error, reader, key, detail);
      return NULL;
    }

  /* A broadcast view (torch.zeros(1).expand(2**40): one stored element, 4 TB of floats) stops here. */
  g_autofree char *what = g_strdup_printf ("tensor '%s'", key);
  if (!cxr_limit_budget_claim (&reader->budget, numel, sizeof (float), what, error))
    return NULL;
  g_autoptr (CxrTensor) tensor = cxr_tensor_new (ndim, value->tensor.size);
  tensor->dtype = type->dtype;
  if (numel == 0)
    return g_steal_pointer (&tensor);

  /* Walk the outer dimensions with a counter; convert the innermost one as a strided run. */
  gint64 inner = ndim ? value->tensor.size[ndim - 1] : 1;
  gint64 inner_stride = ndim ? value->tensor.stride[ndim - 1] : 1;
  gint64 index[CXR_TENSOR_MAX_DIMS] = { 0 };
  gint64 start = value->tensor.offset;
  for (guint64 done = 0; done < numel; done += (guint64) inner)
    {
      cxr_dtype_decode (type->dtype, data + start * (gint64) type->element_size, inner_stride, inner,
                        tensor->data + done);
      for (int d = ndim - 2; d >= 0; d--)
        {
          start += value->tensor.stride[d];
          if (++index[d] < value->tensor.size[d])
            break;
          start -= index[d] * value->tensor.stride[d];
          index[d] = 0;
        }
    }
  return g_steal_pointer (&tensor);
}

/* ------------------------------------------------------------------------------------------------ */
/* Loading                                                                                          */

/* The top folder of the archive: torch names it after the file's stem, so look for "<prefix>/data.pkl". */
static char *
find_prefix (const CxrZipReader *zip, const char *path, GError **error)
{
  for (guint i = 0; i < cxr_zip_reader_get_n_entries (zip); i++)
    {
      const char *name = cxr_zip_reader_get_entry_name (zip, i);
      const char *slash = strchr (name, '/');
      if (slash != NULL && slash != name && g_str_equal (slash, "/data.pkl"))
        {
          g_autofree char *prefix = g_strndup (name, (gsize) (slash - name));
          g_autofree char *code = g_strdup_printf ("%s/constants.pkl", prefix);
          if (cxr_zip_reader_contains (zip, code))
            {
              g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                           "%s is a TorchScript archive (torch.jit.save); save the weights with "
                           "torch.save(model.state_dict(), path) instead", path);
              return NULL;
            }
          return g_steal_pointer (&prefix);
        }
    }
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
               "%s is a zip archive but not a PyTorch checkpoint: it has no <name>/data.pkl entry", path);
  return NULL;
}

gboolean
cxr_state_dict_strip_module_prefix (CxrStateDict *dict)
{
  guint n = cxr_state_dict_size (dict);
  if (n == 0)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!g_str_has_prefix (cxr_state_dict_key_at (dict, i), "module."))
      return FALSE;
  /* Taking the first and appending it renamed n times keeps the order. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup (cxr_state_dict_key_at (dict, 0));
      CxrTensor *tensor = cxr_state_dict_steal (dict, key);
      cxr_state_dict_insert (dict, key + strlen ("module."), tensor);
    }
  return TRUE;
}

CxrStateDict *
cxr_checkpoint_load_pth (const char *path, GError **error)
{
  g_autoptr (CxrZipReader) zip = cxr_zip_reader_open (path, error);
  if (zip == NULL)
    return NULL;
  g_autofree char *prefix = find_prefix (zip, path, error);
  if (prefix == NULL)
    return NULL;

  /* torch >= 2.1 records the byte order of the storages; older files are little-endian. */
  g_autofree char *byteorder_entry = g_strdup_printf ("%s/byteorder", prefix);
  if (cxr_zip_reader_contains (zip, byteorder_entry))
    {
      g_autoptr (GBytes) byteorder = cxr_zip_reader_read (zip, byteorder_entry, error);
      if (byteorder == NULL)
        return NULL;
      if (g_bytes_get_size (byteorder) != strlen ("little")
          || memcmp (g_bytes_get_data (byteorder, NULL), "little", strlen ("little")) != 0)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                       "%s stores big-endian tensors; re-save it on a little-endian machine", path);
          return NULL;
        }
    }

  g_autofree char *pickle_entry = g_strdup_printf ("%s/data.pkl", prefix);
  g_autofree char *where = g_strdup_printf ("%s:%s", path, pickle_entry);
  g_autoptr (GBytes) pickle_bytes = cxr_zip_reader_read (zip, pickle_entry, error);
  if (pickle_bytes == NULL)
    return NULL;
  gsize pickle_length;
  const guint8 *pickle_data = g_bytes_get_data (pickle_bytes, &pickle_length);
  g_autoptr (CxrPickle) pickle = cxr_pickle_load (pickle_data, pickle_length, where, error);
  if (pickle == NULL)
    return NULL;

  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tensors = g_ptr_array_new ();
  TensorList list = { .where = where, .keys = keys, .tensors = tensors };
  if (!collect_tensors (cxr_pickle_get_root (pickle), 0, &list, error))
    return NULL;
  if (keys->len == 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s holds no tensors", where);
      return NULL;
    }

  g_autoptr (GHashTable) storages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                           (GDestroyNotify) g_bytes_unref);
  StorageReader reader = { .zip = zip, .path = path, .prefix = prefix, .storages = storages };
  cxr_limit_budget_init (&reader.budget, path, cxr_zip_reader_get_size (zip));
  g_autoptr (CxrStateDict) dict = cxr_state_dict_new ();
  for (guint i = 0; i < keys->len; i++)
    {
      CxrTensor *tensor = materialize (&reader, g_ptr_array_index (keys, i), g_ptr_array_index (tensors, i), error);
      if (tensor == NULL)
        return NULL;
      cxr_state_dict_insert (dict, g_ptr_array_index (keys, i), tensor);
    }
  cxr_state_dict_strip_module_prefix (dict);
  return g_steal_pointer (&dict);
}

/* ------------------------------------------------------------------------------------------------ */
/* Saving                                                                                           */

/* torch's PyTorchStreamWriter names the top folder after the file name up to its last dot. */
static char *
archive_stem (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  if (*base == '\0' || g_str_equal (base, "/"))
    return g_strdup ("archive");
  return g_steal_pointer (&base);
}

static const CxrStorageType *
storage_type_for (const char *key, const CxrTensor *tensor, GError **error)
{
  const CxrStorageType *type = cxr_storage_type_for_dtype (tensor->dtype);
  if (type == NULL)
    g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "tensor '%s' has an unknown dtype (%d); cannot save it",
                 key, (int) tensor->dtype);
  return type;
}

/* One tensor as torch 1.13 pickles it: _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()). */
static void
pickle_tensor (CxrPickleWriter *w, const CxrTensor *tensor, const CxrStorageType *type, guint storage_index)
{
  gint64 stride[CXR_TENSOR_MAX_DIMS];
  gint64 step = 1;
  for (int d = tensor->ndim - 1; d >= 0; d--)
    {
      stride[d] = step;
      step *= MAX (tensor->shape[d], 1);  /* torch's contiguous strides treat empty dimensions as 1 */
    }
  g_autofree char *storage_key = g_strdup_printf ("%u", storage_index);

  cxr_pickle_writer_global (w, "torch._utils", "_rebuild_tensor_v2");
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_MARK);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_MARK);
  cxr_pickle_writer_string (w, "storage", "str:storage");
  cxr_pickle_writer_global (w, "torch", type->class_name);
  cxr_pickle_writer_string (w, storage_key, NULL);
  cxr_pickle_writer_string (w, "cpu", "str:cpu");
  cxr_pickle_writer_int (w, cxr_tensor_numel (tensor));
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_TUPLE);
  cxr_pickle_writer_put (w, NULL);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_BINPERSID);
  cxr_pickle_writer_int (w, 0);
  cxr_pickle_writer_int_tuple (w, tensor->shape, tensor->ndim);
  cxr_pickle_writer_int_tuple (w, stride, tensor->ndim);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_NEWFALSE);
  cxr_pickle_writer_global (w, "collections", "OrderedDict");
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_EMPTY_TUPLE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_REDUCE);
  cxr_pickle_writer_put (w, NULL);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_TUPLE);
  cxr_pickle_writer_put (w, NULL);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_REDUCE);
  cxr_pickle_writer_put (w, NULL);
}

/* Python's pickler writes dict items in batches of 1000: MARK ... SETITEMS, or a lone SETITEM. */
#define PICKLE_BATCH 1000

static GBytes *
pickle_state_dict (const CxrStateDict *dict, GError **error)
{
  g_autoptr (CxrPickleWriter) w = cxr_pickle_writer_new ();
  cxr_pickle_writer_global (w, "collections", "OrderedDict");
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_EMPTY_TUPLE);
  cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_REDUCE);
  cxr_pickle_writer_put (w, NULL);

  guint n = cxr_state_dict_size (dict);
  for (guint batch = 0; batch < n; batch += PICKLE_BATCH)
    {
      guint batch_size = MIN (PICKLE_BATCH, n - batch);
      if (batch_size > 1)
        cxr_pickle_writer_opcode (w, CXR_PICKLE_OP_MARK);
      for (guint i = batch; i < batch + batch_size; i++)
        {
          const char *key = cxr_state_dict_key_at (dict, i);
          const CxrTensor *tensor = cxr_state_dict_lookup (dict, key);
          const CxrStorageType *type = storage_type_for (key, tensor, error);
          if (type == NULL)
            return NULL;
          cxr_pickle_writer_string (w, key, NULL);
          pickle_tensor (w, tensor, type, i);
        }
      cxr_pickle_writer_opcode (w, batch_size > 1 ? CXR_PICKLE_OP_SETITEMS : CXR_PICKLE_OP_SETITEM);
    }
  return cxr_pickle_writer_finish (w);
}

#define ENCODE_CHUNK 16384

static gboolean
write_storage (CxrZipWriter *zip, const char *entry, const CxrTensor *tensor, const CxrStorageType *type,
               GError **error)
{
  if (!cxr_zip_writer_begin_entry (zip, entry, error))
    return FALSE;
  gsize numel = (gsize) cxr_tensor_numel (tensor);
  g_autofree guint8 *buffer = g_malloc (ENCODE_CHUNK * 8);
  for (gsize done = 0; done < numel; done += ENCODE_CHUNK)
    {
      gsize n = MIN (ENCODE_CHUNK, numel - done);
      cxr_dtype_encode (type->dtype, tensor->data + done, n, buffer);
      if (!cxr_zip_writer_write (zip, buffer, n * type->element_size, error))
        return FALSE;
    }
  return cxr_zip_writer_end_entry (zip, error);
}

/* torch writes the storages in the order of their keys as strings: 0, 1, 10, 100, 11, ... */
static gint
compare_decimal_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gboolean
cxr_checkpoint_save_pth (const char *path, const CxrStateDict *dict, GError **error)
{
  g_autoptr (GBytes) pickle = pickle_state_dict (dict, error);
  if (pickle == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  g_autofree char *stem = archive_stem (path);
  g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, error);
  if (file == NULL)
    return FALSE;
  g_autoptr (CxrZipWriter) zip = cxr_zip_writer_new (file);

  g_autofree char *pickle_entry = g_strdup_printf ("%s/data.pkl", stem);
  gsize pickle_length;
  const void *pickle_data = g_bytes_get_data (pickle, &pickle_length);
  if (!cxr_zip_writer_add (zip, pickle_entry, pickle_data, pickle_length, error))
    return FALSE;

  guint n = cxr_state_dict_size (dict);
  g_autoptr (GPtrArray) storage_keys = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (storage_keys, g_strdup_printf ("%u", i));
  g_ptr_array_sort (storage_keys, compare_decimal_strings);

  for (guint k = 0; k < n; k++)
    {
      const char *storage_key = g_ptr_array_index (storage_keys, k);
      guint i = (guint) g_ascii_strtoull (storage_key, NULL, 10);
      const char *key = cxr_state_dict_key_at (dict, i);
      const CxrTensor *tensor = cxr_state_dict_lookup (dict, key);
      g_autofree char *entry = g_strdup_printf ("%s/data/%s", stem, storage_key);
      if (!write_storage (zip, entry, tensor, storage_type_for (key, tensor, NULL), error))
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
    }

  g_autofree char *version_entry = g_strdup_printf ("%s/version", stem);
  if (!cxr_zip_writer_add (zip, version_entry, "3\n", 2, error)
      || !cxr_zip_writer_finish (zip, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return cxr_atomic_file_commit (file, error);
}

gboolean
cxr_checkpoint_save (const char *path, const CxrStateDict *dict, GError **error)
{
  if (g_str_has_suffix (path, ".safetensors"))
    return cxr_safetensors_save (path, dict, error);
  return cxr_checkpoint_save_pth (path, dict, error);
}
