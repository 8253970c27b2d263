/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-model-card.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"
#include "cxr-json-read.h"
#include "cxr-json-writer.h"
#include "cxr-limits.h"

/* The smallest std a card may give: dividing by less turns pixels into infinities (a float32 std of 1e-45 is a
 * denormal whose reciprocal overflows). */
#define MIN_STD 1e-6

const char *const cxr_nih14_labels[14] = {
  "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
  "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia",
};

static const float imagenet_mean[3] = { 0.485f, 0.456f, 0.406f };
static const float imagenet_std[3] = { 0.229f, 0.224f, 0.225f };

const char *
cxr_activation_name (CxrActivation activation)
{
  return activation == CXR_ACTIVATION_SIGMOID ? "sigmoid" : "softmax";
}

static guint
default_positive_class (const CxrModelCard *card)
{
  for (guint i = 0; i < card->n_classes; i++)
    if (g_str_equal (card->class_names[i], "Cardiomegaly"))
      return i;
  return card->n_classes ? card->n_classes - 1 : 0;
}

/* Class names and activation from the head size alone. */
static void
set_default_classes (CxrModelCard *card, guint n_outputs)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  if (n_outputs == 1)
    {
      g_strv_builder_add (names, "Cardiomegaly");
      card->activation = CXR_ACTIVATION_SIGMOID;
    }
  else if (n_outputs == 2)
    {
      g_strv_builder_add_many (names, "No Finding", "Cardiomegaly", NULL);
      card->activation = CXR_ACTIVATION_SOFTMAX;
    }
  else if (n_outputs == G_N_ELEMENTS (cxr_nih14_labels))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (cxr_nih14_labels); i++)
        g_strv_builder_add (names, cxr_nih14_labels[i]);
      card->activation = CXR_ACTIVATION_SIGMOID;
    }
  else
    {
      for (guint i = 0; i < n_outputs; i++)
        {
          g_autofree char *name = g_strdup_printf ("class %u", i);
          g_strv_builder_add (names, name);
        }
      card->activation = CXR_ACTIVATION_SOFTMAX;
    }
  g_strfreev (card->class_names);
  card->class_names = g_strv_builder_end (names);
  card->n_classes = n_outputs;
}

static CxrModelCard *
new_base_card (void)
{
  CxrModelCard *card = g_new0 (CxrModelCard, 1);
  card->input_width = 224;
  card->input_height = 224;
  card->input_channels = 0;
  memcpy (card->mean, imagenet_mean, sizeof card->mean);
  memcpy (card->std, imagenet_std, sizeof card->std);
  card->resize_mode = g_strdup ("bilinear-antialias");
  card->cam_layer = g_strdup ("layer4");
  card->cam_threshold = 0.5f;
  card->class_names = g_new0 (char *, 1);
  return card;
}

CxrModelCard *
cxr_model_card_new_default (guint n_outputs)
{
  g_return_val_if_fail (n_outputs >= 1, NULL);
  CxrModelCard *card = new_base_card ();
  set_default_classes (card, n_outputs);
  card->positive_class = default_positive_class (card);
  return card;
}

CxrModelCard *
cxr_model_card_copy (const CxrModelCard *card)
{
  CxrModelCard *copy = g_memdup2 (card, sizeof *card);
  copy->class_names = g_strdupv (card->class_names);
  copy->resize_mode = g_strdup (card->resize_mode);
  copy->cam_layer = g_strdup (card->cam_layer);
  copy->source_path = g_strdup (card->source_path);
  return copy;
}

void
cxr_model_card_free (CxrModelCard *card)
{
  if (card == NULL)
    return;
  g_strfreev (card->class_names);
  g_free (card->resize_mode);
  g_free (card->cam_layer);
  g_free (card->source_path);
  g_free (card);
}

/* ------------------------------------------------------------------------------------------------ */
/* Reading                                                                                          */

static gboolean
bad_value (GError **error, const char *path, const char *key, const char *expected)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "model card %s: '%s' must be %s", path, key, expected);
  return FALSE;
}

static gboolean
node_is_number (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  GType type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
node_is_integer (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
read_uint (JsonObject *object, const char *key, guint min, guint max, guint *out, const char *path, GError **error)
{
  JsonNode *node = json_object_get_member (object, key);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!node_is_integer (node) || json_node_get_int (node) < min || json_node_get_int (node) > max)
    {
      g_autofree char *expected = g_strdup_printf ("an integer from %u to %u", min, max);
      return bad_value (error, path, key, expected);
    }
  *out = (guint) json_node_get_int (node);
  return TRUE;
}

static gboolean
read_string (JsonObject *object, const char *key, char **out, const char *path, GError **error)
{
  JsonNode *node = json_object_get_member (object, key);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!node_is_string (node) || *json_node_get_string (node) == '\0')
    return bad_value (error, path, key, "a non-empty string");
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* Three numbers, or one for every channel. */
static gboolean
read_triple (JsonObject *object, const char *key, gboolean positive, float out[3], const char *path, GError **error)
{
  JsonNode *node = json_object_get_member (object, key);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  const char *expected = positive ? "a number from 1e-06 to 1e+06 or a list of 3 such numbers (a std)"
                                  : "a number from -1e+06 to 1e+06 or a list of 3 such numbers";
  double values[3];
  if (node_is_number (node))
    values[0] = values[1] = values[2] = json_node_get_double (node);
  else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 3)
    {
      for (guint i = 0; i < 3; i++)
        {
          JsonNode *element = json_array_get_element (json_node_get_array (node), i);
          if (!node_is_number (element))
            return bad_value (error, path, key, expected);
          values[i] = json_node_get_double (element);
        }
    }
  else
    return bad_value (error, path, key, expected);
  for (int i = 0; i < 3; i++)
    {
      if (!isfinite (values[i]) || fabs (values[i]) > 1e6 || (positive && !(values[i] >= MIN_STD)))
        return bad_value (error, path, key, expected);
      out[i] = (float) values[i];
    }
  return TRUE;
}

static gboolean
read_input_size (JsonObject *object, CxrModelCard *card, const char *path, GError **error)
{
  JsonNode *node = json_object_get_member (object, "input_size");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      const char *expected = "an integer or [width, height], each at least 1";
      gint64 w, h;
      if (node_is_integer (node))
        w = h = json_node_get_int (node);
      else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 2
               && node_is_integer (json_array_get_element (json_node_get_array (node), 0))
               && node_is_integer (json_array_get_element (json_node_get_array (node), 1)))
        {
          w = json_array_get_int_element (json_node_get_array (node), 0);
          h = json_array_get_int_element (json_node_get_array (node), 1);
        }
      else
        return bad_value (error, path, "input_size", expected);
      if (w < 1 || h < 1)
        return bad_value (error, path, "input_size", expected);
      g_autofree char *what = g_strdup_printf ("model card %s: 'input_size'", path);
      if (!cxr_limits_check_input_side (w, h, what, error))
        return FALSE;
      card->input_width = (guint) w;
      card->input_height = (guint) h;
    }
  if (!read_uint (object, "input_width", 1, G_MAXINT, &card->input_width, path, error)
      || !read_uint (object, "input_height", 1, G_MAXINT, &card->input_height, path, error))
    return FALSE;
  g_autofree char *what = g_strdup_printf ("model card %s", path);
  return cxr_limits_check_input_side (card->input_width, card->input_height, what, error);
}

static gboolean
read_class_names (JsonObject *object, CxrModelCard *card, guint n_outputs, const char *path, GError **error)
{
  JsonNode *node = json_object_get_member (object, "class_names");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (n_outputs == 0)
        return bad_value (error, path, "class_names", "present when the number of outputs is not known");
      set_default_classes (card, n_outputs);
      return TRUE;
    }
  const char *expected = "a non-empty list of distinct, non-empty strings";
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return bad_value (error, path, "class_names", expected);

  JsonArray *array = json_node_get_array (node);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!node_is_string (element) || *json_node_get_string (element) == '\0'
          || !g_hash_table_add (seen, (gpointer) json_node_get_string (element)))
        return bad_value (error, path, "class_names", expected);
      g_strv_builder_add (names, json_node_get_string (element));
    }
  g_strfreev (card->class_names);
  card->class_names = g_strv_builder_end (names);
  card->n_classes = json_array_get_length (array);
  /* A single output is a sigmoid score; several default to softmax unless the card says otherwise. */
  card->activation = card->n_classes == 1 ? CXR_ACTIVATION_SIGMOID : CXR_ACTIVATION_SOFTMAX;
  return TRUE;
}

static gboolean
read_activation (JsonObject *object, CxrModelCard *card, const char *path, GError **error)
{
  g_autofree char *activation = NULL;
  if (!read_string (object, "activation", &activation, path, error))
    return FALSE;
  if (activation == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (activation, "sigmoid") == 0)
    card->activation = CXR_ACTIVATION_SIGMOID;
  else if (g_ascii_strcasecmp (activation, "softmax") == 0)
    card->activation = CXR_ACTIVATION_SOFTMAX;
  else
    return bad_value (error, path, "activation", "\"sigmoid\" or \"softmax\"");
  return TRUE;
}

static gboolean
read_positive_class (JsonObject *object, CxrModelCard *card, const char *path, GError **error)
{
  JsonNode *node = json_object_get_member (object, "positive_class");
  card->positive_class = default_positive_class (card);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (node_is_integer (node) && json_node_get_int (node) >= 0 && json_node_get_int (node) < card->n_classes)
    {
      card->positive_class = (guint) json_node_get_int (node);
      return TRUE;
    }
  if (node_is_string (node))
    for (guint i = 0; i < card->n_classes; i++)
      if (g_str_equal (card->class_names[i], json_node_get_string (node)))
        {
          card->positive_class = i;
          return TRUE;
        }
  return bad_value (error, path, "positive_class", "one of the class names or a class index");
}

static gboolean
check_class_count (const CxrModelCard *card, guint n_outputs, GError **error)
{
  if (n_outputs == 0 || card->n_classes == n_outputs)
    return TRUE;
  g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
               "model card %s lists %u classes but the weights have %u outputs", card->source_path,
               card->n_classes, n_outputs);
  return FALSE;
}

CxrModelCard *
cxr_model_card_load (const char *path, guint n_outputs, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonParser) parser = cxr_json_load (path, CXR_LIMIT_CARD_BYTES, NULL, NULL, &local_error);
  if (parser == NULL)
    {
      if (g_error_matches (local_error, CXR_ERROR, CXR_ERROR_FORMAT))
        g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "model card %s is not valid JSON: %s", path,
                     local_error->message);
      else
        g_set_error (error, CXR_ERROR, local_error->code, "could not read model card %s: %s", path,
                     local_error->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "model card %s is not a JSON object", path);
      return NULL;
    }
  JsonObject *object = json_node_get_object (root);

  g_autoptr (CxrModelCard) card = new_base_card ();
  card->source_path = g_strdup (path);
  double threshold = card->cam_threshold;
  JsonNode *threshold_node = json_object_get_member (object, "cam_threshold");
  if (threshold_node != NULL && !JSON_NODE_HOLDS_NULL (threshold_node))
    {
      threshold = node_is_number (threshold_node) ? json_node_get_double (threshold_node) : NAN;
      if (!(threshold >= 0.0 && threshold <= 1.0))
        {
          bad_value (error, path, "cam_threshold", "a number from 0 to 1");
          return NULL;
        }
    }
  card->cam_threshold = (float) threshold;

  if (!read_class_names (object, card, n_outputs, path, error)
      || !read_activation (object, card, path, error)
      || !read_positive_class (object, card, path, error)
      || !read_input_size (object, card, path, error)
      || !read_uint (object, "input_channels", 0, 3, &card->input_channels, path, error)
      || !read_triple (object, "mean", FALSE, card->mean, path, error)
      || !read_triple (object, "std", TRUE, card->std, path, error)
      || !read_string (object, "resize_mode", &card->resize_mode, path, error)
      || !read_string (object, "cam_layer", &card->cam_layer, path, error))
    return NULL;
  if (card->input_channels == 2)
    {
      bad_value (error, path, "input_channels", "1 or 3 (or 0 to take it from the weights)");
      return NULL;
    }
  if (!check_class_count (card, n_outputs, error))
    return NULL;
  return g_steal_pointer (&card);
}

/* "<weights>.json", then "<weights without extension>.json". */
static char *
find_card_beside (const char *weights_path)
{
  g_autofree char *appended = g_strconcat (weights_path, ".json", NULL);
  if (g_file_test (appended, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&appended);

  g_autofree char *base = g_path_get_basename (weights_path);
  const char *dot = strrchr (base, '.');
  if (dot == NULL || dot == base)
    return NULL;
  g_autofree char *dir = g_path_get_dirname (weights_path);
  g_autofree char *stem = g_strndup (base, (gsize) (dot - base));
  g_autofree char *name = g_strconcat (stem, ".json", NULL);
  g_autofree char *beside = g_build_filename (dir, name, NULL);
  /* model.json beside model.json is the weights file itself, not a card. */
  if (g_str_equal (beside, weights_path) || !g_file_test (beside, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&beside);
}

CxrModelCard *
cxr_model_card_load_for_weights (const char *weights_path, const char *card_path, guint n_outputs, GError **error)
{
  g_autofree char *found = card_path ? g_strdup (card_path) : find_card_beside (weights_path);
  if (found != NULL)
    return cxr_model_card_load (found, n_outputs, error);
  if (n_outputs == 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "no model card beside %s and the number of outputs is unknown", weights_path);
      return NULL;
    }
  return cxr_model_card_new_default (n_outputs);
}

/* ------------------------------------------------------------------------------------------------ */
/* Writing                                                                                          */

char *
cxr_model_card_to_json (const CxrModelCard *card)
{
  /* Python's indent=2, with the short lists on one line. */
  g_autoptr (CxrJsonWriter) w = cxr_json_writer_new (CXR_JSON_INDENTED, 2);
  cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_begin_array (w, "class_names", CXR_JSON_INLINE);
  for (guint i = 0; i < card->n_classes; i++)
    cxr_json_writer_add_string (w, NULL, card->class_names[i]);
  cxr_json_writer_end (w);
  cxr_json_writer_add_string (w, "activation", cxr_activation_name (card->activation));
  cxr_json_writer_add_string (w, "positive_class",
                              card->positive_class < card->n_classes ? card->class_names[card->positive_class] : "");
  cxr_json_writer_add_uint (w, "input_width", card->input_width);
  cxr_json_writer_add_uint (w, "input_height", card->input_height);
  cxr_json_writer_add_uint (w, "input_channels", card->input_channels);
  const struct { const char *key; const float *v; } triples[] = { { "mean", card->mean }, { "std", card->std } };
  for (gsize t = 0; t < G_N_ELEMENTS (triples); t++)
    {
      cxr_json_writer_begin_array (w, triples[t].key, CXR_JSON_INLINE);
      for (int i = 0; i < 3; i++)
        cxr_json_writer_add_float (w, NULL, triples[t].v[i]);
      cxr_json_writer_end (w);
    }
  cxr_json_writer_add_string (w, "resize_mode", card->resize_mode);
  cxr_json_writer_add_string (w, "cam_layer", card->cam_layer);
  cxr_json_writer_add_float (w, "cam_threshold", card->cam_threshold);
  cxr_json_writer_end (w);
  return cxr_json_writer_free_to_text (g_steal_pointer (&w), NULL);
}

gboolean
cxr_model_card_save (const CxrModelCard *card, const char *path, GError **error)
{
  g_autofree char *json = cxr_model_card_to_json (card);
  g_autofree char *text = g_strconcat (json, "\n", NULL);
  return cxr_atomic_file_set_contents (path, text, strlen (text), error);
}
