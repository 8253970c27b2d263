#include "cli-commands.h"

int
cli_predict (int argc, char **argv)
{
  fprintf (stderr, "cxrcam-cli predict: not implemented yet\n");
  return 1;
}
