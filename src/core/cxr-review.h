/* cxr-review.h: the review sidecar, cxrcam-review.json beside BB.csv: per image whether a person has reviewed
 * it, a free-text note, who changed it last (g_get_user_name) and when (ISO 8601, UTC).
 *
 *   {
 *     "version": 1,
 *     "images": {
 *       "00000001_000.png": {"reviewed": true, "note": "box too wide", "who": "ana", "when": "2024-05-01T10:22:31Z"}
 *     }
 *   }
 *
 * Members this version does not know, at the top or inside an image, are kept when the file is written again.
 * Saving is atomic (temporary file, fsync, rename, fsync of the folder), keeps the previous version as path~, and
 * refuses with CXR_ERROR_CONFLICT to overwrite a file whose content changed since it was read. A failed save
 * leaves the review dirty. A review belongs to the thread that opened it.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  gboolean reviewed;
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

gboolean    cxr_review_is_dirty (CxrReview *review);
gboolean    cxr_review_save (CxrReview *review, GError **error);

G_END_DECLS
