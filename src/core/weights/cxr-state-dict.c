/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-state-dict.h"

struct _CxrStateDict {
  GPtrArray *keys;      /* char*, owned, in insertion order */
  GHashTable *tensors;  /* borrowed key -> CxrTensor*, owned */
};

CxrStateDict *
cxr_state_dict_new (void)
{
  CxrStateDict *dict = g_new0 (CxrStateDict, 1);
  dict->keys = g_ptr_array_new_with_free_func (g_free);
  dict->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) cxr_tensor_free);
  return dict;
}

void
cxr_state_dict_free (CxrStateDict *dict)
{
  if (dict == NULL)
    return;
  g_hash_table_unref (dict->tensors);
  g_ptr_array_unref (dict->keys);
  g_free (dict);
}

void
cxr_state_dict_insert (CxrStateDict *dict, const char *name, CxrTensor *tensor)
{
  g_return_if_fail (name != NULL && tensor != NULL);

  gpointer existing_key;
  if (g_hash_table_lookup_extended (dict->tensors, name, &existing_key, NULL))
    {
      /* Keep the key and its position; the old tensor is freed. */
      g_hash_table_insert (dict->tensors, existing_key, tensor);
      return;
    }
  char *key = g_strdup (name);
  g_ptr_array_add (dict->keys, key);
  g_hash_table_insert (dict->tensors, key, tensor);
}

CxrTensor *
cxr_state_dict_lookup (const CxrStateDict *dict, const char *name)
{
  return g_hash_table_lookup (dict->tensors, name);
}

CxrTensor *
cxr_state_dict_steal (CxrStateDict *dict, const char *name)
{
  for (guint i = 0; i < dict->keys->len; i++)
    if (g_str_equal (g_ptr_array_index (dict->keys, i), name))
      {
        CxrTensor *tensor = g_hash_table_lookup (dict->tensors, name);
        g_hash_table_steal (dict->tensors, name);
        g_ptr_array_remove_index (dict->keys, i);
        return tensor;
      }
  return NULL;
}

guint
cxr_state_dict_size (const CxrStateDict *dict)
{
  return dict->keys->len;
}

const char *
cxr_state_dict_key_at (const CxrStateDict *dict, guint index)
{
  g_return_val_if_fail (index < dict->keys->len, NULL);
  return g_ptr_array_index (dict->keys, index);
}
