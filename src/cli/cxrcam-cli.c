/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli: the cxrcam engine from a terminal.
 *
 * Each subcommand lives in its own cli-<name>.c and has the signature of
 * CliCommandFunc; this file only dispatches.
 */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>

#include "cli-commands.h"

static const CliCommand commands[] = {
  { "demo", "Run cxrcam end to end on the built-in synthetic radiographs", cli_demo },
  { "predict", "Print class probabilities (or logits) for images", cli_predict },
  { "dataset", "Describe a dataset folder and list its images", cli_dataset },
  { "bbox", "List and edit the boxes of a BB.csv (BBox_List_2017.csv)", cli_bbox },
  { "make-demo", "Write the built-in synthetic radiographs as an NIH dataset", cli_make_demo },
  /* Grad-CAM */
  { "cam", "Grad-CAM boxes, pictures and bb_results.csv, scored against BB.csv", cli_cam },
  { "sweep", "Mean IoU of Grad-CAM boxes for every threshold 0.05 … 0.95", cli_sweep },
  { "compare", "Every CAM method and layer scored against the boxes: the best to use", cli_compare },
  { "merge", "Join the output folders of cam --shard K/N into one", cli_merge },
  /* training */
  { "train", "Train a ResNet on a dataset folder; checkpoints PyTorch loads", cli_train },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "Usage: cxrcam-cli COMMAND [OPTION...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream, "\nRun 'cxrcam-cli COMMAND --help' for the options of a command.\n");
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("cxrcam-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "cxrcam-cli: unknown command '%s'\n\n", argv[1]);
  print_usage (stderr);
  return 2;
}
