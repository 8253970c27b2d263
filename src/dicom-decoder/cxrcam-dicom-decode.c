/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-dicom-decode: decodes one DICOM image with GDCM, in a process of its own (cxr-dicom-decoder.h).
 *
 *   cxrcam-dicom-decode [--cpu-seconds N] [--memory-bytes M]  < request  > reply
 *
 * cxrcam sends it the DICOM files it reads, one after another; an assert() in Debian's GDCM then ends this
 * process, not cxrcam. It sets its own limits (posix_spawn cannot): RLIMIT_CPU for each image, RLIMIT_AS (not
 * under AddressSanitizer, which reserves terabytes of address space) and no core files. A reply on stdout for
 * every request, whether the image was decoded or refused; exit status 0 when stdin ends, 2 for a bad request or
 * command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "cxr-dicom-decoder.h"
#include "cxr-error.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static gboolean
parse_number (const char *text, guint64 *value)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT64, value, NULL);
}

static void
set_limit (int resource, guint64 soft, guint64 hard)
{
  struct rlimit current;
  if (getrlimit (resource, &current) != 0)
    return;
  /* Only ever lower a limit. */
  struct rlimit wanted = {
    .rlim_cur = MIN ((rlim_t) soft, current.rlim_max),
    .rlim_max = MIN ((rlim_t) hard, current.rlim_max),
  };
  if (wanted.rlim_cur > current.rlim_cur && current.rlim_cur != RLIM_INFINITY)
    wanted.rlim_cur = current.rlim_cur;
  setrlimit (resource, &wanted);
}

/* SIGXCPU (which ends the process) once it has used @seconds more CPU time than now. */
static void
cpu_limit_from_now (guint64 seconds)
{
  struct rusage usage;
  struct rlimit limit;
  if (getrusage (RUSAGE_SELF, &usage) != 0 || getrlimit (RLIMIT_CPU, &limit) != 0)
    return;
  rlim_t used = (rlim_t) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1);
  limit.rlim_cur = used + seconds;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
    limit.rlim_cur = limit.rlim_max;
  setrlimit (RLIMIT_CPU, &limit);
}

#ifdef UNDER_ASAN
/* GDCM and OpenJPEG leak on some error paths (fuzz-dicom finds them within seconds); the process ends after its
 * last image, so only leaks in cxrcam's own code are worth a failing exit status. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:libopenjp2.so\nleak:libgdcm\nleak:libcharls.so\n";
}
#endif

int
main (int argc, char **argv)
{
  guint64 seconds = 0, memory = 0;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--cpu-seconds") == 0 && parse_number (argv[i + 1], &seconds))
        i++;
      else if (strcmp (argv[i], "--memory-bytes") == 0 && parse_number (argv[i + 1], &memory))
        i++;
      else
        {
          g_printerr ("usage: %s [--cpu-seconds N] [--memory-bytes M] < request > reply\n", argv[0]);
          return 2;
        }
    }
  set_limit (RLIMIT_CORE, 0, 0);
#ifndef UNDER_ASAN
  if (memory > 0)
    set_limit (RLIMIT_AS, memory, memory);
#endif

  /* One request after another, until cxrcam closes stdin (it keeps a decoder for the next image: starting one
   * costs more than decoding a 1024 x 1024 image, most of it GDCM's dictionaries). */
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = NULL;
      g_autofree guint8 *data = NULL;
      gsize length = 0;
      gboolean end = FALSE;
      CxrDicomRequestKind kind;
      if (!cxr_dicom_wire_read_request (STDIN_FILENO, &kind, &name, &data, &length, &end, &error))
        {
          if (end)
            return 0;
          g_printerr ("%s: %s\n", argv[0], error->message);
          return 2;
        }
      /* The time limit is per image: CPU seconds from now. */
      if (seconds > 0)
        cpu_limit_from_now (seconds);
      g_autoptr (GError) failure = NULL;
      if (kind == CXR_DICOM_REQUEST_DIRECTORY)
        {
          g_autoptr (GPtrArray) files = NULL, uids = NULL;
          if (!cxr_dicom_dir_read_in_process (data, length, name, &files, &uids, &failure) && failure == NULL)
            g_set_error (&failure, CXR_ERROR, CXR_ERROR_FAILED, "%s: the decoder failed", name);
          if (!cxr_dicom_wire_write_directory_reply (STDOUT_FILENO, files, uids, failure, &error))
            {
              g_printerr ("%s: %s\n", argv[0], error->message);
              return 2;
            }
          continue;
        }
      g_autoptr (CxrDicomImage) image = NULL;
      if (!cxr_dicom_decode_in_process (data, length, name, &image, &failure) && failure == NULL)
        g_set_error (&failure, CXR_ERROR, CXR_ERROR_FAILED, "%s: the decoder failed", name);
      g_clear_pointer (&data, g_free);
      if (!cxr_dicom_wire_write_reply (STDOUT_FILENO, image, failure, &error))
        {
          g_printerr ("%s: %s\n", argv[0], error->message);
          return 2;
        }
    }
}
