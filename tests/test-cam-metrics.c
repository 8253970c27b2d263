/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The faithfulness metrics (cxr-cam-metrics.h): the pointing game, NumPy's percentile and road.py's imputation on
 * hand-computed cases, the imputation against a dense solve of road.py's system, and the confidence change and ROAD
 * curves of a tiny network against the same metrics written from pytorch-grad-cam's metrics/ with PyTorch
 * (tests/reference/metrics_reference.py, noise off), then the noise's effect and determinism. */
#include "cxr-cam-metrics.h"
#include "cxr-model.h"
#include "cxr-npy.h"
#include "cxr-test-util.h"

#include <math.h>
#include <string.h>

static void
test_pointing_game (void)
{
  enum { W = 10, H = 6 };
  float cam[W * H] = { 0 };
  cam[2 * W + 7] = 0.9f;
  cam[4 * W + 1] = 0.9f;   /* a tie later in raster order: the first maximum counts */
  CxrRect inside = { 7, 2, 1, 1 };      /* exactly the pixel (7, 2): its centre 7.5, 2.5 is inside */
  CxrRect beside = { 7.6, 2, 3, 3 };    /* starts right of the centre */
  CxrRect second = { 0, 4, 2, 2 };
  int x, y;
  g_assert_true (cxr_cam_pointing_hit (cam, W, H, &inside, 1, &x, &y));
  g_assert_cmpint (x, ==, 7);
  g_assert_cmpint (y, ==, 2);
  g_assert_false (cxr_cam_pointing_hit (cam, W, H, &beside, 1, NULL, NULL));
  g_assert_false (cxr_cam_pointing_hit (cam, W, H, &second, 1, NULL, NULL));
  CxrRect both[] = { second, inside };
  g_assert_true (cxr_cam_pointing_hit (cam, W, H, both, 2, NULL, NULL));
  g_assert_false (cxr_cam_pointing_hit (cam, W, H, NULL, 0, NULL, NULL));
}

static void
test_percentile (void)
{
  /* np.percentile ([4, 1, 3, 2], q): index q / 100 * 3 between the sorted values. */
  const float values[] = { 4, 1, 3, 2 };
  g_assert_cmpfloat_with_epsilon (cxr_percentile (values, 4, 50), 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_percentile (values, 4, 10), 1.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_percentile (values, 4, 90), 3.7, 1e-12);
  g_assert_cmpfloat (cxr_percentile (values, 4, 0), ==, 1.0);
  g_assert_cmpfloat (cxr_percentile (values, 4, 100), ==, 4.0);
}

/* Hand-solved systems: each unknown is the weighted mean of its neighbours inside the image. */
static void
test_impute_by_hand (void)
{
  /* A row [2, ?, 8]: the middle is the mean of its two side neighbours. */
  float row[] = { 2, 0, 8 }, out[9];
  guint8 keep_row[] = { 1, 0, 1 };
  g_assert_true (cxr_road_impute (out, row, keep_row, 3, 1, NULL));
  g_assert_cmpfloat_with_epsilon (out[1], 5.0, 1e-5);
  g_assert_cmpfloat (out[0], ==, 2.0f);

  /* [3, ?, ?, 9]: x1 = (3 + x2) / 2, x2 = (x1 + 9) / 2, so x1 = 5, x2 = 7. */
  float four[] = { 3, 0, 0, 9 };
  guint8 keep_four[] = { 1, 0, 0, 1 };
  g_assert_true (cxr_road_impute (out, four, keep_four, 4, 1, NULL));
  g_assert_cmpfloat_with_epsilon (out[1], 5.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[2], 7.0, 1e-5);

  /* 3 x 3 with the centre missing: sides weigh 1/6, corners 1/12; sides 1 and corners 0 give 4/6. */
  float square[] = { 0, 1, 0, 1, 0.5f, 1, 0, 1, 0 };
  guint8 keep_square[] = { 1, 1, 1, 1, 0, 1, 1, 1, 1 };
  g_assert_true (cxr_road_impute (out, square, keep_square, 3, 3, NULL));
  g_assert_cmpfloat_with_epsilon (out[4], 4.0 / 6.0, 1e-5);

  /* Nothing known: the normalised mean, 0. */
  guint8 none[] = { 0, 0, 0 };
  g_assert_true (cxr_road_impute (out, row, none, 3, 1, NULL));
  g_assert_cmpfloat (out[0], ==, 0.0f);
  g_assert_cmpfloat (out[2], ==, 0.0f);
}

static CxrTensor *
load (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  CxrTensor *t = cxr_npy_load (path, &error);
  g_assert_no_error (error);
  return t;
}

#define SIZE 48

static void
test_against_pytorch (void)
{
  g_autofree char *tmp = cxr_test_make_tmpdir ();
  g_autofree char *network = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  const char *args[] = { tmp, network, G_STRINGIFY (SIZE), NULL };
  if (!cxr_test_run_reference ("metrics_reference.py", args))
    return;

  /* The imputation of a random 32 x 32 plane with 60 % missing, against a dense solve of road.py's system. */
  g_autoptr (CxrTensor) plane = load (tmp, "impute_image.npy");
  g_autoptr (CxrTensor) keep_f = load (tmp, "impute_keep.npy");
  g_autoptr (CxrTensor) want = load (tmp, "impute_out.npy");
  guint8 keep[32 * 32];
  gsize missing = 0;
  for (int i = 0; i < 32 * 32; i++)
    missing += !(keep[i] = keep_f->data[i] > 0.5f);
  g_assert_cmpuint (missing, >, 500);
  float out[32 * 32];
  g_assert_true (cxr_road_impute (out, plane->data, keep, 32, 32, NULL));
  double worst = 0;
  for (int i = 0; i < 32 * 32; i++)
    worst = MAX (worst, fabs (out[i] - want->data[i]));
  g_test_message ("imputation: worst %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-5);

  /* The tiny network with a card for SIZE x SIZE inputs. */
  g_autofree char *card = g_build_filename (tmp, "card.json", NULL);
  const char *card_json = "{\"input_width\": " G_STRINGIFY (SIZE) ", \"input_height\": " G_STRINGIFY (SIZE) "}";
  g_assert_true (g_file_set_contents (card, card_json, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (network, card, &error);
  g_assert_no_error (error);
  g_autoptr (CxrTensor) input = load (tmp, "input.npy");
  g_autoptr (CxrTensor) map = load (tmp, "map.npy");
  g_autoptr (CxrTensor) figures = load (tmp, "metrics.npy");

  CxrCamFaithfulness got;
  g_assert_true (cxr_cam_faithfulness (&got, model, input->data, map->data, 1, 42, 0.0f, NULL, &error));
  g_assert_no_error (error);
  const float *w = figures->data;
  g_test_message ("p %.6f (%.6f), drop %.6f (%.6f), increase %g (%g)", got.probability, w[0], got.drop, w[1],
                  got.increase, w[2]);
  g_assert_cmpfloat_with_epsilon (got.probability, w[0], 1e-5);
  g_assert_cmpfloat_with_epsilon (got.drop, w[1], 1e-5);
  g_assert_cmpfloat (got.increase, ==, w[2]);
  worst = 0;
  double spread = 0;
  for (int k = 0; k < CXR_ROAD_N_PERCENTILES; k++)
    {
      g_test_message ("ROAD %d: MoRF %.6f (%.6f), LeRF %.6f (%.6f)", cxr_road_percentiles[k], got.morf[k], w[3 + k],
                      got.lerf[k], w[12 + k]);
      worst = MAX (worst, fabs (got.morf[k] - w[3 + k]));
      worst = MAX (worst, fabs (got.lerf[k] - w[12 + k]));
      spread = MAX (spread, fabs (w[3 + k]));
    }
  g_assert_cmpfloat (worst, <, 1e-5);
  /* The curves say something: removing pixels changes the score (this random network is not very sensitive,
   * so a few ten-thousandths, fifty times the tolerance). */
  g_assert_cmpfloat (spread, >, 2e-4);
  double morf = 0, lerf = 0;
  for (int k = 0; k < CXR_ROAD_N_PERCENTILES; k++)
    {
      morf += w[3 + k];
      lerf += w[12 + k];
    }
  g_assert_cmpfloat_with_epsilon (got.morf_mean, morf / 9, 1e-5);
  g_assert_cmpfloat_with_epsilon (got.road_combined, (lerf - morf) / 18, 1e-5);

  /* With road.py's noise the figures move, and the same seed repeats them. */
  CxrCamFaithfulness noisy, again;
  g_assert_true (cxr_cam_faithfulness (&noisy, model, input->data, map->data, 1, 42, CXR_ROAD_NOISE, NULL, &error));
  g_assert_true (cxr_cam_faithfulness (&again, model, input->data, map->data, 1, 42, CXR_ROAD_NOISE, NULL, &error));
  g_assert_cmpmem (&noisy, sizeof noisy, &again, sizeof again);
  gboolean moved = FALSE;
  for (int k = 0; k < CXR_ROAD_N_PERCENTILES; k++)
    moved |= noisy.morf[k] != got.morf[k];
  g_assert_true (moved);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cam-metrics/pointing-game", test_pointing_game);
  g_test_add_func ("/cam-metrics/percentile", test_percentile);
  g_test_add_func ("/cam-metrics/impute-by-hand", test_impute_by_hand);
  g_test_add_func ("/cam-metrics/against-pytorch", test_against_pytorch);
  return g_test_run ();
}
