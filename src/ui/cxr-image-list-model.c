/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-list-model.c: positions -> entry indices -> items made on demand. */
#include "config.h"

#include <gdk/gdk.h>
#include <string.h>

#include "cxr-bbox-snapshot.h"
#include "cxr-error.h"
#include "cxr-image-item.h"
#include "cxr-image-list-model.h"

/* Thumbnails kept after their rows went away: enough for a few screens of scrolling back and forth, bounded so
 * that a 112,000-image table does not keep them all (each is at most 128 x 128 RGB, 48 KB). */
#define THUMBNAIL_CACHE_SIZE 1024

struct _CxrImageListModel {
  GObject parent_instance;

  /* owned */
  CxrDataset *dataset;
  CxrResults *results;
  CxrReview *review;
  CxrThumbnailer *thumbnailer;
  GArray *images;          /* guint: every entry that has an image file */
  GArray *visible;         /* guint: the entries that pass the filter, ascending */
  GHashTable *items;       /* GUINT index -> CxrImageItem*, weak: removed when the item is finalized */
  GHashTable *thumbnails;  /* GUINT index -> GdkTexture* */
  GQueue thumbnail_order;  /* indices, oldest first */
  char *search;            /* casefolded, NULL: none */
  GArray *subset;          /* guint, ascending: only these entries; NULL: all */

  CxrImageFilter filter;
  double iou_below;
  CxrBBoxSnapshot *boxes_then;   /* the boxes when the dataset was opened: "edited since opened" */
  gboolean anonymous;            /* rows show a hash of the name (issue 16, privacy) */
  GHashTable *anonymous_folded;  /* GUINT index -> the casefolded anonymous name, made as searches need them */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CxrImageListModel, cxr_image_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* ---- filtering ---------------------------------------------------------- */

/* The name the row shows, casefolded. While the list is anonymised that is "Image 3f2a9c01", never the file name:
 * a search must not find a patient by the name the screen hides (issue 16, privacy). The hashes are kept, since
 * every keystroke searches the whole list again. */
static const char *
shown_name_folded (CxrImageListModel *self, guint index, const CxrDatasetEntry *entry, char **owned)
{
  if (!self->anonymous)
    return *owned = g_utf8_casefold (entry->name, -1);
  const char *folded = g_hash_table_lookup (self->anonymous_folded, GUINT_TO_POINTER (index));
  if (folded == NULL)
    {
      g_autofree char *anonymous = cxr_image_anonymous_name (entry->name);
      folded = g_utf8_casefold (anonymous, -1);
      g_hash_table_insert (self->anonymous_folded, GUINT_TO_POINTER (index), (char *) folded);
    }
  return folded;
}

static gboolean
matches_search (CxrImageListModel *self, guint index, const CxrDatasetEntry *entry)
{
  if (self->search == NULL)
    return TRUE;

  g_autofree char *owned = NULL;
  if (strstr (shown_name_folded (self, index, entry, &owned), self->search) != NULL)
    return TRUE;
  /* Findings match too: "effusion" lists every image labelled with it. */
  g_autofree char *findings = cxr_finding_format_list (entry->findings);
  g_autofree char *folded = g_utf8_casefold (findings, -1);
  return strstr (folded, self->search) != NULL;
}

static gboolean
is_reviewed (CxrImageListModel *self, const CxrDatasetEntry *entry)
{
  CxrReviewEntry review;
  return self->review != NULL && cxr_review_lookup (self->review, entry->name, &review) && review.reviewed;
}

static gboolean
has_verdict (CxrImageListModel *self, const CxrDatasetEntry *entry, CxrVerdict verdict)
{
  CxrReviewEntry review;
  return self->review != NULL && cxr_review_lookup (self->review, entry->name, &review) && review.verdict == verdict;
}

static gboolean
matches_filter (CxrImageListModel *self, guint index, const CxrDatasetEntry *entry)
{
  const CxrImageResult *result = cxr_results_lookup (self->results, index);

  switch (self->filter)
    {
    case CXR_IMAGE_FILTER_CARDIOMEGALY:
      return (entry->findings & CXR_FINDING_CARDIOMEGALY) != 0;
    case CXR_IMAGE_FILTER_NO_FINDING:
      return (entry->findings & CXR_FINDING_NO_FINDING) != 0;
    case CXR_IMAGE_FILTER_HAS_BOXES:
      {
        CxrBBoxStore *store = cxr_dataset_get_bbox_store (self->dataset);
        g_autoptr (GArray) boxes = store ? cxr_bbox_store_list_for_image (store, entry->name) : NULL;
        return boxes != NULL && boxes->len > 0;
      }
    case CXR_IMAGE_FILTER_EDITED:
      return cxr_bbox_snapshot_is_edited (self->boxes_then, entry->name);
    case CXR_IMAGE_FILTER_REVIEWED:
      return is_reviewed (self, entry);
    case CXR_IMAGE_FILTER_NOT_REVIEWED:
      return !is_reviewed (self, entry);
    case CXR_IMAGE_FILTER_PREDICTED_POSITIVE:
      return result != NULL && (result->flags & CXR_RESULT_PREDICTED) && result->positive;
    case CXR_IMAGE_FILTER_PREDICTED_NEGATIVE:
      return result != NULL && (result->flags & CXR_RESULT_PREDICTED) && !result->positive;
    case CXR_IMAGE_FILTER_IOU_BELOW:
      return result != NULL && (result->flags & CXR_RESULT_LOCALISED) && result->iou < self->iou_below;
    case CXR_IMAGE_FILTER_AGREED:
      return has_verdict (self, entry, CXR_VERDICT_AGREE);
    case CXR_IMAGE_FILTER_DISAGREED:
      return has_verdict (self, entry, CXR_VERDICT_DISAGREE);
    case CXR_IMAGE_FILTER_UNSURE:
      return has_verdict (self, entry, CXR_VERDICT_UNSURE);
    case CXR_IMAGE_FILTER_ALL:
    default:
      return TRUE;
    }
}

static gint
compare_guint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return (x > y) - (x < y);
}

static gboolean
in_subset (CxrImageListModel *self, guint index)
{
  if (self->subset == NULL)
    return TRUE;
  guint low = 0, high = self->subset->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      guint value = g_array_index (self->subset, guint, middle);
      if (value == index)
        return TRUE;
      if (value < index)
        low = middle + 1;
      else
        high = middle;
    }
  return FALSE;
}

void
cxr_image_list_model_set_subset (CxrImageListModel *self, GArray *entries)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  g_clear_pointer (&self->subset, g_array_unref);
  if (entries != NULL)
    {
      self->subset = g_array_copy (entries);
      g_array_sort (self->subset, compare_guint);
    }
  cxr_image_list_model_refilter (self);
}

void
cxr_image_list_model_refilter (CxrImageListModel *self)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  guint old_length = self->visible->len;
  g_autoptr (GArray) visible = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->images->len);

  for (guint i = 0; i < self->images->len; i++)
    {
      guint index = g_array_index (self->images, guint, i);
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, index);
      if (in_subset (self, index) && matches_filter (self, index, entry) && matches_search (self, index, entry))
        g_array_append_val (visible, index);
    }

  /* Nothing changed: tell nobody, so that selection and scrolling stay put. (An empty GArray's data may be NULL,
   * which memcmp must not be given even for 0 bytes.) */
  if (visible->len == old_length
      && (old_length == 0 || memcmp (visible->data, self->visible->data, sizeof (guint) * old_length) == 0))
    return;

  g_array_unref (self->visible);
  self->visible = g_steal_pointer (&visible);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_length, self->visible->len);
}

void
cxr_image_list_model_set_filter (CxrImageListModel *self, CxrImageFilter filter)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  if (filter >= CXR_N_IMAGE_FILTERS)
    filter = CXR_IMAGE_FILTER_ALL;
  if (filter == self->filter)
    return;
  self->filter = filter;
  cxr_image_list_model_refilter (self);
}

CxrImageFilter
cxr_image_list_model_get_filter (CxrImageListModel *self)
{
  return self->filter;
}

void
cxr_image_list_model_set_iou_below (CxrImageListModel *self, double iou)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  if (iou == self->iou_below)
    return;
  self->iou_below = iou;
  if (self->filter == CXR_IMAGE_FILTER_IOU_BELOW)
    cxr_image_list_model_refilter (self);
}

void
cxr_image_list_model_set_search (CxrImageListModel *self, const char *text)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  g_autofree char *folded = stripped[0] ? g_utf8_casefold (stripped, -1) : NULL;
  if (g_strcmp0 (folded, self->search) == 0)
    return;
  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  cxr_image_list_model_refilter (self);
}

guint
cxr_image_list_model_get_entry (CxrImageListModel *self, guint position)
{
  g_return_val_if_fail (CXR_IS_IMAGE_LIST_MODEL (self), G_MAXUINT);

  if (position >= self->visible->len)
    return G_MAXUINT;
  return g_array_index (self->visible, guint, position);
}

guint
cxr_image_list_model_find_entry (CxrImageListModel *self, guint index)
{
  g_return_val_if_fail (CXR_IS_IMAGE_LIST_MODEL (self), G_MAXUINT);

  guint low = 0, high = self->visible->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      guint value = g_array_index (self->visible, guint, middle);
      if (value == index)
        return middle;
      if (value < index)
        low = middle + 1;
      else
        high = middle;
    }
  return G_MAXUINT;
}

GArray *
cxr_image_list_model_dup_entries (CxrImageListModel *self)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->visible->len);
  g_array_append_vals (copy, self->visible->data, self->visible->len);
  return copy;
}

GArray *
cxr_image_list_model_dup_images (CxrImageListModel *self)
{
  GArray *images = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->images->len);
  g_array_append_vals (images, self->images->data, self->images->len);
  return images;
}

guint
cxr_image_list_model_get_n_images (CxrImageListModel *self)
{
  return self->images->len;
}

/* ---- thumbnails --------------------------------------------------------- */

typedef struct {
  GWeakRef model;
  GWeakRef item;
  guint index;
} ThumbnailRequest;

static void
thumbnail_request_free (ThumbnailRequest *request)
{
  g_weak_ref_clear (&request->model);
  g_weak_ref_clear (&request->item);
  g_free (request);
}

static void
cache_thumbnail (CxrImageListModel *self, guint index, GdkTexture *texture)
{
  if (g_hash_table_contains (self->thumbnails, GUINT_TO_POINTER (index)))
    return;
  g_hash_table_insert (self->thumbnails, GUINT_TO_POINTER (index), g_object_ref (texture));
  g_queue_push_tail (&self->thumbnail_order, GUINT_TO_POINTER (index));
  while (self->thumbnail_order.length > THUMBNAIL_CACHE_SIZE)
    g_hash_table_remove (self->thumbnails, g_queue_pop_head (&self->thumbnail_order));
}

static void
on_thumbnail_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ThumbnailRequest *request = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = cxr_thumbnailer_load_finish (CXR_THUMBNAILER (source), result, NULL, &error);
  g_autoptr (CxrImageListModel) self = g_weak_ref_get (&request->model);
  g_autoptr (CxrImageItem) item = g_weak_ref_get (&request->item);

  if (pixbuf == NULL)
    {
      /* A broken image shows no thumbnail; opening it explains why. Cancelled requests are expected. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("thumbnail: %s", error->message);
      thumbnail_request_free (request);
      return;
    }

  /* Wraps the pixbuf's pixels; no copy, no decoding here. */
  g_autoptr (GdkTexture) texture = gdk_texture_new_for_pixbuf (pixbuf);
  if (self != NULL)
    cache_thumbnail (self, request->index, texture);
  if (item != NULL)
    cxr_image_item_set_thumbnail (item, GDK_PAINTABLE (texture));
  thumbnail_request_free (request);
}

static void
request_thumbnail (CxrImageListModel *self, CxrImageItem *item)
{
  guint index = cxr_image_item_get_index (item);
  GdkTexture *cached = g_hash_table_lookup (self->thumbnails, GUINT_TO_POINTER (index));

  if (cached != NULL)
    {
      cxr_image_item_set_thumbnail (item, GDK_PAINTABLE (cached));
      return;
    }
  if (self->thumbnailer == NULL)
    return;

  g_autofree char *path = cxr_dataset_dup_image_path (self->dataset, index);
  if (path == NULL)
    return;

  ThumbnailRequest *request = g_new0 (ThumbnailRequest, 1);
  g_weak_ref_init (&request->model, self);
  g_weak_ref_init (&request->item, item);
  request->index = index;
  cxr_thumbnailer_load_async (self->thumbnailer, path, cxr_image_item_get_cancellable (item),
                              on_thumbnail_loaded, request);
}

/* ---- items -------------------------------------------------------------- */

static void
item_finalized (gpointer data, GObject *where_the_object_was)
{
  CxrImageListModel *self = data;
  GHashTableIter iter;
  gpointer value;

  /* The item is gone; its index is not readable any more, so find it by address (the table is small: only
   * live rows). */
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == (gpointer) where_the_object_was)
      {
        g_hash_table_iter_remove (&iter);
        break;
      }
}

static void
update_item (CxrImageListModel *self, CxrImageItem *item)
{
  guint index = cxr_image_item_get_index (item);
  const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, index);

  cxr_image_item_set_result (item, cxr_results_lookup (self->results, index));
  cxr_image_item_set_reviewed (item, is_reviewed (self, entry));
}

static GType
cxr_image_list_model_get_item_type (GListModel *model)
{
  return CXR_TYPE_IMAGE_ITEM;
}

static guint
cxr_image_list_model_get_n_items (GListModel *model)
{
  return CXR_IMAGE_LIST_MODEL (model)->visible->len;
}

static gpointer
cxr_image_list_model_get_item (GListModel *model, guint position)
{
  CxrImageListModel *self = CXR_IMAGE_LIST_MODEL (model);

  if (position >= self->visible->len)
    return NULL;

  guint index = g_array_index (self->visible, guint, position);
  CxrImageItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (index));
  if (item != NULL)
    return g_object_ref (item);

  const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, index);
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (self->dataset);
  g_autoptr (GArray) boxes = store ? cxr_bbox_store_list_for_image (store, entry->name) : NULL;

  item = cxr_image_item_new (index, entry->name, entry->findings, boxes ? boxes->len : 0);
  cxr_image_item_set_anonymous (item, self->anonymous);
  g_hash_table_insert (self->items, GUINT_TO_POINTER (index), item);
  g_object_weak_ref (G_OBJECT (item), item_finalized, self);
  update_item (self, item);
  request_thumbnail (self, item);
  return item;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cxr_image_list_model_get_item_type;
  iface->get_n_items = cxr_image_list_model_get_n_items;
  iface->get_item = cxr_image_list_model_get_item;
}

static void
on_results_changed (CxrResults *results, guint index, CxrImageListModel *self)
{
  if (index == G_MAXUINT)
    {
      GHashTableIter iter;
      gpointer value;
      g_hash_table_iter_init (&iter, self->items);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        update_item (self, value);
      return;
    }

  CxrImageItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (index));
  if (item != NULL)
    update_item (self, item);
}

static void
update_n_boxes (CxrImageListModel *self, CxrImageItem *item)
{
  const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, cxr_image_item_get_index (item));
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (self->dataset);
  g_autoptr (GArray) boxes = store ? cxr_bbox_store_list_for_image (store, entry->name) : NULL;
  cxr_image_item_set_n_boxes (item, boxes ? boxes->len : 0);
}

void
cxr_image_list_model_boxes_changed (CxrImageListModel *self, guint index)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  CxrBBoxStore *store = cxr_dataset_get_bbox_store (self->dataset);
  if (index == G_MAXUINT)
    {
      cxr_bbox_snapshot_update (self->boxes_then, store, NULL);
      GHashTableIter iter;
      gpointer value;
      g_hash_table_iter_init (&iter, self->items);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        update_n_boxes (self, value);
    }
  else
    {
      cxr_bbox_snapshot_update (self->boxes_then, store, cxr_dataset_get_entry (self->dataset, index)->name);
      CxrImageItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (index));
      if (item != NULL)
        update_n_boxes (self, item);
    }
  /* An edited image joins the list as it is edited (and leaves it when the edit is undone). */
  if (self->filter == CXR_IMAGE_FILTER_EDITED)
    cxr_image_list_model_refilter (self);
}

void
cxr_image_list_model_set_anonymous (CxrImageListModel *self, gboolean anonymous)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));
  self->anonymous = anonymous;
  GHashTableIter iter;
  gpointer item;
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &item))
    cxr_image_item_set_anonymous (item, anonymous);
  /* The search matches the shown names: what it finds changes with them. */
  if (self->search != NULL)
    cxr_image_list_model_refilter (self);
}

void
cxr_image_list_model_review_changed (CxrImageListModel *self, guint index)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST_MODEL (self));

  CxrImageItem *item = g_hash_table_lookup (self->items, GUINT_TO_POINTER (index));
  if (item != NULL)
    update_item (self, item);
}

CxrDataset *
cxr_image_list_model_get_dataset (CxrImageListModel *self)
{
  return self->dataset;
}

CxrResults *
cxr_image_list_model_get_results (CxrImageListModel *self)
{
  return self->results;
}

CxrReview *
cxr_image_list_model_get_review (CxrImageListModel *self)
{
  return self->review;
}

static void
cxr_image_list_model_dispose (GObject *object)
{
  CxrImageListModel *self = CXR_IMAGE_LIST_MODEL (object);
  GHashTableIter iter;
  gpointer value;

  /* Items may outlive the model (a row still holds one); they must not call back into it. */
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_object_weak_unref (value, item_finalized, self);
  g_hash_table_remove_all (self->items);

  if (self->results != NULL)
    g_signal_handlers_disconnect_by_func (self->results, on_results_changed, self);
  g_clear_object (&self->results);
  g_clear_object (&self->review);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->dataset);

  G_OBJECT_CLASS (cxr_image_list_model_parent_class)->dispose (object);
}

static void
cxr_image_list_model_finalize (GObject *object)
{
  CxrImageListModel *self = CXR_IMAGE_LIST_MODEL (object);

  g_hash_table_unref (self->items);
  g_hash_table_unref (self->thumbnails);
  g_queue_clear (&self->thumbnail_order);
  g_array_unref (self->images);
  g_array_unref (self->visible);
  g_free (self->search);
  g_hash_table_unref (self->anonymous_folded);
  g_clear_pointer (&self->subset, g_array_unref);
  g_clear_pointer (&self->boxes_then, cxr_bbox_snapshot_free);

  G_OBJECT_CLASS (cxr_image_list_model_parent_class)->finalize (object);
}

static void
cxr_image_list_model_class_init (CxrImageListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cxr_image_list_model_dispose;
  object_class->finalize = cxr_image_list_model_finalize;
}

static void
cxr_image_list_model_init (CxrImageListModel *self)
{
  self->items = g_hash_table_new (NULL, NULL);
  self->anonymous_folded = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->thumbnails = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  g_queue_init (&self->thumbnail_order);
  self->visible = g_array_new (FALSE, FALSE, sizeof (guint));
  self->iou_below = 0.5;
}

CxrImageListModel *
cxr_image_list_model_new (CxrDataset *dataset, CxrResults *results, CxrReview *review, CxrThumbnailer *thumbnailer)
{
  g_return_val_if_fail (CXR_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (CXR_IS_RESULTS (results), NULL);

  CxrImageListModel *self = g_object_new (CXR_TYPE_IMAGE_LIST_MODEL, NULL);
  self->dataset = g_object_ref (dataset);
  self->results = g_object_ref (results);
  self->review = review ? g_object_ref (review) : NULL;
  self->thumbnailer = thumbnailer ? g_object_ref (thumbnailer) : NULL;

  CxrDatasetFilter with_images = { .has_image = CXR_DATASET_YES };
  self->images = cxr_dataset_filter (dataset, &with_images);
  self->boxes_then = cxr_bbox_snapshot_new (cxr_dataset_get_bbox_store (dataset));
  g_signal_connect (results, "changed", G_CALLBACK (on_results_changed), self);
  cxr_image_list_model_refilter (self);
  return self;
}
