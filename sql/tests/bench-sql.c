/* bench-sql.c: how long tokenizing, normalizing and parsing one query take
 * (ns per query), by default on sysbench's point select. Not a test.
 *
 * Usage: bench-sql [ITERATIONS] [QUERY] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sql/sql-lexer.h"
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"

static volatile gsize sink;

static double per_query_ns(gint64 start, guint n) {
  return (double)(g_get_monotonic_time() - start) * 1000.0 / n;
}

int main(int argc, char **argv) {
  guint n = argc > 1 ? (guint)atoi(argv[1]) : 1000000;
  const char *q = argc > 2 ? argv[2] : "SELECT c FROM sbtest1 WHERE id=5001";
  gsize len = strlen(q);
  if (n == 0) n = 1;

  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  tsr_sql_tokenize(tokens, q, len, 0); /* warm the tables and buffers */
  gint64 t0 = g_get_monotonic_time();
  for (guint i = 0; i < n; i++) {
    tsr_sql_tokenize(tokens, q, len, 0);
    sink += tokens->len;
  }
  printf("tokenize:      %8.1f ns/query (%u tokens)\n", per_query_ns(t0, n), tokens->len);

  TsrSqlLexer lx;
  TsrSqlToken tok;
  t0 = g_get_monotonic_time();
  for (guint i = 0; i < n; i++) {
    tsr_sql_lexer_init(&lx, q, len, 0);
    while (tsr_sql_lexer_next(&lx, &tok)) sink += tok.len;
  }
  printf("lexer only:    %8.1f ns/query\n", per_query_ns(t0, n));

  GString *out = g_string_sized_new(256);
  t0 = g_get_monotonic_time();
  for (guint i = 0; i < n; i++) {
    g_string_truncate(out, 0);
    tsr_sql_normalize(out, q, len, 0);
    sink += out->len;
  }
  printf("normalize:     %8.1f ns/query -> %s\n", per_query_ns(t0, n), out->str);

  guint np = n / 10 ? n / 10 : 1;
  t0 = g_get_monotonic_time();
  for (guint i = 0; i < np; i++) {
    TsrSqlScript *s = tsr_sql_parse(q, len, 0, NULL, NULL);
    sink += s ? s->stmts.len : 0;
    tsr_sql_script_free(s);
  }
  printf("parse:         %8.1f ns/query\n", per_query_ns(t0, np));

  TsrSqlScript *s = tsr_sql_parse(q, len, 0, NULL, NULL);
  if (s) {
    t0 = g_get_monotonic_time();
    for (guint i = 0; i < np; i++) {
      g_string_truncate(out, 0);
      tsr_sql_print_stmt(out, s->stmts.items[0], NULL);
      sink += out->len;
    }
    printf("print:         %8.1f ns/query\n", per_query_ns(t0, np));
    tsr_sql_script_free(s);
  }
  g_string_free(out, TRUE);
  return 0;
}
