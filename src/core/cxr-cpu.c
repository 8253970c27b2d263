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
