/* test-sql-roundtrip.c: every query of the corpus (the .sql files of corpus/, one query
 * a line; blank lines and lines starting with "-- " are skipped) parses,
 * prints, and parses again to the same tree; printing is stable. */
#include <string.h>
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"
#include "sql/sql-walk.h"

/* Returns NULL when `q` round-trips, else what went wrong. */
static char *roundtrip(const char *q) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrSqlScript) s1 = tsr_sql_parse(q, strlen(q), 0, NULL, &error);
  if (!s1) return g_strdup_printf("parse: %s", error->message);
  for (guint i = 0; i < s1->stmts.len; i++) {
    TsrSqlStmt *stmt = s1->stmts.items[i];
    g_autofree char *dump1 = tsr_sql_dump_stmt(stmt);
    g_autofree char *sql1 = tsr_sql_stmt_to_sql(stmt, NULL);
    g_autoptr(TsrSqlScript) s2 = tsr_sql_parse(sql1, strlen(sql1), 0, NULL, &error);
    if (!s2) return g_strdup_printf("reparse of \"%s\": %s", sql1, error->message);
    if (s2->stmts.len != 1) return g_strdup_printf("\"%s\" gives %u statements", sql1, s2->stmts.len);
    g_autofree char *dump2 = tsr_sql_dump_stmt(s2->stmts.items[0]);
    g_autofree char *sql2 = tsr_sql_stmt_to_sql(s2->stmts.items[0], NULL);
    if (strcmp(dump1, dump2) != 0) return g_strdup_printf("printed \"%s\"\n  tree  %s\n  again %s", sql1, dump1, dump2);
    if (strcmp(sql1, sql2) != 0) return g_strdup_printf("printing is not stable: \"%s\" then \"%s\"", sql1, sql2);
  }
  return NULL;
}

static gint compare_paths(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_file(gconstpointer data) {
  const char *path = data;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  guint failures = 0, n = 0;
  for (guint i = 0; lines[i]; i++) {
    const char *q = lines[i];
    if (q[0] == '\0' || g_str_has_prefix(q, "-- ")) continue;
    n++;
    g_autofree char *why = roundtrip(q);
    if (why) {
      failures++;
      g_printerr("%s:%u: %s\n  query: %s\n", path, i + 1, why, q);
    }
  }
  g_test_message("%s: %u queries", path, n);
  g_assert_cmpuint(n, >, 0);
  g_assert_cmpuint(failures, ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  const char *dir = g_getenv("SQL_CORPUS_DIR");
  if (!dir) dir = "corpus";
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
  for (const char *name; (name = g_dir_read_name(d));)
    if (g_str_has_suffix(name, ".sql")) g_ptr_array_add(files, g_build_filename(dir, name, NULL));
  g_ptr_array_sort(files, compare_paths);
  for (guint i = 0; i < files->len; i++) {
    g_autofree char *test = g_strdup_printf("/sql/roundtrip/%s", strrchr(files->pdata[i], '/') + 1);
    g_test_add_data_func(test, files->pdata[i], check_file);
  }
  int rc = g_test_run();
  g_ptr_array_unref(files);
  return rc;
}
