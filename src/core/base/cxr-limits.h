/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-limits.h: how much an input may make cxrcam allocate, decided in one place.
 *
 * Every reader asks here before it allocates anything an input claims (elements of a tensor, bytes inflated from
 * a zip entry, pixels of an image, nesting levels of a JSON document, the size of a text file read whole), so
 * that a hostile or broken file is a clear error naming the limit, never an abort, a swap storm or a stack
 * overflow. The rules:
 *
 *   memory      no single input may claim more than half of the memory this process can have (physical memory,
 *               or less under RLIMIT_AS / RLIMIT_DATA);
 *   expansion   a file's tensors and inflated entries may take at most CXR_LIMIT_EXPANSION bytes per byte of
 *               the file, or CXR_LIMIT_EXPANSION_FLOOR in all if that is more (float32 from uint8 is 4 bytes a
 *               byte; a broadcast view or a zip bomb is far more);
 *   pixels      an image may have at most CXR_LIMIT_IMAGE_SIDE pixels a side and CXR_LIMIT_IMAGE_PIXELS in all;
 *   input size  a model card may ask for at most CXR_LIMIT_INPUT_SIDE pixels a side;
 *   nesting     JSON may nest at most CXR_LIMIT_JSON_DEPTH arrays and objects, checked before any parser sees it;
 *   whole file  a file read whole (CSV, JSON, an image) may be at most CXR_LIMIT_FILE_BYTES (and the memory rule),
 *               and files of known kinds less (below);
 *   pickles     the stack, marks, memo and objects of a pickle are bounded, and modules nest at most
 *               CXR_LIMIT_MODULE_DEPTH deep.
 *
 * Errors are CXR_ERROR_LIMIT.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_LIMIT_EXPANSION        4
#define CXR_LIMIT_EXPANSION_FLOOR  ((guint64) 64 << 20)
#define CXR_LIMIT_IMAGE_SIDE       16384
#define CXR_LIMIT_IMAGE_PIXELS     ((gint64) 1 << 26)   /* 8192 x 8192: a mammogram is 23 MP, a chest film 15 */
#define CXR_LIMIT_INPUT_SIDE       2048
#define CXR_LIMIT_JSON_DEPTH       64
#define CXR_LIMIT_FILE_BYTES       ((guint64) 1 << 30)
/* Files of known kinds, far above any real one: */
#define CXR_LIMIT_BBOX_CSV_BYTES   ((guint64) 64 << 20)    /* BB.csv: the NIH one is 90 KB */
#define CXR_LIMIT_SIDECAR_BYTES    ((guint64) 256 << 20)   /* gt_dict.json, cxrcam-review.json, the BB.csv journal */
#define CXR_LIMIT_CARD_BYTES       ((guint64) 1 << 20)     /* a model card */
#define CXR_LIMIT_SAFETENSORS_HEADER ((guint64) 100000000) /* the reference implementation's limit */
/* Pickles (cxr-pickle.c): what the interpreter may hold at once. */
#define CXR_LIMIT_PICKLE_STACK     (1 << 20)
#define CXR_LIMIT_PICKLE_MARKS     (1 << 20)
#define CXR_LIMIT_PICKLE_MEMO      (1 << 22)
#define CXR_LIMIT_PICKLE_VALUES    (1 << 23)
#define CXR_LIMIT_MODULE_DEPTH     64                     /* nn.Modules nested in a pickled model */
/* CPU seconds of the DICOM decoder process for one image (cxr-dicom-decoder.h; the wall clock gets twice that):
 * the largest image allowed (8192 x 8192, 16-bit JPEG 2000) decodes in well under a minute. */
#define CXR_LIMIT_DECODE_SECONDS   60

/* Bytes one input may claim: half of the smaller of physical memory, RLIMIT_AS and RLIMIT_DATA. */
guint64  cxr_limits_memory           (void);

/* count * item_size bytes for @what: no overflow, within the memory rule. */
gboolean cxr_limits_check_alloc      (guint64 count, guint64 item_size, const char *what, GError **error);

/* What a file may expand to as it is read: every claim is added up against the expansion and memory rules. */
typedef struct {
  const char *name;      /* the file, for messages */
  guint64 file_size;
  guint64 allowed;       /* bytes */
  guint64 claimed;
} CxrLimitBudget;

void     cxr_limit_budget_init       (CxrLimitBudget *budget, const char *name, guint64 file_size);
/* Claims count * item_size bytes for @what (a tensor's name, "zip entry 'x'"). */
gboolean cxr_limit_budget_claim      (CxrLimitBudget *budget, guint64 count, guint64 item_size, const char *what,
                                      GError **error);

/* The product of a shape's dimensions (each >= 0), refused when it overflows 2^62. */
gboolean cxr_limits_check_shape      (int ndim, const gint64 *shape, guint64 *numel, const char *what, GError **error);

gboolean cxr_limits_check_image      (gint64 width, gint64 height, const char *what, GError **error);
gboolean cxr_limits_check_input_side (gint64 width, gint64 height, const char *what, GError **error);
/* Nesting of [ and { outside strings, before a JSON parser recurses into it. */
gboolean cxr_limits_check_json_depth (const char *data, gsize length, const char *what, GError **error);
gboolean cxr_limits_check_file_size  (guint64 size, const char *what, GError **error);

G_END_DECLS
