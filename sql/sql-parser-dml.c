/* sql-parser-dml.c: INSERT, REPLACE, UPDATE and DELETE. */
#include "sql/sql-parser-internal.h"

typedef struct {
  guint code;
  guint option;
} DmlOption;

static const DmlOption dml_options[] = {
  {TSR_TK_SQL_LOW_PRIORITY, TSR_SQL_DML_LOW_PRIORITY},
  {TSR_TK_SQL_DELAYED, TSR_SQL_DML_DELAYED},
  {TSR_TK_SQL_HIGH_PRIORITY, TSR_SQL_DML_HIGH_PRIORITY},
  {TSR_TK_SQL_IGNORE, TSR_SQL_DML_IGNORE},
  {TSR_W_QUICK, TSR_SQL_DML_QUICK},
};

/* Consumes the options in `allowed` (TsrSqlDmlOption bits). */
static guint dml_opts(TsrSqlParser *p, guint allowed) {
  guint options = 0;
  for (gboolean more = TRUE; more;) {
    more = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(dml_options); i++) {
      if ((allowed & dml_options[i].option) && tsr_sqlp_is_kw(p, dml_options[i].code)) {
        options |= dml_options[i].option;
        p->i++;
        more = TRUE;
      }
    }
  }
  return options;
}

gboolean tsr_sqlp_assignments(TsrSqlParser *p, TsrSqlList *list) {
  do {
    TsrSqlAssignment *a = tsr_sql_arena_new0(p->arena, TsrSqlAssignment);
    if (!(a->column = tsr_sqlp_column(p))) return FALSE;
    if (!tsr_sqlp_accept(p, TSR_TK_EQ) && !tsr_sqlp_expect(p, TSR_TK_ASSIGN, "'='")) return FALSE;
    if (!(a->value = tsr_sqlp_expr(p))) return FALSE;
    tsr_sqlp_push(p, list, a);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

static gboolean insert_columns(TsrSqlParser *p, TsrSqlInsert *ins) {
  p->i++;
  while (!tsr_sqlp_is(p, TSR_TK_CBRACE)) {
    TsrSqlExpr *c = tsr_sqlp_column(p);
    if (!c) return FALSE;
    tsr_sqlp_push(p, &ins->columns, c);
    if (!tsr_sqlp_accept(p, TSR_TK_COMMA)) break;
  }
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'");
}

static gboolean insert_rows(TsrSqlParser *p, TsrSqlInsert *ins) {
  do {
    TsrSqlList *row = tsr_sql_arena_new0(p->arena, TsrSqlList);
    if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'('")) return FALSE;
    if (!tsr_sqlp_is(p, TSR_TK_CBRACE) && !tsr_sqlp_expr_list(p, row)) return FALSE;
    if (!tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'")) return FALSE;
    tsr_sqlp_push(p, &ins->rows, row);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

static gboolean insert_source(TsrSqlParser *p, TsrSqlInsert *ins) {
  if (tsr_sqlp_is(p, TSR_TK_OBRACE) && !tsr_sqlp_query_ahead(p, 1) && !insert_columns(p, ins)) return FALSE;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_VALUES) || tsr_sqlp_accept_kw(p, TSR_W_VALUE)) return insert_rows(p, ins);
  if (ins->columns.len == 0 && tsr_sqlp_accept_kw(p, TSR_TK_SQL_SET)) return tsr_sqlp_assignments(p, &ins->set);
  if (tsr_sqlp_query_ahead(p, 0)) return (ins->select = tsr_sqlp_query(p)) != NULL;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_WITH)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "WITH (common table expressions) is not supported");
    return FALSE;
  }
  return tsr_sqlp_expected(p, "VALUES, SET or SELECT") != NULL;
}

TsrSqlInsert *tsr_sqlp_insert(TsrSqlParser *p) {
  TsrSqlInsert *ins = tsr_sql_arena_new0(p->arena, TsrSqlInsert);
  p->i++;
  ins->options = dml_opts(p, TSR_SQL_DML_LOW_PRIORITY | TSR_SQL_DML_DELAYED | TSR_SQL_DML_HIGH_PRIORITY | TSR_SQL_DML_IGNORE);
  tsr_sqlp_accept_kw(p, TSR_TK_SQL_INTO);
  if (!(ins->table = tsr_sqlp_table_name(p))) return NULL;
  if (tsr_sqlp_is_kw(p, TSR_W_PARTITION)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "INSERT ... PARTITION is not supported");
    return NULL;
  }
  if (!insert_source(p, ins)) return NULL;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_AS)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "row aliases in INSERT are not supported");
    return NULL;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ON)) {
    if (!tsr_sqlp_expect_kw(p, TSR_W_DUPLICATE) || !tsr_sqlp_expect_kw(p, TSR_TK_SQL_KEY) ||
        !tsr_sqlp_expect_kw(p, TSR_TK_SQL_UPDATE) || !tsr_sqlp_assignments(p, &ins->on_duplicate))
      return NULL;
  }
  if (tsr_sqlp_is_kw(p, TSR_W_RETURNING)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "RETURNING is not supported");
    return NULL;
  }
  return ins;
}

/* [ORDER BY ...] [LIMIT n] of UPDATE and single-table DELETE. */
static gboolean order_limit(TsrSqlParser *p, TsrSqlList *order_by, TsrSqlLimit *limit) {
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ORDER)) {
    if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_BY) || !tsr_sqlp_order_list(p, order_by)) return FALSE;
  }
  return !tsr_sqlp_accept_kw(p, TSR_TK_SQL_LIMIT) || tsr_sqlp_limit(p, limit, FALSE);
}

static gboolean where(TsrSqlParser *p, TsrSqlExpr **out) {
  return !tsr_sqlp_accept_kw(p, TSR_TK_SQL_WHERE) || (*out = tsr_sqlp_expr(p)) != NULL;
}

TsrSqlUpdate *tsr_sqlp_update(TsrSqlParser *p) {
  TsrSqlUpdate *up = tsr_sql_arena_new0(p->arena, TsrSqlUpdate);
  p->i++;
  up->options = dml_opts(p, TSR_SQL_DML_LOW_PRIORITY | TSR_SQL_DML_IGNORE);
  if (!tsr_sqlp_table_refs(p, &up->tables)) return NULL;
  if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_SET) || !tsr_sqlp_assignments(p, &up->set)) return NULL;
  if (!where(p, &up->where)) return NULL;
  gboolean single = up->tables.len == 1 && ((TsrSqlTableRef *)up->tables.items[0])->kind == TSR_SQL_TABLE_NAME;
  if (single && !order_limit(p, &up->order_by, &up->limit)) return NULL;
  return up;
}

/* t1[.*], t2[.*] naming the tables a multi-table DELETE deletes from. */
static gboolean delete_targets(TsrSqlParser *p, TsrSqlList *targets) {
  do {
    /* name.* must not read as schema.name */
    gboolean star = tsr_sqlp_peek(p, 1)->t.id == TSR_TK_DOT && tsr_sqlp_peek(p, 2)->t.id == TSR_TK_STAR;
    TsrSqlTableRef *t = tsr_sqlp_table_name_only(p, star);
    if (!t) return FALSE;
    if (tsr_sqlp_is(p, TSR_TK_DOT) && tsr_sqlp_peek(p, 1)->t.id == TSR_TK_STAR) p->i += 2;
    tsr_sqlp_push(p, targets, t);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

/* DELETE FROM t [AS a] [PARTITION ...] [WHERE] [ORDER BY] [LIMIT], or
 * DELETE FROM t1, t2 USING refs [WHERE]. */
static gboolean delete_from(TsrSqlParser *p, TsrSqlDelete *del) {
  TsrSqlList names = {0};
  if (!delete_targets(p, &names)) return FALSE;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_USING)) {
    del->targets = names;
    del->using_form = TRUE;
    return tsr_sqlp_table_refs(p, &del->from) && where(p, &del->where);
  }
  if (names.len != 1) return tsr_sqlp_expected(p, "USING") != NULL;
  TsrSqlTableRef *t = names.items[0];
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_AS) && !(t->alias = tsr_sqlp_ident(p, "an alias"))) return FALSE;
  tsr_sqlp_push(p, &del->from, t);
  return where(p, &del->where) && order_limit(p, &del->order_by, &del->limit);
}

TsrSqlDelete *tsr_sqlp_delete(TsrSqlParser *p) {
  TsrSqlDelete *del = tsr_sql_arena_new0(p->arena, TsrSqlDelete);
  p->i++;
  del->options = dml_opts(p, TSR_SQL_DML_LOW_PRIORITY | TSR_SQL_DML_QUICK | TSR_SQL_DML_IGNORE);
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_FROM)) {
    if (!delete_from(p, del)) return NULL;
  } else {
    if (!delete_targets(p, &del->targets) || !tsr_sqlp_expect_kw(p, TSR_TK_SQL_FROM)) return NULL;
    if (!tsr_sqlp_table_refs(p, &del->from) || !where(p, &del->where)) return NULL;
  }
  if (tsr_sqlp_is_kw(p, TSR_W_RETURNING)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "RETURNING is not supported");
    return NULL;
  }
  return del;
}
