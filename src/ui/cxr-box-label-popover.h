/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-box-label-popover.h: picks the label of a ground-truth box: one of the NIH box labels, or free text.
 *
 * The list shows the labels translated; "label-chosen" (const char *label) gives the name BB.csv stores
 * ("Infiltrate"), or the text typed, stripped. The popover closes itself after a choice. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CXR_TYPE_BOX_LABEL_POPOVER (cxr_box_label_popover_get_type ())
G_DECLARE_FINAL_TYPE (CxrBoxLabelPopover, cxr_box_label_popover, CXR, BOX_LABEL_POPOVER, GtkPopover)

GtkWidget *cxr_box_label_popover_new (void);
/* The label the box has now (or a new box will get): its row is selected and focused, or the entry has it. */
void       cxr_box_label_popover_set_label (CxrBoxLabelPopover *self, const char *label);

G_END_DECLS
