/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-cam: times Grad-CAM the way bench/run-cam compares it with PyTorch.
 *
 *   bench-cam --weights FILE.pth [--image PNG] [--layer layer4] [--method gradcam|gradcam++]
 *             [--runs R] [--warmup W] [--cam OUT.npy]
 *
 * With the model's default card (224 x 224, ImageNet normalisation) and one image (an NIH radiograph, or
 * a synthetic 1024 x 1024 gradient when absent), it measures, as medians of R runs after W warm-ups:
 *   forward_ms       cxr_resnet_forward on the preprocessed input (batch 1): the baseline;
 *   cam_ms           cxr_cam_run_network at the layer: forward, gradient, weights and the raw CAM;
 *   extra_ms         the part of it after the forward (gradient, weights, weighted sum, normalisation),
 *                    timed alone;
 *   pipeline_ms      cxr_cam_compute on the decoded image: preprocessing, the above, normalisation and
 *                    upsampling to the image's size, the gray8 copy: what the engine job costs;
 *   predict_ms       preprocessing + forward (cxr_model_predict), the pipeline's baseline;
 *   rethreshold_ms   mask, components and boxes for a new threshold on the cached image-size CAM
 *                    (cxr_cam_boxes_for_threshold, thresholds cycling over 0.30 ... 0.70), what the
 *                    viewer's slider costs; rethreshold_busy_ms the same on a synthetic CAM of many
 *                    small blobs (hundreds of components), a worst case.
 * Forward and CAM runs alternate, so that both see the same machine state. One key=value line goes to
 * stdout; --cam writes the normalised feature-resolution CAM for a parity check.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "cxr-cam-boxes.h"
#include "cxr-cam-private.h"
#include "cxr-npy.h"

typedef struct {
  char *weights, *image, *layer, *method, *cam_path;
  int runs, warmup;
} Options;

static CxrImage *
load_image (const Options *o, GError **error)
{
  if (o->image != NULL)
    return cxr_image_load (o->image, error);
  CxrImage *image = cxr_image_new (1024, 1024);
  for (int y = 0; y < 1024; y++)
    for (int x = 0; x < 1024; x++)
      image->pixels[y * 1024 + x] = (float) ((x + 3 * y) % 1024) / 1023.0f;
  return image;
}

static gboolean
run (const Options *o, GError **error)
{
  g_autoptr (CxrModel) model = cxr_model_load (o->weights, NULL, error);
  if (model == NULL)
    return FALSE;
  g_autoptr (CxrImage) image = load_image (o, error);
  if (image == NULL)
    return FALSE;

  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  options.layer = o->layer;
  if (o->method && !cxr_cam_method_from_name (o->method, &options.method, error))
    return FALSE;

  CxrResnet *net = cxr_model_get_network (model);
  const CxrModelCard *card = cxr_model_get_card (model);
  int block;
  g_autofree char *layer = NULL;
  if (!cxr_cam_resolve_layer (cxr_resnet_get_arch (net), o->layer ? o->layer : card->cam_layer, &block, &layer,
                              error))
    return FALSE;
  const CxrPreprocessParams *params = cxr_model_get_preprocess (model);
  g_autofree float *input = g_new (float, cxr_preprocess_output_size (params));
  cxr_preprocess (input, image, params);
  guint n_classes = cxr_model_get_n_classes (model);
  g_autofree float *logits = g_new (float, n_classes);
  int fh, fw;
  cxr_cam_feature_size (net, block, params->height, params->width, &fh, &fw, NULL);
  g_autofree float *cam_raw = g_new (float, fh * fw);
  int target = card->positive_class;

  int total = o->warmup + o->runs;
  g_autofree double *forward = g_new (double, o->runs);
  g_autofree double *cam = g_new (double, o->runs);
  g_autofree double *pipeline = g_new (double, o->runs);
  g_autofree double *predict = g_new (double, o->runs);
  g_autoptr (CxrCamResult) result = NULL;
  for (int i = 0; i < total; i++)
    {
      double t0 = bench_now_ms ();
      if (!cxr_resnet_forward (net, input, 1, params->height, params->width, logits, error))
        return FALSE;
      double t1 = bench_now_ms ();
      if (!cxr_cam_run_network (net, input, params->height, params->width, options.method, block, target,
                                cam_raw, NULL, logits, error))
        return FALSE;
      double t2 = bench_now_ms ();
      CxrImage *images[] = { image };
      if (!cxr_model_predict (model, images, 1, logits, error))
        return FALSE;
      double t3 = bench_now_ms ();
      g_clear_pointer (&result, cxr_cam_result_unref);
      result = cxr_cam_compute (model, image, &options, error);
      if (result == NULL)
        return FALSE;
      double t4 = bench_now_ms ();
      if (i >= o->warmup)
        {
          forward[i - o->warmup] = t1 - t0;
          cam[i - o->warmup] = t2 - t1;
          predict[i - o->warmup] = t3 - t2;
          pipeline[i - o->warmup] = t4 - t3;
        }
    }

  /* What a CAM adds to the forward pass, timed alone on activations kept once: the gradient, the channel
   * weights, the weighted sum and the normalisation. Under a busy machine this is steadier than the
   * difference of two noisy medians. */
  CxrCamActivations kept;
  cxr_cam_activations_init (&kept, net, block);
  if (!cxr_cam_forward_keep (net, input, params->height, params->width, &kept, logits, error))
    {
      cxr_cam_activations_clear (&kept);
      return FALSE;
    }
  int channels = kept.channels[0];
  gsize plane = (gsize) kept.heights[0] * kept.widths[0];
  g_autofree float *grad = g_new (float, channels * plane);
  g_autofree float *weights = g_new (float, channels);
  g_autofree double *extra = g_new (double, o->runs);
  for (int i = -1; i < o->runs; i++)
    {
      double t0 = bench_now_ms ();
      cxr_cam_gradient (net, &kept, target, grad);
      cxr_cam_channel_weights (weights, options.method, kept.outputs[0], grad, channels, plane);
      cxr_cam_weighted_sum (cam_raw, weights, kept.outputs[0], channels, plane);
      cxr_cam_normalise (cam_raw, plane);
      double t1 = bench_now_ms ();
      if (i >= 0)
        extra[i] = t1 - t0;
    }
  cxr_cam_activations_clear (&kept);

  /* The slider: a new threshold on the cached CAM, mask written for display, as the viewer does. */
  int reps = MAX (50, o->runs * 10);
  g_autofree double *rethreshold = g_new (double, reps);
  g_autoptr (CxrCamWorkspace) workspace = cxr_cam_workspace_new ();
  g_autofree guint8 *mask = g_malloc ((gsize) result->width * result->height);
  guint n_boxes = 0;
  for (int i = -5; i < reps; i++)
    {
      float t = 0.30f + 0.01f * (float) ((i + 5) % 41);
      double t0 = bench_now_ms ();
      g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (workspace, result->cam, result->width, result->height,
                                                              t, CXR_BOX_MODE_LARGEST, mask);
      double t1 = bench_now_ms ();
      n_boxes += boxes->len;
      if (i >= 0)
        rethreshold[i] = t1 - t0;
    }

  /* A worst case for the slider: a CAM of many small blobs (a product of sines), hundreds of components. */
  g_autofree float *busy = g_new (float, 1024 * 1024);
  for (int y = 0; y < 1024; y++)
    for (int x = 0; x < 1024; x++)
      busy[y * 1024 + x] = 0.5f + 0.5f * sinf (x / 9.0f) * sinf (y / 7.0f);
  g_autofree double *busy_times = g_new (double, reps);
  guint busy_components = 0;
  for (int i = -5; i < reps; i++)
    {
      float t = 0.55f + 0.01f * (float) ((i + 5) % 41);  /* above 0.5: the blobs are apart */
      double t0 = bench_now_ms ();
      g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (workspace, busy, 1024, 1024, t, CXR_BOX_MODE_LARGEST,
                                                              mask);
      double t1 = bench_now_ms ();
      g_assert_nonnull (boxes);
      cxr_cam_workspace_get_components (workspace, &busy_components);
      if (i >= 0)
        busy_times[i] = t1 - t0;
    }

  if (o->cam_path != NULL
      && !cxr_npy_save (o->cam_path, result->cam_features, 2, (gint64[]) { fh, fw }, error))
    return FALSE;

  double f = bench_median (forward, o->runs), c = bench_median (cam, o->runs);
  double p = bench_median (predict, o->runs), q = bench_median (pipeline, o->runs);
  double e = bench_median (extra, o->runs);
  double r = bench_median (rethreshold, reps), r_max = rethreshold[reps - 1];  /* sorted by bench_median () */
  double b = bench_median (busy_times, reps);
  printf ("side=cxrcam layer=%s method=%s runs=%d forward_ms=%.3f cam_ms=%.3f cam_over_forward=%.3f "
          "extra_ms=%.3f predict_ms=%.3f pipeline_ms=%.3f pipeline_over_predict=%.3f image=%dx%d rethreshold_ms=%.3f "
          "rethreshold_max_ms=%.3f boxes=%u rethreshold_busy_ms=%.3f busy_components=%u\n",
          layer, cxr_cam_method_get_name (options.method), o->runs, f, c, c / f, e, p, q, q / p,
          result->width, result->height, r, r_max, n_boxes, b, busy_components);
  return TRUE;
}

int
main (int argc, char *argv[])
{
  Options o = { .runs = 9, .warmup = 2 };
  GOptionEntry entries[] = {
    { "weights", 0, 0, G_OPTION_ARG_FILENAME, &o.weights, "PyTorch checkpoint (state_dict)", "FILE" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &o.image, "Image (default: a synthetic 1024x1024)", "PNG" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &o.layer, "CAM layer (default: the card's, layer4)", "NAME" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &o.method, "gradcam (default) or gradcam++", "METHOD" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &o.runs, "Timed runs (default 9)", "R" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &o.warmup, "Untimed runs first (default 2)", "W" },
    { "cam", 0, 0, G_OPTION_ARG_FILENAME, &o.cam_path, "Write the normalised feature-resolution CAM (.npy)", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- time Grad-CAM against the forward pass");
  g_autoptr (GError) error = NULL;
  g_option_context_add_main_entries (context, entries, NULL);
  gboolean ok = g_option_context_parse (context, &argc, &argv, &error);
  if (ok && (o.weights == NULL || o.runs < 1 || o.warmup < 0))
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "needs --weights FILE, and positive --runs");
  if (error == NULL)
    run (&o, &error);

  g_free (o.weights);
  g_free (o.image);
  g_free (o.layer);
  g_free (o.method);
  g_free (o.cam_path);
  if (error != NULL)
    {
      g_printerr ("bench-cam: %s\n", error->message);
      return 1;
    }
  return 0;
}
