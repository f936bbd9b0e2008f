/* test-sql-parser.c: trees of single statements (precedence, every clause,
 * every statement kind) and errors with their positions. */
#include <string.h>
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"

static TsrSqlScript *parse_ok(const char *q) {
  g_autoptr(GError) error = NULL;
  TsrSqlScript *script = tsr_sql_parse(q, strlen(q), 0, NULL, &error);
  if (!script) g_error("parsing \"%s\" failed: %s", q, error->message);
  return script;
}

/* The dump of the first select item of "SELECT <e>". */
static void check_expr(const char *e, const char *expected) {
  g_autofree char *q = g_strconcat("SELECT ", e, NULL);
  g_autoptr(TsrSqlScript) script = parse_ok(q);
  TsrSqlStmt *stmt = tsr_sql_script_stmt(script, 0);
  g_assert_cmpint(stmt->kind, ==, TSR_SQL_STMT_SELECT);
  TsrSqlSelectItem *item = stmt->select->items.items[0];
  g_autofree char *dump = tsr_sql_dump_expr(item->expr);
  g_assert_cmpstr(dump, ==, expected);
}

/* The printed SQL of the only statement of q. */
static void check_print(const char *q, const char *expected) {
  g_autoptr(TsrSqlScript) script = parse_ok(q);
  g_assert_cmpuint(script->stmts.len, ==, 1);
  g_autofree char *sql = tsr_sql_stmt_to_sql(tsr_sql_script_stmt(script, 0), NULL);
  g_assert_cmpstr(sql, ==, expected);
}

static void check_dump(const char *q, const char *expected) {
  g_autoptr(TsrSqlScript) script = parse_ok(q);
  g_autofree char *dump = tsr_sql_dump_stmt(tsr_sql_script_stmt(script, 0));
  g_assert_cmpstr(dump, ==, expected);
}

static void test_precedence(void) {
  check_expr("1 + 2 * 3", "(+ (int \"1\") (* (int \"2\") (int \"3\")))");
  check_expr("1 - 2 - 3", "(- (- (int \"1\") (int \"2\")) (int \"3\"))");
  check_expr("a OR b AND c", "(OR (col - - a) (AND (col - - b) (col - - c)))");
  check_expr("a AND b AND c OR d", "(OR (AND (col - - a) (col - - b) (col - - c)) (col - - d))");
  check_expr("a || b && c", "(OR (col - - a) (AND (col - - b) (col - - c)))");
  check_expr("NOT a = b", "(NOT (= (col - - a) (col - - b)))");
  check_expr("!a = b", "(= (! (col - - a)) (col - - b))");
  check_expr("a = b = c", "(= (= (col - - a) (col - - b)) (col - - c))");
  check_expr("a | b & c << 1 + 2 * 3 ^ 4",
             "(| (col - - a) (& (col - - b) (<< (col - - c) (+ (int \"1\") (* (int \"2\") (^ (int \"3\") (int \"4\")))))))");
  check_expr("- a * b", "(* (- (col - - a)) (col - - b))");
  check_expr("-5 * -a", "(* (int \"-5\") (- (col - - a)))");
  check_expr("x BETWEEN 1 AND 2 AND y", "(AND (between (col - - x) (int \"1\") (int \"2\")) (col - - y))");
  check_expr("a IN (1, 2) = TRUE", "(= (in (col - - a) (list (int \"1\") (int \"2\"))) (true))");
  check_expr("a = b IS NULL", "(is null (= (col - - a) (col - - b)))");
  check_expr("a NOT LIKE 'x%' ESCAPE '!'", "(not-like (col - - a) (str \"x%\") (str \"!\"))");
  check_expr("a XOR b XOR c", "(XOR (col - - a) (col - - b) (col - - c))");
  check_expr("@x := 1 + 1", "(:= (@ scope0 x) (+ (int \"1\") (int \"1\")))");
  check_expr("a COLLATE utf8mb4_bin = b", "(= (collate (col - - a) utf8mb4_bin) (col - - b))");
  check_expr("d + INTERVAL 1 DAY", "(+ (col - - d) (interval (int \"1\") DAY))");
  check_expr("a > ALL (SELECT b FROM t)", "(> all (col - - a) (subquery (select opts0 (col - - b) (from (table - t -)))))");
}

static void test_expressions(void) {
  check_expr("CASE WHEN a THEN 1 ELSE 2 END", "(case - (when (col - - a) (int \"1\")) (int \"2\"))");
  check_expr("CASE a WHEN 1 THEN 'x' END", "(case (col - - a) (when (int \"1\") (str \"x\")) -)");
  check_expr("COUNT(*)", "(func - COUNT agg1 * (args))");
  check_expr("count(DISTINCT a, b)", "(func - count agg1 distinct (args (col - - a) (col - - b)))");
  check_expr("SUM(x) / COUNT(x)", "(/ (func - SUM agg2 (args (col - - x))) (func - COUNT agg1 (args (col - - x))))");
  check_expr("db.f(1)", "(func db f (args (int \"1\")))");
  check_expr("IF(a, LEFT(b, 2), REPLACE(c, 'x', 'y'))",
             "(func - IF (args (col - - a) (func - LEFT (args (col - - b) (int \"2\"))) (func - REPLACE (args (col - - c) (str \"x\") (str \"y\")))))");
  check_expr("CAST(a AS UNSIGNED)", "(func - CAST cast UNSIGNED (args (col - - a)))");
  check_expr("(1, 2)", "(row (int \"1\") (int \"2\"))");
  check_expr("((1))", "(int \"1\")");
  check_expr("EXISTS (SELECT 1)", "(exists (select opts0 (int \"1\")))");
  check_expr("? + ?", "(+ (? 0) (? 1))");
  check_expr("@@global.max_connections", "(@@ scope1 at max_connections)");
  check_expr("@`odd name`", "(@ scope0 odd name)");
  check_expr("s.t.c", "(col s t c)");
  check_expr("t.*", "(star - t)");
  check_expr("'a' \"b\" 'c'", "(str \"abc\")");
  check_expr("'it''s\\n'", "(str \"it's\\n\")");
  check_expr("_binary'\\0x'", "(str \"\\\\0x\" _binary)");
  check_expr("TRUE IS NOT UNKNOWN", "(is-not unknown (true))");
  check_expr("MATCH (a, b) AGAINST ('x' IN BOOLEAN MODE)", "(match (cols (col - - a) (col - - b)) (str \"x\") IN BOOLEAN MODE)");
  check_expr("date", "(col - - date)");
  check_expr("DATE('2020-01-01')", "(func - DATE (args (str \"2020-01-01\")))");
  check_expr("x NOT IN (SELECT y FROM t)", "(not-in (col - - x) (select opts0 (col - - y) (from (table - t -))))");
  check_expr("0x1F + 1.50 + 1e3", "(+ (+ (hex \"1F\") (dec \"1.50\")) (float \"1e3\"))");
}

static void test_select_clauses(void) {
  check_dump("SELECT DISTINCT SQL_CALC_FOUND_ROWS a AS x, b y, c 'z' FROM db.t AS t1 FORCE INDEX (i) "
             "WHERE a > 1 GROUP BY a DESC WITH ROLLUP HAVING COUNT(*) > 1 ORDER BY 1 LIMIT 5 OFFSET 10 FOR UPDATE NOWAIT",
             "(SELECT (select opts1025 (col - - a) as:x (col - - b) as:y (col - - c) as:z "
             "(from (table db t t1 (hints FORCE INDEX (i)))) (where (> (col - - a) (int \"1\"))) (group (col - - a) desc) rollup "
             "(having (> (func - COUNT agg1 * (args)) (int \"1\"))) (order (int \"1\")) (limit (int \"5\") (int \"10\")) (lock1 1)) params0)");
  check_dump("SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (y) NATURAL JOIN d, e",
             "(SELECT (select opts0 (star - -) (from (join5 (join2 (join0 (table - a -) (table - b -) "
             "(= (col - a x) (col - b x))) (table - c -) - using:y) (table - d -) -) (table - e -))) params0)");
  check_dump("SELECT * FROM (SELECT 1 AS one) AS d",
             "(SELECT (select opts0 (star - -) (from (derived (select opts0 (int \"1\") as:one) d))) params0)");
  check_dump("SELECT 1 UNION SELECT 2 UNION ALL (SELECT 3 ORDER BY 1 LIMIT 1) ORDER BY 1 DESC LIMIT 2",
             "(SELECT (union (select opts0 (int \"1\")) distinct (select opts0 (int \"2\")) all "
             "(select opts0 (int \"3\") (order (int \"1\")) (limit (int \"1\") -)) (order (int \"1\") desc) (limit (int \"2\") -)) params0)");
  check_dump("SELECT 1 FROM DUAL LOCK IN SHARE MODE", "(SELECT (select opts0 (int \"1\") (from dual) (lock2 0)) params0)");
}

static void test_dml(void) {
  check_dump("INSERT IGNORE INTO t (a, b) VALUES (1, ?), (DEFAULT, 'x') ON DUPLICATE KEY UPDATE b = VALUES(b)",
             "(INSERT opts8 (table - t -) (cols (col - - a) (col - - b)) (row (int \"1\") (? 0)) (row (default) (str \"x\")) "
             "(on-dup (= (col - - b) (func - VALUES (args (col - - b))))) params1)");
  check_dump("REPLACE t SET a = 1", "(REPLACE opts0 (table - t -) (cols) (set (= (col - - a) (int \"1\"))) params0)");
  check_dump("INSERT INTO t SELECT * FROM u", "(INSERT opts0 (table - t -) (cols) (select opts0 (star - -) (from (table - u -))) params0)");
  check_dump("UPDATE LOW_PRIORITY t SET a = a + 1 WHERE id = 3 ORDER BY id LIMIT 1",
             "(UPDATE opts1 (tables (table - t -)) (set (= (col - - a) (+ (col - - a) (int \"1\")))) "
             "(where (= (col - - id) (int \"3\"))) (order (col - - id)) (limit (int \"1\") -) params0)");
  check_dump("UPDATE a JOIN b ON a.id = b.id SET a.x = b.y",
             "(UPDATE opts0 (tables (join0 (table - a -) (table - b -) (= (col - a id) (col - b id)))) (set (= (col - a x) (col - b y))) params0)");
  check_dump("DELETE QUICK FROM t WHERE a = 1 LIMIT 10",
             "(DELETE opts16 (targets) (from (table - t -)) (where (= (col - - a) (int \"1\"))) (limit (int \"10\") -) params0)");
  check_dump("DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id",
             "(DELETE opts0 (targets (table - t1 -)) (from (join0 (table - t1 -) (table - t2 -) (= (col - t1 id) (col - t2 id)))) params0)");
  check_dump("DELETE FROM t1.*, t2 USING t1, t2 WHERE t1.a = t2.a",
             "(DELETE opts0 using (targets (table - t1 -) (table - t2 -)) (from (table - t1 -) (table - t2 -)) "
             "(where (= (col - t1 a) (col - t2 a))) params0)");
}

static void test_other_statements(void) {
  check_print("set names 'utf8mb4'", "SET NAMES utf8mb4");
  check_print("SET autocommit=0", "SET autocommit = 0");
  check_print("set global max_connections = 10, @@session.sql_mode = DEFAULT", "SET GLOBAL max_connections = 10, @@session.sql_mode = DEFAULT");
  check_print("SET TRANSACTION READ ONLY, ISOLATION LEVEL SERIALIZABLE", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY");
  check_print("set character set utf8", "SET CHARACTER SET utf8");
  check_print("use `my db`", "USE `my db`");
  check_print("begin work", "BEGIN WORK");
  check_print("start transaction with consistent snapshot, read only", "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  check_print("commit work and no chain release", "COMMIT WORK AND NO CHAIN RELEASE");
  check_print("rollback", "ROLLBACK");
  check_print("rollback work to sp1", "ROLLBACK WORK TO SAVEPOINT sp1");
  check_print("savepoint `s p`", "SAVEPOINT `s p`");
  check_print("release savepoint s", "RELEASE SAVEPOINT s");
  check_print("xa begin 'g', 'b', 7 join", "XA START 'g', 'b', 7 JOIN");
  check_print("xa end X'0A' suspend for migrate", "XA END X'0A' SUSPEND FOR MIGRATE");
  check_print("xa commit 'g' one phase", "XA COMMIT 'g' ONE PHASE");
  check_print("XA RECOVER CONVERT XID", "XA RECOVER CONVERT XID");
  check_dump("SHOW FULL COLUMNS FROM db.t LIKE 'a%'", "(SHOW FULL (tables (table db t -)) \"SHOW FULL COLUMNS FROM db.t LIKE 'a%'\" params0)");
  check_dump("show variables like 'x'", "(SHOW VARIABLES (tables) \"show variables like 'x'\" params0)");
  check_dump("CREATE UNIQUE INDEX i ON t (a)", "(CREATE INDEX (tables (table - t -)) \"CREATE UNIQUE INDEX i ON t (a)\" params0)");
  check_dump("create table t2 like `t1`", "(CREATE TABLE (tables (table - t2 -) (table - t1 -)) \"create table t2 like t1\" params0)");
  check_dump("ALTER TABLE t /* c */ ADD COLUMN c INT", "(ALTER TABLE (tables (table - t -)) \"ALTER TABLE t ADD COLUMN c INT\" params0)");
  check_dump("DROP TABLE IF EXISTS a, b.c", "(DROP TABLE (tables (table - a -) (table b c -)) \"DROP TABLE IF EXISTS a, b.c\" params0)");
  check_dump("truncate table t", "(TRUNCATE TABLE (tables (table - t -)) \"truncate table t\" params0)");
  check_dump("CALL p(1)", "(OTHER CALL (tables) \"CALL p(1)\" params0)");
  check_dump("/*!40000 LOCK TABLES t WRITE */", "(OTHER LOCK (tables) \"LOCK TABLES t WRITE\" params0)");
}

static void test_script(void) {
  const char *q = "SELECT 1;; /* c */ INSERT INTO t VALUES (?) ; SELECT ?, ?;";
  g_autoptr(TsrSqlScript) script = parse_ok(q);
  g_assert_cmpuint(script->stmts.len, ==, 3);
  TsrSqlStmt *s1 = tsr_sql_script_stmt(script, 1), *s2 = tsr_sql_script_stmt(script, 2);
  g_assert_cmpint(s1->kind, ==, TSR_SQL_STMT_INSERT);
  g_assert_cmpstr(s1->text, ==, "INSERT INTO t VALUES (?)");
  g_assert_cmpuint(s1->n_params, ==, 1);
  g_assert_cmpuint(s2->n_params, ==, 2);
  g_assert_null(tsr_sql_script_stmt(script, 3));

  /* routine bodies keep their semicolons */
  const char *proc = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END";
  g_autoptr(TsrSqlScript) s = parse_ok(proc);
  g_assert_cmpuint(s->stmts.len, ==, 1);
  g_assert_cmpstr(((TsrSqlStmt *)s->stmts.items[0])->text, ==, proc);
}

static void test_executable_comments(void) {
  check_print("SELECT /*!40001 SQL_NO_CACHE */ a FROM t", "SELECT SQL_NO_CACHE a FROM t");
  check_print("/*!40101 SET NAMES utf8 */", "SET NAMES utf8");
  check_print("SELECT 1 /*M!100100 + 1 */", "SELECT 1 + 1");
  check_print("SELECT /* plain */ 1 -- trailing", "SELECT 1");
}

static void check_error(const char *q, TsrSqlErrorCode code, gsize offset, const char *in_message) {
  g_autoptr(GError) error = NULL;
  gsize off = G_MAXSIZE;
  TsrSqlScript *script = tsr_sql_parse(q, strlen(q), 0, &off, &error);
  g_assert_null(script);
  g_assert_error(error, TSR_SQL_ERROR, (gint)code);
  g_assert_cmpuint(off, ==, offset);
  if (!strstr(error->message, in_message)) g_error("\"%s\": message \"%s\" lacks \"%s\"", q, error->message, in_message);
}

static void test_errors(void) {
  check_error("SELECT FROM t", TSR_SQL_ERROR_SYNTAX, 7, "line 1, column 8: expected an expression near 'FROM t'");
  check_error("SELECT a FROM t WHERE", TSR_SQL_ERROR_SYNTAX, 21, "expected an expression at the end of the query");
  check_error("SELECT a\nFROM t\nWHERE a = 'x", TSR_SQL_ERROR_SYNTAX, 26, "line 3, column 11: unterminated string");
  check_error("SELECT (1", TSR_SQL_ERROR_SYNTAX, 9, "expected ')'");
  check_error("INSERT INTO t (a) SET a = 1", TSR_SQL_ERROR_SYNTAX, 18, "expected VALUES, SET or SELECT");
  check_error("SELECT a FROM t LEFT JOIN u", TSR_SQL_ERROR_SYNTAX, 27, "expected ON or USING");
  check_error("SELECT 1 2", TSR_SQL_ERROR_SYNTAX, 9, "expected the end of the statement");
  check_error("UPDATE t SET a = 1 LIMIT 1, 2", TSR_SQL_ERROR_SYNTAX, 26, "expected the end of the statement");
  check_error("WITH x AS (SELECT 1) SELECT * FROM x", TSR_SQL_ERROR_UNSUPPORTED, 0, "WITH");
  check_error("SELECT ROW_NUMBER() OVER (ORDER BY a) FROM t", TSR_SQL_ERROR_UNSUPPORTED, 20, "window functions");
  check_error("SELECT a INTO @x FROM t", TSR_SQL_ERROR_UNSUPPORTED, 9, "INTO");
  check_error("  ;; ", TSR_SQL_ERROR_EMPTY, 0, "no statement");
  check_error("-- nothing", TSR_SQL_ERROR_EMPTY, 0, "no statement");
  check_error("42", TSR_SQL_ERROR_SYNTAX, 0, "expected a statement");
  check_error("SELECT a->'$.x' FROM t", TSR_SQL_ERROR_SYNTAX, 9, "expected an expression");
  check_error("SET x", TSR_SQL_ERROR_SYNTAX, 5, "expected '='");
  check_error("XA START", TSR_SQL_ERROR_SYNTAX, 8, "quoted xid part");
  check_error("SELECT 1 /*!40001 + 1", TSR_SQL_ERROR_SYNTAX, 21, "unterminated executable comment");
}

static void test_depth_limit(void) {
  GString *q = g_string_new("SELECT ");
  for (guint i = 0; i < 5000; i++) g_string_append_c(q, '(');
  g_string_append_c(q, '1');
  for (guint i = 0; i < 5000; i++) g_string_append_c(q, ')');
  g_autoptr(GError) error = NULL;
  TsrSqlScript *script = tsr_sql_parse(q->str, q->len, 0, NULL, &error);
  g_assert_null(script);
  g_assert_error(error, TSR_SQL_ERROR, TSR_SQL_ERROR_TOO_DEEP);
  g_string_free(q, TRUE);

  /* a long chain of + is a deep tree: refused past the limit too */
  q = g_string_new("SELECT 1");
  for (guint i = 0; i < 5000; i++) g_string_append(q, "+1");
  g_clear_error(&error);
  g_assert_null(tsr_sql_parse(q->str, q->len, 0, NULL, &error));
  g_assert_error(error, TSR_SQL_ERROR, TSR_SQL_ERROR_TOO_DEEP);
  g_string_free(q, TRUE);

  /* long AND/OR chains and IN lists are flat: fine at any length */
  q = g_string_new("SELECT * FROM t WHERE a = 0");
  for (guint i = 0; i < 5000; i++) g_string_append_printf(q, " OR a = %u AND b IN (1, 2)", i);
  g_autoptr(TsrSqlScript) ok = parse_ok(q->str);
  TsrSqlExpr *where = ((TsrSqlStmt *)ok->stmts.items[0])->select->where;
  g_assert_cmpint(where->kind, ==, TSR_SQL_EXPR_LOGICAL);
  g_assert_cmpuint(where->logical.args.len, ==, 5001);
  g_string_free(q, TRUE);
}

static void test_flags(void) {
  g_autoptr(GError) error = NULL;
  const char *q = "SELECT 'a\\' FROM \"t\"";
  g_autoptr(TsrSqlScript) s = tsr_sql_parse(q, strlen(q), TSR_SQL_LEX_NO_BACKSLASH_ESCAPES | TSR_SQL_LEX_ANSI_QUOTES, NULL, &error);
  g_assert_no_error(error);
  TsrSqlStmt *stmt = tsr_sql_script_stmt(s, 0);
  g_autofree char *dump = tsr_sql_dump_stmt(stmt);
  g_assert_cmpstr(dump, ==, "(SELECT (select opts0 (str \"a\\\\\") (from (table - t -))) params0)");
  TsrSqlPrintOptions opts = {.flags = TSR_SQL_LEX_NO_BACKSLASH_ESCAPES};
  g_autofree char *sql = tsr_sql_stmt_to_sql(stmt, &opts);
  g_assert_cmpstr(sql, ==, "SELECT 'a\\' FROM t");
  g_autofree char *sql2 = tsr_sql_stmt_to_sql(stmt, NULL);
  g_assert_cmpstr(sql2, ==, "SELECT 'a\\\\' FROM t");
}

static gboolean print_param(GString *out, guint index, gpointer data) {
  if (index == 1) return FALSE;
  g_string_append_printf(out, "%u%s", index * 10, (const char *)data);
  return TRUE;
}

static void test_param_printer(void) {
  g_autoptr(TsrSqlScript) s = parse_ok("SELECT ?, ?, ? FROM t LIMIT ? OFFSET ?");
  TsrSqlPrintOptions opts = {.param = print_param, .param_data = (gpointer)""};
  g_autofree char *sql = tsr_sql_stmt_to_sql(tsr_sql_script_stmt(s, 0), &opts);
  g_assert_cmpstr(sql, ==, "SELECT 0, ?, 20 FROM t LIMIT 30 OFFSET 40");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sql/parser/precedence", test_precedence);
  g_test_add_func("/sql/parser/expressions", test_expressions);
  g_test_add_func("/sql/parser/select-clauses", test_select_clauses);
  g_test_add_func("/sql/parser/dml", test_dml);
  g_test_add_func("/sql/parser/other-statements", test_other_statements);
  g_test_add_func("/sql/parser/script", test_script);
  g_test_add_func("/sql/parser/executable-comments", test_executable_comments);
  g_test_add_func("/sql/parser/errors", test_errors);
  g_test_add_func("/sql/parser/depth-limit", test_depth_limit);
  g_test_add_func("/sql/parser/flags", test_flags);
  g_test_add_func("/sql/parser/param-printer", test_param_printer);
  return g_test_run();
}
