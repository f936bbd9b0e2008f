/* test-sql-walk.c: the router's accessors and rewrites: tables, WHERE
 * conjuncts, aggregates, INSERT values, renaming tables, replacing LIMITs. */
#include <string.h>
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"
#include "sql/sql-rewrite.h"
#include "sql/sql-walk.h"

static TsrSqlScript *parse_ok(const char *q) {
  g_autoptr(GError) error = NULL;
  TsrSqlScript *script = tsr_sql_parse(q, strlen(q), 0, NULL, &error);
  g_assert_no_error(error);
  return script;
}

/* "schema.name/alias ..." of the statement's tables. */
static char *tables_of(TsrSqlStmt *stmt) {
  g_autoptr(GPtrArray) tables = tsr_sql_stmt_tables(stmt);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < tables->len; i++) {
    TsrSqlTableRef *t = tables->pdata[i];
    if (i > 0) g_string_append_c(s, ' ');
    g_string_append_printf(s, "%s.%s/%s", t->schema ? t->schema : "", t->name, t->alias ? t->alias : "");
  }
  return g_string_free(s, FALSE);
}

static void check_tables(const char *q, const char *expected) {
  g_autoptr(TsrSqlScript) s = parse_ok(q);
  g_autofree char *got = tables_of(tsr_sql_script_stmt(s, 0));
  g_assert_cmpstr(got, ==, expected);
}

static void test_tables(void) {
  check_tables("SELECT * FROM a, db.b AS x JOIN c ON 1 WHERE id IN (SELECT id FROM d) AND EXISTS (SELECT 1 FROM (SELECT 2 FROM e) y)",
               ".a/ db.b/x .c/ .d/ .e/");
  check_tables("SELECT (SELECT MAX(v) FROM s) FROM t", ".s/ .t/");
  check_tables("INSERT INTO t (a) SELECT b FROM u", ".t/ .u/");
  check_tables("UPDATE t1, t2 SET t1.a = t2.b", ".t1/ .t2/");
  check_tables("DELETE t1 FROM t1 JOIN t2 USING (id)", ".t1/ .t1/ .t2/");
  check_tables("DROP TABLE x, y.z", ".x/ y.z/");
  check_tables("SHOW INDEX FROM k", ".k/");
  check_tables("SET @a = (SELECT 1 FROM v)", ".v/");
}

static void test_conjuncts(void) {
  g_autoptr(TsrSqlScript) s = parse_ok("SELECT * FROM t WHERE a = 1 AND (b = 2 AND c IN (3, 4)) AND (d = 5 OR e = 6)");
  TsrSqlExpr *where = tsr_sql_stmt_where(tsr_sql_script_stmt(s, 0));
  g_autoptr(GPtrArray) c = tsr_sql_conjuncts(where);
  g_assert_cmpuint(c->len, ==, 4);
  g_autofree char *d3 = tsr_sql_dump_expr(c->pdata[3]);
  g_assert_cmpstr(d3, ==, "(OR (= (col - - d) (int \"5\")) (= (col - - e) (int \"6\")))");

  g_autoptr(TsrSqlScript) s2 = parse_ok("UPDATE t SET a = 1 WHERE id = ?");
  g_autoptr(GPtrArray) c2 = tsr_sql_conjuncts(tsr_sql_stmt_where(tsr_sql_script_stmt(s2, 0)));
  g_assert_cmpuint(c2->len, ==, 1);
  g_autoptr(GPtrArray) c3 = tsr_sql_conjuncts(NULL);
  g_assert_cmpuint(c3->len, ==, 0);
  g_autoptr(TsrSqlScript) s3 = parse_ok("SELECT 1 UNION SELECT 2");
  g_assert_null(tsr_sql_stmt_where(tsr_sql_script_stmt(s3, 0)));
}

static void test_aggregates(void) {
  g_autoptr(TsrSqlScript) s = parse_ok(
      "SELECT a, COUNT(*), SUM(b) / COUNT(b) AS avg_b, (SELECT MAX(x) FROM u), GROUP_CONCAT(c), STD(d) FROM t GROUP BY a ORDER BY 2 DESC");
  TsrSqlSelect *sel = tsr_sql_script_stmt(s, 0)->select;
  g_autoptr(GArray) aggs = tsr_sql_select_aggregates(sel);
  g_assert_cmpuint(aggs->len, ==, 5);
  static const struct {
    guint item;
    TsrSqlAggregate agg;
  } want[] = {{1, TSR_SQL_AGG_COUNT}, {2, TSR_SQL_AGG_SUM}, {2, TSR_SQL_AGG_COUNT}, {4, TSR_SQL_AGG_GROUP_CONCAT}, {5, TSR_SQL_AGG_OTHER}};
  for (guint i = 0; i < aggs->len; i++) {
    TsrSqlAggregateRef *ref = &g_array_index(aggs, TsrSqlAggregateRef, i);
    g_assert_cmpuint(ref->item, ==, want[i].item);
    g_assert_cmpint(ref->func->func.agg, ==, want[i].agg);
  }
  g_assert_cmpuint(sel->group_by.len, ==, 1);
  g_assert_cmpuint(sel->order_by.len, ==, 1);
  g_assert_cmpint(((TsrSqlOrderItem *)sel->order_by.items[0])->dir, ==, TSR_SQL_ORDER_DESC);
  g_assert_false(tsr_sql_expr_has_aggregate(((TsrSqlSelectItem *)sel->items.items[3])->expr));
  g_assert_true(tsr_sql_expr_has_aggregate(((TsrSqlSelectItem *)sel->items.items[2])->expr));
}

static void test_insert_values(void) {
  g_autoptr(TsrSqlScript) s = parse_ok("INSERT INTO t (id, Name) VALUES (1, 'a'), (?, 'b'), (3)");
  TsrSqlInsert *ins = tsr_sql_script_stmt(s, 0)->insert;
  g_assert_cmpuint(tsr_sql_insert_n_rows(ins), ==, 3);
  g_assert_cmpint(tsr_sql_insert_column_index(ins, "name"), ==, 1);
  g_assert_cmpint(tsr_sql_insert_column_index(ins, "other"), ==, -1);
  TsrSqlExpr *v = tsr_sql_insert_value(ins, 1, "id");
  g_assert_cmpint(v->kind, ==, TSR_SQL_EXPR_PARAM);
  v = tsr_sql_insert_value(ins, 0, "NAME");
  g_assert_cmpstr(v->lit.text, ==, "a");
  g_assert_null(tsr_sql_insert_value(ins, 2, "name"));
  g_assert_null(tsr_sql_insert_value(ins, 3, "id"));

  g_autoptr(TsrSqlScript) s2 = parse_ok("INSERT INTO t SET id = 7, v = 'x'");
  TsrSqlInsert *ins2 = tsr_sql_script_stmt(s2, 0)->insert;
  g_assert_cmpuint(tsr_sql_insert_n_rows(ins2), ==, 1);
  g_assert_cmpstr(tsr_sql_insert_value(ins2, 0, "id")->lit.text, ==, "7");

  g_autoptr(TsrSqlScript) s3 = parse_ok("INSERT INTO t SELECT * FROM u");
  g_assert_cmpuint(tsr_sql_insert_n_rows(tsr_sql_script_stmt(s3, 0)->insert), ==, 0);
}

static void check_rename(const char *q, const char *schema, const char *name, const char *new_schema, const char *new_name,
                         guint count, const char *expected) {
  g_autoptr(TsrSqlScript) s = parse_ok(q);
  TsrSqlStmt *stmt = tsr_sql_script_stmt(s, 0);
  g_assert_cmpuint(tsr_sql_rename_table(s, stmt, schema, name, new_schema, new_name), ==, count);
  g_autofree char *sql = tsr_sql_stmt_to_sql(stmt, NULL);
  g_assert_cmpstr(sql, ==, expected);
}

static void test_rename(void) {
  check_rename("SELECT t.a, t.* FROM t WHERE t.b = 1 AND c IN (SELECT c FROM t AS x)", NULL, "t", NULL, "t_3", 2,
               "SELECT t_3.a, t_3.* FROM t_3 WHERE t_3.b = 1 AND c IN (SELECT c FROM t_3 AS x)");
  check_rename("SELECT db.t.a FROM db.t JOIN other.t ON 1", "db", "t", "db_1", "t_1", 1,
               "SELECT db_1.t_1.a FROM db_1.t_1 JOIN other.t ON 1");
  check_rename("SELECT t.a FROM u AS t JOIN t AS v ON 1", NULL, "t", NULL, "t_2", 1,
               "SELECT t.a FROM u AS t JOIN t_2 AS v ON 1");
  check_rename("UPDATE t SET t.a = 1 WHERE t.id = 2", NULL, "t", NULL, "t_0", 1, "UPDATE t_0 SET t_0.a = 1 WHERE t_0.id = 2");
  check_rename("DELETE FROM t WHERE id = 2", NULL, "t", NULL, "`odd`", 1, "DELETE FROM ```odd``` WHERE id = 2");
  check_rename("INSERT INTO t (t.a) VALUES (1)", NULL, "t", NULL, "t9", 1, "INSERT INTO t9 (t9.a) VALUES (1)");
  check_rename("CREATE TABLE IF NOT EXISTS t (id INT) ENGINE=InnoDB", NULL, "t", "s", "t_7", 1,
               "CREATE TABLE IF NOT EXISTS s.t_7 (id INT) ENGINE=InnoDB");
  check_rename("ALTER TABLE `t` ADD INDEX (a)", NULL, "t", NULL, "t_1", 1, "ALTER TABLE t_1 ADD INDEX (a)");
  check_rename("SELECT 1 FROM T", NULL, "t", NULL, "x", 0, "SELECT 1 FROM T");
}

static void test_limit(void) {
  g_autoptr(TsrSqlScript) s = parse_ok("SELECT * FROM t ORDER BY a LIMIT 20, 10");
  TsrSqlSelect *sel = tsr_sql_script_stmt(s, 0)->select;
  guint64 off = 0, count = 0;
  g_assert_true(tsr_sql_limit_value(sel->limit.offset, &off));
  g_assert_true(tsr_sql_limit_value(sel->limit.count, &count));
  g_assert_cmpuint(off, ==, 20);
  g_assert_cmpuint(count, ==, 10);
  tsr_sql_set_limit(s, &sel->limit, 0, (gint64)(off + count));
  g_autofree char *sql = tsr_sql_stmt_to_sql(tsr_sql_script_stmt(s, 0), NULL);
  g_assert_cmpstr(sql, ==, "SELECT * FROM t ORDER BY a LIMIT 30");
  tsr_sql_set_limit(s, &sel->limit, 5, 7);
  g_autofree char *sql2 = tsr_sql_stmt_to_sql(tsr_sql_script_stmt(s, 0), NULL);
  g_assert_cmpstr(sql2, ==, "SELECT * FROM t ORDER BY a LIMIT 5, 7");
  tsr_sql_set_limit(s, &sel->limit, 0, -1);
  g_autofree char *sql3 = tsr_sql_stmt_to_sql(tsr_sql_script_stmt(s, 0), NULL);
  g_assert_cmpstr(sql3, ==, "SELECT * FROM t ORDER BY a");

  g_autoptr(TsrSqlScript) p = parse_ok("SELECT * FROM t LIMIT ?");
  g_assert_false(tsr_sql_limit_value(tsr_sql_script_stmt(p, 0)->select->limit.count, &count));
  g_assert_false(tsr_sql_limit_value(NULL, &count));
}

static gboolean count_expr(TsrSqlExpr *e, gpointer data) {
  (*(guint *)data)++;
  return e->kind != TSR_SQL_EXPR_SUBQUERY;
}

static void test_walk_skip(void) {
  g_autoptr(TsrSqlScript) s = parse_ok("SELECT a + 1, (SELECT b + c FROM t) FROM u");
  guint n = 0;
  tsr_sql_walk_stmt(tsr_sql_script_stmt(s, 0), &(TsrSqlVisitor){.expr = count_expr}, &n);
  g_assert_cmpuint(n, ==, 4); /* +, a, 1, the subquery (skipped inside) */
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sql/walk/tables", test_tables);
  g_test_add_func("/sql/walk/conjuncts", test_conjuncts);
  g_test_add_func("/sql/walk/aggregates", test_aggregates);
  g_test_add_func("/sql/walk/insert-values", test_insert_values);
  g_test_add_func("/sql/walk/rename", test_rename);
  g_test_add_func("/sql/walk/limit", test_limit);
  g_test_add_func("/sql/walk/skip", test_walk_skip);
  return g_test_run();
}
