/* sql-walk.c: the tree walker and the router's accessors. */
#include "sql/sql-walk.h"

typedef struct {
  const TsrSqlVisitor *v;
  gpointer data;
} Walk;

static void expr(Walk *w, TsrSqlExpr *e);
static void query(Walk *w, TsrSqlSelect *s);
static void table_ref(Walk *w, TsrSqlTableRef *t);

static void opt_expr(Walk *w, TsrSqlExpr *e) {
  if (e) expr(w, e);
}

static void exprs(Walk *w, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) expr(w, list->items[i]);
}

static void order(Walk *w, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) expr(w, ((TsrSqlOrderItem *)list->items[i])->expr);
}

static void assignments(Walk *w, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) {
    TsrSqlAssignment *a = list->items[i];
    expr(w, a->column);
    expr(w, a->value);
  }
}

static void limit(Walk *w, const TsrSqlLimit *l) {
  /* written "LIMIT offset, count" */
  opt_expr(w, l->offset);
  opt_expr(w, l->count);
}

static void func(Walk *w, TsrSqlExpr *e) {
  if (e->func.form == TSR_SQL_FUNC_TRIM_FROM && e->func.args.len > 1) {
    expr(w, e->func.args.items[1]); /* remstr is written first */
    expr(w, e->func.args.items[0]);
  } else {
    exprs(w, &e->func.args);
  }
  order(w, &e->func.order_by);
  opt_expr(w, e->func.separator);
}

static void children(Walk *w, TsrSqlExpr *e) {
  switch (e->kind) {
  case TSR_SQL_EXPR_UNARY: expr(w, e->unary.arg); break;
  case TSR_SQL_EXPR_BINARY: expr(w, e->binary.left); expr(w, e->binary.right); break;
  case TSR_SQL_EXPR_LOGICAL: exprs(w, &e->logical.args); break;
  case TSR_SQL_EXPR_FUNC: func(w, e); break;
  case TSR_SQL_EXPR_CASE:
    opt_expr(w, e->case_.operand);
    for (guint i = 0; i < e->case_.whens.len; i++) {
      TsrSqlWhen *wh = e->case_.whens.items[i];
      expr(w, wh->when);
      expr(w, wh->then);
    }
    opt_expr(w, e->case_.else_result);
    break;
  case TSR_SQL_EXPR_BETWEEN: expr(w, e->between.arg); expr(w, e->between.low); expr(w, e->between.high); break;
  case TSR_SQL_EXPR_IN:
    expr(w, e->in.arg);
    exprs(w, &e->in.list);
    if (e->in.subquery) query(w, e->in.subquery);
    break;
  case TSR_SQL_EXPR_LIKE: expr(w, e->like.arg); expr(w, e->like.pattern); opt_expr(w, e->like.escape); break;
  case TSR_SQL_EXPR_IS: expr(w, e->is.arg); break;
  case TSR_SQL_EXPR_EXISTS: case TSR_SQL_EXPR_SUBQUERY: query(w, e->subquery.select); break;
  case TSR_SQL_EXPR_INTERVAL: expr(w, e->interval.value); break;
  case TSR_SQL_EXPR_ROW: exprs(w, &e->row.items); break;
  case TSR_SQL_EXPR_COLLATE: expr(w, e->collate.arg); break;
  case TSR_SQL_EXPR_MATCH: exprs(w, &e->match.columns); expr(w, e->match.against); break;
  default: break;
  }
}

static void expr(Walk *w, TsrSqlExpr *e) {
  if (w->v->expr && !w->v->expr(e, w->data)) return;
  children(w, e);
}

static void table_refs(Walk *w, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) table_ref(w, list->items[i]);
}

static void table_ref(Walk *w, TsrSqlTableRef *t) {
  switch (t->kind) {
  case TSR_SQL_TABLE_NAME:
    if (w->v->table) w->v->table(t, w->data);
    break;
  case TSR_SQL_TABLE_DERIVED: query(w, t->select); break;
  case TSR_SQL_TABLE_JOIN:
    table_ref(w, t->left);
    table_ref(w, t->right);
    opt_expr(w, t->on);
    break;
  }
}

static void query(Walk *w, TsrSqlSelect *s) {
  if (w->v->select && !w->v->select(s, w->data)) return;
  if (s->kind == TSR_SQL_SELECT_UNION) {
    for (guint i = 0; i < s->parts.len; i++) query(w, s->parts.items[i]);
  } else {
    for (guint i = 0; i < s->items.len; i++) expr(w, ((TsrSqlSelectItem *)s->items.items[i])->expr);
    table_refs(w, &s->from);
    opt_expr(w, s->where);
    order(w, &s->group_by);
    opt_expr(w, s->having);
  }
  order(w, &s->order_by);
  limit(w, &s->limit);
}

static void insert(Walk *w, TsrSqlInsert *ins) {
  table_ref(w, ins->table);
  exprs(w, &ins->columns);
  for (guint i = 0; i < ins->rows.len; i++) exprs(w, ins->rows.items[i]);
  assignments(w, &ins->set);
  if (ins->select) query(w, ins->select);
  assignments(w, &ins->on_duplicate);
}

static void stmt(Walk *w, TsrSqlStmt *s) {
  switch (s->kind) {
  case TSR_SQL_STMT_SELECT: query(w, s->select); break;
  case TSR_SQL_STMT_INSERT: case TSR_SQL_STMT_REPLACE: insert(w, s->insert); break;
  case TSR_SQL_STMT_UPDATE:
    table_refs(w, &s->update->tables);
    assignments(w, &s->update->set);
    opt_expr(w, s->update->where);
    order(w, &s->update->order_by);
    limit(w, &s->update->limit);
    break;
  case TSR_SQL_STMT_DELETE:
    table_refs(w, &s->del->targets);
    table_refs(w, &s->del->from);
    opt_expr(w, s->del->where);
    order(w, &s->del->order_by);
    limit(w, &s->del->limit);
    break;
  case TSR_SQL_STMT_SET:
    for (guint i = 0; i < s->set->len; i++) {
      TsrSqlSetItem *item = s->set->items[i];
      opt_expr(w, item->var);
      opt_expr(w, item->value);
    }
    break;
  case TSR_SQL_STMT_XA:
    opt_expr(w, s->xa->gtrid);
    opt_expr(w, s->xa->bqual);
    opt_expr(w, s->xa->format_id);
    break;
  default:
    if (s->raw) table_refs(w, &s->raw->tables);
    break;
  }
}

void tsr_sql_walk_stmt(TsrSqlStmt *s, const TsrSqlVisitor *v, gpointer data) {
  Walk w = {v, data};
  stmt(&w, s);
}

void tsr_sql_walk_select(TsrSqlSelect *s, const TsrSqlVisitor *v, gpointer data) {
  Walk w = {v, data};
  query(&w, s);
}

void tsr_sql_walk_expr(TsrSqlExpr *e, const TsrSqlVisitor *v, gpointer data) {
  Walk w = {v, data};
  expr(&w, e);
}

void tsr_sql_walk_table_ref(TsrSqlTableRef *t, const TsrSqlVisitor *v, gpointer data) {
  Walk w = {v, data};
  table_ref(&w, t);
}

/* ---- accessors ---- */

static void collect_table(TsrSqlTableRef *t, gpointer data) {
  g_ptr_array_add(data, t);
}

GPtrArray *tsr_sql_stmt_tables(TsrSqlStmt *s) {
  GPtrArray *out = g_ptr_array_new();
  TsrSqlVisitor v = {.table = collect_table};
  tsr_sql_walk_stmt(s, &v, out);
  return out;
}

const char *tsr_sql_table_ref_visible_name(const TsrSqlTableRef *ref) {
  return ref->alias ? ref->alias : ref->name;
}

TsrSqlExpr *tsr_sql_stmt_where(const TsrSqlStmt *s) {
  switch (s->kind) {
  case TSR_SQL_STMT_SELECT: return s->select->kind == TSR_SQL_SELECT_SIMPLE ? s->select->where : NULL;
  case TSR_SQL_STMT_UPDATE: return s->update->where;
  case TSR_SQL_STMT_DELETE: return s->del->where;
  default: return NULL;
  }
}

GPtrArray *tsr_sql_conjuncts(TsrSqlExpr *cond) {
  GPtrArray *out = g_ptr_array_new();
  if (!cond) return out;
  if (cond->kind == TSR_SQL_EXPR_LOGICAL && cond->logical.op == TSR_SQL_OP_AND) {
    for (guint i = 0; i < cond->logical.args.len; i++) g_ptr_array_add(out, cond->logical.args.items[i]);
  } else {
    g_ptr_array_add(out, cond);
  }
  return out;
}

typedef struct {
  GArray *out;
  guint item;
} AggWalk;

static gboolean find_aggregate(TsrSqlExpr *e, gpointer data) {
  AggWalk *aw = data;
  if (e->kind == TSR_SQL_EXPR_SUBQUERY || e->kind == TSR_SQL_EXPR_EXISTS) return FALSE;
  if (e->kind == TSR_SQL_EXPR_IN && e->in.subquery) {
    tsr_sql_walk_expr(e->in.arg, &(TsrSqlVisitor){.expr = find_aggregate}, aw);
    return FALSE;
  }
  if (e->kind == TSR_SQL_EXPR_FUNC && e->func.agg != TSR_SQL_AGG_NONE) {
    TsrSqlAggregateRef ref = {aw->item, e};
    g_array_append_val(aw->out, ref);
    return FALSE;
  }
  return TRUE;
}

GArray *tsr_sql_select_aggregates(const TsrSqlSelect *s) {
  AggWalk aw = {g_array_new(FALSE, FALSE, sizeof(TsrSqlAggregateRef)), 0};
  TsrSqlVisitor v = {.expr = find_aggregate};
  if (s->kind != TSR_SQL_SELECT_SIMPLE) return aw.out;
  for (aw.item = 0; aw.item < s->items.len; aw.item++)
    tsr_sql_walk_expr(((TsrSqlSelectItem *)s->items.items[aw.item])->expr, &v, &aw);
  return aw.out;
}

gboolean tsr_sql_expr_has_aggregate(TsrSqlExpr *e) {
  AggWalk aw = {g_array_new(FALSE, FALSE, sizeof(TsrSqlAggregateRef)), 0};
  tsr_sql_walk_expr(e, &(TsrSqlVisitor){.expr = find_aggregate}, &aw);
  gboolean found = aw.out->len > 0;
  g_array_unref(aw.out);
  return found;
}

guint tsr_sql_insert_n_rows(const TsrSqlInsert *ins) {
  if (ins->select) return 0;
  return ins->set.len > 0 ? 1 : ins->rows.len;
}

static gboolean column_is(const TsrSqlExpr *col, const char *name) {
  return col->kind == TSR_SQL_EXPR_COLUMN && g_ascii_strcasecmp(col->col.column, name) == 0;
}

gint tsr_sql_insert_column_index(const TsrSqlInsert *ins, const char *column) {
  for (guint i = 0; i < ins->columns.len; i++)
    if (column_is(ins->columns.items[i], column)) return (gint)i;
  for (guint i = 0; i < ins->set.len; i++)
    if (column_is(((TsrSqlAssignment *)ins->set.items[i])->column, column)) return (gint)i;
  return -1;
}

TsrSqlExpr *tsr_sql_insert_value(const TsrSqlInsert *ins, guint row, const char *column) {
  gint i = tsr_sql_insert_column_index(ins, column);
  if (i < 0 || row >= tsr_sql_insert_n_rows(ins)) return NULL;
  if (ins->set.len > 0) return ((TsrSqlAssignment *)ins->set.items[i])->value;
  const TsrSqlList *values = ins->rows.items[row];
  return (guint)i < values->len ? values->items[i] : NULL;
}
