/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-cam-session.c: the options, model and images the CAM subcommands share. */
#include "cli-cam-session.h"

#include <string.h>

#include "cli-util.h"

void
cli_cam_args_clear (CliCamArgs *args)
{
  g_clear_pointer (&args->model_path, g_free);
  g_clear_pointer (&args->card_path, g_free);
  g_clear_pointer (&args->method, g_free);
  g_clear_pointer (&args->layer, g_free);
  g_clear_pointer (&args->class_name, g_free);
  g_clear_pointer (&args->box_mode, g_free);
  g_clear_pointer (&args->bbox, g_free);
  g_clear_pointer (&args->dataset, g_free);
  g_clear_pointer (&args->images, g_strfreev);
}

static void
add_entries (CliCamArgs *args, GOptionContext *context, const char *dataset_help, gboolean method_and_layer)
{
  const GOptionEntry choice[] = {
    { "method", 0, 0, G_OPTION_ARG_STRING, &args->method, "gradcam (default), gradcam++, hirescam, gradcam-elementwise, xgradcam, layercam, eigencam, eigengradcam, scorecam or ablationcam", "METHOD" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &args->layer, "Residual block: layer4 (default: the card's), layer3, layer4.1…; several joined by commas are fused (layer3,layer4)", "NAME" },
    { NULL },
  };
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &args->model_path, "Weights (.pth, .pt or .safetensors)", "FILE" },
    { "card", 'c', 0, G_OPTION_ARG_FILENAME, &args->card_path, "Model card (default: beside the weights)", "FILE" },
    { "aug-smooth", 0, 0, G_OPTION_ARG_NONE, &args->aug_smooth, "Average the map over the mirrored input and the input times 0.9, 1 and 1.1", NULL },
    { "eigen-smooth", 0, 0, G_OPTION_ARG_NONE, &args->eigen_smooth, "Take the first principal component of the weighted activations instead of their sum", NULL },
    { "class", 0, 0, G_OPTION_ARG_STRING, &args->class_name, "Class to explain, name or index (default: the card's positive class)", "CLASS" },
    { "box-mode", 0, 0, G_OPTION_ARG_STRING, &args->box_mode, "largest (default), all or union", "MODE" },
    { "bbox", 0, 0, G_OPTION_ARG_FILENAME, &args->bbox, "Ground-truth boxes (BB.csv / BBox_List_2017.csv)", "FILE" },
    { "dataset", 'd', 0, G_OPTION_ARG_FILENAME, &args->dataset, dataset_help, "DIR" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args->images, NULL, "IMAGE…" },
    { NULL },
  };
  g_option_context_add_main_entries (context, entries, NULL);
  if (method_and_layer)
    g_option_context_add_main_entries (context, choice, NULL);
}

void
cli_cam_args_add_entries (CliCamArgs *args, GOptionContext *context, const char *dataset_help)
{
  add_entries (args, context, dataset_help, TRUE);
}

void
cli_cam_args_add_shared_entries (CliCamArgs *args, GOptionContext *context, const char *dataset_help)
{
  add_entries (args, context, dataset_help, FALSE);
}

gboolean
cli_cam_args_parse_names (const CliCamArgs *args, CxrCamOptions *options, CxrBoxMode *box_mode, GError **error)
{
  g_autoptr (GError) local = NULL;
  options->aug_smooth = args->aug_smooth;
  options->eigen_smooth = args->eigen_smooth;
  if ((args->method && !cxr_cam_method_from_name (args->method, &options->method, &local))
      || (args->box_mode && !cxr_box_mode_from_name (args->box_mode, box_mode, &local)))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
start_load (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  const CliCamArgs *args = ((gpointer *) data)[0];
  CliCamSession *session = ((gpointer *) data)[1];
  cxr_engine_load_model_async (session->engine, args->model_path, args->card_path, NULL, callback, user_data);
}

gboolean
cli_cam_session_open (CliCamSession *session, const CliCamArgs *args, gboolean all_images, GError **error)
{
  memset (session, 0, sizeof *session);
  cxr_cam_options_init_default (&session->options);
  session->box_mode = CXR_BOX_MODE_LARGEST;
  if (!cli_cam_args_parse_names (args, &session->options, &session->box_mode, error))
    return FALSE;

  session->engine = cxr_engine_new ();
  gpointer start_data[] = { (gpointer) args, session };
  g_autoptr (GAsyncResult) loaded = cli_wait_for (session->engine, start_load, start_data);
  session->model = cxr_engine_load_model_finish (session->engine, loaded, error);
  if (session->model == NULL)
    return FALSE;
  const CxrModelCard *card = cxr_model_get_card (session->model);
  if (!cli_cam_resolve_class (card, args->class_name, &session->options.target_class))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "the model has no class '%s'", args->class_name);
      return FALSE;
    }
  session->options.layer = args->layer;
  session->label = card->class_names[session->options.target_class];
  return cli_cam_input_init (&session->input, args->images, args->dataset, args->bbox, session->label, all_images,
                             error);
}

void
cli_cam_session_clear (CliCamSession *session)
{
  cli_cam_input_clear (&session->input);
  g_clear_pointer (&session->model, cxr_model_unref);
  g_clear_object (&session->engine);
}

typedef struct {
  CliCamSession *session;
  CxrCamProgress progress;
  gpointer progress_data;
} RunRequest;

static void
start_cams (gpointer data, GAsyncReadyCallback callback, gpointer user_data)
{
  RunRequest *request = data;
  CliCamSession *session = request->session;
  cxr_engine_cam_batch_async (session->engine, (const char *const *) session->input.paths, &session->options,
                              request->progress, request->progress_data, NULL, NULL, callback, user_data);
}

gboolean
cli_cam_session_run (CliCamSession *session, CxrCamProgress progress, gpointer progress_data, guint *n_failed,
                     GError **error)
{
  RunRequest request = { session, progress, progress_data };
  g_autoptr (GAsyncResult) done = cli_wait_for (session->engine, start_cams, &request);
  return cxr_engine_cam_batch_finish (session->engine, done, n_failed, error);
}

int
cli_cam_exit_status (const GError *error)
{
  return error != NULL && error->domain == G_OPTION_ERROR ? 2 : 1;
}
