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

/* Tiles per chunk of a tile row: bounds the stack scratch of the input transform. */
#define ROW_CHUNK 64

/* Below this many tiles (7x7 maps at batch 1: 16) the products are too narrow to pay for
 * streaming the transformed weights: im2col's GEMM is as fast. Measured with bench-forward. */
#define MIN_TILES 32

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

void
cxr_winograd_transform_weight (float *u, const float *weight, const CxrConvGeometry *g)
{
  gsize pairs = (gsize) g->out_channels * g->in_channels;
  for (gsize pair = 0; pair < pairs; pair++)
    {
      const float *k = weight + pair * 9;
      float gk[4][3];  /* G g */
      for (int i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++)
          gk[i][c] = G[i][0] * k[c] + G[i][1] * k[3 + c] + G[i][2] * k[6 + c];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
          u[(gsize) (4 * i + j) * pairs + pair] = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
    }
}

/* ---- geometry of a convolution's tiles ---------------------------------------------------- */

typedef struct {
  int ho, wo;          /* output plane */
  int tiles_y, tiles_x;
  gsize tiles_per_image;
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
  t.tiles_per_image = (gsize) t.tiles_y * t.tiles_x;
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
  return t.tiles_per_image * n >= MIN_TILES;
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
} Pass;

/* floor (a / 2) for either sign. */
static inline int
floor_half (int a)
{
  return a >= 0 ? a / 2 : -((1 - a) / 2);
}

/* even[j] = row[2 j - pad], odd[j] = row[2 j + 1 - pad] for j in [j0, j0 + count), zero outside
 * the row: the input columns of tiles j0 ... split by parity, so that tile tx reads positions tx
 * and tx + 1 of each, contiguously. */
static inline __attribute__ ((always_inline)) void
split_row (float *restrict even, float *restrict odd, const float *restrict row, int w, int pad,
           int j0, int count)
{
  /* [first, last): the tiles whose two columns are both inside the row, copied without checks. */
  int first = CLAMP (-floor_half (2 * j0 - pad), 0, count);
  int last = CLAMP (floor_half (w - 2 + pad - 2 * j0) + 1, first, count);
  const float *src = row + 2 * j0 - pad;

  for (int j = 0; j < count; j++)
    {
      if (j == first)
        {
          for (; j < last; j++)
            {
              even[j] = src[2 * j];
              odd[j] = src[2 * j + 1];
            }
          if (j == count)
            break;
        }
      int x = 2 * (j0 + j) - pad;
      even[j] = (x >= 0 && x < w) ? row[x] : 0.0f;
      odd[j] = (x + 1 >= 0 && x + 1 < w) ? row[x + 1] : 0.0f;
    }
}

/* V for the tiles [tx0, tx0 + count) of tile row ty of one (ci, image) plane. */
static inline __attribute__ ((always_inline)) void
input_tile_row (const Pass *p, const float *plane, int ty, int tx0, int count, float *v, gsize point_stride)
{
  float even[4][ROW_CHUNK + 1], odd[4][ROW_CHUNK + 1];
  float ce[4][ROW_CHUNK + 1], co[4][ROW_CHUNK + 1];

  for (int k = 0; k < 4; k++)
    {
      int y = 2 * ty - p->g->pad_h + k;
      if (y < 0 || y >= p->h)
        {
          memset (even[k], 0, sizeof (float) * (count + 1));
          memset (odd[k], 0, sizeof (float) * (count + 1));
        }
      else
        split_row (even[k], odd[k], plane + (gsize) y * p->w, p->w, p->g->pad_w, tx0, count + 1);
    }

  /* Column transform, B^T d: rows of the tile combined, for even and odd columns alike. */
  for (int j = 0; j <= count; j++)
    {
      ce[0][j] = even[0][j] - even[2][j];
      ce[1][j] = even[1][j] + even[2][j];
      ce[2][j] = even[2][j] - even[1][j];
      ce[3][j] = even[1][j] - even[3][j];
      co[0][j] = odd[0][j] - odd[2][j];
      co[1][j] = odd[1][j] + odd[2][j];
      co[2][j] = odd[2][j] - odd[1][j];
      co[3][j] = odd[1][j] - odd[3][j];
    }

  /* Row transform, (B^T d) B: tile j's columns 0..3 are ce[j], co[j], ce[j + 1], co[j + 1]. */
  for (int i = 0; i < 4; i++)
    {
      const float *e = ce[i], *o = co[i];
      float *restrict v0 = v + (gsize) (4 * i) * point_stride;
      float *restrict v1 = v0 + point_stride;
      float *restrict v2 = v1 + point_stride;
      float *restrict v3 = v2 + point_stride;
      for (int j = 0; j < count; j++)
        {
          v0[j] = e[j] - e[j + 1];
          v1[j] = o[j] + e[j + 1];
          v2[j] = e[j + 1] - o[j];
          v3[j] = o[j] - o[j + 1];
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

  for (gsize plane_index = begin; plane_index < end; plane_index++)
    {
      int ci = plane_index / p->images, image = plane_index % p->images;
      const float *plane = p->inp + ((gsize) ci * p->n + p->n0 + image) * p->h * p->w;
      float *v = p->v + (gsize) ci * p->tiles + image * p->t.tiles_per_image;
      for (int ty = 0; ty < p->t.tiles_y; ty++)
        for (int tx0 = 0; tx0 < p->t.tiles_x; tx0 += ROW_CHUNK)
          input_tile_row (p, plane, ty, tx0, MIN (ROW_CHUNK, p->t.tiles_x - tx0),
                          v + (gsize) ty * p->t.tiles_x + tx0, point_stride);
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
                  int pairs, gboolean tail, float scale, float shift, gboolean relu)
{
#define EPILOGUE(x, r) ({ float y_ = (x) * scale + shift + (r); relu && y_ < 0.0f ? 0.0f : y_; })
  if (res)
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

/* out for one tile row of one (co, image) plane: Y = A^T M A, then the epilogue. */
static inline __attribute__ ((always_inline)) void
output_tile_row (const Pass *p, const float *o, gsize point_stride, float *plane, const float *res_plane,
                 int ty, float scale, float shift)
{
  int tiles_x = p->t.tiles_x, wo = p->t.wo;
  float y00[ROW_CHUNK], y01[ROW_CHUNK], y10[ROW_CHUNK], y11[ROW_CHUNK];

  for (int tx0 = 0; tx0 < tiles_x; tx0 += ROW_CHUNK)
    {
      int count = MIN (ROW_CHUNK, tiles_x - tx0);
      const float *m = o + (gsize) ty * tiles_x + tx0;
      for (int j = 0; j < count; j++)
        {
          float s[4], d[4];
          for (int c = 0; c < 4; c++)
            {
              float m0 = m[(gsize) c * point_stride + j], m1 = m[(gsize) (4 + c) * point_stride + j];
              float m2 = m[(gsize) (8 + c) * point_stride + j], m3 = m[(gsize) (12 + c) * point_stride + j];
              s[c] = m0 + m1 + m2;
              d[c] = m1 - m2 - m3;
            }
          y00[j] = s[0] + s[1] + s[2];
          y01[j] = s[1] - s[2] - s[3];
          y10[j] = d[0] + d[1] + d[2];
          y11[j] = d[1] - d[2] - d[3];
        }

      /* Output columns [2 tx0, 2 tx0 + 2 count) clipped to the plane. */
      int x0 = 2 * tx0;
      int columns = MIN (2 * count, wo - x0);
      int pairs = columns / 2;
      gboolean tail = columns % 2;
      for (int r = 0; r < 2; r++)
        {
          int y = 2 * ty + r;
          if (y >= p->t.ho)
            break;
          gsize at = (gsize) y * wo + x0;
          store_output_row (plane + at, res_plane ? res_plane + at : NULL, r ? y10 : y00, r ? y11 : y01,
                            pairs, tail, scale, shift, p->relu);
        }
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

  for (gsize plane_index = begin; plane_index < end; plane_index++)
    {
      int co = plane_index / p->images, image = plane_index % p->images;
      gsize plane_at = ((gsize) co * p->n + p->n0 + image) * plane_size;
      const float *o = p->o + (gsize) co * p->tiles + image * p->t.tiles_per_image;
      float scale = p->scale ? p->scale[co] : 1.0f;
      float shift = p->shift ? p->shift[co] : 0.0f;
      for (int ty = 0; ty < p->t.tiles_y; ty++)
        output_tile_row (p, o, point_stride, p->out + plane_at, p->residual ? p->residual + plane_at : NULL,
                         ty, scale, shift);
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
  for (p.n0 = 0; p.n0 < n; p.n0 += p.images)
    {
      p.images = MIN (p.t.images_per_pass, n - p.n0);
      p.tiles = p.t.tiles_per_image * p.images;
      p.v = workspace;
      p.o = workspace + (gsize) POINTS * g->in_channels * p.tiles;

      cxr_parallel_run (parallel, input_transform_thread, &p);
      /* cxrcam's kernel runs one product per thread; OpenBLAS parallelises each product itself. */
      if (cxr_gemm_has_own_kernel ())
        cxr_parallel_run (parallel, products_thread, &p);
      else
        products_thread (0, 1, &p);
      cxr_parallel_run (parallel, output_transform_thread, &p);
    }
}

/* ---- the naive twin ------------------------------------------------------------------------ */

void
cxr_winograd_conv2d_forward_naive (float *out, const float *inp, const float *weight, const float *scale,
                                   const float *shift, const float *residual, gboolean relu,
                                   const CxrConvGeometry *g, int n, int h, int w)
{
  Tiling t = tiling_for (g, n, h, w);
  int cin = g->in_channels, cout = g->out_channels;
  g_autofree float *u = g_new (float, cxr_winograd_weight_floats (g));
  cxr_winograd_transform_weight (u, weight, g);
  gsize pairs = (gsize) cout * cin;

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
