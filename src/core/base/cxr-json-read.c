/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-json-read.c: JSON in, bounded and with places in its errors (see cxr-json-read.h). */
#include "cxr-json-read.h"

#include <math.h>

#include <string.h>

#include "cxr-error.h"
#include "cxr-limits.h"

/* The LINE:COLUMN of @at in @text, as json-glib counts them. */
static void
place_of (const char *text, const char *at, guint *line, guint *column)
{
  *line = 1, *column = 1;
  for (const char *p = text; p < at; p++)
    if (*p == '\n')
      (*line)++, *column = 1;
    else
      (*column)++;
}

static gboolean
string_error (const char *text, const char *at, const char *name, const char *what, GError **error)
{
  guint line, column;
  place_of (text, at, &line, &column);
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:%u:%u: %s in a string: not valid JSON", name, line, column,
               what);
  return FALSE;
}

static int
hex4 (const char *p, const char *end)
{
  if (end - p < 4)
    return -1;
  int value = 0;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);
      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* json-glib's scanner reads more than JSON: C escapes (\333 is the byte 0xdb, \x41 the text "x41"), a lone
 * surrogate (\ud800, three bytes that are not UTF-8) and \u0000 (the string silently cut there). Each gave a
 * string that cxrcam would write back into a file it then could not read (the gt_dict fuzzer found \333). Only
 * RFC 8259's strings pass: escapes \" \\ \/ \b \f \n \r \t \uXXXX (surrogates in pairs, no NUL) and no raw
 * control characters. */
static gboolean
check_strings (const char *text, gsize length, const char *name, GError **error)
{
  const char *end = text + length;
  gboolean in_string = FALSE;
  for (const char *p = text; p < end; p++)
    {
      if (!in_string)
        {
          in_string = *p == '"';
          continue;
        }
      if (*p == '"')
        in_string = FALSE;
      else if ((guchar) *p < 0x20)
        return string_error (text, p, name, "a raw control character", error);
      else if (*p == '\\')
        {
          const char *escape = p++;
          if (p == end)
            return string_error (text, escape, name, "an escape cut short", error);
          if (strchr ("\"\\/bfnrt", *p) != NULL && *p != '\0')
            continue;
          if (*p != 'u')
            return string_error (text, escape, name, "an escape JSON does not have", error);
          int unit = hex4 (p + 1, end);
          if (unit < 0)
            return string_error (text, escape, name, "a \\u escape without four hex digits", error);
          p += 4;
          if (unit == 0)
            return string_error (text, escape, name, "a NUL character (\\u0000)", error);
          if (unit >= 0xdc00 && unit <= 0xdfff)
            return string_error (text, escape, name, "a lone low surrogate", error);
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              int low = end - p > 2 && p[1] == '\\' && p[2] == 'u' ? hex4 (p + 3, end) : -1;
              if (low < 0xdc00 || low > 0xdfff)
                return string_error (text, escape, name, "a lone high surrogate", error);
              p += 6;
            }
        }
    }
  return TRUE;
}

JsonParser *
cxr_json_parse (const char *text, gsize length, const char *name, GError **error)
{
  const char *bad = NULL;
  if (!g_utf8_validate_len (text, length, &bad))
    {
      guint line, column;
      place_of (text, bad, &line, &column);
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:%u:%u: invalid UTF-8 (byte 0x%02x): not a JSON file",
                   name, line, column, (guchar) *bad);
      return NULL;
    }
  if (!check_strings (text, length, name, error) || !cxr_limits_check_json_depth (text, length, name, error))
    return NULL;

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) json_error = NULL;
  if (!json_parser_load_from_data (parser, text, (gssize) length, &json_error))
    {
      /* json-glib says "<data>:LINE:COLUMN: Parse error: ..." */
      const char *message = json_error->message;
      if (g_str_has_prefix (message, "<data>"))
        message += strlen ("<data>");
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s%s%s", name, *message == ':' ? "" : ": ", message);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

JsonParser *
cxr_json_load (const char *path, guint64 max_size, CxrFileIdentity *identity, char **text_out, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;
  CxrFileIdentity read_identity;
  if (!cxr_input_file_read (path, max_size, &text, &length, &read_identity, error))
    return NULL;
  g_autoptr (JsonParser) parser = cxr_json_parse (text, length, path, error);
  if (parser == NULL)
    return NULL;
  if (identity != NULL)
    *identity = read_identity;
  if (text_out != NULL)
    *text_out = g_steal_pointer (&text);
  return g_steal_pointer (&parser);
}

gboolean
cxr_json_read_numbers (JsonNode *node, double *values, guint n)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  JsonArray *array = json_node_get_array (node);
  if (json_array_get_length (array) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (element))
        return FALSE;
      GType type = json_node_get_value_type (element);
      if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
        return FALSE;
      values[i] = json_node_get_double (element);
      if (!isfinite (values[i]))
        return FALSE;
    }
  return TRUE;
}
