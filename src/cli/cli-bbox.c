/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli bbox: read and edit BB.csv from scripts, through the same store as the app (byte-preserving,
 * atomic, with a backup, conflict checks and the recovery journal).
 *
 *   cxrcam-cli bbox list BB.csv [--image NAME] [--label LABEL]
 *   cxrcam-cli bbox add BB.csv IMAGE LABEL X Y W H
 *   cxrcam-cli bbox set BB.csv ID [X Y W H] [--label LABEL]
 *   cxrcam-cli bbox rm BB.csv ID...
 *   cxrcam-cli bbox recover BB.csv
 *   cxrcam-cli bbox discard BB.csv
 *   cxrcam-cli bbox export --format voc|coco|yolo BB.csv|DIR --out DIR [--images DIR]
 *
 * Ids are row numbers: the first box row of the file is 1. They are the same for every id given to one command.
 * A gt_dict.json beside BB.csv is rewritten to match after each change. export writes the boxes for other tools
 * (cxr-bbox-export.h); the image sizes come from the image files, found through the dataset folder.
 */
#include <string.h>

#include "cli-commands.h"
#include "cxr-bbox-export.h"
#include "cxr-bbox-store.h"
#include "cxr-csv.h"
#include "cxr-format.h"
#include "cxr-gt-dict.h"

static int
usage (FILE *stream)
{
  fprintf (stream,
           "Usage: cxrcam-cli bbox list BB.csv [--image NAME] [--label LABEL]\n"
           "       cxrcam-cli bbox add BB.csv IMAGE LABEL X Y W H\n"
           "       cxrcam-cli bbox set BB.csv ID [X Y W H] [--label LABEL]\n"
           "       cxrcam-cli bbox rm BB.csv ID...\n"
           "       cxrcam-cli bbox recover BB.csv\n"
           "       cxrcam-cli bbox discard BB.csv\n"
           "       cxrcam-cli bbox export --format voc|coco|yolo BB.csv|DIR --out DIR [--images DIR]\n"
           "\n"
           "IDs are row numbers (the first box row is 1), as 'list' prints them. X, Y, W, H are the box's top left\n"
           "corner, width and height in original-image pixels. Every change is saved at once: atomically, keeping\n"
           "the old file as BB.csv~, changing only the edited lines, and refusing if BB.csv changed meanwhile.\n"
           "recover and discard deal with unsaved edits that an earlier session left in BB.csv.journal.\n"
           "export writes the boxes as Pascal VOC XML (one .xml per image), COCO JSON (annotations.json) or YOLO\n"
           "text (one .txt per image and classes.txt) into --out; the images' sizes are read from their files,\n"
           "found in the dataset folder (or DIR of --images). Images whose file is missing are left out and listed.\n");
  return stream == stdout ? 0 : 2;
}

static gboolean
parse_number (const char *text, double *value)
{
  char *end = NULL;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

static gboolean
parse_id (const char *text, guint *id)
{
  guint64 value;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  *id = (guint) value;
  return TRUE;
}

static int
fail (const char *what, const GError *error)
{
  fprintf (stderr, "cxrcam-cli bbox %s: %s\n", what, error->message);
  return 1;
}

/* Opens the store for a command; refuses, with advice, while an earlier session's edits are unresolved. */
static CxrBBoxStore *
open_store (const char *command, const char *path, gboolean for_recovery)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  if (store == NULL)
    {
      fail (command, error);
      return NULL;
    }
  guint n_edits;
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, &n_edits);
  if (recovery == CXR_BBOX_RECOVERY_NONE || for_recovery)
    return g_steal_pointer (&store);
  if (recovery == CXR_BBOX_RECOVERY_PENDING)
    fprintf (stderr, "cxrcam-cli bbox %s: %s has %u unsaved edits from an earlier session; run "
             "'cxrcam-cli bbox recover %s' to keep them or 'cxrcam-cli bbox discard %s' to drop them\n",
             command, path, n_edits, path, path);
  else if (recovery == CXR_BBOX_RECOVERY_STALE)
    fprintf (stderr, "cxrcam-cli bbox %s: %s.journal holds edits made to another version of %s; run "
             "'cxrcam-cli bbox discard %s' to drop them\n", command, path, path, path);
  else
    fprintf (stderr, "cxrcam-cli bbox %s: another program is editing %s\n", command, path);
  return NULL;
}

/* Saves the store, and the gt_dict.json beside it when there is one. */
static int
save (const char *command, CxrBBoxStore *store)
{
  g_autoptr (GError) error = NULL;
  if (!cxr_bbox_store_save (store, &error))
    {
      /* Nothing was changed; a command is easy to run again, so leave no journal to resolve either. */
      cxr_bbox_store_revert (store, NULL);
      return fail (command, error);
    }
  g_autofree char *dir = g_path_get_dirname (cxr_bbox_store_get_path (store));
  /* Named as the user named BB.csv: "gt_dict.json" beside "BB.csv", not "./gt_dict.json" */
  g_autofree char *gt_dict = g_str_equal (dir, ".") ? g_strdup ("gt_dict.json")
                                                    : g_build_filename (dir, "gt_dict.json", NULL);
  if (g_file_test (gt_dict, G_FILE_TEST_IS_REGULAR) && !cxr_gt_dict_sync (gt_dict, store, &error))
    return fail (command, error);
  return 0;
}

static void
print_box (const CxrBBox *box)
{
  char x[CXR_FORMAT_BUF], y[CXR_FORMAT_BUF], w[CXR_FORMAT_BUF], h[CXR_FORMAT_BUF];
  printf ("%u\t%s\t%s\t%s\t%s\t%s\t%s\n", box->id, box->image, box->label, cxr_format_double (x, box->x),
          cxr_format_double (y, box->y), cxr_format_double (w, box->w), cxr_format_double (h, box->h));
}

static int
run_list (const char *path, const char *image, const char *label)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  if (store == NULL)
    return fail ("list", error);
  g_autoptr (GArray) boxes = image != NULL ? cxr_bbox_store_list_for_image (store, image) : cxr_bbox_store_list (store);
  printf ("# id\timage\tlabel\tx\ty\tw\th\n");
  for (guint i = 0; i < boxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (boxes, CxrBBox, i);
      if (label == NULL || strcmp (box->label, label) == 0)
        print_box (box);
    }
  return 0;
}

static int
run_add (char **args)
{
  double v[4];
  for (int k = 0; k < 4; k++)
    if (!parse_number (args[3 + k], &v[k]))
      {
        fprintf (stderr, "cxrcam-cli bbox add: '%s' is not a number\n", args[3 + k]);
        return 2;
      }
  g_autoptr (CxrBBoxStore) store = open_store ("add", args[0], FALSE);
  if (store == NULL)
    return 1;
  g_autoptr (GError) error = NULL;
  guint id = cxr_bbox_store_add (store, args[1], args[2], v[0], v[1], v[2], v[3], &error);
  if (id == 0)
    return fail ("add", error);
  int status = save ("add", store);
  if (status == 0)
    printf ("%u\n", id);
  return status;
}

static int
run_set (char **args, int n_args, const char *label)
{
  guint id;
  if (!parse_id (args[1], &id))
    {
      fprintf (stderr, "cxrcam-cli bbox set: '%s' is not a box id\n", args[1]);
      return 2;
    }
  if ((n_args != 2 && n_args != 6) || (n_args == 2 && label == NULL))
    return usage (stderr);
  double v[4];
  for (int k = 0; n_args == 6 && k < 4; k++)
    if (!parse_number (args[2 + k], &v[k]))
      {
        fprintf (stderr, "cxrcam-cli bbox set: '%s' is not a number\n", args[2 + k]);
        return 2;
      }
  g_autoptr (CxrBBoxStore) store = open_store ("set", args[0], FALSE);
  if (store == NULL)
    return 1;
  g_autoptr (GError) error = NULL;
  if (n_args == 6 && !cxr_bbox_store_set_rect (store, id, v[0], v[1], v[2], v[3], &error))
    return fail ("set", error);
  if (label != NULL && !cxr_bbox_store_set_label (store, id, label, &error))
    return fail ("set", error);
  return save ("set", store);
}

static int
run_rm (char **args, int n_args)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  for (int i = 1; i < n_args; i++)
    {
      guint id;
      if (!parse_id (args[i], &id))
        {
          fprintf (stderr, "cxrcam-cli bbox rm: '%s' is not a box id\n", args[i]);
          return 2;
        }
      g_array_append_val (ids, id);
    }
  g_autoptr (CxrBBoxStore) store = open_store ("rm", args[0], FALSE);
  if (store == NULL)
    return 1;
  g_autoptr (GError) error = NULL;
  for (guint i = 0; i < ids->len; i++)
    if (!cxr_bbox_store_remove (store, g_array_index (ids, guint, i), &error))
      {
        /* Nothing was saved; leave no journal behind either. */
        cxr_bbox_store_revert (store, NULL);
        return fail ("rm", error);
      }
  return save ("rm", store);
}

static int
run_recovery (const char *command, const char *path)
{
  g_autoptr (CxrBBoxStore) store = open_store (command, path, TRUE);
  if (store == NULL)
    return 1;
  guint n_edits;
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, &n_edits);
  g_autoptr (GError) error = NULL;
  if (recovery == CXR_BBOX_RECOVERY_NONE)
    {
      printf ("%s has no unsaved edits to %s\n", path, strcmp (command, "recover") == 0 ? "recover" : "discard");
      return 0;
    }
  if (strcmp (command, "discard") == 0)
    {
      if (!cxr_bbox_store_discard_recovery (store, &error))
        return fail (command, error);
      printf ("dropped %u unsaved edits of %s\n", n_edits, path);
      return 0;
    }
  if (!cxr_bbox_store_recover (store, &error))
    return fail (command, error);
  int status = save (command, store);
  if (status == 0)
    printf ("recovered %u unsaved edits into %s\n", n_edits, path);
  return status;
}

/* Image files of a bare BB.csv: in --images, or where the dataset layouts keep them beside it. */
typedef struct {
  GPtrArray *folders;
} ImageFolders;

static char *
locate_in_folders (const char *image, gpointer user_data)
{
  ImageFolders *where = user_data;
  for (guint i = 0; i < where->folders->len; i++)
    {
      g_autofree char *path = g_build_filename (where->folders->pdata[i], image, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return NULL;
}

static void
warn_unsaved (CxrBBoxStore *store)
{
  guint n_edits;
  if (store != NULL && cxr_bbox_store_get_recovery (store, &n_edits) == CXR_BBOX_RECOVERY_PENDING)
    fprintf (stderr, "cxrcam-cli bbox export: note: %s has %u unsaved edits from an earlier session, which are not "
             "exported; run 'cxrcam-cli bbox recover %s' first to include them\n", cxr_bbox_store_get_path (store),
             n_edits, cxr_bbox_store_get_path (store));
}

static int
run_export (const char *input, const char *format_name, const char *out, const char *images)
{
  CxrBBoxExportFormat format;
  if (format_name == NULL || !cxr_bbox_export_format_from_name (format_name, &format))
    {
      fprintf (stderr, "cxrcam-cli bbox export: --format must be voc, coco or yolo\n");
      return 2;
    }
  if (out == NULL)
    {
      fprintf (stderr, "cxrcam-cli bbox export: --out DIR is needed\n");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_auto (CxrBBoxExportReport) report = { 0 };
  gboolean ok;
  if (g_file_test (input, G_FILE_TEST_IS_DIR) && images == NULL)
    {
      g_autoptr (CxrDataset) dataset = cxr_dataset_open (input, CXR_DATASET_OPEN_DEFAULT, &error);
      if (dataset == NULL)
        return fail ("export", error);
      if (cxr_dataset_get_bbox_path (dataset) == NULL)
        {
          fprintf (stderr, "cxrcam-cli bbox export: %s has no box file (BB.csv or BBox_List_2017.csv)\n", input);
          return 1;
        }
      warn_unsaved (cxr_dataset_get_bbox_store (dataset));
      ok = cxr_bbox_export_dataset (dataset, format, out, &report, &error);
    }
  else
    {
      g_autoptr (CxrBBoxStore) store = NULL;
      g_autofree char *dir = NULL;
      if (g_file_test (input, G_FILE_TEST_IS_DIR))
        {
          /* A folder with --images: its box file, images from --images. */
          g_autoptr (CxrDataset) dataset = cxr_dataset_open (input, CXR_DATASET_OPEN_DEFAULT, &error);
          if (dataset == NULL)
            return fail ("export", error);
          if (cxr_dataset_get_bbox_path (dataset) == NULL)
            {
              fprintf (stderr, "cxrcam-cli bbox export: %s has no box file (BB.csv or BBox_List_2017.csv)\n", input);
              return 1;
            }
          store = cxr_bbox_store_open (cxr_dataset_get_bbox_path (dataset), &error);
          dir = g_strdup (input);
        }
      else
        {
          store = cxr_bbox_store_open (input, &error);
          dir = g_path_get_dirname (input);
        }
      if (store == NULL)
        return fail ("export", error);
      warn_unsaved (store);
      g_autoptr (GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);
      if (images != NULL)
        g_ptr_array_add (folders, g_strdup (images));
      else
        {
          /* Where the tutorial and NIH layouts keep the images, and the folder itself. */
          g_ptr_array_add (folders, g_build_filename (dir, "BB", NULL));
          g_ptr_array_add (folders, g_build_filename (dir, "images", NULL));
          for (int i = 1; i <= 12; i++)
            g_ptr_array_add (folders, g_strdup_printf ("%s/images_%03d/images", dir, i));
          g_ptr_array_add (folders, g_strdup (dir));
        }
      ImageFolders where = { folders };
      g_autoptr (GArray) boxes = cxr_bbox_store_list (store);
      ok = cxr_bbox_export (boxes, format, out, locate_in_folders, &where, &report, &error);
    }
  if (!ok)
    return fail ("export", error);
  for (guint i = 0; i < report.skipped->len; i++)
    fprintf (stderr, "cxrcam-cli bbox export: %s\n", (const char *) report.skipped->pdata[i]);
  printf ("exported %u boxes of %u images as %s into %s (%u files)", report.n_boxes, report.n_images,
          cxr_bbox_export_format_get_name (format), out, report.n_files);
  if (report.n_clamped > 0)
    printf ("; %u boxes were cut to their image's edges", report.n_clamped);
  if (report.skipped->len > 0)
    printf ("; %u left out (listed above)", report.skipped->len);
  printf ("\n");
  return 0;
}

int
cli_bbox (int argc, char **argv)
{
  g_autofree char *image = NULL, *label = NULL, *format = NULL, *out = NULL, *images = NULL;
  const GOptionEntry entries[] = {
    { "image", 0, 0, G_OPTION_ARG_STRING, &image, "list: only this image's boxes", "NAME" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, "list: only boxes with this label; set: the new label", "LABEL" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "export: voc, coco or yolo", "FORMAT" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "export: the folder to write into", "DIR" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &images, "export: the folder of the images", "DIR" },
    { NULL }
  };
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      return usage (stdout);
  g_autoptr (GOptionContext) context = g_option_context_new ("list|add|set|rm|recover|discard|export BB.csv ...");
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cxrcam-cli bbox: %s\n", error->message);
      return 2;
    }
  if (argc < 3)
    return usage (stderr);
  const char *command = argv[1];
  char **args = argv + 2;
  int n_args = argc - 2;

  if (strcmp (command, "list") == 0 && n_args == 1)
    return run_list (args[0], image, label);
  if (strcmp (command, "add") == 0 && n_args == 7)
    return run_add (args);
  if (strcmp (command, "set") == 0 && n_args >= 2)
    return run_set (args, n_args, label);
  if (strcmp (command, "rm") == 0 && n_args >= 2)
    return run_rm (args, n_args);
  if ((strcmp (command, "recover") == 0 || strcmp (command, "discard") == 0) && n_args == 1)
    return run_recovery (command, args[0]);
  if (strcmp (command, "export") == 0 && n_args == 1)
    return run_export (args[0], format, out, images);
  return usage (stderr);
}
