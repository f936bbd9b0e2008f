/* test-plugin.c: libtsrtest.so, a harmless external plugin for the chassis
 * tests. It opens nothing; it logs what the chassis makes it do:
 *   "tsrtest: configured", "tsrtest: started on N workers",
 *   "tsrtest: worker I says hello" (from worker I's thread),
 *   "tsrtest: stopping", "tsrtest: worker I stops", "tsrtest: destroyed".
 * Options: --test-active-ms=N (active_count() is 1 for N ms after stop()),
 * --test-fail=configure|start (that step fails), --test-words=LIST. */
#include <string.h>

#include <gmodule.h>

#include "chassis/chassis-plugin.h"

#define TEST_ERROR (g_quark_from_static_string("tsrtest"))

typedef struct {
  gint active_ms;
  char *fail;
  char **words;
  TsrChassis *chassis;
  gint64 stopped_at;       /* monotonic usec; 0 before stop() */
  guint worker_ids[1024];  /* data for the worker calls */
  GOptionEntry entries[4];
} TestState;

static gpointer test_create(void) {
  return g_new0(TestState, 1);
}

static const GOptionEntry *test_options(gpointer data) {
  TestState *s = data;
  const GOptionEntry proto[] = {
    { "test-active-ms", 0, 0, G_OPTION_ARG_INT, &s->active_ms, "Commands run this long after stop()", "MS" },
    { "test-fail", 0, 0, G_OPTION_ARG_STRING, &s->fail, "Fail in configure or start", "STEP" },
    { "test-words", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &s->words, "Words to log at start", "LIST" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  memcpy(s->entries, proto, sizeof proto);
  return s->entries;
}

static gboolean test_configure(gpointer data, TsrChassis *chassis, GError **error) {
  TestState *s = data;

  if (g_strcmp0(s->fail, "configure") == 0) {
    g_set_error(error, TEST_ERROR, 0, "--test-fail: failing in configure as asked");
    return FALSE;
  }
  g_message("tsrtest: configured");
  return TRUE;
}

static void say_hello(gpointer data) {
  g_message("tsrtest: worker %u says hello", *(guint *)data);
}

static void say_stop(gpointer data) {
  g_message("tsrtest: worker %u stops", *(guint *)data);
}

static gboolean test_start(gpointer data, TsrChassis *chassis, GError **error) {
  TestState *s = data;
  guint n = tsr_chassis_worker_count(chassis);
  g_autofree char *words = s->words != NULL ? g_strjoinv("+", s->words) : g_strdup("");

  if (g_strcmp0(s->fail, "start") == 0) {
    g_set_error(error, TEST_ERROR, 0, "--test-fail: failing in start as asked");
    return FALSE;
  }
  s->chassis = chassis;
  g_message("tsrtest: started on %u workers, words '%s'", n, words);
  for (guint i = 0; i < n && i < G_N_ELEMENTS(s->worker_ids); i++) {
    s->worker_ids[i] = i;
    if (tsr_chassis_worker_base(chassis, i) == NULL || !tsr_chassis_run_on_worker(chassis, i, say_hello, &s->worker_ids[i]))
      g_warning("tsrtest: cannot reach worker %u", i);
  }
  return TRUE;
}

static void test_stop(gpointer data, TsrChassis *chassis) {
  TestState *s = data;

  s->stopped_at = g_get_monotonic_time();
  g_message("tsrtest: stopping (is_stopping %d)", tsr_chassis_is_stopping(chassis));
  for (guint i = 0; i < tsr_chassis_worker_count(chassis) && i < G_N_ELEMENTS(s->worker_ids); i++)
    tsr_chassis_run_on_worker(chassis, i, say_stop, &s->worker_ids[i]);
}

static guint test_active_count(gpointer data) {
  TestState *s = data;

  if (s->stopped_at == 0)
    return 0;
  return g_get_monotonic_time() - s->stopped_at < (gint64)s->active_ms * 1000 ? 1 : 0;
}

static void test_destroy(gpointer data) {
  TestState *s = data;

  g_message("tsrtest: destroyed");
  g_free(s->fail);
  g_strfreev(s->words);
  g_free(s);
}

static const TsrPlugin test_plugin = {
  .abi_version = TSR_PLUGIN_ABI_VERSION,
  .name = "tsrtest",
  .version = "1.0",
  .create = test_create,
  .options = test_options,
  .configure = test_configure,
  .start = test_start,
  .stop = test_stop,
  .active_count = test_active_count,
  .destroy = test_destroy,
};

G_MODULE_EXPORT const TsrPlugin *tsr_plugin_get(void);

const TsrPlugin *tsr_plugin_get(void) {
  return &test_plugin;
}
