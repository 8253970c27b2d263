/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-private.h: the window's parts, shared by cxr-window*.c (layout as gnome-text-editor's window). */
#pragma once

#include "cxr-bbox-export.h"
#include "cxr-box-editor.h"
#include "cxr-cam-controls.h"
#include "cxr-compare-view.h"
#include "cxr-current-image.h"
#include "cxr-dataset.h"
#include "cxr-engine.h"
#include "cxr-image-list.h"
#include "cxr-image-list-model.h"
#include "cxr-cam-export.h"
#include "cxr-localisation.h"
#include "cxr-results.h"
#include "cxr-review-panel.h"
#include "cxr-review.h"
#include "cxr-summary-dialog.h"
#include "cxr-thumbnail.h"
#include "cxr-window.h"
#include "cxr-window-level.h"
#include "cxr-ctr-tool.h"
#include "cxr-line-tool.h"

G_BEGIN_DECLS

typedef void (*CxrWindowThen) (CxrWindow *self, gpointer data);

struct _CxrWindow {
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkMenuButton *open_menu_button;
  GtkButton *model_button;
  GtkSpinner *busy_spinner;
  GtkButton *run_button;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkPaned *main_paned;
  CxrImageList *image_list;
  GtkStack *view_stack;
  AdwStatusPage *no_image_page;
  CxrCompareView *compare_view;
  CxrCamControls *cam_controls;
  CxrReviewPanel *review_panel;
  GtkRevealer *controls_revealer;
  GtkRevealer *progress_revealer;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
  GMenu *recent_menu;

  /* Owned references */
  GSettings *settings;
  CxrEngine *engine;
  CxrThumbnailer *thumbnailer;
  CxrPaneContent *content;
  CxrPaneContent *second_content;    /* the second heatmap of the side-by-side view; NULL while it is off */
  CxrCurrentImage *current;
  CxrWindowLevel *window_level;      /* a DICOM image's stored values through the window/level control */
  CxrCtrTool *ctr_tool;              /* the cardiothoracic ratio's calipers (cxr-window-ctr.c) */
  CxrLineTool *line_tool;            /* lines with their lengths (cxr-window-lines.c) */
  CxrDataset *dataset;
  CxrReview *review;
  CxrResults *results;
  CxrImageListModel *list_model;
  GCancellable *open_cancellable;    /* opening a dataset or a model */
  GCancellable *run_cancellable;     /* "run on all" or an export, until its last file is written */
  gboolean run_is_export;
  CxrCamExporter *exporter;          /* borrowed: the export being written, for its progress */
  guint run_done;                    /* images analysed */
  guint run_total;                   /* images in the run */
  guint export_poll_source;          /* updates the export's progress */
  CxrWindowThen after_stop;          /* what waits for the job to end (closing, opening another dataset) */
  gpointer after_stop_data;
  GDestroyNotify after_stop_free;
  CxrLocalisations *localisations;   /* what the last run keeps to score again at any threshold */
  GCancellable *score_cancellable;   /* scoring the localisations on a worker */
  GtkWindow *summary_dialog;         /* a weak pointer: the dialog owns itself */
  guint rescore_source;              /* a threshold change waiting to re-score the run */

  const char *size_class;            /* "small", "medium" or "large": which stored layout applies */
  guint layout_source;               /* a size change waiting to apply its layout */
  GtkWindow *train_window;           /* the training page (cxr-window-train.c), made when first shown */
  gboolean rerun_after_model;        /* a checkpoint from the training page is loading: predict again, */
  gboolean rerun_list;               /* ... over the list too (the last model had been run on it) */
  gboolean close_after_training;     /* closing waits for the run to stop */

  GtkWidget *eval_view;              /* the Summary's evaluation page (cxr-window-eval.c): a weak pointer */
  GCancellable *eval_cancellable;    /* its prediction of the labelled images */
  GtkWidget *method_table;           /* the Summary's Methods page (cxr-window-compare.c): a weak pointer */
  GCancellable *compare_cancellable; /* its comparison */

  guint review_save_source;
  GHashTable *targets;               /* dataset index -> the class chosen for its heatmap (absent: the top one) */
  guint n_jobs;                      /* jobs that keep the spinner turning */
  gboolean current_busy;             /* the image on screen is loading or being explained */
  gboolean thumbnails_held;          /* the thumbnailer waits until the first image of a dataset is on screen */

  /* Correcting the ground-truth boxes (cxr-window-boxes.c) */
  CxrBoxEditor *box_editor;
  CxrBBoxStore *box_store;           /* the dataset's store the editor edits, watched for changes */
  GHashTable *box_images;            /* box id -> dataset index + 1, for rows that an edit deleted */
  guint box_last_changed;            /* the box the store's last "changed" was about */
  GtkWidget *box_label_popover;      /* borrowed: a child of the pane it points into */
  guint box_popover_id;              /* the box it labels */

  /* Saving the boxes (cxr-window-save.c) */
  GtkWidget *box_banner;             /* a GtkInfoBar above the panes: why the boxes cannot be edited */
  GtkLabel *box_banner_label;
  GtkWidget *box_banner_button;
  int box_banner_kind;
  CxrBBoxStore *box_watched;         /* the store whose edits schedule an autosave */
  gpointer box_watched_dataset;      /* compared only: the dataset whose store that is */
  GFileMonitor *box_monitor;         /* the store's file on disk */
  guint box_monitor_source;          /* a change on disk waiting to settle */
  guint autosave_source;
  GtkWidget *box_dialog;             /* the open question about the boxes (at most one): a weak pointer */
  gboolean box_conflict;             /* the file changed on disk under unsaved edits: no save until the user chose */
  gboolean box_close_decided;        /* the user answered "save or discard?": close without asking again */
};

/* cxr-window-actions.c */
void _cxr_window_class_actions_init (CxrWindowClass *klass);
void _cxr_window_actions_init       (CxrWindow *self);
void _cxr_window_actions_update     (CxrWindow *self);

/* cxr-window-privacy.c */
void     _cxr_window_privacy_init           (CxrWindow *self);
void     _cxr_window_privacy_dispose        (CxrWindow *self);
/* The list model is new, or a toggle changed: rows and the image's details follow. */
void     _cxr_window_privacy_apply          (CxrWindow *self);
gboolean _cxr_window_privacy_anonymous      (CxrWindow *self);
/* Appends the DICOM patient's name, ID and birth date to @details when the reader asked for them. */
void     _cxr_window_privacy_append_patient (CxrWindow *self, GString *details);
/* cxr-window.c: the sidebar's name, findings and details of the image on screen. */
void     _cxr_window_update_image_info      (CxrWindow *self);
/* cxr-window.c: the name of the image on screen and its dataset index; NULL (and G_MAXUINT) when none is. */
const char *_cxr_window_current_name        (CxrWindow *self, guint *index);
/* cxr-window.c: the focus is where text is typed (an entry, a spin button, the note): single keys are its. */
gboolean _cxr_window_focus_takes_text       (CxrWindow *self);

/* cxr-window-ctr.c */
void _cxr_window_ctr_init           (CxrWindow *self);
void _cxr_window_ctr_dispose        (CxrWindow *self);
void _cxr_window_ctr_update_actions (CxrWindow *self);

/* cxr-window-lines.c */
void _cxr_window_lines_init           (CxrWindow *self);
/* Once the box editor exists: a selected box and a selected line exclude each other. */
void _cxr_window_lines_watch_boxes    (CxrWindow *self);
void _cxr_window_lines_dispose        (CxrWindow *self);
void _cxr_window_lines_update_actions (CxrWindow *self);

/* cxr-window-boxes.c */
void     _cxr_window_boxes_init           (CxrWindow *self);
void     _cxr_window_boxes_dispose        (CxrWindow *self);
/* The dataset changed, or got a box store: the editor edits the dataset's store now. */
void     _cxr_window_boxes_attach_store   (CxrWindow *self);
void     _cxr_window_boxes_update_actions (CxrWindow *self);
/* Unsaved box edits. */
gboolean _cxr_window_boxes_is_dirty       (CxrWindow *self);
/* Saves the boxes (BB.csv, and gt_dict.json to match); TRUE when there is nothing to save. */
gboolean _cxr_window_boxes_save           (CxrWindow *self, GError **error);

/* cxr-window-save.c */
void     _cxr_window_save_init           (CxrWindow *self);
void     _cxr_window_save_dispose        (CxrWindow *self);
void     _cxr_window_save_update_actions (CxrWindow *self);
/* The dataset or its box store changed: autosave, the file monitor, the banner and the recovery question follow. */
void     _cxr_window_save_store_changed  (CxrWindow *self);
/* @then at once when no box edit is unsaved; else after asking Save / Discard / Cancel, and only if the edits were
 * saved or discarded. @free_data frees @data in every case. */
void     _cxr_window_save_then           (CxrWindow *self, CxrWindowThen then, gpointer data, GDestroyNotify free_data);
/* TRUE when closing has to wait for the answer to "save the edited boxes?". */
gboolean _cxr_window_save_close_request  (CxrWindow *self);
/* The store's file changed on disk? Reload it (no unsaved edits) or ask (the monitor calls this; so can tests). */
void     _cxr_window_save_check_disk     (CxrWindow *self);
/* "Reload": the unsaved edits go to BB-mine-DATE.csv beside the file (its path in @kept_path, NULL when there
 * were none), then the file is read again. */
gboolean _cxr_window_save_reload_keeping_mine (CxrWindow *self, char **kept_path, GError **error);
/* "Keep mine": the boxes are saved to @path, which the store edits from then on (the file chooser's answer). */
gboolean _cxr_window_save_boxes_as       (CxrWindow *self, const char *path, GError **error);
void     _cxr_window_save_choose_save_as (CxrWindow *self);
/* win.export-boxes's work once the folder is chosen. */
gboolean _cxr_window_export_boxes_to     (CxrWindow *self, CxrBBoxExportFormat format, const char *folder,
                                          GError **error);

/* cxr-window-layout.c */
void _cxr_window_layout_init         (CxrWindow *self);
void _cxr_window_layout_size_changed (CxrWindow *self);

/* cxr-window-review.c */
void _cxr_window_review_init    (CxrWindow *self);
/* The image on screen or its review changed: the panel, the progress and the actions follow. */
void _cxr_window_review_update  (CxrWindow *self);
/* The review of every image as CSV (CXR_REVIEW_CSV_HEADER), written atomically. */
gboolean _cxr_window_write_review_csv (CxrWindow *self, const char *path, GError **error);

/* cxr-window-target.c */
void _cxr_window_target_init      (CxrWindow *self);
/* Before the image at @index is shown: its chosen class, or the top one. */
void _cxr_window_target_for_image (CxrWindow *self, guint index);
/* A new dataset or model: every image explains its top class again; @model's classes fill the choice. */
void _cxr_window_target_forget    (CxrWindow *self, CxrModel *model);

/* cxr-window-open.c */
void _cxr_window_open_init            (CxrWindow *self);
void _cxr_window_choose_dataset       (CxrWindow *self);
void _cxr_window_choose_model         (CxrWindow *self);
void _cxr_window_update_recent_menu   (CxrWindow *self);
void _cxr_window_show_report          (CxrWindow *self);
/* As cxr_window_open_dataset, and then says what was found (the user chose the folder just now). */
void _cxr_window_open_dataset_interactive (CxrWindow *self, GFile *folder);

/* cxr-window-run.c */
void     _cxr_window_run_all          (CxrWindow *self);
/* Runs the images the list shows (filtered, searched). */
void     _cxr_window_run_listed       (CxrWindow *self);
/* @then at once when nothing runs; else after asking ("Stop the Export?", @stop_label on the button) and after
 * the job has stopped. @free_data frees @data in every case. */
void     _cxr_window_stop_work_then   (CxrWindow *self, const char *stop_label, CxrWindowThen then, gpointer data,
                                       GDestroyNotify free_data);
void     _cxr_window_cancel_run       (CxrWindow *self);
gboolean _cxr_window_is_running       (CxrWindow *self);
void     _cxr_window_show_summary     (CxrWindow *self);
void     _cxr_window_choose_export    (CxrWindow *self);
/* Exports the filtered list's outputs into @folder (the file chooser's answer). */
void     _cxr_window_export_to        (CxrWindow *self, const char *folder);
/* The threshold moved: re-score the run's images once it settles. */
void     _cxr_window_threshold_changed (CxrWindow *self);
/* Drops what the last run kept (a new model or dataset). */
void     _cxr_window_forget_run       (CxrWindow *self);

/* cxr-window-train.c */
void     _cxr_window_show_training          (CxrWindow *self);
/* The dataset or the model changed: the training page follows; a checkpoint it sent re-runs predictions. */
void     _cxr_window_training_sync          (CxrWindow *self);
void     _cxr_window_training_model_changed (CxrWindow *self);
/* TRUE when closing has to wait: the user is asked first while a run is going. */
gboolean _cxr_window_training_close_request (CxrWindow *self);
/* The Model button names the checkpoint in use. */
void     _cxr_window_update_model_button    (CxrWindow *self);

/* cxr-window-eval.c */
void     _cxr_window_eval_attach            (CxrWindow *self, CxrSummaryDialog *dialog);
/* The results, the model or the dataset changed: the page evaluates again. */
void     _cxr_window_eval_refresh           (CxrWindow *self);
/* Stops its prediction of the labelled images (another model or dataset). */
void     _cxr_window_eval_cancel            (CxrWindow *self);

/* cxr-window-compare.c */
void     _cxr_window_compare_attach         (CxrWindow *self, CxrSummaryDialog *dialog);
/* The model or the dataset changed: the page says what it would compare. */
void     _cxr_window_compare_refresh        (CxrWindow *self);
/* Stops the comparison (another model or dataset, or the window closes). */
void     _cxr_window_compare_cancel         (CxrWindow *self);

/* cxr-window-side-by-side.c: the Compare with row's second heatmap. */
void     _cxr_window_side_by_side_init      (CxrWindow *self);

/* cxr-window.c */
void _cxr_window_toast          (CxrWindow *self, const char *message);
void _cxr_window_busy_push      (CxrWindow *self);
void _cxr_window_busy_pop       (CxrWindow *self);
void _cxr_window_set_dataset    (CxrWindow *self, CxrDataset *dataset, CxrReview *review);
void _cxr_window_model_changed  (CxrWindow *self, CxrModel *model);
void _cxr_window_toggle_reviewed (CxrWindow *self);
/* The review of dataset entry @index changed: its row, the panel, and a save soon. */
void _cxr_window_review_touched (CxrWindow *self, guint index);
void _cxr_window_update_title   (CxrWindow *self);

G_END_DECLS
