/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-json-read.c: JSON in, bounded and with places in its errors (see cxr-json-read.h). */
#include "cxr-json-read.h"

#include <string.h>

#include "cxr-error.h"
#include "cxr-limits.h"

JsonParser *
cxr_json_parse (const char *text, gsize length, const char *name, GError **error)
{
  const char *bad = NULL;
  if (!g_utf8_validate_len (text, length, &bad))
    {
      guint line = 1, column = 1;
      for (const char *p = text; p < bad; p++)
        if (*p == '\n')
          line++, column = 1;
        else
          column++;
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:%u:%u: invalid UTF-8 (byte 0x%02x): not a JSON file",
                   name, line, column, (guchar) *bad);
      return NULL;
    }
  if (!cxr_limits_check_json_depth (text, length, name, error))
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
