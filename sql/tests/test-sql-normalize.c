/* test-sql-normalize.c: MySQL Proxy's normalized query form. */
#include <string.h>
#include "sql/sql-lexer.h"

static void check(const char *q, const char *expected) {
  GString *out = g_string_new(NULL);
  tsr_sql_normalize(out, q, strlen(q), 0);
  g_assert_cmpstr(out->str, ==, expected);
  /* the token-list form gives the same */
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  tsr_sql_tokenize(tokens, q, strlen(q), 0);
  g_string_truncate(out, 0);
  tsr_sql_normalize_tokens(out, tokens);
  g_assert_cmpstr(out->str, ==, expected);
  g_string_free(out, TRUE);
}

static void test_literals(void) {
  check("select * from t where id=1", "SELECT * FROM `t` WHERE `id` = ? ");
  check("SELECT c FROM sbtest1 WHERE id = 5001", "SELECT `c` FROM `sbtest1` WHERE `id` = ? ");
  check("select 'a', \"b\", 1.5, 1e3, 0x1F, x'AB', ?", "SELECT ? , ? , ? , ? , ? , ? , ? ");
  check("SELECT a FROM t WHERE b IN (1, 2, 3)", "SELECT `a` FROM `t` WHERE `b` IN ( ? , ? , ? ) ");
  check("select -1", "SELECT - ? ");
}

static void test_case_and_space(void) {
  check("  sElEcT\n\tA\n  FrOm  `T`   wHeRe  x=   'y'  ", "SELECT `A` FROM `T` WHERE `x` = ? ");
  check("select count(*) from t", "SELECT COUNT( * ) FROM `t` ");
  check("select a<=>b, c!=d", "SELECT `a` <=> `b` , `c` != `d` ");
}

static void test_comments_and_statement_words(void) {
  check("/* x */ select 1 -- y", "SELECT ? ");
  check("SELECT /*!40001 SQL_NO_CACHE */ * FROM t", "SELECT /*!40001 SQL_NO_CACHE */ * FROM `t` ");
  check("commit", "COMMIT ");
  check("begin", "BEGIN ");
  check("start transaction", "START TRANSACTION ");
  check("rollback", "ROLLBACK ");
  check("select begin", "SELECT `begin` ");
  check("select @a, @@version", "SELECT @a , @@version ");
  check("select `a``b`", "SELECT `a``b` ");
}

static void test_same_pattern(void) {
  const char *a = "SELECT c FROM sbtest1 WHERE id=10";
  const char *b = "select c\nfrom sbtest1 where id = 99999";
  GString *na = g_string_new(NULL), *nb = g_string_new(NULL);
  tsr_sql_normalize(na, a, strlen(a), 0);
  tsr_sql_normalize(nb, b, strlen(b), 0);
  g_assert_cmpstr(na->str, ==, nb->str);
  g_string_free(na, TRUE);
  g_string_free(nb, TRUE);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sql/normalize/literals", test_literals);
  g_test_add_func("/sql/normalize/case-and-space", test_case_and_space);
  g_test_add_func("/sql/normalize/comments-statement-words", test_comments_and_statement_words);
  g_test_add_func("/sql/normalize/same-pattern", test_same_pattern);
  return g_test_run();
}
