/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-review-private.h: what the files that read and write one member of an image's review (cxr-review-lines.c)
 * share with cxr-review.c, so that each member's format lives in a file of its own. */
#pragma once

#include <json-glib/json-glib.h>

#include "cxr-review.h"

G_BEGIN_DECLS

/* The image's review object, or NULL when nobody touched the image. */
JsonObject *_cxr_review_image (CxrReview *review, const char *image);
/* The image's review object, made on first use, stamped with who and when for the change about to happen. */
JsonObject *_cxr_review_touch (CxrReview *review, const char *image);
/* After a change: the review is dirty and says which image changed. */
void        _cxr_review_changed (CxrReview *review, const char *image);

/* cxr-review-lines.c: TRUE when @entry has no "lines" or a well-formed one. */
gboolean    _cxr_review_check_lines (JsonObject *entry);

G_END_DECLS
