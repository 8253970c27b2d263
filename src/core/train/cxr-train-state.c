/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-state.c: resume points and the history table (see cxr-train-state.h). */
#include "cxr-train-state.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-json-read.h"
#include "cxr-json-writer.h"
#include "cxr-limits.h"
#include "cxr-safetensors.h"

#define STATE_FILE "train-state.json"
#define STATE_FORMAT "cxrcam-train-state"
#define MODEL_PREFIX "model."
#define OPTIMIZER_PREFIX "optimizer."

void
cxr_train_state_init (CxrTrainState *state)
{
  memset (state, 0, sizeof *state);
  cxr_train_config_init (&state->config);
  state->best_auc = NAN;
  state->history = g_array_new (FALSE, TRUE, sizeof (CxrEpochMetrics));
  state->train_images = g_ptr_array_new_with_free_func (g_free);
  state->val_images = g_ptr_array_new_with_free_func (g_free);
}

void
cxr_train_state_clear (CxrTrainState *state)
{
  cxr_train_config_clear (&state->config);
  g_clear_pointer (&state->history, g_array_unref);
  g_clear_pointer (&state->train_images, g_ptr_array_unref);
  g_clear_pointer (&state->val_images, g_ptr_array_unref);
  g_clear_pointer (&state->tensors_file, g_free);
}

/* ---- JSON --------------------------------------------------------------- */

static void
build_config (CxrJsonWriter *b, const CxrTrainConfig *c)
{
  cxr_json_writer_begin_object (b, "config", CXR_JSON_BLOCK);
  cxr_json_writer_add_string (b, "data_dir", c->data_dir);
  cxr_json_writer_add_string (b, "model_path", c->model_path);
  cxr_json_writer_add_string (b, "arch", c->arch);
  cxr_json_writer_add_int (b, "n_outputs", c->n_outputs);
  cxr_json_writer_add_int (b, "input_size", c->input_size);
  cxr_json_writer_add_string (b, "out_dir", c->out_dir);
  cxr_json_writer_add_int (b, "epochs", c->epochs);
  cxr_json_writer_add_int (b, "batch_size", c->batch_size);
  cxr_json_writer_add_double (b, "lr", c->lr);
  cxr_json_writer_add_string (b, "optimizer", cxr_optimizer_kind_name (c->optimizer.kind));
  cxr_json_writer_add_double (b, "momentum", c->optimizer.momentum);
  cxr_json_writer_add_double (b, "dampening", c->optimizer.dampening);
  cxr_json_writer_add_bool (b, "nesterov", c->optimizer.nesterov);
  cxr_json_writer_add_double (b, "beta1", c->optimizer.beta1);
  cxr_json_writer_add_double (b, "beta2", c->optimizer.beta2);
  cxr_json_writer_add_double (b, "eps", c->optimizer.eps);
  cxr_json_writer_add_double (b, "weight_decay", c->optimizer.weight_decay);
  cxr_json_writer_add_string (b, "schedule", cxr_schedule_kind_name (c->schedule));
  cxr_json_writer_add_double (b, "warmup_epochs", c->warmup_epochs);
  cxr_json_writer_add_double (b, "step_epochs", c->step_epochs);
  cxr_json_writer_add_double (b, "gamma", c->gamma);
  cxr_json_writer_add_double (b, "min_lr", c->min_lr);
  cxr_json_writer_add_string (b, "freeze", cxr_trainable_freeze_name (c->trainable));
  cxr_json_writer_add_bool (b, "augment", c->augment);
  cxr_json_writer_add_double (b, "scale_min", c->augment_params.scale_min);
  cxr_json_writer_add_double (b, "scale_max", c->augment_params.scale_max);
  cxr_json_writer_add_double (b, "ratio_min", c->augment_params.ratio_min);
  cxr_json_writer_add_double (b, "ratio_max", c->augment_params.ratio_max);
  cxr_json_writer_add_double (b, "max_rotation", c->augment_params.max_rotation);
  cxr_json_writer_add_double (b, "hflip", c->augment_params.hflip);
  cxr_json_writer_add_double (b, "brightness", c->augment_params.brightness);
  cxr_json_writer_add_double (b, "contrast", c->augment_params.contrast);
  cxr_json_writer_add_bool (b, "balanced_sampling", c->balanced_sampling);
  cxr_json_writer_add_string (b, "subset", c->subset == CXR_TRAIN_SUBSET_BALANCED ? "balanced" : "all");
  cxr_json_writer_add_double (b, "val_fraction", c->val_fraction);
  /* A string: JSON readers keep integers only to 2^53 or 2^63. */
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, c->seed);
  cxr_json_writer_add_string (b, "seed", seed);
  cxr_json_writer_add_double (b, "pos_weight", c->pos_weight);
  cxr_json_writer_add_int (b, "max_images", c->max_images);
  cxr_json_writer_end (b);
}

static void
build_metrics (CxrJsonWriter *b, const CxrEpochMetrics *m)
{
  cxr_json_writer_begin_object (b, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_add_int (b, "epoch", m->epoch);
  cxr_json_writer_add_double (b, "train_loss", m->train_loss);
  cxr_json_writer_add_double (b, "train_accuracy", m->train_accuracy);
  cxr_json_writer_add_double (b, "val_loss", m->val_loss);
  cxr_json_writer_add_double (b, "val_accuracy", m->val_accuracy);
  cxr_json_writer_add_double (b, "val_auc", m->val_auc);
  cxr_json_writer_add_double (b, "val_sensitivity", m->val_sensitivity);
  cxr_json_writer_add_double (b, "val_specificity", m->val_specificity);
  cxr_json_writer_add_int (b, "n_train", m->n_train);
  cxr_json_writer_add_int (b, "n_val", m->n_val);
  cxr_json_writer_add_double (b, "seconds", m->seconds);
  cxr_json_writer_add_double (b, "images_per_second", m->images_per_second);
  cxr_json_writer_add_bool (b, "best", m->best);
  cxr_json_writer_end (b);
}

static void
build_names (CxrJsonWriter *b, const char *name, GPtrArray *names)
{
  cxr_json_writer_begin_array (b, name, CXR_JSON_BLOCK);
  for (guint i = 0; i < names->len; i++)
    cxr_json_writer_add_string (b, NULL, g_ptr_array_index (names, i));
  cxr_json_writer_end (b);
}

static char *
state_to_json (const CxrTrainState *s)
{
  CxrJsonWriter *b = cxr_json_writer_new (CXR_JSON_INDENTED, 2);
  cxr_json_writer_begin_object (b, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_add_string (b, "format", STATE_FORMAT);
  cxr_json_writer_add_int (b, "version", 1);
  build_config (b, &s->config);
  cxr_json_writer_add_int (b, "epochs_done", s->epochs_done);
  cxr_json_writer_add_int (b, "step_in_epoch", s->step_in_epoch);
  cxr_json_writer_add_int (b, "global_step", (gint64) s->global_step);
  cxr_json_writer_add_double (b, "epoch_loss_sum", s->epoch_loss_sum);
  cxr_json_writer_add_int (b, "epoch_correct", s->epoch_correct);
  cxr_json_writer_add_int (b, "epoch_seen", s->epoch_seen);
  cxr_json_writer_add_double (b, "epoch_seconds", s->epoch_seconds);
  cxr_json_writer_add_double (b, "best_auc", s->best_auc);
  cxr_json_writer_add_int (b, "best_epoch", s->best_epoch);
  cxr_json_writer_begin_array (b, "history", CXR_JSON_BLOCK);
  for (guint i = 0; i < s->history->len; i++)
    build_metrics (b, &g_array_index (s->history, CxrEpochMetrics, i));
  cxr_json_writer_end (b);
  build_names (b, "train_images", s->train_images);
  build_names (b, "val_images", s->val_images);
  cxr_json_writer_add_string (b, "tensors", s->tensors_file);
  cxr_json_writer_end (b);
  g_autofree char *json = cxr_json_writer_free_to_text (b, NULL);
  return g_strconcat (json, "\n", NULL);
}

/* Readers: every member is required (the file is ours); a wrong type is a format error. */
typedef struct {
  const char *path;
  GError **error;
  gboolean failed;
} Reader;

static JsonNode *
member (Reader *r, JsonObject *o, const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;
  if (node == NULL && !r->failed)
    {
      g_set_error (r->error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: no member '%s'", r->path, name);
      r->failed = TRUE;
    }
  return node;
}

static double
read_double (Reader *r, JsonObject *o, const char *name)
{
  JsonNode *node = member (r, o, name);
  if (node == NULL)
    return NAN;
  if (JSON_NODE_HOLDS_NULL (node))
    return NAN;
  if (!JSON_NODE_HOLDS_VALUE (node) || (json_node_get_value_type (node) != G_TYPE_DOUBLE
                                        && json_node_get_value_type (node) != G_TYPE_INT64))
    {
      if (!r->failed)
        g_set_error (r->error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: '%s' is not a number", r->path, name);
      r->failed = TRUE;
      return NAN;
    }
  return json_node_get_double (node);
}

static gint64
read_int (Reader *r, JsonObject *o, const char *name)
{
  JsonNode *node = member (r, o, name);
  if (node == NULL)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    {
      if (!r->failed)
        g_set_error (r->error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: '%s' is not a count", r->path, name);
      r->failed = TRUE;
      return 0;
    }
  return json_node_get_int (node);
}

static gboolean
read_bool (Reader *r, JsonObject *o, const char *name)
{
  JsonNode *node = member (r, o, name);
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN
         && json_node_get_boolean (node);
}

/* A string or null (NULL); a copy. */
static char *
read_string (Reader *r, JsonObject *o, const char *name)
{
  JsonNode *node = member (r, o, name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      if (!r->failed)
        g_set_error (r->error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: '%s' is not a string", r->path, name);
      r->failed = TRUE;
      return NULL;
    }
  return g_strdup (json_node_get_string (node));
}

static void
read_config (Reader *r, JsonObject *o, CxrTrainConfig *c)
{
  cxr_train_config_clear (c);
  cxr_train_config_init (c);
  c->data_dir = read_string (r, o, "data_dir");
  c->model_path = read_string (r, o, "model_path");
  g_free (c->arch);
  c->arch = read_string (r, o, "arch");
  c->n_outputs = read_int (r, o, "n_outputs");
  c->input_size = read_int (r, o, "input_size");
  c->out_dir = read_string (r, o, "out_dir");
  c->epochs = read_int (r, o, "epochs");
  c->batch_size = read_int (r, o, "batch_size");
  c->lr = read_double (r, o, "lr");
  g_autofree char *optimizer = read_string (r, o, "optimizer");
  CxrOptimizerKind kind = CXR_OPTIMIZER_SGD;
  if (optimizer && !r->failed && !cxr_optimizer_kind_from_name (optimizer, &kind, r->error))
    r->failed = TRUE;
  c->optimizer.kind = kind;
  c->optimizer.momentum = read_double (r, o, "momentum");
  c->optimizer.dampening = read_double (r, o, "dampening");
  c->optimizer.nesterov = read_bool (r, o, "nesterov");
  c->optimizer.beta1 = read_double (r, o, "beta1");
  c->optimizer.beta2 = read_double (r, o, "beta2");
  c->optimizer.eps = read_double (r, o, "eps");
  c->optimizer.weight_decay = read_double (r, o, "weight_decay");
  g_autofree char *schedule = read_string (r, o, "schedule");
  if (schedule && !r->failed && !cxr_schedule_kind_from_name (schedule, &c->schedule, r->error))
    r->failed = TRUE;
  c->warmup_epochs = read_double (r, o, "warmup_epochs");
  c->step_epochs = read_double (r, o, "step_epochs");
  c->gamma = read_double (r, o, "gamma");
  c->min_lr = read_double (r, o, "min_lr");
  g_autofree char *freeze = read_string (r, o, "freeze");
  if (freeze && !r->failed && !cxr_trainable_from_freeze_name (freeze, &c->trainable, r->error))
    r->failed = TRUE;
  c->augment = read_bool (r, o, "augment");
  c->augment_params.scale_min = read_double (r, o, "scale_min");
  c->augment_params.scale_max = read_double (r, o, "scale_max");
  c->augment_params.ratio_min = read_double (r, o, "ratio_min");
  c->augment_params.ratio_max = read_double (r, o, "ratio_max");
  c->augment_params.max_rotation = read_double (r, o, "max_rotation");
  c->augment_params.hflip = read_double (r, o, "hflip");
  c->augment_params.brightness = read_double (r, o, "brightness");
  c->augment_params.contrast = read_double (r, o, "contrast");
  c->balanced_sampling = read_bool (r, o, "balanced_sampling");
  g_autofree char *subset = read_string (r, o, "subset");
  c->subset = g_strcmp0 (subset, "balanced") == 0 ? CXR_TRAIN_SUBSET_BALANCED : CXR_TRAIN_SUBSET_ALL;
  c->val_fraction = read_double (r, o, "val_fraction");
  g_autofree char *seed = read_string (r, o, "seed");
  c->seed = seed ? g_ascii_strtoull (seed, NULL, 10) : 0;
  c->pos_weight = read_double (r, o, "pos_weight");
  c->max_images = read_int (r, o, "max_images");
}

static void
read_names (Reader *r, JsonObject *o, const char *name, GPtrArray *names)
{
  JsonNode *node = member (r, o, name);
  if (node == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      if (!r->failed)
        g_set_error (r->error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: '%s' is not a list", r->path, name);
      r->failed = TRUE;
      return;
    }
  JsonArray *array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (names, g_strdup (json_array_get_string_element (array, i)));
}

/* ---- tensors ------------------------------------------------------------ */

/* A dict whose tensors share @src's data under prefixed names: safetensors writes it without a
 * copy of the weights (hundreds of MB for ResNet-50 with Adam). Release with release_borrowed. */
static void
borrow_into (CxrStateDict *dest, const char *prefix, const CxrStateDict *src)
{
  for (guint i = 0; i < cxr_state_dict_size (src); i++)
    {
      const char *key = cxr_state_dict_key_at (src, i);
      CxrTensor *shallow = g_memdup2 (cxr_state_dict_lookup (src, key), sizeof (CxrTensor));
      g_autofree char *name = g_strconcat (prefix, key, NULL);
      cxr_state_dict_insert (dest, name, shallow);
    }
}

static void
release_borrowed (CxrStateDict *dict)
{
  while (cxr_state_dict_size (dict) > 0)
    {
      g_autofree char *key = g_strdup (cxr_state_dict_key_at (dict, 0));
      g_free (cxr_state_dict_steal (dict, key));   /* the struct only: the data is not ours */
    }
  cxr_state_dict_free (dict);
}

static void
remove_old_resume_files (const char *out_dir, const char *keep)
{
  g_autoptr (GDir) dir = g_dir_open (out_dir, 0, NULL);
  if (dir == NULL)
    return;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_prefix (name, "resume-") && g_str_has_suffix (name, ".safetensors") && !g_str_equal (name, keep))
      {
        g_autofree char *path = g_build_filename (out_dir, name, NULL);
        g_unlink (path);
      }
}

gboolean
cxr_train_state_save (const char *out_dir, CxrTrainState *state, const CxrStateDict *model,
                      const CxrStateDict *optimizer, GError **error)
{
  g_autofree char *file = g_strdup_printf ("resume-%09" G_GUINT64_FORMAT ".safetensors", state->global_step);
  g_autofree char *tensors_path = g_build_filename (out_dir, file, NULL);
  CxrStateDict *both = cxr_state_dict_new ();
  borrow_into (both, MODEL_PREFIX, model);
  borrow_into (both, OPTIMIZER_PREFIX, optimizer);
  gboolean ok = cxr_safetensors_save (tensors_path, both, error);
  release_borrowed (both);
  if (!ok)
    return FALSE;

  g_free (state->tensors_file);
  state->tensors_file = g_steal_pointer (&file);
  g_autofree char *json = state_to_json (state);
  g_autofree char *state_path = g_build_filename (out_dir, STATE_FILE, NULL);
  if (!cxr_atomic_file_set_contents (state_path, json, strlen (json), error))
    return FALSE;
  remove_old_resume_files (out_dir, state->tensors_file);
  return TRUE;
}

gboolean
cxr_train_state_read (const char *out_dir, CxrTrainState *state, GError **error)
{
  g_autofree char *path = g_build_filename (out_dir, STATE_FILE, NULL);
  g_autoptr (JsonParser) parser = cxr_json_load (path, CXR_LIMIT_SIDECAR_BYTES, NULL, NULL, error);
  if (parser == NULL)
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (o == NULL || g_strcmp0 (json_object_get_string_member_with_default (o, "format", ""), STATE_FORMAT) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s is not a cxrcam training state", path);
      return FALSE;
    }
  if (json_object_get_int_member_with_default (o, "version", 0) != 1)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: unsupported version %" G_GINT64_FORMAT, path,
                   json_object_get_int_member_with_default (o, "version", 0));
      return FALSE;
    }

  Reader r = { path, error, FALSE };
  JsonNode *config = member (&r, o, "config");
  read_config (&r, config && JSON_NODE_HOLDS_OBJECT (config) ? json_node_get_object (config) : NULL, &state->config);
  state->epochs_done = read_int (&r, o, "epochs_done");
  state->step_in_epoch = read_int (&r, o, "step_in_epoch");
  state->global_step = read_int (&r, o, "global_step");
  state->epoch_loss_sum = read_double (&r, o, "epoch_loss_sum");
  state->epoch_correct = read_int (&r, o, "epoch_correct");
  state->epoch_seen = read_int (&r, o, "epoch_seen");
  state->epoch_seconds = read_double (&r, o, "epoch_seconds");
  state->best_auc = read_double (&r, o, "best_auc");
  state->best_epoch = read_int (&r, o, "best_epoch");
  JsonNode *history = member (&r, o, "history");
  if (history && JSON_NODE_HOLDS_ARRAY (history))
    {
      JsonArray *array = json_node_get_array (history);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *e = json_array_get_object_element (array, i);
          CxrEpochMetrics m = {
            .epoch = read_int (&r, e, "epoch"),
            .train_loss = read_double (&r, e, "train_loss"),
            .train_accuracy = read_double (&r, e, "train_accuracy"),
            .val_loss = read_double (&r, e, "val_loss"),
            .val_accuracy = read_double (&r, e, "val_accuracy"),
            .val_auc = read_double (&r, e, "val_auc"),
            .val_sensitivity = read_double (&r, e, "val_sensitivity"),
            .val_specificity = read_double (&r, e, "val_specificity"),
            .n_train = read_int (&r, e, "n_train"),
            .n_val = read_int (&r, e, "n_val"),
            .seconds = read_double (&r, e, "seconds"),
            .images_per_second = read_double (&r, e, "images_per_second"),
            .best = read_bool (&r, e, "best"),
          };
          g_array_append_val (state->history, m);
        }
    }
  read_names (&r, o, "train_images", state->train_images);
  read_names (&r, o, "val_images", state->val_images);
  g_free (state->tensors_file);
  state->tensors_file = read_string (&r, o, "tensors");
  if (r.failed)
    return FALSE;
  if (state->tensors_file == NULL || strchr (state->tensors_file, G_DIR_SEPARATOR) != NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: 'tensors' must name a file in the same folder", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_train_state_load (const char *out_dir, CxrTrainState *state, CxrStateDict **model, CxrStateDict **optimizer,
                      GError **error)
{
  if (!cxr_train_state_read (out_dir, state, error))
    return FALSE;
  g_autofree char *tensors_path = g_build_filename (out_dir, state->tensors_file, NULL);
  g_autoptr (CxrStateDict) both = cxr_safetensors_load (tensors_path, error);
  if (both == NULL)
    return FALSE;
  g_autoptr (CxrStateDict) model_dict = cxr_state_dict_new ();
  g_autoptr (CxrStateDict) optimizer_dict = cxr_state_dict_new ();
  while (cxr_state_dict_size (both) > 0)
    {
      g_autofree char *key = g_strdup (cxr_state_dict_key_at (both, 0));
      CxrTensor *t = cxr_state_dict_steal (both, key);
      if (g_str_has_prefix (key, MODEL_PREFIX))
        cxr_state_dict_insert (model_dict, key + strlen (MODEL_PREFIX), t);
      else if (g_str_has_prefix (key, OPTIMIZER_PREFIX))
        cxr_state_dict_insert (optimizer_dict, key + strlen (OPTIMIZER_PREFIX), t);
      else
        {
          cxr_tensor_free (t);
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: unexpected tensor '%s'", tensors_path, key);
          return FALSE;
        }
    }
  /* A kill between committing train-state.json and removing the previous resume point leaves that point behind;
   * a resumed run that has nothing left to do would never write a new one, so sweep it here, once the point the
   * state names has been read whole. */
  remove_old_resume_files (out_dir, state->tensors_file);
  *model = g_steal_pointer (&model_dict);
  *optimizer = g_steal_pointer (&optimizer_dict);
  return TRUE;
}

/* ---- history.csv -------------------------------------------------------- */

static void
append_number (GString *s, double value)
{
  g_string_append_c (s, ',');
  if (isfinite (value))
    cxr_format_append_double (s, value);
}

gboolean
cxr_train_history_save (const char *path, GArray *history, GError **error)
{
  g_autoptr (GString) s = g_string_new ("epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_auc,"
                                        "val_sensitivity,val_specificity,n_train,n_val,seconds,images_per_second,best\n");
  for (guint i = 0; i < history->len; i++)
    {
      const CxrEpochMetrics *m = &g_array_index (history, CxrEpochMetrics, i);
      g_string_append_printf (s, "%u", m->epoch);
      append_number (s, m->train_loss);
      append_number (s, m->train_accuracy);
      append_number (s, m->val_loss);
      append_number (s, m->val_accuracy);
      append_number (s, m->val_auc);
      append_number (s, m->val_sensitivity);
      append_number (s, m->val_specificity);
      g_string_append_printf (s, ",%u,%u", m->n_train, m->n_val);
      append_number (s, m->seconds);
      append_number (s, m->images_per_second);
      g_string_append_printf (s, ",%d\n", m->best ? 1 : 0);
    }
  return cxr_atomic_file_set_contents (path, s->str, s->len, error);
}

gboolean
cxr_train_state_is_new_best (const CxrTrainState *state, const CxrEpochMetrics *m)
{
  if (!isfinite (m->val_auc))
    return state->best_epoch == 0;
  if (!(m->val_auc <= state->best_auc))  /* also when there is no best AUC yet (NAN) */
    return TRUE;
  if (m->val_auc < state->best_auc)
    return FALSE;
  /* AUC saturates (1.0 on the demo's phantoms from about the seventh of ten epochs): without the tie-break,
   * best.pth stayed the first epoch that reached it, a network trained three epochs less than the last. */
  for (guint i = 0; i < state->history->len; i++)
    {
      const CxrEpochMetrics *best = &g_array_index (state->history, CxrEpochMetrics, i);
      if (best->epoch == state->best_epoch)
        return m->val_loss < best->val_loss;
    }
  return FALSE;
}
