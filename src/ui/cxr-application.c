/* cxr-application.c: the GtkApplication; owns app-wide actions and opens windows. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-application.h"
#include "cxr-window.h"

struct _CxrApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (CxrApplication, cxr_application, ADW_TYPE_APPLICATION)

static void
cxr_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (cxr_window_new (CXR_APPLICATION (app)));
  gtk_window_present (window);
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
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

static void
cxr_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (cxr_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
}

static void
cxr_application_class_init (CxrApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = cxr_application_activate;
  app_class->startup = cxr_application_startup;
}

static void
cxr_application_init (CxrApplication *self)
{
}

CxrApplication *
cxr_application_new (void)
{
  return g_object_new (CXR_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/cxrcam/Cxrcam",
                       NULL);
}
