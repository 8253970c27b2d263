/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ui-window-fixture.h: a review window for a UI test, the small dataset and tiny model of cxr-ui-test-util.h,
 * the conditions the tests wait on, and real input: keys and clicks sent through the X server with xdotool, as a
 * person's keyboard and mouse would send them (the GTK event handling, focus and key bindings all take part). */
#pragma once

#include <gtk/gtk.h>

#include "cxr-application.h"
#include "cxr-window-private.h"

G_BEGIN_DECLS

typedef struct {
  CxrWindow *window;
  char *dataset;
  char *model;
} CxrWindowFixture;

/* Call once in main() after cxr_ui_test_init: the application the windows belong to. */
CxrApplication *cxr_window_fixture_init_app (void);
void            cxr_window_fixture_free_app (void);

/* Settings back to their defaults, a fresh dataset, the window presented at @width x @height. */
void cxr_window_fixture_set_up_sized (CxrWindowFixture *f, int width, int height);
void cxr_window_fixture_set_up (CxrWindowFixture *f, gconstpointer data);   /* 1400 x 900 */
void cxr_window_fixture_tear_down (CxrWindowFixture *f, gconstpointer data);

void cxr_window_fixture_open_dataset (CxrWindowFixture *f);
void cxr_window_fixture_open_model (CxrWindowFixture *f);
void cxr_window_fixture_activate (CxrWindowFixture *f, const char *action);
const char *cxr_window_fixture_current_name (CxrWindowFixture *f);

gboolean cxr_window_fixture_image_settled (gpointer fixture);
gboolean cxr_window_fixture_cam_shown (gpointer fixture);
gboolean cxr_window_fixture_run_finished (gpointer fixture);

/* Real input through the X server: focuses the window, then runs `xdotool ARGS...` while the main loop turns,
 * then lets GTK handle what arrived. Keys are xdotool's names ("d", "space", "ctrl+f"). */
void cxr_window_fixture_xdotool (CxrWindowFixture *f, const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
void cxr_window_fixture_key (CxrWindowFixture *f, const char *keys);
void cxr_window_fixture_type (CxrWindowFixture *f, const char *text);
/* A primary click at (@x, @y) in @widget's coordinates. */
void cxr_window_fixture_click (CxrWindowFixture *f, GtkWidget *widget, double x, double y);

/* What the X server shows of the window, as a PNG (ImageMagick's import). */
void cxr_window_fixture_screenshot (CxrWindowFixture *f, const char *path);

G_END_DECLS
