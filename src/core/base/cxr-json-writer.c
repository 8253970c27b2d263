/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-json-writer.c: JSON out, laid out as Python's json.dumps (see cxr-json-writer.h). */
#include "cxr-json-writer.h"

#include <math.h>
#include <string.h>

#include "cxr-format.h"

#define MAX_LEVELS 64

typedef struct {
  gboolean empty;     /* nothing written in it yet */
  gboolean inline_;   /* on one line whatever the layout */
  char close;
} Level;

struct _CxrJsonWriter {
  GString *out;
  CxrJsonLayout layout;
  guint indent;
  guint depth;
  Level levels[MAX_LEVELS];
  guint inline_from;   /* levels at or above this index are inline; depth + 1 when none is */
};

CxrJsonWriter *
cxr_json_writer_new (CxrJsonLayout layout, guint indent)
{
  CxrJsonWriter *w = g_new0 (CxrJsonWriter, 1);
  w->out = g_string_new (NULL);
  w->layout = layout;
  w->indent = indent;
  w->inline_from = G_MAXUINT;
  return w;
}

void
cxr_json_writer_free (CxrJsonWriter *w)
{
  if (w == NULL)
    return;
  g_string_free (w->out, TRUE);
  g_free (w);
}

char *
cxr_json_writer_free_to_text (CxrJsonWriter *w, gsize *length)
{
  g_return_val_if_fail (w->depth == 0, NULL);
  if (length != NULL)
    *length = w->out->len;
  char *text = g_string_free (g_steal_pointer (&w->out), FALSE);
  g_free (w);
  return text;
}

static gboolean
on_one_line (const CxrJsonWriter *w)
{
  return w->layout != CXR_JSON_INDENTED || w->depth > w->inline_from;
}

static void
newline (CxrJsonWriter *w, guint level)
{
  g_string_append_c (w->out, '\n');
  for (guint i = 0; i < w->indent * level; i++)
    g_string_append_c (w->out, ' ');
}

static void
write_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

/* The separator before a value, and its key. */
static void
begin_value (CxrJsonWriter *w, const char *key)
{
  if (w->depth > 0)
    {
      Level *level = &w->levels[w->depth - 1];
      if (!level->empty)
        g_string_append (w->out, on_one_line (w) && w->layout != CXR_JSON_COMPACT ? ", " : ",");
      if (!on_one_line (w))
        newline (w, w->depth);
      level->empty = FALSE;
    }
  if (key != NULL)
    {
      write_string (w->out, key);
      g_string_append (w->out, w->layout == CXR_JSON_COMPACT ? ":" : ": ");
    }
}

static void
begin_container (CxrJsonWriter *w, const char *key, CxrJsonContainerStyle style, char open, char close)
{
  g_return_if_fail (w->depth < MAX_LEVELS);
  begin_value (w, key);
  g_string_append_c (w->out, open);
  w->levels[w->depth] = (Level) { TRUE, style == CXR_JSON_INLINE, close };
  if (style == CXR_JSON_INLINE && w->inline_from == G_MAXUINT)
    w->inline_from = w->depth;
  w->depth++;
}

void
cxr_json_writer_begin_object (CxrJsonWriter *w, const char *key, CxrJsonContainerStyle style)
{
  begin_container (w, key, style, '{', '}');
}

void
cxr_json_writer_begin_array (CxrJsonWriter *w, const char *key, CxrJsonContainerStyle style)
{
  begin_container (w, key, style, '[', ']');
}

void
cxr_json_writer_end (CxrJsonWriter *w)
{
  g_return_if_fail (w->depth > 0);
  Level *level = &w->levels[w->depth - 1];
  if (!level->empty && !on_one_line (w))
    newline (w, w->depth - 1);
  g_string_append_c (w->out, level->close);
  w->depth--;
  if (w->inline_from == w->depth)
    w->inline_from = G_MAXUINT;
}

void
cxr_json_writer_add_string (CxrJsonWriter *w, const char *key, const char *value)
{
  begin_value (w, key);
  if (value != NULL)
    write_string (w->out, value);
  else
    g_string_append (w->out, "null");
}

void
cxr_json_writer_add_int (CxrJsonWriter *w, const char *key, gint64 value)
{
  begin_value (w, key);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, value);
}

void
cxr_json_writer_add_uint (CxrJsonWriter *w, const char *key, guint64 value)
{
  begin_value (w, key);
  g_string_append_printf (w->out, "%" G_GUINT64_FORMAT, value);
}

void
cxr_json_writer_add_double (CxrJsonWriter *w, const char *key, double value)
{
  if (!isfinite (value))
    {
      cxr_json_writer_add_null (w, key);
      return;
    }
  /* As Python's repr: ".0" on whole numbers, so that a reader keeps the number a float. */
  char buf[CXR_FORMAT_BUF];
  const char *text = cxr_format_double (buf, value);
  begin_value (w, key);
  g_string_append (w->out, text);
  if (strpbrk (text, ".e") == NULL)
    g_string_append (w->out, ".0");
}

void
cxr_json_writer_add_float (CxrJsonWriter *w, const char *key, float value)
{
  if (!isfinite (value))
    {
      cxr_json_writer_add_null (w, key);
      return;
    }
  char buf[CXR_FORMAT_BUF];
  cxr_json_writer_add_number_text (w, key, cxr_format_float (buf, value));
}

void
cxr_json_writer_add_bool (CxrJsonWriter *w, const char *key, gboolean value)
{
  begin_value (w, key);
  g_string_append (w->out, value ? "true" : "false");
}

void
cxr_json_writer_add_null (CxrJsonWriter *w, const char *key)
{
  begin_value (w, key);
  g_string_append (w->out, "null");
}

void
cxr_json_writer_add_number_text (CxrJsonWriter *w, const char *key, const char *text)
{
  begin_value (w, key);
  g_string_append (w->out, text);
}

void
cxr_json_writer_add_node (CxrJsonWriter *w, const char *key, JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        cxr_json_writer_begin_object (w, key, CXR_JSON_BLOCK);
        g_autoptr (GList) members = json_object_get_members (object);
        for (GList *l = members; l != NULL; l = l->next)
          cxr_json_writer_add_node (w, l->data, json_object_get_member (object, l->data));
        cxr_json_writer_end (w);
        return;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        cxr_json_writer_begin_array (w, key, CXR_JSON_BLOCK);
        for (guint i = 0; i < json_array_get_length (array); i++)
          cxr_json_writer_add_node (w, NULL, json_array_get_element (array, i));
        cxr_json_writer_end (w);
        return;
      }
    case JSON_NODE_NULL:
      cxr_json_writer_add_null (w, key);
      return;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          cxr_json_writer_add_int (w, key, json_node_get_int (node));
          return;
        case G_TYPE_DOUBLE:
          cxr_json_writer_add_double (w, key, json_node_get_double (node));
          return;
        case G_TYPE_BOOLEAN:
          cxr_json_writer_add_bool (w, key, json_node_get_boolean (node));
          return;
        case G_TYPE_STRING:
          cxr_json_writer_add_string (w, key, json_node_get_string (node));
          return;
        default:
          cxr_json_writer_add_null (w, key);
          return;
        }
    }
}
