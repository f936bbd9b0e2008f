/* chassis-log.h: the process' GLib structured log writer. Code everywhere
 * logs with g_message/g_warning/g_debug/... under its G_LOG_DOMAIN; the
 * writer filters by level and writes one line per record:
 *
 *   2026-11-21T14:03:05.123Z warning [core] backend 10.0.0.2:3306 is down
 *
 * to stderr (the default), a file (reopened by tsr_log_reopen()) or syslog.
 * It is thread-safe and never makes warnings or criticals fatal. */
#ifndef TESSERA_CHASSIS_LOG_H
#define TESSERA_CHASSIS_LOG_H

#include <glib.h>

/* Level names, most severe first, as --log-level takes them. */
#define TSR_LOG_LEVEL_NAMES "error, critical, warning, message, info, debug"

/* Parses a --log-level name into its G_LOG_LEVEL_* flag. Returns FALSE with
 * *error set ("'loud' is not one of error, critical, ...") otherwise. */
gboolean tsr_log_level_parse(const char *name, GLogLevelFlags *out, GError **error);
/* Returns the name of the most severe level in `level` ("warning"), or
 * "log" if it has none. Static string. */
const char *tsr_log_level_name(GLogLevelFlags level);
/* Returns one formatted line, newline included (free with g_free). domain
 * NULL reads as "tessera"; time_usec is microseconds since the epoch. */
char *tsr_log_format_line(GLogLevelFlags level, const char *domain, const char *message, gint64 time_usec);

/* Installs the writer, once per process (GLib allows only one): lines of
 * level warning and more severe go to stderr until tsr_log_configure(). */
void tsr_log_init(void);
/* Sets the threshold (records less severe are dropped) and the destination:
 * syslog if use_syslog, else the file `path` if not NULL (opened for
 * appending, created 0640), else stderr. Returns FALSE with *error set if
 * the file cannot be opened; the old destination is kept then. */
gboolean tsr_log_configure(GLogLevelFlags threshold, const char *path, gboolean use_syslog, GError **error);
/* Reopens the log file under its name (after log rotation). Returns TRUE
 * and does nothing without a log file; FALSE with *error set if it cannot
 * be opened (the old file stays in use). */
gboolean tsr_log_reopen(GError **error);
/* Returns TRUE if log lines go to stderr (no file, no syslog). */
gboolean tsr_log_is_stderr(void);
/* Logs a message-level line whatever the threshold (--verbose-shutdown). */
void tsr_log_always(const char *domain, const char *format, ...) G_GNUC_PRINTF(2, 3);
/* On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT: writes the signal and a
 * backtrace to the log file (or stderr), then dies from the signal as
 * without the handler. */
void tsr_log_install_crash_handler(void);
/* Closes the file or syslog and returns to stderr. */
void tsr_log_shutdown(void);

#endif
