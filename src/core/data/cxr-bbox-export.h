/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-export.h: the ground-truth boxes in the formats that other annotation tools and detectors read.
 *
 *   Pascal VOC  one <image stem>.xml per image, laid out as labelImg writes it (tabs, <size> with the image's
 *               width, height and depth, one <object> per box). Corners xmin, ymin, xmax, ymax in pixels, written
 *               as the shortest decimal that reads back exactly ("225.084745762712", "12"), so nothing is rounded
 *               away; readers parse them with float() (labelImg, mmdetection, ultralytics' converter).
 *   COCO        one annotations.json: "images" (id from 1 in order of first box, file_name, width, height),
 *               "annotations" (id = the box's row id in BB.csv, image_id, category_id, bbox [x, y, w, h] as in
 *               BB.csv, area w * h, iscrowd 0, segmentation []), "categories".
 *   YOLO        one <image stem>.txt per image, a line per box: "class cx cy w h" divided by the image's width
 *               and height (darknet, ultralytics), and classes.txt with one label a line (line N is class N).
 *
 * Categories are the same for every export, so that the class numbers of two exports agree: the eight NIH box
 * labels (Atelectasis, Cardiomegaly, Effusion, Infiltrate, Mass, Nodule, Pneumonia, Pneumothorax; COCO ids 1-8,
 * YOLO classes 0-7), then any other label of the boxes in byte order.
 *
 * Images and their sizes. Each image that has a box is exported; its width and height come from its file's header
 * (cxr-image-header.h), found through a callback. An image whose file is not found or not readable is left out and
 * listed in the report (with its boxes) — never silently. VOC and YOLO describe boxes inside the image, so a box
 * that reaches past an edge is cut to the image there (counted in the report) and one with nothing left inside is
 * left out and listed; COCO keeps the boxes as BB.csv has them.
 *
 * Every file is written atomically (cxr-atomic-file.h), with numbers the same under every locale.
 */
#pragma once

#include <glib.h>

#include "cxr-dataset.h"

G_BEGIN_DECLS

typedef enum {
  CXR_BBOX_EXPORT_VOC,
  CXR_BBOX_EXPORT_COCO,
  CXR_BBOX_EXPORT_YOLO,
} CxrBBoxExportFormat;

/* "voc", "coco", "yolo" */
const char *cxr_bbox_export_format_get_name  (CxrBBoxExportFormat format);
gboolean    cxr_bbox_export_format_from_name (const char *name, CxrBBoxExportFormat *format);

/* The path of @image's file (free with g_free), or NULL when there is none. */
typedef char *(*CxrBBoxExportLocateFunc) (const char *image, gpointer user_data);

typedef struct {
  guint n_images;        /* images exported */
  guint n_boxes;         /* boxes exported */
  guint n_clamped;       /* boxes cut to their image (VOC, YOLO) */
  guint n_files;         /* files written */
  GPtrArray *skipped;    /* one line per image or box left out: "00000001_000.png: why" */
} CxrBBoxExportReport;

void cxr_bbox_export_report_clear (CxrBBoxExportReport *report);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CxrBBoxExportReport, cxr_bbox_export_report_clear)

/* Writes @boxes (CxrBBox, in BB.csv order) into @out_dir (created when missing). @report (may be NULL) is filled
 * in; images left out are not an error. Fails with CXR_ERROR_IO when a file cannot be written. */
gboolean cxr_bbox_export (GArray *boxes, CxrBBoxExportFormat format, const char *out_dir,
                          CxrBBoxExportLocateFunc locate, gpointer locate_data, CxrBBoxExportReport *report,
                          GError **error);

/* The dataset's boxes as they are now (with unsaved edits), images found through the dataset. */
gboolean cxr_bbox_export_dataset (CxrDataset *dataset, CxrBBoxExportFormat format, const char *out_dir,
                                  CxrBBoxExportReport *report, GError **error);

G_END_DECLS
