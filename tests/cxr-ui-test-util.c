/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ui-test-util.c: see cxr-ui-test-util.h. */
#include "config.h"

#include "cxr-ui-test-util.h"

#include <adwaita.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "cxr-paths.h"
#include "cxr-phantom.h"
#include "cxr-test-util.h"

gboolean
cxr_ui_test_init (int *argc, char ***argv)
{
  /* Thumbnails and anything else cached go to a throw-away folder, never to the user's. */
  g_autofree char *cache = cxr_test_make_tmpdir ();
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);

  g_test_init (argc, argv, NULL);
  if (!gtk_init_check ())
    {
      if (g_getenv ("CI") != NULL)
        g_error ("CI is set but there is no display: run the UI tests under xvfb-run");
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return FALSE;
    }
  adw_init ();
  return TRUE;
}

guint8
cxr_ui_test_image_value (guint seed, int x, int y)
{
  return (guint8) ((x + 2 * y) / 4 + 16 * seed);
}

static void
write_test_png (const char *folder, const char *name, guint seed)
{
  int size = CXR_UI_TEST_IMAGE_SIZE;
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, size, size);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      memset (pixels + y * stride + x * 3, cxr_ui_test_image_value (seed, x, y), 3);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
}

static void
write_text (const char *folder, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

char *
cxr_ui_test_make_phantoms (guint n_images)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  char *phantoms = g_build_filename (root, "phantoms", NULL);
  CxrPhantomOptions options;
  cxr_phantom_options_init_default (&options);
  options.n_images = n_images;
  options.size = 96;
  options.seed = 5;
  g_autoptr (GError) error = NULL;
  if (!cxr_phantom_write_dataset (phantoms, &options, NULL, &error))
    g_error ("%s", error->message);
  return phantoms;
}

char *
cxr_ui_test_make_dataset (void)
{
  char *root = cxr_test_make_tmpdir ();
  g_autofree char *images = g_build_filename (root, "images", NULL);
  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("%08u_000.png", i + 1);
      write_test_png (images, name, i);
    }
  write_text (images, "00000005_000.png", "this is not a PNG file\n");

  write_text (root, "Data_Entry_2017.csv",
              "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
              "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n"
              "00000001_000.png,Cardiomegaly,0,1,58,M,PA,256,256,0.143,0.143,\n"
              "00000002_000.png,Cardiomegaly|Effusion,0,2,81,F,AP,256,256,0.143,0.143,\n"
              "00000003_000.png,No Finding,0,3,45,M,PA,256,256,0.143,0.143,\n"
              "00000004_000.png,No Finding,0,4,30,F,PA,256,256,0.143,0.143,\n"
              "00000005_000.png,Nodule,0,5,66,M,PA,256,256,0.143,0.143,\n");
  g_autofree char *bbox = g_strdup_printf ("Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
                                           "00000001_000.png,Cardiomegaly,%g,%g,%g,%g\n",
                                           CXR_UI_TEST_BOX_X, CXR_UI_TEST_BOX_Y, CXR_UI_TEST_BOX_W,
                                           CXR_UI_TEST_BOX_H);
  write_text (root, "BBox_List_2017.csv", bbox);
  return root;
}

char *
cxr_ui_test_model_path (void)
{
  return cxr_test_fixture_path ("networks/basic_c1_k14.pth");
}

static gboolean
on_timeout (gpointer data)
{
  gboolean *timed_out = data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
cxr_ui_test_wait_until (CxrUiTestCondition condition, gpointer data, guint timeout_ms, const char *what)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!condition (data))
    {
      if (timed_out)
        g_error ("timed out after %u ms waiting for %s", timeout_ms, what);
      g_main_context_iteration (NULL, TRUE);
    }
  if (!timed_out)
    g_source_remove (source);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
cxr_ui_test_destroy_window (gpointer window)
{
  g_object_add_weak_pointer (G_OBJECT (window), &window);
  gtk_window_destroy (GTK_WINDOW (window));
  cxr_ui_test_wait_until (pointer_cleared, &window, 20000, "the closed window to be finalized");
}

gboolean
cxr_ui_test_widget_allocated (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

void
cxr_ui_test_reset_settings (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_autoptr (GSettingsSchema) schema = NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  g_auto (GStrv) keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

void
cxr_ui_test_spin (guint ms)
{
  gboolean timed_out = FALSE;
  g_timeout_add (ms, on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static void
set_flag (gboolean *flag)
{
  *flag = TRUE;
}

/* A widget paintable shows what the widget drew in its last frame, handed over from an idle after the frame:
 * draw one more frame, then wait for the hand-over. */
static void
wait_for_frame (GtkWidget *widget, GdkPaintable *paintable)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE, timed_out = FALSE;
  g_assert_nonnull (clock);
  gulong handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_flag), &painted);
  guint source = g_timeout_add (5000, on_timeout, &timed_out);
  gtk_widget_queue_draw (widget);
  while (!painted && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  while (gdk_paintable_get_intrinsic_width (paintable) == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  g_signal_handler_disconnect (clock, handler);
}

static GdkTexture *
render_texture (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  wait_for_frame (widget, paintable);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);

  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

CxrUiTestPixels *
cxr_ui_test_render (GtkWidget *widget)
{
  g_autoptr (GdkTexture) texture = render_texture (widget);
  CxrUiTestPixels *pixels = g_new0 (CxrUiTestPixels, 1);
  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->pixels = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->pixels, pixels->stride);
  return pixels;
}

void
cxr_ui_test_pixels_free (CxrUiTestPixels *pixels)
{
  if (pixels == NULL)
    return;
  g_free (pixels->pixels);
  g_free (pixels);
}

void
cxr_ui_test_pixel (const CxrUiTestPixels *pixels, int x, int y, guint8 rgb[3])
{
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, pixels->width);
  g_assert_cmpint (y, <, pixels->height);
  /* gdk_texture_download writes GDK_MEMORY_DEFAULT: B8G8R8A8 premultiplied, as one 32-bit word in host order. */
  guint32 word;
  memcpy (&word, pixels->pixels + (gsize) y * pixels->stride + (gsize) x * 4, 4);
  rgb[0] = (word >> 16) & 0xff;
  rgb[1] = (word >> 8) & 0xff;
  rgb[2] = word & 0xff;
}

void
cxr_ui_test_save (GtkWidget *widget, const char *name)
{
  const char *folder = g_getenv ("CXR_UI_TEST_SHOTS");
  if (folder == NULL)
    return;
  g_autoptr (GdkTexture) texture = render_texture (widget);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (folder, file, NULL);
  gdk_texture_save_to_png (texture, path);
}

char *
cxr_ui_test_use_german_messages (void)
{
  if (!cxr_test_have_locale ("de_DE.UTF-8"))
    return NULL;
  char *saved = g_strdup (setlocale (LC_MESSAGES, NULL));
  g_autofree char *locale_dir = cxr_paths_locale_dir ();
  setlocale (LC_MESSAGES, "de_DE.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return saved;
}

void
cxr_ui_test_restore_messages (char *saved)
{
  setlocale (LC_MESSAGES, saved);
  g_free (saved);
}
