#include "cxr-atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cxr-error.h"

#define BUFFER_SIZE (1 << 20)

struct _CxrAtomicFile {
  char *path;       /* the destination */
  char *tmp_path;   /* the temporary file beside it */
  int fd;           /* -1 once closed */
  guint8 *buffer;
  gsize buffered;
  guint64 offset;
  gboolean committed;
};

static gboolean
set_io_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not %s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

CxrAtomicFile *
cxr_atomic_file_new (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);

  /* 0666 so that the umask decides, as for any file the user creates. */
  int fd = g_mkstemp_full (tmpl, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_io_error (error, errno, "create a temporary file for", path);
      return NULL;
    }

  CxrAtomicFile *file = g_new0 (CxrAtomicFile, 1);
  file->path = g_strdup (path);
  file->tmp_path = g_steal_pointer (&tmpl);
  file->fd = fd;
  file->buffer = g_malloc (BUFFER_SIZE);
  return file;
}

static gboolean
write_all (CxrAtomicFile *file, const guint8 *data, gsize length, GError **error)
{
  while (length > 0)
    {
      ssize_t n = write (file->fd, data, MIN (length, (gsize) G_MAXSSIZE));
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_io_error (error, errno, "write", file->path);
        }
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
flush_buffer (CxrAtomicFile *file, GError **error)
{
  gsize n = file->buffered;
  file->buffered = 0;
  return write_all (file, file->buffer, n, error);
}

gboolean
cxr_atomic_file_write (CxrAtomicFile *file, const void *data, gsize length, GError **error)
{
  g_return_val_if_fail (file->fd >= 0 && !file->committed, FALSE);

  file->offset += length;
  if (file->buffered + length <= BUFFER_SIZE)
    {
      memcpy (file->buffer + file->buffered, data, length);
      file->buffered += length;
      return TRUE;
    }
  if (!flush_buffer (file, error))
    return FALSE;
  if (length >= BUFFER_SIZE)
    return write_all (file, data, length, error);
  memcpy (file->buffer, data, length);
  file->buffered = length;
  return TRUE;
}

guint64
cxr_atomic_file_offset (const CxrAtomicFile *file)
{
  return file->offset;
}

static gboolean
fsync_folder (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return set_io_error (error, errno, "open the folder of", path);
  int rc = fsync (fd);
  int saved_errno = errno;
  close (fd);
  /* Some file systems cannot fsync a folder; the rename has still happened. */
  if (rc != 0 && saved_errno != EINVAL && saved_errno != EROFS)
    return set_io_error (error, saved_errno, "sync the folder of", path);
  return TRUE;
}

gboolean
cxr_atomic_file_commit (CxrAtomicFile *file, GError **error)
{
  g_return_val_if_fail (file->fd >= 0 && !file->committed, FALSE);

  if (!flush_buffer (file, error))
    return FALSE;
  if (fsync (file->fd) != 0)
    return set_io_error (error, errno, "sync", file->path);
  int fd = file->fd;
  file->fd = -1;
  if (close (fd) != 0)
    return set_io_error (error, errno, "close", file->path);
  if (g_rename (file->tmp_path, file->path) != 0)
    return set_io_error (error, errno, "replace", file->path);
  file->committed = TRUE;
  return fsync_folder (file->path, error);
}

void
cxr_atomic_file_free (CxrAtomicFile *file)
{
  if (file == NULL)
    return;
  if (file->fd >= 0)
    close (file->fd);
  if (!file->committed)
    g_unlink (file->tmp_path);
  g_free (file->buffer);
  g_free (file->tmp_path);
  g_free (file->path);
  g_free (file);
}

gboolean
cxr_atomic_file_set_contents (const char *path, const void *data, gsize length, GError **error)
{
  g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new (path, error);
  return file != NULL
         && cxr_atomic_file_write (file, data, length, error)
         && cxr_atomic_file_commit (file, error);
}
