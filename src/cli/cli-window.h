/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-window.h: the review window, started from the command line at the end of a job. */
#pragma once

#include <glib.h>

/* What the window shows first: `cxrcam --method M --layer L --threshold T` (each may be NULL: the window's own). */
typedef struct {
  const char *method;    /* "layercam" */
  const char *layer;     /* as the window offers it: "layer3", "layer3+layer4" */
  const char *threshold; /* "0.45" */
} CliWindowCam;

/* Opens the review window on dataset folder @data with model @model and heatmaps as @cam says (may be NULL),
 * detached (it outlives this process, and its messages go to @log), when there is a display ($DISPLAY or
 * $WAYLAND_DISPLAY) and @open is TRUE; otherwise, or if it cannot be started, prints the command that opens it.
 * The window's program is the one that belongs with this cxrcam-cli: the build tree's when run from there, the
 * installed one otherwise (cxr-paths.h). */
void cli_window_open (const char *data, const char *model, const CliWindowCam *cam, const char *log, gboolean open);
