/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli compare: every method at every layer on a dataset, scored against its boxes (cxr-cam-compare.h), as a
 * table; the best row is the method, layer and threshold to use. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cli-cam-session.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-atomic-file.h"
#include "cxr-csv.h"
#include "cxr-engine-compare.h"
#include "cxr-format.h"

#define DEFAULT_METHODS "gradcam,gradcam++,hirescam,gradcam-elementwise,xgradcam,layercam,eigencam,eigengradcam," \
                        "scorecam,ablationcam"

typedef struct {
  CliCamArgs common;
  char *methods, *layers, *csv_path;
  gboolean no_faithfulness, quiet;
} CompareArgs;

static void
compare_args_clear (CompareArgs *a)
{
  cli_cam_args_clear (&a->common);
  g_free (a->methods);
  g_free (a->layers);
  g_free (a->csv_path);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CompareArgs, compare_args_clear)

typedef struct {
  CliCamSession *session;
  GPtrArray *truths;
  CxrCamCompareOptions options;
  gboolean quiet, terminal;
  int last_percent;
  guint last_done;
} CompareJob;

/* On a terminal one line that counts up; in a log a line per image. */
static void
on_progress (double fraction, guint done, guint total, gpointer user_data)
{
  CompareJob *job = user_data;
  int percent = (int) (fraction * 100);
  if (job->quiet)
    return;
  if (job->terminal && percent != job->last_percent)
    {
      fprintf (stderr, "\r[%u/%u images] %3d %%%s", done, total, percent, done == total ? "\n" : "");
      fflush (stderr);
    }
  else if (!job->terminal && done != job->last_done)
    fprintf (stderr, "[%u/%u images]\n", done, total);
  job->last_percent = percent;
  job->last_done = done;
}

static void
start_compare (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  CompareJob *job = data;
  cxr_engine_compare_async (job->session->engine, (const char *const *) job->session->input.paths, job->truths,
                            &job->options, on_progress, job, NULL, NULL, callback, user_data);
}

/* A number in a fixed-width column, or "-" where there is none. */
static void
print_number (GString *out, double value, int width, int decimals)
{
  if (isnan (value))
    g_string_append_printf (out, " %*s", width, "-");
  else
    {
      char text[CXR_FORMAT_BUF];
      g_string_append_printf (out, " %*s", width, cxr_format_fixed (text, value, decimals));
    }
}

static void
append_csv_number (GString *out, double value)
{
  g_string_append_c (out, ',');
  if (!isnan (value))
    cxr_format_append_double (out, value);
}

static void
print_table (const CxrCamComparison *comparison, gboolean faithfulness, GString *csv)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_string_append_printf (out, "%-20s %-18s %8s %9s %7s %7s %7s %8s", "method", "layer", "mean IoU", "threshold",
                          "IoU>0.1", "IoU>0.3", "IoU>0.5", "pointing");
  if (faithfulness)
    g_string_append_printf (out, " %7s %7s %8s %8s %8s", "drop", "incr.", "MoRF", "LeRF", "ROAD");
  g_string_append_printf (out, " %8s\n", "s/image");
  g_string_append (csv, "method,layer,images,mean_iou,threshold,iou>0.1,iou>0.3,iou>0.5,pointing,drop,increase,"
                        "road_morf,road_lerf,road,seconds_per_image\n");
  int best = cxr_cam_comparison_get_best (comparison);
  for (guint i = 0; i < cxr_cam_comparison_get_n_rows (comparison); i++)
    {
      const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, i);
      const char *layer = row->canonical_layer ? row->canonical_layer : row->layer;
      g_string_append_printf (out, "%-20s %-18s", cxr_cam_method_get_name (row->method), layer);
      print_number (out, cxr_cam_compare_row_best_mean_iou (row), 8, 4);
      print_number (out, cxr_cam_compare_row_best_threshold (row), 9, 2);
      for (guint k = 0; k < CXR_COMPARE_N_ACCURACIES; k++)
        print_number (out, cxr_cam_compare_row_accuracy (row, k), 7, 3);
      print_number (out, cxr_cam_compare_row_pointing (row), 8, 3);
      if (faithfulness)
        {
          print_number (out, cxr_cam_compare_row_drop (row), 7, 3);
          print_number (out, cxr_cam_compare_row_increase (row), 7, 3);
          print_number (out, cxr_cam_compare_row_morf (row), 8, 4);
          print_number (out, cxr_cam_compare_row_lerf (row), 8, 4);
          print_number (out, cxr_cam_compare_row_road (row), 8, 4);
        }
      print_number (out, cxr_cam_compare_row_seconds_per_image (row), 8, 3);
      g_string_append (out, (int) i == best ? "  <- best\n" : "\n");

      cxr_csv_append_field (csv, cxr_cam_method_get_name (row->method));
      g_string_append_c (csv, ',');
      cxr_csv_append_field (csv, layer);
      g_string_append_printf (csv, ",%u", row->n_images);
      append_csv_number (csv, cxr_cam_compare_row_best_mean_iou (row));
      /* The thresholds are floats: their shortest form, 0.2 rather than 0.200000003. */
      g_string_append_c (csv, ',');
      if (!isnan (cxr_cam_compare_row_best_threshold (row)))
        cxr_format_append_float (csv, (float) cxr_cam_compare_row_best_threshold (row));
      for (guint k = 0; k < CXR_COMPARE_N_ACCURACIES; k++)
        append_csv_number (csv, cxr_cam_compare_row_accuracy (row, k));
      append_csv_number (csv, cxr_cam_compare_row_pointing (row));
      append_csv_number (csv, cxr_cam_compare_row_drop (row));
      append_csv_number (csv, cxr_cam_compare_row_increase (row));
      append_csv_number (csv, cxr_cam_compare_row_morf (row));
      append_csv_number (csv, cxr_cam_compare_row_lerf (row));
      append_csv_number (csv, cxr_cam_compare_row_road (row));
      append_csv_number (csv, cxr_cam_compare_row_seconds_per_image (row));
      g_string_append_c (csv, '\n');
    }
  fputs (out->str, stdout);
  if (best >= 0)
    {
      const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, best);
      char iou[CXR_FORMAT_BUF], threshold[CXR_FORMAT_BUF];
      printf ("best: %s at %s, threshold %s (mean IoU %s over %u images with %s boxes)\n",
              cxr_cam_method_get_name (row->method), row->canonical_layer,
              cxr_format_fixed (threshold, cxr_cam_compare_row_best_threshold (row), 2),
              cxr_format_fixed (iou, cxr_cam_compare_row_best_mean_iou (row), 4),
              row->sweep.at[0].n_scored, cxr_cam_comparison_get_label (comparison));
    }
  else
    printf ("no image had a %s box: nothing to score\n", cxr_cam_comparison_get_label (comparison));
}

/* "layer3,layer4,layer3+layer4" -> "layer3", "layer4", "layer3,layer4" (a + fuses). */
static GStrv
parse_layers (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GStrvBuilder) layers = g_strv_builder_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto (GStrv) fused = g_strsplit (g_strstrip (parts[i]), "+", -1);
      g_autofree char *joined = g_strjoinv (",", fused);
      if (*joined != '\0')
        g_strv_builder_add (layers, joined);
    }
  return g_strv_builder_end (layers);
}

static gboolean
parse_methods (const char *text, GArray *methods, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      CxrCamMethod method;
      g_autoptr (GError) local = NULL;
      if (!cxr_cam_method_from_name (g_strstrip (parts[i]), &method, &local))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, local->message);
          return FALSE;
        }
      g_array_append_val (methods, method);
    }
  return methods->len > 0;
}

int
cli_compare (int argc, char **argv)
{
  g_auto (CompareArgs) a = { { NULL } };
  const GOptionEntry entries[] = {
    { "methods", 0, 0, G_OPTION_ARG_STRING, &a.methods, "Methods to compare, comma-separated (default: all ten)", "LIST" },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &a.layers, "Layers to compare, comma-separated; + fuses (default: layer3,layer4,layer3+layer4)", "LIST" },
    { "no-faithfulness", 0, 0, G_OPTION_ARG_NONE, &a.no_faithfulness, "Leave out the confidence change and ROAD (20 forwards and 18 solves per map)", NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &a.csv_path, "Also write the table as CSV", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "No progress on stderr", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("IMAGE… — which CAM method, layer and threshold localise best");
  cli_cam_args_add_shared_entries (&a.common, context, "A dataset folder: its images with a box of the class");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Explains every image with each method at each layer and prints one row per pair: the mean IoU at the\n"
    "best threshold (0.05 … 0.95) and that threshold, Wang et al.'s accuracy at IoU > 0.1, 0.3 and 0.5 there,\n"
    "the pointing game (the CAM's maximum inside a box), the confidence drop and increase when the input is\n"
    "multiplied by the CAM, ROAD's most- and least-relevant-first curves (means over percentiles 10 … 90) and\n"
    "their combination (LeRF - MoRF) / 2, and the seconds per image the map took. The best row (highest mean\n"
    "IoU) is marked; use its method, layer and threshold with `cam`. docs/grad-cam.md defines every figure.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "compare", &status))
    return status;
  if (a.common.model_path == NULL || (a.common.images == NULL && a.common.dataset == NULL))
    {
      cli_error ("compare", "needs --model FILE and IMAGE… or --dataset DIR (try --help)");
      return 2;
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) methods = g_array_new (FALSE, FALSE, sizeof (CxrCamMethod));
  if (!parse_methods (a.methods ? a.methods : DEFAULT_METHODS, methods, &error))
    {
      cli_error ("compare", "%s", error ? error->message : "--methods names no method");
      return 2;
    }
  g_auto (GStrv) layers = parse_layers (a.layers ? a.layers : "layer3,layer4,layer3+layer4");
  if (layers[0] == NULL)
    {
      cli_error ("compare", "--layers names no layer");
      return 2;
    }

  g_auto (CliCamSession) session = { NULL };
  if (!cli_cam_session_open (&session, &a.common, FALSE, &error))
    {
      cli_error ("compare", "%s", error->message);
      return cli_cam_exit_status (error);
    }
  g_autoptr (GPtrArray) truths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; session.input.paths[i] != NULL; i++)
    g_ptr_array_add (truths, cli_cam_input_truth (&session.input, session.input.paths[i], session.label));

  CompareJob job = { &session, truths, { 0 }, a.quiet, isatty (fileno (stderr)), -1, 0 };
  cxr_cam_compare_options_init (&job.options);
  job.options.methods = (const CxrCamMethod *) methods->data;
  job.options.n_methods = methods->len;
  job.options.layers = (const char *const *) layers;
  job.options.target_class = session.options.target_class;
  job.options.aug_smooth = session.options.aug_smooth;
  job.options.eigen_smooth = session.options.eigen_smooth;
  job.options.box_mode = session.box_mode;
  job.options.faithfulness = !a.no_faithfulness;

  g_autoptr (GAsyncResult) done = cli_wait_for (session.engine, start_compare, &job);
  g_autoptr (CxrCamComparison) comparison = cxr_engine_compare_finish (session.engine, done, &error);
  if (comparison == NULL)
    {
      cli_error ("compare", "%s", error->message);
      return 1;
    }
  printf ("%u images explained, %u failed; %s of %s\n", cxr_cam_comparison_get_n_images (comparison),
          cxr_cam_comparison_get_n_failed (comparison), session.label,
          cxr_model_get_path (session.model));
  g_autoptr (GString) csv = g_string_new (NULL);
  print_table (comparison, job.options.faithfulness, csv);
  if (a.csv_path != NULL && !cxr_atomic_file_set_contents (a.csv_path, csv->str, csv->len, &error))
    {
      cli_error ("compare", "%s", error->message);
      return 1;
    }
  return cxr_cam_comparison_get_n_failed (comparison) ? 1 : 0;
}
