/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Winograd F(2x2, 3x3) tests: the fast path against its naive twin (the same algorithm written
 * plainly), both against the direct convolution (cxr_conv2d_forward_naive, in double) and against
 * PyTorch (fixtures winograd_* from tests/reference/gen_kernels.py). Tolerance: 1e-5 of the
 * output's scale, as for every kernel. The build runs them twice: on the best path for this CPU
 * and with CXR_CPU=generic. */
#include "cxr-conv.h"
#include "cxr-cpu.h"
#include "cxr-npy.h"
#include "cxr-test-util.h"
#include "cxr-winograd.h"

#include <math.h>

#define TOLERANCE 1e-5

static CxrTensor *
load_case (const char *kase, const char *tensor)
{
  return cxr_test_load_npy ("kernels/%s.%s.npy", kase, tensor);
}

static void
fill_random (float *x, gsize n, GRand *rng, double amplitude)
{
  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rng, -amplitude, amplitude);
}

/* Everything the fast path needs for one convolution, and its result. */
typedef struct {
  CxrConvGeometry g;
  int n, h, w, ho, wo;
  gsize out_numel;
  float *u;
  float *workspace;
} Setup;

static void
setup_init (Setup *s, const CxrConvGeometry *g, int n, int h, int w, const float *weight)
{
  s->g = *g;
  s->n = n, s->h = h, s->w = w;
  s->ho = cxr_conv_out_size (h, 3, 1, g->pad_h);
  s->wo = cxr_conv_out_size (w, 3, 1, g->pad_w);
  s->out_numel = (gsize) g->out_channels * n * s->ho * s->wo;
  s->u = cxr_alloc_floats (cxr_winograd_weight_floats (g));
  cxr_winograd_transform_weight (s->u, weight, g, NULL);
  s->workspace = cxr_alloc_floats (cxr_winograd_workspace_floats (g, n, h, w));
}

static void
setup_clear (Setup *s)
{
  cxr_free_floats (s->u);
  cxr_free_floats (s->workspace);
}

/* Names the comparison in the log, with the error relative to the scale the tolerance uses. */
static void
compare (const char *what, const float *got, const float *want, gsize n, double tolerance)
{
  double scale = MAX (1.0, cxr_test_max_abs (want, n));
  double error = cxr_test_max_abs_diff (got, want, n, NULL);
  g_test_message ("%s: max abs error %.3g = %.3g of the output's scale", what, error, error / scale);
  cxr_assert_close (got, want, n, tolerance);
}

/* Runs the fast path (alone and on a team of three), the naive twin and the direct convolution
 * with the given epilogue and checks all of them against each other and against @want when given. */
static void
check_all_paths (const Setup *s, const float *x, const float *weight, const float *scale, const float *shift,
                 const float *residual, gboolean relu, const float *want)
{
  g_autoptr (CxrParallel) team = cxr_parallel_new (3);
  g_autofree float *fast = g_new (float, s->out_numel);
  g_autofree float *fast_team = g_new (float, s->out_numel);
  g_autofree float *naive = g_new (float, s->out_numel);
  g_autofree float *direct = g_new (float, s->out_numel);

  cxr_winograd_conv2d_forward (fast, x, s->u, scale, shift, residual, relu, &s->g, s->n, s->h, s->w,
                               s->workspace, NULL);
  cxr_winograd_conv2d_forward (fast_team, x, s->u, scale, shift, residual, relu, &s->g, s->n, s->h, s->w,
                               s->workspace, team);
  cxr_winograd_conv2d_forward_naive (naive, x, weight, scale, shift, residual, relu, &s->g, s->n, s->h, s->w);
  cxr_conv2d_forward_naive (direct, x, weight, scale, shift, residual, relu, &s->g, s->n, s->h, s->w);

  compare ("fast vs naive twin", fast, naive, s->out_numel, TOLERANCE);
  compare ("fast on 3 threads vs fast on 1", fast_team, fast, s->out_numel, 0.0);
  compare ("fast vs direct convolution", fast, direct, s->out_numel, TOLERANCE);
  compare ("naive twin vs direct convolution", naive, direct, s->out_numel, TOLERANCE);
  if (want)
    {
      compare ("fast vs PyTorch", fast, want, s->out_numel, TOLERANCE);
      compare ("naive twin vs PyTorch", naive, want, s->out_numel, TOLERANCE);
    }
}

/* PyTorch's F.conv2d (bias, then relu (y + residual) with a residual drawn here). */
static void
test_against_pytorch (gconstpointer data)
{
  const char *kase = data;
  g_autoptr (CxrTensor) input = load_case (kase, "input");
  g_autoptr (CxrTensor) weight = load_case (kase, "weight");
  g_autoptr (CxrTensor) bias = load_case (kase, "bias");
  g_autoptr (CxrTensor) want_nchw = load_case (kase, "output");
  g_autoptr (CxrTensor) geo = load_case (kase, "geometry");
  CxrConvGeometry g = {
    .in_channels = geo->data[0], .out_channels = geo->data[1],
    .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
    .pad_h = geo->data[6], .pad_w = geo->data[7],
  };
  g_assert_true (cxr_winograd_supports (&g));
  g_test_message ("%s on the %s path", kase, cxr_cpu_level_name (cxr_cpu_level ()));

  g_autoptr (CxrTensor) x = cxr_test_to_channel_major (input);
  g_autoptr (CxrTensor) want = cxr_test_to_channel_major (want_nchw);
  Setup s;
  setup_init (&s, &g, input->shape[0], input->shape[2], input->shape[3], weight->data);
  g_assert_cmpuint (s.out_numel, ==, cxr_tensor_numel (want));

  check_all_paths (&s, x->data, weight->data, NULL, bias->data, NULL, FALSE, want->data);

  g_autoptr (GRand) rng = g_rand_new_with_seed (11);
  g_autofree float *residual = g_new (float, s.out_numel);
  g_autofree float *want_rr = g_new (float, s.out_numel);
  fill_random (residual, s.out_numel, rng, 2.0);
  for (gsize i = 0; i < s.out_numel; i++)
    {
      float v = want->data[i] + residual[i];
      want_rr[i] = v < 0.0f ? 0.0f : v;
    }
  check_all_paths (&s, x->data, weight->data, NULL, bias->data, residual, TRUE, want_rr);
  setup_clear (&s);
}

typedef struct {
  const char *name;
  int n, cin, cout, h, w, pad;
} RandomCase;

/* ResNet's own shapes (more channels than the fixtures can hold), and more passes than one. */
static const RandomCase random_cases[] = {
  { "layer3-like", 1, 256, 256, 14, 14, 1 },
  { "layer4-like-batch2", 2, 128, 64, 7, 7, 1 },
  { "many-images-several-passes", 3, 64, 64, 56, 56, 1 },
  { "wide-row", 1, 2, 3, 5, 301, 1 },
  { "one-pixel", 2, 3, 2, 1, 1, 1 },
};

static void
test_random (gconstpointer data)
{
  const RandomCase *c = data;
  CxrConvGeometry g = { c->cin, c->cout, 3, 3, 1, 1, c->pad, c->pad };
  g_autoptr (GRand) rng = g_rand_new_with_seed (5);
  gsize in_numel = (gsize) c->cin * c->n * c->h * c->w;
  g_autofree float *x = g_new (float, in_numel);
  g_autofree float *weight = g_new (float, (gsize) c->cout * c->cin * 9);
  g_autofree float *scale = g_new (float, c->cout);
  g_autofree float *shift = g_new (float, c->cout);
  fill_random (x, in_numel, rng, 1.5);
  fill_random (weight, (gsize) c->cout * c->cin * 9, rng, 1.7 / sqrt (9.0 * c->cin));
  fill_random (scale, c->cout, rng, 2.0);
  fill_random (shift, c->cout, rng, 1.0);

  Setup s;
  setup_init (&s, &g, c->n, c->h, c->w, weight);
  g_autofree float *residual = g_new (float, s.out_numel);
  fill_random (residual, s.out_numel, rng, 1.0);
  g_test_message ("%s: %d x %d -> %d channels, %dx%d, batch %d, on the %s path", c->name, c->cin, c->cin,
                  c->cout, c->h, c->w, c->n, cxr_cpu_level_name (cxr_cpu_level ()));
  check_all_paths (&s, x, weight, scale, shift, residual, TRUE, NULL);
  check_all_paths (&s, x, weight, NULL, NULL, NULL, FALSE, NULL);
  setup_clear (&s);
}

int
main (int argc, char *argv[])
{
  static const char *fixtures[] = {
    "winograd_56x56", "winograd_28x28", "winograd_14x14", "winograd_7x7",
    "winograd_9x11_b3", "winograd_5x8_p0", "winograd_6x5_p2", "winograd_deep",
  };

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *path = g_strdup_printf ("/winograd/pytorch/%s", fixtures[i]);
      g_test_add_data_func (path, fixtures[i], test_against_pytorch);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (random_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/winograd/random/%s", random_cases[i].name);
      g_test_add_data_func (path, &random_cases[i], test_random);
    }
  return g_test_run ();
}
