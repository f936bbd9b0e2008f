/* sql-dump.c: one-line S-expressions of trees, for tests and for comparing
 * two trees: every field that carries meaning, no positions. */
#include <string.h>
#include "sql/sql-printer.h"

typedef GString Out;

static void expr(Out *o, const TsrSqlExpr *e);
static void query(Out *o, const TsrSqlSelect *s);

static void str(Out *o, const char *s) {
  if (s) g_string_append_printf(o, " %s", s);
  else g_string_append(o, " -");
}

/* A value that may hold any byte: escaped C-style in quotes. */
static void value(Out *o, const char *s, gsize len) {
  char *esc = g_strescape(s ? s : "", NULL);
  if (s && strlen(s) != len) {
    g_free(esc);
    GString *tmp = g_string_new(NULL);
    for (gsize i = 0; i < len; i++) {
      if (s[i] == '\0') g_string_append(tmp, "\\0");
      else g_string_append_c(tmp, s[i]);
    }
    esc = g_strescape(tmp->str, NULL);
    g_string_free(tmp, TRUE);
  }
  g_string_append_printf(o, " \"%s\"", esc);
  g_free(esc);
}

static void opt_expr(Out *o, const TsrSqlExpr *e) {
  if (e) expr(o, e);
  else g_string_append(o, " -");
}

static void exprs(Out *o, const char *tag, const TsrSqlList *list) {
  g_string_append_printf(o, " (%s", tag);
  for (guint i = 0; i < list->len; i++) expr(o, list->items[i]);
  g_string_append_c(o, ')');
}

static void order(Out *o, const char *tag, const TsrSqlList *list) {
  static const char *const dirs[] = {"", " asc", " desc"};
  if (list->len == 0) return;
  g_string_append_printf(o, " (%s", tag);
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlOrderItem *it = list->items[i];
    expr(o, it->expr);
    g_string_append(o, dirs[it->dir]);
  }
  g_string_append_c(o, ')');
}

static void literal(Out *o, const TsrSqlLiteral *l) {
  static const char *const kinds[] = {"null", "true", "false", "int", "dec", "float", "str", "hex", "bit", "temporal"};
  g_string_append_printf(o, " (%s", kinds[l->kind]);
  if (l->text) value(o, l->text, l->len);
  if (l->charset) g_string_append_printf(o, " _%s", l->charset);
  if (l->temporal) str(o, l->temporal);
  if (l->national) g_string_append(o, " N");
  if (l->quoted) g_string_append(o, " quoted");
  g_string_append_c(o, ')');
}

static void func(Out *o, const TsrSqlExpr *e) {
  static const char *const forms[] = {"", " niladic", " cast", " convert", " convert-using", " char-using",
                                      " substring-from", " trim-from", " extract", " position"};
  g_string_append(o, " (func");
  str(o, e->func.schema);
  str(o, e->func.name);
  g_string_append(o, forms[e->func.form]);
  if (e->func.agg) g_string_append_printf(o, " agg%d", e->func.agg);
  if (e->func.distinct) g_string_append(o, " distinct");
  if (e->func.star) g_string_append(o, " *");
  if (e->func.type) str(o, e->func.type);
  exprs(o, "args", &e->func.args);
  order(o, "order", &e->func.order_by);
  if (e->func.separator) expr(o, e->func.separator);
  g_string_append_c(o, ')');
}

static void case_expr(Out *o, const TsrSqlExpr *e) {
  g_string_append(o, " (case");
  opt_expr(o, e->case_.operand);
  for (guint i = 0; i < e->case_.whens.len; i++) {
    const TsrSqlWhen *w = e->case_.whens.items[i];
    g_string_append(o, " (when");
    expr(o, w->when);
    expr(o, w->then);
    g_string_append_c(o, ')');
  }
  opt_expr(o, e->case_.else_result);
  g_string_append_c(o, ')');
}

static void predicate(Out *o, const TsrSqlExpr *e) {
  static const char *const likes[] = {"like", "regexp", "sounds-like"};
  switch (e->kind) {
  case TSR_SQL_EXPR_BETWEEN:
    g_string_append_printf(o, " (%sbetween", e->between.negated ? "not-" : "");
    expr(o, e->between.arg);
    expr(o, e->between.low);
    expr(o, e->between.high);
    break;
  case TSR_SQL_EXPR_IN:
    g_string_append_printf(o, " (%sin", e->in.negated ? "not-" : "");
    expr(o, e->in.arg);
    if (e->in.subquery) query(o, e->in.subquery);
    else exprs(o, "list", &e->in.list);
    break;
  default:
    g_string_append_printf(o, " (%s%s", e->like.negated ? "not-" : "", likes[e->like.kind]);
    expr(o, e->like.arg);
    expr(o, e->like.pattern);
    opt_expr(o, e->like.escape);
    break;
  }
  g_string_append_c(o, ')');
}

static void var(Out *o, const TsrSqlExpr *e) {
  g_string_append_printf(o, " (%s scope%d%s", e->var.kind == TSR_SQL_VAR_USER ? "@" : "@@", e->var.scope,
                         e->var.at_form ? " at" : "");
  str(o, e->var.name);
  g_string_append_c(o, ')');
}

static void expr(Out *o, const TsrSqlExpr *e) {
  static const char *const is_what[] = {"null", "true", "false", "unknown"};
  static const char *const quants[] = {"", " any", " all"};
  switch (e->kind) {
  case TSR_SQL_EXPR_LITERAL: literal(o, &e->lit); return;
  case TSR_SQL_EXPR_COLUMN:
  case TSR_SQL_EXPR_STAR:
    g_string_append(o, e->kind == TSR_SQL_EXPR_STAR ? " (star" : " (col");
    str(o, e->col.schema);
    str(o, e->col.table);
    if (e->kind == TSR_SQL_EXPR_COLUMN) str(o, e->col.column);
    break;
  case TSR_SQL_EXPR_PARAM: g_string_append_printf(o, " (? %u", e->param.index); break;
  case TSR_SQL_EXPR_VARIABLE: var(o, e); return;
  case TSR_SQL_EXPR_UNARY:
    g_string_append_printf(o, " (%s", tsr_sql_op_text(e->unary.op));
    expr(o, e->unary.arg);
    break;
  case TSR_SQL_EXPR_BINARY:
    g_string_append_printf(o, " (%s%s", tsr_sql_op_text(e->binary.op), quants[e->binary.quant]);
    expr(o, e->binary.left);
    expr(o, e->binary.right);
    break;
  case TSR_SQL_EXPR_LOGICAL: exprs(o, tsr_sql_op_text(e->logical.op), &e->logical.args); return;
  case TSR_SQL_EXPR_FUNC: func(o, e); return;
  case TSR_SQL_EXPR_CASE: case_expr(o, e); return;
  case TSR_SQL_EXPR_BETWEEN: case TSR_SQL_EXPR_IN: case TSR_SQL_EXPR_LIKE: predicate(o, e); return;
  case TSR_SQL_EXPR_IS:
    g_string_append_printf(o, " (is%s %s", e->is.negated ? "-not" : "", is_what[e->is.what]);
    expr(o, e->is.arg);
    break;
  case TSR_SQL_EXPR_EXISTS:
  case TSR_SQL_EXPR_SUBQUERY:
    g_string_append(o, e->kind == TSR_SQL_EXPR_EXISTS ? " (exists" : " (subquery");
    query(o, e->subquery.select);
    break;
  case TSR_SQL_EXPR_INTERVAL:
    g_string_append(o, " (interval");
    expr(o, e->interval.value);
    str(o, e->interval.unit);
    break;
  case TSR_SQL_EXPR_ROW: exprs(o, "row", &e->row.items); return;
  case TSR_SQL_EXPR_COLLATE:
    g_string_append(o, " (collate");
    expr(o, e->collate.arg);
    str(o, e->collate.collation);
    break;
  case TSR_SQL_EXPR_DEFAULT: g_string_append(o, " (default"); break;
  case TSR_SQL_EXPR_KEYWORD: g_string_append_printf(o, " (keyword %s", e->keyword.word); break;
  case TSR_SQL_EXPR_MATCH:
    g_string_append(o, " (match");
    exprs(o, "cols", &e->match.columns);
    expr(o, e->match.against);
    str(o, e->match.modifier);
    break;
  case TSR_SQL_EXPR_KIND_MAX: break;
  }
  g_string_append_c(o, ')');
}

static void table_ref(Out *o, const TsrSqlTableRef *t) {
  switch (t->kind) {
  case TSR_SQL_TABLE_NAME:
    g_string_append(o, " (table");
    str(o, t->schema);
    str(o, t->name);
    str(o, t->alias);
    if (t->partitions) g_string_append_printf(o, " (partition %s)", t->partitions);
    if (t->hints) g_string_append_printf(o, " (hints %s)", t->hints);
    break;
  case TSR_SQL_TABLE_DERIVED:
    g_string_append(o, " (derived");
    query(o, t->select);
    str(o, t->alias);
    break;
  case TSR_SQL_TABLE_JOIN:
    g_string_append_printf(o, " (join%d", t->join);
    table_ref(o, t->left);
    table_ref(o, t->right);
    opt_expr(o, t->on);
    for (guint i = 0; i < t->using_cols.len; i++) g_string_append_printf(o, " using:%s", (const char *)t->using_cols.items[i]);
    break;
  }
  g_string_append_c(o, ')');
}

static void table_refs(Out *o, const char *tag, const TsrSqlList *list) {
  g_string_append_printf(o, " (%s", tag);
  for (guint i = 0; i < list->len; i++) table_ref(o, list->items[i]);
  g_string_append_c(o, ')');
}

static void limit(Out *o, const TsrSqlLimit *l) {
  if (!l->count) return;
  g_string_append(o, " (limit");
  expr(o, l->count);
  opt_expr(o, l->offset);
  g_string_append_c(o, ')');
}

static void query(Out *o, const TsrSqlSelect *s) {
  if (s->kind == TSR_SQL_SELECT_UNION) {
    g_string_append(o, " (union");
    for (guint i = 0; i < s->parts.len; i++) {
      const TsrSqlSelect *part = s->parts.items[i];
      if (i > 0) g_string_append(o, part->union_op == TSR_SQL_UNION_ALL ? " all" : " distinct");
      query(o, part);
    }
  } else {
    g_string_append_printf(o, " (select opts%u", s->options);
    for (guint i = 0; i < s->items.len; i++) {
      const TsrSqlSelectItem *it = s->items.items[i];
      expr(o, it->expr);
      if (it->alias) g_string_append_printf(o, " as:%s", it->alias);
    }
    if (s->from_dual) g_string_append(o, " (from dual)");
    if (s->from.len) table_refs(o, "from", &s->from);
    if (s->where) {
      g_string_append(o, " (where");
      expr(o, s->where);
      g_string_append_c(o, ')');
    }
    order(o, "group", &s->group_by);
    if (s->with_rollup) g_string_append(o, " rollup");
    if (s->having) {
      g_string_append(o, " (having");
      expr(o, s->having);
      g_string_append_c(o, ')');
    }
  }
  order(o, "order", &s->order_by);
  limit(o, &s->limit);
  if (s->lock) g_string_append_printf(o, " (lock%d %d)", s->lock, s->lock_wait);
  g_string_append_c(o, ')');
}

static void assignments(Out *o, const char *tag, const TsrSqlList *list) {
  g_string_append_printf(o, " (%s", tag);
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlAssignment *a = list->items[i];
    g_string_append(o, " (=");
    expr(o, a->column);
    expr(o, a->value);
    g_string_append_c(o, ')');
  }
  g_string_append_c(o, ')');
}

static void insert(Out *o, const TsrSqlInsert *ins) {
  g_string_append_printf(o, " opts%u", ins->options);
  table_ref(o, ins->table);
  exprs(o, "cols", &ins->columns);
  for (guint i = 0; i < ins->rows.len; i++) exprs(o, "row", ins->rows.items[i]);
  if (ins->set.len) assignments(o, "set", &ins->set);
  if (ins->select) query(o, ins->select);
  if (ins->on_duplicate.len) assignments(o, "on-dup", &ins->on_duplicate);
}

static void where(Out *o, const TsrSqlExpr *w) {
  if (!w) return;
  g_string_append(o, " (where");
  expr(o, w);
  g_string_append_c(o, ')');
}

static void set_items(Out *o, const TsrSqlList *items) {
  for (guint i = 0; i < items->len; i++) {
    const TsrSqlSetItem *it = items->items[i];
    g_string_append_printf(o, " (set%d", it->kind);
    if (it->var) expr(o, it->var);
    if (it->value) expr(o, it->value);
    if (it->kind == TSR_SQL_SET_NAMES || it->kind == TSR_SQL_SET_CHARSET) {
      str(o, it->charset);
      str(o, it->collation);
    }
    if (it->kind == TSR_SQL_SET_TRANSACTION) g_string_append_printf(o, " scope%d iso%d access%d", it->scope, it->isolation, it->access);
    g_string_append_c(o, ')');
  }
}

static void xa(Out *o, const TsrSqlXa *x) {
  g_string_append_printf(o, " action%d flags%u", x->action, x->flags);
  opt_expr(o, x->gtrid);
  opt_expr(o, x->bqual);
  opt_expr(o, x->format_id);
}

static void stmt_body(Out *o, const TsrSqlStmt *s) {
  switch (s->kind) {
  case TSR_SQL_STMT_SELECT: query(o, s->select); break;
  case TSR_SQL_STMT_INSERT: case TSR_SQL_STMT_REPLACE: insert(o, s->insert); break;
  case TSR_SQL_STMT_UPDATE:
    g_string_append_printf(o, " opts%u", s->update->options);
    table_refs(o, "tables", &s->update->tables);
    assignments(o, "set", &s->update->set);
    where(o, s->update->where);
    order(o, "order", &s->update->order_by);
    limit(o, &s->update->limit);
    break;
  case TSR_SQL_STMT_DELETE:
    g_string_append_printf(o, " opts%u%s", s->del->options, s->del->using_form ? " using" : "");
    table_refs(o, "targets", &s->del->targets);
    table_refs(o, "from", &s->del->from);
    where(o, s->del->where);
    order(o, "order", &s->del->order_by);
    limit(o, &s->del->limit);
    break;
  case TSR_SQL_STMT_SET: set_items(o, s->set); break;
  case TSR_SQL_STMT_USE: str(o, s->use_db); break;
  case TSR_SQL_STMT_XA: xa(o, s->xa); break;
  default:
    if (s->txn) {
      g_string_append_printf(o, " flags%u", s->txn->flags);
      str(o, s->txn->savepoint);
    } else if (s->raw) {
      g_autoptr(GString) text = g_string_new(NULL);
      str(o, s->raw->verb);
      table_refs(o, "tables", &s->raw->tables);
      tsr_sql_print_stmt(text, s, NULL); /* the body, table names as printed */
      value(o, text->str, text->len);
    }
    break;
  }
}

char *tsr_sql_dump_stmt(const TsrSqlStmt *stmt) {
  Out *o = g_string_new(NULL);
  g_string_append_printf(o, "(%s", tsr_sql_stmt_kind_name(stmt->kind));
  stmt_body(o, stmt);
  g_string_append_printf(o, " params%u)", stmt->n_params);
  return g_string_free(o, FALSE);
}

char *tsr_sql_dump_expr(const TsrSqlExpr *e) {
  Out *o = g_string_new(NULL);
  expr(o, e);
  g_string_erase(o, 0, 1);
  return g_string_free(o, FALSE);
}
