/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training kernels: BatchNorm in train mode and the losses, against PyTorch (fixtures from
 * tests/reference/gen_train_kernels.py), against their double-precision twins, and against finite
 * differences of a double-precision forward pass (no PyTorch needed). */
#include <math.h>
#include <string.h>

#include "cxr-backward.h"
#include "cxr-bn.h"
#include "cxr-conv.h"
#include "cxr-loss.h"
#include "cxr-npy.h"
#include "cxr-pool.h"
#include "cxr-train-ops.h"
#include "cxr-transpose.h"
#include "cxr-test-util.h"

static CxrTensor *
load (const char *kase, const char *what)
{
  return cxr_test_load_npy ("training/kernels/%s.%s.npy", kase, what);
}

/* Small deterministic pseudo-random numbers in [-1, 1). */
static float
noise (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return (float) ((*state >> 8) / 8388608.0 - 1.0);
}

/* ---- BatchNorm ---------------------------------------------------------- */

static void
nchw_to_cnhw (float *out, const CxrTensor *t)
{
  cxr_swap_outer_dims (out, t->data, t->shape[0], t->shape[1], (gsize) t->shape[2] * t->shape[3]);
}

static void
test_bn_pytorch (gconstpointer data)
{
  const char *kase = data;
  g_autoptr (CxrTensor) input = load (kase, "input");
  g_autoptr (CxrTensor) gamma = load (kase, "weight");
  g_autoptr (CxrTensor) beta = load (kase, "bias");
  g_autoptr (CxrTensor) rm = load (kase, "running_mean0");
  g_autoptr (CxrTensor) rv = load (kase, "running_var0");
  g_autoptr (CxrTensor) want_rm = load (kase, "running_mean");
  g_autoptr (CxrTensor) want_rv = load (kase, "running_var");
  g_autoptr (CxrTensor) want_out = load (kase, "output");
  g_autoptr (CxrTensor) dout = load (kase, "dout");
  g_autoptr (CxrTensor) want_dinput = load (kase, "dinput");
  g_autoptr (CxrTensor) want_dgamma = load (kase, "dweight");
  g_autoptr (CxrTensor) want_dbeta = load (kase, "dbias");
  g_autoptr (CxrTensor) relu_flag = load (kase, "relu");
  gboolean relu = relu_flag->data[0] != 0;

  int channels = input->shape[1];
  gsize count = cxr_tensor_numel (input), plane = count / channels;
  g_autofree float *x = g_new (float, count);
  g_autofree float *want = g_new (float, count);
  g_autofree float *dy = g_new (float, count);
  g_autofree float *want_dx = g_new (float, count);
  nchw_to_cnhw (x, input);
  nchw_to_cnhw (want, want_out);
  nchw_to_cnhw (dy, dout);
  nchw_to_cnhw (want_dx, want_dinput);

  float mean[8], invstd[8], scale[8], shift[8], dgamma[8], dbeta[8];
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);
  cxr_batchnorm_train_statistics (mean, invstd, rm->data, rv->data, x, channels, plane, CXR_BN_MOMENTUM,
                                  CXR_BN_TRAIN_EPS, team);
  cxr_assert_close_abs (rm->data, want_rm->data, channels, 1e-6);
  cxr_assert_close_abs (rv->data, want_rv->data, channels, 1e-6);

  cxr_batchnorm_train_affine (scale, shift, gamma->data, beta->data, mean, invstd, channels);
  g_autofree float *out = g_new (float, count);
  cxr_batchnorm_apply (out, x, scale, shift, NULL, relu, channels, plane, team);
  cxr_assert_close_abs (out, want, count, 1e-5);

  g_autofree float *dx = g_new0 (float, count);
  memset (dgamma, 0, sizeof dgamma);
  memset (dbeta, 0, sizeof dbeta);
  cxr_batchnorm_train_backward (dx, dgamma, dbeta, dy, x, mean, invstd, gamma->data, scale, shift, relu,
                                channels, plane, team);
  cxr_assert_close (dx, want_dx, count, 1e-5);
  cxr_assert_close (dgamma, want_dgamma->data, channels, 1e-5);
  cxr_assert_close (dbeta, want_dbeta->data, channels, 1e-5);

  /* In place, as the network calls it. */
  memcpy (dx, dy, count * sizeof (float));
  cxr_batchnorm_train_backward (dx, dgamma, dbeta, dx, x, mean, invstd, gamma->data, scale, shift, relu,
                                channels, plane, NULL);
  cxr_assert_close (dx, want_dx, count, 1e-5);
}

/* The fast kernels against their double-precision twins on a larger, off-centre input. */
static void
test_bn_naive (void)
{
  const int channels = 6;
  const gsize plane = 3 * 17 * 13;
  gsize count = channels * plane;
  guint32 seed = 7;
  g_autofree float *x = g_new (float, count);
  g_autofree float *dy = g_new (float, count);
  float gamma[6], beta[6];
  for (gsize i = 0; i < count; i++)
    {
      x[i] = 3.0f + 2.0f * noise (&seed) + (i / plane);   /* a mean far from 0 tests the variance */
      dy[i] = noise (&seed);
    }
  for (int c = 0; c < channels; c++)
    {
      gamma[c] = 1.0f + 0.5f * noise (&seed);
      beta[c] = 0.5f * noise (&seed);
    }

  for (int relu = 0; relu <= 1; relu++)
    {
      float rm[6] = { 0 }, rv[6] = { 1, 1, 1, 1, 1, 1 }, rm2[6] = { 0 }, rv2[6] = { 1, 1, 1, 1, 1, 1 };
      float mean[6], invstd[6], mean2[6], invstd2[6], scale[6], shift[6];
      float dgamma[6] = { 0 }, dbeta[6] = { 0 }, dgamma2[6] = { 0 }, dbeta2[6] = { 0 };
      g_autofree float *out = g_new (float, count);
      g_autofree float *out2 = g_new (float, count);
      g_autofree float *dx = g_new0 (float, count);
      g_autofree float *dx2 = g_new0 (float, count);

      cxr_batchnorm_train_statistics (mean, invstd, rm, rv, x, channels, plane, 0.1, 1e-5, NULL);
      cxr_batchnorm_train_affine (scale, shift, gamma, beta, mean, invstd, channels);
      cxr_batchnorm_apply (out, x, scale, shift, NULL, relu, channels, plane, NULL);
      cxr_batchnorm_train_forward_naive (out2, mean2, invstd2, rm2, rv2, x, gamma, beta, relu, channels, plane,
                                         0.1, 1e-5);
      cxr_assert_close (mean, mean2, channels, 1e-6);
      cxr_assert_close (invstd, invstd2, channels, 1e-6);
      cxr_assert_close (rm, rm2, channels, 1e-6);
      cxr_assert_close (rv, rv2, channels, 1e-6);
      cxr_assert_close (out, out2, count, 1e-5);

      cxr_batchnorm_train_backward (dx, dgamma, dbeta, dy, x, mean, invstd, gamma, scale, shift, relu,
                                    channels, plane, NULL);
      cxr_batchnorm_train_backward_naive (dx2, dgamma2, dbeta2, dy, x, gamma, beta, relu, channels, plane, 1e-5);
      cxr_assert_close (dx, dx2, count, 1e-5);
      cxr_assert_close (dgamma, dgamma2, channels, 1e-5);
      cxr_assert_close (dbeta, dbeta2, channels, 1e-5);
    }
}

/* L = sum_i r_i * relu?(bn(x))_i in double, for finite differences. */
static double
bn_objective (const double *x, const double *gamma, const double *beta, const double *r, gboolean relu,
              int channels, gsize plane)
{
  double total = 0;
  for (int c = 0; c < channels; c++)
    {
      const double *v = x + c * plane;
      double m = 0, s = 0;
      for (gsize i = 0; i < plane; i++)
        m += v[i];
      m /= plane;
      for (gsize i = 0; i < plane; i++)
        s += (v[i] - m) * (v[i] - m);
      double is = 1.0 / sqrt (s / plane + 1e-5);
      for (gsize i = 0; i < plane; i++)
        {
          double y = (v[i] - m) * is * gamma[c] + beta[c];
          if (relu && y < 0)
            y = 0;
          total += r[c * plane + i] * y;
        }
    }
  return total;
}

static void
test_bn_finite_differences (void)
{
  const int channels = 3;
  const gsize plane = 2 * 4 * 5;
  gsize count = channels * plane;
  guint32 seed = 99;
  double xd[120], rd[120], gd[3], bd[3];
  float x[120], r[120], gamma[3], beta[3];
  for (gsize i = 0; i < count; i++)
    {
      x[i] = 1.5f * noise (&seed) + 0.3f, xd[i] = x[i];
      r[i] = noise (&seed), rd[i] = r[i];
    }
  for (int c = 0; c < channels; c++)
    {
      gamma[c] = 1.0f + 0.3f * noise (&seed), gd[c] = gamma[c];
      beta[c] = 0.2f * noise (&seed), bd[c] = beta[c];
    }

  for (int relu = 0; relu <= 1; relu++)
    {
      float mean[3], invstd[3], scale[3], shift[3], dgamma[3] = { 0 }, dbeta[3] = { 0 }, dx[120] = { 0 };
      cxr_batchnorm_train_statistics (mean, invstd, NULL, NULL, x, channels, plane, 0.1, 1e-5, NULL);
      cxr_batchnorm_train_affine (scale, shift, gamma, beta, mean, invstd, channels);
      cxr_batchnorm_train_backward (dx, dgamma, dbeta, r, x, mean, invstd, gamma, scale, shift, relu,
                                    channels, plane, NULL);
      const double h = 1e-6;
      double worst = 0;
      for (gsize i = 0; i < count; i++)
        {
          double keep = xd[i];
          xd[i] = keep + h;
          double up = bn_objective (xd, gd, bd, rd, relu, channels, plane);
          xd[i] = keep - h;
          double down = bn_objective (xd, gd, bd, rd, relu, channels, plane);
          xd[i] = keep;
          double fd = (up - down) / (2 * h);
          worst = MAX (worst, fabs (fd - dx[i]) / MAX (1.0, fabs (fd)));
        }
      for (int c = 0; c < channels; c++)
        {
          double keep = gd[c];
          gd[c] = keep + h;
          double up = bn_objective (xd, gd, bd, rd, relu, channels, plane);
          gd[c] = keep - h;
          double down = bn_objective (xd, gd, bd, rd, relu, channels, plane);
          gd[c] = keep;
          worst = MAX (worst, fabs ((up - down) / (2 * h) - dgamma[c]) / MAX (1.0, fabs (dgamma[c])));
          keep = bd[c];
          bd[c] = keep + h;
          up = bn_objective (xd, gd, bd, rd, relu, channels, plane);
          bd[c] = keep - h;
          down = bn_objective (xd, gd, bd, rd, relu, channels, plane);
          bd[c] = keep;
          worst = MAX (worst, fabs ((up - down) / (2 * h) - dbeta[c]) / MAX (1.0, fabs (dbeta[c])));
        }
      g_test_message ("BatchNorm%s: worst finite-difference error %.2e", relu ? " + ReLU" : "", worst);
      g_assert_cmpfloat (worst, <, 1e-4);
    }
}

/* ---- losses ------------------------------------------------------------- */

static double
head_loss (const float *logits, const guint8 *labels, int n, int outputs, float pos_weight, float *dlogits)
{
  return cxr_loss_for_head (dlogits, logits, labels, n, outputs, pos_weight);
}

static void
test_loss_pytorch (gconstpointer data)
{
  const char *kase = data;
  g_autoptr (CxrTensor) logits = load (kase, "logits");
  g_autoptr (CxrTensor) labels = load (kase, "labels");
  g_autoptr (CxrTensor) want_loss = load (kase, "loss");
  g_autoptr (CxrTensor) want_dlogits = load (kase, "dlogits");
  g_autoptr (CxrTensor) pos_weight = load (kase, "pos_weight");
  int n = logits->shape[0], outputs = logits->shape[1];
  gsize n_labels = cxr_tensor_numel (labels);
  g_autofree guint8 *bytes = g_new (guint8, n_labels);
  for (gsize i = 0; i < n_labels; i++)
    bytes[i] = labels->data[i] != 0;
  g_autofree float *dlogits = g_new (float, cxr_tensor_numel (logits));
  double loss = head_loss (logits->data, bytes, n, outputs, pos_weight->data[0], dlogits);
  g_test_message ("%s: loss %.9g, PyTorch %.9g", kase, loss, want_loss->data[0]);
  g_assert_cmpfloat (fabs (loss - want_loss->data[0]), <=, 1e-6 * fabs (want_loss->data[0]));
  cxr_assert_close (dlogits, want_dlogits->data, cxr_tensor_numel (logits), 1e-6);
}

static void
test_loss_finite_differences (void)
{
  struct { int outputs; float pos_weight; } kinds[] = { { 1, 0 }, { 1, 2.5f }, { 2, 0 }, { 2, 3 }, { 14, 0 }, { 14, 0.5f } };
  guint32 seed = 5;
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      int n = 5, outputs = kinds[k].outputs, per = outputs <= 2 ? 1 : outputs;
      float logits[70], dlogits[70];
      guint8 labels[70];
      for (int i = 0; i < n * outputs; i++)
        logits[i] = 4 * noise (&seed);
      for (int i = 0; i < n * per; i++)
        labels[i] = noise (&seed) > 0;
      head_loss (logits, labels, n, outputs, kinds[k].pos_weight, dlogits);
      double worst = 0;
      for (int i = 0; i < n * outputs; i++)
        {
          /* Steps of a power of two keep x +- h exact in float. */
          const float h = 1.0f / 1024;
          float keep = logits[i];
          logits[i] = keep + h;
          double up = head_loss (logits, labels, n, outputs, kinds[k].pos_weight, NULL);
          logits[i] = keep - h;
          double down = head_loss (logits, labels, n, outputs, kinds[k].pos_weight, NULL);
          logits[i] = keep;
          worst = MAX (worst, fabs ((up - down) / (2 * h) - dlogits[i]));
        }
      g_test_message ("loss for %d outputs, pos_weight %g: worst finite-difference error %.2e", outputs,
                      kinds[k].pos_weight, worst);
      g_assert_cmpfloat (worst, <, 1e-6);
    }
}

static void
test_loss_extremes (void)
{
  float logits[4] = { 1000, -1000, 1000, -1000 };
  guint8 labels[4] = { 0, 1, 1, 0 };
  float dlogits[4];
  double loss = cxr_loss_for_head (dlogits, logits, labels, 4, 1, 2.0f);
  /* (1000 + 2 * 1000 + 0 + 0) / 4 */
  g_assert_cmpfloat (fabs (loss - 750.0), <, 1e-9);
  for (int i = 0; i < 4; i++)
    g_assert_true (isfinite (dlogits[i]));
  float two[4] = { 1000, -1000, -1000, 1000 };
  guint8 classes[2] = { 0, 1 };
  loss = cxr_loss_for_head (dlogits, two, classes, 2, 2, 0);
  g_assert_cmpfloat (fabs (loss - 0.0), <, 1e-9);
  loss = cxr_loss_for_head (dlogits, two, (guint8[]) { 1, 0 }, 2, 2, 0);
  g_assert_cmpfloat (fabs (loss - 2000.0), <, 1e-9);
}

/* ---- the training convolution's backward pass ---------------------------- */

typedef struct {
  const char *name;
  int n, cin, h, w, cout, k, stride, pad;
} ConvCase;

static const ConvCase conv_cases[] = {
  { "1x1-widening", 2, 5, 7, 6, 12, 1, 1, 0 },
  { "1x1-narrowing", 3, 12, 5, 5, 4, 1, 1, 0 },
  { "1x1-stride2", 2, 6, 9, 8, 10, 1, 2, 0 },
  { "3x3-stride1", 2, 7, 9, 11, 5, 3, 1, 1 },
  { "3x3-stride2", 2, 4, 10, 9, 6, 3, 2, 1 },
  { "7x7-stride2", 1, 3, 21, 19, 8, 7, 2, 3 },
  /* Column matrices over 1M floats: the backward pass works in several chunks of output rows. */
  { "3x3-stride2-chunks", 2, 128, 64, 64, 16, 3, 2, 1 },
  { "1x1-chunks", 2, 512, 40, 40, 16, 1, 1, 0 },
  { "3x3-stride1-chunks", 1, 128, 48, 40, 8, 3, 1, 1 },
  /* The Winograd weight gradient: padding 0, and tiles in several chunks that end mid-row. */
  { "3x3-stride1-pad0", 2, 6, 12, 11, 5, 3, 1, 0 },
  { "3x3-winograd-chunks", 3, 16, 150, 170, 16, 3, 1, 1 },
};

/* cxr_conv2d_backward against its double-precision naive twin, from zero and onto a gradient that
 * already holds another branch's (a residual), on two threads and on one: dinp += conv^T (dout),
 * dweight += dout x im2col (inp)^T. */
static void
test_conv_backward (gconstpointer data)
{
  const ConvCase *c = data;
  CxrConvGeometry g = { c->cin, c->cout, c->k, c->k, c->stride, c->stride, c->pad, c->pad };
  int ho = cxr_conv_out_size (c->h, c->k, c->stride, c->pad), wo = cxr_conv_out_size (c->w, c->k, c->stride, c->pad);
  gsize in_count = (gsize) c->cin * c->n * c->h * c->w, out_count = (gsize) c->cout * c->n * ho * wo;
  gsize w_count = (gsize) c->cout * c->cin * c->k * c->k;
  guint32 seed = 11;
  g_autofree float *x = g_new (float, in_count), *dy = g_new (float, out_count), *wt = g_new (float, w_count);
  g_autofree float *residual = g_new (float, in_count);
  for (gsize i = 0; i < in_count; i++)
    x[i] = noise (&seed), residual[i] = noise (&seed);
  for (gsize i = 0; i < out_count; i++)
    dy[i] = noise (&seed);
  for (gsize i = 0; i < w_count; i++)
    wt[i] = noise (&seed);

  g_autofree float *want_dx = g_new0 (float, in_count), *want_dw = g_new0 (float, w_count);
  cxr_conv2d_backward_naive (want_dx, want_dw, NULL, dy, x, wt, &g, c->n, c->h, c->w);

  g_autofree float *workspace = cxr_alloc_floats (cxr_conv2d_backward_workspace_floats (&g, c->n, c->h, c->w) + 1);
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);
  g_autofree float *dx = g_new0 (float, in_count), *dw = g_new0 (float, w_count);
  cxr_conv2d_backward (dx, dw, NULL, dy, x, wt, &g, c->n, c->h, c->w, workspace, team);
  cxr_assert_close (dw, want_dw, w_count, 1e-5);
  cxr_assert_close (dx, want_dx, in_count, 1e-5);

  for (gsize i = 0; i < in_count; i++)
    want_dx[i] += residual[i];
  memcpy (dx, residual, in_count * sizeof (float));
  cxr_conv2d_backward (dx, NULL, NULL, dy, NULL, wt, &g, c->n, c->h, c->w, workspace, NULL);
  cxr_assert_close (dx, want_dx, in_count, 1e-5);
  cxr_free_floats (g_steal_pointer (&workspace));
}

/* The forward pass as training runs it (no kept Winograd weights: Winograd transforms them on every
 * call where it is preferred, else im2col + GEMM), against the double-precision naive convolution. */
static void
test_conv_forward (void)
{
  struct { int n, cin, h, w, cout, k, stride, pad; } shapes[] = {
    { 2, 9, 14, 13, 7, 3, 1, 1 },     /* Winograd: 2 x 7 x 7 tiles */
    { 1, 5, 6, 6, 4, 3, 1, 1 },       /* too few tiles: im2col */
    { 2, 6, 9, 8, 10, 1, 2, 0 },
    { 1, 3, 21, 19, 8, 7, 2, 3 },
  };
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      CxrConvGeometry g = { shapes[s].cin, shapes[s].cout, shapes[s].k, shapes[s].k, shapes[s].stride,
                            shapes[s].stride, shapes[s].pad, shapes[s].pad };
      int n = shapes[s].n, h = shapes[s].h, w = shapes[s].w;
      int ho = cxr_conv_out_size (h, g.kernel_h, g.stride_h, g.pad_h), wo = cxr_conv_out_size (w, g.kernel_w, g.stride_w, g.pad_w);
      gsize in_count = (gsize) g.in_channels * n * h * w, out_count = (gsize) g.out_channels * n * ho * wo;
      gsize w_count = (gsize) g.out_channels * g.in_channels * g.kernel_h * g.kernel_w;
      guint32 seed = 21 + s;
      g_autofree float *x = g_new (float, in_count), *wt = g_new (float, w_count), *r = g_new (float, out_count);
      for (gsize i = 0; i < in_count; i++)
        x[i] = noise (&seed);
      for (gsize i = 0; i < w_count; i++)
        wt[i] = noise (&seed);
      for (gsize i = 0; i < out_count; i++)
        r[i] = noise (&seed);
      float scale[16], shift[16];
      for (int c = 0; c < g.out_channels; c++)
        scale[c] = 1 + 0.1f * c, shift[c] = 0.05f * c;
      g_autofree float *want = g_new (float, out_count), *got = g_new (float, out_count);
      float *workspace = cxr_alloc_floats (cxr_conv2d_forward_workspace_floats (&g, n, h, w, TRUE) + 1);
      cxr_conv2d_forward_naive (want, x, wt, NULL, NULL, NULL, FALSE, &g, n, h, w);
      cxr_conv2d_forward (got, x, wt, NULL, NULL, NULL, NULL, FALSE, &g, n, h, w, workspace, team);
      cxr_assert_close (got, want, out_count, 1e-5);
      cxr_conv2d_forward_naive (want, x, wt, scale, shift, r, TRUE, &g, n, h, w);
      cxr_conv2d_forward (got, x, wt, NULL, scale, shift, r, TRUE, &g, n, h, w, workspace, NULL);
      cxr_assert_close (got, want, out_count, 1e-5);
      cxr_free_floats (workspace);
    }
}

/* The training pool (3x3, stride 2, padding 1 with argmax) equals cxr_maxpool2d_forward, ties
 * included (values on a coarse grid tie often), on odd and even sizes. */
static void
test_maxpool (void)
{
  int sizes[][3] = { { 3, 13, 17 }, { 2, 8, 8 }, { 4, 1, 5 } };
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int c = sizes[s][0], h = sizes[s][1], w = sizes[s][2], n = 2;
      int ho = (h + 2 - 3) / 2 + 1, wo = (w + 2 - 3) / 2 + 1;
      gsize in_count = (gsize) c * n * h * w, out_count = (gsize) c * n * ho * wo;
      guint32 seed = 5;
      g_autofree float *x = g_new (float, in_count);
      for (gsize i = 0; i < in_count; i++)
        x[i] = roundf (noise (&seed) * 3);
      g_autofree float *want = g_new (float, out_count), *got = g_new (float, out_count);
      g_autofree gint32 *want_arg = g_new (gint32, out_count), *got_arg = g_new (gint32, out_count);
      cxr_maxpool2d_forward (want, want_arg, x, c, n, h, w, 3, 2, 1);
      cxr_maxpool2d_forward_parallel (got, got_arg, x, c, n, h, w, 3, 2, 1, team);
      g_assert_cmpmem (got, out_count * sizeof (float), want, out_count * sizeof (float));
      g_assert_cmpmem (got_arg, out_count * sizeof (gint32), want_arg, out_count * sizeof (gint32));
    }
}

static void
test_transpose (void)
{
  gsize shapes[][2] = { { 1, 1 }, { 3, 5 }, { 8, 8 }, { 17, 9 }, { 64, 200 }, { 300, 257 } };
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      gsize rows = shapes[s][0], cols = shapes[s][1];
      g_autofree float *in = g_new (float, rows * cols), *out = g_new (float, rows * cols);
      for (gsize i = 0; i < rows * cols; i++)
        in[i] = i;
      cxr_transpose (out, in, rows, cols, team);
      for (gsize r = 0; r < rows; r++)
        for (gsize c = 0; c < cols; c++)
          g_assert_cmpfloat (out[c * rows + r], ==, in[r * cols + c]);
    }
}

int
main (int argc, char *argv[])
{
  static const char *bn_cases[] = { "bn_plain", "bn_relu", "bn_small_plane" };
  static const char *loss_cases[] = { "loss_bce1", "loss_bce1_pw", "loss_ce2", "loss_ce2_w", "loss_bce14",
                                      "loss_bce14_pw" };
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (bn_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/train-kernels/batchnorm/pytorch/%s", bn_cases[i]);
      g_test_add_data_func (path, bn_cases[i], test_bn_pytorch);
    }
  g_test_add_func ("/train-kernels/batchnorm/naive", test_bn_naive);
  g_test_add_func ("/train-kernels/batchnorm/finite-differences", test_bn_finite_differences);
  for (gsize i = 0; i < G_N_ELEMENTS (loss_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/train-kernels/loss/pytorch/%s", loss_cases[i]);
      g_test_add_data_func (path, loss_cases[i], test_loss_pytorch);
    }
  g_test_add_func ("/train-kernels/loss/finite-differences", test_loss_finite_differences);
  g_test_add_func ("/train-kernels/loss/extremes", test_loss_extremes);
  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/train-kernels/conv-backward/%s", conv_cases[i].name);
      g_test_add_data_func (path, &conv_cases[i], test_conv_backward);
    }
  g_test_add_func ("/train-kernels/conv-forward", test_conv_forward);
  g_test_add_func ("/train-kernels/transpose", test_transpose);
  g_test_add_func ("/train-kernels/maxpool", test_maxpool);
  return g_test_run ();
}
