/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-render.h: the tutorial's four pictures of one explained image, and the colormap behind them.
 *
 *   original_<name>.png  the image as it is (8-bit gray)
 *   gtimage_<name>.png   the image with the ground-truth boxes in yellow, each labelled "GT Cardiomegaly",
 *                        and the predicted boxes in cyan, the first labelled "pred Cardiomegaly 0.87" (the
 *                        class probability); drawn without antialiasing, so box pixels are exactly yellow
 *   mask_<name>.png      the image where CAM >= t, black elsewhere (cxr-cam-boxes.h's mask)
 *   pred_<name>.png      the JET heatmap over the image, as pytorch-grad-cam's show_cam_on_image:
 *                          heat = JET[uint8 (255 cam)] / 255   (OpenCV's COLORMAP_JET table, RGB)
 *                          out  = opacity heat + (1 - opacity) gray / 255
 *                          out  = uint8 (255 out / max (out))  (truncated, as np.uint8)
 *                        opacity 0.5 is show_cam_on_image's default image_weight.
 *
 * The functions write RGB24 or gray8 pixels into caller buffers (pure, main-thread safe: the viewer can
 * call them on every slider move) or PNG files with cairo. No GTK.
 */
#pragma once

#include <glib.h>

#include "cxr-cam-boxes.h"
#include "cxr-cam.h"

G_BEGIN_DECLS

#define CXR_CAM_DEFAULT_OPACITY 0.5f

/* OpenCV's COLORMAP_JET as RGB: [256][3]. The one JET table of cxrcam: pred_ pictures and the viewer's heatmap
 * both look their colours up here. */
extern const guint8 cxr_colormap_jet[256][3];

/* The colormap entry for a CAM value, as show_cam_on_image picks it: np.uint8 (255 cam), truncated. NaN and values
 * below 0 take entry 0, values above 1 entry 255. The viewer uses the same rule, so the screen shows what pred_
 * holds. */
static inline guint8
cxr_colormap_index (float cam)
{
  return cam > 0.0f ? (guint8) (255.0f * MIN (cam, 1.0f)) : 0;
}

/* rgb: [height, width, 3]. */
void     cxr_cam_render_heatmap_overlay (guint8 *rgb, const guint8 *gray8, const float *cam, int width,
                                         int height, float opacity);
/* out: [height, width] gray, the image where mask is set, 0 elsewhere. */
void     cxr_cam_render_masked          (guint8 *out, const guint8 *gray8, const guint8 *mask, gsize n);

/* Where and what to write; NULL fields are skipped. */
typedef struct {
  float threshold;
  CxrBoxMode box_mode;
  float opacity;                 /* heatmap weight in pred_ */
  const CxrRect *truth;          /* ground-truth boxes, n_truth of them */
  guint n_truth;
  const char *truth_label;       /* "Cardiomegaly" */
} CxrCamRenderOptions;

void     cxr_cam_render_options_init (CxrCamRenderOptions *options);

/* The image's basename without its extension, which names its pictures: "00001369_000" for
 * "/data/images/00001369_000.png". */
char    *cxr_cam_result_dup_stem (const CxrCamResult *result);

/* Writes original_, gtimage_, mask_ and pred_<stem>.png into @folder (<stem> is the image's basename
 * without extension, plus ".png": "pred_00001369_000.png"). @boxes are the predicted boxes to draw. */
gboolean cxr_cam_write_images (const CxrCamResult *result, const char *folder,
                               const CxrCamRenderOptions *options, const CxrRect *boxes, guint n_boxes,
                               GError **error);

G_END_DECLS
