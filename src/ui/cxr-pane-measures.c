/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pane-measures.c: calipers, lines and their tags, drawn in pane pixels over the image. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-measure-text.h"
#include "cxr-pane-measures.h"
#include "cxr-pane-view.h"

const GdkRGBA cxr_pane_heart_color = { 1.0f, 0.42f, 0.42f, 1.0f };    /* red */
const GdkRGBA cxr_pane_thorax_color = { 0.45f, 1.0f, 0.45f, 1.0f };   /* green */
const GdkRGBA cxr_pane_line_color = { 0.95f, 0.5f, 1.0f, 1.0f };      /* magenta: apart from every box and caliper */

/* Ticks across each end: where a measurement ends shows, as on a ruler. */
#define END_TICK 8.0f

/* A text tag with a dark background, its top left at (x, y) in pane pixels, kept inside the pane. */
static void
append_tag (GtkWidget *pane, GtkSnapshot *snapshot, const char *text, float x, float y, const GdkRGBA *color)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (pane, text);
  int text_width, text_height;
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  x = CLAMP (x, 0.0f, MAX (0.0f, gtk_widget_get_width (pane) - text_width - 8.0f));
  y = CLAMP (y, 0.0f, MAX (0.0f, gtk_widget_get_height (pane) - text_height - 2.0f));
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.7f },
                             &GRAPHENE_RECT_INIT (x, y, text_width + 8, text_height + 2));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 4, y + 1));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* A measurement from (x0, y0) to (x1, y1) in pane pixels: a line with a tick across each end, on a dark halo so
 * that it shows on bone and on lung alike. Drawn along the x axis of a frame turned to the line, so that one
 * function draws the CTR's horizontal calipers and the line tool's lines of any direction. */
static void
append_segment (GtkSnapshot *snapshot, float x0, float y0, float x1, float y1, const GdkRGBA *color)
{
  const GdkRGBA halo = { 0, 0, 0, 0.6f };
  float length = hypotf (x1 - x0, y1 - y0);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x0, y0));
  if (y1 != y0 || x1 < x0)
    gtk_snapshot_rotate (snapshot, atan2f (y1 - y0, x1 - x0) * (float) (180.0 / G_PI));
  gtk_snapshot_append_color (snapshot, &halo, &GRAPHENE_RECT_INIT (-1, -2, length + 2, 4));
  gtk_snapshot_append_color (snapshot, &halo, &GRAPHENE_RECT_INIT (-2, -END_TICK - 1, 4, 2 * END_TICK + 2));
  gtk_snapshot_append_color (snapshot, &halo, &GRAPHENE_RECT_INIT (length - 2, -END_TICK - 1, 4, 2 * END_TICK + 2));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (0, -1, length, 2));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (-1, -END_TICK, 2, 2 * END_TICK));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (length - 1, -END_TICK, 2, 2 * END_TICK));
  gtk_snapshot_restore (snapshot);
}

/* A selected line's ends: white squares with a dark rim, as a selected box's handles; grab one to move that end. */
static void
append_end_handle (GtkSnapshot *snapshot, float x, float y)
{
  const float size = (float) CXR_PANE_HANDLE_SIZE;
  const GdkRGBA rim = { 0, 0, 0, 0.8f };
  GskRoundedRect outline;
  graphene_rect_t square = GRAPHENE_RECT_INIT (roundf (x - size / 2), roundf (y - size / 2), size, size);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &square);
  gsk_rounded_rect_init_from_rect (&outline, &square, 0);
  gtk_snapshot_append_border (snapshot, &outline, (float[4]) { 1, 1, 1, 1 }, (GdkRGBA[4]) { rim, rim, rim, rim });
}

static const CxrDicomImage *
dicom_of (CxrPaneContent *content)
{
  CxrStoredPlane *stored = cxr_pane_content_get_stored (content);
  return stored != NULL ? stored->dicom : NULL;
}

/* The CTR tool's calipers, each with its length, and the ratio once both are there. */
static void
append_ctr (GtkWidget *pane, GtkSnapshot *snapshot, CxrPaneContent *content, double scale, double ox, double oy)
{
  CxrCtr ctr;
  guint shown = cxr_pane_content_get_ctr (content, &ctr);
  if (shown == 0)
    return;
  const CxrDicomImage *dicom = dicom_of (content);
  const struct {
    guint bit;
    const CxrCaliper *caliper;
    const GdkRGBA *color;
  } parts[] = {
    { CXR_PANE_CTR_HEART, &ctr.heart, &cxr_pane_heart_color },
    { CXR_PANE_CTR_THORAX, &ctr.thorax, &cxr_pane_thorax_color },
  };
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (!(shown & parts[i].bit))
        continue;
      /* Whole pane pixels keep the horizontal line sharp. */
      float x0 = (float) round (ox + parts[i].caliper->left * scale);
      float x1 = (float) round (ox + parts[i].caliper->right * scale);
      float y = (float) round (oy + parts[i].caliper->y * scale);
      append_segment (snapshot, x0, y, x1, y, parts[i].color);
      g_autofree char *length = cxr_measure_length (dicom, cxr_caliper_width (parts[i].caliper));
      g_autofree char *text = parts[i].bit == CXR_PANE_CTR_HEART
                              /* Translators: the heart caliper's tag: its length ("132.1 mm") */
                              ? g_strdup_printf (_("Heart %s"), length)
                              /* Translators: the thorax caliper's tag: its length ("280.3 mm") */
                              : g_strdup_printf (_("Thorax %s"), length);
      append_tag (pane, snapshot, text, (float) (ox + parts[i].caliper->left * scale),
                  (float) (oy + parts[i].caliper->y * scale) - 32.0f, parts[i].color);
    }
  if ((shown & (CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX)) != (CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX))
    return;
  double ratio = cxr_ctr_ratio (&ctr);
  if (isnan (ratio))
    return;
  g_autofree char *text = NULL;
  if (cxr_ctr_flagged (&ctr))
    /* Translators: the cardiothoracic ratio, above the 0.5 that suggests an enlarged heart */
    text = g_strdup_printf (_("CTR %.2f: above 0.5"), ratio);
  else
    /* Translators: the cardiothoracic ratio */
    text = g_strdup_printf (_("CTR %.2f"), ratio);
  const GdkRGBA flag = { 1.0f, 0.55f, 0.2f, 1.0f }, plain = { 1, 1, 1, 1 };
  append_tag (pane, snapshot, text, (float) (ox + ctr.thorax.left * scale),
              (float) (oy + ctr.thorax.y * scale) + 12.0f, cxr_ctr_flagged (&ctr) ? &flag : &plain);
}

char *
cxr_pane_measures_line_text (CxrPaneContent *content, const CxrMeasureLine *line)
{
  return cxr_measure_line_text (dicom_of (content), line->x1 - line->x0, line->y1 - line->y0);
}

char *
cxr_pane_measures_box_text (CxrPaneContent *content, const CxrPaneBox *box)
{
  g_autofree char *size = cxr_measure_box_size (dicom_of (content), box->w, box->h);
  if (size == NULL)
    return g_strdup (box->label);
  if (box->label[0] == '\0')
    return g_steal_pointer (&size);
  /* Translators: a box's tag: its label, then its size in mm ("Cardiomegaly · 120.4 × 98.1 mm") */
  return g_strdup_printf (_("%s · %s"), box->label, size);
}

/* The line tool's lines, each with its length beside the end where the drag stopped. */
static void
append_lines (GtkWidget *pane, GtkSnapshot *snapshot, CxrPaneContent *content, double scale, double ox, double oy)
{
  guint selected;
  const GArray *lines = cxr_pane_content_get_lines (content, &selected);
  for (guint i = 0; i < lines->len; i++)
    {
      const CxrMeasureLine *line = &g_array_index (lines, CxrMeasureLine, i);
      float x0 = (float) (ox + line->x0 * scale), y0 = (float) (oy + line->y0 * scale);
      float x1 = (float) (ox + line->x1 * scale), y1 = (float) (oy + line->y1 * scale);
      append_segment (snapshot, x0, y0, x1, y1, &cxr_pane_line_color);
      if (i == selected)
        {
          append_end_handle (snapshot, x0, y0);
          append_end_handle (snapshot, x1, y1);
        }
      g_autofree char *text = cxr_pane_measures_line_text (content, line);
      append_tag (pane, snapshot, text, x1 + 10.0f, y1 + 6.0f, &cxr_pane_line_color);
    }
}

void
cxr_pane_measures_append (GtkWidget *pane, GtkSnapshot *snapshot, CxrPaneContent *content, double scale,
                          double ox, double oy)
{
  append_ctr (pane, snapshot, content, scale, ox, oy);
  append_lines (pane, snapshot, content, scale, ox, oy);
}
