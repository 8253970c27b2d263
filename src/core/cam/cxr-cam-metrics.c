/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-metrics.c: the pointing game, the confidence change and ROAD (definitions in cxr-cam-metrics.h). */
#include "cxr-cam-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-resnet.h"

const int cxr_road_percentiles[CXR_ROAD_N_PERCENTILES] = { 10, 20, 30, 40, 50, 60, 70, 80, 90 };

gboolean
cxr_cam_pointing_hit (const float *cam, int width, int height, const CxrRect *truth, guint n_truth, int *x, int *y)
{
  gsize n = (gsize) width * height, at = 0;
  for (gsize i = 1; i < n; i++)
    if (cam[i] > cam[at])   /* strictly: the first maximum in raster order */
      at = i;
  int px = (int) (at % width), py = (int) (at / width);
  if (x)
    *x = px;
  if (y)
    *y = py;
  double cx = px + 0.5, cy = py + 0.5;
  for (guint t = 0; t < n_truth; t++)
    if (cx >= truth[t].x && cx < truth[t].x + truth[t].w && cy >= truth[t].y && cy < truth[t].y + truth[t].h)
      return TRUE;
  return FALSE;
}

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* np.percentile's "linear" method on already sorted values, with numpy's _lerp (computed from the upper end when
 * the fraction is at least one half). */
static double
percentile_sorted (const float *sorted, gsize n, double q)
{
  double index = q / 100.0 * (double) (n - 1);
  gsize below = (gsize) floor (index);
  gsize above = MIN (below + 1, n - 1);
  double t = index - (double) below, a = sorted[below], b = sorted[above], diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

double
cxr_percentile (const float *values, gsize n, double q)
{
  g_return_val_if_fail (n > 0, NAN);
  g_autofree float *sorted = g_memdup2 (values, sizeof (float) * n);
  qsort (sorted, n, sizeof (float), compare_floats);
  return percentile_sorted (sorted, n, q);
}

/* ---- the imputation's linear system ------------------------------------------------------------------------ *
 *
 * Unknown pixel i: sum_j w_ij (x_i - x_j) = 0 over its neighbours j inside the image, known ones moved to the
 * right-hand side. The matrix is symmetric (w is the same both ways) and positive definite whenever some pixel is
 * known. Every level stores it as nine coefficients per cell (offsets dy, dx in -1 ... 1, raster order; 4 is the
 * diagonal); a coarse level is the Galerkin product P^T A P with P piecewise constant over 2 x 2 cells. Vectors
 * live on grids padded by one cell, so that the stencil never leaves them. */

#define CENTRE 4
#define COARSEST_CELLS 64
#define SMOOTHING_STEPS 1
#define COARSEST_STEPS 30
#define MAX_ITERATIONS 300
#define TOLERANCE 1e-6

/* road.py's neighbors_weights, by offset (dy, dx). */
static const double neighbour_weight[9] = {
  1.0 / 12, 1.0 / 6, 1.0 / 12,
  1.0 / 6,  0.0,     1.0 / 6,
  1.0 / 12, 1.0 / 6, 1.0 / 12,
};

typedef struct {
  int width, height, stride;  /* stride = width + 2 */
  guint8 *unknown;            /* [height, width] */
  double *coeff;              /* [height, width, 9] */
  double *x, *rhs, *residual; /* padded [(height + 2), stride] */
} Level;

static inline gsize
padded (const Level *l, int y, int x)
{
  return (gsize) (y + 1) * l->stride + (x + 1);
}

static void
level_init (Level *l, int width, int height)
{
  l->width = width;
  l->height = height;
  l->stride = width + 2;
  gsize cells = (gsize) width * height, grid = (gsize) (height + 2) * l->stride;
  l->unknown = g_new0 (guint8, cells);
  l->coeff = g_new0 (double, cells * 9);
  l->x = g_new0 (double, grid);
  l->rhs = g_new0 (double, grid);
  l->residual = g_new0 (double, grid);
}

static void
level_clear (Level *l)
{
  g_free (l->unknown);
  g_free (l->coeff);
  g_free (l->x);
  g_free (l->rhs);
  g_free (l->residual);
}

/* y = A x at the unknown cells (0 elsewhere). */
static void
apply (const Level *l, const double *x, double *y)
{
  for (int r = 0; r < l->height; r++)
    for (int c = 0; c < l->width; c++)
      {
        gsize i = padded (l, r, c);
        if (!l->unknown[(gsize) r * l->width + c])
          {
            y[i] = 0.0;
            continue;
          }
        const double *k = l->coeff + ((gsize) r * l->width + c) * 9;
        const double *up = x + i - l->stride, *mid = x + i, *down = x + i + l->stride;
        y[i] = k[0] * up[-1] + k[1] * up[0] + k[2] * up[1] + k[3] * mid[-1] + k[4] * mid[0] + k[5] * mid[1]
               + k[6] * down[-1] + k[7] * down[0] + k[8] * down[1];
      }
}

/* One Gauss-Seidel sweep on A x = rhs, forwards or backwards (the two are each other's adjoint, which keeps the
 * V-cycle symmetric). */
static void
gauss_seidel (Level *l, gboolean backwards)
{
  int n = l->width * l->height;
  for (int step = 0; step < n; step++)
    {
      int cell = backwards ? n - 1 - step : step;
      if (!l->unknown[cell])
        continue;
      int r = cell / l->width, c = cell % l->width;
      gsize i = padded (l, r, c);
      const double *k = l->coeff + (gsize) cell * 9;
      const double *x = l->x;
      double off = k[0] * x[i - l->stride - 1] + k[1] * x[i - l->stride] + k[2] * x[i - l->stride + 1]
                   + k[3] * x[i - 1] + k[5] * x[i + 1]
                   + k[6] * x[i + l->stride - 1] + k[7] * x[i + l->stride] + k[8] * x[i + l->stride + 1];
      l->x[i] = (l->rhs[i] - off) / k[CENTRE];
    }
}

/* The next coarser level: a cell is unknown when any of its 2 x 2 children is; A_c = P^T A P. */
static void
coarsen (const Level *fine, Level *coarse)
{
  level_init (coarse, (fine->width + 1) / 2, (fine->height + 1) / 2);
  for (int r = 0; r < fine->height; r++)
    for (int c = 0; c < fine->width; c++)
      {
        gsize cell = (gsize) r * fine->width + c;
        if (!fine->unknown[cell])
          continue;
        int pr = r / 2, pc = c / 2;
        gsize parent = (gsize) pr * coarse->width + pc;
        coarse->unknown[parent] = 1;
        const double *k = fine->coeff + cell * 9;
        for (int o = 0; o < 9; o++)
          {
            if (k[o] == 0.0)
              continue;
            int nr = r + o / 3 - 1, nc = c + o % 3 - 1;   /* an unknown neighbour (known ones have 0) */
            int dr = nr / 2 - pr, dc = nc / 2 - pc;
            coarse->coeff[parent * 9 + (dr + 1) * 3 + (dc + 1)] += k[o];
          }
      }
}

typedef struct {
  Level *levels;
  int n_levels;
} Hierarchy;

/* z = M r: one V-cycle from zero, the result in levels[0].x. levels[0].rhs holds r. */
static void
v_cycle (Hierarchy *h, int at)
{
  Level *l = &h->levels[at];
  memset (l->x, 0, sizeof (double) * (l->height + 2) * l->stride);
  if (at == h->n_levels - 1)
    {
      for (int s = 0; s < COARSEST_STEPS; s++)
        {
          gauss_seidel (l, FALSE);
          gauss_seidel (l, TRUE);
        }
      return;
    }
  for (int s = 0; s < SMOOTHING_STEPS; s++)
    gauss_seidel (l, FALSE);
  apply (l, l->x, l->residual);
  Level *c = &h->levels[at + 1];
  memset (c->rhs, 0, sizeof (double) * (c->height + 2) * c->stride);
  for (int r = 0; r < l->height; r++)
    for (int col = 0; col < l->width; col++)
      if (l->unknown[(gsize) r * l->width + col])
        {
          gsize i = padded (l, r, col);
          c->rhs[padded (c, r / 2, col / 2)] += l->rhs[i] - l->residual[i];
        }
  v_cycle (h, at + 1);
  for (int r = 0; r < l->height; r++)
    for (int col = 0; col < l->width; col++)
      if (l->unknown[(gsize) r * l->width + col])
        l->x[padded (l, r, col)] += c->x[padded (c, r / 2, col / 2)];
  for (int s = 0; s < SMOOTHING_STEPS; s++)
    gauss_seidel (l, TRUE);
}

static double
dot (const Level *l, const double *a, const double *b)
{
  double sum = 0.0;
  for (int r = 0; r < l->height; r++)
    for (int c = 0; c < l->width; c++)
      {
        gsize i = padded (l, r, c);
        sum += a[i] * b[i];
      }
  return sum;
}

gboolean
cxr_road_impute (float *out, const float *image, const guint8 *keep, int width, int height,
                 GCancellable *cancellable)
{
  gsize n = (gsize) width * height, n_unknown = 0;
  for (gsize i = 0; i < n; i++)
    n_unknown += !keep[i];
  memcpy (out, image, sizeof (float) * n);
  if (n_unknown == 0)
    return TRUE;
  if (n_unknown == n)
    {
      /* Nothing to interpolate from (road.py's system is singular here): the image's mean, 0 after
       * normalisation, stands in. */
      memset (out, 0, sizeof (float) * n);
      return TRUE;
    }

  Hierarchy h = { g_new0 (Level, 16), 0 };
  Level *top = &h.levels[0];
  level_init (top, width, height);
  h.n_levels = 1;
  /* A, and b = sum of w_ij v_j over the known neighbours. */
  for (int r = 0; r < height; r++)
    for (int c = 0; c < width; c++)
      {
        gsize cell = (gsize) r * width + c;
        if (keep[cell])
          continue;
        top->unknown[cell] = 1;
        double *k = top->coeff + cell * 9;
        double diagonal = 0.0, b = 0.0;
        for (int o = 0; o < 9; o++)
          {
            int nr = r + o / 3 - 1, nc = c + o % 3 - 1;
            if (o == CENTRE || nr < 0 || nc < 0 || nr >= height || nc >= width)
              continue;
            diagonal += neighbour_weight[o];
            gsize neighbour = (gsize) nr * width + nc;
            if (keep[neighbour])
              b += neighbour_weight[o] * image[neighbour];
            else
              k[o] = -neighbour_weight[o];
          }
        k[CENTRE] = diagonal;
        top->rhs[padded (top, r, c)] = b;
      }
  while (h.n_levels < 16)
    {
      Level *last = &h.levels[h.n_levels - 1];
      gsize unknown = 0;
      for (gsize i = 0; i < (gsize) last->width * last->height; i++)
        unknown += last->unknown[i];
      if (unknown <= COARSEST_CELLS || last->width <= 2 || last->height <= 2)
        break;
      coarsen (last, &h.levels[h.n_levels]);
      h.n_levels++;
    }

  /* Preconditioned conjugate gradients from x = 0, in double. */
  gsize grid = (gsize) (height + 2) * top->stride;
  g_autofree double *b = g_memdup2 (top->rhs, sizeof (double) * grid);
  g_autofree double *x = g_new0 (double, grid);
  g_autofree double *r = g_memdup2 (b, sizeof (double) * grid);
  g_autofree double *z = g_new0 (double, grid);
  g_autofree double *p = g_new0 (double, grid);
  g_autofree double *ap = g_new0 (double, grid);
  double b_norm = sqrt (dot (top, b, b));
  gboolean cancelled = FALSE;

  memcpy (top->rhs, r, sizeof (double) * grid);
  v_cycle (&h, 0);
  memcpy (z, top->x, sizeof (double) * grid);
  memcpy (p, z, sizeof (double) * grid);
  double rz = dot (top, r, z);
  for (int iteration = 0; iteration < MAX_ITERATIONS && b_norm > 0.0; iteration++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      apply (top, p, ap);
      double alpha = rz / dot (top, p, ap);
      for (gsize i = 0; i < grid; i++)
        {
          x[i] += alpha * p[i];
          r[i] -= alpha * ap[i];
        }
      if (sqrt (dot (top, r, r)) <= TOLERANCE * b_norm)
        break;
      memcpy (top->rhs, r, sizeof (double) * grid);
      v_cycle (&h, 0);
      memcpy (z, top->x, sizeof (double) * grid);
      double rz_next = dot (top, r, z);
      double beta = rz_next / rz;
      rz = rz_next;
      for (gsize i = 0; i < grid; i++)
        p[i] = z[i] + beta * p[i];
    }

  for (int row = 0; row < height; row++)
    for (int c = 0; c < width; c++)
      if (top->unknown[(gsize) row * width + c])
        out[(gsize) row * width + c] = (float) x[padded (top, row, c)];
  for (int i = 0; i < h.n_levels; i++)
    level_clear (&h.levels[i]);
  g_free (h.levels);
  return !cancelled;
}

/* ---- the figures ------------------------------------------------------------------------------------------- */

static double
gaussian (GRand *rng)
{
  double u1 = 1.0 - g_rand_double (rng), u2 = g_rand_double (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static gboolean
probabilities_of (CxrModel *model, const float *inputs, int n, int h, int w, int target_class, float *out,
                  GError **error)
{
  guint classes = cxr_model_get_n_classes (model);
  g_autofree float *logits = g_new (float, (gsize) n * classes);
  g_autofree float *probabilities = g_new (float, (gsize) n * classes);
  if (!cxr_resnet_forward (cxr_model_get_network (model), inputs, n, h, w, logits, error))
    return FALSE;
  cxr_model_activate (model, logits, probabilities, n);
  for (int i = 0; i < n; i++)
    out[i] = probabilities[(gsize) i * classes + target_class];
  return TRUE;
}

gboolean
cxr_cam_faithfulness (CxrCamFaithfulness *out, CxrModel *model, const float *input, const float *map_input,
                      int target_class, guint64 seed, float noise, GCancellable *cancellable, GError **error)
{
  const CxrPreprocessParams *params = cxr_model_get_preprocess (model);
  int h = params->height, w = params->width, channels = params->channels;
  gsize plane = (gsize) h * w, image = (gsize) channels * plane;
  memset (out, 0, sizeof *out);

  /* p, and p' of the input times the CAM. */
  g_autofree float *batch = g_new (float, image * CXR_ROAD_N_PERCENTILES);
  float scores[2];
  memcpy (batch, input, sizeof (float) * image);
  memcpy (batch + image, input, sizeof (float) * image);
  for (int c = 0; c < channels; c++)
    for (gsize p = 0; p < plane; p++)
      batch[image + (gsize) c * plane + p] *= map_input[p];
  if (!probabilities_of (model, batch, 2, h, w, target_class, scores, error))
    return FALSE;
  out->probability = scores[0];
  out->drop = MAX (scores[0] - scores[1], 0.0f);
  out->increase = scores[1] > scores[0] ? 1.0f : 0.0f;

  /* ROAD: channel 0 imputed, the others an affine image of it, then noise on the imputed pixels. */
  g_autoptr (GRand) rng = g_rand_new_with_seed_array ((const guint32[]) { (guint32) seed, (guint32) (seed >> 32) }, 2);
  g_autofree float *inverse = g_new (float, plane);
  g_autofree float *sorted = g_memdup2 (map_input, sizeof (float) * plane);
  g_autofree float *sorted_inverse = g_new (float, plane);
  for (gsize p = 0; p < plane; p++)
    inverse[p] = sorted_inverse[p] = 1.0f - map_input[p];
  qsort (sorted, plane, sizeof (float), compare_floats);
  qsort (sorted_inverse, plane, sizeof (float), compare_floats);
  g_autofree guint8 *keep = g_new (guint8, plane);
  g_autofree float *filled = g_new (float, plane);

  for (int curve = 0; curve < 2; curve++)
    {
      const float *values = curve == 0 ? map_input : inverse;
      const float *values_sorted = curve == 0 ? sorted : sorted_inverse;
      for (int k = 0; k < CXR_ROAD_N_PERCENTILES; k++)
        {
          /* torch compares a float tensor with the float of NumPy's (double) percentile. */
          float threshold = (float) percentile_sorted (values_sorted, plane, cxr_road_percentiles[k]);
          for (gsize p = 0; p < plane; p++)
            keep[p] = values[p] < threshold;
          if (!cxr_road_impute (filled, input, keep, w, h, cancellable))
            {
              g_cancellable_set_error_if_cancelled (cancellable, error);
              return FALSE;
            }
          float *x = batch + (gsize) k * image;
          for (int c = 0; c < channels; c++)
            {
              /* x_c = a x_0 + b with a = std_0 / std_c and b = (mean_0 - mean_c) / std_c. */
              float a = params->std[0] / params->std[c];
              float b = (params->mean[0] - params->mean[c]) / params->std[c];
              for (gsize p = 0; p < plane; p++)
                {
                  float v = input[(gsize) c * plane + p];
                  if (!keep[p])
                    v = (c == 0 ? filled[p] : a * filled[p] + b) + (float) (noise * gaussian (rng));
                  x[(gsize) c * plane + p] = v;
                }
            }
        }
      float after[CXR_ROAD_N_PERCENTILES];
      if (!probabilities_of (model, batch, CXR_ROAD_N_PERCENTILES, h, w, target_class, after, error))
        return FALSE;
      float *curve_out = curve == 0 ? out->morf : out->lerf;
      double mean = 0.0;
      for (int k = 0; k < CXR_ROAD_N_PERCENTILES; k++)
        {
          curve_out[k] = after[k] - out->probability;
          mean += curve_out[k];
        }
      if (curve == 0)
        out->morf_mean = (float) (mean / CXR_ROAD_N_PERCENTILES);
      else
        out->lerf_mean = (float) (mean / CXR_ROAD_N_PERCENTILES);
    }
  out->road_combined = (out->lerf_mean - out->morf_mean) / 2.0f;
  return TRUE;
}
