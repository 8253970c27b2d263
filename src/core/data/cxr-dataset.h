/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dataset.h: a folder of chest X-rays in the layouts users have, indexed for the UI and for training.
 *
 * Layouts (DESIGN.md §2), detected from what the folder holds:
 *   NIH       Data_Entry_2017.csv or Data_Entry_2017_v2020.csv (the label table), BBox_List_2017.csv, and PNGs in
 *             images/ or in images_001/images/ ... images_012/images/ (Kaggle; images_NNN/ itself also counts);
 *   tutorial  BB.csv, BB/ (the images), gt_dict.json, output/;
 *   plain     image files (.png, .jpg, .jpeg) in the folder itself.
 * Imperfect data is reported, not refused: rows without images, images without rows, boxes of images that are
 * not there, labels that are not NIH findings, a missing image folder (see CxrDatasetReport). Malformed files
 * (a label table or BB.csv that is not CSV, a header that is not theirs) fail with CXR_ERROR_FORMAT and
 * FILE:LINE:COLUMN.
 *
 * Entries. One per image name found anywhere (label table, BB.csv, image folders), numbered in that order:
 * label-table rows first, in file order. An entry's index never changes while the dataset lives, and entries are
 * plain structs in one array, so a GListModel wraps the dataset by mapping positions to indices (or a filtered
 * index array) and making a small GObject per visible row on demand. Strings are interned: one allocation for
 * all names, none per field. The full NIH table (112,120 rows) indexes in well under 0.3 s and 50 MB
 * (bench/bench-index).
 *
 * Boxes live in the dataset's CxrBBoxStore (BB.csv or BBox_List_2017.csv), which the UI edits; box queries read
 * it as it is now.
 *
 * Threads: cxr_dataset_open only reads, so it may run on a worker (a GTask) and hand the dataset to the main
 * thread; from then on the dataset and its store belong to that one thread.
 */
#pragma once

#include <glib-object.h>

#include "cxr-bbox-store.h"
#include "cxr-dataset-findings.h"

G_BEGIN_DECLS

typedef enum {
  CXR_DATASET_LAYOUT_NIH,
  CXR_DATASET_LAYOUT_TUTORIAL,
  CXR_DATASET_LAYOUT_PLAIN,
  CXR_DATASET_LAYOUT_DICOMDIR,   /* a DICOMDIR names the images (and their order); a label table is optional */
} CxrDatasetLayout;

typedef enum {
  CXR_DATASET_OPEN_DEFAULT = 0,
  CXR_DATASET_OPEN_REQUIRE_IMAGES = 1 << 0,   /* a missing image folder is an error, not a note */
} CxrDatasetOpenFlags;

typedef struct {
  const char *name;      /* "00000001_000.png" */
  const char *folder;    /* the folder that holds the image file; NULL when no file was found */
  guint32 findings;      /* CxrFinding bits: from the label table, or without a row from the image's boxes */
  guint32 patient_id;    /* 0: unknown (from the table, or the 8 digits of an NIH-style name) */
  gint16 age;            /* years; -1: unknown */
  guint16 follow_up;
  char sex;              /* 'M', 'F' or 0 */
  char view[3];          /* "PA", "AP" or "" */
  guint32 line;          /* its line in the label table; 0: no row */
} CxrDatasetEntry;

typedef struct {
  CxrDatasetLayout layout;
  guint n_images;                 /* image files found */
  guint n_label_rows;             /* rows of the label table (distinct images) */
  guint n_rows_without_image;     /* label-table rows whose image file was not found */
  guint n_images_without_row;     /* image files with no label-table row */
  guint n_boxes;                  /* rows of BB.csv */
  guint n_boxes_with_image;       /* ... whose image file was found */
  guint n_box_images;             /* distinct images that have boxes */
  guint n_box_images_with_image;  /* ... whose file was found */
  GPtrArray *unknown_labels;      /* "Label (N)" for labels that are not NIH findings, sorted */
  GPtrArray *notes;               /* one sentence per remark: missing folders, duplicate rows, unreadable values */
} CxrDatasetReport;

#define CXR_TYPE_DATASET (cxr_dataset_get_type ())
G_DECLARE_FINAL_TYPE (CxrDataset, cxr_dataset, CXR, DATASET, GObject)

CxrDataset *cxr_dataset_open (const char *folder, CxrDatasetOpenFlags flags, GError **error);

CxrDatasetLayout        cxr_dataset_get_layout (CxrDataset *dataset);
const char             *cxr_dataset_get_folder (CxrDataset *dataset);
const CxrDatasetReport *cxr_dataset_get_report (CxrDataset *dataset);
/* The files the dataset was read from, or NULL. */
const char             *cxr_dataset_get_label_table_path (CxrDataset *dataset);
const char             *cxr_dataset_get_bbox_path (CxrDataset *dataset);
const char             *cxr_dataset_get_gt_dict_path (CxrDataset *dataset);
/* The review sidecar: cxrcam-review.json beside the box file (or in the folder). */
char                   *cxr_dataset_dup_review_path (CxrDataset *dataset);
/* The box store, owned by the dataset. A folder without a box file gets an empty one
 * (cxr_bbox_store_new_file) for FOLDER/BB.csv, or FOLDER/BBox_List_2017.csv in the NIH layout: its first save
 * (cxr_dataset_save_boxes) creates the file in NIH's format; cxr_dataset_get_bbox_path stays NULL until then. */
CxrBBoxStore           *cxr_dataset_get_bbox_store (CxrDataset *dataset);

guint                   cxr_dataset_get_n_entries (CxrDataset *dataset);
const CxrDatasetEntry  *cxr_dataset_get_entry (CxrDataset *dataset, guint index);
gboolean                cxr_dataset_lookup (CxrDataset *dataset, const char *name, guint *index);
/* The image file's path, or NULL when it was not found. */
char                   *cxr_dataset_dup_image_path (CxrDataset *dataset, guint index);
/* The entry's boxes now (CxrBBox), in BB.csv order. */
GArray                 *cxr_dataset_get_boxes (CxrDataset *dataset, guint index);

typedef enum {
  CXR_DATASET_ANY = 0,
  CXR_DATASET_YES,
  CXR_DATASET_NO,
} CxrDatasetCondition;

typedef struct {
  guint32 any_findings;           /* at least one of these bits (CXR_FINDING_ANY: any finding); 0: no condition */
  guint32 no_findings;            /* none of these bits */
  CxrDatasetCondition has_boxes;
  CxrDatasetCondition has_image;
  guint32 patient_id;             /* 0: any */
  const char *name_prefix;        /* NULL or "": any */
} CxrDatasetFilter;

/* Indices (guint, ascending) of the entries that pass every condition. */
GArray *cxr_dataset_filter (CxrDataset *dataset, const CxrDatasetFilter *filter);

/* Saves the box store (when dirty or not) and rewrites gt_dict.json to match when the folder has one (but not on
 * the save that creates the box file: a gt_dict.json that was there before it is left alone). */
gboolean cxr_dataset_save_boxes (CxrDataset *dataset, GError **error);

/* Reads the box file again (it changed on disk): the store is replaced by a new one, so get it again. The old
 * store's unsaved edits and journal are dropped: keep them first if they matter (cxr_bbox_store_serialize,
 * cxr_bbox_store_save_as). Boxes on images the dataset did not have show after it is opened again. On failure (the file cannot be read now) the old store
 * stays, reverted to the version it had read. */
gboolean cxr_dataset_reload_boxes (CxrDataset *dataset, GError **error);

const char *cxr_dataset_layout_get_name (CxrDatasetLayout layout);

G_END_DECLS
