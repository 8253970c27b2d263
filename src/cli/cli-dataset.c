/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli dataset: what a dataset folder holds.
 *
 *   cxrcam-cli dataset info DIR [--json]
 *   cxrcam-cli dataset list DIR [--finding NAME]... [--boxes yes|no] [--images yes|no] [--patient ID]
 *                               [--prefix TEXT] [--balanced SEED]
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "cli-commands.h"
#include "cxr-dataset-sample.h"
#include "cxr-dataset.h"

static int
usage (FILE *stream)
{
  fprintf (stream,
           "Usage: cxrcam-cli dataset info DIR [--json]\n"
           "       cxrcam-cli dataset list DIR [--finding NAME]... [--boxes yes|no] [--images yes|no]\n"
           "                              [--patient ID] [--prefix TEXT] [--balanced SEED]\n"
           "\n"
           "info   the layout, the files, and counts of images, labelled rows and boxes, with what is missing\n"
           "list   the images that pass every condition, one a line: name, path (or -), findings, boxes;\n"
           "       --finding takes NIH names, \"No Finding\" or \"any\"; --balanced SEED keeps every Cardiomegaly\n"
           "       image with an image file and as many No Finding ones, drawn with SEED\n");
  return stream == stdout ? 0 : 2;
}

static guint
count_with_finding (CxrDataset *dataset, guint32 finding)
{
  CxrDatasetFilter filter = { .any_findings = finding, .has_image = CXR_DATASET_YES };
  g_autoptr (GArray) hits = cxr_dataset_filter (dataset, &filter);
  return hits->len;
}

static const char *
recovery_text (CxrDataset *dataset, guint *n_edits)
{
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
  *n_edits = 0;
  if (store == NULL)
    return NULL;
  switch (cxr_bbox_store_get_recovery (store, n_edits))
    {
    case CXR_BBOX_RECOVERY_PENDING:
      return "pending";
    case CXR_BBOX_RECOVERY_STALE:
      return "stale";
    case CXR_BBOX_RECOVERY_IN_USE:
      return "in-use";
    case CXR_BBOX_RECOVERY_NONE:
      break;
    }
  return NULL;
}

static void
print_text (CxrDataset *dataset)
{
  const CxrDatasetReport *r = cxr_dataset_get_report (dataset);
  printf ("Folder:      %s\n", cxr_dataset_get_folder (dataset));
  printf ("Layout:      %s\n", cxr_dataset_layout_get_name (r->layout));
  const char *table = cxr_dataset_get_label_table_path (dataset);
  if (table != NULL)
    printf ("Labels:      %s (%u rows)\n", table, r->n_label_rows);
  const char *boxes = cxr_dataset_get_bbox_path (dataset);
  if (boxes != NULL)
    printf ("Boxes:       %s (%u boxes on %u images)\n", boxes, r->n_boxes, r->n_box_images);
  if (cxr_dataset_get_gt_dict_path (dataset) != NULL)
    printf ("gt_dict:     %s\n", cxr_dataset_get_gt_dict_path (dataset));
  printf ("Images:      %u found\n", r->n_images);
  if (table != NULL)
    {
      printf ("  labelled rows without an image file:  %u\n", r->n_rows_without_image);
      printf ("  image files without a labelled row:   %u\n", r->n_images_without_row);
    }
  if (boxes != NULL)
    printf ("  boxes whose image file was found:     %u of %u (on %u of %u images)\n", r->n_boxes_with_image,
            r->n_boxes, r->n_box_images_with_image, r->n_box_images);

  if (r->n_images > 0)
    {
      printf ("Findings of the images found:\n");
      for (guint bit = 0; bit <= 14; bit++)
        {
          guint n = count_with_finding (dataset, 1u << bit);
          if (n > 0)
            printf ("  %-20s %u\n", cxr_finding_get_name (1u << bit), n);
        }
    }
  if (r->unknown_labels->len > 0)
    {
      printf ("Labels that are not NIH findings:\n");
      for (guint i = 0; i < r->unknown_labels->len; i++)
        printf ("  %s\n", (char *) r->unknown_labels->pdata[i]);
    }
  if (r->notes->len > 0)
    {
      printf ("Notes:\n");
      for (guint i = 0; i < r->notes->len; i++)
        printf ("  %s\n", (char *) r->notes->pdata[i]);
    }
  guint n_edits;
  const char *recovery = recovery_text (dataset, &n_edits);
  if (recovery != NULL && strcmp (recovery, "pending") == 0)
    printf ("Recovery:    %u unsaved edits of an earlier session wait in the journal "
            "(cxrcam-cli bbox recover|discard %s)\n", n_edits, boxes);
  else if (recovery != NULL)
    printf ("Recovery:    the journal of %s is %s\n", boxes, recovery);
}

static void
print_json (CxrDataset *dataset)
{
  const CxrDatasetReport *r = cxr_dataset_get_report (dataset);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "folder");
  json_builder_add_string_value (b, cxr_dataset_get_folder (dataset));
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, r->layout == CXR_DATASET_LAYOUT_NIH ? "nih"
                                    : r->layout == CXR_DATASET_LAYOUT_TUTORIAL ? "tutorial"
                                    : r->layout == CXR_DATASET_LAYOUT_DICOMDIR ? "dicomdir" : "plain");
  const struct { const char *name; const char *path; } files[] = {
    { "label_table_file", cxr_dataset_get_label_table_path (dataset) },
    { "box_file", cxr_dataset_get_bbox_path (dataset) },
    { "gt_dict_file", cxr_dataset_get_gt_dict_path (dataset) },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      json_builder_set_member_name (b, files[i].name);
      if (files[i].path != NULL)
        json_builder_add_string_value (b, files[i].path);
      else
        json_builder_add_null_value (b);
    }
  const struct { const char *name; guint value; } counts[] = {
    { "images", r->n_images },
    { "label_rows", r->n_label_rows },
    { "rows_without_image", r->n_rows_without_image },
    { "images_without_row", r->n_images_without_row },
    { "boxes", r->n_boxes },
    { "boxes_with_image", r->n_boxes_with_image },
    { "box_images", r->n_box_images },
    { "box_images_with_image", r->n_box_images_with_image },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      json_builder_set_member_name (b, counts[i].name);
      json_builder_add_int_value (b, counts[i].value);
    }
  json_builder_set_member_name (b, "findings_of_images");
  json_builder_begin_object (b);
  for (guint bit = 0; bit <= 14; bit++)
    {
      json_builder_set_member_name (b, cxr_finding_get_name (1u << bit));
      json_builder_add_int_value (b, count_with_finding (dataset, 1u << bit));
    }
  json_builder_end_object (b);
  const struct { const char *name; GPtrArray *items; } lists[] = {
    { "unknown_labels", r->unknown_labels },
    { "notes", r->notes },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      json_builder_set_member_name (b, lists[i].name);
      json_builder_begin_array (b);
      for (guint j = 0; j < lists[i].items->len; j++)
        json_builder_add_string_value (b, lists[i].items->pdata[j]);
      json_builder_end_array (b);
    }
  guint n_edits;
  const char *recovery = recovery_text (dataset, &n_edits);
  json_builder_set_member_name (b, "recovery");
  if (recovery != NULL)
    json_builder_add_string_value (b, recovery);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  g_autofree char *text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static gboolean
parse_condition (const char *text, CxrDatasetCondition *condition)
{
  if (text == NULL)
    *condition = CXR_DATASET_ANY;
  else if (strcmp (text, "yes") == 0)
    *condition = CXR_DATASET_YES;
  else if (strcmp (text, "no") == 0)
    *condition = CXR_DATASET_NO;
  else
    return FALSE;
  return TRUE;
}

static int
list_entries (CxrDataset *dataset, char **findings, const char *boxes, const char *images, gint64 patient,
              const char *prefix, gint64 balanced_seed)
{
  CxrDatasetFilter filter = { .patient_id = (guint32) patient, .name_prefix = prefix };
  for (guint i = 0; findings != NULL && findings[i] != NULL; i++)
    {
      guint32 bit = g_ascii_strcasecmp (findings[i], "any") == 0 ? CXR_FINDING_ANY
                                                                  : cxr_finding_from_name (findings[i], -1);
      if (bit == 0)
        {
          fprintf (stderr, "cxrcam-cli dataset list: '%s' is not an NIH finding\n", findings[i]);
          return 2;
        }
      filter.any_findings |= bit;
    }
  if (!parse_condition (boxes, &filter.has_boxes) || !parse_condition (images, &filter.has_image))
    {
      fprintf (stderr, "cxrcam-cli dataset list: --boxes and --images take yes or no\n");
      return 2;
    }

  g_autoptr (GArray) hits = cxr_dataset_filter (dataset, &filter);
  if (balanced_seed >= 0)
    {
      /* The tutorial's set, then the other conditions on top of it. */
      g_autoptr (GArray) subset = cxr_dataset_balanced_subset (dataset, CXR_FINDING_CARDIOMEGALY,
                                                               CXR_FINDING_NO_FINDING, TRUE,
                                                               (guint64) balanced_seed, NULL);
      g_autoptr (GHashTable) keep = g_hash_table_new (g_direct_hash, g_direct_equal);
      for (guint i = 0; i < subset->len; i++)
        g_hash_table_add (keep, GUINT_TO_POINTER (g_array_index (subset, guint, i) + 1));
      g_autoptr (GArray) both = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < hits->len; i++)
        if (g_hash_table_contains (keep, GUINT_TO_POINTER (g_array_index (hits, guint, i) + 1)))
          g_array_append_val (both, g_array_index (hits, guint, i));
      g_array_unref (hits);
      hits = g_steal_pointer (&both);
    }
  for (guint i = 0; i < hits->len; i++)
    {
      guint index = g_array_index (hits, guint, i);
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, index);
      g_autofree char *path = cxr_dataset_dup_image_path (dataset, index);
      g_autofree char *findings_text = cxr_finding_format_list (entry->findings);
      g_autoptr (GArray) entry_boxes = cxr_dataset_get_boxes (dataset, index);
      printf ("%s\t%s\t%s\t%u\n", entry->name, path != NULL ? path : "-", findings_text, entry_boxes->len);
    }
  return 0;
}

int
cli_dataset (int argc, char **argv)
{
  gboolean json = FALSE;
  g_auto (GStrv) findings = NULL;
  g_autofree char *boxes = NULL, *images = NULL, *prefix = NULL;
  gint64 patient = 0, balanced_seed = -1;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "info: print JSON", NULL },
    { "finding", 0, 0, G_OPTION_ARG_STRING_ARRAY, &findings, "list: images with this finding", "NAME" },
    { "boxes", 0, 0, G_OPTION_ARG_STRING, &boxes, "list: images with (yes) or without (no) boxes", "yes|no" },
    { "images", 0, 0, G_OPTION_ARG_STRING, &images, "list: with (yes) or without (no) an image file", "yes|no" },
    { "patient", 0, 0, G_OPTION_ARG_INT64, &patient, "list: this patient's images", "ID" },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, "list: names that start with TEXT", "TEXT" },
    { "balanced", 0, 0, G_OPTION_ARG_INT64, &balanced_seed, "list: the tutorial's balanced subset", "SEED" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("info|list DIR");
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_autoptr (GError) error = NULL;
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      return usage (stdout);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cxrcam-cli dataset: %s\n", error->message);
      return 2;
    }
  if (argc != 3 || (strcmp (argv[1], "info") != 0 && strcmp (argv[1], "list") != 0) || patient < 0)
    return usage (stderr);

  g_autoptr (CxrDataset) dataset = cxr_dataset_open (argv[2], 0, &error);
  if (dataset == NULL)
    {
      fprintf (stderr, "cxrcam-cli dataset: %s\n", error->message);
      return 1;
    }
  if (strcmp (argv[1], "list") == 0)
    return list_entries (dataset, findings, boxes, images, patient, prefix, balanced_seed);
  if (json)
    print_json (dataset);
  else
    print_text (dataset);
  return 0;
}
