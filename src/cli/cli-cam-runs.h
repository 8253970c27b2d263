/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-cam-runs.h: what lets `cam` run at dataset scale: --shard K/N (a deterministic slice of the image list),
 * resuming an interrupted run in its output folder, the shard's note for `merge`, and the summary made from
 * bb_results.csv rows, so that `cam`, a resumed `cam` and `merge` print the same one for the same rows. */
#pragma once

#include <glib.h>

#include "cxr-cam-results.h"

G_BEGIN_DECLS

/* A slice of the image list: shard index of count, 1-based; count 0 means no sharding. */
typedef struct {
  guint index, count;
} CliShard;

/* "K/N" with 1 <= K <= N (G_OPTION_ERROR otherwise). */
gboolean cli_shard_parse   (const char *text, CliShard *shard, GError **error);
/* Shard K of N takes the K-th of N contiguous blocks of @paths, as even as can be ([n (K-1) / N, n K / N)), so
 * that the shards' rows, joined in shard order, are the unsharded run's rows in its order. A new array. */
GStrv    cli_shard_select  (const CliShard *shard, char **paths);

/* The note an unfinished `cam` run keeps in its output folder: the settings that make its rows what they are.
 * Present while the run is going on and after it was interrupted; removed when it finishes. */
#define CLI_CAM_RUN_NOTE ".cxrcam-cam-run"
/* What a shard's folder says for `merge`. */
#define CLI_CAM_SHARD_NOTE "cxrcam-shard.ini"

/* The complete rows an interrupted run with @settings (the note's text) left in @folder, by image name; NULL
 * when there is nothing to resume (no note, or one for other settings: @other_settings is set then). */
GHashTable *cli_cam_runs_resumable (const char *folder, const char *settings, gboolean *other_settings,
                                    GError **error);

/* The summary `cam` prints, from the rows of bb_results.csv. */
void     cli_cam_print_summary (GPtrArray *rows, const char *label, double threshold, const char *box_mode,
                                guint n_failed);

G_END_DECLS
