/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-process.c: cxr_dicom_read_from_bytes() runs GDCM in a decoder process (cxr-dicom-decoder.h says
 * why), with a time and a memory limit, and turns its death into a GError.
 *
 * A decoder is started with posix_spawn (never fork: cxrcam has threads) with an empty signal mask and default
 * signal actions, its stdin a socket (so that writing to a decoder that died is EPIPE, not a SIGPIPE that would
 * end cxrcam: send() takes MSG_NOSIGNAL), its stdout and stderr pipes, and two memory files of its own for the
 * request's data and the image's values (cxr-dicom-memfd.h). The data is put in its file, then one poll loop
 * sends the request and collects the reply (its length is in its first bytes) and stderr until the reply is
 * whole, the decoder ends, or the wall-clock limit passes; a decoder that failed is killed and reaped with
 * waitpid on its own pid (GLib's child watches reap only the pids they watch). The reply is parsed (the values
 * read from their file) while the decoder is still ours. Its files keep their pages for the next image when they
 * are below WARM_FILE_MAX (a chest film's 45 MB), so that a kept decoder holds at most twice that between
 * images; the decoder gives its own heap back after a second without requests.
 *
 * Decoders are kept for the next image: starting one costs about as much as GDCM's dictionaries take to build
 * (72 ms of CPU per start measured on this machine under load, against 4 ms to decode a 1024 x 1024 16-bit
 * image), and a folder of 200 files would pay it 200 times. The idle ones wait in one process-wide list (the
 * only state kept between calls here: a cache, never needed for a result); each serves MAX_USES images, then it
 * ends, so that what GDCM leaks on damaged files stays bounded. An idle decoder ends by itself when cxrcam does
 * (its stdin closes). A kept decoder that dies is asked again once with a fresh one: its own death (it may have
 * been killed while idle) must not be blamed on the file. */
#define _GNU_SOURCE  /* pipe2 */
#include "config.h"

#include "cxr-dicom-decoder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cxr-dicom-framing.h"
#include "cxr-dicom-memfd.h"
#include "cxr-error.h"
#include "cxr-input-file.h"
#include "cxr-limits.h"
#include "cxr-paths.h"

extern char **environ;

/* What the decoder may print to stderr that is kept: enough for an assertion message or a sanitizer's summary. */
#define STDERR_KEEP 4096
/* Images one decoder serves before it ends, and decoders kept idle at most. */
#define MAX_USES 256
#define MAX_IDLE 4
/* Bytes a kept decoder's memory file may keep between images: a 2500 x 3000 film's 15 MB and 30 MB of values. */
#define WARM_FILE_MAX ((off_t) 48 << 20)

char *
cxr_dicom_decoder_path (void)
{
  const char *override = g_getenv ("CXR_DICOM_DECODER");
  if (override != NULL && *override != '\0')
    return g_strdup (override);
  if (cxr_paths_is_uninstalled ())
    return g_build_filename (CXR_BUILD_ROOT, "src", "dicom-decoder", CXR_DICOM_DECODER_NAME, NULL);
  return g_build_filename (CXR_LIBEXECDIR, CXR_DICOM_DECODER_NAME, NULL);
}

guint
cxr_dicom_decoder_seconds (void)
{
  const char *text = g_getenv ("CXR_DICOM_DECODE_SECONDS");
  guint64 seconds = 0;
  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, CXR_LIMIT_DECODE_SECONDS, &seconds, NULL))
    return (guint) seconds;
  return CXR_LIMIT_DECODE_SECONDS;
}

guint64
cxr_dicom_decoder_memory (void)
{
  /* cxr_limits_memory() is half of what a process may use: the decoder may use all of it, and then grants any
   * single claim the same half as this process does. */
  guint64 half = cxr_limits_memory ();
  return half > G_MAXUINT64 / 2 ? G_MAXUINT64 : 2 * half;
}

static const char *
signal_description (int sig)
{
  switch (sig)
    {
    case SIGABRT: return "abort";
    case SIGSEGV: return "segmentation fault";
    case SIGBUS: return "bus error";
    case SIGFPE: return "arithmetic exception";
    case SIGILL: return "illegal instruction";
    case SIGKILL: return "killed";
    case SIGXCPU: return "over its CPU time limit";
    default: return "signal";
    }
}

/* What the decoder said last on stderr: a sanitizer's SUMMARY line when there is one (AddressSanitizer ends with
 * "==pid==ABORTING"), else its last non-empty line (an assertion's message), shortened. */
static char *
last_line (const GByteArray *err)
{
  g_autofree char *copy = g_strndup ((const char *) err->data, err->len);
  g_strchomp (copy);
  const char *summary = strstr (copy, "\nSUMMARY: ");
  const char *line;
  if (summary != NULL)
    {
      line = summary + 1;
      char *end = strchr (line, '\n');
      if (end != NULL)
        *end = '\0';
    }
  else
    {
      line = strrchr (copy, '\n');
      line = line != NULL ? line + 1 : copy;
    }
  if (*line == '\0')
    return NULL;
  g_autofree char *valid = g_utf8_make_valid (line, -1);
  if (g_utf8_strlen (valid, -1) > 300)
    *g_utf8_offset_to_pointer (valid, 300) = '\0';
  return g_steal_pointer (&valid);
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

typedef struct {
  char *program;
  pid_t pid;
  int in;    /* our end of its stdin (a socket) */
  int out;   /* its stdout */
  int err;   /* its stderr */
  int request_data;  /* memory files: the request's data, the image's values */
  int values;
  guint uses;
} Decoder;

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Closes a decoder's pipes (so that it ends, if it still runs), kills it if asked, and reaps it; its wait
 * status. */
static int
decoder_stop (Decoder *d, gboolean kill_it)
{
  close_fd (&d->in);
  close_fd (&d->out);
  close_fd (&d->err);
  close_fd (&d->request_data);
  close_fd (&d->values);
  int status = 0;
  if (d->pid > 0)
    {
      if (kill_it)
        kill (d->pid, SIGKILL);
      while (waitpid (d->pid, &status, 0) < 0 && errno == EINTR)
        ;
    }
  d->pid = -1;
  return status;
}

static void
decoder_end (Decoder *d, gboolean kill_it)
{
  decoder_stop (d, kill_it);
  g_free (d->program);
  g_free (d);
}

static GMutex idle_lock;
static GPtrArray *idle;  /* of Decoder *, guarded by idle_lock */

/* A kept decoder of @program that is still alive, or NULL. */
static Decoder *
take_idle (const char *program)
{
  g_mutex_lock (&idle_lock);
  Decoder *found = NULL;
  for (guint i = 0; idle != NULL && i < idle->len && found == NULL; i++)
    {
      Decoder *d = g_ptr_array_index (idle, i);
      if (strcmp (d->program, program) == 0)
        found = g_ptr_array_steal_index (idle, i);
    }
  g_mutex_unlock (&idle_lock);
  int status;
  if (found != NULL && waitpid (found->pid, &status, WNOHANG) != 0)
    {
      found->pid = -1;  /* ended while idle (and now reaped) */
      decoder_end (found, FALSE);
      return NULL;
    }
  return found;
}

static void
keep_idle (Decoder *d)
{
  g_mutex_lock (&idle_lock);
  if (idle == NULL)
    idle = g_ptr_array_new ();
  gboolean kept = d->uses < MAX_USES && idle->len < MAX_IDLE;
  if (kept)
    g_ptr_array_add (idle, d);
  g_mutex_unlock (&idle_lock);
  if (!kept)
    decoder_end (d, FALSE);  /* its stdin closes, it ends */
}

static Decoder *
spawn_decoder (const char *program, const char *name, GError **error)
{
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
  int request_data = -1, values = -1;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 || pipe2 (out, O_CLOEXEC) != 0
      || pipe2 (err, O_CLOEXEC) != 0 || (request_data = cxr_dicom_memfd_new ("cxrcam-dicom-request")) < 0
      || (values = cxr_dicom_memfd_new ("cxrcam-dicom-values")) < 0)
    {
      int saved = errno;
      for (int i = 0; i < 2; i++)
        {
          close_fd (&in[i]);
          close_fd (&out[i]);
          close_fd (&err[i]);
        }
      close_fd (&request_data);
      close_fd (&values);
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s: could not start the DICOM decoder: %s", name,
                   g_strerror (saved));
      return NULL;
    }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, in[1], 0);
  posix_spawn_file_actions_adddup2 (&actions, out[1], 1);
  posix_spawn_file_actions_adddup2 (&actions, err[1], 2);
  posix_spawn_file_actions_adddup2 (&actions, request_data, CXR_DICOM_DECODER_REQUEST_FD);
  posix_spawn_file_actions_adddup2 (&actions, values, CXR_DICOM_DECODER_VALUES_FD);
  posix_spawnattr_t attr;
  posix_spawnattr_init (&attr);
  sigset_t none, all;
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &all);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  char seconds[32], memory[32];
  g_snprintf (seconds, sizeof seconds, "%u", cxr_dicom_decoder_seconds ());
  g_snprintf (memory, sizeof memory, "%" G_GUINT64_FORMAT, cxr_dicom_decoder_memory ());
  char *argv[] = { (char *) program, (char *) "--cpu-seconds", seconds, (char *) "--memory-bytes", memory, NULL };
  pid_t pid = -1;
  int status = posix_spawn (&pid, program, &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
  close_fd (&in[1]);
  close_fd (&out[1]);
  close_fd (&err[1]);
  if (status != 0)
    {
      close_fd (&in[0]);
      close_fd (&out[0]);
      close_fd (&err[0]);
      close_fd (&request_data);
      close_fd (&values);
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s: could not start the DICOM decoder %s: %s", name, program,
                   g_strerror (status));
      return NULL;
    }
  Decoder *d = g_new0 (Decoder, 1);
  d->program = g_strdup (program);
  d->pid = pid;
  d->in = in[0];
  d->out = out[0];
  d->err = err[0];
  d->request_data = request_data;
  d->values = values;
  fcntl (d->in, F_SETFL, fcntl (d->in, F_GETFL) | O_NONBLOCK);
  fcntl (d->out, F_SETFL, fcntl (d->out, F_GETFL) | O_NONBLOCK);
  fcntl (d->err, F_SETFL, fcntl (d->err, F_GETFL) | O_NONBLOCK);
  return d;
}

/* Sends the request from *offset on; FALSE when the decoder stopped reading (it died or refused: its status
 * tells). */
static gboolean
send_some (int fd, const guint8 *request, gsize length, gsize *offset)
{
  while (*offset < length)
    {
      ssize_t n = send (fd, request + *offset, length - *offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        return FALSE;
      *offset += (gsize) n;
    }
  return TRUE;
}

/* The decoder's stderr: reads what is there, keeps the first @keep bytes; FALSE at end of file. */
static gboolean
receive_some (int fd, GByteArray *into, gsize keep)
{
  guint8 block[16384];
  for (;;)
    {
      ssize_t n = read (fd, block, sizeof block);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        return FALSE;
      if (into->len + (gsize) n <= keep)
        g_byte_array_append (into, block, (guint) n);
    }
}

/* The reply: read straight into its buffer (sized once its length is known) up to @want bytes; FALSE at end of
 * file. */
static gboolean
receive_reply (int fd, GByteArray *reply, gsize *filled, gsize want)
{
  if (reply->len < want)
    g_byte_array_set_size (reply, (guint) want);
  while (*filled < want)
    {
      ssize_t n = read (fd, reply->data + *filled, MIN (want - *filled, (gsize) 1 << 20));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        return FALSE;
      *filled += (gsize) n;
    }
  return TRUE;
}

typedef enum {
  RUN_REPLY,      /* the reply is whole: the decoder may serve again */
  RUN_FAILED,     /* the decoder ended, or sent too much: *status is its wait status */
  RUN_TIMED_OUT,
  RUN_TOO_LONG,
} RunResult;

/* Sends a request whose data is in the decoder's request file and reads the reply. */
static RunResult
run_request (Decoder *d, CxrDicomRequestKind kind, gsize length, const char *name, GByteArray *reply,
             GByteArray *err, guint seconds, int *status)
{
  g_autoptr (GBytes) request = cxr_dicom_wire_request (kind, name, length);
  gsize request_length = 0;
  const guint8 *request_bytes = g_bytes_get_data (request, &request_length);
  gsize offset = 0;
  /* The reply is far below 16 MiB without the values (strings and windows are bounded). */
  const guint64 reply_max = (guint64) 16 << 20;
  gsize want = CXR_DICOM_WIRE_REPLY_HEAD, filled = 0;
  gboolean sending = TRUE, out_open = TRUE, err_open = TRUE;
  gint64 deadline = now_ms () + 2 * (gint64) seconds * 1000;
  RunResult result = RUN_FAILED;

  for (;;)
    {
      if (filled >= CXR_DICOM_WIRE_REPLY_HEAD && want == CXR_DICOM_WIRE_REPLY_HEAD)
        {
          guint64 total = 0;
          if (!cxr_dicom_wire_reply_length (reply->data, &total))
            break;  /* not a reply: the decoder is ended below and the bytes parsed as they are */
          if (total > reply_max)
            {
              result = RUN_TOO_LONG;
              break;
            }
          want = (gsize) total;
        }
      if (filled == want && want > CXR_DICOM_WIRE_REPLY_HEAD)
        {
          result = RUN_REPLY;
          break;
        }
      if (!out_open && !err_open)
        break;  /* the decoder ended */
      if (sending && offset >= request_length)
        sending = FALSE;
      struct pollfd fds[3];
      int n = 0, in_at = -1, out_at = -1, err_at = -1;
      if (sending)
        fds[in_at = n++] = (struct pollfd) { d->in, POLLOUT, 0 };
      if (out_open)
        fds[out_at = n++] = (struct pollfd) { d->out, POLLIN, 0 };
      if (err_open)
        fds[err_at = n++] = (struct pollfd) { d->err, POLLIN, 0 };
      gint64 left = deadline - now_ms ();
      if (left <= 0)
        {
          result = RUN_TIMED_OUT;
          break;
        }
      int ready = poll (fds, (nfds_t) n, (int) MIN (left, 1000));
      if (ready < 0 && errno != EINTR)
        break;
      if (ready <= 0)
        continue;
      if (in_at >= 0 && fds[in_at].revents != 0 && !send_some (d->in, request_bytes, request_length, &offset))
        sending = FALSE;
      if (out_at >= 0 && fds[out_at].revents != 0 && !receive_reply (d->out, reply, &filled, want))
        out_open = FALSE;
      if (err_at >= 0 && fds[err_at].revents != 0 && !receive_some (d->err, err, STDERR_KEEP * 16))
        err_open = FALSE;
    }
  g_byte_array_set_size (reply, (guint) filled);
  if (result != RUN_REPLY)
    {
      /* A decoder that ended by itself is reaped as it is (its status says how); one that is still there after a
       * time limit, an answer too long or no answer at all is killed. */
      *status = decoder_stop (d, out_open || err_open);
    }
  return result;
}

/* After a request: the decoder's memory files keep their pages for the next image up to WARM_FILE_MAX (fresh
 * pages are what made the transfer slow: see cxr-dicom-memfd.h), larger ones are emptied. FALSE when they cannot
 * be. */
static gboolean
release_files (Decoder *d)
{
  int fds[2] = { d->request_data, d->values };
  for (int i = 0; i < 2; i++)
    {
      struct stat st;
      if (fstat (fds[i], &st) != 0 || (st.st_size > WARM_FILE_MAX && ftruncate (fds[i], 0) != 0))
        return FALSE;
    }
  return TRUE;
}

/* What turns a reply into a result: the image's, or the DICOMDIR's. @values_fd is the decoder's values file
 * (-1 once the decoder is gone). */
typedef gboolean (*ParseReply) (const guint8 *reply, gsize length, int values_fd, const char *name, gpointer out,
                                GError **error);

/* Sends one request to a decoder (a kept one, or a fresh one) and parses its reply with @parse into @out, or
 * gives the GError that says how the decoder failed. */
static gboolean
ask_decoder (CxrDicomRequestKind kind, const guint8 *data, gsize length, const char *name, ParseReply parse,
             gpointer out, GError **error)
{
  g_autofree char *program = cxr_dicom_decoder_path ();
  guint seconds = cxr_dicom_decoder_seconds ();
  g_autoptr (GByteArray) reply = g_byte_array_new ();
  g_autoptr (GByteArray) err = g_byte_array_new ();
  RunResult result = RUN_FAILED;
  int status = 0;
  Decoder *d = take_idle (program);
  for (int attempt = 0; attempt < 2; attempt++)
    {
      gboolean fresh = d == NULL;
      if (fresh && (d = spawn_decoder (program, name, error)) == NULL)
        return FALSE;
      g_autoptr (GError) set_error = NULL;
      if (!cxr_dicom_memfd_set (d->request_data, data, length, &set_error))
        {
          decoder_end (d, TRUE);
          g_set_error (error, CXR_ERROR, set_error->code, "%s: %s", name, set_error->message);
          return FALSE;
        }
      g_byte_array_set_size (reply, 0);
      g_byte_array_set_size (err, 0);
      d->uses++;
      result = run_request (d, kind, length, name, reply, err, seconds, &status);
      if (result == RUN_REPLY)
        {
          /* Parsed while the values file is still this decoder's; then both files are emptied, so that an idle
           * decoder holds no image's memory (a decoder whose files cannot be emptied is not kept). */
          gboolean parsed = parse (reply->data, reply->len, d->values, name, out, error);
          if (release_files (d))
            keep_idle (d);
          else
            decoder_end (d, TRUE);
          return parsed;
        }
      decoder_end (d, FALSE);  /* stopped and reaped by run_request */
      d = NULL;
      /* Only a kept decoder that died is asked again: a time limit or an answer too long is the file's doing,
       * and asking again would double the wait (fuzz-dicom found 12 s where 6 were allowed). */
      if (fresh || result != RUN_FAILED)
        break;
    }

  g_autofree char *said = err->len > 0 ? last_line (err) : NULL;
  if (result == RUN_TIMED_OUT)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT,
                   "%s: the DICOM decoder took longer than %u s and was stopped (a time limit)", name, 2 * seconds);
      return FALSE;
    }
  if (result == RUN_TOO_LONG)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder's answer is too long", name);
      return FALSE;
    }
  if (result == RUN_FAILED && WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);
      g_set_error (error, CXR_ERROR, sig == SIGXCPU || sig == SIGKILL ? CXR_ERROR_LIMIT : CXR_ERROR_FORMAT,
                   "DICOM decoder stopped on %s: signal %d (%s)%s%s", name, sig, signal_description (sig),
                   said != NULL ? ": " : "", said != NULL ? said : "");
      return FALSE;
    }
  if (result == RUN_FAILED && WIFEXITED (status) && WEXITSTATUS (status) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "DICOM decoder %s failed on %s (exit status %d)%s%s", program,
                   name, WEXITSTATUS (status), said != NULL ? ": " : "", said != NULL ? said : "");
      return FALSE;
    }
  /* It ended without a whole reply, or wrote something else: the parser says which. */
  return parse (reply->data, reply->len, -1, name, out, error);
}

static gboolean
parse_image (const guint8 *reply, gsize length, int values_fd, const char *name, gpointer out, GError **error)
{
  return cxr_dicom_wire_parse_reply (reply, length, values_fd, name, out, error);
}

gboolean
cxr_dicom_read_from_bytes (const guint8 *data, gsize length, const char *name_for_errors, CxrDicomImage **image,
                           GError **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  const char *name = name_for_errors != NULL ? name_for_errors : "DICOM data";
  *image = NULL;
  /* The cheap checks here, without a process: most damaged files stop at them with the decoder's own message. */
  g_autoptr (GBytes) inflated = NULL;
  if (!cxr_dicom_precheck (data, length, name, &inflated, error))
    return FALSE;
  g_clear_pointer (&inflated, g_bytes_unref);
  return ask_decoder (CXR_DICOM_REQUEST_IMAGE, data, length, name, parse_image, image, error);
}

typedef struct {
  GPtrArray **files;
  GPtrArray **uids;
} Directory;

static gboolean
parse_directory (const guint8 *reply, gsize length, int values_fd, const char *name, gpointer out, GError **error)
{
  Directory *directory = out;
  return cxr_dicom_wire_parse_directory_reply (reply, length, name, directory->files, directory->uids, error);
}

gboolean
cxr_dicom_dir_read (const char *path, GPtrArray **files, GPtrArray **uids, GError **error)
{
  g_return_val_if_fail (path != NULL && files != NULL && uids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *files = *uids = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  if (!cxr_input_file_read (path, 0, &contents, &length, NULL, error))
    return FALSE;
  const guint8 *data = (const guint8 *) contents;
  g_autoptr (GBytes) inflated = NULL;
  if (!cxr_dicom_precheck (data, length, path, &inflated, error))
    return FALSE;
  g_clear_pointer (&inflated, g_bytes_unref);
  Directory directory = { files, uids };
  return ask_decoder (CXR_DICOM_REQUEST_DIRECTORY, data, length, path, parse_directory, &directory, error);
}
