/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifdef __linux__
#define _GNU_SOURCE  /* sched_getaffinity, CPU_ISSET */
#include <sched.h>
#endif

#include "cxr-cpu.h"

static CxrCpuLevel
probe_hardware (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    return CXR_CPU_AVX512;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return CXR_CPU_AVX2;
#endif
  return CXR_CPU_GENERIC;
}

static CxrCpuLevel
level_from_name (const char *name, CxrCpuLevel fallback)
{
  for (CxrCpuLevel level = CXR_CPU_GENERIC; level <= CXR_CPU_AVX512; level++)
    if (g_ascii_strcasecmp (name, cxr_cpu_level_name (level)) == 0)
      return level;
  g_warning ("CXR_CPU=%s is not one of generic, avx2, avx512; ignored", name);
  return fallback;
}

static gpointer
probe (gpointer data)
{
  CxrCpuLevel level = probe_hardware ();
  const char *cap = g_getenv ("CXR_CPU");
  if (cap != NULL && *cap != '\0')
    level = MIN (level, level_from_name (cap, level));
  return GINT_TO_POINTER (level);
}

CxrCpuLevel
cxr_cpu_level (void)
{
  static GOnce once = G_ONCE_INIT;
  return GPOINTER_TO_INT (g_once (&once, probe, NULL));
}

const char *
cxr_cpu_level_name (CxrCpuLevel level)
{
  switch (level)
    {
    case CXR_CPU_AVX512:
      return "avx512";
    case CXR_CPU_AVX2:
      return "avx2";
    case CXR_CPU_GENERIC:
    default:
      return "generic";
    }
}

/* Distinct (package, core) pairs among the CPUs of our affinity mask, from sysfs; 0 if unknown. */
static int
count_linux_cores (void)
{
#ifdef __linux__
  cpu_set_t allowed;
  if (sched_getaffinity (0, sizeof allowed, &allowed) != 0)
    return 0;
  g_autoptr (GHashTable) cores = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    {
      if (!CPU_ISSET (cpu, &allowed))
        continue;
      g_autofree char *core_path = g_strdup_printf ("/sys/devices/system/cpu/cpu%d/topology/core_id", cpu);
      g_autofree char *package_path =
        g_strdup_printf ("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu);
      g_autofree char *core = NULL, *package = NULL;
      if (!g_file_get_contents (core_path, &core, NULL, NULL)
          || !g_file_get_contents (package_path, &package, NULL, NULL))
        return 0;
      g_hash_table_add (cores, g_strdup_printf ("%s/%s", g_strstrip (package), g_strstrip (core)));
    }
  return g_hash_table_size (cores);
#else
  return 0;
#endif
}

static gpointer
probe_cores (gpointer data)
{
  int cores = count_linux_cores ();
  return GINT_TO_POINTER (cores > 0 ? cores : (int) g_get_num_processors ());
}

int
cxr_cpu_cores (void)
{
  static GOnce once = G_ONCE_INIT;
  return GPOINTER_TO_INT (g_once (&once, probe_cores, NULL));
}
