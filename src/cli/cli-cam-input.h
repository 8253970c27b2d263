/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-cam-input.h: what `cam` and `sweep` work on: the images and their ground-truth boxes. */
#pragma once

#include <glib.h>

#include "cxr-cam-boxes.h"
#include "cxr-dataset.h"
#include "cxr-model-card.h"

typedef struct {
  GStrv paths;             /* the images, in order */
  CxrDataset *dataset;     /* with --dataset */
  CxrBBoxStore *store;     /* BB.csv: --bbox, else the dataset's; NULL without either */
  CxrBBoxStore *own_store; /* the --bbox store, owned */
} CliCamInput;

/* Images are @images, or with @dataset_dir the dataset's images that have a box of @label (every image
 * found with @all_images). Boxes come from @bbox_path, else from the dataset's box file. */
gboolean cli_cam_input_init  (CliCamInput *input, char **images, const char *dataset_dir, const char *bbox_path,
                              const char *label, gboolean all_images, GError **error);
void     cli_cam_input_clear (CliCamInput *input);

/* The ground-truth boxes of @image (a path or a name; its basename is looked up) for @label, in BB.csv
 * order (CxrRect). NIH's box list says "Infiltrate" where its labels say "Infiltration": they match. */
GArray  *cli_cam_input_truth (CliCamInput *input, const char *image, const char *label);

/* --class NAME or INDEX against the card (NULL: the card's positive class). */
gboolean cli_cam_resolve_class (const CxrModelCard *card, const char *text, int *index);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliCamInput, cli_cam_input_clear)
