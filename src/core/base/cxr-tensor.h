/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-tensor.h: a dense float32 tensor, the unit of weights and I/O.
 *
 * Kernels work on raw float pointers with explicit dimensions (llm.c style);
 * CxrTensor is what carries a named array between files, the network and
 * tests. Data is always float32, contiguous, row-major. `dtype` remembers the
 * dtype the tensor had in its file so that a round trip writes it back the
 * same way (num_batches_tracked is int64 in PyTorch checkpoints).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_TENSOR_MAX_DIMS 8

typedef enum {
  CXR_DTYPE_F32,
  CXR_DTYPE_F16,
  CXR_DTYPE_BF16,
  CXR_DTYPE_F64,
  CXR_DTYPE_I64,
  CXR_DTYPE_I32,
  CXR_DTYPE_U8,
  CXR_DTYPE_BOOL,
} CxrDtype;

typedef struct {
  int ndim;
  gint64 shape[CXR_TENSOR_MAX_DIMS];
  CxrDtype dtype;  /* the dtype in the file it came from; data is float32 regardless */
  float *data;     /* numel floats, owned, 64-byte aligned */
} CxrTensor;

CxrTensor  *cxr_tensor_new        (int ndim, const gint64 *shape);
CxrTensor  *cxr_tensor_new_1d     (gint64 d0);
CxrTensor  *cxr_tensor_new_2d     (gint64 d0, gint64 d1);
CxrTensor  *cxr_tensor_new_4d     (gint64 d0, gint64 d1, gint64 d2, gint64 d3);
CxrTensor  *cxr_tensor_copy       (const CxrTensor *tensor);
void        cxr_tensor_free       (CxrTensor *tensor);
gint64      cxr_tensor_numel      (const CxrTensor *tensor);
gboolean    cxr_tensor_shape_equal (const CxrTensor *tensor, int ndim, const gint64 *shape);
char       *cxr_shape_to_string   (int ndim, const gint64 *shape);
const char *cxr_dtype_name        (CxrDtype dtype);
gsize       cxr_dtype_size        (CxrDtype dtype);

/* out[j, i, :] = inp[i, j, :] for inp of shape [d0, d1, inner]. Converts between
 * PyTorch's [N, C, H, W] and cxrcam's channel-major [C, N, H, W] (either way). */
void        cxr_swap_outer_dims   (float *out, const float *inp, gsize d0, gsize d1, gsize inner);

/* Aligned float buffers for kernels and activations. */
float      *cxr_alloc_floats      (gsize n);
void        cxr_free_floats       (float *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrTensor, cxr_tensor_free)

G_END_DECLS
