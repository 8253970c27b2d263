/* cxrcam-cli sweep: mean IoU for every threshold t = 0.05 … 0.95 over a set of images, each image's CAM
 * computed once (or read from the .cam.npy files `cam --save-cam` wrote), and the best t. */
#include <math.h>
#include <string.h>

#include "cli-cam-input.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-cam-score.h"
#include "cxr-engine-cam.h"
#include "cxr-npy.h"

typedef struct {
  char *model_path, *card_path, *method, *layer, *box_mode, *bbox, *dataset, *class_name, *cams, *label;
  GStrv images;
} SweepOptions;

static void
sweep_options_clear (SweepOptions *o)
{
  g_free (o->model_path);
  g_free (o->card_path);
  g_free (o->method);
  g_free (o->layer);
  g_free (o->box_mode);
  g_free (o->bbox);
  g_free (o->dataset);
  g_free (o->class_name);
  g_free (o->cams);
  g_free (o->label);
  g_strfreev (o->images);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SweepOptions, sweep_options_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliCamInput, cli_cam_input_clear)

typedef struct {
  CxrEngine *engine;
  const char *model_path, *card_path;
  const char *const *paths;
  CxrCamOptions options;
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

static void
start_load (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  SweepJob *job = data;
  cxr_engine_load_model_async (job->engine, job->model_path, job->card_path, NULL, callback, user_data);
}

static void
start_cams (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  SweepJob *job = data;
  cxr_engine_cam_batch_async (job->engine, job->paths, &job->options, on_result, job, NULL, NULL, callback,
                              user_data);
}

/* CAMs from the model, one batch job. */
static gboolean
sweep_with_model (SweepJob *job, SweepOptions *o, CliCamInput *input, GError **error)
{
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  job->engine = engine;
  job->model_path = o->model_path;
  job->card_path = o->card_path;
  g_autoptr (GAsyncResult) loaded = cli_wait_for (start_load, job);
  g_autoptr (CxrModel) model = cxr_engine_load_model_finish (engine, loaded, error);
  if (model == NULL)
    return FALSE;
  const CxrModelCard *card = cxr_model_get_card (model);
  if (!cli_cam_resolve_class (card, o->class_name, &job->options.target_class))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "the model has no class '%s'", o->class_name);
      return FALSE;
    }
  job->options.layer = o->layer;
  job->label = card->class_names[job->options.target_class];
  if (!cli_cam_input_init (input, o->images, o->dataset, o->bbox, job->label, FALSE, error))
    return FALSE;
  job->input = input;
  job->paths = (const char *const *) input->paths;
  g_autoptr (GAsyncResult) done = cli_wait_for (start_cams, job);
  return cxr_engine_cam_batch_finish (engine, done, NULL, error);
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
  if (!cli_cam_input_init (input, NULL, o->dataset, o->bbox, job->label, TRUE, NULL) && input->store == NULL)
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

static void
print_table (const SweepJob *job)
{
  printf ("threshold,images,mean_iou");
  for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
    printf (",iou>%.1f", cxr_cam_iou_thresholds[t]);
  for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
    printf (",iobb>%g", cxr_cam_iobb_thresholds[t]);
  printf ("\n");
  for (guint k = 0; k < CXR_CAM_N_SWEEP_THRESHOLDS; k++)
    {
      const CxrCamSummary *s = &job->sweep.at[k];
      printf ("%.2f,%u,%.4f", cxr_cam_sweep_thresholds[k], s->n_scored, cxr_cam_summary_mean_iou (s));
      for (guint t = 0; t < CXR_CAM_N_IOU_THRESHOLDS; t++)
        printf (",%.3f", cxr_cam_summary_iou_accuracy (s, t));
      for (guint t = 0; t < CXR_CAM_N_IOBB_THRESHOLDS; t++)
        printf (",%.3f", cxr_cam_summary_iobb_accuracy (s, t));
      printf ("\n");
    }
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
  g_auto (SweepOptions) o = { NULL };
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o.model_path, "Weights (.pth, .pt or .safetensors)", "FILE" },
    { "card", 'c', 0, G_OPTION_ARG_FILENAME, &o.card_path, "Model card (default: beside the weights)", "FILE" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &o.method, "gradcam (default) or gradcam++", "METHOD" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &o.layer, "Residual block (default: the card's)", "NAME" },
    { "class", 0, 0, G_OPTION_ARG_STRING, &o.class_name, "Class to explain (default: the card's positive class)", "CLASS" },
    { "box-mode", 0, 0, G_OPTION_ARG_STRING, &o.box_mode, "largest (default), all or union", "MODE" },
    { "bbox", 0, 0, G_OPTION_ARG_FILENAME, &o.bbox, "Ground-truth boxes (BB.csv / BBox_List_2017.csv)", "FILE" },
    { "dataset", 'd', 0, G_OPTION_ARG_FILENAME, &o.dataset, "A dataset folder: its images with a box of the class", "DIR" },
    { "cams", 0, 0, G_OPTION_ARG_FILENAME, &o.cams, "Read <name>.cam.npy files (cam --save-cam) instead of running a model", "DIR" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &o.label, "With --cams: the box label to score against (default Cardiomegaly)", "LABEL" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.images, NULL, "IMAGE…" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("IMAGE… — mean IoU for every mask threshold");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Computes each image's CAM once and scores its boxes at t = 0.05, 0.10, … 0.95 (the rules of `cam`).\n"
    "Prints CSV on stdout: threshold, images scored, mean IoU, and the fraction of images with IoU > T and\n"
    "IoBB > T (Wang et al.); the best threshold (highest mean IoU, ties: the lower) goes to stderr.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "sweep", &status))
    return status;

  SweepJob job = { NULL };
  cxr_cam_options_init_default (&job.options);
  cxr_cam_sweep_init (&job.sweep);
  g_autoptr (GError) error = NULL;
  if ((o.method && !cxr_cam_method_from_name (o.method, &job.options.method, &error))
      || (o.box_mode && !cxr_box_mode_from_name (o.box_mode, &job.mode, &error)))
    {
      cli_error ("sweep", "%s", error->message);
      return 2;
    }
  if ((o.cams == NULL) == (o.model_path == NULL) || (o.model_path && o.images == NULL && o.dataset == NULL))
    {
      cli_error ("sweep", "needs --model FILE with IMAGE… or --dataset DIR, or --cams DIR (try --help)");
      return 2;
    }

  g_auto (CliCamInput) input = { NULL };
  g_autoptr (CxrCamWorkspace) workspace = cxr_cam_workspace_new ();
  job.workspace = workspace;
  gboolean ok = o.cams ? sweep_with_cams (&job, &o, &input, &error) : sweep_with_model (&job, &o, &input, &error);
  if (!ok)
    {
      cli_error ("sweep", "%s", error->message);
      return 1;
    }
  print_table (&job);
  return job.n_failed ? 1 : 0;
}
