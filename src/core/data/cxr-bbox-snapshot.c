/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-snapshot.c: each image's boxes as one string (label and rect a line, exact numbers), compared. */
#include "cxr-bbox-snapshot.h"

#include "cxr-format.h"

struct _CxrBBoxSnapshot {
  GHashTable *then;     /* image -> its boxes' signature when the snapshot was taken */
  GHashTable *edited;   /* images whose boxes differ now */
};

static void
append_box (GString *signature, const CxrBBox *box)
{
  g_string_append (signature, box->label);
  g_string_append_c (signature, '\t');
  const double v[4] = { box->x, box->y, box->w, box->h };
  for (guint k = 0; k < 4; k++)
    {
      cxr_format_append_double (signature, v[k]);
      g_string_append_c (signature, k < 3 ? ' ' : '\n');
    }
}

/* image -> signature of every image with a box in @store. */
static GHashTable *
signatures (CxrBBoxStore *store)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_free);
  g_autoptr (GArray) boxes = cxr_bbox_store_list (store);
  g_autoptr (GHashTable) building = g_hash_table_new (g_str_hash, g_str_equal);   /* image -> GString */
  for (guint i = 0; i < boxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (boxes, CxrBBox, i);
      GString *signature = g_hash_table_lookup (building, box->image);
      if (signature == NULL)
        {
          signature = g_string_new (NULL);
          g_hash_table_insert (building, (gpointer) box->image, signature);
        }
      append_box (signature, box);
    }
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, building);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (table, g_strdup (key), g_string_free (value, FALSE));
  return table;
}

CxrBBoxSnapshot *
cxr_bbox_snapshot_new (CxrBBoxStore *store)
{
  CxrBBoxSnapshot *snapshot = g_new0 (CxrBBoxSnapshot, 1);
  snapshot->then = signatures (store);
  snapshot->edited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return snapshot;
}

void
cxr_bbox_snapshot_free (CxrBBoxSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_hash_table_unref (snapshot->then);
  g_hash_table_unref (snapshot->edited);
  g_free (snapshot);
}

static void
mark (CxrBBoxSnapshot *snapshot, const char *image, const char *now)
{
  const char *then = g_hash_table_lookup (snapshot->then, image);
  if (g_strcmp0 (then != NULL ? then : "", now != NULL ? now : "") != 0)
    g_hash_table_add (snapshot->edited, g_strdup (image));
  else
    g_hash_table_remove (snapshot->edited, image);
}

void
cxr_bbox_snapshot_update (CxrBBoxSnapshot *snapshot, CxrBBoxStore *store, const char *image)
{
  if (image != NULL)
    {
      g_autoptr (GArray) boxes = cxr_bbox_store_list_for_image (store, image);
      g_autoptr (GString) now = g_string_new (NULL);
      for (guint i = 0; i < boxes->len; i++)
        append_box (now, &g_array_index (boxes, CxrBBox, i));
      mark (snapshot, image, now->str);
      return;
    }
  g_autoptr (GHashTable) now = signatures (store);
  g_hash_table_remove_all (snapshot->edited);
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &key, &value))
    mark (snapshot, key, value);
  g_hash_table_iter_init (&iter, snapshot->then);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (now, key))
      mark (snapshot, key, NULL);
}

gboolean
cxr_bbox_snapshot_is_edited (CxrBBoxSnapshot *snapshot, const char *image)
{
  return g_hash_table_contains (snapshot->edited, image);
}

guint
cxr_bbox_snapshot_count_edited (CxrBBoxSnapshot *snapshot)
{
  return g_hash_table_size (snapshot->edited);
}
