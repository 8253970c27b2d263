/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli sweep: mean IoU for every threshold t = 0.05 … 0.95 over a set of images, each image's CAM
 * computed once (or read from the .cam.npy files `cam --save-cam` wrote), and the best t. */
#include <math.h>
#include <string.h>

#include "cli-cam-session.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-cam-score.h"
#include "cxr-format.h"
#include "cxr-npy.h"

typedef struct {
  CliCamArgs common;
  char *cams, *label;
} SweepOptions;

static void
sweep_options_clear (SweepOptions *o)
{
  cli_cam_args_clear (&o->common);
  g_free (o->cams);
  g_free (o->label);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SweepOptions, sweep_options_clear)

typedef struct {
  CliCamInput *input;
  const char *label;
  CxrBoxMode mode;
  CxrCamWorkspace *workspace;
  CxrCamSweep sweep;
  guint n_images, n_failed;
} SweepJob;

static void
add_cam (SweepJob *job, const char *image, const float *cam, int width, int height, guint index)
{
  g_autoptr (GArray) truth = cli_cam_input_truth (job->input, image, job->label);
  cxr_cam_sweep_add (&job->sweep, job->workspace, cam, width, height, job->mode, (const CxrRect *) truth->data,
                     truth->len, index);
  job->n_images++;
}

static void
on_result (CxrCamResult *result, guint done, guint total, gpointer user_data)
{
  SweepJob *job = user_data;
  if (result->error != NULL)
    {
      cli_error ("sweep", "%s", result->error->message);
      job->n_failed++;
      return;
    }
  add_cam (job, result->path, result->cam, result->width, result->height, result->index);
  fprintf (stderr, "[%u/%u] %s\n", done, total, result->name);
}

/* CAMs from the model, one batch job. */
static gboolean
sweep_with_model (SweepJob *job, SweepOptions *o, CliCamSession *session, GError **error)
{
  if (!cli_cam_session_open (session, &o->common, FALSE, error))
    return FALSE;
  job->label = session->label;
  job->input = &session->input;
  return cli_cam_session_run (session, on_result, job, NULL, error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* CAMs cached by `cam --save-cam`: every <stem>.cam.npy in the folder, matched with <stem>.png's boxes. */
static gboolean
sweep_with_cams (SweepJob *job, SweepOptions *o, CliCamInput *input, GError **error)
{
  job->label = o->label ? o->label : "Cardiomegaly";
  if (!cli_cam_input_init (input, NULL, o->common.dataset, o->common.bbox, job->label, TRUE, NULL)
      && input->store == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--cams needs --bbox FILE or --dataset DIR");
      return FALSE;
    }
  job->input = input;
  g_autoptr (GDir) dir = g_dir_open (o->cams, 0, error);
  if (dir == NULL)
    return FALSE;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".cam.npy"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (o->cams, file, NULL);
      g_autoptr (CxrTensor) cam = cxr_npy_load (path, error);
      if (cam == NULL)
        return FALSE;
      if (cam->ndim != 2)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a [height, width] CAM", path);
          return FALSE;
        }
      g_autofree char *stem = g_strndup (file, strlen (file) - strlen (".cam.npy"));
      g_autofree char *image = g_strconcat (stem, ".png", NULL);
      add_cam (job, image, cam->data, cam->shape[1], cam->shape[0], i);
    }
  if (names->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no .cam.npy files in %s", o->cams);
      return FALSE;
    }
  return TRUE;
}

/* The table is CSV on stdout, for scripts: its numbers have a point under any locale. */
static void
print_table (const SweepJob *job)
{
  g_autoptr (GString) table = g_string_new ("threshold,images,mean_iou");
  for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
    {
      g_string_append (table, ",iou>");
      cxr_format_append_fixed (table, cxr_cam_iou_thresholds[t], 1);
    }
  for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
    {
      g_string_append (table, ",iobb>");
      cxr_format_append_double (table, cxr_cam_iobb_thresholds[t]);
    }
  g_string_append_c (table, '\n');
  for (guint k = 0; k < CXR_CAM_N_SWEEP_THRESHOLDS; k++)
    {
      const CxrCamSummary *s = &job->sweep.at[k];
      cxr_format_append_fixed (table, cxr_cam_sweep_thresholds[k], 2);
      g_string_append_printf (table, ",%u,", s->n_scored);
      cxr_format_append_fixed (table, cxr_cam_summary_mean_iou (s), 4);
      for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
        {
          g_string_append_c (table, ',');
          cxr_format_append_fixed (table, cxr_cam_summary_iou_accuracy (s, t), 3);
        }
      for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
        {
          g_string_append_c (table, ',');
          cxr_format_append_fixed (table, cxr_cam_summary_iobb_accuracy (s, t), 3);
        }
      g_string_append_c (table, '\n');
    }
  fputs (table->str, stdout);
  int best = cxr_cam_sweep_best (&job->sweep);
  if (best < 0)
    fprintf (stderr, "no image had a %s box: nothing to score\n", job->label);
  else
    fprintf (stderr, "best threshold: %.2f (mean IoU %.4f over %u images with %s boxes, %s boxes)\n",
             cxr_cam_sweep_thresholds[best], cxr_cam_summary_mean_iou (&job->sweep.at[best]),
             job->sweep.at[best].n_scored, job->label, cxr_box_mode_get_name (job->mode));
}

int
cli_sweep (int argc, char **argv)
{
  g_auto (SweepOptions) o = { { NULL } };
  const GOptionEntry entries[] = {
    { "cams", 0, 0, G_OPTION_ARG_FILENAME, &o.cams, "Read <name>.cam.npy files (cam --save-cam) instead of running a model", "DIR" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &o.label, "With --cams: the box label to score against (default Cardiomegaly)", "LABEL" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("IMAGE… — mean IoU for every mask threshold");
  cli_cam_args_add_entries (&o.common, context, "A dataset folder: its images with a box of the class");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Computes each image's CAM once and scores its boxes at t = 0.05, 0.10, … 0.95 (the rules of `cam`).\n"
    "Prints CSV on stdout: threshold, images scored, mean IoU, and the fraction of images with IoU > T and\n"
    "IoBB > T (Wang et al.); the best threshold (highest mean IoU, ties: the lower) goes to stderr.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "sweep", &status))
    return status;

  SweepJob job = { NULL };
  cxr_cam_sweep_init (&job.sweep);
  CxrCamOptions names;
  cxr_cam_options_init_default (&names);
  g_autoptr (GError) error = NULL;
  if (!cli_cam_args_parse_names (&o.common, &names, &job.mode, &error))
    {
      cli_error ("sweep", "%s", error->message);
      return 2;
    }
  if ((o.cams == NULL) == (o.common.model_path == NULL)
      || (o.common.model_path && o.common.images == NULL && o.common.dataset == NULL))
    {
      cli_error ("sweep", "needs --model FILE with IMAGE… or --dataset DIR, or --cams DIR (try --help)");
      return 2;
    }

  g_auto (CliCamInput) input = { NULL };
  g_auto (CliCamSession) session = { NULL };
  g_autoptr (CxrCamWorkspace) workspace = cxr_cam_workspace_new ();
  job.workspace = workspace;
  gboolean ok = o.cams ? sweep_with_cams (&job, &o, &input, &error) : sweep_with_model (&job, &o, &session, &error);
  if (!ok)
    {
      cli_error ("sweep", "%s", error->message);
      return 1;
    }
  print_table (&job);
  return job.n_failed ? 1 : 0;
}
