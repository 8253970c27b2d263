/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-cam-session.h: what the CAM subcommands (`cam`, `sweep`) share: their common options, loading the model on
 * an engine, resolving the method, layer and class against it, finding the images and their boxes, and running
 * the batch Grad-CAM job over them. */
#pragma once

#include "cli-cam-input.h"
#include "cxr-engine-cam.h"

G_BEGIN_DECLS

/* The options every CAM subcommand takes, as parsed (owned strings). */
typedef struct {
  char *model_path, *card_path, *method, *layer, *class_name, *box_mode, *bbox, *dataset;
  gboolean aug_smooth, eigen_smooth;
  GStrv images;
} CliCamArgs;

void     cli_cam_args_clear       (CliCamArgs *args);
/* Adds --model, --card, --method, --layer, --aug-smooth, --eigen-smooth, --class, --box-mode, --bbox, --dataset
 * and IMAGE… to the context's main group; @dataset_help says what --dataset selects for this subcommand. */
void     cli_cam_args_add_entries (CliCamArgs *args, GOptionContext *context, const char *dataset_help);
/* The same without --method and --layer, for a subcommand that takes several of each. */
void     cli_cam_args_add_shared_entries (CliCamArgs *args, GOptionContext *context, const char *dataset_help);
/* --method, --aug-smooth, --eigen-smooth and --box-mode into @options and @box_mode (G_OPTION_ERROR on an unknown
 * name). */
gboolean cli_cam_args_parse_names (const CliCamArgs *args, CxrCamOptions *options, CxrBoxMode *box_mode,
                                   GError **error);

/* A model loaded for a CAM subcommand and the images it works on. */
typedef struct {
  CxrEngine *engine;
  CxrModel *model;
  CxrCamOptions options;   /* method, layer (borrowed from the args) and class */
  CxrBoxMode box_mode;
  const char *label;       /* the explained class's name in the card, "Cardiomegaly" */
  CliCamInput input;
} CliCamSession;

/* Parses the names, loads the model, resolves --class against its card (G_OPTION_ERROR when it has no such
 * class) and finds the images: the dataset's images with a box of the class, or every image with
 * @all_images. */
gboolean cli_cam_session_open  (CliCamSession *session, const CliCamArgs *args, gboolean all_images,
                                GError **error);
void     cli_cam_session_clear (CliCamSession *session);

/* Explains every image of the session on the engine thread; @progress gets each result on this thread, in
 * order. TRUE when every image was processed (@n_failed, may be NULL, gets how many carry their own error). */
gboolean cli_cam_session_run   (CliCamSession *session, CxrCamProgress progress, gpointer progress_data,
                                guint *n_failed, GError **error);

/* The exit status for an error: 2 for a usage error (G_OPTION_ERROR), else 1. */
int      cli_cam_exit_status   (const GError *error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliCamArgs, cli_cam_args_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliCamSession, cli_cam_session_clear)

G_END_DECLS
