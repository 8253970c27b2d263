/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-util.h: small pieces every subcommand uses. */
#pragma once

#include <gio/gio.h>
#include <stdio.h>

#include "cxr-engine.h"

/* Waits for a job of @engine on a private main context: run @start (which must start exactly one
 * job of @engine with the given callback/user_data on the thread-default context) and iterate
 * until it completes and the engine has released it. Returns the GAsyncResult (a new reference).
 * Engine progress callbacks are dispatched while waiting. */
typedef void (*CliStartFunc) (gpointer start_data, GAsyncReadyCallback callback, gpointer user_data);
GAsyncResult *cli_wait_for (CxrEngine *engine, CliStartFunc start, gpointer start_data);

/* Prints "cxrcam-cli <command>: <message>" on stderr. */
void cli_error (const char *command, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Parses the options of a subcommand; on error or --help prints and returns FALSE with *status set. */
gboolean cli_parse_options (GOptionContext *context, int *argc, char ***argv, const char *command, int *status);
