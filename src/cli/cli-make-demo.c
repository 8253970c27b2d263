/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli make-demo: writes the built-in phantom dataset (NIH layout) to a folder. */
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-phantom.h"

int
cli_make_demo (int argc, char **argv)
{
  CxrPhantomOptions options;
  cxr_phantom_options_init_default (&options);
  int n_images = options.n_images, size = options.size;
  gint64 seed = options.seed;
  g_auto (GStrv) folders = NULL;
  const GOptionEntry entries[] = {
    { "images", 'n', 0, G_OPTION_ARG_INT, &n_images, "Number of phantoms (default 120)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Pixels a side (default 512)", "PX" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "SEED" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &folders, NULL, "FOLDER" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FOLDER — write synthetic chest radiographs as an NIH dataset");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Writes FOLDER/images/*.png, FOLDER/Data_Entry_2017.csv and FOLDER/BBox_List_2017.csv: half the\n"
    "phantoms have an enlarged heart (label Cardiomegaly, with the heart's box), half are normal.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "make-demo", &status))
    return status;
  if (folders == NULL || folders[1] != NULL)
    {
      cli_error ("make-demo", "needs exactly one FOLDER (try --help)");
      return 2;
    }
  if (n_images < 1 || size < 64 || size > 4096)
    {
      cli_error ("make-demo", "--images must be at least 1 and --size between 64 and 4096");
      return 2;
    }

  options.n_images = n_images;
  options.size = size;
  options.seed = seed;
  g_autoptr (GError) error = NULL;
  if (!cxr_phantom_write_dataset (folders[0], &options, NULL, &error))
    {
      cli_error ("make-demo", "%s", error->message);
      return 1;
    }
  fprintf (stderr, "wrote %d phantoms (%dx%d) to %s\n", n_images, size, size, folders[0]);
  return 0;
}
