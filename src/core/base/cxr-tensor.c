/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-tensor.h"

#include <stdlib.h>
#include <string.h>

#include "cxr-limits.h"

#define CXR_ALIGNMENT 64

float *
cxr_alloc_floats (gsize n)
{
  gsize bytes = MAX (n, 1) * sizeof (float);
  bytes = (bytes + CXR_ALIGNMENT - 1) / CXR_ALIGNMENT * CXR_ALIGNMENT;
  float *p = aligned_alloc (CXR_ALIGNMENT, bytes);
  if (p == NULL)
    g_error ("out of memory allocating %" G_GSIZE_FORMAT " bytes", bytes);
  memset (p, 0, bytes);
  return p;
}

void
cxr_free_floats (float *p)
{
  free (p);
}

CxrTensor *
cxr_tensor_new (int ndim, const gint64 *shape)
{
  g_return_val_if_fail (ndim >= 0 && ndim <= CXR_TENSOR_MAX_DIMS, NULL);

  CxrTensor *tensor = g_new0 (CxrTensor, 1);
  tensor->ndim = ndim;
  tensor->dtype = CXR_DTYPE_F32;
  for (int i = 0; i < ndim; i++)
    {
      g_return_val_if_fail (shape[i] >= 0, NULL);
      tensor->shape[i] = shape[i];
    }
  guint64 numel;
  if (!cxr_limits_check_shape (ndim, shape, &numel, "a tensor", NULL) || numel > G_MAXSIZE / sizeof (float))
    g_error ("a tensor of %d dimensions with more than 2^62 elements: a reader did not check its input", ndim);
  tensor->data = cxr_alloc_floats (numel);
  return tensor;
}

CxrTensor *
cxr_tensor_new_1d (gint64 d0)
{
  return cxr_tensor_new (1, (gint64[]) { d0 });
}

CxrTensor *
cxr_tensor_new_2d (gint64 d0, gint64 d1)
{
  return cxr_tensor_new (2, (gint64[]) { d0, d1 });
}

CxrTensor *
cxr_tensor_new_4d (gint64 d0, gint64 d1, gint64 d2, gint64 d3)
{
  return cxr_tensor_new (4, (gint64[]) { d0, d1, d2, d3 });
}

CxrTensor *
cxr_tensor_copy (const CxrTensor *tensor)
{
  CxrTensor *copy = cxr_tensor_new (tensor->ndim, tensor->shape);
  copy->dtype = tensor->dtype;
  memcpy (copy->data, tensor->data, cxr_tensor_numel (tensor) * sizeof (float));
  return copy;
}

void
cxr_tensor_free (CxrTensor *tensor)
{
  if (tensor == NULL)
    return;
  cxr_free_floats (tensor->data);
  g_free (tensor);
}

gint64
cxr_tensor_numel (const CxrTensor *tensor)
{
  /* Unsigned: no undefined behaviour whatever the shape (readers check shapes with cxr_limits_check_shape
   * before they make a tensor, and cxr_tensor_new refuses one that overflows). */
  guint64 n = 1;
  for (int i = 0; i < tensor->ndim; i++)
    n *= (guint64) tensor->shape[i];
  return (gint64) n;
}

gboolean
cxr_tensor_shape_equal (const CxrTensor *tensor, int ndim, const gint64 *shape)
{
  if (tensor->ndim != ndim)
    return FALSE;
  for (int i = 0; i < ndim; i++)
    if (tensor->shape[i] != shape[i])
      return FALSE;
  return TRUE;
}

char *
cxr_shape_to_string (int ndim, const gint64 *shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

const char *
cxr_dtype_name (CxrDtype dtype)
{
  switch (dtype)
    {
    case CXR_DTYPE_F32: return "float32";
    case CXR_DTYPE_F16: return "float16";
    case CXR_DTYPE_BF16: return "bfloat16";
    case CXR_DTYPE_F64: return "float64";
    case CXR_DTYPE_I64: return "int64";
    case CXR_DTYPE_I32: return "int32";
    case CXR_DTYPE_U8: return "uint8";
    case CXR_DTYPE_BOOL: return "bool";
    }
  return "unknown";
}

gsize
cxr_dtype_size (CxrDtype dtype)
{
  switch (dtype)
    {
    case CXR_DTYPE_F32: return 4;
    case CXR_DTYPE_F16: return 2;
    case CXR_DTYPE_BF16: return 2;
    case CXR_DTYPE_F64: return 8;
    case CXR_DTYPE_I64: return 8;
    case CXR_DTYPE_I32: return 4;
    case CXR_DTYPE_U8: return 1;
    case CXR_DTYPE_BOOL: return 1;
    }
  return 0;
}

void
cxr_swap_outer_dims (float *out, const float *inp, gsize d0, gsize d1, gsize inner)
{
  for (gsize i = 0; i < d0; i++)
    for (gsize j = 0; j < d1; j++)
      memcpy (out + (j * d0 + i) * inner, inp + (i * d1 + j) * inner, inner * sizeof (float));
}
