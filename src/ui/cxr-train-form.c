/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-form.c: the training settings (see cxr-train-form.h). */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cxr-combo-row.h"
#include "cxr-error.h"
#include "cxr-train-form.h"

/* What each drop-down's rows stand for, in the settings' words. */
static const char *const start_names[] = { "model", "resnet18", "resnet34", "resnet50", NULL };
static const char *const freeze_names[] = { "none", "layer4", "head", NULL };
static const char *const optimizer_names[] = { "sgd", "adam", "adamw", NULL };
static const char *const schedule_names[] = { "constant", "step", "cosine", NULL };
static const char *const subset_names[] = { "all", "balanced", NULL };
static const int task_outputs[] = { 1, 2, 14 };

struct _CxrTrainForm {
  GtkWidget parent_instance;

  /* template widgets */
  AdwActionRow *dataset_row;
  AdwComboRow *subset_row;
  GtkSpinButton *val_fraction_spin;
  GtkSpinButton *seed_spin;
  AdwComboRow *start_row;
  AdwComboRow *task_row;
  GtkSpinButton *size_spin;
  AdwComboRow *freeze_row;
  GtkSpinButton *epochs_spin;
  GtkSpinButton *batch_spin;
  GtkSpinButton *lr_spin;
  AdwComboRow *optimizer_row;
  GtkSpinButton *weight_decay_spin;
  AdwComboRow *schedule_row;
  GtkSpinButton *warmup_spin;
  GtkSwitch *augment_switch;
  GtkSwitch *balanced_switch;
  AdwActionRow *out_row;

  /* owned */
  GSettings *settings;
  char *window_dataset;
  char *window_model;
  char *dataset;        /* chosen here, or NULL: the window's */
  char *output;         /* chosen here, or NULL: a new folder per run */
  char *run_stamp;      /* the new folder's name */
};

G_DEFINE_FINAL_TYPE (CxrTrainForm, cxr_train_form, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- settings <-> drop-downs ----------------------------------------------- */

static gboolean
nick_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *const *names = user_data;
  const char *nick = g_variant_get_string (variant, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char *const *names = user_data;
  guint index = g_value_get_uint (value);
  if (index >= g_strv_length ((char **) names))
    return NULL;
  return g_variant_new_string (names[index]);
}

static gboolean
outputs_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  int outputs = g_variant_get_int32 (variant);
  for (guint i = 0; i < G_N_ELEMENTS (task_outputs); i++)
    if (task_outputs[i] == outputs)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_outputs (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint index = g_value_get_uint (value);
  return index < G_N_ELEMENTS (task_outputs) ? g_variant_new_int32 (task_outputs[index]) : NULL;
}

static void
bind_combo (CxrTrainForm *self, const char *key, AdwComboRow *row, const char *const *names)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT, nick_to_index,
                                index_to_nick, (gpointer) names, NULL);
  cxr_combo_row_show_whole_value (row);
}

static void
bind_spin (CxrTrainForm *self, const char *key, GtkSpinButton *spin)
{
  g_settings_bind (self->settings, key, gtk_spin_button_get_adjustment (spin), "value", G_SETTINGS_BIND_DEFAULT);
}

static void
bind_settings (CxrTrainForm *self)
{
  bind_combo (self, "train-start", self->start_row, start_names);
  g_settings_bind_with_mapping (self->settings, "train-outputs", self->task_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                outputs_to_index, index_to_outputs, NULL, NULL);
  cxr_combo_row_show_whole_value (self->task_row);
  bind_combo (self, "train-freeze", self->freeze_row, freeze_names);
  bind_combo (self, "train-optimizer", self->optimizer_row, optimizer_names);
  bind_combo (self, "train-schedule", self->schedule_row, schedule_names);
  bind_combo (self, "train-subset", self->subset_row, subset_names);
  bind_spin (self, "train-input-size", self->size_spin);
  bind_spin (self, "train-epochs", self->epochs_spin);
  bind_spin (self, "train-batch", self->batch_spin);
  bind_spin (self, "train-lr", self->lr_spin);
  bind_spin (self, "train-weight-decay", self->weight_decay_spin);
  bind_spin (self, "train-warmup", self->warmup_spin);
  bind_spin (self, "train-val-fraction", self->val_fraction_spin);
  bind_spin (self, "train-seed", self->seed_spin);
  g_settings_bind (self->settings, "train-augment", self->augment_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "train-balanced", self->balanced_switch, "active", G_SETTINGS_BIND_DEFAULT);
}

/* ---- folders ----------------------------------------------------------------- */

static char *
default_output (CxrTrainForm *self)
{
  const char *dataset = cxr_train_form_get_dataset (self);
  if (dataset == NULL)
    return NULL;
  g_autofree char *name = g_strconcat ("run-", self->run_stamp, NULL);
  /* Beside the data when we may write there, as the tutorial keeps output/ in its folder. */
  if (g_access (dataset, W_OK) == 0)
    return g_build_filename (dataset, "cxrcam-runs", name, NULL);
  g_autofree char *base = g_path_get_basename (dataset);
  g_autofree char *folder = g_strconcat (base, "-", name, NULL);
  return g_build_filename (g_get_user_data_dir (), "cxrcam", "runs", folder, NULL);
}

char *
cxr_train_form_dup_output (CxrTrainForm *self)
{
  g_return_val_if_fail (CXR_IS_TRAIN_FORM (self), NULL);
  return self->output ? g_strdup (self->output) : default_output (self);
}

static void
update_folders (CxrTrainForm *self)
{
  const char *dataset = cxr_train_form_get_dataset (self);
  adw_action_row_set_subtitle (self->dataset_row, dataset ? dataset : _("None: open a dataset in the window, or choose one"));
  g_autofree char *output = cxr_train_form_dup_output (self);
  adw_action_row_set_subtitle (self->out_row, output ? output : _("Chosen once there is a dataset"));
}

static void
update_sensitivity (CxrTrainForm *self)
{
  /* A fine-tuned model keeps its head: the task is the model's. */
  gboolean new_network = adw_combo_row_get_selected (self->start_row) != 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->task_row), new_network);
}

static void
on_field_changed (CxrTrainForm *self)
{
  update_sensitivity (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
make_run_stamp (CxrTrainForm *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_free (self->run_stamp);
  self->run_stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
}

void
cxr_train_form_next_run (CxrTrainForm *self)
{
  g_return_if_fail (CXR_IS_TRAIN_FORM (self));

  make_run_stamp (self);
  g_clear_pointer (&self->output, g_free);
  update_folders (self);
}

typedef void (*FolderChosen) (CxrTrainForm *self, const char *folder);

static void
on_folder_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  CxrTrainForm *self = g_object_get_data (G_OBJECT (dialog), "form");
  FolderChosen chosen = user_data;
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;
      if (path != NULL)
        chosen (self, path);
    }
  g_object_unref (dialog);
}

static void
choose_folder (CxrTrainForm *self, const char *title, const char *start, FolderChosen chosen)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"),
                                                               _("_Cancel"));
  if (start != NULL && g_file_test (start, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GFile) folder = g_file_new_for_path (start);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  g_object_set_data_full (G_OBJECT (chooser), "form", g_object_ref (self), g_object_unref);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_response), chosen);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_choose_dataset (CxrTrainForm *self)
{
  choose_folder (self, _("Dataset to Train On"), cxr_train_form_get_dataset (self), cxr_train_form_set_dataset);
}

static void
on_choose_output (CxrTrainForm *self)
{
  g_autofree char *output = cxr_train_form_dup_output (self);
  g_autofree char *parent = output ? g_path_get_dirname (output) : NULL;
  choose_folder (self, _("Output Folder for the Run"), parent, cxr_train_form_set_output);
}

static void
on_reset (CxrTrainForm *self)
{
  cxr_train_form_reset (self);
}

/* ---- public ------------------------------------------------------------------- */

void
cxr_train_form_set_window_dataset (CxrTrainForm *self, const char *folder)
{
  g_return_if_fail (CXR_IS_TRAIN_FORM (self));

  if (g_strcmp0 (folder, self->window_dataset) == 0)
    return;
  g_free (self->window_dataset);
  self->window_dataset = g_strdup (folder);
  update_folders (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
cxr_train_form_set_window_model (CxrTrainForm *self, const char *path)
{
  g_return_if_fail (CXR_IS_TRAIN_FORM (self));

  if (g_strcmp0 (path, self->window_model) == 0)
    return;
  g_free (self->window_model);
  self->window_model = g_strdup (path);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
cxr_train_form_set_dataset (CxrTrainForm *self, const char *folder)
{
  g_return_if_fail (CXR_IS_TRAIN_FORM (self));

  g_free (self->dataset);
  self->dataset = g_strdup (folder);
  update_folders (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
cxr_train_form_get_dataset (CxrTrainForm *self)
{
  g_return_val_if_fail (CXR_IS_TRAIN_FORM (self), NULL);
  return self->dataset ? self->dataset : self->window_dataset;
}

void
cxr_train_form_set_output (CxrTrainForm *self, const char *folder)
{
  g_return_if_fail (CXR_IS_TRAIN_FORM (self));

  g_free (self->output);
  self->output = g_strdup (folder);
  update_folders (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
cxr_train_form_get_config (CxrTrainForm *self, CxrTrainConfig *c, GError **error)
{
  g_return_val_if_fail (CXR_IS_TRAIN_FORM (self), FALSE);

  cxr_train_config_init (c);
  const char *dataset = cxr_train_form_get_dataset (self);
  if (dataset == NULL)
    {
      g_set_error_literal (error, CXR_ERROR, CXR_ERROR_INVALID, _("Choose a dataset to train on."));
      return FALSE;
    }
  c->data_dir = g_strdup (dataset);
  c->out_dir = cxr_train_form_dup_output (self);

  guint start = adw_combo_row_get_selected (self->start_row);
  if (start == 0)
    {
      if (self->window_model == NULL)
        {
          g_set_error_literal (error, CXR_ERROR, CXR_ERROR_INVALID,
                               _("No model is open in the window: open one, or start from a new ResNet."));
          return FALSE;
        }
      c->model_path = g_strdup (self->window_model);
      g_clear_pointer (&c->arch, g_free);
    }
  else
    {
      g_free (c->arch);
      c->arch = g_strdup (start_names[MIN (start, G_N_ELEMENTS (start_names) - 2)]);
      c->n_outputs = task_outputs[MIN (adw_combo_row_get_selected (self->task_row), G_N_ELEMENTS (task_outputs) - 1)];
    }
  c->input_size = gtk_spin_button_get_value_as_int (self->size_spin);
  guint freeze = MIN (adw_combo_row_get_selected (self->freeze_row), G_N_ELEMENTS (freeze_names) - 2);
  cxr_trainable_from_freeze_name (freeze_names[freeze], &c->trainable, NULL);
  c->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  c->batch_size = gtk_spin_button_get_value_as_int (self->batch_spin);
  c->lr = gtk_spin_button_get_value (self->lr_spin);

  CxrOptimizerKind kind = CXR_OPTIMIZER_SGD;
  guint optimizer = MIN (adw_combo_row_get_selected (self->optimizer_row), G_N_ELEMENTS (optimizer_names) - 2);
  cxr_optimizer_kind_from_name (optimizer_names[optimizer], &kind, NULL);
  cxr_optimizer_config_init (&c->optimizer, kind);
  /* As cxrcam-cli train: SGD with momentum 0.9. */
  if (kind == CXR_OPTIMIZER_SGD)
    c->optimizer.momentum = 0.9;
  c->optimizer.weight_decay = gtk_spin_button_get_value (self->weight_decay_spin);
  guint schedule = MIN (adw_combo_row_get_selected (self->schedule_row), G_N_ELEMENTS (schedule_names) - 2);
  cxr_schedule_kind_from_name (schedule_names[schedule], &c->schedule, NULL);
  c->warmup_epochs = gtk_spin_button_get_value (self->warmup_spin);
  c->augment = gtk_switch_get_active (self->augment_switch);
  c->balanced_sampling = gtk_switch_get_active (self->balanced_switch);
  c->subset = adw_combo_row_get_selected (self->subset_row) == 1 ? CXR_TRAIN_SUBSET_BALANCED : CXR_TRAIN_SUBSET_ALL;
  c->val_fraction = gtk_spin_button_get_value (self->val_fraction_spin);
  c->seed = (guint64) gtk_spin_button_get_value_as_int (self->seed_spin);
  return cxr_train_config_validate (c, error);
}

void
cxr_train_form_reset (CxrTrainForm *self)
{
  g_return_if_fail (CXR_IS_TRAIN_FORM (self));

  g_autoptr (GSettingsSchema) schema = NULL;
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  g_auto (GStrv) keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    if (g_str_has_prefix (keys[i], "train-"))
      g_settings_reset (self->settings, keys[i]);
  g_clear_pointer (&self->dataset, g_free);
  g_clear_pointer (&self->output, g_free);
  update_folders (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- type ---------------------------------------------------------------------- */

static void
cxr_train_form_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CXR_TYPE_TRAIN_FORM);
  /* The template's page is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cxr_train_form_parent_class)->dispose (object);
}

static void
cxr_train_form_finalize (GObject *object)
{
  CxrTrainForm *self = CXR_TRAIN_FORM (object);

  g_clear_object (&self->settings);
  g_free (self->window_dataset);
  g_free (self->window_model);
  g_free (self->dataset);
  g_free (self->output);
  g_free (self->run_stamp);

  G_OBJECT_CLASS (cxr_train_form_parent_class)->finalize (object);
}

static void
cxr_train_form_class_init (CxrTrainFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_train_form_dispose;
  object_class->finalize = cxr_train_form_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-train-form.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, subset_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, val_fraction_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, start_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, task_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, size_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, freeze_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, optimizer_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, weight_decay_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, schedule_row);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, augment_switch);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, balanced_switch);
  gtk_widget_class_bind_template_child (widget_class, CxrTrainForm, out_row);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_dataset);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_output);
  gtk_widget_class_bind_template_callback (widget_class, on_reset);
}

static void
cxr_train_form_init (CxrTrainForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  make_run_stamp (self);
  bind_settings (self);
  update_sensitivity (self);
  update_folders (self);
}

GtkWidget *
cxr_train_form_new (void)
{
  return g_object_new (CXR_TYPE_TRAIN_FORM, NULL);
}
