/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pane-measures.h: the measurements a pane draws over the image (issue 16, point 4): the CTR tool's two
 * calipers with their lengths and the ratio, and the line tool's lines with their lengths, the selected one with
 * handles on its ends. Lengths are worded by cxr-measure-text.h (mm where the image has a pixel spacing). */
#pragma once

#include <gtk/gtk.h>

#include "cxr-pane-content.h"

G_BEGIN_DECLS

/* Drags shorter than this many pane pixels are clicks, not measurements. */
#define CXR_PANE_MEASURE_MIN_DRAG 4.0

/* Appends @content's measurements to @snapshot of @pane, whose image transform is @scale and (@ox, @oy). */
void  cxr_pane_measures_append    (GtkWidget *pane, GtkSnapshot *snapshot, CxrPaneContent *content, double scale,
                                   double ox, double oy);
/* The tag a line is drawn with: its length ("175.0 mm", "… mm at the detector", "500 px"). */
char *cxr_pane_measures_line_text (CxrPaneContent *content, const CxrMeasureLine *line);

/* The tag a box is drawn with: its label, then its size in mm where the image has a pixel spacing
 * ("Cardiomegaly · 35.0 × 70.0 mm"); "" when there is neither. */
char *cxr_pane_measures_box_text  (CxrPaneContent *content, const CxrPaneBox *box);

/* The colour lines are drawn in. */
extern const GdkRGBA cxr_pane_line_color;

G_END_DECLS
