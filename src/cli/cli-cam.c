/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli cam: Grad-CAM boxes for images or a dataset, the tutorial's four pictures per image,
 * bb_results.csv and a localisation summary. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cli-cam-runs.h"
#include "cli-cam-session.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-atomic-file.h"
#include "cxr-cam-export.h"
#include "cxr-cam-render.h"
#include "cxr-cam-score.h"

typedef struct {
  const char *label;
  CliCamInput *input;
  CxrCamExporter *exporter;
  guint n_failed;
  /* Resuming: rows kept from the interrupted run by image name, and for each image run now its index in the
   * whole list, so that the kept rows go in between in the list's order. */
  char **all_paths;        /* borrowed: the shard's images, in order */
  GHashTable *kept;        /* image name -> CxrCamResultRow; NULL when not resuming */
  GArray *run_index;       /* guint: index in all_paths of each image run */
  guint next;              /* the next index of all_paths whose row is still to be placed */
} CamJob;

/* Places the kept rows of the images before @until in the list. */
static void
place_kept_rows (CamJob *job, guint until)
{
  for (; job->next < until; job->next++)
    {
      if (job->kept == NULL)
        continue;
      g_autofree char *name = g_path_get_basename (job->all_paths[job->next]);
      const CxrCamResultRow *row = g_hash_table_lookup (job->kept, name);
      if (row != NULL)
        cxr_cam_exporter_add_row (job->exporter, row->line);
    }
}

static void
on_result (CxrCamResult *result, guint done, guint total, gpointer user_data)
{
  CamJob *job = user_data;
  guint index = g_array_index (job->run_index, guint, result->index);
  place_kept_rows (job, index);
  job->next = index + 1;
  if (result->error != NULL)
    {
      cli_error ("cam", "%s", result->error->message);
      job->n_failed++;
      return;
    }

  g_autoptr (GArray) truth = cli_cam_input_truth (job->input, result->path, job->label);
  g_auto (CxrCamCut) cut = { NULL };
  cxr_cam_exporter_add (job->exporter, result, truth, &cut);

  g_autofree char *iou = cxr_box_score_is_scored (&cut.score)
                         ? g_strdup_printf ("IoU %.3f, IoBB %.3f", cut.score.iou, cut.score.iobb)
                         : g_strdup ("no ground truth");
  fprintf (stderr, "[%u/%u] %s: %s %.3f, %u box%s, %s\n", done, total, result->name, job->label,
           result->probabilities[result->target_class], cut.boxes->len, cut.boxes->len == 1 ? "" : "es", iou);
}

typedef struct {
  CliCamArgs common;
  char *out_dir, *shard;
  gboolean all_images, save_cam;
  double threshold, opacity;
} CamOptions;

static void
cam_options_clear (CamOptions *o)
{
  cli_cam_args_clear (&o->common);
  g_free (o->out_dir);
  g_free (o->shard);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CamOptions, cam_options_clear)

static void
cam_job_clear (CamJob *job)
{
  g_clear_pointer (&job->exporter, cxr_cam_exporter_free);
  g_clear_pointer (&job->kept, g_hash_table_unref);
  g_clear_pointer (&job->run_index, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CamJob, cam_job_clear)

/* Everything that makes the rows and pictures what they are: a run resumes only a run with the same. */
static char *
run_settings (const CamOptions *o, const CliCamSession *session, double threshold, const CliShard *shard,
              char **paths)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  const char *files[] = { o->common.model_path, o->common.card_path, o->common.bbox };
  const char *keys[] = { "model", "card", "bbox" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      if (files[i] == NULL)
        continue;
      g_autoptr (GFile) f = g_file_new_for_commandline_arg (files[i]);
      g_autofree char *path = g_file_get_path (f);
      GStatBuf st = { 0 };
      g_stat (files[i], &st);
      g_autofree char *value = g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, path ? path : files[i],
                                                (gint64) st.st_size, (gint64) st.st_mtime);
      g_key_file_set_string (file, "cam", keys[i], value);
    }
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_key_file_set_string (file, "cam", "method", cxr_cam_method_get_name (session->options.method));
  g_key_file_set_string (file, "cam", "layer", o->common.layer ? o->common.layer : "");
  g_key_file_set_boolean (file, "cam", "aug-smooth", o->common.aug_smooth);
  g_key_file_set_boolean (file, "cam", "eigen-smooth", o->common.eigen_smooth);
  g_key_file_set_integer (file, "cam", "class", session->options.target_class);
  g_key_file_set_string (file, "cam", "box-mode", cxr_box_mode_get_name (session->box_mode));
  g_key_file_set_string (file, "cam", "threshold", g_ascii_dtostr (number, sizeof number, (float) threshold));
  g_key_file_set_string (file, "cam", "opacity", g_ascii_dtostr (number, sizeof number, o->opacity));
  g_key_file_set_boolean (file, "cam", "save-cam", o->save_cam);
  g_autofree char *shard_text = g_strdup_printf ("%u/%u", shard->index, shard->count);
  g_key_file_set_string (file, "cam", "shard", shard->count ? shard_text : "");
  /* The images themselves, in order: another list is another run. */
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; paths[i] != NULL; i++)
    g_checksum_update (checksum, (const guchar *) paths[i], strlen (paths[i]) + 1);
  g_key_file_set_string (file, "cam", "images", g_checksum_get_string (checksum));
  return g_key_file_to_data (file, NULL, NULL);
}

/* What `merge` needs to print the summary from a shard's rows. */
static gboolean
write_shard_note (const char *folder, const CliShard *shard, const char *label, double threshold,
                  CxrBoxMode box_mode, guint n_images, guint n_failed, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_key_file_set_integer (file, "shard", "index", (int) shard->index);
  g_key_file_set_integer (file, "shard", "count", (int) shard->count);
  g_key_file_set_integer (file, "shard", "images", (int) n_images);
  g_key_file_set_integer (file, "shard", "failed", (int) n_failed);
  g_key_file_set_string (file, "shard", "label", label);
  g_key_file_set_string (file, "shard", "threshold", g_ascii_dtostr (number, sizeof number, threshold));
  g_key_file_set_string (file, "shard", "box-mode", cxr_box_mode_get_name (box_mode));
  gsize length = 0;
  g_autofree char *text = g_key_file_to_data (file, &length, NULL);
  g_autofree char *path = g_build_filename (folder, CLI_CAM_SHARD_NOTE, NULL);
  return cxr_atomic_file_set_contents (path, text, length, error);
}

/* After parsing: load the model, find the images and boxes, run (the images not done yet), write, summarise. */
static int
run_cam (CamOptions *o)
{
  g_auto (CamJob) job = { NULL };
  g_auto (CliCamSession) session = { NULL };
  g_autoptr (GError) error = NULL;
  CxrCamOptions names;
  CxrBoxMode box_mode = CXR_BOX_MODE_LARGEST;
  CliShard shard = { 0, 0 };
  cxr_cam_options_init_default (&names);

  if (o->common.model_path == NULL || (o->common.images == NULL && o->common.dataset == NULL))
    {
      cli_error ("cam", "needs --model FILE and IMAGE… or --dataset DIR (try --help)");
      return 2;
    }
  if (!cli_cam_args_parse_names (&o->common, &names, &box_mode, &error)
      || (o->shard != NULL && !cli_shard_parse (o->shard, &shard, &error)))
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
  if (shard.count > 0)
    {
      GStrv slice = cli_shard_select (&shard, session.input.paths);
      g_strfreev (session.input.paths);
      session.input.paths = slice;
    }
  job.label = session.label;
  job.input = &session.input;
  job.all_paths = session.input.paths;
  double threshold = o->threshold >= 0 ? o->threshold : cxr_model_get_card (session.model)->cam_threshold;
  const char *folder = o->out_dir ? o->out_dir : "output";

  /* An interrupted run with the same settings left complete rows and whole pictures: those images are done. */
  g_autofree char *settings = run_settings (o, &session, threshold, &shard, session.input.paths);
  gboolean other_settings = FALSE;
  job.kept = cli_cam_runs_resumable (folder, settings, &other_settings, &error);
  if (error != NULL)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  if (other_settings)
    fprintf (stderr, "%s holds an unfinished run with other settings: starting over\n", folder);
  g_autoptr (GString) previous = g_string_new (NULL);
  g_autoptr (GPtrArray) to_run = g_ptr_array_new ();
  job.run_index = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; session.input.paths[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (session.input.paths[i]);
      const CxrCamResultRow *row = job.kept ? g_hash_table_lookup (job.kept, name) : NULL;
      if (row != NULL)
        g_string_append (previous, row->line);
      else
        {
          g_ptr_array_add (to_run, session.input.paths[i]);
          g_array_append_val (job.run_index, i);
        }
    }
  g_ptr_array_add (to_run, NULL);
  guint n_total = g_strv_length (session.input.paths);
  if (job.kept != NULL)
    fprintf (stderr, "resuming the run in %s: %u of %u images are done\n", folder, n_total - job.run_index->len,
             n_total);

  g_autofree char *note = g_build_filename (folder, CLI_CAM_RUN_NOTE, NULL);
  if (g_mkdir_with_parents (folder, 0755) != 0 || !cxr_atomic_file_set_contents (note, settings, strlen (settings),
                                                                                   &error))
    {
      cli_error ("cam", "cannot write %s: %s", note, error ? error->message : g_strerror (errno));
      return 1;
    }

  CxrCamExportOptions export;
  cxr_cam_export_options_init (&export);
  export.folder = folder;
  export.label = job.label;
  export.threshold = threshold;
  export.box_mode = session.box_mode;
  export.opacity = o->opacity;
  export.save_cam = o->save_cam;
  export.previous_rows = previous->str;
  export.wait_when_busy = TRUE;
  job.exporter = cxr_cam_exporter_new (&export, NULL, &error);
  if (job.exporter == NULL)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }

  /* The session runs the images still to do. */
  GStrv shard_paths = session.input.paths;
  session.input.paths = (GStrv) to_run->pdata;
  gboolean ran = cli_cam_session_run (&session, on_result, &job, NULL, &error);
  session.input.paths = shard_paths;
  if (!ran)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  place_kept_rows (&job, n_total);
  gboolean written = cxr_cam_exporter_finish (job.exporter, NULL, &error);
  g_clear_pointer (&job.exporter, cxr_cam_exporter_free);
  if (written && shard.count > 0)
    written = write_shard_note (folder, &shard, job.label, threshold, session.box_mode, n_total, job.n_failed,
                                &error);
  if (!written)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  g_unlink (note);

  g_autofree char *csv = g_build_filename (folder, "bb_results.csv", NULL);
  g_autoptr (GPtrArray) rows = cxr_cam_results_load (csv, &error);
  if (rows == NULL)
    {
      cli_error ("cam", "%s", error->message);
      return 1;
    }
  cli_cam_print_summary (rows, job.label, threshold, cxr_box_mode_get_name (session.box_mode), job.n_failed);
  return job.n_failed ? 1 : 0;
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
    { "shard", 0, 0, G_OPTION_ARG_STRING, &o.shard, "Only the K-th of N equal slices of the image list (join them with merge)", "K/N" },
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
    "summary (mean IoU, best image, Wang et al.'s localisation accuracy) to stdout.\n"
    "A run interrupted (Ctrl+C, a kill) and started again with the same settings and output folder skips the\n"
    "images already in bb_results.csv and ends with the files of an uninterrupted run. --shard K/N runs one of\n"
    "N slices (a cluster job array runs them all); `cxrcam-cli merge OUT SHARD_DIR…` joins them (docs/scale.md).");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "cam", &status))
    return status;
  return run_cam (&o);
}
