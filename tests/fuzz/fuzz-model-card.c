/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-model-card: a model card (cxr-model-card.c), with the outputs unknown and with two; a card that loads must
 * write and load again. */
#include <string.h>

#include "cxr-model-card.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_file (data, size);
  for (guint outputs = 0; outputs <= 2; outputs += 2)
    {
      GError *error = NULL;
      g_autoptr (CxrModelCard) card = cxr_model_card_load (path, outputs, &error);
      fuzz_discard (error);
      if (card == NULL)
        continue;
      g_autofree char *json = cxr_model_card_to_json (card);
      path = fuzz_file ((const uint8_t *) json, strlen (json));
      error = NULL;
      g_autoptr (CxrModelCard) again = cxr_model_card_load (path, outputs, &error);
      if (again == NULL)
        g_error ("a card cxrcam wrote does not load: %s\n%s", error->message, json);
      path = fuzz_file (data, size);
    }
  return 0;
}
