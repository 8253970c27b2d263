/* Kernel tests: every BLAS-backed kernel against its naive twin and both against PyTorch
 * (fixtures from tests/reference/gen_kernels.py). Tolerance: 1e-5 of the output's scale. */
#include "cxr-bn.h"
#include "cxr-conv.h"
#include "cxr-linear.h"
#include "cxr-npy.h"
#include "cxr-pool.h"
#include "cxr-test-util.h"

#define TOLERANCE 1e-5

static CxrTensor *
load_case (const char *kase, const char *tensor)
{
  g_autofree char *name = g_strdup_printf ("kernels/%s.%s.npy", kase, tensor);
  g_autofree char *path = cxr_test_fixture_path (name);
  g_autoptr (GError) error = NULL;
  CxrTensor *t = cxr_npy_load (path, &error);
  g_assert_no_error (error);
  return t;
}

/* A PyTorch [N, C, H, W] tensor in cxrcam's channel-major [C, N, H, W] order. */
static CxrTensor *
to_channel_major (const CxrTensor *nchw)
{
  g_assert_cmpint (nchw->ndim, ==, 4);
  CxrTensor *cnhw = cxr_tensor_new_4d (nchw->shape[1], nchw->shape[0], nchw->shape[2], nchw->shape[3]);
  cxr_swap_outer_dims (cnhw->data, nchw->data, nchw->shape[0], nchw->shape[1], nchw->shape[2] * nchw->shape[3]);
  return cnhw;
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
  g_autoptr (CxrTensor) x = to_channel_major (input);
  g_autoptr (CxrTensor) want = to_channel_major (want_nchw);
  g_autoptr (CxrTensor) want_rr = to_channel_major (want_rr_nchw);
  g_autoptr (CxrTensor) residual = to_channel_major (residual_nchw);
  gsize numel = cxr_tensor_numel (want);

  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  g_autoptr (CxrTensor) got_naive = cxr_tensor_copy (want);
  gsize ws = cxr_conv2d_workspace_floats (&g, n, h, w);
  float *workspace = cxr_alloc_floats (ws);

  cxr_conv2d_forward (got->data, x->data, weight->data, NULL, bias->data, NULL, FALSE, &g, n, h, w, workspace);
  cxr_conv2d_forward_naive (got_naive->data, x->data, weight->data, NULL, bias->data, NULL, FALSE, &g, n, h, w);
  cxr_assert_close (got->data, want->data, numel, TOLERANCE);
  cxr_assert_close (got_naive->data, want->data, numel, TOLERANCE);
  cxr_assert_close (got->data, got_naive->data, numel, TOLERANCE);

  /* Fused residual add + ReLU. */
  cxr_conv2d_forward (got->data, x->data, weight->data, NULL, bias->data, residual->data, TRUE, &g, n, h, w, workspace);
  cxr_assert_close (got->data, want_rr->data, numel, TOLERANCE);
  cxr_conv2d_forward_naive (got_naive->data, x->data, weight->data, NULL, bias->data, residual->data, TRUE, &g, n, h, w);
  cxr_assert_close (got_naive->data, want_rr->data, numel, TOLERANCE);

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
  g_autoptr (CxrTensor) x = to_channel_major (input);
  g_autoptr (CxrTensor) want = to_channel_major (want_nchw);
  gsize numel = cxr_tensor_numel (want);

  /* Folded: one convolution whose epilogue applies the per-channel scale and shift. */
  g_autoptr (CxrTensor) scale = cxr_tensor_new_1d (cout);
  g_autoptr (CxrTensor) shift = cxr_tensor_new_1d (cout);
  cxr_batchnorm_fold (scale->data, shift->data, gamma->data, beta->data, mean->data, var->data, CXR_BN_EPS, cout);
  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  float *workspace = cxr_alloc_floats (cxr_conv2d_workspace_floats (&g, n, h, w));
  cxr_conv2d_forward (got->data, x->data, weight->data, scale->data, shift->data, NULL, FALSE, &g, n, h, w, workspace);
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
  g_autoptr (CxrTensor) x = to_channel_major (input);
  g_autoptr (CxrTensor) want = to_channel_major (want_nchw);
  g_autoptr (CxrTensor) want_idx = to_channel_major (want_idx_nchw);
  gsize numel = cxr_tensor_numel (want);

  g_autoptr (CxrTensor) got = cxr_tensor_copy (want);
  g_autofree gint32 *argmax = g_new (gint32, numel);
  cxr_maxpool2d_forward (got->data, argmax, x->data, c, n, h, w, 3, 2, 1);
  cxr_assert_close_abs (got->data, want->data, numel, 0.0);
  for (gsize i = 0; i < numel; i++)
    g_assert_cmpint (argmax[i], ==, (int) want_idx->data[i]);
}

static void
test_avgpool (void)
{
  g_autoptr (CxrTensor) input = load_case ("avgpool", "input");
  g_autoptr (CxrTensor) want = load_case ("avgpool", "output");
  int n = input->shape[0], c = input->shape[1], h = input->shape[2], w = input->shape[3];
  g_autoptr (CxrTensor) x = to_channel_major (input);
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
  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/kernels/conv/%s", conv_cases[i]);
      g_test_add_data_func (path, conv_cases[i], test_conv);
    }
  g_test_add_func ("/kernels/conv-bn-fold", test_conv_bn_fold);
  g_test_add_func ("/kernels/maxpool", test_maxpool);
  g_test_add_func ("/kernels/avgpool", test_avgpool);
  g_test_add_func ("/kernels/linear", test_linear);
  return g_test_run ();
}
