/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli cam: Grad-CAM boxes for images or a dataset, the tutorial's four pictures per image,
 * bb_results.csv and a localisation summary. */
#include "cli-cam-session.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-cam-export.h"
#include "cxr-cam-render.h"
#include "cxr-cam-score.h"

typedef struct {
  const char *label;
  float threshold;
  CxrBoxMode box_mode;
  CliCamInput *input;
  CxrCamExporter *exporter;
  CxrCamSummary summary;
  GPtrArray *names;        /* image names by request index, for the summary's best image */
  guint n_failed;
} CamJob;

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
  g_auto (CxrCamCut) cut = { NULL };
  cxr_cam_exporter_add (job->exporter, result, truth, &cut);
  cxr_cam_summary_add (&job->summary, &cut.score, result->index);

  g_autofree char *iou = cxr_box_score_is_scored (&cut.score)
                         ? g_strdup_printf ("IoU %.3f, IoBB %.3f", cut.score.iou, cut.score.iobb)
                         : g_strdup ("no ground truth");
  fprintf (stderr, "[%u/%u] %s: %s %.3f, %u box%s, %s\n", done, total, result->name, job->label,
           result->probabilities[result->target_class], cut.boxes->len, cut.boxes->len == 1 ? "" : "es", iou);
}

static void
print_summary (const CamJob *job)
{
  const CxrCamSummary *s = &job->summary;
  printf ("images: %u explained, %u with %s ground truth, %u failed\n", s->n_images, s->n_scored, job->label,
          job->n_failed);
  if (s->n_scored == 0)
    return;
  printf ("threshold: %.2f, boxes: %s\n", job->threshold, cxr_box_mode_get_name (job->box_mode));
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
  CliCamArgs common;
  char *out_dir;
  gboolean all_images, save_cam;
  double threshold, opacity;
} CamOptions;

static void
cam_options_clear (CamOptions *o)
{
  cli_cam_args_clear (&o->common);
  g_free (o->out_dir);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CamOptions, cam_options_clear)

static void
cam_job_clear (CamJob *job)
{
  g_clear_pointer (&job->exporter, cxr_cam_exporter_free);
  g_clear_pointer (&job->names, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CamJob, cam_job_clear)

/* After parsing: load the model, find the images and boxes, run, write, summarise. */
static int
run_cam (CamOptions *o)
{
  g_auto (CamJob) job = { NULL };
  g_auto (CliCamSession) session = { NULL };
  g_autoptr (GError) error = NULL;
  CxrCamOptions names;
  CxrBoxMode box_mode = CXR_BOX_MODE_LARGEST;
  cxr_cam_options_init_default (&names);

  if (o->common.model_path == NULL || (o->common.images == NULL && o->common.dataset == NULL))
    {
      cli_error ("cam", "needs --model FILE and IMAGE… or --dataset DIR (try --help)");
      return 2;
    }
  if (!cli_cam_args_parse_names (&o->common, &names, &box_mode, &error))
    {
      cli_error ("cam", "%s", error->message);
      return 2;
    }
  if (o->opacity < 0 || o->opacity > 1 || (o->threshold != -1.0 && (o->threshold < 0 || o->threshold > 1)))
    {
      cli_error ("cam", "--threshold and --opacity take values from 0 to 1");
      return 2;
    }

  if (!cli_cam_session_open (&session, &o->common, o->all_images, &error))
    {
      cli_error ("cam", "%s", error->message);
      return cli_cam_exit_status (error);
    }
  job.label = session.label;
  job.input = &session.input;
  job.threshold = o->threshold >= 0 ? o->threshold : cxr_model_get_card (session.model)->cam_threshold;
  job.box_mode = session.box_mode;

  CxrCamExportOptions export;
  cxr_cam_export_options_init (&export);
  export.folder = o->out_dir ? o->out_dir : "output";
  export.label = job.label;
  export.threshold = job.threshold;
  export.box_mode = job.box_mode;
  export.opacity = o->opacity;
  export.save_cam = o->save_cam;
  export.wait_when_busy = TRUE;
  job.exporter = cxr_cam_exporter_new (&export, NULL, &error);
  if (job.exporter == NULL)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  job.names = g_ptr_array_new_with_free_func (g_free);
  cxr_cam_summary_init (&job.summary);

  if (!cli_cam_session_run (&session, on_result, &job, NULL, &error))
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  gboolean written = cxr_cam_exporter_finish (job.exporter, NULL, &error);
  g_clear_pointer (&job.exporter, cxr_cam_exporter_free);
  if (!written)
    cli_error ("cam", "%s", error->message);
  print_summary (&job);
  return job.n_failed || !written ? 1 : 0;
}

int
cli_cam (int argc, char **argv)
{
  g_auto (CamOptions) o = { .threshold = -1.0, .opacity = CXR_CAM_DEFAULT_OPACITY };
  const GOptionEntry entries[] = {
    { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &o.threshold, "Mask threshold in [0, 1] (default: the card's, 0.5)", "T" },
    { "all-images", 0, 0, G_OPTION_ARG_NONE, &o.all_images, "With --dataset: every image, boxed or not", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out_dir, "Output folder (default: output)", "DIR" },
    { "opacity", 0, 0, G_OPTION_ARG_DOUBLE, &o.opacity, "Heatmap weight in pred_ images (default 0.5)", "A" },
    { "save-cam", 0, 0, G_OPTION_ARG_NONE, &o.save_cam, "Also write <name>.cam.npy (float32, image resolution)", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("IMAGE… — Grad-CAM boxes scored against BB.csv");
  cli_cam_args_add_entries (&o.common, context, "Run on a dataset folder's images that have a box of the class");
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
