/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-dicom-decode: decodes one DICOM image with GDCM, in a process of its own (cxr-dicom-decoder.h).
 *
 *   cxrcam-dicom-decode [--cpu-seconds N] [--memory-bytes M]  < request  > reply  3<> request-data  4<> values
 *
 * cxrcam sends it the DICOM files it reads, one after another; an assert() in Debian's GDCM then ends this
 * process, not cxrcam. It sets its own limits (posix_spawn cannot): RLIMIT_CPU for each image, RLIMIT_AS (not
 * under AddressSanitizer, which reserves terabytes of address space), RLIMIT_FSIZE (the largest image's values:
 * the only file it writes is the values file) and no core files. A reply on stdout for every request, whether
 * the image was decoded or refused; exit status 0 when stdin ends, 2 for a bad request, missing fds 3 and 4 or a
 * command line. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "cxr-dicom-decoder.h"
#include "cxr-dicom-memfd.h"
#include "cxr-error.h"
#include "cxr-limits.h"

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

/* Memory is kept from one image to the next, and given back once no request has come for IDLE_TRIM_MS.
 * Why: the pages of a 2500 x 3000 image (15 MB read, 15 MB decoded, 30 MB of values) taken fresh from the system
 * for every image cost more than decoding it (7,500 page faults and 150 ms of CPU per image on this VM, against
 * 13 ms for the decoding itself in a process that reuses its heap). glibc would give back the heap's top after
 * each image (its trim threshold) and map the largest blocks anew each time (its mmap threshold): neither here. */
#define IDLE_TRIM_MS 1000

static void
keep_memory (void)
{
  mallopt (M_MMAP_MAX, 0);
  mallopt (M_TRIM_THRESHOLD, G_MAXINT);
}

static void
trim_when_idle (void)
{
  struct pollfd request = { STDIN_FILENO, POLLIN, 0 };
  int ready;
  do
    ready = poll (&request, 1, IDLE_TRIM_MS);
  while (ready < 0 && errno == EINTR);
  if (ready == 0)
    malloc_trim (0);
}

/* The image's values are decoded straight into the values file (cxr-dicom-memfd.h): no copy of the largest
 * part of the reply. */
typedef struct {
  void *mapped;
  gsize bytes;
} ValuesFile;

static float *
values_in_file (gsize n, gpointer user_data)
{
  ValuesFile *file = user_data;
  file->bytes = n * sizeof (float);
  file->mapped = cxr_dicom_memfd_map_writable (CXR_DICOM_DECODER_VALUES_FD, file->bytes);
  return file->mapped;
}

/* After decoding: the mapping is dropped and the file made exactly the image's values (it may hold a larger
 * image's pages); the image no longer points into it. */
static void
values_done (ValuesFile *file, CxrDicomImage *image, const char *name, GError **failure)
{
  if (file->mapped != NULL)
    munmap (file->mapped, file->bytes);
  file->mapped = NULL;
  if (image == NULL)
    return;
  image->values = NULL;
  if (ftruncate (CXR_DICOM_DECODER_VALUES_FD, (off_t) file->bytes) != 0)
    g_set_error (failure, CXR_ERROR, CXR_ERROR_IO, "%s: the decoder's values file: %s", name, g_strerror (errno));
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
  if (fcntl (CXR_DICOM_DECODER_REQUEST_FD, F_GETFD) < 0 || fcntl (CXR_DICOM_DECODER_VALUES_FD, F_GETFD) < 0)
    {
      g_printerr ("%s: fds %d and %d must be the request's and the values' memory files\n", argv[0],
                  CXR_DICOM_DECODER_REQUEST_FD, CXR_DICOM_DECODER_VALUES_FD);
      return 2;
    }
  set_limit (RLIMIT_CORE, 0, 0);
  /* Values past the image limit would never be read: a decoder gone wrong cannot fill the memory with them. */
  guint64 values_max = (guint64) CXR_LIMIT_IMAGE_PIXELS * sizeof (float);
  set_limit (RLIMIT_FSIZE, values_max, values_max);
#ifndef UNDER_ASAN
  if (memory > 0)
    set_limit (RLIMIT_AS, memory, memory);
#endif

  /* One request after another, until cxrcam closes stdin (it keeps a decoder for the next image: starting one
   * costs more than decoding a 1024 x 1024 image, most of it GDCM's dictionaries). */
  keep_memory ();
  for (;;)
    {
      trim_when_idle ();
      g_autoptr (GError) error = NULL;
      g_autofree char *name = NULL;
      g_autoptr (GBytes) data = NULL;
      gboolean end = FALSE;
      CxrDicomRequestKind kind;
      if (!cxr_dicom_wire_read_request (STDIN_FILENO, CXR_DICOM_DECODER_REQUEST_FD, &kind, &name, &data, &end,
                                        &error))
        {
          if (end)
            return 0;
          g_printerr ("%s: %s\n", argv[0], error->message);
          return 2;
        }
      /* The time limit is per image: CPU seconds from now. */
      if (seconds > 0)
        cpu_limit_from_now (seconds);
      gsize length = 0;
      const guint8 *bytes = g_bytes_get_data (data, &length);
      g_autoptr (GError) failure = NULL;
      if (kind == CXR_DICOM_REQUEST_DIRECTORY)
        {
          g_autoptr (GPtrArray) files = NULL, uids = NULL;
          if (!cxr_dicom_dir_read_in_process (bytes, length, name, &files, &uids, &failure) && failure == NULL)
            g_set_error (&failure, CXR_ERROR, CXR_ERROR_FAILED, "%s: the decoder failed", name);
          g_clear_pointer (&data, g_bytes_unref);
          if (!cxr_dicom_wire_write_directory_reply (STDOUT_FILENO, files, uids, failure, &error))
            {
              g_printerr ("%s: %s\n", argv[0], error->message);
              return 2;
            }
          continue;
        }
      g_autoptr (CxrDicomImage) image = NULL;
      ValuesFile values = { NULL, 0 };
      if (!cxr_dicom_decode_in_process_into (bytes, length, name, values_in_file, &values, &image, &failure)
          && failure == NULL)
        g_set_error (&failure, CXR_ERROR, CXR_ERROR_FAILED, "%s: the decoder failed", name);
      values_done (&values, image, name, &failure);
      if (failure != NULL)
        g_clear_pointer (&image, cxr_dicom_image_free);
      /* Unmapped before the reply: cxrcam writes the next request's data over it, or empties it. */
      g_clear_pointer (&data, g_bytes_unref);
      if (!cxr_dicom_wire_write_reply (STDOUT_FILENO, image, failure, &error))
        {
          g_printerr ("%s: %s\n", argv[0], error->message);
          return 2;
        }
    }
}
