/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-winograd-grad.c: the 3x3 weight gradient by Winograd F(2x2, 3x3) (see cxr-winograd-grad.h).
 *
 *   B^T = | 1  0 -1  0 |   G = |  1    0    0  |   A = | 1  0 |
 *         | 0  1  1  0 |       | 1/2  1/2  1/2 |       | 1  1 |
 *         | 0 -1  1  0 |       | 1/2 -1/2  1/2 |       | 1 -1 |
 *         | 0  1  0 -1 |       |  0    0    1  |       | 0 -1 |
 * Point t = 4 i + j is row i, column j of the 4x4 transforms. */
#include "cxr-winograd-grad.h"

#include <string.h>

#include "cxr-cpu.h"
#include "cxr-gemm.h"
#include "cxr-transpose.h"

#define POINTS 16
/* Below this many tiles the 16 products are too narrow; im2col's single GEMM does as well. */
#define MIN_TILES 32
/* V, Z and Z^T of all tiles in one piece when they fit in this many floats (no accumulation pass) ... */
#define WHOLE_FLOATS (8u << 20)
/* ... else in chunks of tiles of at most this many floats. */
#define CHUNK_FLOATS (2u << 20)

typedef struct {
  int ho, wo, tiles_y, tiles_x;
  gsize tiles;       /* n * tiles_y * tiles_x */
  gsize per_chunk;
} Plan;

static Plan
plan_for (const CxrConvGeometry *g, int n, int h, int w)
{
  Plan p;
  p.ho = cxr_conv_out_size (h, 3, 1, g->pad_h);
  p.wo = cxr_conv_out_size (w, 3, 1, g->pad_w);
  p.tiles_y = (p.ho + 1) / 2;
  p.tiles_x = (p.wo + 1) / 2;
  p.tiles = (gsize) n * p.tiles_y * p.tiles_x;
  gsize per_tile = (gsize) POINTS * (g->in_channels + 2 * g->out_channels);
  p.per_chunk = p.tiles * per_tile <= WHOLE_FLOATS ? p.tiles : MAX (16, CHUNK_FLOATS / per_tile);
  return p;
}

gboolean
cxr_winograd_grad_preferred (const CxrConvGeometry *g, int n, int h, int w)
{
  if (g->kernel_h != 3 || g->kernel_w != 3 || g->stride_h != 1 || g->stride_w != 1
      || g->pad_h != g->pad_w || g->pad_h > 1)
    return FALSE;
  return plan_for (g, n, h, w).tiles >= MIN_TILES;
}

gsize
cxr_winograd_grad_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  Plan p = plan_for (g, n, h, w);
  gsize accumulators = p.per_chunk < p.tiles ? 2 : 1;
  return (gsize) POINTS * (g->in_channels + 2 * g->out_channels) * p.per_chunk
         + accumulators * POINTS * g->in_channels * g->out_channels;
}

/* ---- the transforms, 16 tiles at a time ------------------------------------------------------ */

typedef float v16sf __attribute__ ((vector_size (64)));

#define LOAD16(dst, p) memcpy (&(dst), (p), sizeof (v16sf))
#define STORE16(p, src) memcpy ((p), &(src), sizeof (v16sf))

/* Cells 2l + offset (even) and 2l + 1 + offset (odd) of 32 consecutive floats at p + offset. */
#define DEINTERLEAVE(even, odd, p)                                                          \
  do                                                                                        \
    {                                                                                       \
      v16sf lo_, hi_;                                                                       \
      LOAD16 (lo_, (p));                                                                    \
      LOAD16 (hi_, (p) + 16);                                                               \
      (even) = __builtin_shufflevector (lo_, hi_, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,  \
                                        24, 26, 28, 30);                                    \
      (odd) = __builtin_shufflevector (lo_, hi_, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23,   \
                                       25, 27, 29, 31);                                     \
    }                                                                                       \
  while (0)

/* V for tiles [tx0, tx1) of one row of tiles of one channel, from the four zero-padded input rows
 * around it (cell 2 tx + c of a row is column c of tile tx's patch). out[t * point_stride + k] is
 * point t of tile tx0 + k. */
CXR_TARGET_CLONES static void
input_transform_row (float *out, gsize point_stride, const float *const rows[4], int tx0, int tx1)
{
  int tx = tx0;
  for (; tx + 16 <= tx1; tx += 16)
    {
      v16sf h[4][4];
      for (int r = 0; r < 4; r++)
        {
          v16sf d0, d1, d2, d3;
          DEINTERLEAVE (d0, d1, rows[r] + 2 * tx);
          DEINTERLEAVE (d2, d3, rows[r] + 2 * tx + 2);
          h[r][0] = d0 - d2;
          h[r][1] = d1 + d2;
          h[r][2] = d2 - d1;
          h[r][3] = d1 - d3;
        }
      float *o = out + (tx - tx0);
      for (int j = 0; j < 4; j++)
        {
          v16sf v0 = h[0][j] - h[2][j], v1 = h[1][j] + h[2][j], v2 = h[2][j] - h[1][j], v3 = h[1][j] - h[3][j];
          STORE16 (o + (0 * 4 + j) * point_stride, v0);
          STORE16 (o + (1 * 4 + j) * point_stride, v1);
          STORE16 (o + (2 * 4 + j) * point_stride, v2);
          STORE16 (o + (3 * 4 + j) * point_stride, v3);
        }
    }
  for (; tx < tx1; tx++)
    {
      float h[4][4];
      for (int r = 0; r < 4; r++)
        {
          const float *d = rows[r] + 2 * tx;
          h[r][0] = d[0] - d[2];
          h[r][1] = d[1] + d[2];
          h[r][2] = d[2] - d[1];
          h[r][3] = d[1] - d[3];
        }
      float *o = out + (tx - tx0);
      for (int j = 0; j < 4; j++)
        {
          o[(0 * 4 + j) * point_stride] = h[0][j] - h[2][j];
          o[(1 * 4 + j) * point_stride] = h[1][j] + h[2][j];
          o[(2 * 4 + j) * point_stride] = h[2][j] - h[1][j];
          o[(3 * 4 + j) * point_stride] = h[1][j] - h[3][j];
        }
    }
}

/* Z for tiles [tx0, tx1) of one row of tiles of one output channel, from the two zero-padded rows
 * of dout (cells 2 tx and 2 tx + 1 are the tile's columns). */
CXR_TARGET_CLONES static void
output_transform_row (float *out, gsize point_stride, const float *top, const float *bottom, int tx0, int tx1)
{
  int tx = tx0;
  for (; tx + 16 <= tx1; tx += 16)
    {
      v16sf a, b, c, e;
      DEINTERLEAVE (a, b, top + 2 * tx);
      DEINTERLEAVE (c, e, bottom + 2 * tx);
      /* rows of A dY: [a, b], [a + c, b + e], [a - c, b - e], [-c, -e]; then times A^T on the right */
      v16sf r[4][2] = { { a, b }, { a + c, b + e }, { a - c, b - e }, { -c, -e } };
      float *o = out + (tx - tx0);
      for (int i = 0; i < 4; i++)
        {
          v16sf z0 = r[i][0], z1 = r[i][0] + r[i][1], z2 = r[i][0] - r[i][1], z3 = -r[i][1];
          STORE16 (o + (4 * i + 0) * point_stride, z0);
          STORE16 (o + (4 * i + 1) * point_stride, z1);
          STORE16 (o + (4 * i + 2) * point_stride, z2);
          STORE16 (o + (4 * i + 3) * point_stride, z3);
        }
    }
  for (; tx < tx1; tx++)
    {
      float a = top[2 * tx], b = top[2 * tx + 1], c = bottom[2 * tx], e = bottom[2 * tx + 1];
      float r[4][2] = { { a, b }, { a + c, b + e }, { a - c, b - e }, { -c, -e } };
      float *o = out + (tx - tx0);
      for (int i = 0; i < 4; i++)
        {
          o[(4 * i + 0) * point_stride] = r[i][0];
          o[(4 * i + 1) * point_stride] = r[i][0] + r[i][1];
          o[(4 * i + 2) * point_stride] = r[i][0] - r[i][1];
          o[(4 * i + 3) * point_stride] = -r[i][1];
        }
    }
}

typedef struct {
  const CxrConvGeometry *g;
  Plan p;
  int n, h, w;
  gsize t0, t1;                /* this chunk's tiles */
  const float *inp, *dout;
  float *v;                    /* [16, Cin, chunk] */
  float *z;                    /* [16, Cout, chunk] */
  float *zt;                   /* [16, chunk, Cout] */
  float *acc, *previous;       /* dU^T [16, Cin, Cout]: this chunk's sum, and the chunks' before (or NULL) */
  const float *dut;            /* back-transform: dU^T [16, Cin, Cout] */
  float *dweight;
} Job;

/* Copies row y of a plane (zeros outside) into a padded row: cell c holds column c - pad. */
static const float *
padded_row (float *row, int cells, const float *plane, int y, int rows, int width, int pad, const float *zero)
{
  if (y < 0 || y >= rows)
    return zero;
  int first = pad, last = MIN (cells, width + pad);
  memset (row, 0, sizeof (float) * first);
  memcpy (row + first, plane + (gsize) y * width, sizeof (float) * (last - first));
  memset (row + last, 0, sizeof (float) * (cells - last));
  return row;
}

/* A chunk's tiles row by row: tiles [tx0, tx1) of tile row ty of image b, the first of them at
 * position k of the chunk. */
typedef struct {
  int b, ty, tx0, tx1;
  gsize k;
} TileRow;

/* The row segment that starts at *tile; FALSE past the chunk's end. */
static gboolean
next_tile_row (const Job *job, gsize *tile, TileRow *row)
{
  if (*tile >= job->t1)
    return FALSE;
  int tiles_x = job->p.tiles_x;
  row->b = *tile / ((gsize) job->p.tiles_y * tiles_x);
  row->ty = *tile / tiles_x % job->p.tiles_y;
  row->tx0 = *tile % tiles_x;
  row->tx1 = (int) MIN ((gsize) tiles_x, row->tx0 + (job->t1 - *tile));
  row->k = *tile - job->t0;
  *tile += row->tx1 - row->tx0;
  return TRUE;
}

static void
input_transform_thread (int thread, int n_threads, gpointer data)
{
  const Job *job = data;
  const CxrConvGeometry *g = job->g;
  int pad = g->pad_h, h = job->h, w = job->w;
  gsize chunk = job->t1 - job->t0, c0, c1;
  gsize point_stride = (gsize) g->in_channels * chunk;
  /* 2 tiles_x + 2 cells cover every patch; 32 more let the last vector of tiles read zeros. */
  int cells = 2 * job->p.tiles_x + 2 + 32;
  g_autofree float *buffer = g_new0 (float, 5 * (gsize) cells);
  const float *zero = buffer + 4 * (gsize) cells;

  cxr_parallel_split (g->in_channels, 1, thread, n_threads, &c0, &c1);
  for (gsize ci = c0; ci < c1; ci++)
    {
      TileRow row;
      for (gsize tile = job->t0; next_tile_row (job, &tile, &row);)
        {
          const float *plane = job->inp + ((gsize) ci * job->n + row.b) * h * w;
          const float *rows[4];
          for (int r = 0; r < 4; r++)
            rows[r] = padded_row (buffer + (gsize) r * cells, cells, plane, 2 * row.ty - pad + r, h, w, pad, zero);
          input_transform_row (job->v + ci * chunk + row.k, point_stride, rows, row.tx0, row.tx1);
        }
    }
}

static void
output_transform_thread (int thread, int n_threads, gpointer data)
{
  const Job *job = data;
  int cout = job->g->out_channels, ho = job->p.ho, wo = job->p.wo;
  gsize chunk = job->t1 - job->t0, c0, c1;
  gsize point_stride = (gsize) cout * chunk;
  int cells = 2 * job->p.tiles_x + 32;
  g_autofree float *buffer = g_new0 (float, 3 * (gsize) cells);
  const float *zero = buffer + 2 * (gsize) cells;

  cxr_parallel_split (cout, 1, thread, n_threads, &c0, &c1);
  for (gsize co = c0; co < c1; co++)
    {
      TileRow row;
      for (gsize tile = job->t0; next_tile_row (job, &tile, &row);)
        {
          const float *plane = job->dout + ((gsize) co * job->n + row.b) * ho * wo;
          const float *top = padded_row (buffer, cells, plane, 2 * row.ty, ho, wo, 0, zero);
          const float *bottom = padded_row (buffer + cells, cells, plane, 2 * row.ty + 1, ho, wo, 0, zero);
          output_transform_row (job->z + co * chunk + row.k, point_stride, top, bottom, row.tx0, row.tx1);
        }
    }
}

/* Each thread its points: Z_t transposed to [chunk, Cout], then dU_t^T [Cin, Cout] = V_t Z_t^T
 * (+ the previous chunks'), on the calling thread's GEMM: 16 products of a chunk are narrow enough
 * that one per thread beats every product split over the team. */
static void
products_thread (int thread, int n_threads, gpointer data)
{
  const Job *job = data;
  int cin = job->g->in_channels, cout = job->g->out_channels;
  gsize chunk = job->t1 - job->t0, pairs = (gsize) cin * cout, p0, p1;
  cxr_parallel_split (POINTS, 1, thread, n_threads, &p0, &p1);
  for (gsize t = p0; t < p1; t++)
    {
      float *zt = job->zt + t * chunk * cout;
      cxr_transpose_strided (zt, cout, job->z + t * cout * chunk, chunk, cout, chunk, NULL);
      CxrEpilogue epilogue = { NULL, NULL, job->previous ? job->previous + t * pairs : NULL, cout, FALSE };
      cxr_gemm (NULL, cin, cout, chunk, job->v + t * cin * chunk, chunk, zt, cout, job->acc + t * pairs, cout,
                &epilogue);
    }
}

/* ---- dg += G^T dU G ------------------------------------------------------------------------- */

static void
weight_transform_thread (int thread, int n_threads, gpointer data)
{
  const Job *job = data;
  int cin = job->g->in_channels, cout = job->g->out_channels;
  gsize pairs = (gsize) cin * cout, c0, c1;
  cxr_parallel_split (cin, 1, thread, n_threads, &c0, &c1);
  for (gsize ci = c0; ci < c1; ci++)
    for (int co = 0; co < cout; co++)
      {
        float u[4][4], q[4][3];
        for (int t = 0; t < POINTS; t++)
          u[t / 4][t % 4] = job->dut[t * pairs + ci * cout + co];
        for (int i = 0; i < 4; i++)
          {
            q[i][0] = u[i][0] + 0.5f * (u[i][1] + u[i][2]);
            q[i][1] = 0.5f * (u[i][1] - u[i][2]);
            q[i][2] = 0.5f * (u[i][1] + u[i][2]) + u[i][3];
          }
        float *dw = job->dweight + ((gsize) co * cin + ci) * 9;
        for (int k = 0; k < 3; k++)
          {
            dw[0 * 3 + k] += q[0][k] + 0.5f * (q[1][k] + q[2][k]);
            dw[1 * 3 + k] += 0.5f * (q[1][k] - q[2][k]);
            dw[2 * 3 + k] += 0.5f * (q[1][k] + q[2][k]) + q[3][k];
          }
      }
}

void
cxr_winograd_weight_gradient (float *dweight, const float *dout, const float *inp, const CxrConvGeometry *g,
                              int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  Plan p = plan_for (g, n, h, w);
  int cin = g->in_channels, cout = g->out_channels;
  gsize pairs = (gsize) cin * cout;
  float *v = workspace;                                   /* [16, Cin, chunk] */
  float *z = v + (gsize) POINTS * cin * p.per_chunk;      /* [16, Cout, chunk] */
  float *zt = z + (gsize) POINTS * cout * p.per_chunk;    /* [16, chunk, Cout] */
  float *acc[2] = { zt + (gsize) POINTS * p.per_chunk * cout, NULL };
  acc[1] = acc[0] + POINTS * pairs;                       /* only when there are several chunks */
  int current = -1;

  for (gsize t0 = 0; t0 < p.tiles; t0 += p.per_chunk)
    {
      int next = current == 0 ? 1 : 0;
      Job job = { .g = g, .p = p, .n = n, .h = h, .w = w, .t0 = t0, .t1 = MIN (p.tiles, t0 + p.per_chunk),
                  .inp = inp, .dout = dout, .v = v, .z = z, .zt = zt, .acc = acc[next],
                  .previous = current >= 0 ? acc[current] : NULL };
      cxr_parallel_run (parallel, input_transform_thread, &job);
      cxr_parallel_run (parallel, output_transform_thread, &job);
      cxr_parallel_run (parallel, products_thread, &job);
      current = next;
    }
  Job job = { .g = g, .dut = acc[current], .dweight = dweight };
  cxr_parallel_run (parallel, weight_transform_thread, &job);
}
