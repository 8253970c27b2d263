/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ui-test-util.h: helpers for the UI tests: a display or a skip, a small NIH-layout dataset made on the spot,
 * waiting on the main loop for a condition, and rendering a widget to pixels. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Call first in main(): points the caches at a temporary folder, makes criticals fatal, and initialises GTK.
 * FALSE (after printing a TAP skip plan) when there is no display; the caller then exits 0. With CI set, no display
 * is an error. */
gboolean cxr_ui_test_init (int *argc, char ***argv);

/* A 256 x 256 gray test image: pixel (x, y) is (x + 2 y) / 4 + 16 seed, a ramp that never wraps. */
#define CXR_UI_TEST_IMAGE_SIZE 256
guint8 cxr_ui_test_image_value (guint seed, int x, int y);

/* The dataset the UI tests open, in NIH layout:
 *   images/00000001_000.png ... 00000004_000.png (seeds 0..3), and images/00000005_000.png, which is not a PNG;
 *   Data_Entry_2017.csv: 1 Cardiomegaly, 2 Cardiomegaly|Effusion, 3 No Finding, 4 No Finding, 5 Nodule;
 *   BBox_List_2017.csv: one Cardiomegaly box on 00000001_000.png at CXR_UI_TEST_BOX.
 * Returns the folder (removed at exit). */
#define CXR_UI_TEST_BOX_X 64.0
#define CXR_UI_TEST_BOX_Y 80.0
#define CXR_UI_TEST_BOX_W 96.0
#define CXR_UI_TEST_BOX_H 64.0
char *cxr_ui_test_make_dataset (void);
/* The generated radiographs the training and evaluation tests open (cxr-phantom.h: 96 x 96, seed 5, half with an
 * enlarged heart), @n_images of them. Returns the folder (removed at exit). */
char *cxr_ui_test_make_phantoms (guint n_images);
/* tests/reference/fixtures/networks/basic_c1_k14.pth: a tiny one-channel ResNet with the 14 NIH labels (sigmoid),
 * whose Grad-CAM on the test images spreads over the whole range (about 85% of pixels >= 0.25, 30% >= 0.75), so
 * that a threshold change visibly changes the mask. */
char *cxr_ui_test_model_path (void);

/* Runs the default main context until @condition returns TRUE; fails the test after @timeout_ms. */
typedef gboolean (*CxrUiTestCondition) (gpointer data);
void cxr_ui_test_wait_until (CxrUiTestCondition condition, gpointer data, guint timeout_ms, const char *what);
/* Destroys @window and waits until it is finalized: its jobs cancelled, their callbacks run, every reference
 * dropped. A closed window that stays holds its dataset, engine and model for the life of the application. */
void cxr_ui_test_destroy_window (gpointer window);
/* A condition: @data (a GtkWidget) is mapped and has a size. */
gboolean cxr_ui_test_widget_allocated (gpointer data);
/* Every key of the application's settings back to its default (they live in memory for the whole program). */
void cxr_ui_test_reset_settings (void);
/* The window's messages in German from the build's catalogue (LC_MESSAGES only: numbers stay as they are). Returns
 * the previous LC_MESSAGES, for cxr_ui_test_restore_messages, or NULL when de_DE.UTF-8 is not generated (a failure
 * under CI, as cxr_test_have_locale says). */
char *cxr_ui_test_use_german_messages (void);
/* Gives LC_MESSAGES back and frees @saved. */
void  cxr_ui_test_restore_messages (char *saved);

/* Runs pending events for about @ms milliseconds. */
void cxr_ui_test_spin (guint ms);

/* Renders @widget as it is now (it must be mapped) with its window's renderer. The pixels are
 * [height, stride] bytes in GDK_MEMORY_DEFAULT (B, G, R, A premultiplied on little-endian). */
typedef struct {
  int width;
  int height;
  gsize stride;
  guint8 *pixels;
} CxrUiTestPixels;

CxrUiTestPixels *cxr_ui_test_render (GtkWidget *widget);
void             cxr_ui_test_pixels_free (CxrUiTestPixels *pixels);
/* The pixel at (x, y) as 0..255 R, G, B. */
void             cxr_ui_test_pixel (const CxrUiTestPixels *pixels, int x, int y, guint8 rgb[3]);
/* Saves the rendering to $CXR_UI_TEST_SHOTS/<name>.png when that variable is set, for looking at. */
void             cxr_ui_test_save (GtkWidget *widget, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrUiTestPixels, cxr_ui_test_pixels_free)

G_END_DECLS
