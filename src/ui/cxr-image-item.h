/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-item.h: one row of the image list: a small object made on demand for a visible dataset entry.
 *
 * It copies what a row shows (name, findings, result, reviewed) so that rows never reach into the dataset, and
 * notifies when the list model updates it. Its thumbnail arrives later from a worker; disposing the item cancels
 * the request, so rows scrolled past never cost a decode.
 */
#pragma once

#include <gdk/gdk.h>

#include "cxr-results.h"

G_BEGIN_DECLS

#define CXR_TYPE_IMAGE_ITEM (cxr_image_item_get_type ())
G_DECLARE_FINAL_TYPE (CxrImageItem, cxr_image_item, CXR, IMAGE_ITEM, GObject)

CxrImageItem *cxr_image_item_new            (guint index, const char *name, guint32 findings, guint n_boxes);

guint         cxr_image_item_get_index      (CxrImageItem *self);
const char   *cxr_image_item_get_name       (CxrImageItem *self);
/* What the list shows: the name, or while the list is anonymised a label made from its hash. Notifies
 * "display-name". */
const char   *cxr_image_item_get_display_name (CxrImageItem *self);
void          cxr_image_item_set_anonymous  (CxrImageItem *self, gboolean anonymous);
/* "Image 3f2a9c01": the first eight hex digits of SHA-256 of @name. */
char         *cxr_image_anonymous_name      (const char *name);
guint32       cxr_image_item_get_findings   (CxrImageItem *self);
guint         cxr_image_item_get_n_boxes    (CxrImageItem *self);
/* The boxes were edited. Notifies "n-boxes". */
void          cxr_image_item_set_n_boxes    (CxrImageItem *self, guint n_boxes);

GdkPaintable *cxr_image_item_get_thumbnail  (CxrImageItem *self);
void          cxr_image_item_set_thumbnail  (CxrImageItem *self, GdkPaintable *thumbnail);
/* Cancelled when the item goes away. */
GCancellable *cxr_image_item_get_cancellable (CxrImageItem *self);

/* NULL when there is no result. Notifies "result". */
const CxrImageResult *cxr_image_item_get_result (CxrImageItem *self);
void          cxr_image_item_set_result     (CxrImageItem *self, const CxrImageResult *result);

gboolean      cxr_image_item_get_reviewed   (CxrImageItem *self);
void          cxr_image_item_set_reviewed   (CxrImageItem *self, gboolean reviewed);

G_END_DECLS
