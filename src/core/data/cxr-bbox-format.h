/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-format.h: reading BB.csv into items that remember their bytes, and writing them back (private to
 * the store).
 *
 * Every record of the file becomes an item: the header, a box row, or a verbatim record (a blank line or a row
 * of bare commas) that is copied as it is. An item read from the file keeps its byte span and, for rows, the span
 * of each of its six fields, so that writing it back can copy every byte that did not change.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_BBOX_STANDARD_HEADER "Image Index,Finding Label,Bbox [x,y,w,h],,,"

typedef enum {
  CXR_BBOX_ITEM_HEADER,
  CXR_BBOX_ITEM_ROW,
  CXR_BBOX_ITEM_VERBATIM,
} CxrBBoxItemKind;

typedef struct {
  gboolean present;            /* FALSE: deleted */
  const char *image, *label;   /* interned by the store: equal strings are equal pointers */
  double x, y, w, h;
} CxrBBoxRowState;

typedef struct {
  CxrBBoxItemKind kind;
  guint id;                    /* rows */
  gboolean in_file;            /* the file on disk holds this item, at the spans below */
  CxrBBoxRowState now;         /* rows: the current value */
  CxrBBoxRowState disk;        /* rows in the file: the value there */
  gsize start, end, next;      /* in the file's text: first byte, terminator, next record */
  guint line;
  guint n_fields;
  guint32 field_start[6];      /* rows in the file: each field's raw span, relative to start */
  guint32 field_end[6];
} CxrBBoxItem;

typedef struct {
  char eol[3];                 /* the line terminator for new rows */
  guint n_extra_fields;        /* trailing fields after h that new rows get (empty), like the last row */
  gboolean final_newline;      /* whether the file ends with a line terminator */
} CxrBBoxStyle;

typedef const char *(*CxrBBoxInternFunc) (gpointer data, const char *text, gsize length);

/* Parses the whole text into items (rows get id 0) and finds its style. Fails with CXR_ERROR_FORMAT and the
 * file, line and column of the first problem. */
gboolean cxr_bbox_format_parse (const char *filename, const char *text, gsize length,
                                CxrBBoxInternFunc intern, gpointer intern_data,
                                GArray *items, CxrBBoxStyle *style, GError **error);

/* The file's new bytes: items in the file and unchanged are copied from text, the others written in style. */
GBytes *cxr_bbox_format_write (const char *text, const CxrBBoxItem *items, guint n_items, const CxrBBoxStyle *style);

/* Present rows equal in every value; two deleted rows are equal whatever their values. */
gboolean cxr_bbox_row_state_equal (const CxrBBoxRowState *a, const CxrBBoxRowState *b);

/* TRUE when the row differs from what the file holds. */
gboolean cxr_bbox_item_differs (const CxrBBoxItem *item);

/* Checks a box's values; CXR_ERROR_INVALID naming the bad one. */
gboolean cxr_bbox_check_values (const char *image, const char *label, double x, double y, double w, double h,
                                GError **error);

G_END_DECLS
