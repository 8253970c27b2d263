/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-list.h: the left-hand list of images: search, filter, the rows, and which image is selected. */
#pragma once

#include <gtk/gtk.h>

#include "cxr-image-list-model.h"

G_BEGIN_DECLS

#define CXR_TYPE_IMAGE_LIST (cxr_image_list_get_type ())
G_DECLARE_FINAL_TYPE (CxrImageList, cxr_image_list, CXR, IMAGE_LIST, GtkWidget)

GtkWidget         *cxr_image_list_new (void);

void               cxr_image_list_set_model (CxrImageList *self, CxrImageListModel *model);
CxrImageListModel *cxr_image_list_get_model (CxrImageList *self);

/* The selected dataset entry, or G_MAXUINT. Notifies "selected-index". */
guint              cxr_image_list_get_selected_index (CxrImageList *self);
/* Selects an entry (if it is in the filtered list) and scrolls to it. */
gboolean           cxr_image_list_select_index (CxrImageList *self, guint index);
/* Moves the selection by @delta rows (clamped); FALSE when it could not move. */
gboolean           cxr_image_list_move_selection (CxrImageList *self, int delta);

void               cxr_image_list_focus_search (CxrImageList *self);
/* Focuses the rows, so that single-key shortcuts (A, D, Space) act instead of typing into the search. */
void               cxr_image_list_focus_rows (CxrImageList *self);
void               cxr_image_list_set_filter (CxrImageList *self, CxrImageFilter filter);
/* Lists only @entries (dataset indices, ascending: a cell of the Summary's confusion matrix) under a bar that says
 * @title and closes the list back to all images. The filter and the search are cleared, so that exactly those
 * images show; the first is selected. NULL closes it. */
void               cxr_image_list_show_subset (CxrImageList *self, GArray *entries, const char *title);

G_END_DECLS
