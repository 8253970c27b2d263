/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-json-writer.h: the one JSON writer of cxrcam's files (model cards, safetensors headers, gt_dict.json,
 * cxrcam-review.json, train-state.json).
 *
 * It lays documents out as Python's json.dumps does, so that a file Python wrote and cxrcam rewrites keeps its
 * look: CXR_JSON_COMPACT is separators=(",", ":") (safetensors headers), CXR_JSON_ONE_LINE is the default
 * json.dumps (", " and ": " on one line), CXR_JSON_INDENTED is indent=N (",\n" and N spaces a level; empty
 * containers stay "[]" and "{}"). A container begun with CXR_JSON_INLINE is written on one line whatever the
 * layout (a model card's mean and std). Strings are escaped as json.dumps(ensure_ascii=False) does; numbers are
 * written locale-independently: doubles as the shortest text that reads back, with ".0" on whole numbers as
 * Python's repr, NaN and infinities as null (JSON has neither).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_JSON_COMPACT,
  CXR_JSON_ONE_LINE,
  CXR_JSON_INDENTED,
} CxrJsonLayout;

typedef enum {
  CXR_JSON_BLOCK = 0,
  CXR_JSON_INLINE = 1,
} CxrJsonContainerStyle;

typedef struct _CxrJsonWriter CxrJsonWriter;

/* @indent: spaces per level for CXR_JSON_INDENTED. */
CxrJsonWriter *cxr_json_writer_new          (CxrJsonLayout layout, guint indent);
void           cxr_json_writer_free         (CxrJsonWriter *writer);
/* The document so far (a NUL-terminated string of @length bytes, no final newline); frees the writer. */
char          *cxr_json_writer_free_to_text (CxrJsonWriter *writer, gsize *length);

/* @key: the member's name inside an object; NULL inside an array or at the top. */
void cxr_json_writer_begin_object (CxrJsonWriter *writer, const char *key, CxrJsonContainerStyle style);
void cxr_json_writer_begin_array  (CxrJsonWriter *writer, const char *key, CxrJsonContainerStyle style);
void cxr_json_writer_end          (CxrJsonWriter *writer);

void cxr_json_writer_add_string   (CxrJsonWriter *writer, const char *key, const char *value);  /* NULL: null */
void cxr_json_writer_add_int      (CxrJsonWriter *writer, const char *key, gint64 value);
void cxr_json_writer_add_uint     (CxrJsonWriter *writer, const char *key, guint64 value);
void cxr_json_writer_add_double   (CxrJsonWriter *writer, const char *key, double value);
/* The shortest text that reads back as the same float32 (0.485f is "0.485", not 0.48500001430511475). */
void cxr_json_writer_add_float    (CxrJsonWriter *writer, const char *key, float value);
void cxr_json_writer_add_bool     (CxrJsonWriter *writer, const char *key, gboolean value);
void cxr_json_writer_add_null     (CxrJsonWriter *writer, const char *key);
/* A number already formatted (it must be valid JSON). */
void cxr_json_writer_add_number_text (CxrJsonWriter *writer, const char *key, const char *text);
/* A json-glib tree, members in their order (a file cxrcam read and keeps whole). */
void cxr_json_writer_add_node     (CxrJsonWriter *writer, const char *key, JsonNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrJsonWriter, cxr_json_writer_free)

G_END_DECLS
