/* chassis-keepalive.c: see chassis-keepalive.h. The supervisor blocks the
 * signals it cares about and takes them with sigtimedwait(), so no signal
 * can slip between checking for one and waiting. */
#include "chassis/chassis-keepalive.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chassis/chassis-log.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 30000
#define HEALTHY_AFTER_USEC (60 * G_USEC_PER_SEC) /* a child that lived this long resets the pause */

typedef struct {
  sigset_t mask;       /* the signals taken with sigtimedwait */
  pid_t child;
  gboolean stopping;   /* SIGTERM or SIGINT was forwarded */
} Supervisor;

/* Waits up to timeout_ms (-1: forever) for a signal in the mask. Returns
 * it, or 0 on timeout. */
static int next_signal(Supervisor *s, gint64 timeout_ms) {
  struct timespec ts = { (time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L };
  siginfo_t info;
  int sig = 0;

  do
    sig = timeout_ms < 0 ? sigwaitinfo(&s->mask, &info) : sigtimedwait(&s->mask, &info, &ts);
  while (sig < 0 && errno == EINTR);
  return sig < 0 ? 0 : sig;
}

/* Handles SIGTERM/SIGINT/SIGHUP: forwarded to the child if there is one. */
static void forward(Supervisor *s, int sig) {
  g_autoptr(GError) error = NULL;

  if (sig == SIGHUP && !tsr_log_reopen(&error))
    g_warning("keepalive: SIGHUP: %s", error->message);
  if (sig == SIGTERM || sig == SIGINT)
    s->stopping = TRUE;
  if (s->child > 0)
    kill(s->child, sig);
}

/* Waits for the child to end; returns its wait status. */
static int wait_child(Supervisor *s) {
  int status = 0;

  for (;;) {
    int sig = next_signal(s, -1);

    if (sig == SIGCHLD) {
      if (waitpid(s->child, &status, WNOHANG) == s->child)
        return status;
    } else if (sig != 0) {
      forward(s, sig);
    }
  }
}

/* Sleeps ms, unless told to stop. Returns FALSE if told to stop. */
static gboolean pause_ms(Supervisor *s, guint ms) {
  gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
  gint64 left = 0;

  while ((left = end - g_get_monotonic_time()) > 0) {
    int sig = next_signal(s, (left + 999) / 1000);

    if (sig != 0 && sig != SIGCHLD)
      forward(s, sig);
    if (s->stopping)
      return FALSE;
  }
  return TRUE;
}

/* Decides what a child's end means. Returns the supervisor's exit code, or
 * -1 to start another child (the child died from a signal, not asked to). */
static int judge(Supervisor *s, int status) {
  int sig = 0;

  if (WIFEXITED(status)) {
    g_message("keepalive: child %ld exited with code %d", (long)s->child, WEXITSTATUS(status));
    return WEXITSTATUS(status);
  }
  sig = WTERMSIG(status);
  if (s->stopping) {
    g_message("keepalive: child %ld stopped by SIG%s", (long)s->child, sigabbrev_np(sig));
    return sig == SIGTERM || sig == SIGINT ? 0 : 1;
  }
  return -1;
}

int tsr_keepalive_supervise(int *ready_fd) {
  Supervisor s = { .child = 0, .stopping = FALSE };
  sigset_t saved;
  guint backoff = 0;

  sigemptyset(&s.mask);
  sigaddset(&s.mask, SIGTERM);
  sigaddset(&s.mask, SIGINT);
  sigaddset(&s.mask, SIGHUP);
  sigaddset(&s.mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &s.mask, &saved);
  for (;;) {
    gint64 started = g_get_monotonic_time();
    int code = 0;
    int status = 0;

    s.child = fork();
    if (s.child == 0) {
      sigprocmask(SIG_SETMASK, &saved, NULL);
      return -1;
    }
    if (s.child < 0) {
      g_critical("keepalive: cannot fork: %s", g_strerror(errno));
      return 1;
    }
    if (*ready_fd >= 0) {
      close(*ready_fd);
      *ready_fd = -1;
    }
    g_message("keepalive: child %ld started", (long)s.child);
    status = wait_child(&s);
    if ((code = judge(&s, status)) >= 0)
      return code;
    if (g_get_monotonic_time() - started >= HEALTHY_AFTER_USEC || backoff == 0)
      backoff = BACKOFF_FIRST_MS;
    else
      backoff = MIN(backoff * 2, BACKOFF_MAX_MS);
    g_critical("keepalive: child %ld died from SIG%s (%s)%s; starting a new one in %u ms", (long)s.child,
               sigabbrev_np(WTERMSIG(status)), g_strsignal(WTERMSIG(status)),
               WCOREDUMP(status) ? ", core dumped" : "", backoff);
    s.child = 0;
    if (!pause_ms(&s, backoff))
      return 0;
  }
}
