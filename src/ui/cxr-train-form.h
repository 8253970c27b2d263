/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-form.h: the training page's settings, as `cxrcam-cli train` takes them.
 *
 * Every field says what it does; all but the two folders are GSettings (train-*), so that the next run
 * starts from the last one's settings. The dataset is the window's unless another is chosen; the output
 * folder is new for each run, under the dataset (cxrcam-runs/) when that is writable, else under the
 * XDG data folder, unless one is chosen. "changed" after any field changes.
 */
#pragma once

#include <gtk/gtk.h>

#include "cxr-trainer.h"

G_BEGIN_DECLS

#define CXR_TYPE_TRAIN_FORM (cxr_train_form_get_type ())
G_DECLARE_FINAL_TYPE (CxrTrainForm, cxr_train_form, CXR, TRAIN_FORM, GtkWidget)

GtkWidget  *cxr_train_form_new              (void);

/* The window's dataset folder (NULL: none); kept unless the user chose another here. */
void        cxr_train_form_set_window_dataset (CxrTrainForm *self, const char *folder);
/* The window's model (NULL: none), which "Start from: the window's model" fine-tunes. */
void        cxr_train_form_set_window_model (CxrTrainForm *self, const char *path);
void        cxr_train_form_set_dataset      (CxrTrainForm *self, const char *folder);
const char *cxr_train_form_get_dataset      (CxrTrainForm *self);
void        cxr_train_form_set_output       (CxrTrainForm *self, const char *folder);
/* The folder the next run writes to. */
char       *cxr_train_form_dup_output       (CxrTrainForm *self);
/* A run started: the next one gets a new folder. */
void        cxr_train_form_next_run         (CxrTrainForm *self);

/* The settings as a configuration (initialise nothing first; clear it after). FALSE with a message
 * for the user when something is missing or out of range. */
gboolean    cxr_train_form_get_config       (CxrTrainForm *self, CxrTrainConfig *config, GError **error);
/* Every setting back to its default. */
void        cxr_train_form_reset            (CxrTrainForm *self);

G_END_DECLS
