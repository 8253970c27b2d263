/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-safetensors.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-dtype.h"
#include "cxr-error.h"
#include "cxr-json-read.h"
#include "cxr-json-writer.h"
#include "cxr-limits.h"


static const struct {
  const char *name;
  gboolean supported;
  CxrDtype dtype;
} safetensors_dtypes[] = {
  { "F32", TRUE, CXR_DTYPE_F32 },
  { "F16", TRUE, CXR_DTYPE_F16 },
  { "BF16", TRUE, CXR_DTYPE_BF16 },
  { "F64", TRUE, CXR_DTYPE_F64 },
  { "I64", TRUE, CXR_DTYPE_I64 },
  { "I32", TRUE, CXR_DTYPE_I32 },
  { "U8", TRUE, CXR_DTYPE_U8 },
  { "BOOL", TRUE, CXR_DTYPE_BOOL },
  { "I8", FALSE, 0 }, { "I16", FALSE, 0 }, { "U16", FALSE, 0 }, { "U32", FALSE, 0 }, { "U64", FALSE, 0 },
  { "F8_E4M3", FALSE, 0 }, { "F8_E5M2", FALSE, 0 }, { "C64", FALSE, 0 },
};

static const char *
dtype_to_safetensors (CxrDtype dtype)
{
  for (gsize i = 0; i < G_N_ELEMENTS (safetensors_dtypes); i++)
    if (safetensors_dtypes[i].supported && safetensors_dtypes[i].dtype == dtype)
      return safetensors_dtypes[i].name;
  return NULL;
}

typedef struct {
  const char *name;     /* borrowed from the JSON */
  CxrDtype dtype;
  int ndim;
  gint64 shape[CXR_TENSOR_MAX_DIMS];
  guint64 begin, end;
} TensorInfo;

static gboolean
header_error (GError **error, const char *path, const char *name, const char *detail)
{
  if (name != NULL)
    g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: safetensors header entry '%s' %s", path, name, detail);
  else
    g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: %s", path, detail);
  return FALSE;
}

/* A JSON integer >= 0 (not a float, not a string). */
static gboolean
get_count (JsonNode *node, guint64 *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  gint64 v = json_node_get_int (node);
  if (v < 0)
    return FALSE;
  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_entry (const char *path, const char *name, JsonNode *node, guint64 data_size, TensorInfo *info, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return header_error (error, path, name, "is not an object");
  JsonObject *object = json_node_get_object (node);
  info->name = name;

  JsonNode *dtype_node = json_object_get_member (object, "dtype");
  const char *dtype = dtype_node && JSON_NODE_HOLDS_VALUE (dtype_node)
                      && json_node_get_value_type (dtype_node) == G_TYPE_STRING ? json_node_get_string (dtype_node) : NULL;
  if (dtype == NULL)
    return header_error (error, path, name, "has no dtype");
  gsize d;
  for (d = 0; d < G_N_ELEMENTS (safetensors_dtypes); d++)
    if (g_str_equal (safetensors_dtypes[d].name, dtype))
      break;
  if (d == G_N_ELEMENTS (safetensors_dtypes) || !safetensors_dtypes[d].supported)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: tensor '%s' has dtype %s, which cxrcam does not support",
                   path, name, dtype);
      return FALSE;
    }
  info->dtype = safetensors_dtypes[d].dtype;

  JsonNode *shape_node = json_object_get_member (object, "shape");
  if (shape_node == NULL || !JSON_NODE_HOLDS_ARRAY (shape_node))
    return header_error (error, path, name, "has no shape");
  JsonArray *shape = json_node_get_array (shape_node);
  if (json_array_get_length (shape) > CXR_TENSOR_MAX_DIMS)
    return header_error (error, path, name, "has too many dimensions");
  info->ndim = (int) json_array_get_length (shape);
  guint64 numel = 1;
  for (int i = 0; i < info->ndim; i++)
    {
      guint64 dim;
      if (!get_count (json_array_get_element (shape, i), &dim) || !g_uint64_checked_mul (&numel, numel, dim))
        return header_error (error, path, name, "has a bad shape");
      info->shape[i] = (gint64) dim;
    }

  JsonNode *offsets_node = json_object_get_member (object, "data_offsets");
  JsonArray *offsets = offsets_node && JSON_NODE_HOLDS_ARRAY (offsets_node) ? json_node_get_array (offsets_node) : NULL;
  if (offsets == NULL || json_array_get_length (offsets) != 2
      || !get_count (json_array_get_element (offsets, 0), &info->begin)
      || !get_count (json_array_get_element (offsets, 1), &info->end) || info->end < info->begin)
    return header_error (error, path, name, "has bad data_offsets");
  if (info->end > data_size)
    {
      g_autofree char *detail = g_strdup_printf ("ends at data byte %" G_GUINT64_FORMAT ", past the end of the data (%"
                                                 G_GUINT64_FORMAT " bytes): the file is truncated or corrupt",
                                                 info->end, data_size);
      return header_error (error, path, name, detail);
    }
  guint64 bytes;
  if (!g_uint64_checked_mul (&bytes, numel, cxr_dtype_size (info->dtype)) || bytes != info->end - info->begin)
    {
      g_autofree char *detail = g_strdup_printf ("spans %" G_GUINT64_FORMAT " bytes but its shape and dtype need %"
                                                 G_GUINT64_FORMAT, info->end - info->begin, bytes);
      return header_error (error, path, name, detail);
    }
  return TRUE;
}

static gint
compare_by_offset (gconstpointer a, gconstpointer b)
{
  const TensorInfo *x = a, *y = b;
  return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : (x->end > y->end) - (x->end < y->end);
}

CxrStateDict *
cxr_safetensors_load (const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) mapped = cxr_input_file_map (path, error);
  if (mapped == NULL)
    return NULL;
  gsize length;
  const guint8 *contents = g_bytes_get_data (mapped, &length);
  if (length < 8)
    {
      header_error (error, path, NULL, "not a safetensors file: too short for the header length");
      return NULL;
    }
  guint64 header_size = 0;
  for (int i = 7; i >= 0; i--)
    header_size = (header_size << 8) | contents[i];
  if (header_size > CXR_LIMIT_SAFETENSORS_HEADER || header_size > length - 8)
    {
      g_autofree char *detail = g_strdup_printf ("not a safetensors file, or truncated: the header claims %" G_GUINT64_FORMAT
                                                 " bytes but the file has %" G_GSIZE_FORMAT, header_size, length);
      header_error (error, path, NULL, detail);
      return NULL;
    }

  g_autofree char *header_name = g_strdup_printf ("%s (safetensors header)", path);
  g_autoptr (JsonParser) parser = cxr_json_parse ((const char *) contents + 8, (gsize) header_size, header_name,
                                                  &local_error);
  if (parser == NULL)
    {
      if (g_error_matches (local_error, CXR_ERROR, CXR_ERROR_LIMIT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_autofree char *detail = g_strdup_printf ("the safetensors header is not valid JSON: %s", local_error->message);
      header_error (error, path, NULL, detail);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      header_error (error, path, NULL, "the safetensors header is not a JSON object");
      return NULL;
    }

  guint64 data_size = length - 8 - header_size;
  const guint8 *data = contents + 8 + header_size;
  JsonObject *header = json_node_get_object (root);
  g_autoptr (GList) names = json_object_get_members (header);
  g_autoptr (GArray) infos = g_array_new (FALSE, TRUE, sizeof (TensorInfo));
  for (GList *l = names; l != NULL; l = l->next)
    {
      if (g_str_equal (l->data, "__metadata__"))
        continue;
      TensorInfo info = { 0 };
      if (!parse_entry (path, l->data, json_object_get_member (header, l->data), data_size, &info, error))
        return NULL;
      g_array_append_val (infos, info);
    }

  g_array_sort (infos, compare_by_offset);
  for (guint i = 1; i < infos->len; i++)
    {
      const TensorInfo *previous = &g_array_index (infos, TensorInfo, i - 1);
      const TensorInfo *info = &g_array_index (infos, TensorInfo, i);
      if (info->begin < previous->end)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: tensors '%s' and '%s' overlap in the data", path,
                       previous->name, info->name);
          return NULL;
        }
    }

  /* Every tensor's bytes are in the file, so this only bounds the float32 copies (4 bytes per byte of uint8). */
  CxrLimitBudget budget;
  cxr_limit_budget_init (&budget, path, length);
  for (guint i = 0; i < infos->len; i++)
    {
      const TensorInfo *info = &g_array_index (infos, TensorInfo, i);
      g_autofree char *what = g_strdup_printf ("tensor '%s'", info->name);
      guint64 numel;
      if (!cxr_limits_check_shape (info->ndim, info->shape, &numel, what, error)
          || !cxr_limit_budget_claim (&budget, numel, sizeof (float), what, error))
        return NULL;
    }

  g_autoptr (CxrStateDict) dict = cxr_state_dict_new ();
  for (guint i = 0; i < infos->len; i++)
    {
      const TensorInfo *info = &g_array_index (infos, TensorInfo, i);
      CxrTensor *tensor = cxr_tensor_new (info->ndim, info->shape);
      tensor->dtype = info->dtype;
      cxr_dtype_decode (info->dtype, data + info->begin, 1, cxr_tensor_numel (tensor), tensor->data);
      cxr_state_dict_insert (dict, info->name, tensor);
    }
  return g_steal_pointer (&dict);
}

static char *
build_header (const CxrStateDict *dict, GError **error)
{
  g_autoptr (CxrJsonWriter) w = cxr_json_writer_new (CXR_JSON_COMPACT, 0);
  cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_begin_object (w, "__metadata__", CXR_JSON_BLOCK);
  cxr_json_writer_add_string (w, "format", "pt");
  cxr_json_writer_end (w);
  guint64 offset = 0;
  for (guint i = 0; i < cxr_state_dict_size (dict); i++)
    {
      const char *key = cxr_state_dict_key_at (dict, i);
      const CxrTensor *tensor = cxr_state_dict_lookup (dict, key);
      const char *dtype = dtype_to_safetensors (tensor->dtype);
      if (dtype == NULL || g_str_equal (key, "__metadata__") || !g_utf8_validate (key, -1, NULL))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "tensor '%s' cannot be saved as safetensors (%s)", key,
                       dtype == NULL ? "unknown dtype" : "reserved or invalid name");
          return NULL;
        }
      guint64 bytes = (guint64) cxr_tensor_numel (tensor) * cxr_dtype_size (tensor->dtype);
      cxr_json_writer_begin_object (w, key, CXR_JSON_BLOCK);
      cxr_json_writer_add_string (w, "dtype", dtype);
      cxr_json_writer_begin_array (w, "shape", CXR_JSON_BLOCK);
      for (int d = 0; d < tensor->ndim; d++)
        cxr_json_writer_add_int (w, NULL, tensor->shape[d]);
      cxr_json_writer_end (w);
      cxr_json_writer_begin_array (w, "data_offsets", CXR_JSON_BLOCK);
      cxr_json_writer_add_uint (w, NULL, offset);
      cxr_json_writer_add_uint (w, NULL, offset + bytes);
      cxr_json_writer_end (w);
      cxr_json_writer_end (w);
      offset += bytes;
    }
  cxr_json_writer_end (w);
  g_autofree char *json = cxr_json_writer_free_to_text (g_steal_pointer (&w), NULL);
  GString *s = g_string_new (json);
  /* Pad with spaces so the data starts 8-byte aligned. */
  while (s->len % 8 != 0)
    g_string_append_c (s, ' ');
  return g_string_free (s, FALSE);
}

#define ENCODE_CHUNK 16384

gboolean
cxr_safetensors_save (const char *path, const CxrStateDict *dict, GError **error)
{
  g_autofree char *header = build_header (dict, error);
  if (header == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, error);
  if (file == NULL)
    return FALSE;

  guint64 header_size = strlen (header);
  guint8 size_le[8];
  for (int i = 0; i < 8; i++)
    size_le[i] = (header_size >> (8 * i)) & 0xff;
  if (!cxr_atomic_file_write (file, size_le, 8, error) || !cxr_atomic_file_write (file, header, header_size, error))
    return FALSE;

  g_autofree guint8 *buffer = g_malloc (ENCODE_CHUNK * 8);
  for (guint i = 0; i < cxr_state_dict_size (dict); i++)
    {
      const CxrTensor *tensor = cxr_state_dict_lookup (dict, cxr_state_dict_key_at (dict, i));
      gsize numel = (gsize) cxr_tensor_numel (tensor);
      for (gsize done = 0; done < numel; done += ENCODE_CHUNK)
        {
          gsize n = MIN (ENCODE_CHUNK, numel - done);
          cxr_dtype_encode (tensor->dtype, tensor->data + done, n, buffer);
          if (!cxr_atomic_file_write (file, buffer, n * cxr_dtype_size (tensor->dtype), error))
            return FALSE;
        }
    }
  return cxr_atomic_file_commit (file, error);
}
