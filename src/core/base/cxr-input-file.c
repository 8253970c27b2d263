/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-input-file.c: regular files only, bounded (see cxr-input-file.h). */
#include "cxr-input-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxr-error.h"
#include "cxr-limits.h"

static const char *
describe_type (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a file";
}

int
cxr_input_file_open (const char *path, guint64 *size, GError **error)
{
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer that never comes. */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not open %s: %s", path, g_strerror (saved_errno));
      return -1;
    }
  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;
      close (fd);
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not stat %s: %s", path, g_strerror (saved_errno));
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s is not a regular file (it is %s)", path,
                   describe_type (st.st_mode));
      return -1;
    }
  int flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  *size = (guint64) st.st_size;
  return fd;
}

static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

gboolean
cxr_input_file_read_head (const char *path, guint8 *head, gsize size, gsize *length, guint64 *file_size,
                          GError **error)
{
  guint64 size_on_disk;
  int fd = cxr_input_file_open (path, &size_on_disk, error);
  if (fd < 0)
    return FALSE;
  gsize n = 0;
  while (n < size)
    {
      ssize_t got = read (fd, head + n, size - n);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved_errno = errno;
          close (fd);
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not read %s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
      if (got == 0)
        break;
      n += (gsize) got;
    }
  close (fd);
  *length = n;
  if (file_size != NULL)
    *file_size = size_on_disk;
  return TRUE;
}

gboolean
cxr_input_file_read (const char *path, guint64 max_size, char **contents, gsize *length, CxrFileIdentity *identity,
                     GError **error)
{
  guint64 size;
  int fd = cxr_input_file_open (path, &size, error);
  if (fd < 0)
    return FALSE;
  if (max_size == 0)
    max_size = CXR_LIMIT_FILE_BYTES;
  if (size > max_size || !cxr_limits_check_file_size (size, path, error))
    {
      if (error == NULL || *error == NULL)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s is %" G_GUINT64_FORMAT " bytes, more than the %"
                       G_GUINT64_FORMAT " this kind of file may have (a file size limit)", path, size, max_size);
        }
      close (fd);
      return FALSE;
    }

  /* Read to the end rather than trusting st_size: the file may be growing. */
  gsize capacity = (gsize) size + 1, used = 0;
  g_autofree char *buf = g_malloc (capacity + 1);
  for (;;)
    {
      if (used == capacity)
        {
          if (capacity > max_size)
            {
              g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s grew past %" G_GUINT64_FORMAT " bytes while being "
                           "read", path, max_size);
              close (fd);
              return FALSE;
            }
          capacity *= 2;
          buf = g_realloc (buf, capacity + 1);
        }
      ssize_t n = read (fd, buf + used, capacity - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          close (fd);
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not read %s: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  struct stat st;
  gboolean have_stat = fstat (fd, &st) == 0;
  close (fd);
  buf[used] = '\0';

  if (identity != NULL)
    {
      identity->exists = TRUE;
      identity->size = (gint64) used;
      identity->mtime_ns = have_stat ? mtime_ns (&st) : 0;
      cxr_file_sha256 (buf, used, identity->sha256);
    }
  *length = used;
  *contents = g_steal_pointer (&buf);
  return TRUE;
}

GBytes *
cxr_input_file_map (const char *path, GError **error)
{
  guint64 size;
  int fd = cxr_input_file_open (path, &size, error);
  if (fd < 0)
    return NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GMappedFile) mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not read %s: %s", path, local_error->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (mapped);
}

void
cxr_file_sha256 (const void *data, gsize length, char sha256[65])
{
  g_autofree char *hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
  g_strlcpy (sha256, hex, 65);
}

gboolean
cxr_file_identify (const char *path, CxrFileIdentity *identity, GError **error)
{
  memset (identity, 0, sizeof *identity);
  struct stat st;
  if (g_stat (path, &st) != 0 && errno == ENOENT)
    return TRUE;
  g_autofree char *contents = NULL;
  gsize length;
  return cxr_input_file_read (path, G_MAXUINT64, &contents, &length, identity, error);
}

gboolean
cxr_file_identity_same_content (const CxrFileIdentity *a, const CxrFileIdentity *b)
{
  if (a->exists != b->exists)
    return FALSE;
  if (!a->exists)
    return TRUE;
  return a->size == b->size && strcmp (a->sha256, b->sha256) == 0;
}
