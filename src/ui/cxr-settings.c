/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-settings.c: see cxr-settings.h. */
#include "config.h"

#include "cxr-settings.h"

#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>


#define BUILTIN_SCHEMA_RESOURCE "/org/cxrcam/Cxrcam/schema/gschemas.compiled"

/* The schema compiled into the app (data/cxrcam-schema.gresource.xml): exactly the keys this build uses. */
static GSettingsSchema *
load_builtin_schema (GError **error)
{
  g_autoptr (GBytes) compiled = g_resources_lookup_data (BUILTIN_SCHEMA_RESOURCE, 0, error);
  if (compiled == NULL)
    return NULL;

  /* GSettings reads schemas from folders only: lend it one while it maps the file (the mapping outlives it). */
  g_autofree char *folder = g_dir_make_tmp ("cxrcam-schema-XXXXXX", error);
  if (folder == NULL)
    return NULL;
  g_autofree char *path = g_build_filename (folder, "gschemas.compiled", NULL);
  g_autoptr (GSettingsSchemaSource) source = NULL;
  gsize size;
  const char *data = g_bytes_get_data (compiled, &size);
  if (g_file_set_contents (path, data, (gssize) size, error))
    source = g_settings_schema_source_new_from_directory (folder, NULL, TRUE, error);
  g_unlink (path);
  g_rmdir (folder);
  if (source == NULL)
    return NULL;

  GSettingsSchema *schema = g_settings_schema_source_lookup (source, APPLICATION_ID, FALSE);
  if (schema == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no schema %s", BUILTIN_SCHEMA_RESOURCE,
                 APPLICATION_ID);
  return schema;
}

/* TRUE when @schema has every key of @reference, with the same type. */
static gboolean
has_every_key (GSettingsSchema *schema, GSettingsSchema *reference)
{
  g_auto (GStrv) keys = g_settings_schema_list_keys (reference);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      if (!g_settings_schema_has_key (schema, keys[i]))
        return FALSE;
      g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, keys[i]);
      g_autoptr (GSettingsSchemaKey) wanted = g_settings_schema_get_key (reference, keys[i]);
      if (!g_variant_type_equal (g_settings_schema_key_get_value_type (key),
                                 g_settings_schema_key_get_value_type (wanted)))
        return FALSE;
    }
  return TRUE;
}

/* The schema GSettings finds (main.c puts the build folder's first when uninstalled), when it fits this build;
 * NULL otherwise. */
static GSettingsSchema *
find_schema (GSettingsSchema *builtin)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  if (source == NULL)
    return NULL;
  g_autoptr (GSettingsSchema) schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema != NULL && builtin != NULL && !has_every_key (schema, builtin))
    return NULL;
  return g_steal_pointer (&schema);
}

GSettings *
cxr_settings_new (gboolean *out_remembered)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettingsSchema) builtin = load_builtin_schema (&error);
  g_autoptr (GSettingsSchema) schema = find_schema (builtin);

  if (out_remembered != NULL)
    *out_remembered = schema != NULL;
  if (schema != NULL)
    return g_settings_new_full (schema, NULL, NULL);
  if (builtin == NULL)
    g_error ("No settings schema %s is installed, and the built-in one cannot be read: %s", APPLICATION_ID,
             error->message);

  g_autoptr (GSettingsBackend) memory = g_memory_settings_backend_new ();
  return g_settings_new_full (builtin, memory, NULL);
}
