/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dataset-private.h: the index behind CxrDataset, shared by its source files. */
#pragma once

#include "cxr-dataset.h"

G_BEGIN_DECLS

typedef struct {
  GArray *entries;             /* CxrDatasetEntry */
  GHashTable *by_name;         /* name (owned by strings) -> GUINT_TO_POINTER (index + 1) */
  GStringChunk *strings;       /* every name and folder, interned */
  GHashTable *unknown_labels;  /* label -> GUINT count */
  GPtrArray *notes;            /* char * */
} CxrDatasetIndex;

void cxr_dataset_index_init (CxrDatasetIndex *index, gsize expected_entries);
void cxr_dataset_index_clear (CxrDatasetIndex *index);

/* The entry for name, created (with unknown attributes) when there is none; *created says which. */
guint cxr_dataset_index_add (CxrDatasetIndex *index, const char *name, gsize length, gboolean *created);
gboolean cxr_dataset_index_lookup (const CxrDatasetIndex *index, const char *name, guint *position);

void cxr_dataset_index_note (CxrDatasetIndex *index, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Reads an NIH label table (Data_Entry_2017.csv or _v2020) into index: one entry per image row. Rows it cannot
 * use (too short, duplicates, unreadable numbers) become notes; a file that is not a label table is an error. */
gboolean cxr_dataset_table_read (const char *path, CxrDatasetIndex *index, GError **error);

/* Replaces the index (holding the label table's rows, if any) with the images of the DICOMDIR at dicomdir_path
 * in its order, each with its row, keyed by file name or by SOP Instance UID (whichever the rows match more), then
 * the rows that matched no image. *n_found: the images whose file exists. cxr-dataset-dicomdir.c. */
gboolean cxr_dataset_index_dicomdir (CxrDatasetIndex *index, const char *folder, const char *dicomdir_path,
                                     guint *n_found, GError **error);

/* Patient and follow-up from an NIH name "00000013_005.png"; FALSE for other names. */
gboolean cxr_dataset_parse_nih_name (const char *name, guint32 *patient_id, guint16 *follow_up);

G_END_DECLS
