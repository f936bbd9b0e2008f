/* chassis-daemon.h: the process around tessera: detaching (--daemon), the
 * pid file, the open file limit and dropping root (--user). */
#ifndef TESSERA_CHASSIS_DAEMON_H
#define TESSERA_CHASSIS_DAEMON_H

#include <glib.h>

/* Detaches from the terminal: fork, setsid, fork, chdir(workdir), stdin,
 * stdout and stderr to /dev/null. Returns TRUE in the daemon with
 * *ready_fd set: the daemon reports how its start went with
 * tsr_daemon_notify(). The original process never returns: it waits for
 * that report, prints its message (if any) on stderr and exits with its
 * code (1 if the daemon died without reporting). Returns FALSE with *error
 * set if a fork or the pipe fails (still in the original process). */
gboolean tsr_daemon_detach(const char *workdir, int *ready_fd, GError **error);
/* Reports to the process waiting in tsr_daemon_detach(): exit code and an
 * optional one-line message for its stderr. Closes *ready_fd and sets it to
 * -1; does nothing if it is -1 already. */
void tsr_daemon_notify(int *ready_fd, int exit_code, const char *message);

/* Writes this process' id and a newline to path (created 0644, replaced if
 * it exists). Returns FALSE with *error set naming --pid-file. */
gboolean tsr_pid_file_write(const char *path, GError **error);
/* Removes path if it still holds this process' id; logs a warning if that
 * fails. NULL is fine. */
void tsr_pid_file_remove(const char *path);

/* Sets RLIMIT_NOFILE: to n (soft, and hard if n is higher), or with n == 0
 * the soft limit up to the hard one (failure then only logs a warning).
 * Returns FALSE with *error set naming --max-open-files. */
gboolean tsr_set_max_open_files(gint n, GError **error);

/* Switches to user `name` (group, supplementary groups, uid), handing it
 * the n_paths files in chown_paths first (NULL entries skipped) so that it
 * can reopen them. Without root it is fine only if we are that user
 * already. Returns FALSE with *error set naming --user. */
gboolean tsr_drop_user(const char *name, const char *const *chown_paths, gsize n_paths, GError **error);

#endif
