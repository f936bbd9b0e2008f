/* sql-walk.h: visiting a statement's tree, and the accessors a router
 * needs: the tables named, the WHERE conjuncts, the aggregates of a select
 * list, the values an INSERT gives each column.
 *
 * Arrays returned here are new (free them with g_ptr_array_unref /
 * g_array_unref); the nodes in them are borrowed from the script. */
#ifndef TESSERA_SQL_WALK_H
#define TESSERA_SQL_WALK_H

#include <glib.h>
#include "sql/sql-ast.h"

/* Callbacks of a walk; any may be NULL. Nodes are visited in the order
 * they are written in the statement, parents before their children. */
typedef struct {
  /* Every expression. Return FALSE to skip its children (subqueries in it
   * included). */
  gboolean (*expr)(TsrSqlExpr *e, gpointer data);
  /* Every query block, SIMPLE or UNION, before what it holds. Return FALSE
   * to skip its contents. */
  gboolean (*select)(TsrSqlSelect *s, gpointer data);
  /* Every table reference of kind NAME: in FROM clauses and joins (in
   * subqueries too), the INSERT target, UPDATE tables, DELETE targets, and
   * the tables of SHOW/DDL statements. */
  void (*table)(TsrSqlTableRef *t, gpointer data);
} TsrSqlVisitor;

/* Walks a statement / a query / an expression / a table reference. */
void tsr_sql_walk_stmt(TsrSqlStmt *stmt, const TsrSqlVisitor *v, gpointer data);
void tsr_sql_walk_select(TsrSqlSelect *select, const TsrSqlVisitor *v, gpointer data);
void tsr_sql_walk_expr(TsrSqlExpr *expr, const TsrSqlVisitor *v, gpointer data);
void tsr_sql_walk_table_ref(TsrSqlTableRef *ref, const TsrSqlVisitor *v, gpointer data);

/* Returns every TsrSqlTableRef of kind NAME in the statement (see
 * TsrSqlVisitor.table), in text order, subqueries included. */
GPtrArray *tsr_sql_stmt_tables(TsrSqlStmt *stmt);

/* Returns the name a table reference is known by in its query: its alias,
 * or its name. */
const char *tsr_sql_table_ref_visible_name(const TsrSqlTableRef *ref);

/* Returns the WHERE of a SELECT (a simple one), UPDATE or DELETE; NULL for
 * other statements or when there is none. */
TsrSqlExpr *tsr_sql_stmt_where(const TsrSqlStmt *stmt);

/* Returns the conjuncts of a condition: the operands of a top-level AND
 * (nested ANDs are flat already), or the condition itself. Empty for NULL. */
GPtrArray *tsr_sql_conjuncts(TsrSqlExpr *cond);

typedef struct {
  guint item;         /* index in the select list */
  TsrSqlExpr *func;   /* a FUNC whose agg is not TSR_SQL_AGG_NONE */
} TsrSqlAggregateRef;

/* Returns the aggregate calls of a simple query's select list (also those
 * inside expressions such as SUM(a) / COUNT(*), not those in subqueries),
 * as TsrSqlAggregateRef in text order. */
GArray *tsr_sql_select_aggregates(const TsrSqlSelect *select);

/* TRUE when the expression calls an aggregate outside subqueries. */
gboolean tsr_sql_expr_has_aggregate(TsrSqlExpr *expr);

/* Returns the number of rows an INSERT/REPLACE gives: its VALUES rows, 1
 * for the SET form, 0 for INSERT ... SELECT. */
guint tsr_sql_insert_n_rows(const TsrSqlInsert *ins);

/* Returns the position of `column` (compared without ASCII case, as MySQL
 * does) in the INSERT's column list or SET list, or -1. */
gint tsr_sql_insert_column_index(const TsrSqlInsert *ins, const char *column);

/* Returns the value row `row` gives `column`, or NULL when the INSERT does
 * not name the column (or has no such row). */
TsrSqlExpr *tsr_sql_insert_value(const TsrSqlInsert *ins, guint row, const char *column);

#endif
