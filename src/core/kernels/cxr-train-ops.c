/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-train-ops.h"

#include <string.h>

#include "cxr-backward.h"
#include "cxr-cpu.h"
#include "cxr-pool.h"

typedef float v16sf __attribute__ ((vector_size (64)));
typedef int v16si __attribute__ ((vector_size (64)));

CXR_TARGET_CLONES static void
relu_mask_range (float *restrict g, const float *restrict out, gsize begin, gsize end)
{
  const v16sf zero = { 0 };
  gsize i = begin;
  for (; i + 16 <= end; i += 16)
    {
      v16sf gv, ov;
      memcpy (&gv, g + i, sizeof gv);
      memcpy (&ov, out + i, sizeof ov);
      gv = (v16sf) ((v16si) gv & (ov > zero));
      memcpy (g + i, &gv, sizeof gv);
    }
  for (; i < end; i++)
    g[i] = out[i] > 0.0f ? g[i] : 0.0f;
}

typedef struct {
  float *g;
  const float *out;
  gsize count;
} MaskJob;

static void
relu_mask_thread (int thread, int n_threads, gpointer data)
{
  const MaskJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->count, 4096, thread, n_threads, &begin, &end);
  relu_mask_range (job->g, job->out, begin, end);
}

void
cxr_relu_backward_inplace (float *g, const float *out, gsize count, CxrParallel *parallel)
{
  MaskJob job = { g, out, count };
  cxr_parallel_run (parallel, relu_mask_thread, &job);
}

typedef struct {
  float *out;
  gint32 *argmax;
  const float *inp;
  const float *dout;
  const gint32 *const_argmax;
  int channels, n, h, w, ho, wo, kernel, stride, padding;
} PoolJob;

/* ResNet's stem pool (3x3, stride 2, padding 1) with its argmax, one plane: the column maxima of
 * each band of three rows first (value and the first row holding it), then three columns per output
 * instead of nine cells. Among equal values the first in row-major window order wins, as in
 * PyTorch: larger value, then smaller row, then smaller column. (A NaN, fatal to training anyway,
 * does not propagate here as it does in PyTorch.) */
CXR_TARGET_CLONES static void
maxpool3x3s2_plane (float *out, gint32 *argmax, const float *inp, int h, int w, int ho, int wo,
                    float *restrict column_max, gint32 *restrict column_row)
{
  for (int y = 0; y < ho; y++)
    {
      int r0 = MAX (0, 2 * y - 1), r1 = MIN (h, 2 * y + 2);
      const float *row = inp + (gsize) r0 * w;
      for (int x = 0; x < w; x++)
        {
          column_max[x] = row[x];
          column_row[x] = r0;
        }
      /* Branch-free, so that it vectorises: a later row wins only when strictly larger. */
      for (int r = r0 + 1; r < r1; r++)
        {
          row = inp + (gsize) r * w;
          for (int x = 0; x < w; x++)
            {
              gboolean larger = row[x] > column_max[x];
              column_max[x] = larger ? row[x] : column_max[x];
              column_row[x] = larger ? r : column_row[x];
            }
        }
      float *o = out + (gsize) y * wo;
      gint32 *a = argmax + (gsize) y * wo;
      /* Outputs 1 .. inner - 1 have all three columns 2x - 1, 2x, 2x + 1 inside the row. */
      int inner = MIN (wo, (w - 2) / 2 + 1);
      for (int x = 1; x < inner; x++)
        {
          float best = column_max[2 * x - 1];
          gint32 best_row = column_row[2 * x - 1], best_col = 2 * x - 1;
          for (int dc = 0; dc <= 1; dc++)
            {
              int c = 2 * x + dc;
              gboolean wins = column_max[c] > best || (column_max[c] == best && column_row[c] < best_row);
              best = wins ? column_max[c] : best;
              best_row = wins ? column_row[c] : best_row;
              best_col = wins ? c : best_col;
            }
          o[x] = best;
          a[x] = best_row * w + best_col;
        }
      for (int x = 0; x < wo; x++)
        {
          if (x == 1 && inner > 1)
            x = inner;
          if (x >= wo)
            break;
          int c0 = MAX (0, 2 * x - 1), c1 = MIN (w, 2 * x + 2);
          float best = column_max[c0];
          gint32 best_row = column_row[c0], best_col = c0;
          for (int c = c0 + 1; c < c1; c++)
            if (column_max[c] > best || (column_max[c] == best && column_row[c] < best_row))
              {
                best = column_max[c];
                best_row = column_row[c];
                best_col = c;
              }
          o[x] = best;
          a[x] = best_row * w + best_col;
        }
    }
}

static void
pool_forward_thread (int thread, int n_threads, gpointer data)
{
  const PoolJob *job = data;
  if (job->argmax && job->kernel == 3 && job->stride == 2 && job->padding == 1)
    {
      gsize planes = (gsize) job->channels * job->n, p0, p1;
      cxr_parallel_split (planes, 1, thread, n_threads, &p0, &p1);
      g_autofree float *column_max = g_new (float, job->w);
      g_autofree gint32 *column_row = g_new (gint32, job->w);
      gsize in_plane = (gsize) job->h * job->w, out_plane = (gsize) job->ho * job->wo;
      for (gsize p = p0; p < p1; p++)
        maxpool3x3s2_plane (job->out + p * out_plane, job->argmax + p * out_plane, job->inp + p * in_plane,
                            job->h, job->w, job->ho, job->wo, column_max, column_row);
      return;
    }

  gsize c0, c1;
  cxr_parallel_split (job->channels, 1, thread, n_threads, &c0, &c1);
  if (c0 == c1)
    return;
  gsize in_plane = (gsize) job->n * job->h * job->w, out_plane = (gsize) job->n * job->ho * job->wo;
  cxr_maxpool2d_forward (job->out + c0 * out_plane, job->argmax ? job->argmax + c0 * out_plane : NULL,
                         job->inp + c0 * in_plane,
                         c1 - c0, job->n, job->h, job->w, job->kernel, job->stride, job->padding);
}

void
cxr_maxpool2d_forward_parallel (float *out, gint32 *argmax, const float *inp, int channels, int n, int h, int w,
                                int kernel, int stride, int padding, CxrParallel *parallel)
{
  PoolJob job = { .out = out, .argmax = argmax, .inp = inp, .channels = channels, .n = n, .h = h, .w = w,
                  .ho = (h + 2 * padding - kernel) / stride + 1, .wo = (w + 2 * padding - kernel) / stride + 1,
                  .kernel = kernel, .stride = stride, .padding = padding };
  cxr_parallel_run (parallel, pool_forward_thread, &job);
}

static void
pool_backward_thread (int thread, int n_threads, gpointer data)
{
  const PoolJob *job = data;
  gsize c0, c1;
  cxr_parallel_split (job->channels, 1, thread, n_threads, &c0, &c1);
  if (c0 == c1)
    return;
  gsize in_plane = (gsize) job->n * job->h * job->w, out_plane = (gsize) job->n * job->ho * job->wo;
  cxr_maxpool2d_backward (job->out + c0 * in_plane, job->dout + c0 * out_plane, job->const_argmax + c0 * out_plane,
                          c1 - c0, job->n, job->h, job->w, job->ho, job->wo);
}

void
cxr_maxpool2d_backward_parallel (float *dinp, const float *dout, const gint32 *argmax, int channels, int n,
                                 int h, int w, int ho, int wo, CxrParallel *parallel)
{
  PoolJob job = { .out = dinp, .dout = dout, .const_argmax = argmax, .channels = channels, .n = n, .h = h, .w = w,
                  .ho = ho, .wo = wo };
  cxr_parallel_run (parallel, pool_backward_thread, &job);
}
