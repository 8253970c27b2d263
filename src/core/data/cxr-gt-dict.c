/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-gt-dict.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-csv.h"
#include "cxr-json-read.h"
#include "cxr-json-writer.h"
#include "cxr-limits.h"
#include "cxr-error.h"

/* ---- the model ------------------------------------------------------------------------------------------- */

static void
clear_box (gpointer data)
{
  CxrGtDictBox *box = data;
  g_free (box->image);
  g_free (box->label);
}

CxrGtDict *
cxr_gt_dict_new (CxrGtDictShape shape, guint indent)
{
  CxrGtDict *dict = g_new0 (CxrGtDict, 1);
  dict->shape = shape;
  dict->indent = indent;
  dict->boxes = g_array_new (FALSE, TRUE, sizeof (CxrGtDictBox));
  g_array_set_clear_func (dict->boxes, clear_box);
  return dict;
}

void
cxr_gt_dict_free (CxrGtDict *dict)
{
  if (dict == NULL)
    return;
  g_array_unref (dict->boxes);
  g_free (dict);
}

void
cxr_gt_dict_add (CxrGtDict *dict, const char *image, const char *label, double x, double y, double w, double h)
{
  CxrGtDictBox box = { g_strdup (image), g_strdup (label), x, y, w, h };
  g_array_append_val (dict->boxes, box);
}

/* ---- reading --------------------------------------------------------------------------------------------- */

static gboolean
shape_error (GError **error, const char *path, const char *image, const char *what)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: \"%s\": %s", path, image != NULL ? image : "?", what);
  return FALSE;
}

/* {"label": L, "bbox": [x, y, w, h]} (label optional, "box" for "bbox") */
static gboolean
read_labelled (JsonObject *object, char **label, double v[4])
{
  JsonNode *bbox = json_object_get_member (object, "bbox");
  if (bbox == NULL)
    bbox = json_object_get_member (object, "box");
  if (bbox == NULL || !cxr_json_read_numbers (bbox, v, 4))
    return FALSE;
  JsonNode *label_node = json_object_get_member (object, "label");
  *label = label_node != NULL && JSON_NODE_HOLDS_VALUE (label_node)
           && json_node_get_value_type (label_node) == G_TYPE_STRING
           ? g_strdup (json_node_get_string (label_node)) : NULL;
  return TRUE;
}

/* One image's value in the object shapes; sets *shape from what it finds. */
static gboolean
read_image_value (CxrGtDict *dict, const char *path, const char *image, JsonNode *value, CxrGtDictShape *shape,
                  GError **error)
{
  double v[4];
  if (JSON_NODE_HOLDS_OBJECT (value))
    {
      g_autofree char *label = NULL;
      if (!read_labelled (json_node_get_object (value), &label, v))
        return shape_error (error, path, image, "expected {\"label\": ..., \"bbox\": [x, y, w, h]}");
      cxr_gt_dict_add (dict, image, label, v[0], v[1], v[2], v[3]);
      *shape = CXR_GT_DICT_SHAPE_OBJECT;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (value))
    return shape_error (error, path, image, "expected a box [x, y, w, h], a list of boxes or {\"bbox\": ...}");
  if (cxr_json_read_numbers (value, v, 4))
    {
      cxr_gt_dict_add (dict, image, NULL, v[0], v[1], v[2], v[3]);
      *shape = CXR_GT_DICT_SHAPE_BOX;
      return TRUE;
    }
  JsonArray *list = json_node_get_array (value);
  *shape = CXR_GT_DICT_SHAPE_BOX_LIST;
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      g_autofree char *label = NULL;
      if (JSON_NODE_HOLDS_OBJECT (element) && read_labelled (json_node_get_object (element), &label, v))
        *shape = CXR_GT_DICT_SHAPE_OBJECT_LIST;
      else if (!cxr_json_read_numbers (element, v, 4))
        return shape_error (error, path, image, "a box is four numbers [x, y, w, h]");
      cxr_gt_dict_add (dict, image, label, v[0], v[1], v[2], v[3]);
    }
  return TRUE;
}

static guint
detect_indent (const char *text)
{
  /* Python writes "{\n    \"key\"" with indent=4, and everything on one line without it. */
  const char *newline = strchr (text, '\n');
  const char *quote = strchr (text, '"');
  if (newline == NULL || quote == NULL || newline > quote)
    return 0;
  guint spaces = 0;
  for (const char *p = newline + 1; *p == ' '; p++)
    spaces++;
  return spaces;
}

/* @text is NUL-terminated after its @length bytes. */
static CxrGtDict *
parse_text (const char *path, const char *text, gsize length, GError **error)
{
  g_autoptr (JsonParser) parser = cxr_json_parse (text, length, path, error);
  if (parser == NULL)
    return NULL;
  g_autoptr (CxrGtDict) dict = cxr_gt_dict_new (CXR_GT_DICT_SHAPE_BOX, detect_indent (text));
  JsonNode *root = json_parser_get_root (parser);
  gboolean first = TRUE;
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      g_autoptr (GList) members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          CxrGtDictShape shape;
          if (!read_image_value (dict, path, l->data, json_object_get_member (object, l->data), &shape, error))
            return NULL;
          /* The first image decides the shape, but a list of boxes anywhere makes it a list shape, and labels
           * anywhere make it a labelled one. */
          if (first)
            dict->shape = shape;
          else if (shape == CXR_GT_DICT_SHAPE_OBJECT_LIST
                   || (shape == CXR_GT_DICT_SHAPE_OBJECT && dict->shape == CXR_GT_DICT_SHAPE_BOX_LIST)
                   || (shape == CXR_GT_DICT_SHAPE_BOX_LIST && dict->shape == CXR_GT_DICT_SHAPE_OBJECT))
            dict->shape = CXR_GT_DICT_SHAPE_OBJECT_LIST;
          else if (shape == CXR_GT_DICT_SHAPE_BOX_LIST && dict->shape == CXR_GT_DICT_SHAPE_BOX)
            dict->shape = CXR_GT_DICT_SHAPE_BOX_LIST;
          first = FALSE;
        }
      return g_steal_pointer (&dict);
    }
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autofree char *where = g_strdup_printf ("item %u", i + 1);
          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              shape_error (error, path, where, "expected an object");
              return NULL;
            }
          JsonObject *object = json_node_get_object (element);
          JsonNode *image = json_object_get_member (object, "image");
          if (image != NULL && JSON_NODE_HOLDS_VALUE (image) && json_node_get_value_type (image) == G_TYPE_STRING)
            {
              double v[4];
              g_autofree char *label = NULL;
              if (!read_labelled (object, &label, v))
                {
                  shape_error (error, path, json_node_get_string (image), "expected \"bbox\": [x, y, w, h]");
                  return NULL;
                }
              cxr_gt_dict_add (dict, json_node_get_string (image), label, v[0], v[1], v[2], v[3]);
              dict->shape = CXR_GT_DICT_SHAPE_RECORDS;
              continue;
            }
          g_autoptr (GList) members = json_object_get_members (object);
          for (GList *l = members; l != NULL; l = l->next)
            {
              CxrGtDictShape shape;
              if (!read_image_value (dict, path, l->data, json_object_get_member (object, l->data), &shape, error))
                return NULL;
            }
          dict->shape = CXR_GT_DICT_SHAPE_LIST_OF_DICTS;
        }
      return g_steal_pointer (&dict);
    }
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a gt_dict (expected a JSON object of image -> box)",
               path);
  return NULL;
}

CxrGtDict *
cxr_gt_dict_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;
  if (!cxr_input_file_read (path, CXR_LIMIT_SIDECAR_BYTES, &text, &length, NULL, error))
    return NULL;
  return parse_text (path, text, length, error);
}

/* ---- writing --------------------------------------------------------------------------------------------- */

static void
write_box (CxrJsonWriter *w, const char *key, const CxrGtDictBox *box)
{
  cxr_json_writer_begin_array (w, key, CXR_JSON_BLOCK);
  cxr_json_writer_add_double (w, NULL, box->x);
  cxr_json_writer_add_double (w, NULL, box->y);
  cxr_json_writer_add_double (w, NULL, box->w);
  cxr_json_writer_add_double (w, NULL, box->h);
  cxr_json_writer_end (w);
}

static void
write_labelled (CxrJsonWriter *w, const char *key, const CxrGtDictBox *box, gboolean with_image)
{
  cxr_json_writer_begin_object (w, key, CXR_JSON_BLOCK);
  if (with_image)
    cxr_json_writer_add_string (w, "image", box->image);
  cxr_json_writer_add_string (w, "label", box->label != NULL ? box->label : "");
  write_box (w, "bbox", box);
  cxr_json_writer_end (w);
}

char *
cxr_gt_dict_to_json (const CxrGtDict *dict)
{
  /* As Python's json.dump wrote it: indent=N, or everything on one line. */
  g_autoptr (CxrJsonWriter) w = cxr_json_writer_new (dict->indent > 0 ? CXR_JSON_INDENTED : CXR_JSON_ONE_LINE,
                                                     dict->indent);
  const CxrGtDictBox *boxes = (const CxrGtDictBox *) dict->boxes->data;
  guint n = dict->boxes->len;

  if (dict->shape == CXR_GT_DICT_SHAPE_LIST_OF_DICTS || dict->shape == CXR_GT_DICT_SHAPE_RECORDS)
    {
      cxr_json_writer_begin_array (w, NULL, CXR_JSON_BLOCK);
      for (guint i = 0; i < n; i++)
        {
          if (dict->shape == CXR_GT_DICT_SHAPE_RECORDS)
            write_labelled (w, NULL, &boxes[i], TRUE);
          else
            {
              cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
              write_box (w, boxes[i].image, &boxes[i]);
              cxr_json_writer_end (w);
            }
        }
      cxr_json_writer_end (w);
      return cxr_json_writer_free_to_text (g_steal_pointer (&w), NULL);
    }

  /* The object shapes: one key per image, in the order images first appear. */
  gboolean one_per_image = dict->shape == CXR_GT_DICT_SHAPE_BOX || dict->shape == CXR_GT_DICT_SHAPE_OBJECT;
  g_autoptr (GHashTable) last_of_image = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    g_hash_table_insert (last_of_image, boxes[i].image, GUINT_TO_POINTER (i));
  g_autoptr (GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);
  cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
  for (guint i = 0; i < n; i++)
    {
      if (!g_hash_table_add (written, boxes[i].image))
        continue;
      if (one_per_image)
        {
          /* Like Python's dict built row by row: the image's last box wins. */
          const CxrGtDictBox *box = &boxes[GPOINTER_TO_UINT (g_hash_table_lookup (last_of_image, boxes[i].image))];
          if (dict->shape == CXR_GT_DICT_SHAPE_BOX)
            write_box (w, boxes[i].image, box);
          else
            write_labelled (w, boxes[i].image, box, FALSE);
          continue;
        }
      cxr_json_writer_begin_array (w, boxes[i].image, CXR_JSON_BLOCK);
      for (guint j = i; j < n; j++)
        if (strcmp (boxes[j].image, boxes[i].image) == 0)
          {
            if (dict->shape == CXR_GT_DICT_SHAPE_BOX_LIST)
              write_box (w, NULL, &boxes[j]);
            else
              write_labelled (w, NULL, &boxes[j], FALSE);
          }
      cxr_json_writer_end (w);
    }
  cxr_json_writer_end (w);
  return cxr_json_writer_free_to_text (g_steal_pointer (&w), NULL);
}

/* The atomic writer's read-back: what is about to replace gt_dict.json reads as a gt_dict. */
static gboolean
verify_saved (GBytes *contents, const char *path, gpointer user_data, GError **error)
{
  gsize length;
  const char *data = g_bytes_get_data (contents, &length);
  g_autofree char *text = g_malloc (length + 1);
  memcpy (text, data, length);
  text[length] = '\0';
  g_autoptr (CxrGtDict) dict = parse_text (path, text, length, error);
  return dict != NULL;
}

gboolean
cxr_gt_dict_save (const CxrGtDict *dict, const char *path, GError **error)
{
  g_autofree char *json = cxr_gt_dict_to_json (dict);
  g_autofree char *backup = g_strconcat (path, "~", NULL);
  CxrAtomicOptions options = { .backup_path = backup, .verify = verify_saved };
  return cxr_atomic_file_set_contents_full (path, json, strlen (json), &options, error);
}

/* ---- following BB.csv ------------------------------------------------------------------------------------ */

static gboolean
near (double a, double b)
{
  return fabs (a - b) <= 1e-6;
}

GHashTable *
cxr_gt_dict_match_labels (const CxrGtDict *dict, CxrBBoxStore *store)
{
  GHashTable *labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < dict->boxes->len; i++)
    {
      const CxrGtDictBox *box = &g_array_index (dict->boxes, CxrGtDictBox, i);
      g_autoptr (GArray) rows = cxr_bbox_store_list_for_image (store, box->image);
      for (guint j = 0; j < rows->len; j++)
        {
          const CxrBBox *row = &g_array_index (rows, CxrBBox, j);
          if (near (row->x, box->x) && near (row->y, box->y) && near (row->w, box->w) && near (row->h, box->h))
            g_hash_table_add (labels, g_strdup (row->label));
        }
    }
  return labels;
}

gboolean
cxr_gt_dict_sync (const char *path, CxrBBoxStore *store, GError **error)
{
  g_autoptr (CxrGtDict) old = cxr_gt_dict_load (path, error);
  if (old == NULL)
    {
      /* The caller saved BB.csv already: say so, or the edit looks lost. */
      g_autofree char *bb_name = g_path_get_basename (cxr_bbox_store_get_path (store));
      g_prefix_error (error, "%s is saved, but %s was left as it was: ", bb_name, path);
      return FALSE;
    }

  /* Which labels the file was made of: its own, or those of the BB.csv boxes it repeats. */
  g_autoptr (GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < old->boxes->len; i++)
    {
      const char *label = g_array_index (old->boxes, CxrGtDictBox, i).label;
      if (label != NULL)
        g_hash_table_add (labels, g_strdup (label));
    }
  if (g_hash_table_size (labels) == 0)
    {
      g_hash_table_unref (labels);
      labels = cxr_gt_dict_match_labels (old, store);
    }

  g_autoptr (CxrGtDict) dict = cxr_gt_dict_new (old->shape, old->indent);
  g_autoptr (GArray) rows = cxr_bbox_store_list (store);
  for (guint i = 0; i < rows->len; i++)
    {
      const CxrBBox *row = &g_array_index (rows, CxrBBox, i);
      if (g_hash_table_size (labels) == 0 || g_hash_table_contains (labels, row->label))
        cxr_gt_dict_add (dict, row->image, row->label, row->x, row->y, row->w, row->h);
    }
  return cxr_gt_dict_save (dict, path, error);
}
