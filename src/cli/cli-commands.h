/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-commands.h: the subcommands of cxrcam-cli. */
#pragma once

#include <stdio.h>

/* argv[0] is the subcommand's name. Returns the process exit status. */
typedef int (*CliCommandFunc) (int argc, char **argv);

typedef struct {
  const char *name;
  const char *summary;
  CliCommandFunc run;
} CliCommand;

int cli_predict (int argc, char **argv);
int cli_make_demo (int argc, char **argv);
int cli_demo (int argc, char **argv);
int cli_bbox (int argc, char **argv);
int cli_dataset (int argc, char **argv);
/* Grad-CAM */
int cli_cam (int argc, char **argv);
int cli_sweep (int argc, char **argv);
int cli_compare (int argc, char **argv);
int cli_merge (int argc, char **argv);
/* training */
int cli_train (int argc, char **argv);
