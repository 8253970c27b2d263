/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli demo: the main job on the built-in data, end to end, as a user would run it.
 *
 * 1. writes synthetic radiographs (phantoms; half with an enlarged heart and its box) as an NIH dataset;
 * 2. trains a ResNet-18 on them from torchvision's initialisation (there are no pretrained weights to
 *    start from), with a patient-level validation split;
 * 3. chooses the CAM method, layer and threshold with `compare` on phantoms of their own (another seed, never
 *    trained on nor scored), among the fast methods at layer2, layer3, layer4 and three fusions of them;
 * 4. explains the Cardiomegaly images that way, thresholds the heatmaps into boxes and scores them against the
 *    ground truth by IoU, writing the tutorial's pictures and bb_results.csv;
 * 5. opens the review window on the phantoms and the model when there is a display (else prints how).
 *
 * Steps 2 to 4 are the `train`, `compare` and `cam` subcommands themselves, run in this process with the
 * arguments printed before each, so that the demo shows the commands a user would type.
 */
#include "cli-commands.h"
#include "cli-util.h"
#include "cli-window.h"
#include "cxr-cam.h"
#include "cxr-csv.h"
#include "cxr-phantom.h"
#include "cxr-resnet.h"

/* The methods the demo tries: those that cost one forward (and a backward below layer4) per image. */
#define DEMO_METHODS "gradcam,gradcam++,hirescam,xgradcam,layercam"
/* The layers it tries. layer2 is among them because its maps are 28 x 28 (at 224 pixels), twice as fine as
 * layer3's and four times layer4's: the heart is a large smooth shape whose edges against the lungs tell the
 * finding, and a coarse map blurs the box past those edges. With layer3 and layer4 only, one training seed in four
 * fell short of a mean IoU of 0.5 (0.44); with layer2 every seed from 0 to 3 reached it (README). */
#define DEMO_LAYERS "layer2,layer3,layer4,layer2+layer3,layer2+layer3+layer4"

/* Prints "$ cxrcam-cli ARGS..." and runs the subcommand. */
static int
run_step (CliCommandFunc command, const char *const *args)
{
  g_autoptr (GString) line = g_string_new ("\n$ cxrcam-cli");
  for (gsize i = 0; args[i]; i++)
    {
      g_autofree char *quoted = g_shell_quote (args[i]);
      g_string_append_printf (line, " %s", strchr (args[i], ' ') ? quoted : args[i]);
    }
  fprintf (stderr, "%s\n", line->str);
  fflush (stderr);

  /* GOptionContext rearranges argv: give it a copy. */
  g_auto (GStrv) argv = g_strdupv ((GStrv) args);
  return command ((int) g_strv_length (argv), argv);
}

/* The best row of compare's CSV (the highest mean IoU; ties: the first, as compare marks it): its method, layer
 * (as compare names it, "layer3.1,layer4.1") and threshold. */
static gboolean
read_best_choice (const char *csv_path, char **method, char **layer, char **threshold, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;
  if (!g_file_get_contents (csv_path, &text, &length, error))
    return FALSE;
  CxrCsvReader *reader = cxr_csv_reader_new (csv_path, text, length);
  CxrCsvRecord record;
  double best = -1.0;
  gboolean header = TRUE;
  while (cxr_csv_reader_next (reader, &record, error))
    {
      /* method,layer,images,mean_iou,threshold,... */
      if (header || record.n_fields < 5 || record.fields[3].length == 0)
        {
          header = FALSE;
          continue;
        }
      g_autofree char *iou_text = g_strndup (record.fields[3].text, record.fields[3].length);
      double iou = g_ascii_strtod (iou_text, NULL);
      if (iou > best)
        {
          best = iou;
          g_free (*method);
          g_free (*layer);
          g_free (*threshold);
          *method = g_strndup (record.fields[0].text, record.fields[0].length);
          *layer = g_strndup (record.fields[1].text, record.fields[1].length);
          *threshold = g_strndup (record.fields[4].text, record.fields[4].length);
        }
    }
  cxr_csv_reader_free (reader);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (best < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s has no scored row", csv_path);
      return FALSE;
    }
  return TRUE;
}

/* compare names a layer by its blocks ("layer3.1,layer4.1"); the window offers stages ("layer3+layer4"): the entry
 * of DEMO_LAYERS that is the same blocks of the demo's ResNet-18, or NULL. */
static char *
window_layer (const char *blocks)
{
  CxrResnetArch arch;
  if (!cxr_resnet_arch_from_name ("resnet18", 3, 2, &arch, NULL))
    return NULL;
  g_auto (GStrv) candidates = g_strsplit (DEMO_LAYERS, ",", -1);
  for (gsize i = 0; candidates[i] != NULL; i++)
    {
      g_autofree char *names = g_strdelimit (g_strdup (candidates[i]), "+", ',');
      g_autofree char *resolved = NULL;
      int indices[CXR_CAM_MAX_LAYERS], n_indices;
      if (cxr_cam_resolve_layers (&arch, names, indices, &n_indices, &resolved, NULL) && g_str_equal (resolved, blocks))
        return g_strdup (candidates[i]);
    }
  return NULL;
}

int
cli_demo (int argc, char **argv)
{
  int n_images = 200, epochs = 10, seed = 0;
  gboolean no_window = FALSE;
  g_auto (GStrv) folders = NULL;
  const GOptionEntry entries[] = {
    { "images", 'n', 0, G_OPTION_ARG_INT, &n_images, "Number of phantoms (default 200)", "N" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, "Training epochs (default 10)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed,
      "Seed of the training; the phantoms take N + 1, the tuning phantoms N + 2 (default 0)", "N" },
    { "no-window", 0, 0, G_OPTION_ARG_NONE, &no_window, "Do not open the review window at the end", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &folders, NULL, "FOLDER" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FOLDER — run cxrcam end to end on synthetic radiographs");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Writes FOLDER/data (the phantoms, NIH layout), trains FOLDER/model/best.pth, chooses the CAM\n"
    "method, layer and threshold on FOLDER/tune (other phantoms; the table in FOLDER/compare.csv), and\n"
    "writes the CAM pictures, bb_results.csv and the localisation summary to FOLDER/output; then opens\n"
    "the review window on them when there is a display, or prints the command that does.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "demo", &status))
    return status;
  if (folders == NULL || folders[1] != NULL || n_images < 20 || epochs < 1 || seed < 0 || seed > G_MAXINT - 2)
    {
      cli_error ("demo", "needs exactly one FOLDER, at least 20 images, 1 epoch and a seed from 0 (try --help)");
      return 2;
    }

  g_autofree char *data = g_build_filename (folders[0], "data", NULL);
  g_autofree char *tune = g_build_filename (folders[0], "tune", NULL);
  g_autofree char *compare_csv = g_build_filename (folders[0], "compare.csv", NULL);
  g_autofree char *model_dir = g_build_filename (folders[0], "model", NULL);
  g_autofree char *best = g_build_filename (model_dir, "best.pth", NULL);
  g_autofree char *output = g_build_filename (folders[0], "output", NULL);
  g_autofree char *images = g_strdup_printf ("%d", n_images);
  g_autofree char *epochs_text = g_strdup_printf ("%d", epochs);
  g_autofree char *tune_images = g_strdup_printf ("%d", MAX (20, n_images / 5));
  /* Seed 0 is the demo as it always ran: phantoms of seed 1, tuning phantoms of seed 2, training seed 0. */
  g_autofree char *seed_text = g_strdup_printf ("%d", seed);
  g_autofree char *data_seed = g_strdup_printf ("%d", seed + 1);
  g_autofree char *tune_seed = g_strdup_printf ("%d", seed + 2);

  g_autofree char *labels = g_build_filename (data, "Data_Entry_2017.csv", NULL);
  if (g_file_test (labels, G_FILE_TEST_EXISTS))
    fprintf (stderr, "using the phantoms already in %s\n", data);
  else if ((status = run_step (cli_make_demo, (const char *[]) {
                                "make-demo", "--images", images, "--seed", data_seed, data, NULL })) != 0)
    return status;
  g_autofree char *tune_labels = g_build_filename (tune, "Data_Entry_2017.csv", NULL);
  if (!g_file_test (tune_labels, G_FILE_TEST_EXISTS)
      && (status = run_step (cli_make_demo, (const char *[]) {
            "make-demo", "--images", tune_images, "--seed", tune_seed, tune, NULL })) != 0)
    return status;

  /* A second demo in the same folder goes on from the first one's run (nothing to do when it had finished). */
  g_autofree char *train_state = g_build_filename (model_dir, "train-state.json", NULL);
  if (g_file_test (train_state, G_FILE_TEST_EXISTS))
    status = run_step (cli_train, (const char *[]) {
      "train", "--resume", "--out", model_dir, "--epochs", epochs_text, "--quiet", NULL });
  else
    status = run_step (cli_train, (const char *[]) {
      "train", "--data", data, "--arch", "resnet18", "--epochs", epochs_text, "--batch", "16", "--lr", "0.01",
      "--seed", seed_text, "--out", model_dir, "--quiet", NULL });
  if (status != 0)
    return status;

  /* compare exits 1 when an image could not be read; the table is whole all the same. */
  status = run_step (cli_compare, (const char *[]) {
    "compare", "--model", best, "--dataset", tune, "--methods", DEMO_METHODS, "--layers", DEMO_LAYERS,
    "--no-faithfulness", "--csv", compare_csv, "--quiet", NULL });
  g_autoptr (GError) error = NULL;
  g_autofree char *method = NULL, *layer = NULL, *threshold = NULL;
  if (status > 1 || !read_best_choice (compare_csv, &method, &layer, &threshold, &error))
    {
      cli_error ("demo", "%s", error ? error->message : "compare failed");
      return status > 1 ? status : 1;
    }

  status = run_step (cli_cam, (const char *[]) {
    "cam", "--model", best, "--dataset", data, "--method", method, "--layer", layer, "--threshold", threshold,
    "--out", output, NULL });
  if (status != 0)
    return status;

  fprintf (stderr, "\nThe pictures (original_, gtimage_, mask_, pred_<name>.png) and bb_results.csv are in %s.\n",
           output);
  /* The window opens on the comparison's winner, as the Methods page's Use button would set it. */
  g_autofree char *log = g_build_filename (folders[0], "window.log", NULL);
  g_autofree char *shown_layer = window_layer (layer);
  const CliWindowCam cam = { .method = method, .layer = shown_layer, .threshold = threshold };
  cli_window_open (data, best, &cam, log, !no_window);
  return 0;
}
