/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-memfd.c: memory files between cxrcam and its DICOM decoder (cxr-dicom-memfd.h says why). */
#define _GNU_SOURCE  /* memfd_create, MAP_POPULATE */
#include "cxr-dicom-memfd.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxr-error.h"

int
cxr_dicom_memfd_new (const char *what)
{
  return memfd_create (what, MFD_CLOEXEC);
}

gboolean
cxr_dicom_memfd_set (int fd, const void *data, gsize length, GError **error)
{
  const guint8 *p = data;
  gsize done = 0;
  struct stat st;
  /* Written over its old pages, then cut to length: pages it has are reused, not given back and taken anew. */
  if (fstat (fd, &st) != 0)
    goto failed;
  if ((guint64) st.st_size < length && ftruncate (fd, (off_t) length) != 0)
    goto failed;
  while (done < length)
    {
      ssize_t n = pwrite (fd, p + done, length - done, (off_t) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto failed;
      done += (gsize) n;
    }
  if ((guint64) st.st_size > length && ftruncate (fd, (off_t) length) != 0)
    goto failed;
  return TRUE;

failed:
  {
    int saved = errno;
    g_set_error (error, CXR_ERROR, saved == ENOMEM || saved == ENOSPC || saved == EFBIG ? CXR_ERROR_LIMIT
                                                                                         : CXR_ERROR_IO,
                 "could not write %" G_GSIZE_FORMAT " bytes to a memory file: %s", length,
                 saved != 0 ? g_strerror (saved) : "short write");
    return FALSE;
  }
}

typedef struct {
  void *address;
  gsize length;
} Mapping;

static void
mapping_free (gpointer data)
{
  Mapping *m = data;
  munmap (m->address, m->length);
  g_free (m);
}

GBytes *
cxr_dicom_memfd_map (int fd, gsize length, GError **error)
{
  struct stat st;
  if (fstat (fd, &st) != 0 || st.st_size < 0 || (guint64) st.st_size < length)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "the request's memory file is shorter than %" G_GSIZE_FORMAT
                   " bytes", length);
      return NULL;
    }
  if (length == 0)
    return g_bytes_new (NULL, 0);
  /* MAP_POPULATE: the pages are mapped in this call; touched one by one they were a fault each, 15 ms for a
   * 15 MB file here. */
  void *address = mmap (NULL, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (address == MAP_FAILED)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, saved == ENOMEM ? CXR_ERROR_LIMIT : CXR_ERROR_IO,
                   "could not map the request's memory file: %s", g_strerror (saved));
      return NULL;
    }
  Mapping *m = g_new (Mapping, 1);
  m->address = address;
  m->length = length;
  return g_bytes_new_with_free_func (address, length, mapping_free, m);
}

void *
cxr_dicom_memfd_map_writable (int fd, gsize length)
{
  struct stat st;
  if (length == 0 || fstat (fd, &st) != 0)
    return NULL;
  if ((guint64) st.st_size < length && ftruncate (fd, (off_t) length) != 0)
    return NULL;
  void *address = mmap (NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  return address == MAP_FAILED ? NULL : address;
}

gboolean
cxr_dicom_memfd_read_exact (int fd, void *into, gsize length)
{
  struct stat st;
  if (fstat (fd, &st) != 0 || st.st_size < 0 || (guint64) st.st_size != length)
    return FALSE;
  guint8 *p = into;
  gsize done = 0;
  while (done < length)
    {
      ssize_t n = pread (fd, p + done, length - done, (off_t) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}
