/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-json-read.h: the one way cxrcam reads JSON (model cards, safetensors headers, gt_dict.json,
 * cxrcam-review.json, train-state.json), with errors that name FILE:LINE:COLUMN, binary files included (json-glib
 * gives no place for bad UTF-8), and the nesting limit of cxr-limits.h checked before json-glib recurses into the
 * text (it would overflow the stack at some 80,000 levels).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cxr-input-file.h"

G_BEGIN_DECLS

/* Parses @length bytes of @text; @name is used in messages. Errors: CXR_ERROR_FORMAT "NAME:LINE:COLUMN: what",
 * CXR_ERROR_LIMIT. */
JsonParser *cxr_json_parse (const char *text, gsize length, const char *name, GError **error);

/* Reads (a regular file of at most @max_size bytes; 0: the whole-file limit) and parses the file; identity (may be
 * NULL) gets what was read, for a later conflict check, and text (may be NULL) the bytes. */
JsonParser *cxr_json_load  (const char *path, guint64 max_size, CxrFileIdentity *identity, char **text,
                            GError **error);

/* TRUE when @node is an array of exactly @n finite numbers (integers or reals), stored into @values; FALSE
 * otherwise (@values may then be partly written). Boxes, calipers and lines in cxrcam's JSON files are such arrays. */
gboolean    cxr_json_read_numbers (JsonNode *node, double *values, guint n);

G_END_DECLS
