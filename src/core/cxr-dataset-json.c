#include "cxr-dataset-json.h"

#include <string.h>

#include "cxr-error.h"

/* Sidecars are small; a bigger file is something else. */
#define SIDECAR_MAX_SIZE (256u << 20)

JsonParser *
cxr_dataset_json_load (const char *path, CxrBBoxFileIdentity *identity, char **text_out, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;
  CxrBBoxFileIdentity read_identity;
  if (!cxr_bbox_file_read (path, SIDECAR_MAX_SIZE, &text, &length, &read_identity, error))
    return NULL;

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
                   path, line, column, (guchar) *bad);
      return NULL;
    }

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) json_error = NULL;
  if (!json_parser_load_from_data (parser, text, (gssize) length, &json_error))
    {
      /* json-glib says "<data>:LINE:COLUMN: Parse error: ..." */
      const char *message = json_error->message;
      if (g_str_has_prefix (message, "<data>"))
        message += strlen ("<data>");
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s%s%s", path, *message == ':' ? "" : ": ", message);
      return NULL;
    }
  if (identity != NULL)
    *identity = read_identity;
  if (text_out != NULL)
    *text_out = g_steal_pointer (&text);
  return g_steal_pointer (&parser);
}
