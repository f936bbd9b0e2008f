/* test-admin-tables.c: the registry of admin tables, the rows they answer
 * with, and the backends table. */
#include <string.h>
#include "core/admin-tables.h"
#include "core/core-error.h"

static const char *const two_columns[] = {"id", "label", NULL};

/* A fill that appends data->n rows: (i, "row i") and a NULL label for odd i. */
typedef struct {
  gint n;
  gint calls;      /* atomic: fills begun */
  gint finished;   /* atomic: fills ended */
  gint sleep_usec; /* to hold the read lock a while */
} Counter;

static void counter_fill(gpointer data, TsrAdminRows *out) {
  Counter *c = data;
  g_atomic_int_inc(&c->calls);
  if (c->sleep_usec) g_usleep((gulong)c->sleep_usec);
  for (gint i = 0; i < c->n; i++) {
    g_autofree char *label = g_strdup_printf("row %d", i);
    tsr_admin_rows_add_int(out, i);
    tsr_admin_rows_add_text(out, i % 2 ? NULL : label);
  }
  g_atomic_int_inc(&c->finished);
}

static void test_register_query_unregister(void) {
  Counter c = {.n = 3};
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAdminRows) rows = NULL;

  g_assert_true(tsr_admin_table_register("Things", two_columns, counter_fill, &c, &error));
  g_assert_no_error(error);
  rows = tsr_admin_table_query("tHINGS");
  g_assert_nonnull(rows);
  g_assert_cmpstr(tsr_admin_rows_table(rows), ==, "Things");
  g_assert_cmpuint(tsr_admin_rows_n_columns(rows), ==, 2);
  g_assert_cmpstr(tsr_admin_rows_column(rows, 0), ==, "id");
  g_assert_cmpstr(tsr_admin_rows_column(rows, 1), ==, "label");
  g_assert_cmpint(tsr_admin_rows_find_column(rows, "LABEL"), ==, 1);
  g_assert_cmpint(tsr_admin_rows_find_column(rows, "nope"), ==, -1);
  g_assert_cmpuint(tsr_admin_rows_n_rows(rows), ==, 3);
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 0), ==, "0");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 1), ==, "row 0");
  g_assert_null(tsr_admin_rows_value(rows, 1, 1));
  g_assert_cmpstr(tsr_admin_rows_value(rows, 2, 0), ==, "2");
  g_assert_cmpint(c.calls, ==, 1);

  /* Every query asks the fill again: the rows are always current. */
  c.n = 5;
  g_clear_pointer(&rows, tsr_admin_rows_free);
  rows = tsr_admin_table_query("things");
  g_assert_cmpuint(tsr_admin_rows_n_rows(rows), ==, 5);
  g_assert_cmpint(c.calls, ==, 2);

  g_assert_true(tsr_admin_table_unregister("THINGS"));
  g_assert_null(tsr_admin_table_query("things"));
  g_assert_false(tsr_admin_table_unregister("things"));
  g_assert_cmpint(c.calls, ==, 2);
}

static void test_names_sorted(void) {
  Counter c = {0};
  g_auto(GStrv) none = tsr_admin_table_names();
  g_auto(GStrv) names = NULL;

  g_assert_cmpuint(g_strv_length(none), ==, 0);
  g_assert_true(tsr_admin_table_register("shards", two_columns, counter_fill, &c, NULL));
  g_assert_true(tsr_admin_table_register("Backends", two_columns, counter_fill, &c, NULL));
  g_assert_true(tsr_admin_table_register("shard_tables", two_columns, counter_fill, &c, NULL));
  names = tsr_admin_table_names();
  g_assert_cmpuint(g_strv_length(names), ==, 3);
  g_assert_cmpstr(names[0], ==, "Backends");
  g_assert_cmpstr(names[1], ==, "shard_tables");
  g_assert_cmpstr(names[2], ==, "shards");
  g_assert_true(tsr_admin_table_unregister("shards"));
  g_assert_true(tsr_admin_table_unregister("backends"));
  g_assert_true(tsr_admin_table_unregister("shard_tables"));
}

static void assert_refused(const char *name, const char *const *columns, const char *message_part) {
  Counter c = {0};
  g_autoptr(GError) error = NULL;
  g_assert_false(tsr_admin_table_register(name, columns, counter_fill, &c, &error));
  g_assert_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG);
  g_assert_nonnull(strstr(error->message, message_part));
}

static void test_bad_registrations(void) {
  Counter c = {0};
  const char *const none[] = {NULL};
  const char *const twice[] = {"a", "A", NULL};
  const char *const spaced[] = {"a b", NULL};
  char long_name[TSR_ADMIN_NAME_MAX + 2];

  memset(long_name, 'x', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  assert_refused("", two_columns, "is not");
  assert_refused("1st", two_columns, "is not");
  assert_refused("a-b", two_columns, "is not");
  assert_refused("x; DROP", two_columns, "is not");
  assert_refused(long_name, two_columns, "is not");
  long_name[TSR_ADMIN_NAME_MAX] = '\0';
  g_assert_true(tsr_admin_table_register(long_name, two_columns, counter_fill, &c, NULL));
  g_assert_true(tsr_admin_table_unregister(long_name));
  assert_refused("t", none, "no columns");
  assert_refused("t", NULL, "no columns");
  assert_refused("t", twice, "two columns");
  assert_refused("t", spaced, "column name");

  g_assert_true(tsr_admin_table_register("dup", two_columns, counter_fill, &c, NULL));
  assert_refused("DUP", two_columns, "registered already");
  g_assert_true(tsr_admin_table_unregister("dup"));
}

/* The last warning logged (tests log under G_LOG_USE_STRUCTURED, where
 * g_test_expect_message does not see messages). */
static char *last_warning;

static GLogWriterOutput capture_warnings(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                                         gpointer data) {
  if (!(level & G_LOG_LEVEL_WARNING)) return g_log_writer_default(level, fields, n_fields, data);
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp(fields[i].key, "MESSAGE") == 0) {
      g_free(last_warning);
      last_warning = g_strdup(fields[i].value);
    }
  return G_LOG_WRITER_HANDLED;
}

static void short_fill(gpointer data, TsrAdminRows *out) {
  const char *const full[] = {"1", "one"};
  tsr_admin_rows_add_row(out, full);
  tsr_admin_rows_add_text(out, "2");
}

static void test_short_row_completed(void) {
  g_autoptr(TsrAdminRows) rows = NULL;

  g_assert_true(tsr_admin_table_register("short", two_columns, short_fill, NULL, NULL));
  g_clear_pointer(&last_warning, g_free);
  rows = tsr_admin_table_query("short");
  g_assert_nonnull(last_warning);
  g_assert_nonnull(strstr(last_warning, "admin table short: the last row lacks 1 value"));
  g_assert_cmpuint(tsr_admin_rows_n_rows(rows), ==, 2);
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 1), ==, "one");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 1, 0), ==, "2");
  g_assert_null(tsr_admin_rows_value(rows, 1, 1));
  g_assert_true(tsr_admin_table_unregister("short"));
}

/* Unregistering waits for a fill in progress: afterwards its data may go. */
static gpointer slow_query(gpointer data) {
  return tsr_admin_table_query("slow");
}

static void test_unregister_waits_for_fill(void) {
  Counter *c = g_new0(Counter, 1);
  GThread *thread;
  TsrAdminRows *rows;

  c->n = 2;
  c->sleep_usec = 200000;
  g_assert_true(tsr_admin_table_register("slow", two_columns, counter_fill, c, NULL));
  thread = g_thread_new("query", slow_query, NULL);
  while (g_atomic_int_get(&c->calls) == 0) g_usleep(1000);
  g_assert_true(tsr_admin_table_unregister("slow"));
  /* The fill has returned: it will never touch c again. */
  g_assert_cmpint(g_atomic_int_get(&c->finished), ==, 1);
  g_free(c);
  rows = g_thread_join(thread);
  g_assert_nonnull(rows);
  g_assert_cmpuint(tsr_admin_rows_n_rows(rows), ==, 2);
  tsr_admin_rows_free(rows);
}

/* Threads query while others register and unregister tables. */
#define STRESS_ROUNDS 2000

static gpointer stress_register(gpointer data) {
  Counter *c = data;
  for (int i = 0; i < STRESS_ROUNDS; i++) {
    g_assert_true(tsr_admin_table_register("churn", two_columns, counter_fill, c, NULL));
    g_assert_true(tsr_admin_table_unregister("churn"));
  }
  return NULL;
}

static gpointer stress_query(gpointer data) {
  guint found = 0;
  for (int i = 0; i < STRESS_ROUNDS; i++) {
    g_autoptr(TsrAdminRows) rows = tsr_admin_table_query("churn");
    g_auto(GStrv) names = tsr_admin_table_names();
    if (rows) {
      g_assert_cmpuint(tsr_admin_rows_n_rows(rows), ==, 4);
      found++;
    }
    g_assert_cmpuint(g_strv_length(names), <=, 2);
  }
  return GUINT_TO_POINTER(found);
}

static void test_threads(void) {
  Counter c = {.n = 4};
  Counter stay = {.n = 1};
  GThread *threads[4];

  g_assert_true(tsr_admin_table_register("stay", two_columns, counter_fill, &stay, NULL));
  threads[0] = g_thread_new("register", stress_register, &c);
  for (int i = 1; i < 4; i++) threads[i] = g_thread_new("query", stress_query, NULL);
  for (int i = 0; i < 4; i++) g_thread_join(threads[i]);
  g_assert_null(tsr_admin_table_query("churn"));
  g_assert_true(tsr_admin_table_unregister("stay"));
}

static void test_backends_table(void) {
  TsrBackendList *list = tsr_backend_list_new();
  g_autoptr(TsrAdminRows) rows = NULL;

  g_assert_true(tsr_backend_list_add(list, "127.0.0.1:3306", TSR_BACKEND_TYPE_RW, NULL));
  g_assert_true(tsr_backend_list_add(list, "127.0.0.1:3307", TSR_BACKEND_TYPE_RO, NULL));
  tsr_backend_mark_up(tsr_backend_list_get(list, 0));
  g_atomic_int_set(&tsr_backend_list_get(list, 0)->connected_clients, 7);
  tsr_backend_mark_down(tsr_backend_list_get(list, 1));
  g_assert_true(tsr_admin_table_register(TSR_ADMIN_BACKENDS_TABLE, tsr_admin_backends_columns,
                                         tsr_admin_backends_fill, list, NULL));
  rows = tsr_admin_table_query("BACKENDS");
  g_assert_cmpuint(tsr_admin_rows_n_columns(rows), ==, 5);
  g_assert_cmpstr(tsr_admin_rows_column(rows, 0), ==, "backend_ndx");
  g_assert_cmpstr(tsr_admin_rows_column(rows, 4), ==, "connected_clients");
  g_assert_cmpuint(tsr_admin_rows_n_rows(rows), ==, 2);
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 0), ==, "1");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 1), ==, "127.0.0.1:3306");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 2), ==, "up");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 3), ==, "rw");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 0, 4), ==, "7");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 1, 0), ==, "2");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 1, 2), ==, "down");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 1, 3), ==, "ro");
  g_assert_cmpstr(tsr_admin_rows_value(rows, 1, 4), ==, "0");
  g_assert_true(tsr_admin_table_unregister(TSR_ADMIN_BACKENDS_TABLE));
  tsr_backend_list_free(list);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_log_set_writer_func(capture_warnings, NULL, NULL);
  g_test_add_func("/admin-tables/register-query-unregister", test_register_query_unregister);
  g_test_add_func("/admin-tables/names-sorted", test_names_sorted);
  g_test_add_func("/admin-tables/bad-registrations", test_bad_registrations);
  g_test_add_func("/admin-tables/short-row-completed", test_short_row_completed);
  g_test_add_func("/admin-tables/unregister-waits-for-fill", test_unregister_waits_for_fill);
  g_test_add_func("/admin-tables/threads", test_threads);
  g_test_add_func("/admin-tables/backends", test_backends_table);
  return g_test_run();
}
