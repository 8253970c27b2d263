#include "cxr-bbox-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxr-error.h"

static void
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s %s: %s", what, path, g_strerror (saved_errno));
}

void
cxr_bbox_file_sha256 (const void *data, gsize length, char sha256[65])
{
  g_autofree char *hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
  g_strlcpy (sha256, hex, 65);
}

static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

gboolean
cxr_bbox_file_read (const char *path, gsize max_size, char **contents, gsize *length,
                    CxrBBoxFileIdentity *identity, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "could not open", path);
      return FALSE;
    }
  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "could not stat", path);
      close (fd);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s is not a regular file", path);
      close (fd);
      return FALSE;
    }
  if ((guint64) st.st_size > max_size)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s is %" G_GINT64_FORMAT " bytes, more than the %"
                   G_GSIZE_FORMAT " this file type may have", path, (gint64) st.st_size, max_size);
      close (fd);
      return FALSE;
    }

  /* Read to the end rather than trusting st_size: the file may be growing. */
  gsize capacity = (gsize) st.st_size + 1, used = 0;
  g_autofree char *buf = g_malloc (capacity + 1);
  for (;;)
    {
      if (used == capacity)
        {
          if (capacity > max_size)
            {
              g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s grew past %" G_GSIZE_FORMAT " bytes while "
                           "being read", path, max_size);
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
          set_errno_error (error, errno, "could not read", path);
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  close (fd);
  buf[used] = '\0';

  identity->exists = TRUE;
  identity->size = (gint64) used;
  identity->mtime_ns = mtime_ns (&st);
  cxr_bbox_file_sha256 (buf, used, identity->sha256);
  *length = used;
  *contents = g_steal_pointer (&buf);
  return TRUE;
}

gboolean
cxr_bbox_file_identify (const char *path, CxrBBoxFileIdentity *identity, GError **error)
{
  memset (identity, 0, sizeof *identity);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autofree char *contents = NULL;
  gsize length;
  return cxr_bbox_file_read (path, G_MAXSIZE / 2, &contents, &length, identity, error);
}

gboolean
cxr_bbox_file_identity_same_content (const CxrBBoxFileIdentity *a, const CxrBBoxFileIdentity *b)
{
  if (a->exists != b->exists)
    return FALSE;
  if (!a->exists)
    return TRUE;
  return a->size == b->size && strcmp (a->sha256, b->sha256) == 0;
}

gboolean
cxr_bbox_file_write_all (int fd, const void *data, gsize length, const char *path, GError **error)
{
  const char *p = data;
  while (length > 0)
    {
      ssize_t n = write (fd, p, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, "could not write", path);
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

gboolean
cxr_bbox_file_sync_dir (const char *dir, CxrBBoxHooks *hooks, GError **error)
{
  if (!cxr_bbox_hooks_sync_enabled (hooks))
    return TRUE;
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "could not open folder", dir);
      return FALSE;
    }
  /* Some file systems (and some FUSE mounts) refuse fsync on folders; the rename is still atomic there. */
  if (fsync (fd) != 0 && errno != EINVAL && errno != ENOTSUP)
    {
      set_errno_error (error, errno, "could not sync folder", dir);
      close (fd);
      return FALSE;
    }
  close (fd);
  cxr_bbox_hooks_step (hooks);
  return TRUE;
}

/* Writes data to a new temporary file beside path; returns its name. */
static char *
write_temporary (const char *path, const void *data, gsize length, int mode, CxrBBoxHooks *hooks, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_errno_error (error, errno, "could not create a temporary file in", dir);
      return NULL;
    }
  if (mode >= 0 && fchmod (fd, (mode_t) mode) != 0)
    {
      set_errno_error (error, errno, "could not set permissions of", tmpl);
      goto fail;
    }
  /* Two writes with a crash point between, so that the kill test also sees a half-written temporary file. */
  gsize half = length / 2;
  if (!cxr_bbox_file_write_all (fd, data, half, tmpl, error))
    goto fail;
  cxr_bbox_hooks_step (hooks);
  if (!cxr_bbox_file_write_all (fd, (const char *) data + half, length - half, tmpl, error))
    goto fail;
  cxr_bbox_hooks_step (hooks);
  if (cxr_bbox_hooks_sync_enabled (hooks) && fsync (fd) != 0)
    {
      set_errno_error (error, errno, "could not sync", tmpl);
      goto fail;
    }
  cxr_bbox_hooks_step (hooks);
  if (close (fd) != 0)
    {
      fd = -1;
      set_errno_error (error, errno, "could not close", tmpl);
      goto fail;
    }
  return g_steal_pointer (&tmpl);

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmpl);
  return NULL;
}

/* Keeps the current version of path at backup_path: a new hard link renamed over the old backup, so that the
 * backup too is always whole. */
static gboolean
keep_backup (const char *path, const char *backup_path, CxrBBoxHooks *hooks, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (backup_path);
  g_autofree char *base = g_path_get_basename (backup_path);
  g_autofree char *link_name = NULL;
  for (int attempt = 0; attempt < 100; attempt++)
    {
      g_free (link_name);
      link_name = g_strdup_printf ("%s/.%s.%08x", dir, base, g_random_int ());
      if (link (path, link_name) == 0)
        break;
      int saved_errno = errno;
      g_clear_pointer (&link_name, g_free);
      if (saved_errno == EEXIST)
        continue;
      if (saved_errno == EPERM || saved_errno == ENOTSUP || saved_errno == EXDEV || saved_errno == EMLINK
          || saved_errno == ENOSYS)
        break;  /* no hard links here: copy below */
      set_errno_error (error, saved_errno, "could not link a backup of", path);
      return FALSE;
    }
  cxr_bbox_hooks_step (hooks);

  if (link_name == NULL)
    {
      g_autofree char *old = NULL;
      gsize old_length;
      CxrBBoxFileIdentity ignored;
      if (!cxr_bbox_file_read (path, G_MAXSIZE / 2, &old, &old_length, &ignored, error))
        return FALSE;
      link_name = write_temporary (backup_path, old, old_length, -1, hooks, error);
      if (link_name == NULL)
        return FALSE;
    }
  if (g_rename (link_name, backup_path) != 0)
    {
      set_errno_error (error, errno, "could not rename the backup to", backup_path);
      g_unlink (link_name);
      return FALSE;
    }
  cxr_bbox_hooks_step (hooks);
  return TRUE;
}

/* A symbolic link stays a link: the file it points to is the one replaced. */
static char *
follow_links (const char *path)
{
  struct stat st;
  if (lstat (path, &st) != 0 || !S_ISLNK (st.st_mode))
    return g_strdup (path);
  char *target = realpath (path, NULL);
  if (target == NULL)
    return g_strdup (path);   /* a dangling link: replace the link itself */
  char *result = g_strdup (target);
  free (target);
  return result;
}

gboolean
cxr_bbox_file_replace (const char *link_path, const void *data, gsize length, const char *backup_path,
                       CxrBBoxHooks *hooks, GError **error)
{
  g_autofree char *path = follow_links (link_path);
  struct stat st;
  gboolean exists = g_stat (path, &st) == 0;
  if (exists && !S_ISREG (st.st_mode))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s is not a regular file", path);
      return FALSE;
    }
  g_autofree char *tmp = write_temporary (path, data, length, exists ? (int) (st.st_mode & 07777) : -1,
                                          hooks, error);
  if (tmp == NULL)
    return FALSE;

  if (exists && backup_path != NULL && !keep_backup (path, backup_path, hooks, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      set_errno_error (error, errno, "could not rename the new version over", path);
      g_unlink (tmp);
      return FALSE;
    }
  cxr_bbox_hooks_step (hooks);

  /* The new version is in place from here on: reporting a failure now would make the caller believe the old
   * one still is. A folder that cannot be synced only weakens durability against a power cut. */
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) sync_error = NULL;
  if (!cxr_bbox_file_sync_dir (dir, hooks, &sync_error))
    g_warning ("%s was saved, but: %s", path, sync_error->message);
  return TRUE;
}
