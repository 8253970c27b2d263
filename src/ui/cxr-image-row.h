/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-row.h: how one image looks in the list: thumbnail, name, findings as chips, the model's answer. */
#pragma once

#include <gtk/gtk.h>

#include "cxr-image-item.h"

G_BEGIN_DECLS

#define CXR_TYPE_IMAGE_ROW (cxr_image_row_get_type ())
G_DECLARE_FINAL_TYPE (CxrImageRow, cxr_image_row, CXR, IMAGE_ROW, GtkWidget)

GtkWidget    *cxr_image_row_new      (void);
/* Binds the row to @item (NULL: unbinds). */
void          cxr_image_row_set_item (CxrImageRow *self, CxrImageItem *item);
CxrImageItem *cxr_image_row_get_item (CxrImageRow *self);

/* The text the row shows for a result, e.g. "Positive 0.87 · IoU 0.42"; NULL for none. */
char         *cxr_image_row_format_result (const CxrImageResult *result);

G_END_DECLS
