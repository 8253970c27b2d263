/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dataset-findings.h: the 14 NIH ChestX-ray14 findings and "No Finding" as bits.
 *
 * Data_Entry_2017.csv writes them as NIH names joined by '|' ("Cardiomegaly|Effusion", "No Finding");
 * BBox_List_2017.csv says "Infiltrate" where Data_Entry says "Infiltration", and people write
 * "Pleural Thickening" for "Pleural_Thickening": both spellings are read. Anything else is CXR_FINDING_OTHER.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_FINDING_ATELECTASIS        = 1 << 0,
  CXR_FINDING_CARDIOMEGALY       = 1 << 1,
  CXR_FINDING_EFFUSION           = 1 << 2,
  CXR_FINDING_INFILTRATION       = 1 << 3,
  CXR_FINDING_MASS               = 1 << 4,
  CXR_FINDING_NODULE             = 1 << 5,
  CXR_FINDING_PNEUMONIA          = 1 << 6,
  CXR_FINDING_PNEUMOTHORAX       = 1 << 7,
  CXR_FINDING_CONSOLIDATION      = 1 << 8,
  CXR_FINDING_EDEMA              = 1 << 9,
  CXR_FINDING_EMPHYSEMA          = 1 << 10,
  CXR_FINDING_FIBROSIS           = 1 << 11,
  CXR_FINDING_PLEURAL_THICKENING = 1 << 12,
  CXR_FINDING_HERNIA             = 1 << 13,
  CXR_FINDING_NO_FINDING         = 1 << 14,
  CXR_FINDING_OTHER              = 1 << 15,   /* a label that is none of the above */
} CxrFinding;

/* Any of the 14 findings (not No Finding, not OTHER). */
#define CXR_FINDING_ANY 0x3fffu
#define CXR_N_NIH_FINDINGS 14

/* The NIH name of one bit ("Infiltration", "Pleural_Thickening", "No Finding"), or NULL. */
const char *cxr_finding_get_name (CxrFinding finding);

/* The bit for one label (either spelling, any case), or 0 when it is not an NIH label. */
CxrFinding cxr_finding_from_name (const char *name, gssize length);

/* The bits of a '|'-separated label list. Each unknown label sets CXR_FINDING_OTHER and, when unknown is not
 * NULL, is counted there (label -> GUINT count; the table owns its keys). */
guint32 cxr_finding_parse_list (const char *text, gsize length, GHashTable *unknown);

/* "Cardiomegaly|Effusion" for bits, in NIH order. */
char *cxr_finding_format_list (guint32 findings);

G_END_DECLS
