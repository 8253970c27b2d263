/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-store.h: BB.csv (NIH's BBox_List_2017.csv) as an editable model that never loses an edit or a byte.
 *
 * Format: a header `Image Index,Finding Label,Bbox [x,y,w,h],,,` (also `...,x,y,w,h` and a quoted
 * `"Bbox [x,y,w,h]"`), then one box a row: image, label, x, y, w, h in original-image pixels, and any extra
 * fields, which are kept. Coordinates must be numbers from 0 to CXR_BBOX_MAX_COORDINATE.
 *
 * Rows and ids. Every box row has an id, unique within the store and stable while it is open: at open the rows
 * are numbered 1, 2, ... in file order (so the id is the row's number among the data rows), new rows get the next
 * free number. A deleted row keeps its id (undo brings it back in its place). Reopening a saved file numbers the
 * rows afresh.
 *
 * Saving keeps every byte that was not edited: the header, blank lines, row order, the text of every number that
 * was not changed (an edited number is written as the shortest decimal that reads back exactly), quoting, extra
 * fields, each line's terminator and the presence or absence of a final newline. A new row goes at the end in the
 * file's style: its line terminator and as many trailing empty fields as the last row has.
 *
 * Saving is atomic: the new version is written to a temporary file in the same folder, fsync'd, renamed over
 * BB.csv, and the folder is fsync'd. The previous version is kept as "BB.csv~" (the path with "~" appended;
 * cxr_bbox_store_dup_backup_path). A save refuses, with CXR_ERROR_CONFLICT, to overwrite a file whose content
 * (size and SHA-256) is not what was read; the caller can reload or save elsewhere. A failed save changes
 * nothing: the store stays dirty.
 *
 * Recovery. Every edit, undo and redo is appended to "BB.csv.journal" and synced before it takes effect; a
 * successful save deletes the journal. Opening a BB.csv that has a journal reports it
 * (cxr_bbox_store_get_recovery); the caller offers cxr_bbox_store_recover or cxr_bbox_store_discard_recovery,
 * and until it chooses, edits are refused. Closing a dirty store (unref) keeps its journal, just like a crash;
 * cxr_bbox_store_revert drops unsaved edits for good.
 *
 * Threads: a store belongs to the thread that opened it (the main thread in the app). Saving takes a few
 * milliseconds for the 92 KB NIH file.
 *
 * Signals: "changed" (guint id) after a row was added, edited, deleted or restored; id 0 means "any row may have
 * changed" (after recover and revert). Properties "dirty", "can-undo" and "can-redo" notify when they change.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* No radiograph is a hundred thousand pixels wide; bigger numbers are errors in the file. */
#define CXR_BBOX_MAX_COORDINATE 100000.0

typedef struct {
  guint id;
  const char *image;   /* "00013118_008.png"; owned by the store, valid as long as it lives */
  const char *label;   /* "Atelectasis"; the same */
  double x, y, w, h;   /* top left corner, width and height in original-image pixels */
} CxrBBox;

typedef enum {
  CXR_BBOX_RECOVERY_NONE,     /* no journal, or one with nothing left in it */
  CXR_BBOX_RECOVERY_PENDING,  /* unsaved edits of a session that ended without saving: recover or discard them */
  CXR_BBOX_RECOVERY_STALE,    /* unsaved edits made to another version of the file: they can only be discarded */
  CXR_BBOX_RECOVERY_IN_USE,   /* another program is editing this file now; this store cannot edit it */
} CxrBBoxRecovery;

#define CXR_TYPE_BBOX_STORE (cxr_bbox_store_get_type ())
G_DECLARE_FINAL_TYPE (CxrBBoxStore, cxr_bbox_store, CXR, BBOX_STORE, GObject)

/* Reads and checks the whole file. Bad input fails with CXR_ERROR_FORMAT "FILE:LINE:COLUMN: what". */
CxrBBoxStore *cxr_bbox_store_open (const char *path, GError **error);

/* A store for a BB.csv that does not exist yet, with the NIH header; the first save creates it (and fails with
 * CXR_ERROR_CONFLICT if somebody else created it meanwhile). Fails if path exists. */
CxrBBoxStore *cxr_bbox_store_new_file (const char *path, GError **error);

const char *cxr_bbox_store_get_path (CxrBBoxStore *store);
char       *cxr_bbox_store_dup_backup_path (CxrBBoxStore *store);
char       *cxr_bbox_store_dup_journal_path (CxrBBoxStore *store);

/* The boxes that are not deleted, in file order (new rows last). */
guint   cxr_bbox_store_get_n_boxes (CxrBBoxStore *store);
GArray *cxr_bbox_store_list (CxrBBoxStore *store);                               /* of CxrBBox */
GArray *cxr_bbox_store_list_for_image (CxrBBoxStore *store, const char *image); /* of CxrBBox */
gboolean cxr_bbox_store_get (CxrBBoxStore *store, guint id, CxrBBox *box);      /* FALSE: no such box */
/* The file line a box was read from, 0 for a box added since. */
guint   cxr_bbox_store_get_line (CxrBBoxStore *store, guint id);

/* Edits. Each is one undo step, journaled before it returns TRUE. Bad values fail with CXR_ERROR_INVALID, an
 * unknown or deleted id with CXR_ERROR_INVALID, a pending recovery or another program's journal with
 * CXR_ERROR_CONFLICT, a journal that cannot be written with CXR_ERROR_IO; a failed edit changes nothing. */
guint    cxr_bbox_store_add (CxrBBoxStore *store, const char *image, const char *label,
                             double x, double y, double w, double h, GError **error);  /* the new id, 0 on error */
gboolean cxr_bbox_store_set_rect (CxrBBoxStore *store, guint id, double x, double y, double w, double h,
                                  GError **error);
gboolean cxr_bbox_store_set_label (CxrBBoxStore *store, guint id, const char *label, GError **error);
gboolean cxr_bbox_store_remove (CxrBBoxStore *store, guint id, GError **error);

gboolean cxr_bbox_store_can_undo (CxrBBoxStore *store);
gboolean cxr_bbox_store_can_redo (CxrBBoxStore *store);
gboolean cxr_bbox_store_undo (CxrBBoxStore *store, GError **error);
gboolean cxr_bbox_store_redo (CxrBBoxStore *store, GError **error);

/* TRUE when the boxes differ from the file on disk (an edit that was undone, or set back by hand, does not count). */
gboolean cxr_bbox_store_is_dirty (CxrBBoxStore *store);

/* The bytes a save would write now. */
GBytes  *cxr_bbox_store_serialize (CxrBBoxStore *store);

gboolean cxr_bbox_store_save (CxrBBoxStore *store, GError **error);
/* Saves to another path, which becomes the store's path. An existing file there is replaced (its old version
 * kept as path~) without a conflict check: the user chose it. The old path's journal is deleted. */
gboolean cxr_bbox_store_save_as (CxrBBoxStore *store, const char *path, GError **error);
/* Read-only: every edit, undo and redo fails with CXR_ERROR_REFUSED and @reason as its message (NULL: edits are
 * taken again). For a BB.csv or a folder that cannot be written, so that the refusal comes before the edit, with
 * its reason, rather than at the save. */
void        cxr_bbox_store_set_read_only (CxrBBoxStore *store, const char *reason);
const char *cxr_bbox_store_get_read_only (CxrBBoxStore *store);
/* FALSE, with CXR_ERROR_REFUSED and the reason, when the file or its folder cannot be written by this user. */
gboolean    cxr_bbox_store_check_writable (CxrBBoxStore *store, GError **error);
/* TRUE when the file on disk no longer has the content that was read or last saved. */
gboolean cxr_bbox_store_has_changed_on_disk (CxrBBoxStore *store);

/* Drops every unsaved edit and the undo history, and deletes the journal. */
gboolean cxr_bbox_store_revert (CxrBBoxStore *store, GError **error);

/* n_edits (may be NULL) gets the number of journaled edits, undos and redos. */
CxrBBoxRecovery cxr_bbox_store_get_recovery (CxrBBoxStore *store, guint *n_edits);
/* Replays a PENDING journal: the rows, their ids and places, and the undo history of the journaled edits come back
 * as they were (steps from before the last save are applied but cannot be undone). The journal goes on recording.
 * Fails with CXR_ERROR_CONFLICT for a STALE or IN_USE journal, and with CXR_ERROR_FORMAT (leaving the store as it
 * was read) for a journal that does not fit the file. */
gboolean cxr_bbox_store_recover (CxrBBoxStore *store, GError **error);
/* Deletes a PENDING or STALE journal. */
gboolean cxr_bbox_store_discard_recovery (CxrBBoxStore *store, GError **error);

G_END_DECLS
