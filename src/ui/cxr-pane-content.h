/* cxr-pane-content.h: what the four panes show for one image, shared by all of them.
 *
 * The gray image (a texture, and its 8-bit pixels for the value under the pointer), the ground-truth boxes, the
 * predicted boxes, the mask and heatmap textures and the CAM values behind the heatmap; plus a line of status per
 * CAM pane for when there is no CAM yet ("Open a model…", "Computing Grad-CAM…", an error). Everything is in
 * image pixels; the panes transform it with the shared view state. "changed" is emitted after every update.
 */
#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

typedef struct {
  double x, y, w, h;   /* image pixels */
  guint id;            /* the BB.csv row (CxrBBox.id) of a ground-truth box, for editing; 0 for others */
  char label[48];      /* shown beside the box; may be empty */
} CxrPaneBox;

#define CXR_TYPE_PANE_CONTENT (cxr_pane_content_get_type ())
G_DECLARE_FINAL_TYPE (CxrPaneContent, cxr_pane_content, CXR, PANE_CONTENT, GObject)

CxrPaneContent *cxr_pane_content_new (void);

/* Replaces everything: a new image with its boxes, no CAM. @gray8 is [height * width] bytes. */
void        cxr_pane_content_set_image      (CxrPaneContent *self, GdkTexture *texture, GBytes *gray8,
                                             int width, int height);
void        cxr_pane_content_clear          (CxrPaneContent *self);
GdkTexture *cxr_pane_content_get_texture    (CxrPaneContent *self);
void        cxr_pane_content_get_size       (CxrPaneContent *self, int *width, int *height);
/* The 8-bit value at an image pixel, or -1 outside the image. */
int         cxr_pane_content_get_gray_at    (CxrPaneContent *self, int x, int y);

/* GArrays of CxrPaneBox (copied). */
void        cxr_pane_content_set_gt_boxes        (CxrPaneContent *self, GArray *boxes);
const GArray *cxr_pane_content_get_gt_boxes      (CxrPaneContent *self);
void        cxr_pane_content_set_predicted_boxes (CxrPaneContent *self, GArray *boxes);
const GArray *cxr_pane_content_get_predicted_boxes (CxrPaneContent *self);

/* The mask overlay (NULL: none yet). */
void        cxr_pane_content_set_mask       (CxrPaneContent *self, GdkTexture *mask);
GdkTexture *cxr_pane_content_get_mask       (CxrPaneContent *self);
/* The heatmap texture and the CAM values it shows ([height * width] floats in [0, 1]), or NULL. */
void        cxr_pane_content_set_heatmap    (CxrPaneContent *self, GdkTexture *heatmap, GBytes *cam);
GdkTexture *cxr_pane_content_get_heatmap    (CxrPaneContent *self);
/* The CAM value at an image pixel, or NAN. */
float       cxr_pane_content_get_cam_at     (CxrPaneContent *self, int x, int y);

/* Why the CAM panes are empty (NULL: they are not, or nothing to say). */
void        cxr_pane_content_set_cam_status (CxrPaneContent *self, const char *status);
const char *cxr_pane_content_get_cam_status (CxrPaneContent *self);

G_END_DECLS
