/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-atomic-file.c: temporary file, fsync, read-back, backup, rename, folder fsync (see cxr-atomic-file.h). */
#include "cxr-atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxr-error.h"

#define BUFFER_SIZE (1 << 20)
#define TMP_MARKER ".cxrtmp-"
/* Room for the marker, a pid and the random suffix within NAME_MAX (255). */
#define MAX_BASE_IN_TMP_NAME 200

struct _CxrAtomicFile {
  char *path;       /* the destination, symbolic links followed */
  char *tmp_path;   /* the temporary file beside it */
  int fd;           /* -1 once closed */
  int mode;         /* the replaced file's permissions; -1 for a new file */
  CxrAtomicOptions options;
  char *backup_path;
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

gboolean
cxr_write_all (int fd, const void *data, gsize length, const char *path, GError **error)
{
  const guint8 *p = data;
  while (length > 0)
    {
      ssize_t n = write (fd, p, MIN (length, (gsize) G_MAXSSIZE));
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_io_error (error, errno, "write", path);
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

gboolean
cxr_atomic_file_sync_dir (const char *dir, CxrCrashHooks *hooks, GError **error)
{
  if (!cxr_crash_hooks_sync_enabled (hooks))
    return TRUE;
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    return set_io_error (error, errno, "open the folder", dir);
  /* Some file systems (and some FUSE mounts) refuse fsync on folders; the rename is still atomic there. */
  if (fsync (fd) != 0 && errno != EINVAL && errno != ENOTSUP && errno != EROFS)
    {
      int saved_errno = errno;
      close (fd);
      return set_io_error (error, saved_errno, "sync the folder", dir);
    }
  close (fd);
  cxr_crash_hooks_step (hooks);
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

/* dir/.<base>.cxrtmp-<pid>- with the base cut so that the name fits NAME_MAX; the caller appends the suffix. */
static char *
tmp_prefix (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  if (strlen (base) > MAX_BASE_IN_TMP_NAME)
    base[MAX_BASE_IN_TMP_NAME] = '\0';
  return g_strdup_printf ("%s/.%s" TMP_MARKER "%d-", dir, base, (int) getpid ());
}

CxrAtomicFile *
cxr_atomic_file_new_full (const char *path, const CxrAtomicOptions *options, GError **error)
{
  g_autofree char *target = follow_links (path);
  struct stat st;
  int mode = -1;
  if (g_stat (target, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not replace %s: it is not a regular file", target);
          return NULL;
        }
      mode = (int) (st.st_mode & 07777);
    }

  g_autofree char *prefix = tmp_prefix (target);
  g_autofree char *tmpl = g_strconcat (prefix, "XXXXXX", NULL);
  /* 0666 so that the umask decides, as for any file the user creates. */
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_io_error (error, errno, "create a temporary file for", target);
      return NULL;
    }
  if (mode >= 0 && fchmod (fd, (mode_t) mode) != 0)
    {
      set_io_error (error, errno, "set the permissions of", tmpl);
      close (fd);
      g_unlink (tmpl);
      return NULL;
    }

  CxrAtomicFile *file = g_new0 (CxrAtomicFile, 1);
  file->path = g_steal_pointer (&target);
  file->tmp_path = g_steal_pointer (&tmpl);
  file->fd = fd;
  file->mode = mode;
  if (options != NULL)
    {
      file->options = *options;
      file->backup_path = g_strdup (options->backup_path);
      file->options.backup_path = file->backup_path;
    }
  file->buffer = g_malloc (BUFFER_SIZE);
  return file;
}

CxrAtomicFile *
cxr_atomic_file_new (const char *path, GError **error)
{
  return cxr_atomic_file_new_full (path, NULL, error);
}

static gboolean
flush_buffer (CxrAtomicFile *file, GError **error)
{
  gsize n = file->buffered;
  file->buffered = 0;
  if (n == 0)
    return TRUE;
  if (!cxr_write_all (file->fd, file->buffer, n, file->path, error))
    return FALSE;
  cxr_crash_hooks_step (file->options.hooks);
  return TRUE;
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
    {
      if (!cxr_write_all (file->fd, data, length, file->path, error))
        return FALSE;
      cxr_crash_hooks_step (file->options.hooks);
      return TRUE;
    }
  memcpy (file->buffer, data, length);
  file->buffered = length;
  return TRUE;
}

guint64
cxr_atomic_file_offset (const CxrAtomicFile *file)
{
  return file->offset;
}

const char *
cxr_atomic_file_get_path (const CxrAtomicFile *file)
{
  return file->path;
}

static gboolean
verify (CxrAtomicFile *file, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GMappedFile) mapped = g_mapped_file_new_from_fd (file->fd, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not read back %s: %s", file->tmp_path, local_error->message);
      return FALSE;
    }
  g_autoptr (GBytes) contents = g_mapped_file_get_bytes (mapped);
  if (!file->options.verify (contents, file->path, file->options.verify_data, &local_error))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "refusing to save %s: what would be written does not read "
                   "back: %s", file->path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Keeps the current version of the destination at the backup path: a new hard link renamed over the old
 * backup, so that the backup too is always whole. */
static gboolean
keep_backup (CxrAtomicFile *file, GError **error)
{
  const char *backup = file->backup_path;
  CxrCrashHooks *hooks = file->options.hooks;
  g_autofree char *prefix = tmp_prefix (backup);
  g_autofree char *link_name = NULL;
  for (int attempt = 0; attempt < 100; attempt++)
    {
      g_free (link_name);
      link_name = g_strdup_printf ("%s%06x", prefix, g_random_int () & 0xffffff);
      if (link (file->path, link_name) == 0)
        break;
      int saved_errno = errno;
      g_clear_pointer (&link_name, g_free);
      if (saved_errno == EEXIST)
        continue;
      if (saved_errno == EPERM || saved_errno == ENOTSUP || saved_errno == EXDEV || saved_errno == EMLINK
          || saved_errno == ENOSYS)
        break;  /* no hard links here: copy below */
      return set_io_error (error, saved_errno, "link a backup of", file->path);
    }
  cxr_crash_hooks_step (hooks);

  if (link_name == NULL)
    {
      g_autoptr (GMappedFile) old = g_mapped_file_new (file->path, FALSE, NULL);
      if (old == NULL)
        return set_io_error (error, errno, "read", file->path);
      CxrAtomicOptions copy_options = { .hooks = hooks };
      g_autoptr (CxrAtomicFile) copy = cxr_atomic_file_new_full (backup, &copy_options, error);
      return copy != NULL
             && cxr_atomic_file_write (copy, g_mapped_file_get_contents (old), g_mapped_file_get_length (old), error)
             && cxr_atomic_file_commit (copy, error);
    }
  if (g_rename (link_name, backup) != 0)
    {
      int saved_errno = errno;
      g_unlink (link_name);
      return set_io_error (error, saved_errno, "rename the backup to", backup);
    }
  cxr_crash_hooks_step (hooks);
  return TRUE;
}

gboolean
cxr_atomic_file_commit (CxrAtomicFile *file, GError **error)
{
  g_return_val_if_fail (file->fd >= 0 && !file->committed, FALSE);
  CxrCrashHooks *hooks = file->options.hooks;

  if (!flush_buffer (file, error))
    return FALSE;
  if (cxr_crash_hooks_sync_enabled (hooks) && fsync (file->fd) != 0)
    return set_io_error (error, errno, "sync", file->path);
  cxr_crash_hooks_step (hooks);
  if (file->options.verify != NULL && !verify (file, error))
    return FALSE;
  int fd = file->fd;
  file->fd = -1;
  if (close (fd) != 0)
    return set_io_error (error, errno, "close", file->path);

  struct stat st;
  if (file->backup_path != NULL && g_stat (file->path, &st) == 0 && !keep_backup (file, error))
    return FALSE;
  if (g_rename (file->tmp_path, file->path) != 0)
    return set_io_error (error, errno, "replace", file->path);
  file->committed = TRUE;
  cxr_crash_hooks_step (hooks);

  /* The new version is in place from here on: reporting a failure now would make the caller believe the old
   * one still is. A folder that cannot be synced only weakens durability against a power cut. */
  g_autofree char *dir = g_path_get_dirname (file->path);
  g_autoptr (GError) sync_error = NULL;
  if (!cxr_atomic_file_sync_dir (dir, hooks, &sync_error))
    g_warning ("%s was saved, but: %s", file->path, sync_error->message);
  return TRUE;
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
  g_free (file->backup_path);
  g_free (file->path);
  g_free (file);
}

gboolean
cxr_atomic_file_set_contents_full (const char *path, const void *data, gsize length, const CxrAtomicOptions *options,
                                   GError **error)
{
  g_autoptr (CxrAtomicFile) file = cxr_atomic_file_new_full (path, options, error);
  if (file == NULL)
    return FALSE;
  /* Two writes, so that the kill tests also see a half-written temporary file. */
  gsize half = options != NULL && options->hooks != NULL ? length / 2 : 0;
  if (half > 0 && (!cxr_atomic_file_write (file, data, half, error) || !flush_buffer (file, error)))
    return FALSE;
  return cxr_atomic_file_write (file, (const guint8 *) data + half, length - half, error)
         && cxr_atomic_file_commit (file, error);
}

gboolean
cxr_atomic_file_set_contents (const char *path, const void *data, gsize length, GError **error)
{
  return cxr_atomic_file_set_contents_full (path, data, length, NULL, error);
}

/* The writer's process id in a name of our pattern (.<name>.cxrtmp-<pid>-XXXXXX), or 0. */
static int
tmp_name_pid (const char *name)
{
  if (name[0] != '.')
    return 0;
  const char *marker = g_strrstr (name, TMP_MARKER);
  if (marker == NULL || marker == name)
    return 0;
  const char *p = marker + strlen (TMP_MARKER);
  char *end;
  guint64 pid = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != '-' || pid == 0 || pid > G_MAXINT || strlen (end + 1) != 6)
    return 0;
  for (const char *s = end + 1; *s; s++)
    if (!g_ascii_isalnum (*s))
      return 0;
  return (int) pid;
}

guint
cxr_atomic_file_sweep (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL)
    return 0;
  guint removed = 0;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      int pid = tmp_name_pid (name);
      /* A process that still runs (or that we may not signal) may still be writing it. */
      if (pid == 0 || pid == (int) getpid () || kill (pid, 0) == 0 || errno != ESRCH)
        continue;
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      struct stat st;
      if (lstat (path, &st) == 0 && S_ISREG (st.st_mode) && g_unlink (path) == 0)
        removed++;
    }
  return removed;
}
