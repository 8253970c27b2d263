/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-snapshot.h: the boxes of every image at one moment, to tell which images were edited since ("edited
 * since opened" in the image list).
 *
 * An image counts as edited when its boxes now (labels and rects, in file order) differ from what they were when
 * the snapshot was taken: an edit that was undone, or set back by hand, does not count. Saving does not reset it.
 * The edited set is kept up to date by the caller, image by image after each edit (cheap: one image's boxes) or
 * all at once after an edit of unknown extent (recover, revert, reload).
 */
#pragma once

#include "cxr-bbox-store.h"

G_BEGIN_DECLS

typedef struct _CxrBBoxSnapshot CxrBBoxSnapshot;

CxrBBoxSnapshot *cxr_bbox_snapshot_new  (CxrBBoxStore *store);
void             cxr_bbox_snapshot_free (CxrBBoxSnapshot *snapshot);

/* Compares @image's boxes in @store with the snapshot (NULL: every image). */
void     cxr_bbox_snapshot_update    (CxrBBoxSnapshot *snapshot, CxrBBoxStore *store, const char *image);
gboolean cxr_bbox_snapshot_is_edited (CxrBBoxSnapshot *snapshot, const char *image);
guint    cxr_bbox_snapshot_count_edited (CxrBBoxSnapshot *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrBBoxSnapshot, cxr_bbox_snapshot_free)

G_END_DECLS
