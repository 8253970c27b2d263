/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernel tests: every BLAS-backed kernel against its naive twin and both against PyTorch
 * (fixtures from tests/reference/gen_kernels.py). Tolerance: 1e-5 of the output's scale.
 * The build runs them twice: on the best path for this CPU and with CXR_CPU=generic. */
#include "cxr-bn.h"
#include "cxr-conv.h"
#include "cxr-cpu.h"
#include "cxr-gemm.h"
#include "cxr-linear.h"
#include "cxr-npy.h"
#include "cxr-pool.h"
#include "cxr-test-util.h"

#include <math.h>

#define TOLERANCE 1e-5

static CxrTensor *
load_case (const char *kase, const char *tensor)
{
  return cxr_test_load_npy ("kernels/%s.%s.npy", kase, tensor);
}

static void
fill_random (float *x, gsize n, GRand *rng)
{
  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rng, -1.0, 1.0);
}

typedef struct {
  int m, n, k;
} GemmShape;

/* Shapes that cross every edge of the kernel: row counts that are not multiples of the
 * micro-tile, partial column panels, depths across the k blocking, a single row or column. */
static const GemmShape gemm_shapes[] = {
  { 1, 1, 1 }, { 12, 32, 5 }, { 13, 33, 7 }, { 7, 49, 300 }, { 64, 196, 64 }, { 25, 17, 520 },
  { 200, 70, 33 }, { 3, 200, 129 }, { 96, 1, 40 }, { 40, 260, 1 },
};

/* cxr_gemm (with and without threads, with each part of the epilogue, with leading dimensions
 * wider than the matrices) against the double-precision naive product. */
static void
test_gemm (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (7);
  g_autoptr (CxrParallel) team = cxr_parallel_new (3);
  g_test_message ("cpu level: %s", cxr_cpu_level_name (cxr_cpu_level ()));

  for (gsize s = 0; s < G_N_ELEMENTS (gemm_shapes); s++)
    {
      const GemmShape *shape = &gemm_shapes[s];
      int m = shape->m, n = shape->n, k = shape->k;
      gsize lda = k + 3, ldb = n + 5, ldc = n + 2;
      g_autofree float *a = g_new (float, m * lda);
      g_autofree float *b = g_new (float, k * ldb);
      g_autofree float *scale = g_new (float, m);
      g_autofree float *shift = g_new (float, m);
      g_autofree float *residual = g_new (float, m * ldc);
      g_autofree float *got = g_new0 (float, m * ldc);
      g_autofree float *want = g_new0 (float, m * ldc);
      fill_random (a, m * lda, rng);
      fill_random (b, k * ldb, rng);
      fill_random (scale, m, rng);
      fill_random (shift, m, rng);
      fill_random (residual, m * ldc, rng);

      const CxrEpilogue epilogues[] = {
        { NULL, NULL, NULL, 0, FALSE },
        { scale, shift, NULL, 0, FALSE },
        { NULL, shift, residual, ldc, TRUE },
        { scale, shift, residual, ldc, TRUE },
      };
      for (gsize e = 0; e < G_N_ELEMENTS (epilogues); e++)
        for (int threaded = 0; threaded < 2; threaded++)
          {
            g_test_message ("gemm %dx%dx%d, epilogue %" G_GSIZE_FORMAT ", %s", m, n, k, e,
                            threaded ? "3 threads" : "1 thread");
            cxr_gemm (threaded ? team : NULL, m, n, k, a, lda, b, ldb, got, ldc, &epilogues[e]);
            cxr_gemm_naive (m, n, k, a, lda, b, ldb, want, ldc, &epilogues[e]);
            cxr_assert_close (got, want, m * ldc, TOLERANCE);
          }

      /* B given transposed (a linear layer's weight), here as [N, K] with a wider row. */
      gsize ldbt = k + 1;
      g_autofree float *bt = g_new (float, n * ldbt);
      fill_random (bt, n * ldbt, rng);
      for (int threaded = 0; threaded < 2; threaded++)
        {
          cxr_gemm_bt (threaded ? team : NULL, m, n, k, a, lda, bt, ldbt, got, ldc);
          cxr_gemm_bt_naive (m, n, k, a, lda, bt, ldbt, want, ldc);
          cxr_assert_close (got, want, m * ldc, TOLERANCE);
        }

      /* A constant right-hand side packed once. */
      float *packed = cxr_alloc_floats (cxr_gemm_packed_b_floats (k, n));
      cxr_gemm_pack_b (packed, b, ldb, k, n);
      cxr_gemm_packed_b_serial (m, n, k, a, lda, packed, got, ldc);
      cxr_gemm_naive (m, n, k, a, lda, b, ldb, want, ldc, NULL);
      cxr_assert_close (got, want, m * ldc, TOLERANCE);
      cxr_free_floats (packed);
    }
}

/* ReLU keeps NaN, as torch.relu does, so a broken input is not silently hidden. */
static void
test_gemm_relu_keeps_nan (void)
{
  float a[2] = { 1.0f, NAN };
  float b[2] = { -1.0f, 1.0f };
  float c[4];
  CxrEpilogue relu = { NULL, NULL, NULL, 0, TRUE };
  cxr_gemm (NULL, 2, 2, 1, a, 1, b, 2, c, 2, &relu);
  g_assert_cmpfloat (c[0], ==, 0.0f);
  g_assert_cmpfloat (c[1], ==, 1.0f);
  g_assert_true (isnan (c[2]) && isnan (c[3]));
}

static void
test_parallel_split (void)
{
  /* Every item exactly once, in grain-sized chunks, for any team size. */
  for (int threads = 1; threads <= 5; threads++)
    for (gsize count = 0; count < 40; count++)
      {
        gsize next = 0;
        for (int t = 0; t < threads; t++)
          {
            gsize begin, end;
            cxr_parallel_split (count, 4, t, threads, &begin, &end);
            g_assert_cmpuint (begin, ==, next);
            g_assert_true (begin == end || begin % 4 == 0);
            next = end;
          }
        g_assert_cmpuint (next, ==, count);
      }
}

static void
count_member (int thread, int n_threads, gpointer data)
{
  gint *seen = data;
  g_atomic_int_add (&seen[thread], 1);
}

/* Many short jobs in a row, and again after the helpers have gone to sleep. */
static void
test_parallel_run (void)
{
  g_autoptr (CxrParallel) team = cxr_parallel_new (3);
  gint seen[3] = { 0 };
  for (int round = 0; round < 2; round++)
    {
      for (int i = 0; i < 1000; i++)
        cxr_parallel_run (team, count_member, seen);
      g_usleep (5000);
    }
  for (int t = 0; t < 3; t++)
    g_assert_cmpint (seen[t], ==, 2000);
}

static void
test_conv (gconstpointer data)
{
  const char *kase = data;
  g_autoptr (CxrTensor) input = load_case (kase, "input");
  g_autoptr (CxrTensor) weight = load_case (kase, "weight");
  g_autoptr (CxrTensor) bias = load_case (kase, "bias");
  g_autoptr (CxrTensor) residual_nchw = load_case (kase, "residual");
  g_autoptr (CxrTensor) want_nchw = load_case (kase, "output");
  g_autoptr (CxrTensor) want_rr_nchw = load_case (kase, "output_residual_relu");
  g_autoptr (CxrTensor) geo = load_case (kase, "geometry");

  CxrConvGeometry g = {
    .in_channels = geo->data[0], .out_channels = geo->data[1],
    .kernel_h = geo->data[2], .kernel_w = geo->data[3],
    .stride_h = geo->data[4], .stride_w = geo->data[5],
    .pad_h = geo->data[6], .pad_w = geo->data[7],
  };
  int n = input->shape[0], h = input->shape[2], w = input->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input);
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);
  g_autoptr (CxrTensor) want_rr = cxr_test_to_channel_major (want_rr_nchw);
  g_autoptr (CxrTensor) residual = cxr_test_to_channel_major (residual_nchw);
  gsize numel = cxr_tensor_numel (want);

  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  g_autoptr (CxrTensor) got_naive = cxr_tensor_copy (want);
  gsize ws = cxr_conv2d_forward_workspace_floats (&g, n, h, w, TRUE);
  float *workspace = cxr_alloc_floats (ws);

  cxr_conv2d_forward (got->data, x->data, weight->data, NULL, NULL, bias->data, NULL, FALSE, &g, n, h, w, workspace, NULL);
  cxr_conv2d_forward_naive (got_naive->data, x->data, weight->data, NULL, bias->data, NULL, FALSE, &g, n, h, w);
  cxr_assert_close (got->data, want->data, numel, TOLERANCE);
  cxr_assert_close (got_naive->data, want->data, numel, TOLERANCE);
  cxr_assert_close (got->data, got_naive->data, numel, TOLERANCE);

  /* Fused residual add + ReLU. */
  cxr_conv2d_forward (got->data, x->data, weight->data, NULL, NULL, bias->data, residual->data, TRUE, &g, n, h, w, workspace, NULL);
  cxr_assert_close (got->data, want_rr->data, numel, TOLERANCE);
  cxr_conv2d_forward_naive (got_naive->data, x->data, weight->data, NULL, bias->data, residual->data, TRUE, &g, n, h, w);
  cxr_assert_close (got_naive->data, want_rr->data, numel, TOLERANCE);

  cxr_free_floats (workspace);
}

/* A convolution whose im2col is done in chunks of output rows (here a ResNet stem on two 224x224
 * images: two chunks, the second starting in the middle of the second image), with a residual. */
static void
test_conv_chunked (void)
{
  CxrConvGeometry g = { 3, 8, 7, 7, 2, 2, 3, 3 };
  int n = 2, h = 224, w = 224, ho = 112, wo = 112;
  gsize in_numel = (gsize) 3 * n * h * w, out_numel = (gsize) 8 * n * ho * wo;
  g_autoptr (GRand) rng = g_rand_new_with_seed (9);
  g_autofree float *x = g_new (float, in_numel);
  g_autofree float *weight = g_new (float, 8 * 3 * 49);
  g_autofree float *shift = g_new (float, 8);
  g_autofree float *residual = g_new (float, out_numel);
  fill_random (x, in_numel, rng);
  fill_random (weight, 8 * 3 * 49, rng);
  fill_random (shift, 8, rng);
  fill_random (residual, out_numel, rng);
  gsize ws = cxr_conv2d_forward_workspace_floats (&g, n, h, w, TRUE);
  g_assert_cmpuint (ws, <, (gsize) 3 * 49 * n * ho * wo);

  float *workspace = cxr_alloc_floats (ws);
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);
  g_autofree float *got = g_new (float, out_numel);
  g_autofree float *want = g_new (float, out_numel);
  cxr_conv2d_forward (got, x, weight, NULL, NULL, shift, residual, TRUE, &g, n, h, w, workspace, team);
  cxr_conv2d_forward_naive (want, x, weight, NULL, shift, residual, TRUE, &g, n, h, w);
  cxr_assert_close (got, want, out_numel, TOLERANCE);
  cxr_free_floats (workspace);
}

static void
test_conv_bn_fold (void)
{
  g_autoptr (CxrTensor) input = load_case ("conv_bn", "input");
  g_autoptr (CxrTensor) weight = load_case ("conv_bn", "weight");
  g_autoptr (CxrTensor) gamma = load_case ("conv_bn", "gamma");
  g_autoptr (CxrTensor) beta = load_case ("conv_bn", "beta");
  g_autoptr (CxrTensor) mean = load_case ("conv_bn", "running_mean");
  g_autoptr (CxrTensor) var = load_case ("conv_bn", "running_var");
  g_autoptr (CxrTensor) want_nchw = load_case ("conv_bn", "output");

  int cout = weight->shape[0], cin = weight->shape[1];
  CxrConvGeometry g = { cin, cout, 3, 3, 1, 1, 1, 1 };
  int n = input->shape[0], h = input->shape[2], w = input->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input);
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);
  gsize numel = cxr_tensor_numel (want);

  /* Folded: one convolution whose epilogue applies the per-channel scale and shift. */
  g_autoptr (CxrTensor) scale = cxr_tensor_new_1d (cout);
  g_autoptr (CxrTensor) shift = cxr_tensor_new_1d (cout);
  cxr_batchnorm_fold (scale->data, shift->data, gamma->data, beta->data, mean->data, var->data, CXR_BN_EPS, cout);
  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  float *workspace = cxr_alloc_floats (cxr_conv2d_forward_workspace_floats (&g, n, h, w, TRUE));
  cxr_conv2d_forward (got->data, x->data, weight->data, NULL, scale->data, shift->data, NULL, FALSE, &g, n, h, w, workspace, NULL);
  cxr_assert_close (got->data, want->data, numel, TOLERANCE);
  cxr_conv2d_forward_naive (got->data, x->data, weight->data, scale->data, shift->data, NULL, FALSE, &g, n, h, w);
  cxr_assert_close (got->data, want->data, numel, TOLERANCE);
  cxr_free_floats (workspace);

  /* Unfolded naive: conv then batch norm as PyTorch computes it. */
  g_autoptr (CxrTensor) conv_out = cxr_tensor_copy (want);
  cxr_conv2d_forward_naive (conv_out->data, x->data, weight->data, NULL, NULL, NULL, FALSE, &g, n, h, w);
  cxr_batchnorm_inference_naive (got->data, conv_out->data, gamma->data, beta->data, mean->data, var->data,
                                 CXR_BN_EPS, cout, numel / cout);
  cxr_assert_close (got->data, want->data, numel, TOLERANCE);
}

static void
test_maxpool (void)
{
  g_autoptr (CxrTensor) input = load_case ("maxpool_3x3_s2_p1", "input");
  g_autoptr (CxrTensor) want_nchw = load_case ("maxpool_3x3_s2_p1", "output");
  g_autoptr (CxrTensor) want_idx_nchw = load_case ("maxpool_3x3_s2_p1", "indices");
  int n = input->shape[0], c = input->shape[1], h = input->shape[2], w = input->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input);
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);
  g_autoptr (CxrTensor) want_idx = cxr_test_to_channel_major (want_idx_nchw);
  gsize numel = cxr_tensor_numel (want);

  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  g_autofree gint32 *argmax = g_new (gint32, numel);
  cxr_maxpool2d_forward (got->data, argmax, x->data, c, n, h, w, 3, 2, 1);
  cxr_assert_close_abs (got->data, want->data, numel, 0.0);
  for (gsize i = 0; i < numel; i++)
    g_assert_cmpint (argmax[i], ==, (int) want_idx->data[i]);
}

/* Without argmax (inference) the pool takes a vectorised path: the same values as the path with
 * argmax and as PyTorch's rule (a NaN in the window wins), for odd and even sizes and other windows. */
static void
test_maxpool_values (void)
{
  g_autoptr (CxrTensor) input = load_case ("maxpool_3x3_s2_p1", "input");
  g_autoptr (CxrTensor) want_nchw = load_case ("maxpool_3x3_s2_p1", "output");
  int n = input->shape[0], c = input->shape[1], h = input->shape[2], w = input->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input);
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);
  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  cxr_maxpool2d_forward (got->data, NULL, x->data, c, n, h, w, 3, 2, 1);
  cxr_assert_close_abs (got->data, want->data, cxr_tensor_numel (want), 0.0);

  static const int windows[][3] = { { 3, 2, 1 }, { 2, 2, 0 }, { 3, 1, 1 }, { 5, 3, 2 } };
  static const int sizes[][2] = { { 1, 1 }, { 2, 3 }, { 7, 7 }, { 12, 9 }, { 13, 40 } };
  g_autoptr (GRand) rng = g_rand_new_with_seed (3);
  for (gsize k = 0; k < G_N_ELEMENTS (windows); k++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        int kernel = windows[k][0], stride = windows[k][1], pad = windows[k][2];
        int ph = sizes[s][0], pw = sizes[s][1];
        int ho = (ph + 2 * pad - kernel) / stride + 1, wo = (pw + 2 * pad - kernel) / stride + 1;
        if (ho < 1 || wo < 1)
          continue;
        gsize in_numel = 2 * ph * pw, out_numel = 2 * ho * wo;
        g_autofree float *plane = g_new (float, in_numel);
        for (gsize i = 0; i < in_numel; i++)
          plane[i] = (float) g_rand_double_range (rng, -1, 1);
        plane[in_numel / 2] = NAN;
        g_autofree float *fast = g_new (float, out_numel);
        g_autofree float *slow = g_new (float, out_numel);
        g_autofree gint32 *argmax = g_new (gint32, out_numel);
        cxr_maxpool2d_forward (fast, NULL, plane, 2, 1, ph, pw, kernel, stride, pad);
        cxr_maxpool2d_forward (slow, argmax, plane, 2, 1, ph, pw, kernel, stride, pad);
        for (gsize i = 0; i < out_numel; i++)
          {
            /* PyTorch's rule, window by window: the first maximum, or NaN if there is one. */
            const float *src = plane + i / (ho * wo) * ph * pw;
            int oy = i % (ho * wo) / wo, ox = i % wo;
            float best = -INFINITY;
            for (int sy = MAX (0, oy * stride - pad); sy < MIN (ph, oy * stride - pad + kernel); sy++)
              for (int sx = MAX (0, ox * stride - pad); sx < MIN (pw, ox * stride - pad + kernel); sx++)
                if (src[sy * pw + sx] > best || isnan (src[sy * pw + sx]))
                  best = isnan (best) ? best : src[sy * pw + sx];
            if (isnan (best))
              g_assert_true (isnan (fast[i]) && isnan (slow[i]));
            else
              {
                g_assert_cmpfloat (fast[i], ==, best);
                g_assert_cmpfloat (slow[i], ==, best);
              }
          }
      }
}

static void
test_avgpool (void)
{
  g_autoptr (CxrTensor) input = load_case ("avgpool", "input");
  g_autoptr (CxrTensor) want = load_case ("avgpool", "output");
  int n = input->shape[0], c = input->shape[1], h = input->shape[2], w = input->shape[3];
  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input);
  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  cxr_global_avgpool_forward (got->data, x->data, c, n, h, w);
  cxr_assert_close (got->data, want->data, cxr_tensor_numel (want), TOLERANCE);
}

static void
test_linear (void)
{
  g_autoptr (CxrTensor) input = load_case ("linear", "input");
  g_autoptr (CxrTensor) weight = load_case ("linear", "weight");
  g_autoptr (CxrTensor) bias = load_case ("linear", "bias");
  g_autoptr (CxrTensor) want = load_case ("linear", "output");
  int n = input->shape[0], in = input->shape[1], out = weight->shape[0];
  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  g_autoptr (CxrTensor) got_naive = cxr_tensor_copy (want);
  cxr_linear_forward (got->data, input->data, weight->data, bias->data, n, in, out);
  cxr_linear_forward_naive (got_naive->data, input->data, weight->data, bias->data, n, in, out);
  cxr_assert_close (got->data, want->data, cxr_tensor_numel (want), TOLERANCE);
  cxr_assert_close (got_naive->data, want->data, cxr_tensor_numel (want), TOLERANCE);
}

int
main (int argc, char *argv[])
{
  static const char *conv_cases[] = {
    "conv_3x3_s1_p1", "conv_3x3_s2_p1", "conv_7x7_s2_p3", "conv_1x1_s1_p0", "conv_1x1_s2_p0", "conv_5x3_s1_p2",
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kernels/parallel/split", test_parallel_split);
  g_test_add_func ("/kernels/parallel/run", test_parallel_run);
  g_test_add_func ("/kernels/gemm/shapes", test_gemm);
  g_test_add_func ("/kernels/gemm/relu-keeps-nan", test_gemm_relu_keeps_nan);
  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/kernels/conv/%s", conv_cases[i]);
      g_test_add_data_func (path, conv_cases[i], test_conv);
    }
  g_test_add_func ("/kernels/conv-chunked", test_conv_chunked);
  g_test_add_func ("/kernels/conv-bn-fold", test_conv_bn_fold);
  g_test_add_func ("/kernels/maxpool", test_maxpool);
  g_test_add_func ("/kernels/maxpool-values", test_maxpool_values);
  g_test_add_func ("/kernels/avgpool", test_avgpool);
  g_test_add_func ("/kernels/linear", test_linear);
  return g_test_run ();
}
