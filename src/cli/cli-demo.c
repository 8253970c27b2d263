/* cxrcam-cli demo: the main job on the built-in data, end to end.
 *
 * 1. writes the synthetic radiographs (phantoms) as an NIH dataset;
 * 2. makes a ResNet-18 for one gray input channel and two classes (torchvision's initialisation;
 *    there are no pretrained weights to start from) and saves it as a PyTorch checkpoint;
 * 3. predicts every phantom through the engine and scores the predictions.
 */
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-checkpoint.h"
#include "cxr-dataset.h"
#include "cxr-engine.h"
#include "cxr-phantom.h"

typedef struct {
  CxrEngine *engine;
  const char *model_path;
  const char *const *images;
} DemoJob;

static void
start_load (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  DemoJob *job = data;
  cxr_engine_load_model_async (job->engine, job->model_path, NULL, NULL, callback, user_data);
}

static void
report_progress (const CxrPrediction *prediction, guint done, guint total, gpointer user_data)
{
  /* One line per tenth, so that logs stay readable. */
  if (done == total || done % MAX (1, total / 10) == 0)
    fprintf (stderr, "predicted %u/%u\n", done, total);
}

static void
start_predict (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  DemoJob *job = data;
  cxr_engine_predict_async (job->engine, job->images, report_progress, NULL, NULL, NULL, callback, user_data);
}

static gboolean
write_model (const char *path, GError **error)
{
  CxrResnetArch arch;
  if (!cxr_resnet_arch_from_name ("resnet18", 1, 2, &arch, error))
    return FALSE;
  g_autoptr (CxrResnet) net = cxr_resnet_new (&arch, 1);
  return cxr_checkpoint_save_pth (path, cxr_resnet_get_parameters (net), error);
}

/* The image paths and whether each is labelled Cardiomegaly. */
static GStrv
list_images (const char *folder, GArray *positive, GError **error)
{
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (folder, CXR_DATASET_OPEN_REQUIRE_IMAGES, error);
  if (dataset == NULL)
    return NULL;
  g_autoptr (GStrvBuilder) paths = g_strv_builder_new ();
  for (guint i = 0; i < cxr_dataset_get_n_entries (dataset); i++)
    {
      g_autofree char *path = cxr_dataset_dup_image_path (dataset, i);
      if (path == NULL)
        continue;
      gboolean is_positive = (cxr_dataset_get_entry (dataset, i)->findings & CXR_FINDING_CARDIOMEGALY) != 0;
      g_strv_builder_add (paths, path);
      g_array_append_val (positive, is_positive);
    }
  return g_strv_builder_end (paths);
}

static gboolean
run_demo (const char *folder, GError **error)
{
  g_autofree char *data_dir = g_build_filename (folder, "data", NULL);
  g_autofree char *model_path = g_build_filename (folder, "resnet18-untrained.pth", NULL);

  CxrPhantomOptions options;
  cxr_phantom_options_init_default (&options);
  g_autofree char *labels = g_build_filename (data_dir, "Data_Entry_2017.csv", NULL);
  if (!g_file_test (labels, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "writing %u synthetic radiographs to %s\n", options.n_images, data_dir);
      if (!cxr_phantom_write_dataset (data_dir, &options, NULL, error))
        return FALSE;
    }

  fprintf (stderr, "writing an untrained ResNet-18 (1 channel, 2 classes) to %s\n", model_path);
  if (!write_model (model_path, error))
    return FALSE;

  g_autoptr (GArray) positive = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_auto (GStrv) images = list_images (data_dir, positive, error);
  if (images == NULL)
    return FALSE;

  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  DemoJob job = { engine, model_path, (const char *const *) images };
  g_autoptr (GAsyncResult) loaded = cli_wait_for (start_load, &job);
  g_autoptr (CxrModel) model = cxr_engine_load_model_finish (engine, loaded, error);
  if (model == NULL)
    return FALSE;
  g_autofree char *description = cxr_model_describe (model);
  fprintf (stderr, "model: %s\n", description);

  g_autoptr (GAsyncResult) predicted = cli_wait_for (start_predict, &job);
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (engine, predicted, error);
  if (predictions == NULL)
    return FALSE;

  guint correct = 0;
  printf ("image,label,P(Cardiomegaly)\n");
  for (guint i = 0; i < predictions->len; i++)
    {
      const CxrPrediction *p = g_ptr_array_index (predictions, i);
      gboolean is_positive = g_array_index (positive, gboolean, i);
      if (p->error != NULL)
        {
          g_propagate_error (error, g_error_copy (p->error));
          return FALSE;
        }
      float probability = p->probabilities[1];
      correct += (probability >= 0.5f) == is_positive;
      g_autofree char *name = g_path_get_basename (p->path);
      printf ("%s,%s,%.4f\n", name, is_positive ? "Cardiomegaly" : "No Finding", probability);
    }
  fprintf (stderr, "accuracy of the untrained network: %u/%u\n", correct, predictions->len);
  return TRUE;
}

int
cli_demo (int argc, char **argv)
{
  g_auto (GStrv) folders = NULL;
  const GOptionEntry entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &folders, NULL, "FOLDER" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FOLDER — run cxrcam end to end on synthetic radiographs");
  g_option_context_add_main_entries (context, entries, NULL);
  int status;
  if (!cli_parse_options (context, &argc, &argv, "demo", &status))
    return status;
  if (folders == NULL || folders[1] != NULL)
    {
      cli_error ("demo", "needs exactly one FOLDER (try --help)");
      return 2;
    }

  g_autoptr (GError) error = NULL;
  if (!run_demo (folders[0], &error))
    {
      cli_error ("demo", "%s", error->message);
      return 1;
    }
  return 0;
}
