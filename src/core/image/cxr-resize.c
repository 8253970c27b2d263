/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resize.c: PyTorch's bilinear (antialiased and plain) and area resampling for one channel.
 *
 * The point of this file is agreement with PyTorch to the last bit, so every
 * step below says which precision PyTorch uses for it. Products must be
 * rounded before they are added unless the code asks for fmaf(): the pragma
 * stops the compiler from fusing them on targets with FMA instructions.
 */
#include "cxr-resize.h"

#include <math.h>
#include <string.h>

#include "cxr-tensor.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

/* ---- Antialiased bilinear ------------------------------------------------------------------------------- */

/* The taps of every output pixel along one axis: output i reads
 * input[first[i] .. first[i] + count[i]) with weights[i * stride ..]. */
typedef struct {
  int stride;      /* PyTorch's interp_size: the most taps any output can have */
  int *first;      /* [out_size] */
  int *count;      /* [out_size] */
  float *weights;  /* [out_size, stride], zero past count */
} AaTaps;

static void
aa_taps_clear (AaTaps *taps)
{
  g_clear_pointer (&taps->first, g_free);
  g_clear_pointer (&taps->count, g_free);
  g_clear_pointer (&taps->weights, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AaTaps, aa_taps_clear)

/* Pillow's bilinear filter, as PyTorch copied it. It takes and returns
 * float; 1 - x is exact in double, so doing it in float rounds the same. */
static float
triangle_filter (float x)
{
  if (x < 0.0f)
    x = -x;
  return x < 1.0f ? 1.0f - x : 0.0f;
}

/* HelperInterpBase::_compute_indices_weights_aa and _compute_weights_aa of
 * torch 1.13 with scalar_t = float. Where PyTorch mixes a float with a
 * double literal (i + 0.5, ... + 0.5) the step happens in double, and so it
 * does here: the casts mark where PyTorch stores back to float. */
static void
aa_taps_init (AaTaps *taps, int in_size, int out_size)
{
  float scale = (float) in_size / (float) out_size;
  /* support = (interp_size * 0.5) * scale with interp_size 2 when shrinking: exactly scale. */
  float support = scale >= 1.0f ? scale : 1.0f;
  float invscale = scale >= 1.0f ? (float) (1.0 / scale) : 1.0f;

  taps->stride = (int) ceilf (support) * 2 + 1;
  taps->first = g_new (int, out_size);
  taps->count = g_new (int, out_size);
  taps->weights = g_new0 (float, (gsize) out_size * taps->stride);

  for (int i = 0; i < out_size; i++)
    {
      float center = (float) (scale * (i + 0.5));
      gint64 xmin = MAX ((gint64) ((center - support) + 0.5), 0);
      gint64 xend = MIN ((gint64) ((center + support) + 0.5), in_size);
      int n = (int) (xend - xmin);
      g_assert (n >= 1 && n <= taps->stride);

      float *w = taps->weights + (gsize) i * taps->stride;
      float total = 0.0f;
      for (int j = 0; j < n; j++)
        {
          w[j] = triangle_filter ((float) (((float) (j + xmin) - center + 0.5) * invscale));
          total += w[j];
        }
      if (total != 0.0f)
        for (int j = 0; j < n; j++)
          w[j] /= total;

      taps->first[i] = (int) xmin;
      taps->count[i] = n;
    }
}

/* PyTorch's loop is `out = x[0] * w[0]; for (j = 1; j < n; j++) out += x[j] * w[j];`.
 * GCC compiled it (Debian's torch 1.13, AVX2) with the products of four
 * consecutive taps in one SIMD register, each rounded and then added in
 * order, and the remaining (n - 1) % 4 taps in a scalar tail where the
 * multiply-add is fused. The blocked end below reproduces that split. */
static inline int
blocked_taps_end (int n)
{
  return 1 + (n - 1) / 4 * 4;
}

static inline float
weighted_sum (const float *x, const float *w, int n)
{
  int blocked_end = blocked_taps_end (n);
  float sum = x[0] * w[0];
  int j = 1;
  for (; j < blocked_end; j++)
    sum += x[j] * w[j];
  for (; j < n; j++)
    sum = fmaf (x[j], w[j], sum);
  return sum;
}

/* [rows, in_w] -> [rows, out_w]: each output is a short dot product along its row. */
static void
aa_pass_horizontal (float *out, int out_w, const float *in, int in_w, int rows, const AaTaps *taps)
{
  for (int r = 0; r < rows; r++)
    {
      const float *src = in + (gsize) r * in_w;
      float *dst = out + (gsize) r * out_w;
      for (int i = 0; i < out_w; i++)
        dst[i] = weighted_sum (src + taps->first[i], taps->weights + (gsize) i * taps->stride, taps->count[i]);
    }
}

/* [in_h, cols] -> [out_h, cols]: the same per-element arithmetic as
 * weighted_sum(), run a whole row at a time so the inner loops are
 * contiguous. */
static void
aa_pass_vertical (float *out, int out_h, const float *in, int cols, const AaTaps *taps)
{
  for (int i = 0; i < out_h; i++)
    {
      const float *w = taps->weights + (gsize) i * taps->stride;
      const float *src = in + (gsize) taps->first[i] * cols;
      float *dst = out + (gsize) i * cols;
      int n = taps->count[i];
      int blocked_end = blocked_taps_end (n);

      for (int c = 0; c < cols; c++)
        dst[c] = src[c] * w[0];
      int j = 1;
      for (; j < blocked_end; j++)
        {
          const float *row = src + (gsize) j * cols;
          for (int c = 0; c < cols; c++)
            dst[c] += row[c] * w[j];
        }
      for (; j < n; j++)
        {
          const float *row = src + (gsize) j * cols;
          for (int c = 0; c < cols; c++)
            dst[c] = fmaf (row[c], w[j], dst[c]);
        }
    }
}

void
cxr_resize_bilinear_aa (float *out, int out_h, int out_w, const float *in, int in_h, int in_w)
{
  g_return_if_fail (out != NULL && in != NULL);
  g_return_if_fail (out_h > 0 && out_w > 0 && in_h > 0 && in_w > 0);

  /* An axis whose size does not change gets weights {1, 0}: PyTorch's
   * result is the input itself, so that pass is skipped. */
  if (in_h == out_h && in_w == out_w)
    {
      memcpy (out, in, (gsize) in_h * in_w * sizeof (float));
      return;
    }
  if (in_w == out_w)
    {
      g_auto (AaTaps) rows = { 0 };
      aa_taps_init (&rows, in_h, out_h);
      aa_pass_vertical (out, out_h, in, in_w, &rows);
      return;
    }

  g_auto (AaTaps) cols = { 0 };
  aa_taps_init (&cols, in_w, out_w);
  if (in_h == out_h)
    {
      aa_pass_horizontal (out, out_w, in, in_w, in_h, &cols);
      return;
    }

  /* PyTorch resamples the last dimension first, then the height. */
  g_auto (AaTaps) rows = { 0 };
  aa_taps_init (&rows, in_h, out_h);
  float *narrow = cxr_alloc_floats ((gsize) in_h * out_w);  /* [in_h, out_w] */
  aa_pass_horizontal (narrow, out_w, in, in_w, in_h, &cols);
  aa_pass_vertical (out, out_h, narrow, out_w, &rows);
  cxr_free_floats (narrow);
}

/* ---- Plain bilinear ------------------------------------------------------------------------------------- */

/* Output i blends input i0 (weight l0) and i1 (weight l1). */
typedef struct {
  int i0, i1;
  float l0, l1;
} LinearTap;

/* compute_source_index_and_lambda (ATen/native/UpSample.h, torch 1.13):
 * the source coordinate is computed in double (acc_type on CPU) from a
 * float scale, clamped at 0 (align_corners=False), and the lambdas are
 * stored as float. */
static void
linear_taps_init (LinearTap *taps, int in_size, int out_size)
{
  float scale = (float) in_size / (float) out_size;
  for (int i = 0; i < out_size; i++)
    {
      if (in_size == out_size)
        {
          taps[i] = (LinearTap) { i, i, 1.0f, 0.0f };
          continue;
        }
      double real = scale * (i + 0.5) - 0.5;
      if (real < 0.0)
        real = 0.0;
      int i0 = (int) real;
      float l1 = (float) (real - i0);
      taps[i] = (LinearTap) { i0, i0 < in_size - 1 ? i0 + 1 : i0, 1.0f - l1, l1 };
    }
}

/* align_corners=True: the corners of input and output coincide, source = i (in - 1) / (out - 1). */
static void
corner_taps_init (LinearTap *taps, int in_size, int out_size)
{
  float scale = out_size > 1 ? (float) (in_size - 1) / (float) (out_size - 1) : 0.0f;
  for (int i = 0; i < out_size; i++)
    {
      double real = (double) scale * i;
      int i0 = MIN ((int) real, in_size - 1);
      float l1 = (float) (real - i0);
      taps[i] = (LinearTap) { i0, i0 < in_size - 1 ? i0 + 1 : i0, 1.0f - l1, l1 };
    }
}

static void
resize_with_taps (float *out, int out_h, int out_w, const float *in, int in_w, const LinearTap *rows,
                  const LinearTap *cols)
{
  for (int oh = 0; oh < out_h; oh++)
    {
      LinearTap h = rows[oh];
      const float *top = in + (gsize) h.i0 * in_w;
      const float *bottom = in + (gsize) h.i1 * in_w;
      float *dst = out + (gsize) oh * out_w;
      for (int ow = 0; ow < out_w; ow++)
        {
          LinearTap w = cols[ow];
          float w00 = h.l0 * w.l0, w01 = h.l0 * w.l1;
          float w10 = h.l1 * w.l0, w11 = h.l1 * w.l1;
          double sum = (double) top[w.i0] * w00 + (double) top[w.i1] * w01
                       + (double) bottom[w.i0] * w10 + (double) bottom[w.i1] * w11;
          dst[ow] = (float) sum;
        }
    }
}

/* For a [1, 1, H, W] input PyTorch 1.13 takes its channels-last kernel (a
 * single channel is contiguous in both layouts). Per pixel it multiplies
 * the two lambdas into four float weights, and the four products come out
 * of Debian's build summed without intermediate float rounding; summing
 * them in double here reproduces it. */
void
cxr_resize_bilinear (float *out, int out_h, int out_w, const float *in, int in_h, int in_w)
{
  g_return_if_fail (out != NULL && in != NULL);
  g_return_if_fail (out_h > 0 && out_w > 0 && in_h > 0 && in_w > 0);

  g_autofree LinearTap *rows = g_new (LinearTap, out_h);
  g_autofree LinearTap *cols = g_new (LinearTap, out_w);
  linear_taps_init (rows, in_h, out_h);
  linear_taps_init (cols, in_w, out_w);
  resize_with_taps (out, out_h, out_w, in, in_w, rows, cols);
}

void
cxr_resize_bilinear_corners (float *out, int out_h, int out_w, const float *in, int in_h, int in_w)
{
  g_return_if_fail (out != NULL && in != NULL);
  g_return_if_fail (out_h > 0 && out_w > 0 && in_h > 0 && in_w > 0);

  g_autofree LinearTap *rows = g_new (LinearTap, out_h);
  g_autofree LinearTap *cols = g_new (LinearTap, out_w);
  corner_taps_init (rows, in_h, out_h);
  corner_taps_init (cols, in_w, out_w);
  resize_with_taps (out, out_h, out_w, in, in_w, rows, cols);
}

/* ---- Area ----------------------------------------------------------------------------------------------- */

/* adaptive_avg_pool2d's cell bounds: floor (i * in / out) and ceil ((i + 1) * in / out). */
static inline int
area_start (int i, int in_size, int out_size)
{
  return (int) (((gint64) i * in_size) / out_size);
}

static inline int
area_end (int i, int in_size, int out_size)
{
  return (int) ((((gint64) i + 1) * in_size + out_size - 1) / out_size);
}

/* PyTorch sums a cell in float, row by row, then divides by its height and
 * then by its width. */
void
cxr_resize_area (float *out, int out_h, int out_w, const float *in, int in_h, int in_w)
{
  g_return_if_fail (out != NULL && in != NULL);
  g_return_if_fail (out_h > 0 && out_w > 0 && in_h > 0 && in_w > 0);

  for (int oh = 0; oh < out_h; oh++)
    {
      int h0 = area_start (oh, in_h, out_h), h1 = area_end (oh, in_h, out_h);
      for (int ow = 0; ow < out_w; ow++)
        {
          int w0 = area_start (ow, in_w, out_w), w1 = area_end (ow, in_w, out_w);
          float sum = 0.0f;
          for (int ih = h0; ih < h1; ih++)
            {
              const float *row = in + (gsize) ih * in_w;
              for (int iw = w0; iw < w1; iw++)
                sum += row[iw];
            }
          out[(gsize) oh * out_w + ow] = sum / (float) (h1 - h0) / (float) (w1 - w0);
        }
    }
}
