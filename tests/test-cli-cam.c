/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-cam: `cxrcam-cli cam` and `cxrcam-cli sweep` end to end on the five NIH images that have
 * Cardiomegaly boxes, with a tiny committed network (no PyTorch needed; Grad-CAM++, whose weights are never
 * negative, because this random network's Grad-CAM is zero on most of these images): the four pictures per image (size,
 * the original's pixels, the ground-truth box in yellow where BB.csv puts it, the mask against the saved
 * CAM), bb_results.csv (columns, boxes from BB.csv, scores), the summary, --save-cam, and the sweep from the
 * model and from the saved CAMs. The shared data is only read: every output goes to a temporary folder. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "cxr-bbox-store.h"
#include "cxr-image.h"
#include "cxr-npy.h"
#include "cxr-test-util.h"

static const char *const cardiomegaly_images[] = {
  "00001369_000", "00001373_009", "00001373_039", "00001534_005", "00022215_012",
};

#define CSV_HEADER "image,label,probability,threshold,pred_x,pred_y,pred_w,pred_h,gt_x,gt_y,gt_w,gt_h,iou,iobb"

static GdkPixbuf *
load_png (const char *dir, const char *prefix, const char *stem)
{
  g_autofree char *name = g_strdup_printf ("%s_%s.png", prefix, stem);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 1024);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 1024);
  return pixbuf;
}

static const guint8 *
pixel (GdkPixbuf *pixbuf, int x, int y)
{
  return gdk_pixbuf_read_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf)
         + (gsize) x * gdk_pixbuf_get_n_channels (pixbuf);
}

static void
assert_yellow (GdkPixbuf *pixbuf, double x, double y)
{
  int px = CLAMP ((int) floor (x), 0, 1023), py = CLAMP ((int) floor (y), 0, 1023);
  const guint8 *p = pixel (pixbuf, px, py);
  if (p[0] != 255 || p[1] != 255 || p[2] != 0)
    g_error ("pixel (%d, %d) is (%d, %d, %d), not yellow", px, py, p[0], p[1], p[2]);
}

/* The four pictures of one image. */
static void
check_pictures (const char *out, const char *nih, const char *stem, CxrBBoxStore *store, double threshold)
{
  g_autoptr (GdkPixbuf) original = load_png (out, "original", stem);
  g_autoptr (GdkPixbuf) gtimage = load_png (out, "gtimage", stem);
  g_autoptr (GdkPixbuf) mask = load_png (out, "mask", stem);
  g_autoptr (GdkPixbuf) pred = load_png (out, "pred", stem);

  /* original_ holds the source's gray levels. */
  g_autofree char *source_name = g_strconcat (stem, ".png", NULL);
  g_autofree char *source = g_build_filename (nih, "images", source_name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load (source, &error);
  g_assert_no_error (error);
  g_autofree guint8 *gray = cxr_image_to_gray8 (image);
  for (int y = 0; y < 1024; y += 7)
    for (int x = 0; x < 1024; x += 5)
      g_assert_cmpuint (pixel (original, x, y)[0], ==, gray[y * 1024 + x]);

  /* gtimage_: the Cardiomegaly box's four edges are yellow where BB.csv puts them. */
  g_autoptr (GArray) boxes = cxr_bbox_store_list_for_image (store, source_name);
  guint n_cardiomegaly = 0;
  for (guint i = 0; i < boxes->len; i++)
    {
      const CxrBBox *b = &g_array_index (boxes, CxrBBox, i);
      if (strcmp (b->label, "Cardiomegaly") != 0)
        continue;
      n_cardiomegaly++;
      assert_yellow (gtimage, b->x, b->y + b->h / 2);
      assert_yellow (gtimage, b->x + b->w, b->y + b->h / 2);
      assert_yellow (gtimage, b->x + b->w / 2, b->y);
      assert_yellow (gtimage, b->x + b->w / 2, b->y + b->h);
      /* Inside the box, away from the edges and the label, the image shows through (gray). */
      const guint8 *inside = pixel (gtimage, (int) (b->x + b->w / 2), (int) (b->y + b->h / 2));
      g_assert_true (inside[0] == inside[1] && inside[1] == inside[2]);
    }
  g_assert_cmpuint (n_cardiomegaly, ==, 1);

  /* mask_: the image where the saved CAM is >= threshold, black elsewhere. */
  g_autofree char *cam_name = g_strconcat (stem, ".cam.npy", NULL);
  g_autofree char *cam_path = g_build_filename (out, cam_name, NULL);
  g_autoptr (CxrTensor) cam = cxr_npy_load (cam_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cam->ndim, ==, 2);
  g_assert_cmpint (cam->shape[0], ==, 1024);
  g_assert_cmpint (cam->shape[1], ==, 1024);
  guint kept = 0;
  for (int y = 0; y < 1024; y += 3)
    for (int x = 0; x < 1024; x += 3)
      {
        gboolean in = cam->data[y * 1024 + x] >= threshold;
        kept += in;
        g_assert_cmpuint (pixel (mask, x, y)[0], ==, in ? gray[y * 1024 + x] : 0);
      }
  g_assert_cmpuint (kept, >, 0);

  /* pred_: colour (the heatmap) everywhere; JET's blue at the CAM's minimum outweighs red and green. */
  float lo = cam->data[0];
  int at = 0;
  for (int i = 1; i < 1024 * 1024; i++)
    if (cam->data[i] < lo)
      lo = cam->data[at = i];
  const guint8 *cold = pixel (pred, at % 1024, at / 1024);
  g_assert_cmpuint (cold[2], >, cold[0]);
  g_assert_cmpuint (cold[2], >, cold[1]);
}

static void
check_csv (const char *out, CxrBBoxStore *store, const char *threshold_text)
{
  g_autofree char *path = g_build_filename (out, "bb_results.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, CSV_HEADER);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + G_N_ELEMENTS (cardiomegaly_images) + 1);
  g_assert_cmpstr (lines[G_N_ELEMENTS (cardiomegaly_images) + 1], ==, "");

  for (gsize i = 0; i < G_N_ELEMENTS (cardiomegaly_images); i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i + 1], ",", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 14);
      g_autofree char *name = g_strconcat (cardiomegaly_images[i], ".png", NULL);
      g_assert_cmpstr (f[0], ==, name);
      g_assert_cmpstr (f[1], ==, "Cardiomegaly");
      double probability = g_ascii_strtod (f[2], NULL);
      g_assert_cmpfloat (probability, >=, 0.0);
      g_assert_cmpfloat (probability, <=, 1.0);
      g_assert_cmpstr (f[3], ==, threshold_text);

      /* A predicted box inside the image, in whole pixels. */
      for (int k = 4; k < 8; k++)
        {
          double v = g_ascii_strtod (f[k], NULL);
          g_assert_cmpfloat (v, ==, floor (v));
          g_assert_cmpfloat (v, >=, k < 6 ? 0 : 1);
        }
      g_assert_cmpfloat (g_ascii_strtod (f[4], NULL) + g_ascii_strtod (f[6], NULL), <=, 1024);
      g_assert_cmpfloat (g_ascii_strtod (f[5], NULL) + g_ascii_strtod (f[7], NULL), <=, 1024);

      /* The ground truth is BB.csv's Cardiomegaly box. */
      g_autoptr (GArray) boxes = cxr_bbox_store_list_for_image (store, name);
      const CxrBBox *b = NULL;
      for (guint k = 0; k < boxes->len; k++)
        if (strcmp (g_array_index (boxes, CxrBBox, k).label, "Cardiomegaly") == 0)
          b = &g_array_index (boxes, CxrBBox, k);
      g_assert_nonnull (b);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[8], NULL), b->x, 1e-6);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[9], NULL), b->y, 1e-6);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[10], NULL), b->w, 1e-6);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[11], NULL), b->h, 1e-6);

      /* IoU and IoBB recomputed from the row's boxes. */
      double px = g_ascii_strtod (f[4], NULL), py = g_ascii_strtod (f[5], NULL);
      double pw = g_ascii_strtod (f[6], NULL), ph = g_ascii_strtod (f[7], NULL);
      double iw = MAX (0, MIN (px + pw, b->x + b->w) - MAX (px, b->x));
      double ih = MAX (0, MIN (py + ph, b->y + b->h) - MAX (py, b->y));
      double inter = iw * ih;
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[12], NULL), inter / (pw * ph + b->w * b->h - inter), 1e-8);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[13], NULL), inter / (pw * ph), 1e-8);
    }
}

static void
test_cam_end_to_end (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *out = cxr_test_make_tmpdir ();
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autofree char *bbox = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (bbox, &error);
  g_assert_no_error (error);

  g_auto (CxrCliRun) run = { 0 };
  const char *args[] = { "cam", "--model", model, "--dataset", nih, "--out", out, "--save-cam",
                         "--threshold", "0.4", "--layer", "layer3", "--method", "gradcam++", NULL };
  cxr_test_run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "images: 5 explained, 5 with Cardiomegaly ground truth, 0 failed"));
  g_assert_nonnull (strstr (run.out, "mean IoU: "));
  g_assert_nonnull (strstr (run.out, "best image: "));
  g_assert_nonnull (strstr (run.out, "IoBB >   0.10   0.25   0.50   0.75   0.90"));
  g_assert_nonnull (strstr (run.err, "[5/5] "));

  for (gsize i = 0; i < G_N_ELEMENTS (cardiomegaly_images); i++)
    check_pictures (out, nih, cardiomegaly_images[i], store, 0.4);
  check_csv (out, store, "0.4");

  /* The sweep from the saved CAMs, and from the model on two of the images: the same numbers. */
  g_auto (CxrCliRun) cached = { 0 };
  const char *sweep_cached[] = { "sweep", "--cams", out, "--bbox", bbox, NULL };
  cxr_test_run_cli (&cached, sweep_cached);
  g_assert_cmpint (cached.status, ==, 0);
  g_auto (GStrv) rows = g_strsplit (cached.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 19 + 1);
  g_assert_true (g_str_has_prefix (rows[0], "threshold,images,mean_iou,iou>0.1,"));
  g_assert_true (g_str_has_prefix (rows[1], "0.05,5,"));
  g_assert_true (g_str_has_prefix (rows[19], "0.95,5,"));
  g_assert_nonnull (strstr (cached.err, "best threshold: "));
  /* The row for 0.40 repeats the mean IoU that `cam` printed. */
  const char *mean = strstr (run.out, "mean IoU: ") + strlen ("mean IoU: ");
  g_autofree char *want_prefix = g_strdup_printf ("0.40,5,%.4s", mean);
  g_assert_true (g_str_has_prefix (rows[8], want_prefix));

  g_autofree char *a = g_build_filename (nih, "images", "00001369_000.png", NULL);
  g_autofree char *b = g_build_filename (nih, "images", "00022215_012.png", NULL);
  g_auto (CxrCliRun) live = { 0 };
  const char *sweep_live[] = { "sweep", "--model", model, "--layer", "layer3", "--method", "gradcam++",
                               "--bbox", bbox, a, b, NULL };
  cxr_test_run_cli (&live, sweep_live);
  g_assert_cmpint (live.status, ==, 0);
  g_assert_nonnull (strstr (live.out, "\n0.50,2,"));
  /* The label belonged to the model card, freed before this line was printed (meson's MALLOC_PERTURB_ made it
   * garbage: "over 2 images with ,Bo^^!^? boxes"). */
  g_assert_nonnull (strstr (live.err, "over 2 images with Cardiomegaly boxes"));
}

static void
test_cam_errors (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *out = cxr_test_make_tmpdir ();
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autofree char *missing = g_build_filename (out, "missing.png", NULL);
  g_autofree char *good = g_build_filename (nih, "images", "00001369_000.png", NULL);

  /* A bad image: one line on stderr, the others still done, exit status 1; no ground truth: not scored. */
  g_auto (CxrCliRun) run = { 0 };
  const char *args[] = { "cam", "--model", model, "--out", out, missing, good, NULL };
  cxr_test_run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "missing.png"));
  g_assert_nonnull (strstr (run.out, "images: 1 explained, 0 with Cardiomegaly ground truth, 1 failed"));
  g_autofree char *csv_path = g_build_filename (out, "bb_results.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  /* No BB.csv given: ground truth, IoU and IoBB are empty. */
  g_assert_nonnull (strstr (csv, ",,,,,,\n"));

  /* Usage errors exit with 2. */
  g_auto (CxrCliRun) bad_layer = { 0 };
  const char *layer_args[] = { "cam", "--model", model, "--layer", "layer9", "--out", out, good, NULL };
  cxr_test_run_cli (&bad_layer, layer_args);
  g_assert_cmpint (bad_layer.status, ==, 1);
  g_assert_nonnull (strstr (bad_layer.err, "no layer 'layer9'"));
  g_auto (CxrCliRun) bad_mode = { 0 };
  const char *mode_args[] = { "cam", "--model", model, "--box-mode", "biggest", good, NULL };
  cxr_test_run_cli (&bad_mode, mode_args);
  g_assert_cmpint (bad_mode.status, ==, 2);
  g_auto (CxrCliRun) no_model = { 0 };
  const char *no_model_args[] = { "cam", good, NULL };
  cxr_test_run_cli (&no_model, no_model_args);
  g_assert_cmpint (no_model.status, ==, 2);
}

/* compare: a row per method and layer whose figures agree with sweep's for the same method and layer, the best row
 * marked, the CSV; and cam with the new methods, a fused layer and smoothing. */
static void
test_compare (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *out = cxr_test_make_tmpdir ();
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autofree char *csv_path = g_build_filename (out, "compare.csv", NULL);

  g_auto (CxrCliRun) run = { 0 };
  const char *args[] = { "compare", "--model", model, "--dataset", nih, "--methods", "gradcam++,layercam,eigencam",
                         "--layers", "layer3,layer3+layer4", "--csv", csv_path, "--quiet", NULL };
  cxr_test_run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "5 images explained, 0 failed"));
  g_assert_nonnull (strstr (run.out, "<- best"));
  g_assert_nonnull (strstr (run.out, "best: "));

  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 6 + 1);
  g_assert_cmpstr (lines[0], ==, "method,layer,images,mean_iou,threshold,iou>0.1,iou>0.3,iou>0.5,pointing,drop,increase,"
                                 "road_morf,road_lerf,road,seconds_per_image");
  g_assert_true (g_str_has_prefix (lines[1], "gradcam++,layer3.0,5,"));
  g_assert_true (g_str_has_prefix (lines[2], "gradcam++,\"layer3.0,layer4.0\",5,"));
  g_assert_true (g_str_has_prefix (lines[6], "eigencam,\"layer3.0,layer4.0\",5,"));

  /* The gradcam++ row at layer3 against sweep's table for the same method and layer: the same mean IoU at the same
   * best threshold. */
  g_autofree char *bbox = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_auto (CxrCliRun) sweep = { 0 };
  const char *sweep_args[] = { "sweep", "--model", model, "--dataset", nih, "--method", "gradcam++", "--layer",
                               "layer3", NULL };
  cxr_test_run_cli (&sweep, sweep_args);
  g_assert_cmpint (sweep.status, ==, 0);
  g_auto (GStrv) row = g_strsplit (lines[1], ",", -1);
  const char *best = strstr (sweep.err, "best threshold: ");
  g_assert_nonnull (best);
  g_autofree char *want_threshold = g_strndup (best + strlen ("best threshold: "), 4);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[4], NULL), g_ascii_strtod (want_threshold, NULL), 1e-9);
  const char *mean = strstr (best, "(mean IoU ") + strlen ("(mean IoU ");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[3], NULL), g_ascii_strtod (mean, NULL), 5e-5);
  /* Faithfulness figures are there: drop in [0, 1], increase a fraction, ROAD = (LeRF - MoRF) / 2. */
  double drop = g_ascii_strtod (row[9], NULL), morf = g_ascii_strtod (row[11], NULL);
  double lerf = g_ascii_strtod (row[12], NULL), road = g_ascii_strtod (row[13], NULL);
  g_assert_cmpfloat (drop, >=, 0.0);
  g_assert_cmpfloat (drop, <=, 1.0);
  g_assert_cmpfloat_with_epsilon (road, (lerf - morf) / 2, 1e-5);

  /* cam with a method of pytorch-grad-cam's, two layers fused and both smoothings. */
  g_autofree char *image = g_build_filename (nih, "images", "00001369_000.png", NULL);
  g_auto (CxrCliRun) cam = { 0 };
  const char *cam_args[] = { "cam", "--model", model, "--bbox", bbox, "--out", out, "--method", "layercam", "--layer",
                             "layer3,layer4", "--aug-smooth", "--eigen-smooth", image, NULL };
  cxr_test_run_cli (&cam, cam_args);
  g_assert_cmpint (cam.status, ==, 0);
  g_assert_nonnull (strstr (cam.out, "images: 1 explained, 1 with Cardiomegaly ground truth, 0 failed"));
  g_auto (CxrCliRun) bad = { 0 };
  const char *bad_args[] = { "compare", "--model", model, "--methods", "fullgrad", image, NULL };
  cxr_test_run_cli (&bad, bad_args);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "unknown CAM method 'fullgrad'"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-cam/end-to-end", test_cam_end_to_end);
  g_test_add_func ("/cli-cam/errors", test_cam_errors);
  g_test_add_func ("/cli-cam/compare", test_compare);
  return g_test_run ();
}
