/* test-sql-lexer.c: token streams of tricky inputs, MySQL Proxy 0.8's ids
 * and names, unescaping, first-statement tokens, bare tokens. */
#include <string.h>
#include "sql/sql-lexer.h"

/* "NAME:text NAME:text ..." of every token of `q` (names without "TK_"). */
static char *stream(const char *q, guint flags) {
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  GString *s = g_string_new(NULL);
  tsr_sql_tokenize(tokens, q, strlen(q), flags);
  for (guint i = 0; i < tokens->len; i++) {
    const TsrSqlToken *t = &tokens->tokens[i];
    if (i > 0) g_string_append_c(s, ' ');
    g_string_append_printf(s, "%s:", tsr_sql_token_name(t->id) + 3);
    g_string_append_len(s, t->text, t->text_len);
  }
  return g_string_free(s, FALSE);
}

static void check(const char *q, const char *expected) {
  g_autofree char *got = stream(q, 0);
  g_assert_cmpstr(got, ==, expected);
}

static void test_ids_match_mysql_proxy(void) {
  /* Numbers from MySQL Proxy 0.8's lib/sql-tokenizer.h enum. */
  g_assert_cmpint(TSR_TK_UNKNOWN, ==, 0);
  g_assert_cmpint(TSR_TK_STRING, ==, 7);
  g_assert_cmpint(TSR_TK_LITERAL, ==, 9);
  g_assert_cmpint(TSR_TK_LOGICAL_OR, ==, 27);
  g_assert_cmpint(TSR_TK_SQL_ACCESSIBLE, ==, 28);
  g_assert_cmpint(TSR_TK_SQL_FROM, ==, 105);
  g_assert_cmpint(TSR_TK_SQL_INSERT, ==, 122);
  g_assert_cmpint(TSR_TK_SQL_SELECT, ==, 204);
  g_assert_cmpint(TSR_TK_SQL_WHERE, ==, 253);
  g_assert_cmpint(TSR_TK_SQL_ZEROFILL, ==, 260);
  g_assert_cmpint(TSR_TK_COMMENT_MYSQL, ==, 261);
  g_assert_cmpstr(tsr_sql_token_name(TSR_TK_SQL_SELECT), ==, "TK_SQL_SELECT");
  g_assert_cmpstr(tsr_sql_token_name(TSR_TK_COMMENT_MYSQL), ==, "TK_COMMENT_MYSQL");
  g_assert_cmpstr(tsr_sql_token_name(TSR_TK_SQL_MASTER_SSL_VERIFY_SERVER_CERT), ==, "TK_SQL_MASTER_SSL_VERIFY_SERVER_CERT");
  g_assert_cmpstr(tsr_sql_token_name((TsrSqlTokenId)9999), ==, "TK_UNKNOWN");
  g_assert_cmpint(tsr_sql_keyword_id("select", 6), ==, TSR_TK_SQL_SELECT);
  g_assert_cmpint(tsr_sql_keyword_id("SeLeCt", 6), ==, TSR_TK_SQL_SELECT);
  g_assert_cmpint(tsr_sql_keyword_id("selects", 7), ==, TSR_TK_LITERAL);
  g_assert_cmpint(tsr_sql_keyword_id("begin", 5), ==, TSR_TK_LITERAL);
  g_assert_cmpint(tsr_sql_keyword_id("", 0), ==, TSR_TK_LITERAL);
  /* every keyword's name maps back to its id */
  for (guint id = TSR_TK_SQL_FIRST; id <= TSR_TK_SQL_LAST; id++) {
    const char *word = tsr_sql_token_name(id) + strlen("TK_SQL_");
    g_assert_cmpint(tsr_sql_keyword_id(word, strlen(word)), ==, id);
  }
}

static void test_basic_stream(void) {
  check("SELECT a, b.c FROM t WHERE x >= 1.5 AND y <> 'z'",
        "SQL_SELECT:SELECT LITERAL:a COMMA:, LITERAL:b DOT:. LITERAL:c SQL_FROM:FROM LITERAL:t SQL_WHERE:WHERE "
        "LITERAL:x GE:>= FLOAT:1.5 SQL_AND:AND LITERAL:y NE:<> STRING:z");
  check("count(*) + COUNT (1)", "FUNCTION:count OBRACE:( STAR:* CBRACE:) PLUS:+ LITERAL:COUNT OBRACE:( INTEGER:1 CBRACE:)");
  check("a IN(1) b in (2)", "LITERAL:a FUNCTION:IN OBRACE:( INTEGER:1 CBRACE:) LITERAL:b SQL_IN:in OBRACE:( INTEGER:2 CBRACE:)");
  check("", "");
  check("   \n\t ", "");
}

static void test_operators(void) {
  check("<=> <= <> << < >= >> > = != ! := || | && & ^ ~ + - * / % ( ) ; , . ?",
        "NULLSAFE_EQ:<=> LE:<= NE:<> SHIFT_LEFT:<< LT:< GE:>= SHIFT_RIGHT:>> GT:> EQ:= NE:!= NOT:! ASSIGN::= "
        "LOGICAL_OR:|| BITWISE_OR:| LOGICAL_AND:&& BITWISE_AND:& BITWISE_XOR:^ BITWISE_NOT:~ PLUS:+ MINUS:- "
        "STAR:* DIV:/ MOD:% OBRACE:( CBRACE:) SEMICOLON:; COMMA:, DOT:. PLACEHOLDER:?");
  check("a=-1", "LITERAL:a EQ:= MINUS:- INTEGER:1");
  check(": { }", "UNKNOWN:: UNKNOWN:{ UNKNOWN:}");
}

static void test_strings(void) {
  check("'it''s' \"say \"\"hi\"\"\" 'a\\'b' 'c\\\\' ''", "STRING:it's STRING:say \"hi\" STRING:a\\'b STRING:c\\\\ STRING:");
  check("'mixed \" quote' \"and ' this\"", "STRING:mixed \" quote STRING:and ' this");
  check("x'1F' X'ab' b'0101' 0x1F 0b11 0xZZ", "STRING:1F STRING:ab STRING:0101 INTEGER:0x1F INTEGER:0b11 LITERAL:0xZZ");
  check("_utf8mb4'x' N'y'", "LITERAL:_utf8mb4 STRING:x LITERAL:N STRING:y");
  /* NO_BACKSLASH_ESCAPES: a backslash ends nothing */
  g_autofree char *nbe = stream("'a\\' 'b'", TSR_SQL_LEX_NO_BACKSLASH_ESCAPES);
  g_assert_cmpstr(nbe, ==, "STRING:a\\ STRING:b");
  g_autofree char *ansi = stream("\"col\" 'str'", TSR_SQL_LEX_ANSI_QUOTES);
  g_assert_cmpstr(ansi, ==, "LITERAL:col STRING:str");
}

static void test_identifiers(void) {
  check("`select` `a``b` `x.y`.z", "LITERAL:select LITERAL:a`b LITERAL:x.y DOT:. LITERAL:z");
  check("t.select t.1col db.t.c", "LITERAL:t DOT:. SQL_SELECT:select LITERAL:t DOT:. LITERAL:1col LITERAL:db DOT:. LITERAL:t DOT:. LITERAL:c");
  check("1abc $x _y caf\xc3\xa9", "LITERAL:1abc LITERAL:$x LITERAL:_y LITERAL:caf\xc3\xa9");
  check("@a @@version @@session.autocommit @'q' @`r`",
        "LITERAL:@a LITERAL:@@version LITERAL:@@session DOT:. LITERAL:autocommit LITERAL:@ STRING:q LITERAL:@ LITERAL:r");
}

static void test_numbers(void) {
  check("1 1.5 .5 1. 1e5 1.5E-3 2e+2 1e", "INTEGER:1 FLOAT:1.5 FLOAT:.5 FLOAT:1. FLOAT:1e5 FLOAT:1.5E-3 FLOAT:2e+2 LITERAL:1e");
  check("1e+1e 1.5abc", "FLOAT:1e+1 LITERAL:e FLOAT:1.5 LITERAL:abc");
  check("LIMIT 10,20", "SQL_LIMIT:LIMIT INTEGER:10 COMMA:, INTEGER:20");
  check("a.5", "LITERAL:a DOT:. LITERAL:5");
}

static void test_comments(void) {
  check("SELECT /* c1 */ 1 -- c2\n# c3\n, 2", "SQL_SELECT:SELECT COMMENT: c1  INTEGER:1 COMMENT:c2 COMMENT: c3 COMMA:, INTEGER:2");
  check("SELECT /*!40001 SQL_NO_CACHE */ 1", "SQL_SELECT:SELECT COMMENT_MYSQL:40001 SQL_NO_CACHE  INTEGER:1");
  check("1--2", "INTEGER:1 MINUS:- MINUS:- INTEGER:2");
  check("1 --\n2", "INTEGER:1 COMMENT: INTEGER:2");
  check("1 -- end", "INTEGER:1 COMMENT:end");
  check("--", "COMMENT:");
  check("a /*+ hint */ b", "LITERAL:a COMMENT:+ hint  LITERAL:b");
}

static void test_unterminated(void) {
  const char *inputs[] = {"'abc", "\"abc", "`abc", "/* abc", "'ab\\", "/*! 1"};
  for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
    g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
    tsr_sql_tokenize(tokens, inputs[i], strlen(inputs[i]), 0);
    g_assert_cmpuint(tokens->len, ==, 1);
    g_assert_true(tokens->tokens[0].flags & TSR_SQL_TOKEN_UNTERMINATED);
    g_assert_cmpuint(tokens->tokens[0].start + tokens->tokens[0].len, ==, strlen(inputs[i]));
  }
}

static void test_positions(void) {
  const char *q = "SELECT  'a''b', x FROM t";
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  tsr_sql_tokenize(tokens, q, strlen(q), 0);
  g_assert_cmpuint(tokens->len, ==, 6);
  g_assert_cmpuint(tokens->tokens[1].start, ==, 8);
  g_assert_cmpuint(tokens->tokens[1].len, ==, 6);
  g_assert_true(tokens->tokens[1].flags & TSR_SQL_TOKEN_SPACE_BEFORE);
  g_assert_false(tokens->tokens[2].flags & TSR_SQL_TOKEN_SPACE_BEFORE);
  g_assert_cmpuint(tokens->tokens[5].start, ==, 23);
}

static void test_unescape(void) {
  char out[64];
  const char *in = "a\\'b\\\\c\\nd\\%e\\_f\\0g\\Zh''i\\q";
  gsize n = tsr_sql_unescape(in, strlen(in), '\'', 0, out);
  g_assert_cmpmem(out, n, "a'b\\c\nd\\%e\\_f\0g\032h'iq", 20);
  n = tsr_sql_unescape("a\\'b''c", 7, '\'', TSR_SQL_LEX_NO_BACKSLASH_ESCAPES, out);
  g_assert_cmpmem(out, n, "a\\'b'c", 6);
  n = tsr_sql_unescape("a``b\\n", 6, '`', 0, out);
  g_assert_cmpmem(out, n, "a`b\\n", 5);
}

static void test_first_stmt_and_bare(void) {
  const char *q = "/* lead */ -- x\n commit /* tail */";
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  tsr_sql_tokenize(tokens, q, strlen(q), 0);
  const TsrSqlToken *first = tsr_sql_tokens_first_stmt(tokens);
  g_assert_nonnull(first);
  g_assert_cmpint(first->id, ==, TSR_TK_LITERAL);
  g_assert_cmpmem(first->text, first->text_len, "commit", 6);
  g_autoptr(GPtrArray) bare = tsr_sql_tokens_bare(tokens);
  g_assert_cmpuint(bare->len, ==, 1);
  g_assert_true(bare->pdata[0] == first);

  const char *word = NULL;
  gsize len = 0;
  g_assert_cmpint(tsr_sql_first_stmt_token_id(q, strlen(q), 0, &word, &len), ==, TSR_TK_LITERAL);
  g_assert_cmpmem(word, len, "commit", 6);
  const char *q2 = "/*!40101 SET NAMES utf8 */";
  g_assert_cmpint(tsr_sql_first_stmt_token_id(q2, strlen(q2), 0, NULL, NULL), ==, TSR_TK_SQL_SET);
  g_assert_cmpint(tsr_sql_first_stmt_token_id("  ", 2, 0, NULL, NULL), ==, TSR_TK_UNKNOWN);
  g_assert_cmpint(tsr_sql_first_stmt_token_id("select(1)", 9, 0, NULL, NULL), ==, TSR_TK_SQL_SELECT);
  g_assert_cmpint(tsr_sql_first_stmt_token_id("begin", 5, 0, NULL, NULL), ==, TSR_TK_LITERAL);

  tsr_sql_tokenize(tokens, "-- only", 7, 0);
  g_assert_null(tsr_sql_tokens_first_stmt(tokens));
}

static void test_reuse(void) {
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  tsr_sql_tokenize(tokens, "SELECT 'a''b' FROM t1", 21, 0);
  g_assert_cmpuint(tokens->len, ==, 4);
  g_assert_cmpmem(tokens->tokens[1].text, tokens->tokens[1].text_len, "a'b", 3);
  tsr_sql_tokenize(tokens, "x", 1, 0);
  g_assert_cmpuint(tokens->len, ==, 1);
  g_assert_cmpmem(tokens->tokens[0].text, 1, "x", 1);
}

/* Random bytes, weighted to SQL's special characters, never crash the
 * lexer and every token lies inside the input. */
static void test_random_input(void) {
  static const char alphabet[] = "'\"`\\/*-#!@.0123456789xXbBeE+-<>=|&^~:;?(),aZ_$ \n\t\x80\xff";
  GRand *rand = g_rand_new_with_seed(42);
  g_autoptr(TsrSqlTokens) tokens = tsr_sql_tokens_new();
  GString *out = g_string_new(NULL);
  for (guint round = 0; round < 20000; round++) {
    char buf[48];
    gsize len = (gsize)g_rand_int_range(rand, 0, sizeof(buf));
    for (gsize i = 0; i < len; i++) buf[i] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
    tsr_sql_tokenize(tokens, buf, len, (guint)g_rand_int_range(rand, 0, 8));
    for (guint i = 0; i < tokens->len; i++) {
      const TsrSqlToken *t = &tokens->tokens[i];
      g_assert_cmpuint((gsize)t->start + t->len, <=, len);
      g_assert_cmpuint(t->len, >, 0);
      g_assert_cmpint(t->id, <, TSR_TK_LAST_TOKEN);
    }
    g_string_truncate(out, 0);
    tsr_sql_normalize(out, buf, len, 0);
  }
  g_string_free(out, TRUE);
  g_rand_free(rand);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sql/lexer/ids", test_ids_match_mysql_proxy);
  g_test_add_func("/sql/lexer/basic", test_basic_stream);
  g_test_add_func("/sql/lexer/operators", test_operators);
  g_test_add_func("/sql/lexer/strings", test_strings);
  g_test_add_func("/sql/lexer/identifiers", test_identifiers);
  g_test_add_func("/sql/lexer/numbers", test_numbers);
  g_test_add_func("/sql/lexer/comments", test_comments);
  g_test_add_func("/sql/lexer/unterminated", test_unterminated);
  g_test_add_func("/sql/lexer/positions", test_positions);
  g_test_add_func("/sql/lexer/unescape", test_unescape);
  g_test_add_func("/sql/lexer/first-stmt-bare", test_first_stmt_and_bare);
  g_test_add_func("/sql/lexer/reuse", test_reuse);
  g_test_add_func("/sql/lexer/random", test_random_input);
  return g_test_run();
}
