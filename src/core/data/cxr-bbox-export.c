/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-export.c: Pascal VOC, COCO and YOLO files from the boxes of a BB.csv. */
#include "cxr-bbox-export.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-bbox-store.h"
#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-image-header.h"
#include "cxr-json-writer.h"

/* The labels of NIH's BBox_List_2017.csv, in the order their class numbers follow. */
static const char *const nih_box_labels[] = {
  "Atelectasis", "Cardiomegaly", "Effusion", "Infiltrate", "Mass", "Nodule", "Pneumonia", "Pneumothorax",
};

static const char *const format_names[] = { "voc", "coco", "yolo" };

const char *
cxr_bbox_export_format_get_name (CxrBBoxExportFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_names), NULL);
  return format_names[format];
}

gboolean
cxr_bbox_export_format_from_name (const char *name, CxrBBoxExportFormat *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (name, format_names[i]) == 0)
      {
        *format = (CxrBBoxExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

void
cxr_bbox_export_report_clear (CxrBBoxExportReport *report)
{
  g_clear_pointer (&report->skipped, g_ptr_array_unref);
  memset (report, 0, sizeof *report);
}

/* ---- the export's plan: images in order of their first box, categories ------------------------------------ */

typedef struct {
  const char *name;          /* the image, as BB.csv names it */
  char *stem;                /* the file name without its extension: the name of its .xml or .txt */
  CxrImageHeader header;
  GArray *boxes;             /* of const CxrBBox * into the caller's array */
} ExportImage;

static void
export_image_free (gpointer data)
{
  ExportImage *image = data;
  if (image == NULL)
    return;
  g_free (image->stem);
  g_array_unref (image->boxes);
  g_free (image);
}

typedef struct {
  CxrBBoxExportFormat format;
  const char *out_dir;
  GPtrArray *images;         /* of ExportImage, the ones whose size is known */
  GPtrArray *labels;         /* category order; borrowed strings */
  GHashTable *label_index;   /* label -> index + 1 */
  CxrBBoxExportReport *report;
} Export;

static void
skip (Export *export, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
skip (Export *export, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_ptr_array_add (export->report->skipped, g_strdup_vprintf (format, args));
  va_end (args);
}

static char *
stem_of (const char *name)
{
  g_autofree char *base = g_path_get_basename (name);
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

static int
compare_labels (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
plan (Export *export, GArray *boxes, CxrBBoxExportLocateFunc locate, gpointer locate_data)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) stems = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (export_image_free);
  for (guint i = 0; i < boxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (boxes, CxrBBox, i);
      ExportImage *image = g_hash_table_lookup (by_name, box->image);
      if (image == NULL)
        {
          image = g_new0 (ExportImage, 1);
          image->name = box->image;
          image->stem = stem_of (box->image);
          image->boxes = g_array_new (FALSE, FALSE, sizeof (const CxrBBox *));
          g_hash_table_insert (by_name, (gpointer) box->image, image);
          g_ptr_array_add (all, image);
        }
      g_array_append_val (image->boxes, box);
    }

  for (guint i = 0; i < all->len; i++)
    {
      ExportImage *image = all->pdata[i];
      g_autofree char *path = locate != NULL ? locate (image->name, locate_data) : NULL;
      g_autoptr (GError) error = NULL;
      if (path == NULL)
        skip (export, "%s: %u boxes left out: the image file was not found (its size is needed)", image->name,
              image->boxes->len);
      else if (!cxr_image_header_read (path, &image->header, &error))
        skip (export, "%s: %u boxes left out: %s", image->name, image->boxes->len, error->message);
      else if (export->format != CXR_BBOX_EXPORT_COCO && !g_hash_table_add (stems, image->stem))
        skip (export, "%s: %u boxes left out: another image is also called %s (its file would be overwritten)",
              image->name, image->boxes->len, image->stem);
      else
        {
          g_ptr_array_add (export->images, image);
          all->pdata[i] = NULL;
        }
    }

  /* The NIH labels first, always, then the others of the exported boxes in byte order. */
  for (guint i = 0; i < G_N_ELEMENTS (nih_box_labels); i++)
    {
      g_ptr_array_add (export->labels, (gpointer) nih_box_labels[i]);
      g_hash_table_insert (export->label_index, (gpointer) nih_box_labels[i], GUINT_TO_POINTER (i + 1));
    }
  g_autoptr (GPtrArray) others = g_ptr_array_new ();
  for (guint i = 0; i < export->images->len; i++)
    {
      ExportImage *image = export->images->pdata[i];
      for (guint k = 0; k < image->boxes->len; k++)
        {
          const CxrBBox *box = g_array_index (image->boxes, const CxrBBox *, k);
          if (!g_hash_table_contains (export->label_index, box->label))
            {
              g_hash_table_insert (export->label_index, (gpointer) box->label, GUINT_TO_POINTER (0));
              g_ptr_array_add (others, (gpointer) box->label);
            }
        }
    }
  g_ptr_array_sort (others, compare_labels);
  for (guint i = 0; i < others->len; i++)
    {
      g_ptr_array_add (export->labels, others->pdata[i]);
      g_hash_table_insert (export->label_index, others->pdata[i], GUINT_TO_POINTER (export->labels->len));
    }
}

static guint
category_of (Export *export, const char *label)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (export->label_index, label));  /* from 1 */
}

static gboolean
write_file (Export *export, const char *name, GString *text, GError **error)
{
  g_autofree char *path = g_build_filename (export->out_dir, name, NULL);
  if (!cxr_atomic_file_set_contents (path, text->str, text->len, error))
    return FALSE;
  export->report->n_files++;
  return TRUE;
}

/* The part of a box inside its image: FALSE when nothing is left. */
static gboolean
clamp_box (Export *export, const ExportImage *image, const CxrBBox *box, double *x0, double *y0, double *x1,
           double *y1)
{
  double w = image->header.width, h = image->header.height;
  *x0 = CLAMP (box->x, 0.0, w);
  *y0 = CLAMP (box->y, 0.0, h);
  *x1 = CLAMP (box->x + box->w, 0.0, w);
  *y1 = CLAMP (box->y + box->h, 0.0, h);
  if (*x1 <= *x0 || *y1 <= *y0)
    {
      skip (export, "%s: box %u (%s) left out: it lies outside the %d x %d image", image->name, box->id,
            box->label, image->header.width, image->header.height);
      return FALSE;
    }
  if (*x0 != box->x || *y0 != box->y || *x1 != box->x + box->w || *y1 != box->y + box->h)
    export->report->n_clamped++;
  return TRUE;
}

/* ---- Pascal VOC ------------------------------------------------------------------------------------------- */

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_string_append (out, escaped);
}

static void
append_corner (GString *out, const char *tag, double value)
{
  g_string_append_printf (out, "\t\t\t<%s>", tag);
  cxr_format_append_double (out, value);
  g_string_append_printf (out, "</%s>\n", tag);
}

static gboolean
write_voc (Export *export, GError **error)
{
  g_autofree char *folder = g_path_get_basename (export->out_dir);
  for (guint i = 0; i < export->images->len; i++)
    {
      const ExportImage *image = export->images->pdata[i];
      g_autoptr (GString) out = g_string_new ("<annotation>\n\t<folder>");
      append_escaped (out, folder);
      g_string_append (out, "</folder>\n\t<filename>");
      append_escaped (out, image->name);
      g_string_append_printf (out, "</filename>\n"
                              "\t<source>\n\t\t<database>Unknown</database>\n\t</source>\n"
                              "\t<size>\n\t\t<width>%d</width>\n\t\t<height>%d</height>\n\t\t<depth>%d</depth>\n"
                              "\t</size>\n\t<segmented>0</segmented>\n",
                              image->header.width, image->header.height, image->header.depth);
      for (guint k = 0; k < image->boxes->len; k++)
        {
          const CxrBBox *box = g_array_index (image->boxes, const CxrBBox *, k);
          double x0, y0, x1, y1;
          if (!clamp_box (export, image, box, &x0, &y0, &x1, &y1))
            continue;
          g_string_append (out, "\t<object>\n\t\t<name>");
          append_escaped (out, box->label);
          g_string_append (out, "</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
                           "\t\t<difficult>0</difficult>\n\t\t<bndbox>\n");
          append_corner (out, "xmin", x0);
          append_corner (out, "ymin", y0);
          append_corner (out, "xmax", x1);
          append_corner (out, "ymax", y1);
          g_string_append (out, "\t\t</bndbox>\n\t</object>\n");
          export->report->n_boxes++;
        }
      g_string_append (out, "</annotation>\n");
      g_autofree char *name = g_strconcat (image->stem, ".xml", NULL);
      if (!write_file (export, name, out, error))
        return FALSE;
      export->report->n_images++;
    }
  return TRUE;
}

/* ---- COCO ------------------------------------------------------------------------------------------------- */

static gboolean
write_coco (Export *export, GError **error)
{
  g_autoptr (CxrJsonWriter) json = cxr_json_writer_new (CXR_JSON_INDENTED, 1);
  cxr_json_writer_begin_object (json, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_begin_object (json, "info", CXR_JSON_INLINE);
  cxr_json_writer_add_string (json, "description", "Ground-truth boxes exported by cxrcam");
  cxr_json_writer_end (json);
  cxr_json_writer_begin_array (json, "licenses", CXR_JSON_INLINE);
  cxr_json_writer_end (json);

  cxr_json_writer_begin_array (json, "images", CXR_JSON_BLOCK);
  for (guint i = 0; i < export->images->len; i++)
    {
      const ExportImage *image = export->images->pdata[i];
      cxr_json_writer_begin_object (json, NULL, CXR_JSON_INLINE);
      cxr_json_writer_add_uint (json, "id", i + 1);
      cxr_json_writer_add_string (json, "file_name", image->name);
      cxr_json_writer_add_int (json, "width", image->header.width);
      cxr_json_writer_add_int (json, "height", image->header.height);
      cxr_json_writer_end (json);
    }
  cxr_json_writer_end (json);

  cxr_json_writer_begin_array (json, "annotations", CXR_JSON_BLOCK);
  for (guint i = 0; i < export->images->len; i++)
    {
      const ExportImage *image = export->images->pdata[i];
      for (guint k = 0; k < image->boxes->len; k++)
        {
          const CxrBBox *box = g_array_index (image->boxes, const CxrBBox *, k);
          cxr_json_writer_begin_object (json, NULL, CXR_JSON_INLINE);
          cxr_json_writer_add_uint (json, "id", box->id);
          cxr_json_writer_add_uint (json, "image_id", i + 1);
          cxr_json_writer_add_uint (json, "category_id", category_of (export, box->label));
          cxr_json_writer_begin_array (json, "bbox", CXR_JSON_INLINE);
          cxr_json_writer_add_double (json, NULL, box->x);
          cxr_json_writer_add_double (json, NULL, box->y);
          cxr_json_writer_add_double (json, NULL, box->w);
          cxr_json_writer_add_double (json, NULL, box->h);
          cxr_json_writer_end (json);
          cxr_json_writer_add_double (json, "area", box->w * box->h);
          cxr_json_writer_add_int (json, "iscrowd", 0);
          cxr_json_writer_begin_array (json, "segmentation", CXR_JSON_INLINE);
          cxr_json_writer_end (json);
          cxr_json_writer_end (json);
          export->report->n_boxes++;
        }
      export->report->n_images++;
    }
  cxr_json_writer_end (json);

  cxr_json_writer_begin_array (json, "categories", CXR_JSON_BLOCK);
  for (guint i = 0; i < export->labels->len; i++)
    {
      cxr_json_writer_begin_object (json, NULL, CXR_JSON_INLINE);
      cxr_json_writer_add_uint (json, "id", i + 1);
      cxr_json_writer_add_string (json, "name", export->labels->pdata[i]);
      cxr_json_writer_add_string (json, "supercategory", "finding");
      cxr_json_writer_end (json);
    }
  cxr_json_writer_end (json);
  cxr_json_writer_end (json);

  gsize length;
  g_autofree char *text = cxr_json_writer_free_to_text (g_steal_pointer (&json), &length);
  g_autoptr (GString) out = g_string_new_len (text, (gssize) length);
  g_string_append_c (out, '\n');
  return write_file (export, "annotations.json", out, error);
}

/* ---- YOLO ------------------------------------------------------------------------------------------------- */

static gboolean
write_yolo (Export *export, GError **error)
{
  for (guint i = 0; i < export->images->len; i++)
    {
      const ExportImage *image = export->images->pdata[i];
      g_autoptr (GString) out = g_string_new (NULL);
      double w = image->header.width, h = image->header.height;
      for (guint k = 0; k < image->boxes->len; k++)
        {
          const CxrBBox *box = g_array_index (image->boxes, const CxrBBox *, k);
          double x0, y0, x1, y1;
          if (!clamp_box (export, image, box, &x0, &y0, &x1, &y1))
            continue;
          g_string_append_printf (out, "%u ", category_of (export, box->label) - 1);
          cxr_format_append_double (out, (x0 + x1) / 2.0 / w);
          g_string_append_c (out, ' ');
          cxr_format_append_double (out, (y0 + y1) / 2.0 / h);
          g_string_append_c (out, ' ');
          cxr_format_append_double (out, (x1 - x0) / w);
          g_string_append_c (out, ' ');
          cxr_format_append_double (out, (y1 - y0) / h);
          g_string_append_c (out, '\n');
          export->report->n_boxes++;
        }
      g_autofree char *name = g_strconcat (image->stem, ".txt", NULL);
      if (!write_file (export, name, out, error))
        return FALSE;
      export->report->n_images++;
    }
  g_autoptr (GString) classes = g_string_new (NULL);
  for (guint i = 0; i < export->labels->len; i++)
    g_string_append_printf (classes, "%s\n", (const char *) export->labels->pdata[i]);
  return write_file (export, "classes.txt", classes, error);
}

/* ---- the entry points ------------------------------------------------------------------------------------- */

gboolean
cxr_bbox_export (GArray *boxes, CxrBBoxExportFormat format, const char *out_dir, CxrBBoxExportLocateFunc locate,
                 gpointer locate_data, CxrBBoxExportReport *report, GError **error)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_names), FALSE);
  g_auto (CxrBBoxExportReport) own_report = { 0 };
  if (report == NULL)
    report = &own_report;
  cxr_bbox_export_report_clear (report);
  report->skipped = g_ptr_array_new_with_free_func (g_free);

  if (g_mkdir_with_parents (out_dir, 0777) != 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot create the folder %s: %s", out_dir, g_strerror (saved));
      return FALSE;
    }
  /* Files an earlier export left half written when it was killed. */
  cxr_atomic_file_sweep (out_dir);

  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func (export_image_free);
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autoptr (GHashTable) label_index = g_hash_table_new (g_str_hash, g_str_equal);
  Export export = { format, out_dir, images, labels, label_index, report };
  plan (&export, boxes, locate, locate_data);
  switch (format)
    {
    case CXR_BBOX_EXPORT_VOC:
      return write_voc (&export, error);
    case CXR_BBOX_EXPORT_COCO:
      return write_coco (&export, error);
    case CXR_BBOX_EXPORT_YOLO:
      return write_yolo (&export, error);
    }
  g_assert_not_reached ();
}

static char *
locate_in_dataset (const char *image, gpointer user_data)
{
  CxrDataset *dataset = user_data;
  guint index;
  return cxr_dataset_lookup (dataset, image, &index) ? cxr_dataset_dup_image_path (dataset, index) : NULL;
}

gboolean
cxr_bbox_export_dataset (CxrDataset *dataset, CxrBBoxExportFormat format, const char *out_dir,
                         CxrBBoxExportReport *report, GError **error)
{
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
  g_autoptr (GArray) boxes = store != NULL ? cxr_bbox_store_list (store) : g_array_new (FALSE, FALSE, sizeof (CxrBBox));
  return cxr_bbox_export (boxes, format, out_dir, locate_in_dataset, dataset, report, error);
}
