/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Threshold, components, boxes, IoU/IoBB, summary and sweep on hand-computed cases (cxr-cam-boxes.h and
 * cxr-cam-score.h state the rules these check), components against a plain flood fill on random masks,
 * and the rendering helpers (JET table, overlay formula, masked image). */
#include "cxr-cam-boxes.h"
#include "cxr-cam-render.h"
#include "cxr-cam-score.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

#include <math.h>
#include <string.h>

/* A mask from rows of '#' (set) and '.' (clear). */
static guint8 *
mask_from_rows (const char *const *rows, int *width, int *height)
{
  *height = g_strv_length ((GStrv) rows);
  *width = strlen (rows[0]);
  guint8 *mask = g_malloc ((gsize) *width * *height);
  for (int y = 0; y < *height; y++)
    for (int x = 0; x < *width; x++)
      mask[y * *width + x] = rows[y][x] == '#';
  return mask;
}

static GArray *
boxes_of (const char *const *rows, CxrBoxMode mode, guint *n_components)
{
  int w, h;
  g_autofree guint8 *mask = mask_from_rows (rows, &w, &h);
  g_autoptr (CxrCamWorkspace) ws = cxr_cam_workspace_new ();
  guint n = cxr_cam_find_components (ws, mask, w, h);
  if (n_components)
    *n_components = n;
  return cxr_cam_workspace_get_boxes (ws, mode);
}

static void
assert_rect (const CxrRect *r, double x, double y, double w, double h)
{
  g_assert_cmpfloat (r->x, ==, x);
  g_assert_cmpfloat (r->y, ==, y);
  g_assert_cmpfloat (r->w, ==, w);
  g_assert_cmpfloat (r->h, ==, h);
}

#define RECT(a, i) (&g_array_index ((a), CxrRect, (i)))

static void
test_threshold (void)
{
  const float cam[] = { 0.0f, 0.25f, 0.5f, 0.4999f, 1.0f, NAN, 0.75f };
  guint8 mask[7];
  cxr_cam_threshold (mask, cam, 7, 0.5f);
  const guint8 want[] = { 0, 0, 1, 0, 1, 0, 1 };
  g_assert_cmpmem (mask, 7, want, 7);
  /* t = 0: everything but NaN. */
  cxr_cam_threshold (mask, cam, 7, 0.0f);
  const guint8 all[] = { 1, 1, 1, 1, 1, 0, 1 };
  g_assert_cmpmem (mask, 7, all, 7);
  /* t = 1: the empty mask, even where the CAM is exactly 1.0 (float rounding at its maximum). */
  cxr_cam_threshold (mask, cam, 7, 1.0f);
  const guint8 none[7] = { 0 };
  g_assert_cmpmem (mask, 7, none, 7);
}

static void
test_diagonal_joins (void)
{
  /* 8-connectivity: pixels touching only at a corner are one component; a one-pixel gap separates. */
  const char *rows[] = {
    "#.....",
    ".#....",
    "..#..#",
    ".....#",
    NULL,
  };
  guint n;
  g_autoptr (GArray) all = boxes_of (rows, CXR_BOX_MODE_ALL, &n);
  g_assert_cmpuint (n, ==, 2);
  assert_rect (RECT (all, 0), 0, 0, 3, 3);   /* the diagonal, 3 pixels */
  assert_rect (RECT (all, 1), 5, 2, 1, 2);   /* 2 pixels */

  /* Anti-diagonal too, and a staircase that only joins through corners. */
  const char *anti[] = {
    "...#",
    "..#.",
    ".#..",
    "#...",
    NULL,
  };
  g_autoptr (GArray) one = boxes_of (anti, CXR_BOX_MODE_ALL, &n);
  g_assert_cmpuint (n, ==, 1);
  assert_rect (RECT (one, 0), 0, 0, 4, 4);
}

static void
test_touching_and_separate (void)
{
  const char *rows[] = {
    "##.##",
    "##.##",
    ".....",
    "#####",
    NULL,
  };
  guint n;
  g_autoptr (GArray) all = boxes_of (rows, CXR_BOX_MODE_ALL, &n);
  g_assert_cmpuint (n, ==, 3);
  assert_rect (RECT (all, 0), 0, 3, 5, 1);   /* 5 pixels: the largest */
  assert_rect (RECT (all, 1), 0, 0, 2, 2);   /* 4 pixels, first in raster order */
  assert_rect (RECT (all, 2), 3, 0, 2, 2);   /* 4 pixels */

  /* Two arms that meet only at the bottom: one component, found through union-find across rows. Its
   * first pixel is the right arm's top, which starts a row higher. */
  const char *v[] = {
    "....#",
    "#...#",
    "#...#",
    "#####",
    NULL,
  };
  int w, h;
  g_autofree guint8 *mask = mask_from_rows (v, &w, &h);
  g_autoptr (CxrCamWorkspace) ws = cxr_cam_workspace_new ();
  g_assert_cmpuint (cxr_cam_find_components (ws, mask, w, h), ==, 1);
  guint count;
  const CxrCamComponent *c = cxr_cam_workspace_get_components (ws, &count);
  g_assert_cmpint (c[0].area, ==, 10);
  g_assert_cmpint (c[0].first_x, ==, 4);
  g_assert_cmpint (c[0].first_y, ==, 0);
}

static void
test_ties (void)
{
  /* Equal areas: the component whose first pixel comes first in raster order wins, whatever lies to the
   * left further down. */
  const char *rows[] = {
    "....##",
    "##....",
    "......",
    "##.##.",
    NULL,
  };
  guint n;
  g_autoptr (GArray) largest = boxes_of (rows, CXR_BOX_MODE_LARGEST, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (largest->len, ==, 1);
  assert_rect (RECT (largest, 0), 4, 0, 2, 1);
  g_autoptr (GArray) all = boxes_of (rows, CXR_BOX_MODE_ALL, NULL);
  assert_rect (RECT (all, 1), 0, 1, 2, 1);
  assert_rect (RECT (all, 2), 0, 3, 2, 1);   /* same row: left first */
  assert_rect (RECT (all, 3), 3, 3, 2, 1);
}

static void
test_modes_and_border (void)
{
  /* Components on every border: boxes reach the image edge (x + w = width, y + h = height). */
  const char *rows[] = {
    "##....#",
    "#.....#",
    ".......",
    "...####",
    NULL,
  };
  guint n;
  g_autoptr (GArray) largest = boxes_of (rows, CXR_BOX_MODE_LARGEST, &n);
  g_assert_cmpuint (n, ==, 3);
  assert_rect (RECT (largest, 0), 3, 3, 4, 1);
  g_autoptr (GArray) all = boxes_of (rows, CXR_BOX_MODE_ALL, NULL);
  g_assert_cmpuint (all->len, ==, 3);
  assert_rect (RECT (all, 1), 0, 0, 2, 2);
  assert_rect (RECT (all, 2), 6, 0, 1, 2);
  g_autoptr (GArray) uni = boxes_of (rows, CXR_BOX_MODE_UNION, NULL);
  g_assert_cmpuint (uni->len, ==, 1);
  assert_rect (RECT (uni, 0), 0, 0, 7, 4);

  /* The whole image set: one box of the image's size. */
  const char *full[] = { "###", "###", NULL };
  g_autoptr (GArray) whole = boxes_of (full, CXR_BOX_MODE_LARGEST, NULL);
  assert_rect (RECT (whole, 0), 0, 0, 3, 2);
}

static void
test_empty_mask (void)
{
  /* t = 1 on a normalised CAM: no pixel, no component, no box in any mode, a score of 0. */
  float cam[12];
  for (int i = 0; i < 12; i++)
    cam[i] = i / 11.0f;  /* the last is exactly 1.0 */
  g_autoptr (CxrCamWorkspace) ws = cxr_cam_workspace_new ();
  guint8 mask[12];
  for (int mode = CXR_BOX_MODE_LARGEST; mode <= CXR_BOX_MODE_UNION; mode++)
    {
      g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (ws, cam, 4, 3, 1.0f, mode, mask);
      g_assert_cmpuint (boxes->len, ==, 0);
    }
  for (int i = 0; i < 12; i++)
    g_assert_cmpuint (mask[i], ==, 0);

  CxrRect truth = { 0, 0, 2, 2 };
  CxrBoxScore score;
  cxr_box_score (&score, NULL, 0, &truth, 1);
  g_assert_true (cxr_box_score_is_scored (&score));
  g_assert_cmpint (score.predicted_index, ==, -1);
  g_assert_cmpfloat (score.iou, ==, 0.0);
  g_assert_cmpfloat (score.iobb, ==, 0.0);

  /* Threshold 0.5 on the same map: the last six values, rows 1 (two) and 2 (four), one component. */
  g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (ws, cam, 4, 3, 0.5f, CXR_BOX_MODE_LARGEST, NULL);
  g_assert_cmpuint (boxes->len, ==, 1);
  assert_rect (RECT (boxes, 0), 0, 1, 4, 2);
}

static void
test_iou_iobb (void)
{
  CxrRect a = { 0, 0, 10, 10 }, b = { 5, 5, 10, 10 };
  g_assert_cmpfloat_with_epsilon (cxr_rect_iou (&a, &b), 25.0 / 175.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_rect_iobb (&a, &b), 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_rect_iou (&b, &a), 25.0 / 175.0, 1e-12);

  /* A predicted box inside the ground truth: IoBB 1. */
  CxrRect inside = { 2, 2, 4, 4 };
  g_assert_cmpfloat_with_epsilon (cxr_rect_iou (&inside, &a), 0.16, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_rect_iobb (&inside, &a), 1.0, 1e-12);
  /* The ground truth inside the predicted box: IoBB = its share of the prediction. */
  g_assert_cmpfloat_with_epsilon (cxr_rect_iobb (&a, &inside), 0.16, 1e-12);

  /* Boxes that share an edge or are apart do not intersect. */
  CxrRect right = { 10, 0, 5, 10 }, far = { 100, 100, 1, 1 };
  g_assert_cmpfloat (cxr_rect_iou (&a, &right), ==, 0.0);
  g_assert_cmpfloat (cxr_rect_iobb (&a, &far), ==, 0.0);

  /* Fractional ground truth, as BB.csv has it. */
  CxrRect pred = { 10, 10, 20, 20 }, truth = { 15.5, 12.25, 10, 4 };
  g_assert_cmpfloat_with_epsilon (cxr_rect_iou (&pred, &truth), 40.0 / 400.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cxr_rect_iobb (&pred, &truth), 40.0 / 400.0, 1e-12);
  CxrRect half_out = { 25.5, 20, 10, 20 };  /* 4.5 of its 10 columns inside, 10 of 20 rows */
  g_assert_cmpfloat_with_epsilon (cxr_rect_intersection (&pred, &half_out), 45.0, 1e-12);

  /* Degenerate boxes. */
  CxrRect empty = { 3, 3, 0, 5 };
  g_assert_cmpfloat (cxr_rect_iou (&empty, &empty), ==, 0.0);
  g_assert_cmpfloat (cxr_rect_iobb (&empty, &a), ==, 0.0);
}

static void
test_several_truth_boxes (void)
{
  CxrRect pred = { 0, 0, 10, 10 };
  CxrRect truth[] = { { 50, 50, 10, 10 }, { 2, 2, 10, 10 }, { 0, 0, 10, 5 } };
  CxrBoxScore score;
  cxr_box_score (&score, &pred, 1, truth, 3);
  g_assert_cmpint (score.truth_index, ==, 2);
  g_assert_cmpfloat_with_epsilon (score.iou, 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (score.iobb, 0.5, 1e-12);
  assert_rect (&score.truth, 0, 0, 10, 5);

  /* A tie between ground-truth boxes keeps the first in BB.csv order. */
  CxrRect halves[] = { { 0, 5, 10, 5 }, { 0, 0, 10, 5 } };
  cxr_box_score (&score, &pred, 1, halves, 2);
  g_assert_cmpint (score.truth_index, ==, 0);
  g_assert_cmpfloat_with_epsilon (score.iou, 0.5, 1e-12);

  /* Several predicted boxes (mode ALL): the best pair; its IoBB, not the best IoBB of all pairs. */
  CxrRect preds[] = { { 40, 40, 4, 4 }, { 0, 0, 20, 20 }, { 1, 1, 2, 2 } };
  CxrRect gt = { 0, 0, 10, 10 };
  cxr_box_score (&score, preds, 3, &gt, 1);
  g_assert_cmpint (score.predicted_index, ==, 1);
  g_assert_cmpfloat_with_epsilon (score.iou, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (score.iobb, 0.25, 1e-12);

  /* No overlap anywhere: the first boxes, zeros. */
  CxrRect away = { 500, 500, 5, 5 };
  cxr_box_score (&score, &away, 1, truth, 3);
  g_assert_cmpint (score.predicted_index, ==, 0);
  g_assert_cmpint (score.truth_index, ==, 0);
  g_assert_cmpfloat (score.iou, ==, 0.0);

  /* No ground truth: not scored. */
  cxr_box_score (&score, &pred, 1, NULL, 0);
  g_assert_false (cxr_box_score_is_scored (&score));
  g_assert_true (isnan (score.iou));
  g_assert_true (isnan (score.iobb));
}

/* The one call every caller uses: a hand-made CAM with two blobs, cut at 0.5 against a box. */
static void
test_cut (void)
{
  enum { W = 12, H = 8 };
  float cam[W * H] = { 0 };
  for (int y = 1; y < 4; y++)
    for (int x = 1; x < 5; x++)
      cam[y * W + x] = 0.9f;    /* 4 x 3 at (1, 1): the larger blob */
  for (int y = 5; y < 7; y++)
    for (int x = 8; x < 10; x++)
      cam[y * W + x] = 0.6f;    /* 2 x 2 at (8, 5) */
  CxrRect truth = { 0, 0, 4, 4 };
  g_autoptr (CxrCamWorkspace) workspace = cxr_cam_workspace_new ();
  guint8 mask[W * H];

  g_auto (CxrCamCut) cut = { NULL };
  cxr_cam_cut (&cut, workspace, cam, W, H, 0.5f, CXR_BOX_MODE_LARGEST, &truth, 1, mask);
  g_assert_cmpuint (cut.boxes->len, ==, 1);
  assert_rect (&g_array_index (cut.boxes, CxrRect, 0), 1, 1, 4, 3);
  /* |P n G| = 3 x 3 = 9; |P u G| = 12 + 16 - 9 = 19; IoBB = 9 / 12. */
  g_assert_cmpfloat_with_epsilon (cut.score.iou, 9.0 / 19.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cut.score.iobb, 0.75, 1e-12);
  g_assert_cmpuint (mask[1 * W + 1], ==, 1);
  g_assert_cmpuint (mask[5 * W + 8], ==, 1);
  g_assert_cmpuint (mask[0], ==, 0);
  cxr_cam_cut_clear (&cut);

  /* Every box, and no truth: boxes without a score. */
  cxr_cam_cut (&cut, workspace, cam, W, H, 0.5f, CXR_BOX_MODE_ALL, NULL, 0, NULL);
  g_assert_cmpuint (cut.boxes->len, ==, 2);
  assert_rect (&g_array_index (cut.boxes, CxrRect, 1), 8, 5, 2, 2);
  g_assert_false (cxr_box_score_is_scored (&cut.score));
}

static void
test_summary (void)
{
  CxrCamSummary summary;
  cxr_cam_summary_init (&summary);
  g_assert_true (isnan (cxr_cam_summary_mean_iou (&summary)));
  CxrRect gt = { 0, 0, 10, 10 };
  CxrRect preds[] = {
    { 0, 0, 10, 5 },   /* IoU 0.5 exactly, IoBB 1 */
    { 0, 0, 10, 8 },   /* IoU 0.8, IoBB 1 */
    { 5, 0, 10, 10 },  /* IoU 50/150, IoBB 0.5 exactly */
  };
  for (int i = 0; i < 3; i++)
    {
      CxrBoxScore score;
      cxr_box_score (&score, &preds[i], 1, &gt, 1);
      cxr_cam_summary_add (&summary, &score, 10 + i);
    }
  /* An image without a prediction counts as 0; one without ground truth does not count. */
  CxrBoxScore none, unscored;
  cxr_box_score (&none, NULL, 0, &gt, 1);
  cxr_cam_summary_add (&summary, &none, 13);
  cxr_box_score (&unscored, &gt, 1, NULL, 0);
  cxr_cam_summary_add (&summary, &unscored, 14);

  g_assert_cmpuint (summary.n_images, ==, 5);
  g_assert_cmpuint (summary.n_scored, ==, 4);
  g_assert_cmpfloat_with_epsilon (cxr_cam_summary_mean_iou (&summary), (0.5 + 0.8 + 1.0 / 3.0) / 4, 1e-12);
  g_assert_cmpint (summary.best_index, ==, 11);
  /* IoU > T, strictly: 0.5 does not pass T = 0.5. */
  const double want_iou[] = { 0.75, 0.75, 0.75, 0.5, 0.25, 0.25, 0.25 };
  for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
    g_assert_cmpfloat_with_epsilon (cxr_cam_summary_iou_accuracy (&summary, t), want_iou[t], 1e-12);
  const double want_iobb[] = { 0.75, 0.75, 0.5, 0.5, 0.5 };
  for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
    g_assert_cmpfloat_with_epsilon (cxr_cam_summary_iobb_accuracy (&summary, t), want_iobb[t], 1e-12);
}

static void
test_sweep (void)
{
  /* A cone peaking at (20, 12) on a 40 x 30 map: the t-level set is a disc-like blob whose box shrinks as
   * t grows; the ground truth is the box of the 0.6 level set, so t = 0.6 is best with IoU 1. */
  int w = 40, h = 30;
  g_autofree float *cam = g_new (float, w * h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      cam[y * w + x] = MAX (0.0f, 1.0f - (fabsf (x - 20.0f) + fabsf (y - 12.0f)) / 20.0f);
  g_autoptr (CxrCamWorkspace) ws = cxr_cam_workspace_new ();
  g_autoptr (GArray) at_06 = cxr_cam_boxes_for_threshold (ws, cam, w, h, 0.6f, CXR_BOX_MODE_LARGEST, NULL);
  g_assert_cmpuint (at_06->len, ==, 1);
  CxrRect truth = g_array_index (at_06, CxrRect, 0);
  /* |dx| + |dy| <= 8 around (20, 12): columns 12 ... 28, rows 4 ... 20. */
  assert_rect (&truth, 12, 4, 17, 17);

  CxrCamSweep sweep;
  cxr_cam_sweep_init (&sweep);
  cxr_cam_sweep_add (&sweep, ws, cam, w, h, CXR_BOX_MODE_LARGEST, &truth, 1, 0);
  /* A second image without ground truth changes nothing. */
  cxr_cam_sweep_add (&sweep, ws, cam, w, h, CXR_BOX_MODE_LARGEST, NULL, 0, 1);
  int best = cxr_cam_sweep_best (&sweep);
  g_assert_cmpint (best, ==, 11);
  g_assert_cmpfloat (cxr_cam_sweep_thresholds[best], ==, 0.6f);
  g_assert_cmpfloat_with_epsilon (cxr_cam_summary_mean_iou (&sweep.at[best]), 1.0, 1e-12);
  for (guint t = 0; t < CXR_CAM_N_SWEEP_THRESHOLDS; t++)
    {
      g_assert_cmpuint (sweep.at[t].n_scored, ==, 1);
      g_assert_cmpuint (sweep.at[t].n_images, ==, 2);
      g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (ws, cam, w, h, cxr_cam_sweep_thresholds[t],
                                                              CXR_BOX_MODE_LARGEST, NULL);
      double iou = boxes->len ? cxr_rect_iou (RECT (boxes, 0), &truth) : 0.0;
      g_assert_cmpfloat_with_epsilon (cxr_cam_summary_mean_iou (&sweep.at[t]), iou, 1e-12);
    }

  CxrCamSweep empty;
  cxr_cam_sweep_init (&empty);
  g_assert_cmpint (cxr_cam_sweep_best (&empty), ==, -1);
}

/* ---- components against a plain flood fill --------------------------------------------------------- */

static int
compare_reference (const void *pa, const void *pb)
{
  const CxrCamComponent *a = pa, *b = pb;
  if (a->area != b->area)
    return a->area > b->area ? -1 : 1;
  if (a->first_y != b->first_y)
    return a->first_y - b->first_y;
  return a->first_x - b->first_x;
}

/* Breadth-first 8-connected labelling, pixel by pixel, in raster order of first pixels. */
static GArray *
flood_fill_components (const guint8 *mask, int w, int h)
{
  GArray *components = g_array_new (FALSE, FALSE, sizeof (CxrCamComponent));
  g_autofree guint8 *seen = g_malloc0 ((gsize) w * h);
  g_autofree int *queue = g_new (int, (gsize) w * h);
  for (int start = 0; start < w * h; start++)
    {
      if (!mask[start] || seen[start])
        continue;
      CxrCamComponent c = { start % w, start / w, start % w, start / w, 0, start % w, start / w };
      int head = 0, tail = 0;
      queue[tail++] = start;
      seen[start] = 1;
      while (head < tail)
        {
          int p = queue[head++], x = p % w, y = p / w;
          c.area++;
          c.x0 = MIN (c.x0, x);
          c.x1 = MAX (c.x1, x);
          c.y0 = MIN (c.y0, y);
          c.y1 = MAX (c.y1, y);
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              {
                int nx = x + dx, ny = y + dy;
                if (nx < 0 || ny < 0 || nx >= w || ny >= h)
                  continue;
                int q = ny * w + nx;
                if (mask[q] && !seen[q])
                  {
                    seen[q] = 1;
                    queue[tail++] = q;
                  }
              }
        }
      g_array_append_val (components, c);
    }
  g_array_sort (components, compare_reference);
  return components;
}

static void
test_random_masks (void)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (99);
  g_autoptr (CxrCamWorkspace) ws = cxr_cam_workspace_new ();
  static const int sizes[][2] = { { 1, 1 }, { 1, 17 }, { 17, 1 }, { 9, 9 }, { 23, 13 }, { 64, 40 }, { 100, 3 } };
  static const double densities[] = { 0.05, 0.3, 0.5, 0.6, 0.9 };
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (gsize d = 0; d < G_N_ELEMENTS (densities); d++)
      for (int trial = 0; trial < 6; trial++)
        {
          int w = sizes[s][0], h = sizes[s][1];
          g_autofree guint8 *mask = g_malloc ((gsize) w * h);
          for (int i = 0; i < w * h; i++)
            mask[i] = g_rand_double (rng) < densities[d];
          g_autoptr (GArray) want = flood_fill_components (mask, w, h);
          guint n = cxr_cam_find_components (ws, mask, w, h);
          g_assert_cmpuint (n, ==, want->len);
          guint count;
          const CxrCamComponent *got = cxr_cam_workspace_get_components (ws, &count);
          for (guint i = 0; i < n; i++)
            {
              const CxrCamComponent *e = &g_array_index (want, CxrCamComponent, i);
              g_assert_cmpint (got[i].area, ==, e->area);
              g_assert_cmpint (got[i].x0, ==, e->x0);
              g_assert_cmpint (got[i].y0, ==, e->y0);
              g_assert_cmpint (got[i].x1, ==, e->x1);
              g_assert_cmpint (got[i].y1, ==, e->y1);
              g_assert_cmpint (got[i].first_x, ==, e->first_x);
              g_assert_cmpint (got[i].first_y, ==, e->first_y);
            }
        }
}

/* ---- rendering ---------------------------------------------------------------------------------- */

static void
test_jet_and_overlay (void)
{
  /* Entries of cv2.applyColorMap (COLORMAP_JET) as OpenCV 4 computes them, in RGB order. */
  g_assert_cmpmem (cxr_colormap_jet[0], 3, ((guint8[]) { 0, 0, 128 }), 3);
  g_assert_cmpmem (cxr_colormap_jet[128], 3, ((guint8[]) { 130, 255, 126 }), 3);
  g_assert_cmpmem (cxr_colormap_jet[255], 3, ((guint8[]) { 128, 0, 0 }), 3);
  g_assert_cmpmem (cxr_colormap_jet[96], 3, ((guint8[]) { 2, 255, 254 }), 3);
  g_assert_cmpmem (cxr_colormap_jet[160], 3, ((guint8[]) { 255, 252, 0 }), 3);

  /* show_cam_on_image by hand: cam 1 on white -> (0.5 * JET[255] + 0.5, ...), normalised by the largest
   * channel value over the image; cam 0 on black -> 0.5 * JET[0]. */
  const guint8 gray[] = { 255, 0 };
  const float cam[] = { 1.0f, 0.0f };
  guint8 rgb[6];
  cxr_cam_render_heatmap_overlay (rgb, gray, cam, 2, 1, 0.5f);
  float top = 0.5f * 128 / 255 + 0.5f;  /* red of pixel 0 */
  g_assert_cmpuint (rgb[0], ==, 255);
  g_assert_cmpuint (rgb[1], ==, (guint8) (255.0f * (0.5f / top)));
  g_assert_cmpuint (rgb[2], ==, (guint8) (255.0f * (0.5f / top)));
  g_assert_cmpuint (rgb[3], ==, 0);
  g_assert_cmpuint (rgb[5], ==, (guint8) (255.0f * ((0.5f * 128 / 255) / top)));

  const guint8 mask[] = { 1, 0 };
  guint8 out[2];
  cxr_cam_render_masked (out, gray, mask, 2);
  g_assert_cmpuint (out[0], ==, 255);
  g_assert_cmpuint (out[1], ==, 0);
}

static void
test_truth_rects (void)
{
  CxrBBox boxes[] = {
    { 1, "a.png", "Cardiomegaly", 1, 2, 3, 4 },
    { 2, "a.png", "Infiltrate", 5, 6, 7, 8 },
    { 3, "a.png", "cardiomegaly", 9, 10, 11, 12 },
  };
  g_autoptr (GArray) bboxes = g_array_new (FALSE, FALSE, sizeof (CxrBBox));
  g_array_append_vals (bboxes, boxes, 3);
  g_autoptr (GArray) cardio = cxr_cam_truth_rects (bboxes, "Cardiomegaly");
  g_assert_cmpuint (cardio->len, ==, 2);
  assert_rect (RECT (cardio, 0), 1, 2, 3, 4);
  assert_rect (RECT (cardio, 1), 9, 10, 11, 12);
  /* NIH's box list says Infiltrate, its labels Infiltration. */
  g_autoptr (GArray) infiltration = cxr_cam_truth_rects (bboxes, "Infiltration");
  g_assert_cmpuint (infiltration->len, ==, 1);
  assert_rect (RECT (infiltration, 0), 5, 6, 7, 8);
  g_autoptr (GArray) all = cxr_cam_truth_rects (bboxes, NULL);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_false (cxr_cam_label_matches ("Mass", "Nodule"));
}

static void
test_names (void)
{
  CxrBoxMode mode;
  g_assert_true (cxr_box_mode_from_name ("union", &mode, NULL));
  g_assert_cmpint (mode, ==, CXR_BOX_MODE_UNION);
  g_assert_cmpstr (cxr_box_mode_get_name (CXR_BOX_MODE_ALL), ==, "all");
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_box_mode_from_name ("biggest", &mode, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cam-boxes/threshold", test_threshold);
  g_test_add_func ("/cam-boxes/diagonal-joins", test_diagonal_joins);
  g_test_add_func ("/cam-boxes/touching-and-separate", test_touching_and_separate);
  g_test_add_func ("/cam-boxes/ties", test_ties);
  g_test_add_func ("/cam-boxes/modes-and-border", test_modes_and_border);
  g_test_add_func ("/cam-boxes/empty-mask", test_empty_mask);
  g_test_add_func ("/cam-boxes/iou-iobb", test_iou_iobb);
  g_test_add_func ("/cam-boxes/several-truth-boxes", test_several_truth_boxes);
  g_test_add_func ("/cam-boxes/cut", test_cut);
  g_test_add_func ("/cam-boxes/summary", test_summary);
  g_test_add_func ("/cam-boxes/sweep", test_sweep);
  g_test_add_func ("/cam-boxes/random-masks", test_random_masks);
  g_test_add_func ("/cam-boxes/jet-and-overlay", test_jet_and_overlay);
  g_test_add_func ("/cam-boxes/truth-rects", test_truth_rects);
  g_test_add_func ("/cam-boxes/names", test_names);
  return g_test_run ();
}
