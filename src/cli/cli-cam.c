/* cxrcam-cli cam: Grad-CAM boxes for images or a dataset, the tutorial's four pictures per image,
 * bb_results.csv and a localisation summary. */
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cli-cam-input.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-cam-csv.h"
#include "cxr-cam-render.h"
#include "cxr-cam-score.h"
#include "cxr-engine-cam.h"
#include "cxr-npy.h"

typedef struct {
  CxrEngine *engine;
  const char *model_path;
  const char *card_path;
  const char *const *paths;
  CxrCamOptions options;

  /* per-image work on the main context, as results arrive */
  CliCamInput *input;
  const char *label;
  const char *out_dir;
  gboolean save_cam;
  CxrCamRenderOptions render;
  CxrCamWorkspace *workspace;
  FILE *csv;
  CxrCamSummary summary;
  GPtrArray *names;        /* image names by request index, for the summary's best image */
  guint n_failed;
  gboolean write_failed;
} CamJob;

static void
start_load (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  CamJob *job = data;
  cxr_engine_load_model_async (job->engine, job->model_path, job->card_path, NULL, callback, user_data);
}

static void
start_cams (gpointer data, GAsyncReadyCallback callback, gpointer user_data);

/* The row format lives in the core (cxr-cam-csv.h) so that the viewer's export writes the same file. */
static void
write_csv_row (CamJob *job, const CxrCamResult *result, const CxrBoxScore *score)
{
  g_autoptr (GString) row = g_string_new (NULL);
  cxr_cam_csv_append_row (row, result, job->label, job->render.threshold, score);
  fputs (row->str, job->csv);
}

static gboolean
save_cam (CamJob *job, const CxrCamResult *result, GError **error)
{
  g_autofree char *stem = cli_image_stem (result->path);
  g_autofree char *name = g_strconcat (stem, ".cam.npy", NULL);
  g_autofree char *path = g_build_filename (job->out_dir, name, NULL);
  gint64 shape[2] = { result->height, result->width };
  return cxr_npy_save (path, result->cam, 2, shape, error);
}

static void
on_result (CxrCamResult *result, guint done, guint total, gpointer user_data)
{
  CamJob *job = user_data;
  g_ptr_array_add (job->names, g_strdup (result->name));
  if (result->error != NULL)
    {
      cli_error ("cam", "%s", result->error->message);
      job->n_failed++;
      return;
    }

  g_autoptr (GArray) truth = cli_cam_input_truth (job->input, result->path, job->label);
  g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (job->workspace, result->cam, result->width,
                                                          result->height, job->render.threshold,
                                                          job->render.box_mode, NULL);
  CxrBoxScore score;
  cxr_box_score (&score, (const CxrRect *) boxes->data, boxes->len, (const CxrRect *) truth->data, truth->len);
  cxr_cam_summary_add (&job->summary, &score, result->index);
  write_csv_row (job, result, &score);

  job->render.truth = (const CxrRect *) truth->data;
  job->render.n_truth = truth->len;
  g_autoptr (GError) error = NULL;
  if (!cxr_cam_write_images (result, job->out_dir, &job->render, (const CxrRect *) boxes->data, boxes->len, &error)
      || (job->save_cam && !save_cam (job, result, &error)))
    {
      cli_error ("cam", "%s", error->message);
      job->write_failed = TRUE;
    }
  job->render.truth = NULL;
  job->render.n_truth = 0;

  g_autofree char *iou = cxr_box_score_is_scored (&score) ? g_strdup_printf ("IoU %.3f, IoBB %.3f", score.iou, score.iobb)
                                                           : g_strdup ("no ground truth");
  fprintf (stderr, "[%u/%u] %s: %s %.3f, %u box%s, %s\n", done, total, result->name, job->label,
           result->probabilities[result->target_class], boxes->len, boxes->len == 1 ? "" : "es", iou);
}

static void
start_cams (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  CamJob *job = data;
  cxr_engine_cam_batch_async (job->engine, job->paths, &job->options, on_result, job, NULL, NULL, callback,
                              user_data);
}

static void
print_summary (const CamJob *job)
{
  const CxrCamSummary *s = &job->summary;
  printf ("images: %u explained, %u with %s ground truth, %u failed\n", s->n_images, s->n_scored, job->label,
          job->n_failed);
  if (s->n_scored == 0)
    return;
  printf ("threshold: %.2f, boxes: %s\n", job->render.threshold, cxr_box_mode_get_name (job->render.box_mode));
  printf ("mean IoU: %.4f\n", cxr_cam_summary_mean_iou (s));
  printf ("best image: %s (IoU %.4f)\n", (const char *) g_ptr_array_index (job->names, s->best_index),
          s->best_iou);
  printf ("localisation accuracy (Wang et al. 2017), fraction of images:\n");
  printf ("  IoU  >");
  for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
    printf (" %6.2f", cxr_cam_iou_thresholds[t]);
  printf ("\n        ");
  for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
    printf (" %6.3f", cxr_cam_summary_iou_accuracy (s, t));
  printf ("\n  IoBB >");
  for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
    printf (" %6.2f", cxr_cam_iobb_thresholds[t]);
  printf ("\n        ");
  for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
    printf (" %6.3f", cxr_cam_summary_iobb_accuracy (s, t));
  printf ("\n");
}

typedef struct {
  char *model_path, *card_path, *method, *layer, *box_mode, *bbox, *dataset, *class_name, *out_dir;
  gboolean all_images, save_cam;
  double threshold, opacity;
  GStrv images;
} CamOptions;

static void
cam_options_clear (CamOptions *o)
{
  g_free (o->model_path);
  g_free (o->card_path);
  g_free (o->method);
  g_free (o->layer);
  g_free (o->box_mode);
  g_free (o->bbox);
  g_free (o->dataset);
  g_free (o->class_name);
  g_free (o->out_dir);
  g_strfreev (o->images);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CamOptions, cam_options_clear)

static void
cam_job_clear (CamJob *job)
{
  if (job->csv)
    fclose (job->csv);
  g_clear_pointer (&job->workspace, cxr_cam_workspace_free);
  g_clear_pointer (&job->names, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CamJob, cam_job_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliCamInput, cli_cam_input_clear)

/* After parsing: load the model, find the images and boxes, run, write, summarise. */
static int
run_cam (CamOptions *o)
{
  g_auto (CamJob) job = { NULL };
  g_auto (CliCamInput) input = { NULL };
  g_autoptr (GError) error = NULL;
  cxr_cam_options_init_default (&job.options);
  cxr_cam_render_options_init (&job.render);

  if (o->model_path == NULL || (o->images == NULL && o->dataset == NULL))
    {
      cli_error ("cam", "needs --model FILE and IMAGE… or --dataset DIR (try --help)");
      return 2;
    }
  if ((o->method && !cxr_cam_method_from_name (o->method, &job.options.method, &error))
      || (o->box_mode && !cxr_box_mode_from_name (o->box_mode, &job.render.box_mode, &error)))
    {
      cli_error ("cam", "%s", error->message);
      return 2;
    }
  if (o->opacity < 0 || o->opacity > 1 || (o->threshold != -1.0 && (o->threshold < 0 || o->threshold > 1)))
    {
      cli_error ("cam", "--threshold and --opacity take values from 0 to 1");
      return 2;
    }

  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  job.engine = engine;
  job.model_path = o->model_path;
  job.card_path = o->card_path;
  g_autoptr (GAsyncResult) loaded = cli_wait_for (start_load, &job);
  g_autoptr (CxrModel) model = cxr_engine_load_model_finish (engine, loaded, &error);
  if (model == NULL)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  const CxrModelCard *card = cxr_model_get_card (model);
  if (!cli_cam_resolve_class (card, o->class_name, &job.options.target_class))
    {
      cli_error ("cam", "the model has no class '%s'", o->class_name);
      return 2;
    }
  job.options.layer = o->layer;
  job.label = card->class_names[job.options.target_class];
  job.render.threshold = o->threshold >= 0 ? o->threshold : card->cam_threshold;
  job.render.opacity = o->opacity;
  job.render.truth_label = job.label;

  if (!cli_cam_input_init (&input, o->images, o->dataset, o->bbox, job.label, o->all_images, &error))
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  job.input = &input;
  job.paths = (const char *const *) input.paths;
  job.out_dir = o->out_dir ? o->out_dir : "output";
  if (g_mkdir_with_parents (job.out_dir, 0755) != 0)
    {
      cli_error ("cam", "cannot create %s: %s", job.out_dir, g_strerror (errno));
      return 1;
    }
  g_autofree char *csv_path = g_build_filename (job.out_dir, "bb_results.csv", NULL);
  job.csv = g_fopen (csv_path, "w");
  if (job.csv == NULL)
    {
      cli_error ("cam", "cannot write %s: %s", csv_path, g_strerror (errno));
      return 1;
    }
  fputs (CXR_CAM_RESULTS_CSV_HEADER, job.csv);
  job.save_cam = o->save_cam;
  job.workspace = cxr_cam_workspace_new ();
  job.names = g_ptr_array_new_with_free_func (g_free);
  cxr_cam_summary_init (&job.summary);

  g_autoptr (GAsyncResult) explained = cli_wait_for (start_cams, &job);
  if (!cxr_engine_cam_batch_finish (engine, explained, NULL, &error))
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  FILE *csv = g_steal_pointer (&job.csv);
  if (fclose (csv) != 0)
    {
      cli_error ("cam", "cannot write %s: %s", csv_path, g_strerror (errno));
      return 1;
    }
  print_summary (&job);
  return job.n_failed || job.write_failed ? 1 : 0;
}

int
cli_cam (int argc, char **argv)
{
  g_auto (CamOptions) o = { .threshold = -1.0, .opacity = CXR_CAM_DEFAULT_OPACITY };
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o.model_path, "Weights (.pth, .pt or .safetensors)", "FILE" },
    { "card", 'c', 0, G_OPTION_ARG_FILENAME, &o.card_path, "Model card (default: beside the weights)", "FILE" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &o.method, "gradcam (default) or gradcam++", "METHOD" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &o.layer, "Residual block: layer4 (default: the card's), layer3, layer4.1…", "NAME" },
    { "class", 0, 0, G_OPTION_ARG_STRING, &o.class_name, "Class to explain, name or index (default: the card's positive class)", "CLASS" },
    { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &o.threshold, "Mask threshold in [0, 1] (default: the card's, 0.5)", "T" },
    { "box-mode", 0, 0, G_OPTION_ARG_STRING, &o.box_mode, "largest (default), all or union", "MODE" },
    { "bbox", 0, 0, G_OPTION_ARG_FILENAME, &o.bbox, "Ground-truth boxes (BB.csv / BBox_List_2017.csv)", "FILE" },
    { "dataset", 'd', 0, G_OPTION_ARG_FILENAME, &o.dataset, "Run on a dataset folder's images that have a box of the class", "DIR" },
    { "all-images", 0, 0, G_OPTION_ARG_NONE, &o.all_images, "With --dataset: every image, boxed or not", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out_dir, "Output folder (default: output)", "DIR" },
    { "opacity", 0, 0, G_OPTION_ARG_DOUBLE, &o.opacity, "Heatmap weight in pred_ images (default 0.5)", "A" },
    { "save-cam", 0, 0, G_OPTION_ARG_NONE, &o.save_cam, "Also write <name>.cam.npy (float32, image resolution)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.images, NULL, "IMAGE…" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("IMAGE… — Grad-CAM boxes scored against BB.csv");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "For every image writes original_, gtimage_ (ground truth yellow, prediction cyan), mask_ and pred_\n"
    "<name>.png into the output folder, and one row of bb_results.csv there:\n"
    "  image,label,probability,threshold,pred_x,pred_y,pred_w,pred_h,gt_x,gt_y,gt_w,gt_h,iou,iobb\n"
    "The mask is CAM >= threshold; the predicted box is the largest 8-connected component's (ties: the one\n"
    "met first in raster order), every component's, or their union. With several predicted or ground-truth\n"
    "boxes the row reports the pair with the highest IoU (ties: the earlier ones). Without a predicted box\n"
    "its fields are empty and IoU = IoBB = 0; without a ground-truth box of the label the ground-truth,\n"
    "IoU and IoBB fields are empty and the image is left out of the summary. Progress goes to stderr, the\n"
    "summary (mean IoU, best image, Wang et al.'s localisation accuracy) to stdout.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "cam", &status))
    return status;
  return run_cam (&o);
}
