/* chassis-log.c: see chassis-log.h. */
#include "chassis/chassis-log.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "chassis/chassis-error.h"

static const struct {
  const char *name;
  GLogLevelFlags level;
  int syslog_priority; /* as MySQL Proxy mapped them */
} levels[] = {
  { "error", G_LOG_LEVEL_ERROR, LOG_CRIT },
  { "critical", G_LOG_LEVEL_CRITICAL, LOG_ERR },
  { "warning", G_LOG_LEVEL_WARNING, LOG_WARNING },
  { "message", G_LOG_LEVEL_MESSAGE, LOG_NOTICE },
  { "info", G_LOG_LEVEL_INFO, LOG_INFO },
  { "debug", G_LOG_LEVEL_DEBUG, LOG_DEBUG },
};

/* The destination; `lock` guards path/fd/use_syslog changes and writes. */
static GMutex lock;
static char *log_path;
static int log_fd = STDERR_FILENO;
static gboolean use_syslog;
static gint threshold = G_LOG_LEVEL_WARNING; /* atomic */
static volatile sig_atomic_t crash_fd = STDERR_FILENO;

gboolean tsr_log_level_parse(const char *name, GLogLevelFlags *out, GError **error) {
  for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
    if (g_ascii_strcasecmp(name, levels[i].name) == 0) {
      *out = levels[i].level;
      return TRUE;
    }
  }
  g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
              "'%s' is not one of " TSR_LOG_LEVEL_NAMES, name);
  return FALSE;
}

/* Returns the index in levels[] of the most severe level in `level`, or -1. */
static int level_index(GLogLevelFlags level) {
  for (gsize i = 0; i < G_N_ELEMENTS(levels); i++)
    if (level & levels[i].level)
      return (int)i;
  return -1;
}

const char *tsr_log_level_name(GLogLevelFlags level) {
  int i = level_index(level);

  return i < 0 ? "log" : levels[i].name;
}

char *tsr_log_format_line(GLogLevelFlags level, const char *domain, const char *message, gint64 time_usec) {
  time_t secs = (time_t)(time_usec / G_USEC_PER_SEC);
  struct tm tm;
  char stamp[32];
  gsize len = strlen(message);

  gmtime_r(&secs, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  while (len > 0 && message[len - 1] == '\n')
    len--;
  return g_strdup_printf("%s.%03dZ %s [%s] %.*s\n", stamp, (int)(time_usec % G_USEC_PER_SEC / 1000),
                         tsr_log_level_name(level), domain != NULL ? domain : "tessera", (int)len, message);
}

static void write_all(int fd, const char *buf, gsize len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    buf += n;
    len -= (gsize)n;
  }
}

/* Finds the fields the writer needs; absent ones stay NULL. */
static void read_fields(const GLogField *fields, gsize n, const char **domain, const char **message,
                        gboolean *always) {
  for (gsize i = 0; i < n; i++) {
    const char *key = fields[i].key;

    if (fields[i].length >= 0 && g_strcmp0(key, "MESSAGE") != 0)
      continue; /* binary fields: only MESSAGE may come with a length */
    if (g_strcmp0(key, "GLIB_DOMAIN") == 0)
      *domain = fields[i].value;
    else if (g_strcmp0(key, "MESSAGE") == 0)
      *message = fields[i].value;
    else if (g_strcmp0(key, "TSR_ALWAYS") == 0)
      *always = TRUE;
  }
}

static GLogWriterOutput writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data) {
  const char *domain = NULL;
  const char *message = NULL;
  gboolean always = FALSE;
  int index = level_index(level);
  g_autofree char *line = NULL;

  read_fields(fields, n_fields, &domain, &message, &always);
  if (!always && (index < 0 || (gint)levels[index].level > g_atomic_int_get(&threshold)))
    return G_LOG_WRITER_HANDLED;
  if (message == NULL)
    message = "(no message)";
  g_mutex_lock(&lock);
  if (use_syslog) {
    syslog(index < 0 ? LOG_NOTICE : levels[index].syslog_priority, "[%s] %s",
           domain != NULL ? domain : "tessera", message);
  } else {
    line = tsr_log_format_line(level, domain, message, g_get_real_time());
    write_all(log_fd, line, strlen(line));
  }
  g_mutex_unlock(&lock);
  return G_LOG_WRITER_HANDLED;
}

void tsr_log_init(void) {
  static gsize once = 0;

  if (g_once_init_enter(&once)) {
    g_log_set_writer_func(writer, NULL, NULL);
    g_once_init_leave(&once, 1);
  }
}

static int open_log_file(const char *path, GError **error) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

  if (fd < 0) {
    int saved = errno;
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_SYSTEM, "--log-file: cannot open '%s': %s",
                path, g_strerror(saved));
  }
  return fd;
}

/* Switches to fd (may be stderr) and path (taken); closes the old file. */
static void swap_destination(int fd, char *path, gboolean to_syslog) {
  int old_fd = 0;
  gboolean old_syslog = FALSE;

  g_mutex_lock(&lock);
  old_fd = log_fd;
  old_syslog = use_syslog;
  log_fd = fd;
  use_syslog = to_syslog;
  g_free(log_path);
  log_path = path;
  crash_fd = fd;
  g_mutex_unlock(&lock);
  if (old_fd != STDERR_FILENO && old_fd != fd)
    close(old_fd);
  if (old_syslog && !to_syslog)
    closelog();
}

gboolean tsr_log_configure(GLogLevelFlags level, const char *path, gboolean to_syslog, GError **error) {
  int fd = STDERR_FILENO;

  if (!to_syslog && path != NULL && (fd = open_log_file(path, error)) < 0)
    return FALSE;
  if (to_syslog)
    openlog(g_get_prgname() != NULL ? g_get_prgname() : "tessera", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  swap_destination(fd, !to_syslog ? g_strdup(path) : NULL, to_syslog);
  g_atomic_int_set(&threshold, (gint)level);
  return TRUE;
}

gboolean tsr_log_reopen(GError **error) {
  g_autofree char *path = NULL;
  int fd = -1;

  g_mutex_lock(&lock);
  path = g_strdup(log_path);
  g_mutex_unlock(&lock);
  if (path == NULL)
    return TRUE;
  if ((fd = open_log_file(path, error)) < 0)
    return FALSE;
  swap_destination(fd, g_steal_pointer(&path), FALSE);
  return TRUE;
}

gboolean tsr_log_is_stderr(void) {
  gboolean is_stderr = FALSE;

  g_mutex_lock(&lock);
  is_stderr = !use_syslog && log_fd == STDERR_FILENO;
  g_mutex_unlock(&lock);
  return is_stderr;
}

void tsr_log_always(const char *domain, const char *format, ...) {
  va_list args;
  g_autofree char *message = NULL;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_log_structured(domain, G_LOG_LEVEL_MESSAGE, "TSR_ALWAYS", "1", "MESSAGE", "%s", message);
}

static void crash_handler(int sig) {
  static const char head[] = "---- tessera crashed with signal ";
  char digits[8];
  int n = sizeof digits;
  void *frames[64];
  int depth = 0;
  int signo = sig;

  /* Only async-signal-safe calls from here on. */
  do {
    digits[--n] = (char)('0' + sig % 10);
    sig /= 10;
  } while (sig > 0 && n > 0);
  write_all(crash_fd, head, sizeof head - 1);
  write_all(crash_fd, digits + n, sizeof digits - (gsize)n);
  write_all(crash_fd, ", backtrace:\n", 13);
  depth = backtrace(frames, G_N_ELEMENTS(frames));
  backtrace_symbols_fd(frames, depth, crash_fd);
  /* SA_RESETHAND restored the default action: die from the signal. */
  raise(signo);
}

void tsr_log_install_crash_handler(void) {
  static const int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
  struct sigaction sa;
  void *warm[1];

  backtrace(warm, 1); /* loads libgcc now, not inside the handler */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = crash_handler;
  sa.sa_flags = (int)SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS(signals); i++)
    sigaction(signals[i], &sa, NULL);
}

void tsr_log_shutdown(void) {
  swap_destination(STDERR_FILENO, NULL, FALSE);
}
