/* fuzz-sql.c: fuzz target for the SQL lexer, parser and printer.
 *
 * For any input: tokenize and normalize it; parse it; when it parses, print
 * every statement, parse the printed text again and require the same tree
 * and the same text (the printer's round-trip promise), and walk it.
 * Any broken promise aborts.
 *
 * Built two ways (sql/fuzz/meson.build):
 *  - with fuzz-driver.c, as an ordinary test that runs the target over the
 *    files of sql/fuzz/corpus/ (crashers found by fuzzing are kept there);
 *  - with libFuzzer, by hand:
 *      clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *        $(pkg-config --cflags glib-2.0) sql/fuzz/fuzz-sql.c sql/sql-*.c \
 *        $(pkg-config --libs glib-2.0) -o /tmp/fuzz-sql
 *      /tmp/fuzz-sql -max_total_time=300 /tmp/fuzz-work sql/fuzz/corpus
 */
#include <string.h>
#include "sql/sql-lexer.h"
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"
#include "sql/sql-rewrite.h"
#include "sql/sql-walk.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void require(gboolean ok, const char *what, const char *a, const char *b) {
  if (ok) return;
  g_printerr("fuzz-sql: %s\n  first:  %s\n  second: %s\n", what, a ? a : "", b ? b : "");
  abort();
}

static void check_tokens(const char *q, gsize len, guint flags) {
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  tsr_sql_tokenize(tokens, q, len, flags);
  for (guint i = 0; i < tokens->len; i++) {
    const TsrSqlToken *t = &tokens->tokens[i];
    require((gsize)t->start + t->len <= len && t->len > 0, "token outside the input", NULL, NULL);
  }
  GString *norm = g_string_new(NULL);
  tsr_sql_normalize(norm, q, len, flags);
  g_string_free(norm, TRUE);
}

static void check_stmt(TsrSqlScript *script, TsrSqlStmt *stmt, guint flags) {
  TsrSqlPrintOptions opts = {.flags = flags};
  g_autofree char *dump1 = tsr_sql_dump_stmt(stmt);
  /* under NO_BACKSLASH_ESCAPES strings may hold NUL bytes: keep lengths */
  g_autoptr(GString) sql1 = g_string_new(NULL);
  tsr_sql_print_stmt(sql1, stmt, &opts);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrSqlScript) again = tsr_sql_parse(sql1->str, sql1->len, flags, NULL, &error);
  require(again != NULL, "printed SQL does not parse", sql1->str, error ? error->message : NULL);
  require(again->stmts.len == 1, "printed SQL is not one statement", dump1, sql1->str);
  g_autofree char *dump2 = tsr_sql_dump_stmt(again->stmts.items[0]);
  require(strcmp(dump1, dump2) == 0, "printed SQL parses to another tree", dump1, dump2);
  g_autoptr(GString) sql2 = g_string_new(NULL);
  tsr_sql_print_stmt(sql2, again->stmts.items[0], &opts);
  require(g_string_equal(sql1, sql2), "printing is not stable", sql1->str, sql2->str);
  g_autoptr(GPtrArray) tables = tsr_sql_stmt_tables(stmt);
  if (tables->len > 0) {
    TsrSqlTableRef *t = tables->pdata[0];
    tsr_sql_rename_table(script, stmt, NULL, t->name, NULL, "renamed_t");
    g_autoptr(GString) renamed = g_string_new(NULL);
    tsr_sql_print_stmt(renamed, stmt, &opts);
  }
}

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size) {
  const char *q = (const char *)data;
  for (guint flags = 0; flags <= TSR_SQL_LEX_NO_BACKSLASH_ESCAPES; flags++) {
    check_tokens(q, size, flags);
    g_autoptr(GError) error = NULL;
    g_autoptr(TsrSqlScript) script = tsr_sql_parse(q, size, flags, NULL, &error);
    if (!script) continue;
    for (guint i = 0; i < script->stmts.len; i++) check_stmt(script, script->stmts.items[i], flags);
  }
  return 0;
}
