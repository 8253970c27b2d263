/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-line-tool.h: measuring lengths with the pointer (issue 16, point 4), as OHIF's Length tool and Weasis's line
 * measure do it.
 *
 * Armed (M), each primary drag on the original or ground-truth pane draws a line from where it began to where it
 * ends; the tool stays armed for the next one until disarmed (Escape, or M again). Armed or not, a press on an end
 * of a line grabs that end; unarmed, a press on a line selects it and a drag moves it. The selected line shows
 * handles on its ends and can be deleted. Presses anywhere else pass to the pane (pan) and the box editor.
 * "changed" (no arguments) tells the window that the user drew, moved or deleted a line, so that it stores the
 * image's lines in the review sidecar. The lines show through the panes' content (cxr_pane_content_set_lines).
 */
#pragma once

#include <glib-object.h>

#include "cxr-pane-content.h"
#include "cxr-pane-view.h"

G_BEGIN_DECLS

#define CXR_TYPE_LINE_TOOL (cxr_line_tool_get_type ())
G_DECLARE_FINAL_TYPE (CxrLineTool, cxr_line_tool, CXR, LINE_TOOL, GObject)

CxrLineTool  *cxr_line_tool_new           (CxrPaneContent *content);
void          cxr_line_tool_attach_pane   (CxrLineTool *self, CxrPaneView *pane);

/* The image's lines (CxrMeasureLine; NULL: none): shown, none selected, a drag under way dropped. The tool stays
 * armed or not. */
void          cxr_line_tool_set_lines     (CxrLineTool *self, const GArray *lines);
const GArray *cxr_line_tool_get_lines     (CxrLineTool *self);

/* Notifies "armed". */
void          cxr_line_tool_set_armed     (CxrLineTool *self, gboolean armed);
gboolean      cxr_line_tool_get_armed     (CxrLineTool *self);

/* The selected line's index, G_MAXUINT for none; notifies "selected". */
guint         cxr_line_tool_get_selected  (CxrLineTool *self);
void          cxr_line_tool_select        (CxrLineTool *self, guint index);
/* Deletes the selected line (emits "changed"); FALSE when none was selected. */
gboolean      cxr_line_tool_delete_selected (CxrLineTool *self);

G_END_DECLS
