/* chassis-daemon.c: see chassis-daemon.h. */
#include "chassis/chassis-daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chassis/chassis-error.h"

static gboolean set_errno_error(GError **error, int err, const char *format, ...) G_GNUC_PRINTF(3, 4);

/* Sets *error to "<formatted>: <strerror(err)>". Returns FALSE. */
static gboolean set_errno_error(GError **error, int err, const char *format, ...) {
  va_list args;
  g_autofree char *what = NULL;

  va_start(args, format);
  what = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_SYSTEM, "%s: %s", what, g_strerror(err));
  return FALSE;
}

/* The original process: waits for the daemon's report and exits with it. */
G_GNUC_NORETURN static void wait_for_report(int fd) {
  g_autoptr(GByteArray) report = g_byte_array_new();
  guint8 buf[512];
  ssize_t n = 0;
  sigset_t all;

  sigfillset(&all);
  sigprocmask(SIG_UNBLOCK, &all, NULL); /* Ctrl-C ends the wait */
  while ((n = read(fd, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    g_byte_array_append(report, buf, (guint)n);
  }
  if (report->len == 0) {
    fprintf(stderr, "%s: the daemon exited before it had started (see its log)\n", g_get_prgname());
    _exit(1);
  }
  if (report->len > 1)
    fprintf(stderr, "%s: %.*s\n", g_get_prgname(), (int)(report->len - 1), (const char *)report->data + 1);
  fflush(stderr);
  _exit(report->data[0]);
}

static void redirect_stdio(void) {
  int fd = open("/dev/null", O_RDWR);

  if (fd < 0)
    return;
  dup2(fd, STDIN_FILENO);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  if (fd > STDERR_FILENO)
    close(fd);
}

gboolean tsr_daemon_detach(const char *workdir, int *ready_fd, GError **error) {
  int fds[2];
  pid_t pid = 0;

  fflush(NULL);
  if (pipe2(fds, O_CLOEXEC) != 0)
    return set_errno_error(error, errno, "--daemon: pipe");
  pid = fork();
  if (pid < 0) {
    int saved = errno;
    close(fds[0]);
    close(fds[1]);
    return set_errno_error(error, saved, "--daemon: fork");
  }
  if (pid > 0) {
    close(fds[1]);
    waitpid(pid, NULL, 0); /* the middle process exits at once */
    wait_for_report(fds[0]);
  }
  close(fds[0]);
  setsid();
  pid = fork();
  if (pid != 0)
    _exit(pid < 0 ? 1 : 0); /* the original process reads EOF if the fork failed */
  if (chdir(workdir) != 0)
    g_warning("--daemon: cannot chdir to %s: %s", workdir, g_strerror(errno));
  redirect_stdio();
  *ready_fd = fds[1];
  return TRUE;
}

void tsr_daemon_notify(int *ready_fd, int exit_code, const char *message) {
  g_autoptr(GByteArray) report = g_byte_array_new();
  guint8 code = (guint8)exit_code;
  gsize done = 0;

  if (*ready_fd < 0)
    return;
  g_byte_array_append(report, &code, 1);
  if (message != NULL)
    g_byte_array_append(report, (const guint8 *)message, (guint)strlen(message));
  while (done < report->len) {
    ssize_t n = write(*ready_fd, report->data + done, report->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += (gsize)n;
  }
  close(*ready_fd);
  *ready_fd = -1;
}

gboolean tsr_pid_file_write(const char *path, GError **error) {
  g_autofree char *text = g_strdup_printf("%ld\n", (long)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
  ssize_t n = 0;

  if (fd < 0)
    return set_errno_error(error, errno, "--pid-file: cannot create '%s'", path);
  n = write(fd, text, strlen(text));
  if (n != (ssize_t)strlen(text) || close(fd) != 0) {
    int saved = n < 0 ? errno : EIO;
    unlink(path);
    return set_errno_error(error, saved, "--pid-file: cannot write '%s'", path);
  }
  return TRUE;
}

void tsr_pid_file_remove(const char *path) {
  g_autofree char *text = NULL;

  if (path == NULL || !g_file_get_contents(path, &text, NULL, NULL))
    return;
  if (g_ascii_strtoll(text, NULL, 10) != (gint64)getpid())
    return; /* another process' file by now */
  if (unlink(path) != 0)
    g_warning("--pid-file: cannot remove '%s': %s", path, g_strerror(errno));
}

/* Returns the kernel's cap for RLIMIT_NOFILE (fs.nr_open), or fallback. */
static rlim_t nr_open(rlim_t fallback) {
  g_autofree char *text = NULL;

  if (!g_file_get_contents("/proc/sys/fs/nr_open", &text, NULL, NULL))
    return fallback;
  return (rlim_t)g_ascii_strtoull(text, NULL, 10);
}

gboolean tsr_set_max_open_files(gint n, GError **error) {
  struct rlimit rl;

  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return set_errno_error(error, errno, "--max-open-files: getrlimit");
  if (n == 0) {
    rlim_t want = rl.rlim_max == RLIM_INFINITY ? nr_open(rl.rlim_cur) : rl.rlim_max;

    if (want > rl.rlim_cur) {
      rl.rlim_cur = want;
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        g_warning("cannot raise the open file limit to %lu: %s", (unsigned long)want, g_strerror(errno));
    }
    return TRUE;
  }
  rl.rlim_cur = (rlim_t)n;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n)
    rl.rlim_max = (rlim_t)n;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    return set_errno_error(error, errno, "--max-open-files: cannot set the open file limit to %d", n);
  return TRUE;
}

gboolean tsr_drop_user(const char *name, const char *const *chown_paths, gsize n_paths, GError **error) {
  struct passwd *pw = getpwnam(name);

  if (pw == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "--user: there is no user '%s'", name);
    return FALSE;
  }
  if (geteuid() != 0) {
    if (pw->pw_uid == geteuid())
      return TRUE;
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "--user: switching to user '%s' needs root (tessera runs as uid %u)", name, (unsigned)geteuid());
    return FALSE;
  }
  for (gsize i = 0; i < n_paths; i++)
    if (chown_paths[i] != NULL && chown(chown_paths[i], pw->pw_uid, pw->pw_gid) != 0)
      g_warning("--user: cannot hand %s to %s: %s", chown_paths[i], name, g_strerror(errno));
  if (setgid(pw->pw_gid) != 0)
    return set_errno_error(error, errno, "--user: setgid(%u)", (unsigned)pw->pw_gid);
  if (initgroups(name, pw->pw_gid) != 0)
    return set_errno_error(error, errno, "--user: initgroups(%s)", name);
  if (setuid(pw->pw_uid) != 0)
    return set_errno_error(error, errno, "--user: setuid(%u)", (unsigned)pw->pw_uid);
  return TRUE;
}
