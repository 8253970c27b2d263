/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-gt-dict: gt_dict.json in its shapes (cxr-gt-dict.c); a file that loads must write and load again. */
#include "cxr-gt-dict.h"
#include "fuzz-util.h"

#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrGtDict) dict = cxr_gt_dict_load (fuzz_file (data, size), &error);
  fuzz_discard (error);
  if (dict == NULL)
    return 0;
  g_autofree char *json = cxr_gt_dict_to_json (dict);
  error = NULL;
  g_autoptr (CxrGtDict) again = cxr_gt_dict_load (fuzz_file ((const uint8_t *) json, strlen (json)), &error);
  if (again == NULL)
    g_error ("a gt_dict cxrcam wrote does not load: %s\n%s", error->message, json);
  return 0;
}
