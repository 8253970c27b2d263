/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cpu.h: which vector instructions the kernels may use on this machine.
 *
 * The binary is built for baseline x86-64 (a Debian package cannot assume
 * more); the hot kernels exist in several builds and pick one at run time.
 * Setting CXR_CPU=generic|avx2|avx512 lowers the level (never raises it), so
 * that tests and benchmarks can exercise every path on one machine.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_CPU_GENERIC,  /* portable C; OpenBLAS for the matrix products */
  CXR_CPU_AVX2,     /* AVX2 + FMA (Haswell and later, Zen) */
  CXR_CPU_AVX512,   /* AVX-512 F (Skylake-X and later, Zen 4 and later) */
} CxrCpuLevel;

/* For plain C loops that the compiler vectorises: one clone per level, picked
 * by the dynamic loader (ifunc) on the running CPU. Not with clang: clang 14
 * names the dispatcher "f.ifunc" when the header's declaration lacks the
 * attribute, so callers in other files do not link; clang builds (fuzzers,
 * sanitizers) use the baseline loop. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__) && !defined(__clang__)
#define CXR_TARGET_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define CXR_TARGET_CLONES
#endif

/* Probed once, thread-safe. */
CxrCpuLevel cxr_cpu_level (void);

/* Physical cores among the processors this process may run on (SMT siblings count once), as
 * PyTorch sizes its pool: two FMA-bound threads on one core only contend. Falls back to the
 * number of processors where the topology is unknown. Probed once, thread-safe. */
int         cxr_cpu_cores (void);
const char *cxr_cpu_level_name (CxrCpuLevel level);

G_END_DECLS
