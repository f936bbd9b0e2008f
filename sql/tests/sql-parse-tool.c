/* sql-parse-tool.c: parses SQL and prints, for each statement, its dump and
 * its printed SQL. Used by check_printer_mariadb.py and by hand.
 *
 * Usage: sql-parse-tool [--parens] [--lines] [QUERY]
 *   --parens: print every operator expression in parentheses.
 *   QUERY given: parse it. --lines: read stdin, one query per line, and
 *   print one line per query: "OK\t<kinds>\t<params>\t<printed SQL>"
 *   (kinds: the statements' kinds joined by ','; params: placeholders in
 *   all; statements joined by "; ", newlines made blanks) or
 *   "ERR\t<message>". */
#include <stdio.h>
#include <string.h>
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"

static TsrSqlPrintOptions options;

static void one_line(const char *q) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrSqlScript) script = tsr_sql_parse(q, strlen(q), 0, NULL, &error);
  if (!script) {
    printf("ERR\t%s\n", error->message);
    return;
  }
  GString *out = g_string_new(NULL), *kinds = g_string_new(NULL);
  guint params = 0;
  for (guint i = 0; i < script->stmts.len; i++) {
    TsrSqlStmt *stmt = script->stmts.items[i];
    if (i > 0) {
      g_string_append(out, "; ");
      g_string_append_c(kinds, ',');
    }
    tsr_sql_print_stmt(out, stmt, &options);
    g_string_append(kinds, tsr_sql_stmt_kind_name(stmt->kind));
    params += stmt->n_params;
  }
  for (gsize i = 0; i < out->len; i++)
    if (out->str[i] == '\n') out->str[i] = ' ';
  printf("OK\t%s\t%u\t%s\n", kinds->str, params, out->str);
  g_string_free(out, TRUE);
  g_string_free(kinds, TRUE);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--parens") == 0) {
    options.all_parens = TRUE;
    argv++;
    argc--;
  }
  if (argc == 2 && strcmp(argv[1], "--lines") == 0) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
      if (line[n - 1] == '\n') line[n - 1] = '\0';
      one_line(line);
    }
    free(line);
    return 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: sql-parse-tool [--lines] QUERY\n");
    return 2;
  }
  gsize off = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrSqlScript) script = tsr_sql_parse(argv[1], strlen(argv[1]), 0, &off, &error);
  if (!script) {
    printf("error (offset %zu): %s\n", off, error->message);
    return 1;
  }
  for (guint i = 0; i < script->stmts.len; i++) {
    g_autofree char *dump = tsr_sql_dump_stmt(script->stmts.items[i]);
    g_autofree char *sql = tsr_sql_stmt_to_sql(script->stmts.items[i], &options);
    printf("%s\n%s\n", dump, sql);
  }
  return 0;
}
