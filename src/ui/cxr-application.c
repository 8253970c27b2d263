/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-application.c: the GtkApplication: app-wide actions and accelerators, the command line, windows.
 *
 *   cxrcam [DIR] [--model FILE] [--method METHOD] [--layer LAYER] [--threshold T]
 *
 * opens DIR as a dataset and FILE as the model, with heatmaps of METHOD at LAYER thresholded at T. Without
 * arguments the last dataset, model and CAM settings come back.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-application.h"
#include "cxr-cam-controls.h"
#include "cxr-method-titles.h"
#include "cxr-settings.h"
#include "cxr-window.h"

struct _CxrApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (CxrApplication, cxr_application, ADW_TYPE_APPLICATION)

static CxrWindow *
get_window (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (cxr_window_new (CXR_APPLICATION (app)));
  return CXR_WINDOW (window);
}

/* Brings back what was open last time, when it is still there. */
static void
restore_last_session (CxrWindow *window)
{
  g_autoptr (GSettings) settings = cxr_settings_new (NULL);
  g_autofree char *dataset = g_settings_get_string (settings, "last-dataset");
  g_autofree char *model = g_settings_get_string (settings, "last-model");

  if (dataset[0] && g_file_test (dataset, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GFile) folder = g_file_new_for_path (dataset);
      cxr_window_open_dataset (window, folder);
    }
  if (model[0] && g_file_test (model, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr (GFile) file = g_file_new_for_path (model);
      cxr_window_open_model (window, file);
    }
}

static void
cxr_application_activate (GApplication *app)
{
  gboolean is_new = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;
  CxrWindow *window = get_window (app);

  if (is_new)
    restore_last_session (window);
  gtk_window_present (GTK_WINDOW (window));
}

static void
cxr_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  CxrWindow *window = get_window (app);

  if (n_files > 0)
    cxr_window_open_dataset (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

/* "layer3+layer4" as `cxrcam-cli` spells a fusion, or "layer3,layer4": the window's choice, or NULL. */
static const char *
find_layer_choice (const char *name)
{
  g_autofree char *commas = g_strdelimit (g_strdup (name), "+", ',');
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    if (g_str_equal (cxr_layer_choices[i], commas))
      return cxr_layer_choices[i];
  return NULL;
}

/* --method, --layer and --threshold set the settings the CAM controls are bound to, as the Methods page's Use
 * button does, so the window opens on them and keeps them as if chosen by hand (`cxrcam-cli demo` passes its
 * comparison's winner). All three are checked before any is set. */
static gboolean
apply_cam_options (GVariantDict *options, GApplicationCommandLine *command_line)
{
  const char *method_name = NULL, *layer_name = NULL, *threshold_text = NULL;
  g_variant_dict_lookup (options, "method", "&s", &method_name);
  g_variant_dict_lookup (options, "layer", "&s", &layer_name);
  g_variant_dict_lookup (options, "threshold", "&s", &threshold_text);

  CxrCamMethod method = CXR_CAM_METHOD_GRADCAM;
  g_autoptr (GError) error = NULL;
  if (method_name != NULL && !cxr_cam_method_from_name (method_name, &method, &error))
    {
      g_application_command_line_printerr (command_line, "cxrcam: %s\n", error->message);
      return FALSE;
    }
  const char *layer = layer_name ? find_layer_choice (layer_name) : NULL;
  if (layer_name != NULL && layer == NULL)
    {
      g_autoptr (GString) known = g_string_new (NULL);
      for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
        {
          g_autofree char *spelled = g_strdelimit (g_strdup (cxr_layer_choices[i]), ",", '+');
          g_string_append_printf (known, "%s%s", i ? ", " : "", spelled);
        }
      /* Translators: the first %s is what was given, the second the list of layers */
      g_application_command_line_printerr (command_line, _("cxrcam: the window has no target layer '%s' (it offers %s)\n"),
                                           layer_name, known->str);
      return FALSE;
    }
  char *end = NULL;
  double threshold = threshold_text ? g_ascii_strtod (threshold_text, &end) : NAN;
  if (threshold_text != NULL && (end == threshold_text || *end != '\0' || !(threshold >= 0.0 && threshold <= 1.0)))
    {
      g_application_command_line_printerr (command_line,
                                           _("cxrcam: the threshold is a number from 0 to 1, not '%s'\n"),
                                           threshold_text);
      return FALSE;
    }

  g_autoptr (GSettings) settings = cxr_settings_new (NULL);
  if (method_name != NULL)
    g_settings_set_string (settings, "cam-method", cxr_cam_controls_method_id (method));
  if (layer != NULL)
    g_settings_set_string (settings, "cam-layer", layer);
  if (threshold_text != NULL)
    g_settings_set_double (settings, "cam-threshold", threshold);
  return TRUE;
}

static int
cxr_application_command_line (GApplication *app, GApplicationCommandLine *command_line)
{
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *model = NULL;
  int argc;
  g_auto (GStrv) argv = g_application_command_line_get_arguments (command_line, &argc);

  g_variant_dict_lookup (options, "model", "^ay", &model);
  if (argc > 2)
    {
      g_application_command_line_printerr (command_line, _("Give one dataset folder at most.\n"));
      return 1;
    }
  if (!apply_cam_options (options, command_line))
    return 1;
  if (argc < 2 && model == NULL)
    {
      g_application_activate (app);
      return 0;
    }

  gboolean is_new = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;
  CxrWindow *window = get_window (app);
  if (argc == 2)
    {
      g_autoptr (GFile) folder = g_application_command_line_create_file_for_arg (command_line, argv[1]);
      cxr_window_open_dataset (window, folder);
    }
  else if (is_new)
    restore_last_session (window);
  if (model != NULL)
    {
      g_autoptr (GFile) file = g_application_command_line_create_file_for_arg (command_line, model);
      cxr_window_open_model (window, file);
    }
  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Closing through close-request lets each window save its state, and ask before stopping a run, an export
   * or a training run; the application ends with its last window. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The cxrcam developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("cxrcam"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Review chest X-rays with a ResNet classifier and Grad-CAM"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated },
  { .name = "about", .activate = about_activated },
};

/* Accelerators with modifiers; single keys are the window's (cxr-window-actions.c). */
static const struct {
  const char *action;
  const char *accels[2];
} accelerators[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "win.open-dataset", { "<Control>o", NULL } },
  { "win.open-model", { "<Control><Shift>o", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.run-all", { "<Control>r", NULL } },
  { "win.show-summary", { "<Control>m", NULL } },
  { "win.export", { "<Control>e", NULL } },
  { "win.cycle-layout", { "<Control>l", NULL } },
  { "win.show-list", { "F9", NULL } },
  { "win.show-controls", { "<Shift>F9", NULL } },
  { "win.fullscreen", { "F11", NULL } },
  { "win.train", { "<Control>t", NULL } },
  { "win.undo", { "<Control>z", NULL } },
  { "win.redo", { "<Control><Shift>z", NULL } },
  { "win.save", { "<Control>s", NULL } },
};

static void
cxr_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (cxr_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accelerators); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accelerators[i].action,
                                           accelerators[i].accels);
}

static void
cxr_application_class_init (CxrApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = cxr_application_activate;
  app_class->open = cxr_application_open;
  app_class->command_line = cxr_application_command_line;
  app_class->startup = cxr_application_startup;
}

static void
cxr_application_init (CxrApplication *self)
{
  const GOptionEntry options[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL, N_("Open this model checkpoint"), N_("FILE") },
    { "method", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Show heatmaps of this CAM method (gradcam, gradcam++, hirescam, xgradcam, layercam, ...)"), N_("METHOD") },
    { "layer", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Take them at this target layer (layer4, layer3, layer3+layer4, ...)"), N_("LAYER") },
    { "threshold", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Threshold them into boxes at T, from 0 to 1"), N_("T") },
    { NULL }
  };
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[DATASET-FOLDER]"));
}

CxrApplication *
cxr_application_new (void)
{
  return g_object_new (CXR_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/org/cxrcam/Cxrcam",
                       NULL);
}
