/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-review.h: the review sidecar, cxrcam-review.json beside BB.csv: per image whether a person has reviewed
 * it, their verdict on the model's answer (agree, disagree, unsure; absent when none was given), a free-text note,
 * who changed it last (g_get_user_name) and when (ISO 8601, UTC).
 *
 *   {
 *     "version": 1,
 *     "images": {
 *       "00000001_000.png": {"reviewed": true, "verdict": "disagree", "note": "box too wide", "who": "ana",
 *                            "when": "2024-05-01T10:22:31Z"}
 *     }
 *   }
 *
 * "verdict" came after the first files were written: files without it read as before (no verdict), and older
 * readers keep it, since they keep members they do not know. So did "ctr" (issue 16), a cardiothoracic ratio
 * measured with two horizontal calipers (cxr-ctr.h), in original-image pixels to a tenth:
 *
 *       "ctr": {"heart": [412.5, 690, 601.2], "thorax": [198, 860.4, 640], "ratio": 0.4198}
 *
 * each caliper [left x, right x, row y]; "ratio" (four decimals) is written for other readers, cxrcam reads the
 * calipers. Files without "ctr" have no measurement. And "lines" (issue 16), straight-line measurements
 * (cxr-measure-line.h), each [x0, y0, x1, y1] in original-image pixels to a tenth, in the order drawn:
 *
 *       "lines": [[412.5, 301.0, 690.2, 588.4], [100.0, 80.5, 140.0, 80.5]]
 *
 * Files without "lines" have none; a "lines" that is not a list of four numbers each is refused naming the image.
 * Members this version does not know, at the top or inside an image, are kept when the file is written again.
 * Saving is atomic (temporary file, fsync, rename, fsync of the folder), keeps the previous version as path~, and
 * refuses with CXR_ERROR_CONFLICT to overwrite a file whose content changed since it was read. A failed save
 * leaves the review dirty. A review belongs to the thread that opened it.
 */
#pragma once

#include <glib-object.h>

#include "cxr-ctr.h"
#include "cxr-measure-line.h"

G_BEGIN_DECLS

typedef enum {
  CXR_VERDICT_NONE,
  CXR_VERDICT_AGREE,      /* the reader agrees with the model's answer */
  CXR_VERDICT_DISAGREE,
  CXR_VERDICT_UNSURE,
} CxrVerdict;

/* "agree", "disagree", "unsure"; NULL for CXR_VERDICT_NONE. */
const char *cxr_verdict_to_id (CxrVerdict verdict);
gboolean    cxr_verdict_from_id (const char *id, CxrVerdict *verdict);

typedef struct {
  gboolean reviewed;
  CxrVerdict verdict;
  const char *note;   /* "" when there is none */
  const char *who;    /* NULL when unknown */
  const char *when;   /* NULL when unknown */
} CxrReviewEntry;     /* strings owned by the review, valid until that image changes */

#define CXR_TYPE_REVIEW (cxr_review_get_type ())
G_DECLARE_FINAL_TYPE (CxrReview, cxr_review, CXR, REVIEW, GObject)

/* A missing file is an empty review (saving creates it). Bad JSON: CXR_ERROR_FORMAT with FILE:LINE:COLUMN. */
CxrReview  *cxr_review_open (const char *path, GError **error);
const char *cxr_review_get_path (CxrReview *review);

/* FALSE (and an unreviewed, empty entry) for an image nobody touched. */
gboolean    cxr_review_lookup (CxrReview *review, const char *image, CxrReviewEntry *entry);
guint       cxr_review_count_reviewed (CxrReview *review);

/* Each change stamps who and when. */
void        cxr_review_set_reviewed (CxrReview *review, const char *image, gboolean reviewed);
void        cxr_review_set_note (CxrReview *review, const char *image, const char *note);
/* A verdict other than NONE also marks the image reviewed. */
void        cxr_review_set_verdict (CxrReview *review, const char *image, CxrVerdict verdict);

/* The image's CTR measurement: FALSE when it has none. Setting one (NULL: removes it) stamps who and when. */
gboolean    cxr_review_get_ctr (CxrReview *review, const char *image, CxrCtr *ctr);
void        cxr_review_set_ctr (CxrReview *review, const char *image, const CxrCtr *ctr);

/* The image's line measurements (CxrMeasureLine, in the order drawn): a new array, empty when it has none.
 * Setting them (NULL or empty: none) rounds them to a tenth of a pixel and stamps who and when. */
GArray     *cxr_review_get_lines (CxrReview *review, const char *image);
void        cxr_review_set_lines (CxrReview *review, const char *image, const GArray *lines);

/* The review as CSV (RFC 4180, UTF-8, the same bytes under any locale): CXR_REVIEW_CSV_HEADER, then one row per
 * image with the finding labels and the model's probability (NAN: empty) that the caller knows. */
#define CXR_REVIEW_CSV_HEADER "image,finding_labels,probability,reviewed,verdict,note,who,when\n"
void        cxr_review_csv_append_row (CxrReview *review, GString *csv, const char *image, const char *finding_labels,
                                       double probability);

gboolean    cxr_review_is_dirty (CxrReview *review);
gboolean    cxr_review_save (CxrReview *review, GError **error);

G_END_DECLS
