/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-finding-names.h: the NIH findings as people read them, translated (the files keep NIH's English names). */
#pragma once

#include "cxr-dataset-findings.h"

G_BEGIN_DECLS

/* "Cardiomegaly", "Pleural thickening", "No finding", ... translated; NULL for an unknown bit. */
const char *cxr_finding_get_title (CxrFinding finding);

/* The translated titles of @findings in NIH order, "Cardiomegaly, Effusion". */
char       *cxr_finding_format_titles (guint32 findings);

G_END_DECLS
