/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-journal.h: the crash-recovery journal of a BB.csv store (BB.csv.journal beside BB.csv).
 *
 * The store appends one record per edit, undo and redo before it changes its rows, and syncs it, so that an
 * edit which returned is on disk even if the process is killed a moment later. A save announces itself with a
 * SAVE record holding the new file's hash; when the save is done the journal is deleted.
 *
 * The file is text, one CSV record a line, each ending in a CRC-32 of the line so that a record cut short by a
 * crash is recognised and dropped:
 *
 *   cxrcam-bbox-journal,1,<crc>
 *   B,<base exists 0|1>,<base size>,<base sha256>,<row order>,<crc>
 *   E,<serial>,<id>,<before: flag,image,label,x,y,w,h>,<after: the same>,<crc>     an edit (a new undo step)
 *   U,...  R,...                                                                    an undo, a redo of step serial
 *   S,<size>,<sha256>,<crc>                                                         a save is about to replace BB.csv
 *   F,<crc>                                                                         ... and it failed
 *
 * A state's flag is 1 (present), 0 (deleted) or n (the row did not exist: before an add). The row order lists the
 * store's row ids in file order when the journal began, as runs "1-984", with "~" before rows deleted from the
 * file but kept for undo ("1-2;~3;4-10"), so that recovery gives every row the id it had.
 *
 * The journal is locked (flock) while a store writes it: a journal that can be locked belongs to a process that
 * is gone.
 */
#pragma once

#include <glib.h>

#include "cxr-input-file.h"
#include "cxr-crash-hooks.h"

G_BEGIN_DECLS

typedef struct {
  gboolean exists;    /* FALSE: the row did not exist yet (the state before an add) */
  gboolean present;   /* FALSE: deleted */
  const char *image;
  const char *label;
  double x, y, w, h;
} CxrBBoxJournalState;

typedef enum {
  CXR_BBOX_JOURNAL_EDIT,
  CXR_BBOX_JOURNAL_UNDO,
  CXR_BBOX_JOURNAL_REDO,
  CXR_BBOX_JOURNAL_SAVE,
  CXR_BBOX_JOURNAL_SAVE_FAILED,
} CxrBBoxJournalKind;

typedef struct {
  CxrBBoxJournalKind kind;
  guint64 serial;                    /* EDIT, UNDO, REDO: the undo step */
  guint id;                          /* EDIT, UNDO, REDO: the row, which goes from before to after */
  CxrBBoxJournalState before, after;
  gint64 size;                       /* SAVE: the new file */
  char sha256[65];
} CxrBBoxJournalRecord;

typedef struct {
  guint id;
  gboolean in_file;   /* FALSE: a row deleted from the file, kept for undo */
} CxrBBoxJournalSlot;

typedef struct {
  gboolean has_base;         /* FALSE: the journal was cut short before its base line; it holds nothing */
  gboolean base_exists;      /* FALSE: BB.csv did not exist yet (a new file) */
  gint64 base_size;
  char base_sha256[65];
  GArray *order;             /* CxrBBoxJournalSlot */
  GArray *records;           /* CxrBBoxJournalRecord; strings live in `strings` */
  GStringChunk *strings;
  gsize intact_length;       /* bytes up to the end of the last intact record */
  gboolean torn;             /* bytes after intact_length were dropped */
} CxrBBoxJournalContents;

/* Reads a journal, dropping a torn or corrupt tail. Fails (CXR_ERROR_FORMAT) only when the file is not a journal. */
CxrBBoxJournalContents *cxr_bbox_journal_read (const char *path, GError **error);
void cxr_bbox_journal_contents_free (CxrBBoxJournalContents *contents);

/* The number of EDIT, UNDO and REDO records. */
guint cxr_bbox_journal_contents_count_edits (const CxrBBoxJournalContents *contents);

typedef struct _CxrBBoxJournal CxrBBoxJournal;

/* Starts a journal at path, replacing an old one, and makes it durable. Fails with CXR_ERROR_CONFLICT when
 * another process holds the journal (it is editing the same file). hooks may be NULL. */
CxrBBoxJournal *cxr_bbox_journal_create (const char *path, const CxrFileIdentity *base,
                                         const CxrBBoxJournalSlot *order, guint n_order,
                                         CxrCrashHooks *hooks, GError **error);

/* Takes over an existing journal after recovery, first cutting it to intact_length. */
CxrBBoxJournal *cxr_bbox_journal_continue (const char *path, gsize intact_length, CxrCrashHooks *hooks,
                                           GError **error);

/* Appends a record and syncs it (fdatasync). When this returns FALSE the record may be partly written; a reader
 * drops it. */
gboolean cxr_bbox_journal_append (CxrBBoxJournal *journal, const CxrBBoxJournalRecord *record, GError **error);

/* Deletes the journal's file. The journal stays open (and useless) until freed. */
gboolean cxr_bbox_journal_delete (CxrBBoxJournal *journal, GError **error);

/* Closes the journal and keeps its file. */
void cxr_bbox_journal_free (CxrBBoxJournal *journal);

/* TRUE when a live process holds the journal at path. */
gboolean cxr_bbox_journal_is_held (const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrBBoxJournal, cxr_bbox_journal_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrBBoxJournalContents, cxr_bbox_journal_contents_free)

G_END_DECLS
