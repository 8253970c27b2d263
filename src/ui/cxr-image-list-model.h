/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-list-model.h: the dataset's images as a GListModel of CxrImageItem, filtered and searched.
 *
 * Positions map to dataset entry indices through one array (ascending, so a lookup is a binary search); an item
 * is made when a row asks for it and forgotten when the last row lets it go. Thumbnails are requested from the
 * thumbnailer when an item is made, and the finished textures are kept in a bounded cache so that scrolling back
 * shows them at once. Results and review flags reach the live items as they change.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-dataset.h"
#include "cxr-results.h"
#include "cxr-review.h"
#include "cxr-thumbnail.h"

G_BEGIN_DECLS

typedef enum {
  CXR_IMAGE_FILTER_ALL,
  CXR_IMAGE_FILTER_CARDIOMEGALY,
  CXR_IMAGE_FILTER_NO_FINDING,
  CXR_IMAGE_FILTER_HAS_BOXES,
  CXR_IMAGE_FILTER_REVIEWED,
  CXR_IMAGE_FILTER_NOT_REVIEWED,
  CXR_IMAGE_FILTER_PREDICTED_POSITIVE,
  CXR_IMAGE_FILTER_PREDICTED_NEGATIVE,
  CXR_IMAGE_FILTER_IOU_BELOW,
  CXR_IMAGE_FILTER_AGREED,      /* the reader's verdict on the model's answer */
  CXR_IMAGE_FILTER_DISAGREED,
  CXR_IMAGE_FILTER_UNSURE,
  CXR_IMAGE_FILTER_EDITED,      /* boxes changed since the dataset was opened */
  CXR_N_IMAGE_FILTERS
} CxrImageFilter;

#define CXR_TYPE_IMAGE_LIST_MODEL (cxr_image_list_model_get_type ())
G_DECLARE_FINAL_TYPE (CxrImageListModel, cxr_image_list_model, CXR, IMAGE_LIST_MODEL, GObject)

/* @review and @thumbnailer may be NULL (no review flags, no thumbnails). */
CxrImageListModel *cxr_image_list_model_new (CxrDataset *dataset, CxrResults *results, CxrReview *review,
                                             CxrThumbnailer *thumbnailer);

CxrDataset *cxr_image_list_model_get_dataset (CxrImageListModel *self);
CxrResults *cxr_image_list_model_get_results (CxrImageListModel *self);
CxrReview  *cxr_image_list_model_get_review (CxrImageListModel *self);

/* Each setter refilters at once. */
void        cxr_image_list_model_set_filter (CxrImageListModel *self, CxrImageFilter filter);
CxrImageFilter cxr_image_list_model_get_filter (CxrImageListModel *self);
void        cxr_image_list_model_set_iou_below (CxrImageListModel *self, double iou);
void        cxr_image_list_model_set_search (CxrImageListModel *self, const char *text);
/* Only these entries (ascending), on top of the filter and the search; NULL: no such restriction. */
void        cxr_image_list_model_set_subset (CxrImageListModel *self, GArray *entries);
/* Filters again with the current settings (results or review flags changed what passes). */
void        cxr_image_list_model_refilter (CxrImageListModel *self);

/* The entry index at a position, or G_MAXUINT. */
guint       cxr_image_list_model_get_entry (CxrImageListModel *self, guint position);
/* The position of an entry index, or GTK_INVALID_LIST_POSITION (G_MAXUINT) when it is filtered out. */
guint       cxr_image_list_model_find_entry (CxrImageListModel *self, guint index);
/* Every visible entry index, in list order. */
GArray     *cxr_image_list_model_dup_entries (CxrImageListModel *self);
/* Every entry that has an image file, in the dataset's order (before filtering): what "all images" means. */
GArray     *cxr_image_list_model_dup_images (CxrImageListModel *self);
/* Number of images in the dataset (before filtering). */
guint       cxr_image_list_model_get_n_images (CxrImageListModel *self);

/* Tells live items that an entry's ground-truth boxes changed (G_MAXUINT: any entry's); the list keeps its rows
 * (an image whose last box went stays under "has boxes" until the filter runs again), as a row that vanished
 * under the pointer while editing would lose the reader's place. */
void        cxr_image_list_model_boxes_changed (CxrImageListModel *self, guint index);
/* Rows show "Image 3f2a9c01" (cxr_image_anonymous_name) instead of the file name. */
void        cxr_image_list_model_set_anonymous (CxrImageListModel *self, gboolean anonymous);
/* Tells live items that an entry's review flag changed. */
void        cxr_image_list_model_review_changed (CxrImageListModel *self, guint index);

G_END_DECLS
