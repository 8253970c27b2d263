/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-test-util.h: helpers shared by the C tests. */
#pragma once

#include <glib.h>

#include "cxr-tensor.h"

G_BEGIN_DECLS

/* The NIH subset folder, or NULL after g_test_skip() when it is missing and
 * CI is unset. When CI is set, a missing folder fails the test: CI must never
 * pass by skipping the real-data tests. */
const char *cxr_test_nih14_dir (void);

/* ../shared/data/dicom-samples (or $CXR_DICOM_SAMPLES_DIR), the third-party DICOM files; the same rules as above. */
const char *cxr_test_dicom_samples_dir (void);

/* tests/reference/fixtures/<name> in the source tree. Free with g_free. */
char *cxr_test_fixture_path (const char *name);

/* The .npy fixture tests/reference/fixtures/<printf (format, ...)>; fails the test when it cannot be read. */
CxrTensor *cxr_test_load_npy (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* A PyTorch [N, C, H, W] tensor in cxrcam's channel-major [C, N, H, W] order. */
CxrTensor *cxr_test_to_channel_major (const CxrTensor *nchw);

/* Runs tests/reference/<script> with Debian's Python (the one with torch) and
 * the given arguments, in the source tree. Fails the test, with the script's
 * stderr, if it cannot run or exits non-zero. A test that needs PyTorch calls
 * this: when torch is missing and CI is unset it skips (returns FALSE), when
 * CI is set it fails. */
gboolean cxr_test_run_reference (const char *script, const char * const *args);

/* TRUE when @locale (such as "de_DE.UTF-8") is installed, tried with setlocale (LC_ALL, ...) and put back.
 * When it is not: under CI the test fails (.ci/setup generates it), otherwise it is skipped (FALSE). */
gboolean cxr_test_have_locale (const char *locale);

/* A fresh temporary folder for one test, removed at exit. Free with g_free. */
char *cxr_test_make_tmpdir (void);

/* What a writer killed while saving @name in @dir leaves: its temporary file (cxr-atomic-file.c's pattern, with
 * the id of a process that has exited), holding a few bytes. Returns its path; free with g_free. */
char *cxr_test_make_dead_writer_file (const char *dir, const char *name);

/* Deterministic inputs, identical to tests/reference/pattern.py's pattern(shape, seed): uniform in
 * [-2, 2) from a 64-bit LCG, exact in float32. Lets fixtures leave their inputs out. */
void cxr_test_fill_pattern (float *x, gsize n, guint64 seed);

/* The input batch of tiny network @name ([N, C, H, W], from fixtures/networks/inputs.json). */
CxrTensor *cxr_test_network_input (const char *name);

/* One run of the built cxrcam-cli: its exit status (-1 when killed) and its stdout and stderr. */
typedef struct {
  int status;
  char *out;
  char *err;
} CxrCliRun;

/* The built cxrcam-cli's path. Free with g_free. */
char *cxr_test_cli_path (void);
/* Runs `cxrcam-cli ARGS...` and waits for it; logs the command, status and output. */
void  cxr_test_run_cli  (CxrCliRun *run, const char *const *args);
/* The same with environment @envp (NULL: this process's). */
void  cxr_test_run_cli_with_env (CxrCliRun *run, const char *const *envp, const char *const *args);
void  cxr_cli_run_clear (CxrCliRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CxrCliRun, cxr_cli_run_clear)

/* Largest |a - b| over n elements; *worst_index gets its position. */
double cxr_test_max_abs_diff (const float *a, const float *b, gsize n, gsize *worst_index);

/* Largest |x| over n elements. */
double cxr_test_max_abs (const float *x, gsize n);

/* Asserts max |got - want| <= tolerance * max(1, max |want|), printing the worst
 * element with its index when it fails. */
#define cxr_assert_close(got, want, n, tolerance) \
  cxr_test_assert_close (__FILE__, __LINE__, #got, (got), (want), (n), (tolerance), TRUE)
/* The same against an absolute tolerance. */
#define cxr_assert_close_abs(got, want, n, tolerance) \
  cxr_test_assert_close (__FILE__, __LINE__, #got, (got), (want), (n), (tolerance), FALSE)

void cxr_test_assert_close (const char *file, int line, const char *what,
                            const float *got, const float *want, gsize n,
                            double tolerance, gboolean relative_to_scale);

G_END_DECLS
