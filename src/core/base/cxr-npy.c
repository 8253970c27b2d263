/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-npy.h"

#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"
#include "cxr-input-file.h"
#include "cxr-limits.h"
#include "cxr-half.h"

static const char npy_magic[] = "\x93NUMPY";

/* Finds `'key': value` in the header dict and returns a pointer to the value. */
static const char *
find_header_value (const char *header, const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("'%s'", key);
  const char *at = strstr (header, quoted);
  if (at == NULL)
    return NULL;
  at = strchr (at + strlen (quoted), ':');
  if (at == NULL)
    return NULL;
  at++;
  while (*at == ' ')
    at++;
  return at;
}

static gboolean
parse_descr (const char *value, CxrDtype *dtype, GError **error)
{
  static const struct { const char *descr; CxrDtype dtype; } known[] = {
    { "'<f4'", CXR_DTYPE_F32 }, { "'<f8'", CXR_DTYPE_F64 }, { "'<f2'", CXR_DTYPE_F16 },
    { "'<i8'", CXR_DTYPE_I64 }, { "'<i4'", CXR_DTYPE_I32 }, { "'|u1'", CXR_DTYPE_U8 },
    { "'|b1'", CXR_DTYPE_BOOL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_has_prefix (value, known[i].descr))
      {
        *dtype = known[i].dtype;
        return TRUE;
      }
  /* The quoted descr alone ('<c8'), not the header after it */
  const char *end = value[0] == '\'' ? strchr (value + 1, '\'') : NULL;
  int shown = end != NULL && end - value < 16 ? (int) (end - value + 1) : 8;
  g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "unsupported .npy dtype %.*s (cxrcam reads float32, "
               "float64, float16, int64, int32, uint8 and bool)", shown, value);
  return FALSE;
}

static gboolean
parse_shape (const char *value, int *ndim, gint64 *shape, GError **error)
{
  if (*value != '(')
    goto bad;
  value++;
  *ndim = 0;
  while (*value && *value != ')')
    {
      while (*value == ' ' || *value == ',')
        value++;
      if (*value == ')')
        break;
      char *end;
      gint64 d = g_ascii_strtoll (value, &end, 10);
      if (end == value || d < 0 || *ndim == CXR_TENSOR_MAX_DIMS)
        goto bad;
      shape[(*ndim)++] = d;
      value = end;
    }
  if (*value == ')')
    return TRUE;
bad:
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "bad .npy shape");
  return FALSE;
}

CxrTensor *
cxr_npy_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  if (!cxr_input_file_read (path, 0, &contents, &length, NULL, error))
    return NULL;

  if (length < 10 || memcmp (contents, npy_magic, 6) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a .npy file (bad magic)", path);
      return NULL;
    }
  guint8 major = (guint8) contents[6];
  gsize header_len, header_start;
  if (major == 1)
    {
      header_len = (guint8) contents[8] | ((guint8) contents[9] << 8);
      header_start = 10;
    }
  else if ((major == 2 || major == 3) && length >= 12)
    {
      header_len = (gsize) (guint8) contents[8] | ((gsize) (guint8) contents[9] << 8)
                   | ((gsize) (guint8) contents[10] << 16) | ((gsize) (guint8) contents[11] << 24);
      header_start = 12;
    }
  else
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: .npy version %u is not supported", path, major);
      return NULL;
    }
  if (header_start + header_len > length)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: truncated .npy header", path);
      return NULL;
    }

  g_autofree char *header = g_strndup (contents + header_start, header_len);
  const char *descr = find_header_value (header, "descr");
  const char *fortran = find_header_value (header, "fortran_order");
  const char *shape_value = find_header_value (header, "shape");
  if (descr == NULL || fortran == NULL || shape_value == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: .npy header lacks descr, fortran_order or shape", path);
      return NULL;
    }
  if (!g_str_has_prefix (fortran, "False"))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: Fortran-order .npy files are not supported", path);
      return NULL;
    }

  CxrDtype dtype;
  int ndim;
  gint64 shape[CXR_TENSOR_MAX_DIMS];
  if (!parse_descr (descr, &dtype, error) || !parse_shape (shape_value, &ndim, shape, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  /* Every claim checked before anything is allocated: the shape's product (which once wrapped to 0 bytes for
   * (2^62,) and overflowed for (2, INT64_MAX)), the data it needs, and the floats it becomes. */
  guint64 numel, data_bytes;
  gsize item = cxr_dtype_size (dtype);
  gsize available = length - header_start - header_len;
  g_autofree char *what = g_strdup_printf ("%s: the .npy array", path);
  if (!cxr_limits_check_shape (ndim, shape, &numel, what, error))
    return NULL;
  if (!g_uint64_checked_mul (&data_bytes, numel, item) || data_bytes > available)
    {
      g_autofree char *shown = cxr_shape_to_string (ndim, shape);
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: truncated .npy data: shape %s of %s needs %"
                   G_GUINT64_FORMAT " elements, the file has %" G_GSIZE_FORMAT " bytes of data", path, shown,
                   cxr_dtype_name (dtype), numel, available);
      return NULL;
    }
  CxrLimitBudget budget;
  cxr_limit_budget_init (&budget, path, length);
  if (!cxr_limit_budget_claim (&budget, numel, sizeof (float), "the .npy array", error))
    return NULL;
  g_autoptr (CxrTensor) tensor = cxr_tensor_new (ndim, shape);
  tensor->dtype = dtype;
  const guint8 *raw = (const guint8 *) contents + header_start + header_len;

  for (guint64 i = 0; i < numel; i++)
    {
      const guint8 *p = raw + i * item;
      switch (dtype)
        {
        case CXR_DTYPE_F32: { float v; memcpy (&v, p, 4); tensor->data[i] = v; break; }
        case CXR_DTYPE_F64: { double v; memcpy (&v, p, 8); tensor->data[i] = (float) v; break; }
        case CXR_DTYPE_F16: { guint16 v; memcpy (&v, p, 2); tensor->data[i] = cxr_half_to_float (v); break; }
        case CXR_DTYPE_I64: { gint64 v; memcpy (&v, p, 8); tensor->data[i] = (float) v; break; }
        case CXR_DTYPE_I32: { gint32 v; memcpy (&v, p, 4); tensor->data[i] = (float) v; break; }
        case CXR_DTYPE_U8:
        case CXR_DTYPE_BOOL: tensor->data[i] = *p; break;
        case CXR_DTYPE_BF16: g_assert_not_reached ();
        }
    }
  return g_steal_pointer (&tensor);
}

gboolean
cxr_npy_save (const char *path, const float *data, int ndim, const gint64 *shape, GError **error)
{
  g_autoptr (GString) header = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  gint64 numel = 1;
  for (int i = 0; i < ndim; i++)
    {
      g_string_append_printf (header, "%" G_GINT64_FORMAT "%s", shape[i], (ndim == 1 || i + 1 < ndim) ? ", " : "");
      numel *= shape[i];
    }
  if (ndim == 1)
    g_string_truncate (header, header->len - 1);  /* "(5,)" */
  g_string_append (header, "), }");
  /* Pad with spaces so that magic + length + header + '\n' is a multiple of 64. */
  while ((10 + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  g_autoptr (GByteArray) out = g_byte_array_sized_new (10 + header->len + numel * 4);
  g_byte_array_append (out, (const guint8 *) npy_magic, 6);
  g_byte_array_append (out, (const guint8 *) "\x01\x00", 2);
  guint8 len_le[2] = { header->len & 0xff, (header->len >> 8) & 0xff };
  g_byte_array_append (out, len_le, 2);
  g_byte_array_append (out, (const guint8 *) header->str, header->len);
  g_byte_array_append (out, (const guint8 *) data, numel * 4);

  return cxr_atomic_file_set_contents (path, out->data, out->len, error);
}
