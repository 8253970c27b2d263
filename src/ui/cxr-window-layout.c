/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-layout.c: room for the image. The list and the controls fold away (F9, Shift+F9, as GNOME apps fold
 * their sidebars), the window goes fullscreen (F11), and the four panes are laid out 2 x 2, 1 x 4 or one large
 * pane at a time (keys 1-4 pick the view, Ctrl+L cycles the layouts). Each window size (small, medium, large) keeps the
 * layout last chosen at that size: a laptop screen wants one large pane where a reading-room monitor shows four. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

/* Below 1300 pixels wide, four panes are postage stamps (about 250 pixels at 1280 x 800 with both sidebars). */
#define SMALL_BELOW 1300
#define MEDIUM_BELOW 1800

static const char *
size_class_for_width (int width)
{
  return width < SMALL_BELOW ? "small" : width < MEDIUM_BELOW ? "medium" : "large";
}

static char *
stored_layout (CxrWindow *self, const char *size_class)
{
  g_autoptr (GVariant) layouts = g_settings_get_value (self->settings, "layouts");
  const char *layout = NULL;
  return g_strdup (g_variant_lookup (layouts, size_class, "&s", &layout) ? layout : "grid");
}

static void
store_layout (CxrWindow *self, const char *size_class, const char *layout)
{
  g_autoptr (GVariant) layouts = g_settings_get_value (self->settings, "layouts");
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, layouts);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    if (!g_str_equal (key, size_class))
      g_variant_builder_add (&builder, "{ss}", key, value);
  g_variant_builder_add (&builder, "{ss}", size_class, layout);
  g_settings_set_value (self->settings, "layouts", g_variant_builder_end (&builder));
}

static void
show_layout (CxrWindow *self, CxrCompareLayout layout)
{
  cxr_compare_view_set_layout (self->compare_view, layout);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "layout");
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (cxr_compare_layout_to_id (layout)));
}

/* The user chose a layout: show it, and keep it for windows of this size. */
static void
choose_layout (CxrWindow *self, CxrCompareLayout layout)
{
  show_layout (self, layout);
  store_layout (self, self->size_class, cxr_compare_layout_to_id (layout));
}

static gboolean
apply_size_class (gpointer data)
{
  CxrWindow *self = data;
  self->layout_source = 0;
  int width = gtk_widget_get_width (GTK_WIDGET (self)), height;
  if (width <= 0)
    gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  const char *size_class = size_class_for_width (width);
  if (g_strcmp0 (size_class, self->size_class) == 0)
    return G_SOURCE_REMOVE;
  self->size_class = size_class;
  g_autofree char *id = stored_layout (self, size_class);
  CxrCompareLayout layout;
  if (!cxr_compare_layout_from_id (id, &layout))
    layout = CXR_COMPARE_LAYOUT_GRID;
  show_layout (self, layout);
  return G_SOURCE_REMOVE;
}

void
_cxr_window_layout_size_changed (CxrWindow *self)
{
  /* Not during the allocation that told us: a new layout reallocates. At the default priority, since idles at
   * the idle priority wait behind the frame clock while anything animates. */
  if (self->layout_source == 0 && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    self->layout_source = g_idle_add_full (G_PRIORITY_DEFAULT, apply_size_class, self, NULL);
}

/* ---- actions ------------------------------------------------------------------ */

static void
layout_changed (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  CxrCompareLayout layout;
  if (cxr_compare_layout_from_id (g_variant_get_string (value, NULL), &layout))
    choose_layout (CXR_WINDOW (user_data), layout);
}

static void
cycle_layout_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  choose_layout (self, (cxr_compare_view_get_layout (self->compare_view) + 1) % 3);
}

/* 1-4: that view in the one large pane. */
static void
show_view_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  int view = g_variant_get_int32 (parameter);
  if (view < 1 || view > 4)
    return;
  cxr_compare_view_set_single_view (self->compare_view, (CxrPaneKind) (view - 1));
  if (cxr_compare_view_get_layout (self->compare_view) != CXR_COMPARE_LAYOUT_SINGLE)
    choose_layout (self, CXR_COMPARE_LAYOUT_SINGLE);
}

static void
fullscreen_changed (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  if (g_variant_get_boolean (value))
    gtk_window_fullscreen (GTK_WINDOW (user_data));
  else
    gtk_window_unfullscreen (GTK_WINDOW (user_data));
}

static void
on_fullscreened (CxrWindow *self, GParamSpec *pspec, gpointer unused)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "fullscreen");
  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (gtk_window_is_fullscreen (GTK_WINDOW (self))));
}

static const GActionEntry layout_actions[] = {
  { .name = "layout", .parameter_type = "s", .state = "'grid'", .change_state = layout_changed },
  { .name = "cycle-layout", .activate = cycle_layout_activated },
  { .name = "show-view", .parameter_type = "i", .activate = show_view_activated },
  { .name = "fullscreen", .state = "false", .change_state = fullscreen_changed },
};

void
_cxr_window_layout_init (CxrWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), layout_actions, G_N_ELEMENTS (layout_actions), self);
  g_autoptr (GAction) show_list = g_settings_create_action (self->settings, "show-list");
  g_autoptr (GAction) show_controls = g_settings_create_action (self->settings, "show-controls");
  g_action_map_add_action (G_ACTION_MAP (self), show_list);
  g_action_map_add_action (G_ACTION_MAP (self), show_controls);
  g_settings_bind (self->settings, "show-list", self->image_list, "visible", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-controls", self->controls_revealer, "reveal-child", G_SETTINGS_BIND_GET);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened), NULL);

  /* The layout for the size the window opens at; later sizes follow from the allocation. */
  self->size_class = NULL;
  apply_size_class (self);
}
