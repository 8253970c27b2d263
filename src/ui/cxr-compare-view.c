/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-compare-view.c: four linked panes in a grid, a row or one at a time, with captions and a status line.
 *
 * The layouts move the same four pane cells about the grid (and hide three in the single layout), so that the
 * panes stay the same widgets, with their state and controllers, whatever the layout. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-compare-view.h"
#include "cxr-measure-text.h"

struct _CxrCompareView {
  GtkWidget parent_instance;

  /* template widgets */
  CxrPaneView *original_pane;
  CxrPaneView *ground_truth_pane;
  CxrPaneView *mask_pane;
  CxrPaneView *heatmap_pane;
  CxrPaneView *second_heatmap_pane;
  GtkWidget *second_heatmap_cell;
  GtkLabel *heatmap_caption;
  GtkLabel *second_heatmap_caption;
  GtkLabel *ground_truth_caption;
  GtkLabel *pointer_label;
  GtkLabel *legend_label;
  GtkLabel *zoom_label;
  GtkGrid *grid;
  GtkWidget *original_cell;
  GtkWidget *ground_truth_cell;
  GtkWidget *mask_cell;
  GtkWidget *heatmap_cell;
  GtkWidget *view_tabs;
  GtkToggleButton *original_tab;
  GtkToggleButton *ground_truth_tab;
  GtkToggleButton *mask_tab;
  GtkToggleButton *heatmap_tab;

  CxrCompareLayout layout;
  CxrPaneKind single_view;
  gboolean readout_shown;   /* the status line shows the box editor's readout, not the pixel under the pointer */

  /* owned */
  CxrViewState *view_state;
  CxrPaneContent *content;
};

G_DEFINE_FINAL_TYPE (CxrCompareView, cxr_compare_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTENT,
  PROP_VIEW_STATE,
  PROP_LAYOUT,
  PROP_SINGLE_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

CxrPaneView *
cxr_compare_view_get_pane (CxrCompareView *self, CxrPaneKind kind)
{
  switch (kind)
    {
    case CXR_PANE_GROUND_TRUTH:
      return self->ground_truth_pane;
    case CXR_PANE_MASK:
      return self->mask_pane;
    case CXR_PANE_HEATMAP:
      return self->heatmap_pane;
    case CXR_PANE_ORIGINAL:
    default:
      return self->original_pane;
    }
}

static const char *const layout_ids[] = { "grid", "row", "single" };

const char *
cxr_compare_layout_to_id (CxrCompareLayout layout)
{
  return layout_ids[CLAMP (layout, CXR_COMPARE_LAYOUT_GRID, CXR_COMPARE_LAYOUT_SINGLE)];
}

gboolean
cxr_compare_layout_from_id (const char *id, CxrCompareLayout *layout)
{
  for (guint i = 0; i < G_N_ELEMENTS (layout_ids); i++)
    if (g_strcmp0 (id, layout_ids[i]) == 0)
      {
        *layout = i;
        return TRUE;
      }
  return FALSE;
}

static GtkWidget *
get_cell (CxrCompareView *self, CxrPaneKind kind)
{
  GtkWidget *cells[] = { self->original_cell, self->ground_truth_cell, self->mask_cell, self->heatmap_cell };
  return cells[CLAMP (kind, CXR_PANE_ORIGINAL, CXR_PANE_HEATMAP)];
}

static GtkToggleButton *
get_tab (CxrCompareView *self, CxrPaneKind kind)
{
  GtkToggleButton *tabs[] = { self->original_tab, self->ground_truth_tab, self->mask_tab, self->heatmap_tab };
  return tabs[CLAMP (kind, CXR_PANE_ORIGINAL, CXR_PANE_HEATMAP)];
}

/* A pane that is on screen in this layout: zoom steps and 1:1 are about its size. */
static CxrPaneView *
shown_pane (CxrCompareView *self)
{
  return cxr_compare_view_get_pane (self, self->layout == CXR_COMPARE_LAYOUT_SINGLE ? self->single_view
                                                                                    : CXR_PANE_ORIGINAL);
}

static void
pane_size (CxrCompareView *self, int *width, int *height)
{
  *width = gtk_widget_get_width (GTK_WIDGET (shown_pane (self)));
  *height = gtk_widget_get_height (GTK_WIDGET (shown_pane (self)));
}

static void
place_cells (CxrCompareView *self)
{
  GtkLayoutManager *manager = gtk_widget_get_layout_manager (GTK_WIDGET (self->grid));

  for (CxrPaneKind kind = CXR_PANE_ORIGINAL; kind <= CXR_PANE_HEATMAP; kind++)
    {
      GtkWidget *cell = get_cell (self, kind);
      GtkGridLayoutChild *child = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (manager, cell));
      int column = 0, row = 0;
      gboolean visible = TRUE;
      switch (self->layout)
        {
        case CXR_COMPARE_LAYOUT_ROW:
          column = kind;
          break;
        case CXR_COMPARE_LAYOUT_SINGLE:
          visible = kind == self->single_view;
          break;
        case CXR_COMPARE_LAYOUT_GRID:
        default:
          column = kind % 2;
          row = kind / 2;
          break;
        }
      gtk_grid_layout_child_set_column (child, column);
      gtk_grid_layout_child_set_row (child, row);
      gtk_widget_set_visible (cell, visible);
    }
  gtk_widget_set_visible (self->view_tabs, self->layout == CXR_COMPARE_LAYOUT_SINGLE);
  gtk_toggle_button_set_active (get_tab (self, self->single_view), TRUE);
}

void
cxr_compare_view_set_layout (CxrCompareView *self, CxrCompareLayout layout)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  if (layout == self->layout)
    return;
  self->layout = layout;
  place_cells (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}

CxrCompareLayout
cxr_compare_view_get_layout (CxrCompareView *self)
{
  return self->layout;
}

void
cxr_compare_view_set_single_view (CxrCompareView *self, CxrPaneKind kind)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  kind = CLAMP (kind, CXR_PANE_ORIGINAL, CXR_PANE_HEATMAP);
  if (kind == self->single_view)
    return;
  self->single_view = kind;
  place_cells (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINGLE_VIEW]);
}

CxrPaneKind
cxr_compare_view_get_single_view (CxrCompareView *self)
{
  return self->single_view;
}

static void
on_tab_toggled (GtkToggleButton *tab, CxrCompareView *self)
{
  if (!gtk_toggle_button_get_active (tab))
    return;
  for (CxrPaneKind kind = CXR_PANE_ORIGINAL; kind <= CXR_PANE_HEATMAP; kind++)
    if (get_tab (self, kind) == tab)
      cxr_compare_view_set_single_view (self, kind);
}

static void
zoom_about_centre (CxrCompareView *self, double factor)
{
  int width, height;
  pane_size (self, &width, &height);
  cxr_view_state_zoom_at (self->view_state, factor, width / 2.0, height / 2.0, width, height);
}

void
cxr_compare_view_zoom_in (CxrCompareView *self)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));
  zoom_about_centre (self, 1.25);
}

void
cxr_compare_view_zoom_out (CxrCompareView *self)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));
  zoom_about_centre (self, 1 / 1.25);
}

void
cxr_compare_view_zoom_one_to_one (CxrCompareView *self)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  int width, height;
  pane_size (self, &width, &height);
  /* One image pixel per device pixel. */
  int scale_factor = MAX (1, gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  cxr_view_state_set_zoom (self->view_state, 1.0 / scale_factor, width, height);
}

static void
update_zoom_label (CxrCompareView *self)
{
  if (cxr_view_state_get_fit (self->view_state))
    {
      /* Translators: the panes show the whole image, as large as fits */
      gtk_label_set_label (self->zoom_label, C_("zoom", "Fit"));
      return;
    }

  int width, height;
  pane_size (self, &width, &height);
  double zoom = cxr_view_state_get_effective_zoom (self->view_state, width, height);
  g_autofree char *percent = g_strdup_printf ("%.0f%%", zoom * 100.0);
  gtk_label_set_label (self->zoom_label, percent);
}

void
cxr_compare_view_set_second_heatmap (CxrCompareView *self, CxrPaneContent *content)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  cxr_pane_view_set_content (self->second_heatmap_pane, content);
  gtk_widget_set_visible (self->second_heatmap_cell, content != NULL);
  /* Side by side, each half draws its own method's box and the ground truth: the halves are compared by their
   * boxes as much as by their colours, and the ground-truth pane shows the first method's box only. */
  cxr_pane_view_set_heatmap_boxes (self->heatmap_pane, content != NULL);
  cxr_pane_view_set_heatmap_boxes (self->second_heatmap_pane, content != NULL);
  if (content == NULL)
    gtk_label_set_label (self->heatmap_caption, _("Heatmap"));
}

void
cxr_compare_view_set_heatmap_captions (CxrCompareView *self, const char *first, const char *second)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  gtk_label_set_label (self->heatmap_caption, first ? first : _("Heatmap"));
  gtk_label_set_label (self->second_heatmap_caption, second ? second : "");
}

CxrPaneView *
cxr_compare_view_get_second_heatmap_pane (CxrCompareView *self)
{
  return self->second_heatmap_pane;
}

const char *
cxr_compare_view_get_heatmap_caption (CxrCompareView *self, gboolean second)
{
  return gtk_label_get_label (second ? self->second_heatmap_caption : self->heatmap_caption);
}

void
cxr_compare_view_set_readout (CxrCompareView *self, const char *text)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  self->readout_shown = text != NULL;
  gtk_label_set_label (self->pointer_label, text ? text : "");
}

static void
on_hover (CxrPaneView *pane, gboolean inside, double image_x, double image_y, CxrCompareView *self)
{
  if (self->readout_shown)
    return;
  if (!inside || self->content == NULL)
    {
      gtk_label_set_label (self->pointer_label, "");
      return;
    }

  int x = (int) floor (image_x);
  int y = (int) floor (image_y);
  int gray = cxr_pane_content_get_gray_at (self->content, x, y);
  if (gray < 0)
    {
      gtk_label_set_label (self->pointer_label, "");
      return;
    }

  float cam = cxr_pane_content_get_cam_at (self->content, x, y);
  CxrStoredPlane *stored = cxr_pane_content_get_stored (self->content);
  if (stored != NULL && stored->dicom != NULL)
    {
      g_autofree char *text = cxr_measure_readout (stored, image_x, image_y, cam);
      gtk_label_set_label (self->pointer_label, text);
      return;
    }
  g_autofree char *text = NULL;
  if (isnan (cam))
    /* Translators: the image pixel under the pointer and its gray value (0-255) */
    text = g_strdup_printf (_("x %d, y %d: gray %d"), x, y, gray);
  else
    /* Translators: the image pixel under the pointer, its gray value (0-255) and the Grad-CAM value (0-1) */
    text = g_strdup_printf (_("x %d, y %d: gray %d, CAM %.2f"), x, y, gray, cam);
  gtk_label_set_label (self->pointer_label, text);
}

/* The colours' legend sits in the status line, where it never covers a caption or a box tag. Where the line is
 * too narrow for it, it wraps to a second line between its two entries (each entry is held together by no-break
 * spaces) rather than being cut short. */
static char *
legend_entry (const char *colour, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_auto (GStrv) words = g_strsplit (escaped, " ", -1);
  g_autofree char *joined = g_strjoinv ("\u00a0", words);
  return g_strdup_printf ("<span foreground=\"%s\">■</span>\u00a0%s", colour, joined);
}

static void
set_legend (CxrCompareView *self)
{
  g_autofree char *gt = legend_entry ("#ffde00", _("Ground truth"));
  g_autofree char *predicted = legend_entry ("#00d9ff", _("Prediction"));
  g_autofree char *markup = g_strdup_printf ("%s\u2003%s", gt, predicted);
  gtk_label_set_markup (self->legend_label, markup);
}

/* The view state follows the image's size, so that fit and 1:1 mean the right thing. */
static void
on_content_changed (CxrPaneContent *content, guint parts, CxrCompareView *self)
{
  int width, height;
  cxr_pane_content_get_size (content, &width, &height);
  cxr_view_state_set_image_size (self->view_state, width, height);
}

void
cxr_compare_view_set_content (CxrCompareView *self, CxrPaneContent *content)
{
  g_return_if_fail (CXR_IS_COMPARE_VIEW (self));

  if (self->content == content)
    return;
  if (self->content != NULL)
    g_signal_handlers_disconnect_by_func (self->content, on_content_changed, self);
  g_set_object (&self->content, content);
  if (content != NULL)
    {
      g_signal_connect (content, "changed", G_CALLBACK (on_content_changed), self);
      on_content_changed (content, CXR_PANE_PART_ALL, self);
    }
  for (CxrPaneKind kind = CXR_PANE_ORIGINAL; kind <= CXR_PANE_HEATMAP; kind++)
    cxr_pane_view_set_content (cxr_compare_view_get_pane (self, kind), content);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

CxrPaneContent *
cxr_compare_view_get_content (CxrCompareView *self)
{
  return self->content;
}

CxrViewState *
cxr_compare_view_get_view_state (CxrCompareView *self)
{
  return self->view_state;
}

static void
cxr_compare_view_dispose (GObject *object)
{
  CxrCompareView *self = CXR_COMPARE_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_COMPARE_VIEW);
  /* The template's root box is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->content != NULL)
    g_signal_handlers_disconnect_by_func (self->content, on_content_changed, self);
  g_clear_object (&self->content);
  g_clear_object (&self->view_state);

  G_OBJECT_CLASS (cxr_compare_view_parent_class)->dispose (object);
}

static void
cxr_compare_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrCompareView *self = CXR_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTENT:
      g_value_set_object (value, self->content);
      break;
    case PROP_VIEW_STATE:
      g_value_set_object (value, self->view_state);
      break;
    case PROP_LAYOUT:
      g_value_set_string (value, cxr_compare_layout_to_id (self->layout));
      break;
    case PROP_SINGLE_VIEW:
      g_value_set_enum (value, self->single_view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_compare_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CxrCompareView *self = CXR_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTENT:
      cxr_compare_view_set_content (self, g_value_get_object (value));
      break;
    case PROP_LAYOUT:
      {
        CxrCompareLayout layout;
        if (cxr_compare_layout_from_id (g_value_get_string (value), &layout))
          cxr_compare_view_set_layout (self, layout);
      }
      break;
    case PROP_SINGLE_VIEW:
      cxr_compare_view_set_single_view (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_compare_view_class_init (CxrCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_compare_view_dispose;
  object_class->get_property = cxr_compare_view_get_property;
  object_class->set_property = cxr_compare_view_set_property;

  properties[PROP_CONTENT] =
    g_param_spec_object ("content", NULL, NULL, CXR_TYPE_PANE_CONTENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_STATE] =
    g_param_spec_object ("view-state", NULL, NULL, CXR_TYPE_VIEW_STATE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* "grid" (2 x 2), "row" (1 x 4) or "single" (one large pane) */
  properties[PROP_LAYOUT] =
    g_param_spec_string ("layout", NULL, NULL, "grid",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the pane that the single layout shows */
  properties[PROP_SINGLE_VIEW] =
    g_param_spec_enum ("single-view", NULL, NULL, CXR_TYPE_PANE_KIND, CXR_PANE_ORIGINAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CXR_TYPE_PANE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-compare-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, original_pane);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, ground_truth_pane);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, mask_pane);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, heatmap_pane);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, second_heatmap_pane);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, second_heatmap_cell);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, heatmap_caption);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, second_heatmap_caption);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, ground_truth_caption);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, pointer_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, legend_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, grid);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, original_cell);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, ground_truth_cell);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, mask_cell);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, heatmap_cell);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, view_tabs);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, original_tab);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, ground_truth_tab);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, mask_tab);
  gtk_widget_class_bind_template_child (widget_class, CxrCompareView, heatmap_tab);
  gtk_widget_class_bind_template_callback (widget_class, on_tab_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_hover);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "compareview");
}

static void
cxr_compare_view_init (CxrCompareView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->view_state = cxr_view_state_new ();
  for (CxrPaneKind kind = CXR_PANE_ORIGINAL; kind <= CXR_PANE_HEATMAP; kind++)
    cxr_pane_view_set_view_state (cxr_compare_view_get_pane (self, kind), self->view_state);
  /* The second heatmap zooms and pans with the others. */
  cxr_pane_view_set_view_state (self->second_heatmap_pane, self->view_state);
  g_signal_connect_object (self->view_state, "changed", G_CALLBACK (update_zoom_label), self, G_CONNECT_SWAPPED);
  set_legend (self);
  place_cells (self);
  update_zoom_label (self);
}

GtkWidget *
cxr_compare_view_new (void)
{
  return g_object_new (CXR_TYPE_COMPARE_VIEW, NULL);
}
