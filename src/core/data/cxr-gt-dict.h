/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-gt-dict.h: the tutorial's gt_dict.json, image -> ground-truth box(es), read in every plausible shape and
 * rewritten from BB.csv (the source of truth) in the shape it had.
 *
 * Shapes:
 *   BOX            {"img.png": [x, y, w, h], ...}            one box an image (the last BB.csv row wins)
 *   BOX_LIST       {"img.png": [[x, y, w, h], ...], ...}
 *   OBJECT         {"img.png": {"label": "Cardiomegaly", "bbox": [x, y, w, h]}, ...}   one box an image
 *   OBJECT_LIST    {"img.png": [{"label": ..., "bbox": [...]}, ...], ...}
 *   LIST_OF_DICTS  [{"img.png": [x, y, w, h]}, ...]          one object a box
 *   RECORDS        [{"image": "img.png", "label": ..., "bbox": [...]}, ...]
 * Numbers may be ints or floats; "box" is read as "bbox". Coordinates are x, y, width, height in pixels.
 */
#pragma once

#include <glib.h>

#include "cxr-bbox-store.h"

G_BEGIN_DECLS

typedef enum {
  CXR_GT_DICT_SHAPE_BOX,
  CXR_GT_DICT_SHAPE_BOX_LIST,
  CXR_GT_DICT_SHAPE_OBJECT,
  CXR_GT_DICT_SHAPE_OBJECT_LIST,
  CXR_GT_DICT_SHAPE_LIST_OF_DICTS,
  CXR_GT_DICT_SHAPE_RECORDS,
} CxrGtDictShape;

typedef struct {
  char *image;
  char *label;         /* NULL in the shapes without labels */
  double x, y, w, h;
} CxrGtDictBox;

typedef struct {
  CxrGtDictShape shape;
  GArray *boxes;       /* CxrGtDictBox in file order */
  guint indent;        /* 0: all on one line (Python's json.dump default); else spaces per level */
} CxrGtDict;

/* Fails with CXR_ERROR_FORMAT (naming the file, and the line and column for bad JSON) on anything else. */
CxrGtDict *cxr_gt_dict_load (const char *path, GError **error);
CxrGtDict *cxr_gt_dict_new (CxrGtDictShape shape, guint indent);
void       cxr_gt_dict_free (CxrGtDict *dict);
void       cxr_gt_dict_add (CxrGtDict *dict, const char *image, const char *label, double x, double y, double w,
                            double h);

/* The JSON text, formatted as Python's json.dump would (", " and ": " separators, floats as repr). */
char      *cxr_gt_dict_to_json (const CxrGtDict *dict);
/* Writes atomically, keeping the previous version as path~. */
gboolean   cxr_gt_dict_save (const CxrGtDict *dict, const char *path, GError **error);

/* The labels (a set) of the store's boxes that dict's boxes match (same image and coordinates within 1e-6
 * pixels); empty when none match. Unlabelled shapes learn from this which boxes the file was made of. */
GHashTable *cxr_gt_dict_match_labels (const CxrGtDict *dict, CxrBBoxStore *store);

/* Rewrites the gt_dict.json at path to hold the store's boxes now: in its shape and indentation, restricted to
 * the labels its boxes had (its labels, or for unlabelled shapes those found by cxr_gt_dict_match_labels; all
 * labels when nothing tells). Called after BB.csv is saved: a gt_dict.json that does not load is an error that
 * says BB.csv is saved and the file was left alone. */
gboolean   cxr_gt_dict_sync (const char *path, CxrBBoxStore *store, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrGtDict, cxr_gt_dict_free)

G_END_DECLS
