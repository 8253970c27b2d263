/* cxr-dataset-json.h: reading the dataset's JSON sidecars (gt_dict.json, cxrcam-review.json) with errors that name
 * FILE:LINE:COLUMN, binary files included (json-glib gives no place for bad UTF-8). */
#pragma once

#include <json-glib/json-glib.h>

#include "cxr-bbox-file.h"

G_BEGIN_DECLS

/* Parses the file; identity (may be NULL) gets what was read, for a later conflict check, and text (may be NULL)
 * the bytes. Errors: CXR_ERROR_IO, or CXR_ERROR_FORMAT "FILE:LINE:COLUMN: what". */
JsonParser *cxr_dataset_json_load (const char *path, CxrBBoxFileIdentity *identity, char **text, GError **error);

G_END_DECLS
