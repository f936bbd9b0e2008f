/* test-chassis-lifecycle.c: worker threads (chassis-workers.c) and the
 * TsrChassis lifecycle (chassis.c) with built-in fake plugins: call order,
 * run_on_worker, the graceful stop and its timeout, a failing start. */
#include <event2/event.h>

#include "chassis/chassis-error.h"
#include "chassis/chassis-plugins.h"
#include "chassis/chassis-workers.h"
#include "chassis/chassis.h"

/* --- workers --- */

typedef struct {
  GMutex lock;
  GCond cond;
  guint done;
  GThread *threads[3];
} Seen;

typedef struct {
  Seen *seen;
  guint index;
} Visit;

static void record_thread(gpointer data) {
  Visit *v = data;

  g_mutex_lock(&v->seen->lock);
  v->seen->threads[v->index] = g_thread_self();
  v->seen->done++;
  g_cond_signal(&v->seen->cond);
  g_mutex_unlock(&v->seen->lock);
}

static void test_workers(void) {
  g_autoptr(GError) error = NULL;
  TsrWorkers *w = tsr_workers_new(3, &error);
  Seen seen = { 0 };
  Visit visits[3];

  g_assert_no_error(error);
  g_assert_cmpuint(tsr_workers_count(w), ==, 3);
  g_mutex_init(&seen.lock);
  g_cond_init(&seen.cond);
  /* scheduled before the threads start: runs once they loop */
  for (guint i = 0; i < 3; i++) {
    visits[i] = (Visit){ &seen, i };
    g_assert_nonnull(tsr_workers_base(w, i));
    g_assert_true(tsr_workers_run_on(w, i, record_thread, &visits[i]));
  }
  g_assert_true(tsr_workers_start(w, &error));
  g_mutex_lock(&seen.lock);
  while (seen.done < 3)
    g_cond_wait(&seen.cond, &seen.lock);
  g_mutex_unlock(&seen.lock);
  for (guint i = 0; i < 3; i++) {
    g_assert_true(seen.threads[i] != g_thread_self());
    for (guint j = 0; j < i; j++)
      g_assert_true(seen.threads[i] != seen.threads[j]);
  }
  tsr_workers_stop(w);
  tsr_workers_stop(w); /* twice is fine */
  tsr_workers_free(w);
  g_mutex_clear(&seen.lock);
  g_cond_clear(&seen.cond);
}

/* A stop right after the start must not be lost. */
static void test_workers_quick_stop(void) {
  for (int round = 0; round < 50; round++) {
    TsrWorkers *w = tsr_workers_new(2, NULL);

    g_assert_true(tsr_workers_start(w, NULL));
    tsr_workers_free(w);
  }
}

/* --- the chassis with fake plugins --- */

typedef struct {
  GString *calls;          /* "create,configure,..." */
  gboolean fail_start;
  guint busy_polls;        /* active_count() answers 1 this many times */
  gint worker_hello;       /* atomic */
  gboolean stopping_in_stop;
  TsrChassis *chassis;
  struct event *stopper;
} Fake;

static Fake fakes[2];
static int next_fake;

static gpointer fake_create(void) {
  Fake *f = &fakes[next_fake++];

  g_string_append(f->calls, "create,");
  return f;
}

static gboolean fake_configure(gpointer data, TsrChassis *c, GError **error) {
  Fake *f = data;

  g_string_append_printf(f->calls, "configure(%u),", tsr_chassis_worker_count(c));
  return TRUE;
}

static void hello(gpointer data) {
  Fake *f = data;

  g_atomic_int_inc(&f->worker_hello);
}

static void stop_soon(evutil_socket_t fd, short what, void *arg) {
  Fake *f = arg;

  /* wait until every worker has said hello, then stop */
  if ((guint)g_atomic_int_get(&f->worker_hello) < tsr_chassis_worker_count(f->chassis)) {
    const struct timeval again = { 0, 1000 };
    event_add(f->stopper, &again);
    return;
  }
  tsr_chassis_request_stop(f->chassis);
}

static gboolean fake_start(gpointer data, TsrChassis *c, GError **error) {
  Fake *f = data;
  const struct timeval soon = { 0, 1000 };

  g_string_append(f->calls, "start,");
  if (f->fail_start) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN, "no port for you");
    return FALSE;
  }
  f->chassis = c;
  g_assert_nonnull(tsr_chassis_main_base(c));
  for (guint i = 0; i < tsr_chassis_worker_count(c); i++) {
    g_assert_nonnull(tsr_chassis_worker_base(c, i));
    g_assert_true(tsr_chassis_run_on_worker(c, i, hello, f));
  }
  f->stopper = evtimer_new(tsr_chassis_main_base(c), stop_soon, f);
  evtimer_add(f->stopper, &soon);
  return TRUE;
}

static void fake_stop(gpointer data, TsrChassis *c) {
  Fake *f = data;

  f->stopping_in_stop = tsr_chassis_is_stopping(c);
  g_string_append(f->calls, "stop,");
}

static guint fake_active_count(gpointer data) {
  Fake *f = data;

  g_string_append(f->calls, "active,");
  if (f->busy_polls == G_MAXUINT)
    return 1;
  if (f->busy_polls > 0) {
    f->busy_polls--;
    return 1;
  }
  return 0;
}

static void fake_destroy(gpointer data) {
  Fake *f = data;

  g_clear_pointer(&f->stopper, event_free);
  g_string_append(f->calls, "destroy");
}

static const TsrPlugin fake_plugin = {
  TSR_PLUGIN_ABI_VERSION, "fake", "1", fake_create, NULL, fake_configure, fake_start, fake_stop, fake_active_count,
  fake_destroy,
};
static const TsrPlugin fake_plugin2 = {
  TSR_PLUGIN_ABI_VERSION, "fake2", "1", fake_create, NULL, fake_configure, fake_start, fake_stop,
  fake_active_count, fake_destroy,
};
static const TsrPlugin *const fake_builtins[] = { &fake_plugin, &fake_plugin2, NULL };

static void reset_fakes(void) {
  for (gsize i = 0; i < G_N_ELEMENTS(fakes); i++) {
    if (fakes[i].calls != NULL)
      g_string_free(fakes[i].calls, TRUE);
    memset(&fakes[i], 0, sizeof fakes[i]);
    fakes[i].calls = g_string_new(NULL);
  }
  next_fake = 0;
}

static TsrChassis *make_chassis(const char *const *names, guint timeout) {
  g_autoptr(GError) error = NULL;
  GPtrArray *plugins = tsr_plugins_load(names, "/nonexistent", fake_builtins, &error);

  g_assert_no_error(error);
  return tsr_chassis_new(plugins, 3, timeout);
}

static void test_lifecycle(void) {
  const char *const names[] = { "fake", NULL };
  TsrChassis *c = NULL;
  g_autoptr(GError) error = NULL;

  reset_fakes();
  fakes[0].busy_polls = 3;
  c = make_chassis(names, 10);
  g_assert_true(tsr_chassis_configure(c, &error));
  g_assert_true(tsr_chassis_start(c, &error));
  g_assert_false(tsr_chassis_is_stopping(c));
  g_assert_true(tsr_chassis_run(c, &error));
  g_assert_no_error(error);
  g_assert_true(tsr_chassis_is_stopping(c));
  g_assert_true(fakes[0].stopping_in_stop);
  g_assert_cmpint(g_atomic_int_get(&fakes[0].worker_hello), ==, 3);
  tsr_chassis_free(c);
  g_assert_cmpstr(fakes[0].calls->str, ==, "create,configure(3),start,stop,active,active,active,active,destroy");
}

static void test_shutdown_timeout(void) {
  const char *const names[] = { "fake", NULL };
  TsrChassis *c = NULL;
  gint64 t0 = 0;

  reset_fakes();
  fakes[0].busy_polls = G_MAXUINT;
  c = make_chassis(names, 0);
  g_assert_true(tsr_chassis_start(c, NULL));
  t0 = g_get_monotonic_time();
  g_assert_true(tsr_chassis_run(c, NULL)); /* logs a warning: see main() */
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
  tsr_chassis_free(c);
}

static void test_start_fails(void) {
  const char *const names[] = { "fake", "fake2", NULL };
  TsrChassis *c = NULL;
  g_autoptr(GError) error = NULL;

  reset_fakes();
  fakes[1].fail_start = TRUE;
  c = make_chassis(names, 10);
  g_assert_false(tsr_chassis_start(c, &error));
  g_assert_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN);
  g_assert_cmpstr(error->message, ==, "plugin 'fake2': no port for you");
  tsr_chassis_free(c);
  /* the first was started, so it is stopped; both are destroyed, last first */
  g_assert_cmpstr(fakes[0].calls->str, ==, "create,start,stop,destroy");
  g_assert_cmpstr(fakes[1].calls->str, ==, "create,start,destroy");
}

int main(int argc, char **argv) {
  int result = 0;

  g_test_init(&argc, &argv, NULL);
  /* The shutdown timeout test makes the chassis warn; g_test_init made
   * warnings fatal (and expecting messages does not catch structured ones
   * in GLib 2.74). */
  g_log_set_always_fatal(G_LOG_FATAL_MASK);
  g_test_add_func("/chassis/workers/run-on", test_workers);
  g_test_add_func("/chassis/workers/quick-stop", test_workers_quick_stop);
  g_test_add_func("/chassis/lifecycle/graceful-stop", test_lifecycle);
  g_test_add_func("/chassis/lifecycle/shutdown-timeout", test_shutdown_timeout);
  g_test_add_func("/chassis/lifecycle/start-fails", test_start_fails);
  result = g_test_run();
  reset_fakes();
  for (gsize i = 0; i < G_N_ELEMENTS(fakes); i++)
    g_string_free(fakes[i].calls, TRUE);
  libevent_global_shutdown();
  return result;
}
