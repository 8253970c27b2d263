/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Backward kernels (cxr-backward.h), checked three ways:
 *   - against PyTorch's autograd (fixtures from tests/reference/gen_backward.py);
 *   - against double-precision central differences of a double-precision forward pass written here,
 *     independent of the forward kernels (as ggml's test-backend-ops checks gradients);
 *   - BLAS kernels against their naive twins.
 * Each also checks that backward accumulates into its outputs and skips NULL ones. */
#include "cxr-backward.h"
#include "cxr-conv.h"
#include "cxr-bn.h"
#include "cxr-npy.h"
#include "cxr-pool.h"
#include "cxr-test-util.h"

#include <math.h>
#include <string.h>

#define FIXTURE_TOLERANCE 1e-5
/* Analytic float gradients against numeric double ones: the float kernels round, the differences do not. */
#define FD_TOLERANCE 1e-4
#define FD_STEP 1e-6

static CxrTensor *
load_case (const char *kase, const char *tensor)
{
  return cxr_test_load_npy ("backward/%s.%s.npy", kase, tensor);
}

static CxrTensor *
zeros_like (const CxrTensor *t)
{
  CxrTensor *z = cxr_tensor_new (t->ndim, t->shape);
  memset (z->data, 0, sizeof (float) * cxr_tensor_numel (z));
  return z;
}

static CxrTensor *
filled_like (const CxrTensor *t, float value)
{
  CxrTensor *z = cxr_tensor_new (t->ndim, t->shape);
  for (gint64 i = 0; i < cxr_tensor_numel (z); i++)
    z->data[i] = value;
  return z;
}

/* got - offset, for checking that a kernel added to a buffer that held @offset. */
static void
subtract (CxrTensor *t, float offset)
{
  for (gint64 i = 0; i < cxr_tensor_numel (t); i++)
    t->data[i] -= offset;
}

static CxrConvGeometry
geometry_from (const CxrTensor *geo)
{
  return (CxrConvGeometry) {
    .in_channels = geo->data[0], .out_channels = geo->data[1],
    .kernel_h = geo->data[2], .kernel_w = geo->data[3],
    .stride_h = geo->data[4], .stride_w = geo->data[5],
    .pad_h = geo->data[6], .pad_w = geo->data[7],
  };
}

/* ---- PyTorch fixtures ------------------------------------------------------------------------------ */

static void
test_conv_fixture (gconstpointer data)
{
  const char *kase = data;
  g_autoptr (CxrTensor) input_nchw = load_case (kase, "input");
  g_autoptr (CxrTensor) weight = load_case (kase, "weight");
  g_autoptr (CxrTensor) dout_nchw = load_case (kase, "dout");
  g_autoptr (CxrTensor) want_dinp_nchw = load_case (kase, "dinput");
  g_autoptr (CxrTensor) want_dweight = load_case (kase, "dweight");
  g_autoptr (CxrTensor) want_dbias = load_case (kase, "dbias");
  g_autoptr (CxrTensor) geo = load_case (kase, "geometry");
  CxrConvGeometry g = geometry_from (geo);
  int n = input_nchw->shape[0], h = input_nchw->shape[2], w = input_nchw->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input_nchw);
  g_autoptr (CxrTensor) dout = cxr_test_to_channel_major (dout_nchw);
  g_autoptr (CxrTensor) want_dinp = cxr_test_to_channel_major (want_dinp_nchw);

  float *workspace = cxr_alloc_floats (MAX (1, cxr_conv2d_backward_workspace_floats (&g, n, h, w)));

  /* BLAS path, into buffers that already hold 0.5: backward must add. */
  g_autoptr (CxrTensor) dinp = filled_like (want_dinp, 0.5f);
  g_autoptr (CxrTensor) dweight = filled_like (want_dweight, 0.5f);
  g_autoptr (CxrTensor) dbias = filled_like (want_dbias, 0.5f);
  cxr_conv2d_backward (dinp->data, dweight->data, dbias->data, dout->data, x->data, weight->data,
                       &g, n, h, w, workspace, NULL);
  subtract (dinp, 0.5f);
  subtract (dweight, 0.5f);
  subtract (dbias, 0.5f);
  cxr_assert_close (dinp->data, want_dinp->data, cxr_tensor_numel (dinp), FIXTURE_TOLERANCE);
  cxr_assert_close (dweight->data, want_dweight->data, cxr_tensor_numel (dweight), FIXTURE_TOLERANCE);
  cxr_assert_close (dbias->data, want_dbias->data, cxr_tensor_numel (dbias), FIXTURE_TOLERANCE);

  /* Each gradient alone (the others NULL, and the inputs only they need NULL too). */
  g_autoptr (CxrTensor) only_dinp = zeros_like (want_dinp);
  cxr_conv2d_backward (only_dinp->data, NULL, NULL, dout->data, NULL, weight->data, &g, n, h, w, workspace,
                       NULL);
  cxr_assert_close (only_dinp->data, want_dinp->data, cxr_tensor_numel (dinp), FIXTURE_TOLERANCE);
  g_autoptr (CxrTensor) only_dweight = zeros_like (want_dweight);
  cxr_conv2d_backward (NULL, only_dweight->data, NULL, dout->data, x->data, NULL, &g, n, h, w, workspace,
                       NULL);
  cxr_assert_close (only_dweight->data, want_dweight->data, cxr_tensor_numel (dweight), FIXTURE_TOLERANCE);

  /* Naive twin. */
  g_autoptr (CxrTensor) naive_dinp = zeros_like (want_dinp);
  g_autoptr (CxrTensor) naive_dweight = zeros_like (want_dweight);
  g_autoptr (CxrTensor) naive_dbias = zeros_like (want_dbias);
  cxr_conv2d_backward_naive (naive_dinp->data, naive_dweight->data, naive_dbias->data, dout->data, x->data,
                             weight->data, &g, n, h, w);
  cxr_assert_close (naive_dinp->data, want_dinp->data, cxr_tensor_numel (dinp), FIXTURE_TOLERANCE);
  cxr_assert_close (naive_dweight->data, want_dweight->data, cxr_tensor_numel (dweight), FIXTURE_TOLERANCE);
  cxr_assert_close (naive_dbias->data, want_dbias->data, cxr_tensor_numel (dbias), FIXTURE_TOLERANCE);

  cxr_free_floats (workspace);
}

static void
test_relu_fixture (void)
{
  g_autoptr (CxrTensor) output = load_case ("relu", "output");
  g_autoptr (CxrTensor) dout = load_case ("relu", "dout");
  g_autoptr (CxrTensor) want = load_case ("relu", "dinput");
  g_autoptr (CxrTensor) got = filled_like (want, 0.25f);
  /* Elementwise: the layout does not matter. */
  cxr_relu_backward (got->data, dout->data, output->data, cxr_tensor_numel (got));
  subtract (got, 0.25f);
  cxr_assert_close (got->data, want->data, cxr_tensor_numel (got), FIXTURE_TOLERANCE);
}

static void
test_batchnorm_eval_fixture (void)
{
  g_autoptr (CxrTensor) input_nchw = load_case ("batchnorm_eval", "input");
  g_autoptr (CxrTensor) gamma = load_case ("batchnorm_eval", "gamma");
  g_autoptr (CxrTensor) beta = load_case ("batchnorm_eval", "beta");
  g_autoptr (CxrTensor) mean = load_case ("batchnorm_eval", "running_mean");
  g_autoptr (CxrTensor) var = load_case ("batchnorm_eval", "running_var");
  g_autoptr (CxrTensor) dout_nchw = load_case ("batchnorm_eval", "dout");
  g_autoptr (CxrTensor) want_dinp_nchw = load_case ("batchnorm_eval", "dinput");
  g_autoptr (CxrTensor) want_dgamma = load_case ("batchnorm_eval", "dgamma");
  g_autoptr (CxrTensor) want_dbeta = load_case ("batchnorm_eval", "dbeta");
  int c = gamma->shape[0];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input_nchw);
  g_autoptr (CxrTensor) dout = cxr_test_to_channel_major (dout_nchw);
  g_autoptr (CxrTensor) want_dinp = cxr_test_to_channel_major (want_dinp_nchw);
  gsize plane = cxr_tensor_numel (x) / c;

  /* dinp through the folded affine: y = x * scale + shift. */
  g_autoptr (CxrTensor) scale = zeros_like (gamma);
  g_autoptr (CxrTensor) shift = zeros_like (gamma);
  cxr_batchnorm_fold (scale->data, shift->data, gamma->data, beta->data, mean->data, var->data, CXR_BN_EPS, c);
  g_autoptr (CxrTensor) dinp = zeros_like (x);
  g_autoptr (CxrTensor) dbeta = zeros_like (gamma);
  cxr_affine_backward (dinp->data, NULL, dbeta->data, dout->data, NULL, scale->data, c, plane);
  cxr_assert_close (dinp->data, want_dinp->data, cxr_tensor_numel (dinp), FIXTURE_TOLERANCE);
  cxr_assert_close (dbeta->data, want_dbeta->data, c, FIXTURE_TOLERANCE);

  /* dgamma: the affine's dscale for y = xhat * gamma + beta, xhat = (x - mean) / sqrt (var + eps). */
  g_autoptr (CxrTensor) xhat = zeros_like (x);
  g_autoptr (CxrTensor) ones = filled_like (gamma, 1.0f);
  g_autoptr (CxrTensor) zero = zeros_like (gamma);
  cxr_batchnorm_inference_naive (xhat->data, x->data, ones->data, zero->data, mean->data, var->data,
                                 CXR_BN_EPS, c, plane);
  g_autoptr (CxrTensor) dgamma = zeros_like (gamma);
  cxr_affine_backward (NULL, dgamma->data, NULL, dout->data, xhat->data, gamma->data, c, plane);
  cxr_assert_close (dgamma->data, want_dgamma->data, c, FIXTURE_TOLERANCE);
}

static void
test_maxpool_fixture (void)
{
  g_autoptr (CxrTensor) input_nchw = load_case ("maxpool_3x3_s2_p1", "input");
  g_autoptr (CxrTensor) dout_nchw = load_case ("maxpool_3x3_s2_p1", "dout");
  g_autoptr (CxrTensor) want_nchw = load_case ("maxpool_3x3_s2_p1", "dinput");
  int n = input_nchw->shape[0], c = input_nchw->shape[1], h = input_nchw->shape[2], w = input_nchw->shape[3];
  int ho = dout_nchw->shape[2], wo = dout_nchw->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input_nchw);
  g_autoptr (CxrTensor) dout = cxr_test_to_channel_major (dout_nchw);
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);

  g_autoptr (CxrTensor) out = zeros_like (dout);
  g_autofree gint32 *argmax = g_new (gint32, cxr_tensor_numel (dout));
  cxr_maxpool2d_forward (out->data, argmax, x->data, c, n, h, w, 3, 2, 1);
  g_autoptr (CxrTensor) got = filled_like (want, -1.0f);
  cxr_maxpool2d_backward (got->data, dout->data, argmax, c, n, h, w, ho, wo);
  subtract (got, -1.0f);
  cxr_assert_close (got->data, want->data, cxr_tensor_numel (got), FIXTURE_TOLERANCE);
}

static void
test_avgpool_fixture (void)
{
  g_autoptr (CxrTensor) input_nchw = load_case ("avgpool", "input");
  g_autoptr (CxrTensor) dout = load_case ("avgpool", "dout");
  g_autoptr (CxrTensor) want_nchw = load_case ("avgpool", "dinput");
  int n = input_nchw->shape[0], c = input_nchw->shape[1], h = input_nchw->shape[2], w = input_nchw->shape[3];
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);
  g_autoptr (CxrTensor) got = filled_like (want, 2.0f);
  cxr_global_avgpool_backward (got->data, dout->data, c, n, h, w);
  subtract (got, 2.0f);
  cxr_assert_close (got->data, want->data, cxr_tensor_numel (got), FIXTURE_TOLERANCE);
}

static void
test_linear_fixture (void)
{
  g_autoptr (CxrTensor) input = load_case ("linear", "input");
  g_autoptr (CxrTensor) weight = load_case ("linear", "weight");
  g_autoptr (CxrTensor) dout = load_case ("linear", "dout");
  g_autoptr (CxrTensor) want_dinp = load_case ("linear", "dinput");
  g_autoptr (CxrTensor) want_dweight = load_case ("linear", "dweight");
  g_autoptr (CxrTensor) want_dbias = load_case ("linear", "dbias");
  int n = input->shape[0], in = input->shape[1], out = weight->shape[0];

  for (int naive = 0; naive < 2; naive++)
    {
      g_autoptr (CxrTensor) dinp = filled_like (want_dinp, 0.5f);
      g_autoptr (CxrTensor) dweight = filled_like (want_dweight, 0.5f);
      g_autoptr (CxrTensor) dbias = filled_like (want_dbias, 0.5f);
      (naive ? cxr_linear_backward_naive : cxr_linear_backward) (dinp->data, dweight->data, dbias->data,
                                                                 dout->data, input->data, weight->data,
                                                                 n, in, out);
      subtract (dinp, 0.5f);
      subtract (dweight, 0.5f);
      subtract (dbias, 0.5f);
      cxr_assert_close (dinp->data, want_dinp->data, cxr_tensor_numel (dinp), FIXTURE_TOLERANCE);
      cxr_assert_close (dweight->data, want_dweight->data, cxr_tensor_numel (dweight), FIXTURE_TOLERANCE);
      cxr_assert_close (dbias->data, want_dbias->data, cxr_tensor_numel (dbias), FIXTURE_TOLERANCE);
    }
}

/* ---- finite differences ---------------------------------------------------------------------------- */

/* A scalar loss of some double arrays, L = sum (dout * f (arrays)). */
typedef double (*LossFunc) (gpointer data);

/* Central differences of @loss with respect to every element of @param (perturbed in place), compared
 * with the float gradient @analytic. */
static void
check_gradient (const char *what, LossFunc loss, gpointer data, double *param, gsize n, const float *analytic)
{
  g_autofree float *numeric = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      double saved = param[i];
      param[i] = saved + FD_STEP;
      double plus = loss (data);
      param[i] = saved - FD_STEP;
      double minus = loss (data);
      param[i] = saved;
      numeric[i] = (float) ((plus - minus) / (2 * FD_STEP));
    }
  g_test_message ("%s: max |analytic - numeric| = %.3g (scale %.3g)", what,
                  cxr_test_max_abs_diff (analytic, numeric, n, NULL), cxr_test_max_abs (numeric, n));
  cxr_assert_close (analytic, numeric, n, FD_TOLERANCE);
}

static double *
random_doubles (GRand *rng, gsize n, double lo, double hi)
{
  double *x = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    x[i] = g_rand_double_range (rng, lo, hi);
  return x;
}

static float *
to_floats (const double *x, gsize n)
{
  float *f = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    f[i] = (float) x[i];
  return f;
}

/* Values of random magnitude and sign at least @gap away from zero and from each other's neighbours in
 * a window, so that no ReLU kink or max-pool tie lies within a finite-difference step. */
static double *
random_away_from_zero (GRand *rng, gsize n, double gap)
{
  double *x = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      double v = g_rand_double_range (rng, gap, 1.0);
      x[i] = g_rand_boolean (rng) ? v : -v;
    }
  return x;
}

typedef struct {
  CxrConvGeometry g;
  int n, h, w, ho, wo;
  double *x, *weight, *bias, *dout;
} ConvCase;

static double
conv_loss (gpointer data)
{
  const ConvCase *c = data;
  const CxrConvGeometry *g = &c->g;
  double loss = 0.0;
  for (int co = 0; co < g->out_channels; co++)
    for (int b = 0; b < c->n; b++)
      for (int y = 0; y < c->ho; y++)
        for (int x = 0; x < c->wo; x++)
          {
            double sum = c->bias[co];
            for (int ci = 0; ci < g->in_channels; ci++)
              for (int kh = 0; kh < g->kernel_h; kh++)
                for (int kw = 0; kw < g->kernel_w; kw++)
                  {
                    int sy = y * g->stride_h - g->pad_h + kh, sx = x * g->stride_w - g->pad_w + kw;
                    if (sy >= 0 && sy < c->h && sx >= 0 && sx < c->w)
                      sum += c->weight[((co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw]
                             * c->x[((ci * c->n + b) * c->h + sy) * c->w + sx];
                  }
            loss += c->dout[((co * c->n + b) * c->ho + y) * c->wo + x] * sum;
          }
  return loss;
}

static void
test_conv_finite_differences (void)
{
  /* in, out, kh, kw, sh, sw, ph, pw; then n, h, w */
  static const int cases[][11] = {
    { 3, 4, 3, 3, 1, 1, 1, 1, 2, 6, 5 },
    { 2, 3, 3, 3, 2, 2, 1, 1, 1, 7, 8 },
    { 2, 3, 7, 7, 2, 2, 3, 3, 1, 9, 9 },
    { 5, 4, 1, 1, 1, 1, 0, 0, 2, 4, 3 },
    { 4, 3, 1, 1, 2, 2, 0, 0, 2, 5, 6 },
    { 2, 2, 3, 2, 1, 2, 0, 1, 1, 6, 7 },
  };
  g_autoptr (GRand) rng = g_rand_new_with_seed (11);

  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      const int *p = cases[k];
      ConvCase c = { .g = { p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7] }, .n = p[8], .h = p[9], .w = p[10] };
      c.ho = cxr_conv_out_size (c.h, c.g.kernel_h, c.g.stride_h, c.g.pad_h);
      c.wo = cxr_conv_out_size (c.w, c.g.kernel_w, c.g.stride_w, c.g.pad_w);
      gsize nx = (gsize) c.g.in_channels * c.n * c.h * c.w;
      gsize nw = (gsize) c.g.out_channels * c.g.in_channels * c.g.kernel_h * c.g.kernel_w;
      gsize nb = c.g.out_channels;
      gsize no = (gsize) c.g.out_channels * c.n * c.ho * c.wo;
      g_autofree double *x = c.x = random_doubles (rng, nx, -1, 1);
      g_autofree double *weight = c.weight = random_doubles (rng, nw, -1, 1);
      g_autofree double *bias = c.bias = random_doubles (rng, nb, -1, 1);
      g_autofree double *dout = c.dout = random_doubles (rng, no, -1, 1);
      g_autofree float *xf = to_floats (x, nx), *wf = to_floats (weight, nw), *df = to_floats (dout, no);

      g_autofree float *dx = g_new0 (float, nx), *dw = g_new0 (float, nw), *db = g_new0 (float, nb);
      float *workspace = cxr_alloc_floats (MAX (1, cxr_conv2d_backward_workspace_floats (&c.g, c.n, c.h, c.w)));
      cxr_conv2d_backward (dx, dw, db, df, xf, wf, &c.g, c.n, c.h, c.w, workspace, NULL);
      cxr_free_floats (workspace);

      g_autofree char *name = g_strdup_printf ("conv case %" G_GSIZE_FORMAT, k);
      check_gradient (name, conv_loss, &c, x, nx, dx);
      check_gradient (name, conv_loss, &c, weight, nw, dw);
      check_gradient (name, conv_loss, &c, bias, nb, db);

      /* The naive twin agrees with the BLAS kernel. */
      g_autofree float *ndx = g_new0 (float, nx), *ndw = g_new0 (float, nw), *ndb = g_new0 (float, nb);
      cxr_conv2d_backward_naive (ndx, ndw, ndb, df, xf, wf, &c.g, c.n, c.h, c.w);
      cxr_assert_close (ndx, dx, nx, FIXTURE_TOLERANCE);
      cxr_assert_close (ndw, dw, nw, FIXTURE_TOLERANCE);
      cxr_assert_close (ndb, db, nb, FIXTURE_TOLERANCE);
    }
}

typedef struct {
  int channels, n, h, w, ho, wo;
  double *x, *dout;
} PoolCase;

static double
maxpool_loss (gpointer data)
{
  const PoolCase *c = data;
  double loss = 0.0;
  for (int plane = 0; plane < c->channels * c->n; plane++)
    for (int y = 0; y < c->ho; y++)
      for (int x = 0; x < c->wo; x++)
        {
          double best = -INFINITY;
          for (int sy = MAX (0, 2 * y - 1); sy < MIN (c->h, 2 * y + 2); sy++)
            for (int sx = MAX (0, 2 * x - 1); sx < MIN (c->w, 2 * x + 2); sx++)
              best = MAX (best, c->x[(plane * c->h + sy) * c->w + sx]);
          loss += c->dout[(plane * c->ho + y) * c->wo + x] * best;
        }
  return loss;
}

static double
avgpool_loss (gpointer data)
{
  const PoolCase *c = data;
  double loss = 0.0;
  for (int ch = 0; ch < c->channels; ch++)
    for (int b = 0; b < c->n; b++)
      {
        double sum = 0.0;
        for (int i = 0; i < c->h * c->w; i++)
          sum += c->x[(ch * c->n + b) * c->h * c->w + i];
        loss += c->dout[b * c->channels + ch] * sum / (c->h * c->w);
      }
  return loss;
}

static void
test_pool_finite_differences (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (12);
  PoolCase c = { .channels = 3, .n = 2, .h = 9, .w = 8 };
  c.ho = (c.h + 2 - 3) / 2 + 1;
  c.wo = (c.w + 2 - 3) / 2 + 1;
  gsize nx = (gsize) c.channels * c.n * c.h * c.w, no = (gsize) c.channels * c.n * c.ho * c.wo;

  /* Distinct values on a grid of 1/nx steps, shuffled: no two within a step of each other. */
  g_autofree double *x = c.x = g_new (double, nx);
  for (gsize i = 0; i < nx; i++)
    x[i] = (double) i / nx - 0.5;
  for (gsize i = nx - 1; i > 0; i--)
    {
      gsize j = g_rand_int_range (rng, 0, i + 1);
      double t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  g_autofree double *dout = c.dout = random_doubles (rng, no, -1, 1);
  g_autofree float *xf = to_floats (x, nx), *df = to_floats (dout, no);
  g_autofree float *out = g_new (float, no);
  g_autofree gint32 *argmax = g_new (gint32, no);
  cxr_maxpool2d_forward (out, argmax, xf, c.channels, c.n, c.h, c.w, 3, 2, 1);
  g_autofree float *dx = g_new0 (float, nx);
  cxr_maxpool2d_backward (dx, df, argmax, c.channels, c.n, c.h, c.w, c.ho, c.wo);
  check_gradient ("maxpool", maxpool_loss, &c, x, nx, dx);

  /* Global average pool: dout is [N, C]. */
  gsize np = (gsize) c.n * c.channels;
  g_autofree double *dpool = random_doubles (rng, np, -1, 1);
  g_autofree float *dpf = to_floats (dpool, np);
  PoolCase a = c;
  a.dout = dpool;
  g_autofree float *da = g_new0 (float, nx);
  cxr_global_avgpool_backward (da, dpf, c.channels, c.n, c.h, c.w);
  check_gradient ("avgpool", avgpool_loss, &a, x, nx, da);
}

typedef struct {
  int n, in, out;
  double *x, *weight, *bias, *dout;
} LinearCase;

static double
linear_loss (gpointer data)
{
  const LinearCase *c = data;
  double loss = 0.0;
  for (int b = 0; b < c->n; b++)
    for (int o = 0; o < c->out; o++)
      {
        double sum = c->bias[o];
        for (int i = 0; i < c->in; i++)
          sum += c->x[b * c->in + i] * c->weight[o * c->in + i];
        loss += c->dout[b * c->out + o] * sum;
      }
  return loss;
}

static void
test_linear_finite_differences (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (13);
  LinearCase c = { .n = 3, .in = 11, .out = 4 };
  gsize nx = c.n * c.in, nw = c.out * c.in, nb = c.out, no = c.n * c.out;
  g_autofree double *x = c.x = random_doubles (rng, nx, -1, 1);
  g_autofree double *weight = c.weight = random_doubles (rng, nw, -1, 1);
  g_autofree double *bias = c.bias = random_doubles (rng, nb, -1, 1);
  g_autofree double *dout = c.dout = random_doubles (rng, no, -1, 1);
  g_autofree float *xf = to_floats (x, nx), *wf = to_floats (weight, nw), *df = to_floats (dout, no);
  g_autofree float *dx = g_new0 (float, nx), *dw = g_new0 (float, nw), *db = g_new0 (float, nb);
  cxr_linear_backward (dx, dw, db, df, xf, wf, c.n, c.in, c.out);
  check_gradient ("linear dinp", linear_loss, &c, x, nx, dx);
  check_gradient ("linear dweight", linear_loss, &c, weight, nw, dw);
  check_gradient ("linear dbias", linear_loss, &c, bias, nb, db);
}

typedef struct {
  int channels;
  gsize plane;
  double *x, *scale, *shift, *other, *dout;
} ElementwiseCase;

/* relu (x * scale + shift + other): the conv epilogue, one kernel per step. */
static double
epilogue_loss (gpointer data)
{
  const ElementwiseCase *c = data;
  double loss = 0.0;
  for (int ch = 0; ch < c->channels; ch++)
    for (gsize i = 0; i < c->plane; i++)
      {
        gsize k = ch * c->plane + i;
        double v = c->x[k] * c->scale[ch] + c->shift[ch] + c->other[k];
        loss += c->dout[k] * (v > 0 ? v : 0);
      }
  return loss;
}

static void
test_elementwise_finite_differences (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (14);
  ElementwiseCase c = { .channels = 3, .plane = 10 };
  gsize n = c.channels * c.plane;
  g_autofree double *x = c.x = random_doubles (rng, n, -1, 1);
  g_autofree double *scale = c.scale = random_doubles (rng, c.channels, 0.5, 1.5);
  g_autofree double *shift = c.shift = random_doubles (rng, c.channels, -0.2, 0.2);
  g_autofree double *dout = c.dout = random_doubles (rng, n, -1, 1);
  /* Choose `other` so that every pre-activation is at least 0.05 from the kink. */
  g_autofree double *target = random_away_from_zero (rng, n, 0.05);
  g_autofree double *other = c.other = g_new (double, n);
  for (int ch = 0; ch < c.channels; ch++)
    for (gsize i = 0; i < c.plane; i++)
      {
        gsize k = ch * c.plane + i;
        other[k] = target[k] - (x[k] * scale[ch] + shift[ch]);
      }

  /* Forward in float, keeping what backward needs: the affine output and the ReLU output. */
  g_autofree float *xf = to_floats (x, n), *sf = to_floats (scale, c.channels), *df = to_floats (dout, n);
  g_autofree float *relu_out = g_new (float, n);
  for (int ch = 0; ch < c.channels; ch++)
    for (gsize i = 0; i < c.plane; i++)
      {
        gsize k = ch * c.plane + i;
        float v = (float) target[k];
        relu_out[k] = v > 0 ? v : 0;
      }

  /* Backward: relu, then the residual add (sum = affine + other), then the affine. */
  g_autofree float *dsum = g_new0 (float, n), *daffine = g_new0 (float, n), *dother = g_new0 (float, n);
  g_autofree float *dx = g_new0 (float, n), *dscale = g_new0 (float, c.channels), *dshift = g_new0 (float, c.channels);
  cxr_relu_backward (dsum, df, relu_out, n);
  cxr_add_backward (daffine, dother, dsum, n);
  cxr_affine_backward (dx, dscale, dshift, daffine, xf, sf, c.channels, c.plane);

  check_gradient ("epilogue dinp", epilogue_loss, &c, x, n, dx);
  check_gradient ("epilogue dscale", epilogue_loss, &c, scale, c.channels, dscale);
  check_gradient ("epilogue dshift", epilogue_loss, &c, shift, c.channels, dshift);
  check_gradient ("epilogue dresidual", epilogue_loss, &c, other, n, dother);
}

/* col2im is the adjoint of im2col: <im2col (x), y> = <x, col2im (y)> for any x, y. */
static void
test_col2im_adjoint (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (15);
  CxrConvGeometry g = { 3, 1, 3, 2, 2, 1, 1, 0 };
  int n = 2, h = 7, w = 6;
  int ho = cxr_conv_out_size (h, 3, 2, 1), wo = cxr_conv_out_size (w, 2, 1, 0);
  gsize nx = (gsize) 3 * n * h * w, ncol = (gsize) 3 * 3 * 2 * n * ho * wo;
  g_autofree double *xd = random_doubles (rng, nx, -1, 1), *yd = random_doubles (rng, ncol, -1, 1);
  g_autofree float *x = to_floats (xd, nx), *y = to_floats (yd, ncol);
  g_autofree float *col = g_new (float, ncol), *back = g_new0 (float, nx);
  cxr_im2col (col, x, &g, n, h, w, NULL);
  cxr_col2im_add (back, y, &g, n, h, w, NULL);
  double lhs = 0, rhs = 0;
  for (gsize i = 0; i < ncol; i++)
    lhs += (double) col[i] * y[i];
  for (gsize i = 0; i < nx; i++)
    rhs += (double) x[i] * back[i];
  g_assert_cmpfloat_with_epsilon (lhs, rhs, 1e-4);
}

int
main (int argc, char *argv[])
{
  static const char *conv_cases[] = {
    "conv_3x3_s1_p1", "conv_3x3_s2_p1", "conv_7x7_s2_p3", "conv_1x1_s1_p0", "conv_1x1_s2_p0", "conv_5x3_s1_p2",
  };
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/backward/pytorch/%s", conv_cases[i]);
      g_test_add_data_func (path, conv_cases[i], test_conv_fixture);
    }
  g_test_add_func ("/backward/pytorch/relu", test_relu_fixture);
  g_test_add_func ("/backward/pytorch/batchnorm-eval", test_batchnorm_eval_fixture);
  g_test_add_func ("/backward/pytorch/maxpool", test_maxpool_fixture);
  g_test_add_func ("/backward/pytorch/avgpool", test_avgpool_fixture);
  g_test_add_func ("/backward/pytorch/linear", test_linear_fixture);
  g_test_add_func ("/backward/finite-differences/conv", test_conv_finite_differences);
  g_test_add_func ("/backward/finite-differences/pool", test_pool_finite_differences);
  g_test_add_func ("/backward/finite-differences/linear", test_linear_finite_differences);
  g_test_add_func ("/backward/finite-differences/epilogue", test_elementwise_finite_differences);
  g_test_add_func ("/backward/col2im-adjoint", test_col2im_adjoint);
  return g_test_run ();
}
