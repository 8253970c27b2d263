/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ui-test-input.h: real pointer and key events for the UI tests, as a person makes them.
 *
 * Events go through the X server with xdotool (XTest), so they reach GTK exactly as a mouse and a keyboard's
 * do: hit-testing, gestures, focus and shortcuts all take part. Under Xvfb there is no window manager, so
 * the window is focused first. Each call waits until the X server has taken the events and then lets the
 * main loop run a little, so that GTK has handled them when it returns. With CI set, a missing xdotool or a
 * non-X11 display fails the test.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Moves the pointer to (@x, @y) in @widget's coordinates (NAN: its centre). */
void cxr_ui_test_pointer_move (GtkWidget *widget, double x, double y);
/* Moves there and clicks with @button (1: left). */
void cxr_ui_test_click        (GtkWidget *widget, double x, double y, int button);
/* Scrolls the wheel over @widget's centre: @clicks notches down (negative: up). */
void cxr_ui_test_scroll       (GtkWidget *widget, int clicks);
/* Scrolls the wheel over the scrolled window around @widget until all of @widget is in view. */
void cxr_ui_test_scroll_into_view (GtkWidget *widget);
/* Presses @keys on @widget's window, in xdotool's names: "ctrl+t", "Return", "Escape". */
void cxr_ui_test_key          (GtkWidget *widget, const char *keys);
/* Types @text into whatever has the focus in @widget's window. */
void cxr_ui_test_type         (GtkWidget *widget, const char *text);

G_END_DECLS
