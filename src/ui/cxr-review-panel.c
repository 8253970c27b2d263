/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-review-panel.c: see cxr-review-panel.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-review-panel.h"

struct _CxrReviewPanel {
  GtkWidget parent_instance;

  /* template widgets */
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
  GtkToggleButton *agree_button;
  GtkToggleButton *disagree_button;
  GtkToggleButton *unsure_button;
  GtkToggleButton *reviewed_button;
  GtkEntry *note_entry;

  gboolean showing;   /* the widgets are being set to an entry: no signals */
};

G_DEFINE_FINAL_TYPE (CxrReviewPanel, cxr_review_panel, GTK_TYPE_WIDGET)

enum {
  VERDICT_CHOSEN,
  REVIEWED_TOGGLED,
  NOTE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_verdict_toggled (GtkToggleButton *button, CxrReviewPanel *self)
{
  if (self->showing || !gtk_toggle_button_get_active (button))
    return;
  CxrVerdict verdict = button == self->agree_button ? CXR_VERDICT_AGREE
                       : button == self->disagree_button ? CXR_VERDICT_DISAGREE : CXR_VERDICT_UNSURE;
  g_signal_emit (self, signals[VERDICT_CHOSEN], 0, (int) verdict);
}

static void
on_reviewed_toggled (GtkToggleButton *button, CxrReviewPanel *self)
{
  if (!self->showing)
    g_signal_emit (self, signals[REVIEWED_TOGGLED], 0, gtk_toggle_button_get_active (button));
}

static void
on_note_changed (GtkEditable *editable, CxrReviewPanel *self)
{
  if (!self->showing)
    g_signal_emit (self, signals[NOTE_CHANGED], 0, gtk_editable_get_text (editable));
}

/* Enter hands the keys back to the window, so that D goes on to the next image. */
static void
on_note_activate (GtkEntry *entry, CxrReviewPanel *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.focus-list", NULL);
}

void
cxr_review_panel_show_entry (CxrReviewPanel *self, const CxrReviewEntry *entry)
{
  g_return_if_fail (CXR_IS_REVIEW_PANEL (self));

  self->showing = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self), entry != NULL);
  CxrVerdict verdict = entry != NULL ? entry->verdict : CXR_VERDICT_NONE;
  /* A group of toggle buttons cannot be all off; setting the active one inactive does that. */
  gtk_toggle_button_set_active (self->agree_button, verdict == CXR_VERDICT_AGREE);
  gtk_toggle_button_set_active (self->disagree_button, verdict == CXR_VERDICT_DISAGREE);
  gtk_toggle_button_set_active (self->unsure_button, verdict == CXR_VERDICT_UNSURE);
  gtk_toggle_button_set_active (self->reviewed_button, entry != NULL && entry->reviewed);
  const char *note = entry != NULL ? entry->note : "";
  /* Only when it differs: the user may be typing it. */
  if (g_strcmp0 (note, gtk_editable_get_text (GTK_EDITABLE (self->note_entry))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->note_entry), note);
  self->showing = FALSE;
}

void
cxr_review_panel_set_progress (CxrReviewPanel *self, guint n_reviewed, guint n_images)
{
  g_return_if_fail (CXR_IS_REVIEW_PANEL (self));

  /* Translators: review progress, e.g. "31 of 52 reviewed" */
  g_autofree char *text = g_strdup_printf (ngettext ("%u of %u reviewed", "%u of %u reviewed", n_images),
                                           n_reviewed, n_images);
  gtk_label_set_label (self->progress_label, n_images > 0 ? text : "");
  gtk_progress_bar_set_fraction (self->progress_bar, n_images > 0 ? (double) n_reviewed / n_images : 0.0);
}

void
cxr_review_panel_focus_note (CxrReviewPanel *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->note_entry));
}

static void
cxr_review_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CXR_TYPE_REVIEW_PANEL);
  /* The template's root box is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cxr_review_panel_parent_class)->dispose (object);
}

static void
cxr_review_panel_class_init (CxrReviewPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_review_panel_dispose;

  signals[VERDICT_CHOSEN] = g_signal_new ("verdict-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  signals[REVIEWED_TOGGLED] = g_signal_new ("reviewed-toggled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[NOTE_CHANGED] = g_signal_new ("note-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-review-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, agree_button);
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, disagree_button);
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, unsure_button);
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, reviewed_button);
  gtk_widget_class_bind_template_child (widget_class, CxrReviewPanel, note_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_verdict_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_reviewed_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_note_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_note_activate);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "reviewpanel");
}

static void
cxr_review_panel_init (CxrReviewPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cxr_review_panel_show_entry (self, NULL);
}

GtkWidget *
cxr_review_panel_new (void)
{
  return g_object_new (CXR_TYPE_REVIEW_PANEL, NULL);
}
