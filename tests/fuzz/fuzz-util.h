/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-util.h: what the libFuzzer harnesses of tests/fuzz share.
 *
 * Each harness is one file with LLVMFuzzerTestOneInput() over a parser's entry point. Built with clang and
 * -Dfuzzing=true it links libFuzzer (`build-fuzz/tests/fuzz/fuzz-npy corpus/npy`); in every build it also links
 * fuzz-replay.c, a main() that feeds it each file of its seed corpus and of its crash reproducers, so that every
 * input that once crashed stays a regression test of the normal suite.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* Once per process: criticals (a g_return_if_fail hit by an input) abort, other log messages are dropped. */
void        fuzz_init (void);

/* A path that reads as exactly @data (a memfd, so a regular file, rewritten on every call); for the parsers that
 * take a path. */
const char *fuzz_file (const uint8_t *data, size_t size);

/* A real file @name in a folder of its own (made once per process), holding exactly @data: for the parsers that
 * write beside what they read (the BB.csv store's journal). */
const char *fuzz_named_file (const char *name, const uint8_t *data, size_t size);

/* Frees @error (an input may be refused; it must never crash). */
void        fuzz_discard (GError *error);

G_END_DECLS
