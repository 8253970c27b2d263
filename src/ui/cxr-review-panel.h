/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-review-panel.h: the reader's review of the image on screen: a verdict on the model's answer (agree,
 * disagree, unsure), a Reviewed toggle, a note, and the dataset's progress ("31 of 52 reviewed").
 *
 * It only shows and reports: "verdict-chosen" (a CxrVerdict), "reviewed-toggled" (gboolean) and "note-changed"
 * (the text) fire on the user's changes, never on cxr_review_panel_show_entry. */
#pragma once

#include <gtk/gtk.h>

#include "cxr-review.h"

G_BEGIN_DECLS

#define CXR_TYPE_REVIEW_PANEL (cxr_review_panel_get_type ())
G_DECLARE_FINAL_TYPE (CxrReviewPanel, cxr_review_panel, CXR, REVIEW_PANEL, GtkWidget)

GtkWidget *cxr_review_panel_new (void);

/* The image's review; NULL when no image (or no review file) is open: the panel is then insensitive. */
void       cxr_review_panel_show_entry (CxrReviewPanel *self, const CxrReviewEntry *entry);
void       cxr_review_panel_set_progress (CxrReviewPanel *self, guint n_reviewed, guint n_images);
/* Puts the keyboard in the note, for typing at once. */
void       cxr_review_panel_focus_note (CxrReviewPanel *self);

G_END_DECLS
