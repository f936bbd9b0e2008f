/* chassis-workers.c: see chassis-workers.h. */
#include "chassis/chassis-workers.h"

#include <signal.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "chassis/chassis-error.h"

typedef struct {
  struct event_base *base;
  GThread *thread;
} Worker;

struct TsrWorkers {
  Worker *workers;
  guint count;
  gboolean running;
  GMutex lock;          /* guards pending */
  GHashTable *pending;  /* Calls scheduled, not run yet (freed if never run) */
};

typedef struct {
  TsrWorkers *workers;
  void (*fn)(gpointer data);
  gpointer data;
} Call;

gboolean tsr_workers_init_threading(GError **error) {
  static gsize once = 0;
  static int result = 0;

  if (g_once_init_enter(&once)) {
    result = evthread_use_pthreads();
    g_once_init_leave(&once, 1);
  }
  if (result != 0) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_SYSTEM, "libevent has no pthreads support");
    return FALSE;
  }
  return TRUE;
}

TsrWorkers *tsr_workers_new(guint count, GError **error) {
  TsrWorkers *w = NULL;

  g_return_val_if_fail(count >= 1, NULL);
  if (!tsr_workers_init_threading(error))
    return NULL;
  w = g_new0(TsrWorkers, 1);
  g_mutex_init(&w->lock);
  w->pending = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
  w->count = count;
  w->workers = g_new0(Worker, count);
  for (guint i = 0; i < count; i++) {
    w->workers[i].base = event_base_new();
    if (w->workers[i].base == NULL) {
      g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_SYSTEM, "cannot create event base %u of %u",
                  i + 1, count);
      tsr_workers_free(w);
      return NULL;
    }
  }
  return w;
}

void tsr_workers_free(TsrWorkers *w) {
  if (w == NULL)
    return;
  tsr_workers_stop(w);
  for (guint i = 0; i < w->count; i++)
    g_clear_pointer(&w->workers[i].base, event_base_free);
  g_hash_table_unref(w->pending);
  g_mutex_clear(&w->lock);
  g_free(w->workers);
  g_free(w);
}

guint tsr_workers_count(const TsrWorkers *w) {
  return w->count;
}

struct event_base *tsr_workers_base(const TsrWorkers *w, guint i) {
  g_return_val_if_fail(i < w->count, NULL);
  return w->workers[i].base;
}

static gpointer worker_main(gpointer data) {
  struct event_base *base = data;

  event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
  return NULL;
}

gboolean tsr_workers_start(TsrWorkers *w, GError **error) {
  sigset_t all, saved;

  g_return_val_if_fail(!w->running, FALSE);
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &saved);
  w->running = TRUE;
  for (guint i = 0; i < w->count; i++) {
    g_autofree char *name = g_strdup_printf("tsr-worker-%u", i);

    w->workers[i].thread = g_thread_try_new(name, worker_main, w->workers[i].base, error);
    if (w->workers[i].thread == NULL)
      break;
  }
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (w->workers[w->count - 1].thread == NULL) {
    tsr_workers_stop(w);
    return FALSE;
  }
  return TRUE;
}

/* Runs on the worker's own thread: a loopbreak from there cannot be lost,
 * as one sent before the loop started would be (the loop clears it). */
static void break_loop(evutil_socket_t fd, short what, void *arg) {
  event_base_loopbreak(arg);
}

/* Runs, on the caller's thread, the calls no worker got to run (the
 * workers never started, or stopped first): no worker thread runs any more,
 * so the plugins' work (closing listeners, draining sessions) still happens
 * and what the calls own is released. */
static void run_pending_inline(TsrWorkers *w) {
  for (;;) {
    GHashTableIter iter;
    gpointer key = NULL;
    Call *call;
    g_mutex_lock(&w->lock);
    g_hash_table_iter_init(&iter, w->pending);
    if (g_hash_table_iter_next(&iter, &key, NULL)) g_hash_table_iter_steal(&iter);
    g_mutex_unlock(&w->lock);
    if (!key) return;
    call = key;
    call->fn(call->data);
    g_free(call);
  }
}

void tsr_workers_stop(TsrWorkers *w) {
  const struct timeval now = { 0, 0 };

  if (w->running) {
    for (guint i = 0; i < w->count; i++)
      if (w->workers[i].thread != NULL)
        event_base_once(w->workers[i].base, -1, EV_TIMEOUT, break_loop, w->workers[i].base, &now);
    for (guint i = 0; i < w->count; i++)
      g_clear_pointer(&w->workers[i].thread, g_thread_join);
    w->running = FALSE;
  }
  run_pending_inline(w);
}

static void run_call(evutil_socket_t fd, short what, void *arg) {
  Call *call = arg;

  g_mutex_lock(&call->workers->lock);
  g_hash_table_steal(call->workers->pending, call);
  g_mutex_unlock(&call->workers->lock);
  call->fn(call->data);
  g_free(call);
}

gboolean tsr_workers_run_on(TsrWorkers *w, guint i, void (*fn)(gpointer data), gpointer data) {
  const struct timeval now = { 0, 0 };
  Call *call = NULL;

  g_return_val_if_fail(i < w->count && fn != NULL, FALSE);
  call = g_new(Call, 1);
  call->workers = w;
  call->fn = fn;
  call->data = data;
  g_mutex_lock(&w->lock);
  g_hash_table_add(w->pending, call);
  g_mutex_unlock(&w->lock);
  if (event_base_once(w->workers[i].base, -1, EV_TIMEOUT, run_call, call, &now) != 0) {
    g_mutex_lock(&w->lock);
    g_hash_table_remove(w->pending, call);
    g_mutex_unlock(&w->lock);
    return FALSE;
  }
  return TRUE;
}
