/* cxr-window.c: the main window. For now it only tells the user what to do next. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window.h"

struct _CxrWindow {
  AdwApplicationWindow parent_instance;

  /* template widgets */
  AdwStatusPage *empty_page;
};

G_DEFINE_FINAL_TYPE (CxrWindow, cxr_window, ADW_TYPE_APPLICATION_WINDOW)

static void
cxr_window_class_init (CxrWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, empty_page);
}

static void
cxr_window_init (CxrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CxrWindow *
cxr_window_new (CxrApplication *app)
{
  return g_object_new (CXR_TYPE_WINDOW, "application", app, NULL);
}
