/* chassis.c: see chassis.h. */
#include "chassis/chassis.h"

#include <signal.h>

#include <event2/event.h>

#include "chassis/chassis-error.h"
#include "chassis/chassis-log.h"
#include "chassis/chassis-plugins.h"
#include "chassis/chassis-workers.h"

#define DRAIN_POLL_USEC 50000

static const int handled_signals[] = { SIGTERM, SIGINT, SIGHUP };

struct TsrChassis {
  GPtrArray *plugins;            /* of TsrPluginInstance, owned */
  guint worker_count;
  guint shutdown_timeout;        /* seconds */
  gboolean verbose_shutdown;
  struct event_base *main_base;  /* from start() on */
  TsrWorkers *workers;           /* from start() on */
  struct event *signal_events[G_N_ELEMENTS(handled_signals)];
  struct event *drain_timer;     /* while stopping */
  gint64 deadline;               /* monotonic usec the drain ends at the latest */
  gint stopping;                 /* atomic */
};

G_DEFINE_QUARK(tsr-chassis-error-quark, tsr_chassis_error)

TsrChassis *tsr_chassis_new(GPtrArray *plugins, guint workers, guint shutdown_timeout) {
  TsrChassis *c = g_new0(TsrChassis, 1);

  g_return_val_if_fail(workers >= 1, NULL);
  c->plugins = plugins;
  c->worker_count = workers;
  c->shutdown_timeout = shutdown_timeout;
  return c;
}

static TsrPluginInstance *plugin_at(TsrChassis *c, guint i) {
  return g_ptr_array_index(c->plugins, i);
}

/* Calls stop() of every started plugin, last started first. */
static void stop_plugins(TsrChassis *c) {
  for (guint i = c->plugins->len; i > 0; i--) {
    TsrPluginInstance *p = plugin_at(c, i - 1);

    if (!p->started)
      continue;
    p->started = FALSE;
    if (p->plugin->stop != NULL)
      p->plugin->stop(p->state, c);
  }
}

void tsr_chassis_free(TsrChassis *c) {
  if (c == NULL)
    return;
  if (c->workers != NULL)
    tsr_workers_stop(c->workers);
  stop_plugins(c);
  g_clear_pointer(&c->drain_timer, event_free);
  for (gsize i = 0; i < G_N_ELEMENTS(c->signal_events); i++)
    g_clear_pointer(&c->signal_events[i], event_free);
  /* destroy() may free events: the bases must still exist. */
  g_clear_pointer(&c->plugins, tsr_plugins_free);
  g_clear_pointer(&c->workers, tsr_workers_free);
  g_clear_pointer(&c->main_base, event_base_free);
  g_free(c);
}

void tsr_chassis_set_verbose_shutdown(TsrChassis *c, gboolean verbose) {
  c->verbose_shutdown = verbose;
}

gboolean tsr_chassis_configure(TsrChassis *c, GError **error) {
  for (guint i = 0; i < c->plugins->len; i++) {
    TsrPluginInstance *p = plugin_at(c, i);
    g_autoptr(GError) local = NULL;

    if (p->plugin->configure == NULL || p->plugin->configure(p->state, c, &local))
      continue;
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN, "plugin '%s': %s", p->plugin->name,
                local != NULL ? local->message : "configure() failed");
    return FALSE;
  }
  return TRUE;
}

static void on_signal(evutil_socket_t signo, short what, void *arg);

static void handled_signal_set(sigset_t *set) {
  sigemptyset(set);
  for (gsize i = 0; i < G_N_ELEMENTS(handled_signals); i++)
    sigaddset(set, handled_signals[i]);
}

void tsr_chassis_block_signals(void) {
  sigset_t set;

  handled_signal_set(&set);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static gboolean create_bases(TsrChassis *c, GError **error) {
  sigset_t set;

  if (!tsr_workers_init_threading(error))
    return FALSE;
  c->main_base = event_base_new();
  if (c->main_base == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_SYSTEM, "cannot create the main event base");
    return FALSE;
  }
  c->workers = tsr_workers_new(c->worker_count, error);
  if (c->workers == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(handled_signals); i++) {
    c->signal_events[i] = evsignal_new(c->main_base, handled_signals[i], on_signal, c);
    if (c->signal_events[i] == NULL || evsignal_add(c->signal_events[i], NULL) != 0) {
      g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_SYSTEM, "cannot handle signal %s",
                  g_strsignal(handled_signals[i]));
      return FALSE;
    }
  }
  /* The events catch them now; one that came early is delivered here and
   * handled when the main loop runs. */
  handled_signal_set(&set);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  return TRUE;
}

gboolean tsr_chassis_start(TsrChassis *c, GError **error) {
  g_return_val_if_fail(c->main_base == NULL, FALSE);
  if (!create_bases(c, error))
    return FALSE;
  for (guint i = 0; i < c->plugins->len; i++) {
    TsrPluginInstance *p = plugin_at(c, i);
    g_autoptr(GError) local = NULL;

    if (p->plugin->start != NULL && !p->plugin->start(p->state, c, &local)) {
      g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN, "plugin '%s': %s", p->plugin->name,
                  local != NULL ? local->message : "start() failed");
      stop_plugins(c);
      return FALSE;
    }
    p->started = TRUE;
  }
  return TRUE;
}

gboolean tsr_chassis_run(TsrChassis *c, GError **error) {
  g_return_val_if_fail(c->main_base != NULL, FALSE);
  if (!tsr_workers_start(c->workers, error))
    return FALSE;
  event_base_loop(c->main_base, EVLOOP_NO_EXIT_ON_EMPTY);
  tsr_workers_stop(c->workers);
  return TRUE;
}

/* Logs a shutdown line: always with --verbose-shutdown, else as a message. */
#define shutdown_log(c, ...) \
  G_STMT_START { \
    if ((c)->verbose_shutdown) \
      tsr_log_always(G_LOG_DOMAIN, __VA_ARGS__); \
    else \
      g_message(__VA_ARGS__); \
  } G_STMT_END

static guint active_commands(TsrChassis *c) {
  guint active = 0;

  for (guint i = 0; i < c->plugins->len; i++) {
    TsrPluginInstance *p = plugin_at(c, i);

    if (p->plugin->active_count != NULL)
      active += p->plugin->active_count(p->state);
  }
  return active;
}

/* Ends the main loop once nothing runs any more or the time is up. */
static void check_drained(TsrChassis *c, gboolean force) {
  guint active = active_commands(c);

  if (active > 0 && !force && g_get_monotonic_time() < c->deadline)
    return;
  if (active > 0)
    g_warning("stopping with %u command%s still running (%s)", active, active == 1 ? "" : "s",
              force ? "second signal" : "--shutdown-timeout reached");
  event_base_loopbreak(c->main_base);
}

static void on_drain_tick(evutil_socket_t fd, short what, void *arg) {
  check_drained(arg, FALSE);
}

void tsr_chassis_request_stop(TsrChassis *c) {
  const struct timeval tick = { 0, DRAIN_POLL_USEC };

  g_return_if_fail(c->main_base != NULL);
  if (g_atomic_int_get(&c->stopping))
    return;
  g_atomic_int_set(&c->stopping, TRUE);
  stop_plugins(c);
  c->deadline = g_get_monotonic_time() + (gint64)c->shutdown_timeout * G_USEC_PER_SEC;
  c->drain_timer = event_new(c->main_base, -1, EV_PERSIST, on_drain_tick, c);
  event_add(c->drain_timer, &tick);
  check_drained(c, FALSE);
}

static void on_signal(evutil_socket_t signo, short what, void *arg) {
  TsrChassis *c = arg;
  g_autoptr(GError) error = NULL;

  if (signo == SIGHUP) {
    if (tsr_log_reopen(&error))
      g_message("SIGHUP: log file reopened");
    else
      g_warning("SIGHUP: %s", error->message);
    return;
  }
  if (g_atomic_int_get(&c->stopping)) {
    shutdown_log(c, "SIG%s again: not waiting any longer", sigabbrev_np((int)signo));
    check_drained(c, TRUE);
    return;
  }
  shutdown_log(c, "SIG%s: shutting down, waiting up to %u s for running commands", sigabbrev_np((int)signo),
               c->shutdown_timeout);
  tsr_chassis_request_stop(c);
}

/* The plugin ABI (chassis-plugin.h). */

guint tsr_chassis_worker_count(TsrChassis *c) {
  return c->worker_count;
}

struct event_base *tsr_chassis_worker_base(TsrChassis *c, guint i) {
  g_return_val_if_fail(c->workers != NULL, NULL);
  return tsr_workers_base(c->workers, i);
}

struct event_base *tsr_chassis_main_base(TsrChassis *c) {
  return c->main_base;
}

gboolean tsr_chassis_is_stopping(TsrChassis *c) {
  return g_atomic_int_get(&c->stopping);
}

gboolean tsr_chassis_run_on_worker(TsrChassis *c, guint i, void (*fn)(gpointer data), gpointer data) {
  g_return_val_if_fail(c->workers != NULL, FALSE);
  return tsr_workers_run_on(c->workers, i, fn, data);
}
