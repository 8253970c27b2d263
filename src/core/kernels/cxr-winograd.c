/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-winograd.h"

#include <string.h>

#include "cxr-cpu.h"
#include "cxr-gemm.h"

/* F(2x2, 3x3) (Lavin & Gray, section 4.1):
 *   B^T = | 1  0 -1  0 |   G = |  1    0    0  |   A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |       | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
 *         | 0 -1  1  0 |       | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |       |  0    0    1  |
 * Point t = 4 i + j of the 4x4 transform is row i, column j. The fast path spells these products
 * out (adds and subtracts only); the naive path multiplies by the matrices. */
static const float BT[4][4] = { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } };
static const float G[4][3] = { { 1, 0, 0 }, { 0.5f, 0.5f, 0.5f }, { 0.5f, -0.5f, 0.5f }, { 0, 0, 1 } };
static const float AT[2][4] = { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } };

#define POINTS CXR_WINOGRAD_POINTS

/* "No loop-carried dependence through memory": the transforms write 16 streams that never alias
 * what they read, more than the vectoriser's run-time alias checks will cover. */
#if defined(__clang__)
#define CXR_IVDEP _Pragma ("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define CXR_IVDEP _Pragma ("GCC ivdep")
#else
#define CXR_IVDEP
#endif

/* Below this many tiles (7x7 maps at batch 1: 16) the products are too narrow to pay for
 * streaming the transformed weights: im2col's GEMM is as fast. Measured with bench-forward. */
#define MIN_TILES 32

/* The transformed weights live as long as the network, 16/9 of the raw ones: 16.8 MB for each of
 * ResNet-50's 512x512 convolutions. On their 7x7 maps Winograd gains ~20% of two convolutions, not
 * worth 34 MB of resident memory until the batch is large. */
#define BIG_WEIGHT_FLOATS (4u << 20)
#define BIG_WEIGHT_MIN_TILES 512

/* V and O of one pass stay under this many floats (more images are done in several passes). */
#define PASS_FLOATS (2u << 20)

gboolean
cxr_winograd_supports (const CxrConvGeometry *g)
{
  return g->kernel_h == 3 && g->kernel_w == 3 && g->stride_h == 1 && g->stride_w == 1;
}

gsize
cxr_winograd_weight_floats (const CxrConvGeometry *g)
{
  return (gsize) POINTS * g->out_channels * g->in_channels;
}

typedef float v16sf __attribute__ ((vector_size (64)));

/* Winograd's weight transform U = G g G^T (cxr-winograd.h's layout [16, Cout, Cin], point
 * t = 4 i + j), 16 kernels at a time: their nine taps gathered into vectors, G's products spelled
 * out (G holds only 0, 1 and 1/2, so these adds and halvings round exactly as the matrix products
 * G g G^T of the naive twin do), each point's 16 values stored contiguously. Training's weights
 * change every step, so this runs twice per 3x3 convolution per step: a scalar transform with
 * sixteen strided stores per kernel cost a tenth of a ResNet-18 step. */
CXR_TARGET_CLONES static void
transform_pairs (float *u, const float *weight, gsize pairs, gsize begin, gsize end)
{
  for (gsize p = begin; p < end; p += 16)
    {
      /* The last group of a range may be short: its missing lanes are zeros, computed and not stored. */
      int lanes = (int) MIN (16, end - p);
      v16sf k[9] = { { 0 } };
      for (int t = 0; t < 9; t++)
        for (int l = 0; l < lanes; l++)
          k[t][l] = weight[(p + l) * 9 + t];
      v16sf gk[4][3];
      for (int c = 0; c < 3; c++)
        {
          gk[0][c] = k[c];
          gk[1][c] = 0.5f * ((k[c] + k[3 + c]) + k[6 + c]);
          gk[2][c] = 0.5f * ((k[c] - k[3 + c]) + k[6 + c]);
          gk[3][c] = k[6 + c];
        }
      for (int i = 0; i < 4; i++)
        {
          v16sf row[4] = { gk[i][0], 0.5f * ((gk[i][0] + gk[i][1]) + gk[i][2]),
                           0.5f * ((gk[i][0] - gk[i][1]) + gk[i][2]), gk[i][2] };
          for (int j = 0; j < 4; j++)
            if (lanes == 16)
              memcpy (u + (gsize) (4 * i + j) * pairs + p, &row[j], sizeof (v16sf));
            else
              memcpy (u + (gsize) (4 * i + j) * pairs + p, &row[j], sizeof (float) * lanes);
        }
    }
}

typedef struct {
  float *u;
  const float *weight;
  gsize pairs;
} TransformJob;

static void
transform_thread (int thread, int n_threads, gpointer data)
{
  const TransformJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->pairs, 16, thread, n_threads, &begin, &end);
  transform_pairs (job->u, job->weight, job->pairs, begin, end);
}

void
cxr_winograd_transform_weight (float *u, const float *weight, const CxrConvGeometry *g, CxrParallel *parallel)
{
  TransformJob job = { u, weight, (gsize) g->out_channels * g->in_channels };
  cxr_parallel_run (parallel, transform_thread, &job);
}

/* ---- geometry of a convolution's tiles ---------------------------------------------------- */

/* Tiles are numbered row by row, each row of tiles_x tiles followed by one padding tile (its
 * slot is computed on, then ignored): with a row stride of tiles_x + 1 the transforms can run
 * along a whole chunk of tile rows as one long vector loop, its neighbours at fixed offsets. */
typedef struct {
  int ho, wo;          /* output plane */
  int tiles_y, tiles_x;
  int stride;          /* tiles_x + 1 */
  gsize tiles_per_image;  /* slots: tiles_y * stride */
  int images_per_pass;
} Tiling;

static Tiling
tiling_for (const CxrConvGeometry *g, int n, int h, int w)
{
  Tiling t;
  t.ho = cxr_conv_out_size (h, 3, 1, g->pad_h);
  t.wo = cxr_conv_out_size (w, 3, 1, g->pad_w);
  t.tiles_y = (t.ho + 1) / 2;
  t.tiles_x = (t.wo + 1) / 2;
  t.stride = t.tiles_x + 1;
  t.tiles_per_image = (gsize) t.tiles_y * t.stride;
  gsize per_image = POINTS * t.tiles_per_image * (g->in_channels + g->out_channels);
  t.images_per_pass = CLAMP ((int) (PASS_FLOATS / MAX (per_image, 1)), 1, n);
  return t;
}

gboolean
cxr_winograd_preferred (const CxrConvGeometry *g, int n, int h, int w)
{
  if (!cxr_winograd_supports (g))
    return FALSE;
  Tiling t = tiling_for (g, n, h, w);
  gsize tiles = (gsize) t.tiles_y * t.tiles_x * n;
  if (cxr_winograd_weight_floats (g) > BIG_WEIGHT_FLOATS)
    return tiles >= BIG_WEIGHT_MIN_TILES;
  return tiles >= MIN_TILES;
}

gsize
cxr_winograd_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  Tiling t = tiling_for (g, n, h, w);
  return POINTS * t.tiles_per_image * t.images_per_pass * (g->in_channels + g->out_channels);
}

/* ---- the fast path ------------------------------------------------------------------------- */

typedef struct {
  const CxrConvGeometry *g;
  Tiling t;
  int n, h, w;
  int n0, images;      /* this pass: images [n0, n0 + images) */
  gsize tiles;         /* in this pass */
  const float *inp;
  const float *u;
  float *v;            /* [16, Cin, tiles] */
  float *o;            /* [16, Cout, tiles] */
  float *out;
  const float *scale, *shift, *residual;
  gboolean relu;
  gboolean accumulate;  /* out += the convolution (no scale, shift, residual or ReLU) */
} Pass;

/* floor (a / 2) for either sign. */
static inline int
floor_half (int a)
{
  return a >= 0 ? a / 2 : -((1 - a) / 2);
}

/* Scratch per thread for a chunk of tile rows, on the stack (larger planes take more chunks). */
#define SCRATCH_FLOATS 8192

/* Tile rows per chunk: the input's phases take 4 ((rows + 1) stride + 1) floats, the output's
 * 4 rows stride. At least 1 (the scratch then comes from the heap: planes over ~4000 px wide). */
static int
rows_per_chunk (const Tiling *t)
{
  return CLAMP ((SCRATCH_FLOATS / 4 - 1) / t->stride - 1, 1, t->tiles_y);
}

static gsize
scratch_floats (const Tiling *t, int rows)
{
  return 4 * ((gsize) (rows + 1) * t->stride + 1);
}

/* even[j] = row[2 j - pad], odd[j] = row[2 j + 1 - pad] for j in [0, count), zero outside the row. */
static inline __attribute__ ((always_inline)) void
split_row (float *restrict even, float *restrict odd, const float *restrict row, int w, int pad, int count)
{
  /* [first, last): the j whose two columns are both inside the row, copied without checks. */
  int first = CLAMP (-floor_half (-pad), 0, count);
  int last = CLAMP (floor_half (w - 2 + pad) + 1, first, count);
  const float *src = row - pad;

  for (int j = 0; j < first; j++)
    {
      int x = 2 * j - pad;
      even[j] = (x >= 0 && x < w) ? row[x] : 0.0f;
      odd[j] = (x + 1 >= 0 && x + 1 < w) ? row[x + 1] : 0.0f;
    }
  for (int j = first; j < last; j++)
    {
      even[j] = src[2 * j];
      odd[j] = src[2 * j + 1];
    }
  for (int j = last; j < count; j++)
    {
      int x = 2 * j - pad;
      even[j] = (x >= 0 && x < w) ? row[x] : 0.0f;
      odd[j] = (x + 1 >= 0 && x + 1 < w) ? row[x + 1] : 0.0f;
    }
}

/* V for tile rows [ty0, ty0 + rows) of one (ci, image) plane.
 *
 * The zero-padded input is first split into its four 2x2 phases, phase[r][c][q][j] = input at
 * (2 q + r - pad, 2 j + c - pad), so that row k and column l of the 4x4 input tile of slot
 * s = ty stride + tx sit at phase[k % 2][l % 2] at s + (k / 2) stride + l / 2: every term of
 * B^T d B becomes one unit-stride vector over all the slots of the chunk. */
static inline __attribute__ ((always_inline)) void
input_chunk (const Pass *p, const float *plane, int ty0, int rows, float *scratch, float *v, gsize point_stride)
{
  const int stride = p->t.stride, pad_h = p->g->pad_h, pad_w = p->g->pad_w;
  const gsize phase_size = (gsize) (rows + 1) * stride + 1;
  float *phase[2][2] = {
    { scratch, scratch + phase_size }, { scratch + 2 * phase_size, scratch + 3 * phase_size },
  };

  for (int q = 0; q <= rows; q++)
    for (int r = 0; r < 2; r++)
      {
        int y = 2 * (ty0 + q) + r - pad_h;
        float *even = phase[r][0] + (gsize) q * stride, *odd = phase[r][1] + (gsize) q * stride;
        if (y < 0 || y >= p->h)
          {
            memset (even, 0, sizeof (float) * stride);
            memset (odd, 0, sizeof (float) * stride);
          }
        else
          split_row (even, odd, plane + (gsize) y * p->w, p->w, pad_w, stride);
      }
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < 2; c++)
      phase[r][c][phase_size - 1] = 0.0f;  /* read by the last padding slot only */

  /* d<k><l>: row k, column l of every slot's input tile. */
  const float *e0 = phase[0][0], *o0 = phase[0][1], *e1 = phase[1][0], *o1 = phase[1][1];
  const float *e2 = e0 + stride, *o2 = o0 + stride, *e3 = e1 + stride, *o3 = o1 + stride;
  float *restrict vp[POINTS];
  for (int t = 0; t < POINTS; t++)
    vp[t] = v + t * point_stride;

  gsize slots = (gsize) rows * stride;
  CXR_IVDEP
  for (gsize s = 0; s < slots; s++)
    {
      /* Columns 0..3 of rows 0..3, then B^T d (rows combined), then (B^T d) B (columns). */
      float d00 = e0[s], d01 = o0[s], d02 = e0[s + 1], d03 = o0[s + 1];
      float d10 = e1[s], d11 = o1[s], d12 = e1[s + 1], d13 = o1[s + 1];
      float d20 = e2[s], d21 = o2[s], d22 = e2[s + 1], d23 = o2[s + 1];
      float d30 = e3[s], d31 = o3[s], d32 = e3[s + 1], d33 = o3[s + 1];
      float b[4][4] = {
        { d00 - d20, d01 - d21, d02 - d22, d03 - d23 },
        { d10 + d20, d11 + d21, d12 + d22, d13 + d23 },
        { d20 - d10, d21 - d11, d22 - d12, d23 - d13 },
        { d10 - d30, d11 - d31, d12 - d32, d13 - d33 },
      };
      for (int i = 0; i < 4; i++)
        {
          vp[4 * i + 0][s] = b[i][0] - b[i][2];
          vp[4 * i + 1][s] = b[i][1] + b[i][2];
          vp[4 * i + 2][s] = b[i][2] - b[i][1];
          vp[4 * i + 3][s] = b[i][1] - b[i][3];
        }
    }
}

/* V [16, Cin, tiles] for this thread's share of the (ci, image) planes. */
CXR_TARGET_CLONES static void
input_transform_thread (int thread, int n_threads, gpointer data)
{
  const Pass *p = data;
  gsize begin, end;
  cxr_parallel_split ((gsize) p->g->in_channels * p->images, 1, thread, n_threads, &begin, &end);
  gsize point_stride = (gsize) p->g->in_channels * p->tiles;
  int rows = rows_per_chunk (&p->t);
  float stack_scratch[SCRATCH_FLOATS] __attribute__ ((aligned (64)));
  g_autofree float *heap_scratch = NULL;
  float *scratch = stack_scratch;
  if (scratch_floats (&p->t, rows) > SCRATCH_FLOATS)
    scratch = heap_scratch = g_new (float, scratch_floats (&p->t, rows));

  for (gsize plane_index = begin; plane_index < end; plane_index++)
    {
      int ci = plane_index / p->images, image = plane_index % p->images;
      const float *plane = p->inp + ((gsize) ci * p->n + p->n0 + image) * p->h * p->w;
      float *v = p->v + (gsize) ci * p->tiles + image * p->t.tiles_per_image;
      for (int ty0 = 0; ty0 < p->t.tiles_y; ty0 += rows)
        input_chunk (p, plane, ty0, MIN (rows, p->t.tiles_y - ty0), scratch,
                     v + (gsize) ty0 * p->t.stride, point_stride);
    }
}

/* O_t [Cout, tiles] = U_t [Cout, Cin] x V_t [Cin, tiles] for this thread's points. */
static void
products_thread (int thread, int n_threads, gpointer data)
{
  const Pass *p = data;
  int cout = p->g->out_channels, cin = p->g->in_channels;
  gsize begin, end;
  cxr_parallel_split (POINTS, 1, thread, n_threads, &begin, &end);
  for (gsize t = begin; t < end; t++)
    cxr_gemm (NULL, cout, p->tiles, cin, p->u + t * cout * cin, cin, p->v + t * cin * p->tiles, p->tiles,
              p->o + t * cout * p->tiles, p->tiles, NULL);
}

/* dst[2j] = f (a[j]), dst[2j + 1] = f (b[j]) for j < pairs, then dst[2 pairs] = f (a[pairs]) if
 * tail: one output row of a row of tiles, with the epilogue f (x) = relu? (x * scale + shift + r). */
static inline __attribute__ ((always_inline)) void
store_output_row (float *restrict dst, const float *restrict res, const float *restrict a, const float *restrict b,
                  int pairs, gboolean tail, float scale, float shift, gboolean relu, gboolean accumulate)
{
#define EPILOGUE(x, r) ({ float y_ = (x) * scale + shift + (r); relu && y_ < 0.0f ? 0.0f : y_; })
  if (accumulate)
    {
      for (int j = 0; j < pairs; j++)
        {
          dst[2 * j] += a[j];
          dst[2 * j + 1] += b[j];
        }
      if (tail)
        dst[2 * pairs] += a[pairs];
    }
  else if (res)
    {
      for (int j = 0; j < pairs; j++)
        {
          dst[2 * j] = EPILOGUE (a[j], res[2 * j]);
          dst[2 * j + 1] = EPILOGUE (b[j], res[2 * j + 1]);
        }
      if (tail)
        dst[2 * pairs] = EPILOGUE (a[pairs], res[2 * pairs]);
    }
  else
    {
      for (int j = 0; j < pairs; j++)
        {
          dst[2 * j] = EPILOGUE (a[j], 0.0f);
          dst[2 * j + 1] = EPILOGUE (b[j], 0.0f);
        }
      if (tail)
        dst[2 * pairs] = EPILOGUE (a[pairs], 0.0f);
    }
#undef EPILOGUE
}

/* out for tile rows [ty0, ty0 + rows) of one (co, image) plane: Y = A^T M A over all the slots of
 * the chunk as one vector loop, then the epilogue while the 2x2 outputs are put in place. */
static inline __attribute__ ((always_inline)) void
output_chunk (const Pass *p, const float *o, gsize point_stride, float *plane, const float *res_plane,
              int ty0, int rows, float *scratch, float scale, float shift)
{
  const int stride = p->t.stride, wo = p->t.wo;
  const gsize slots = (gsize) rows * stride;
  float *restrict y00 = scratch, *restrict y01 = scratch + slots;
  float *restrict y10 = scratch + 2 * slots, *restrict y11 = scratch + 3 * slots;
  const float *m[POINTS];
  for (int t = 0; t < POINTS; t++)
    m[t] = o + t * point_stride + (gsize) ty0 * stride;

  CXR_IVDEP
  for (gsize s = 0; s < slots; s++)
    {
      float sum[4], diff[4];  /* A^T M: rows of M combined, for each column */
      for (int c = 0; c < 4; c++)
        {
          float m0 = m[c][s], m1 = m[4 + c][s], m2 = m[8 + c][s], m3 = m[12 + c][s];
          sum[c] = m0 + m1 + m2;
          diff[c] = m1 - m2 - m3;
        }
      y00[s] = sum[0] + sum[1] + sum[2];
      y01[s] = sum[1] - sum[2] - sum[3];
      y10[s] = diff[0] + diff[1] + diff[2];
      y11[s] = diff[1] - diff[2] - diff[3];
    }

  int pairs = wo / 2;
  gboolean tail = wo % 2;
  for (int q = 0; q < rows; q++)
    for (int r = 0; r < 2; r++)
      {
        int y = 2 * (ty0 + q) + r;
        if (y >= p->t.ho)
          break;
        gsize at = (gsize) y * wo, slot = (gsize) q * stride;
        store_output_row (plane + at, res_plane ? res_plane + at : NULL, (r ? y10 : y00) + slot,
                          (r ? y11 : y01) + slot, pairs, tail, scale, shift, p->relu, p->accumulate);
      }
}

CXR_TARGET_CLONES static void
output_transform_thread (int thread, int n_threads, gpointer data)
{
  const Pass *p = data;
  gsize begin, end;
  cxr_parallel_split ((gsize) p->g->out_channels * p->images, 1, thread, n_threads, &begin, &end);
  gsize point_stride = (gsize) p->g->out_channels * p->tiles;
  gsize plane_size = (gsize) p->t.ho * p->t.wo;
  int rows = rows_per_chunk (&p->t);
  float stack_scratch[SCRATCH_FLOATS] __attribute__ ((aligned (64)));
  g_autofree float *heap_scratch = NULL;
  float *scratch = stack_scratch;
  if (scratch_floats (&p->t, rows) > SCRATCH_FLOATS)
    scratch = heap_scratch = g_new (float, scratch_floats (&p->t, rows));

  for (gsize plane_index = begin; plane_index < end; plane_index++)
    {
      int co = plane_index / p->images, image = plane_index % p->images;
      gsize plane_at = ((gsize) co * p->n + p->n0 + image) * plane_size;
      const float *o = p->o + (gsize) co * p->tiles + image * p->t.tiles_per_image;
      float scale = p->scale ? p->scale[co] : 1.0f;
      float shift = p->shift ? p->shift[co] : 0.0f;
      for (int ty0 = 0; ty0 < p->t.tiles_y; ty0 += rows)
        output_chunk (p, o, point_stride, p->out + plane_at, p->residual ? p->residual + plane_at : NULL,
                      ty0, MIN (rows, p->t.tiles_y - ty0), scratch, scale, shift);
    }
}

static void
run_passes (Pass *p, float *workspace, CxrParallel *parallel)
{
  const CxrConvGeometry *g = p->g;
  for (p->n0 = 0; p->n0 < p->n; p->n0 += p->images)
    {
      p->images = MIN (p->t.images_per_pass, p->n - p->n0);
      p->tiles = p->t.tiles_per_image * p->images;
      p->v = workspace;
      p->o = workspace + (gsize) POINTS * g->in_channels * p->tiles;

      cxr_parallel_run (parallel, input_transform_thread, p);
      /* cxrcam's kernel runs one product per thread; OpenBLAS parallelises each product itself. */
      if (cxr_gemm_has_own_kernel ())
        cxr_parallel_run (parallel, products_thread, p);
      else
        products_thread (0, 1, p);
      cxr_parallel_run (parallel, output_transform_thread, p);
    }
}

void
cxr_winograd_conv2d_forward (float *out, const float *inp, const float *u, const float *scale, const float *shift,
                             const float *residual, gboolean relu, const CxrConvGeometry *g, int n, int h, int w,
                             float *workspace, CxrParallel *parallel)
{
  g_assert (cxr_winograd_supports (g));
  g_assert (out != inp && out != residual);

  Pass p = {
    .g = g, .t = tiling_for (g, n, h, w), .n = n, .h = h, .w = w,
    .inp = inp, .u = u, .out = out, .scale = scale, .shift = shift, .residual = residual, .relu = relu,
  };
  run_passes (&p, workspace, parallel);
}

void
cxr_winograd_conv2d_accumulate (float *out, const float *inp, const float *u, const CxrConvGeometry *g,
                                int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  g_assert (cxr_winograd_supports (g));
  g_assert (out != inp);

  Pass p = { .g = g, .t = tiling_for (g, n, h, w), .n = n, .h = h, .w = w, .inp = inp, .u = u, .out = out,
             .accumulate = TRUE };
  run_passes (&p, workspace, parallel);
}

/* ---- the naive twin ------------------------------------------------------------------------ */

void
cxr_winograd_conv2d_forward_naive (float *out, const float *inp, const float *weight, const float *scale,
                                   const float *shift, const float *residual, gboolean relu,
                                   const CxrConvGeometry *g, int n, int h, int w)
{
  Tiling t = tiling_for (g, n, h, w);
  int cin = g->in_channels, cout = g->out_channels;
  gsize pairs = (gsize) cout * cin;
  g_autofree float *u = g_new (float, cxr_winograd_weight_floats (g));
  for (gsize pair = 0; pair < pairs; pair++)
    {
      /* U = G g G^T by the matrices */
      const float *k = weight + pair * 9;
      float gk[4][3];
      for (int i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++)
          gk[i][c] = G[i][0] * k[c] + G[i][1] * k[3 + c] + G[i][2] * k[6 + c];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
          u[(gsize) (4 * i + j) * pairs + pair] = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
    }

  for (int co = 0; co < cout; co++)
    for (int b = 0; b < n; b++)
      for (int ty = 0; ty < t.tiles_y; ty++)
        for (int tx = 0; tx < t.tiles_x; tx++)
          {
            float m[4][4] = { { 0 } };
            for (int ci = 0; ci < cin; ci++)
              {
                /* d: the 4x4 input tile; v = B^T d B */
                float d[4][4], bd[4][4], v[4][4];
                for (int k = 0; k < 4; k++)
                  for (int l = 0; l < 4; l++)
                    {
                      int y = 2 * ty - g->pad_h + k, x = 2 * tx - g->pad_w + l;
                      d[k][l] = (y >= 0 && y < h && x >= 0 && x < w) ? inp[(((gsize) ci * n + b) * h + y) * w + x] : 0.0f;
                    }
                for (int i = 0; i < 4; i++)
                  for (int l = 0; l < 4; l++)
                    bd[i][l] = BT[i][0] * d[0][l] + BT[i][1] * d[1][l] + BT[i][2] * d[2][l] + BT[i][3] * d[3][l];
                for (int i = 0; i < 4; i++)
                  for (int j = 0; j < 4; j++)
                    v[i][j] = bd[i][0] * BT[j][0] + bd[i][1] * BT[j][1] + bd[i][2] * BT[j][2] + bd[i][3] * BT[j][3];
                for (int i = 0; i < 4; i++)
                  for (int j = 0; j < 4; j++)
                    m[i][j] += u[(gsize) (4 * i + j) * pairs + (gsize) co * cin + ci] * v[i][j];
              }
            /* Y = A^T M A, then the epilogue */
            float am[2][4];
            for (int a = 0; a < 2; a++)
              for (int j = 0; j < 4; j++)
                am[a][j] = AT[a][0] * m[0][j] + AT[a][1] * m[1][j] + AT[a][2] * m[2][j] + AT[a][3] * m[3][j];
            for (int a = 0; a < 2; a++)
              for (int c = 0; c < 2; c++)
                {
                  int y = 2 * ty + a, x = 2 * tx + c;
                  if (y >= t.ho || x >= t.wo)
                    continue;
                  float value = am[a][0] * AT[c][0] + am[a][1] * AT[c][1] + am[a][2] * AT[c][2] + am[a][3] * AT[c][3];
                  gsize at = (((gsize) co * n + b) * t.ho + y) * t.wo + x;
                  if (scale)
                    value *= scale[co];
                  if (shift)
                    value += shift[co];
                  if (residual)
                    value += residual[at];
                  if (relu && value < 0.0f)
                    value = 0.0f;
                  out[at] = value;
                }
          }
}
