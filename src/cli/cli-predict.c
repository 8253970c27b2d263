/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli predict: class probabilities (or logits) for images, as CSV on stdout. */
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-csv.h"
#include "cxr-engine.h"
#include "cxr-format.h"

typedef struct {
  CxrEngine *engine;
  const char *model_path;
  const char *card_path;
  const char *const *images;
} PredictJob;

static void
start_load (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  PredictJob *job = data;
  cxr_engine_load_model_async (job->engine, job->model_path, job->card_path, NULL, callback, user_data);
}

static void
start_predict (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  PredictJob *job = data;
  cxr_engine_predict_async (job->engine, job->images, NULL, NULL, NULL, NULL, callback, user_data);
}

static void
print_header (const CxrModelCard *card)
{
  g_autoptr (GString) header = g_string_new ("image");
  for (guint c = 0; c < card->n_classes; c++)
    {
      g_string_append_c (header, ',');
      cxr_csv_append_field (header, card->class_names[c]);
    }
  puts (header->str);
}

static void
print_row (const CxrPrediction *prediction, gboolean logits)
{
  const float *values = logits ? prediction->logits : prediction->probabilities;
  g_autoptr (GString) row = g_string_new (NULL);
  cxr_csv_append_field (row, prediction->path);
  /* The shortest text that reads back as the float we computed, with a point under any locale. */
  for (guint c = 0; c < prediction->n_classes; c++)
    {
      g_string_append_c (row, ',');
      cxr_format_append_float (row, values[c]);
    }
  puts (row->str);
}

int
cli_predict (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *card_path = NULL;
  gboolean logits = FALSE;
  g_auto (GStrv) images = NULL;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Weights (.pth, .pt or .safetensors)", "FILE" },
    { "card", 'c', 0, G_OPTION_ARG_FILENAME, &card_path, "Model card (default: beside the weights)", "FILE" },
    { "logits", 0, 0, G_OPTION_ARG_NONE, &logits, "Print raw logits instead of probabilities", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &images, NULL, "IMAGE…" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("IMAGE… — print class probabilities as CSV");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Prints a CSV header 'image,<class names>' and one row per image. An image that cannot be read\n"
    "gets a one-line error on stderr; the others are still processed and the exit status is 1.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "predict", &status))
    return status;
  if (model_path == NULL || images == NULL)
    {
      cli_error ("predict", "needs --model FILE and at least one IMAGE (try --help)");
      return 2;
    }

  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  PredictJob job = { engine, model_path, card_path, (const char *const *) images };
  g_autoptr (GError) error = NULL;

  g_autoptr (GAsyncResult) loaded = cli_wait_for (engine, start_load, &job);
  g_autoptr (CxrModel) model = cxr_engine_load_model_finish (engine, loaded, &error);
  if (model == NULL)
    {
      cli_error ("predict", "%s", error->message);
      return 1;
    }

  g_autoptr (GAsyncResult) predicted = cli_wait_for (engine, start_predict, &job);
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (engine, predicted, &error);
  if (predictions == NULL)
    {
      cli_error ("predict", "%s", error->message);
      return 1;
    }

  print_header (cxr_model_get_card (model));
  int exit_status = 0;
  for (guint i = 0; i < predictions->len; i++)
    {
      const CxrPrediction *p = g_ptr_array_index (predictions, i);
      if (p->error != NULL)
        {
          cli_error ("predict", "%s", p->error->message);
          exit_status = 1;
          continue;
        }
      print_row (p, logits);
    }
  return exit_status;
}
