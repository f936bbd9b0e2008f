/* sql-printer.c: queries, table references and statements back to SQL. */
#include <string.h>
#include "sql/sql-parser-internal.h"
#include "sql/sql-printer-internal.h"

#define EXPR(e) tsr_sql_printer_expr_at(pr, (e), TSR_SQLP_ASSIGN)

static void put(TsrSqlPrinter *pr, const char *s) {
  g_string_append(pr->out, s);
}

/* ---- table references ---- */

static void table_name(TsrSqlPrinter *pr, const TsrSqlTableRef *t) {
  if (t->schema) {
    tsr_sql_print_ident(pr->out, t->schema);
    put(pr, ".");
  }
  tsr_sql_print_ident(pr->out, t->name);
}

static void alias(TsrSqlPrinter *pr, const char *a) {
  if (!a) return;
  put(pr, " AS ");
  tsr_sql_print_ident(pr->out, a);
}

static const char *join_word(TsrSqlJoinKind kind) {
  static const char *const words[] = {
    [TSR_SQL_JOIN_INNER] = "JOIN", [TSR_SQL_JOIN_CROSS] = "CROSS JOIN", [TSR_SQL_JOIN_LEFT] = "LEFT JOIN",
    [TSR_SQL_JOIN_RIGHT] = "RIGHT JOIN", [TSR_SQL_JOIN_STRAIGHT] = "STRAIGHT_JOIN",
    [TSR_SQL_JOIN_NATURAL] = "NATURAL JOIN", [TSR_SQL_JOIN_NATURAL_LEFT] = "NATURAL LEFT JOIN",
    [TSR_SQL_JOIN_NATURAL_RIGHT] = "NATURAL RIGHT JOIN", [TSR_SQL_JOIN_COMMA] = ",",
  };
  return words[kind];
}

static void table_ref(TsrSqlPrinter *pr, const TsrSqlTableRef *t);

/* A join operand: a join on the right goes in parentheses (COMMA joins
 * always print their own). */
static void join_operand(TsrSqlPrinter *pr, const TsrSqlTableRef *t, gboolean right) {
  gboolean paren = t->kind == TSR_SQL_TABLE_JOIN && right && t->join != TSR_SQL_JOIN_COMMA;
  if (paren) put(pr, "(");
  table_ref(pr, t);
  if (paren) put(pr, ")");
}

static void join(TsrSqlPrinter *pr, const TsrSqlTableRef *t) {
  join_operand(pr, t->left, FALSE);
  if (t->join != TSR_SQL_JOIN_COMMA) put(pr, " ");
  put(pr, join_word(t->join));
  put(pr, " ");
  join_operand(pr, t->right, TRUE);
  if (t->on) {
    put(pr, " ON ");
    EXPR(t->on);
  }
  if (t->using_cols.len > 0) {
    put(pr, " USING (");
    for (guint i = 0; i < t->using_cols.len; i++) {
      if (i > 0) put(pr, ", ");
      tsr_sql_print_ident(pr->out, t->using_cols.items[i]);
    }
    put(pr, ")");
  }
}

static void table_ref(TsrSqlPrinter *pr, const TsrSqlTableRef *t) {
  switch (t->kind) {
  case TSR_SQL_TABLE_NAME:
    table_name(pr, t);
    if (t->partitions) g_string_append_printf(pr->out, " PARTITION (%s)", t->partitions);
    alias(pr, t->alias);
    if (t->hints) g_string_append_printf(pr->out, " %s", t->hints);
    break;
  case TSR_SQL_TABLE_DERIVED:
    put(pr, "(");
    tsr_sql_print_select(pr->out, t->select, pr->opts);
    put(pr, ")");
    alias(pr, t->alias);
    break;
  case TSR_SQL_TABLE_JOIN:
    if (t->join == TSR_SQL_JOIN_COMMA) put(pr, "(");
    join(pr, t);
    if (t->join == TSR_SQL_JOIN_COMMA) put(pr, ")");
    break;
  }
}

void tsr_sql_print_table_ref(GString *out, const TsrSqlTableRef *ref, const TsrSqlPrintOptions *opts) {
  TsrSqlPrinter pr = {out, tsr_sql_print_opts(opts)};
  table_ref(&pr, ref);
}

static void table_refs(TsrSqlPrinter *pr, const TsrSqlList *refs) {
  for (guint i = 0; i < refs->len; i++) {
    if (i > 0) put(pr, ", ");
    table_ref(pr, refs->items[i]);
  }
}

/* ---- queries ---- */

static gboolean param_before(const TsrSqlExpr *a, const TsrSqlExpr *b) {
  return a->kind == TSR_SQL_EXPR_PARAM && b->kind == TSR_SQL_EXPR_PARAM && a->param.index < b->param.index;
}

/* LIMIT count, LIMIT offset, count, or LIMIT count OFFSET offset when the
 * placeholders were written in that order. */
static void limit(TsrSqlPrinter *pr, const TsrSqlLimit *l) {
  if (!l->count) return;
  put(pr, " LIMIT ");
  if (l->offset && param_before(l->count, l->offset)) {
    EXPR(l->count);
    put(pr, " OFFSET ");
    EXPR(l->offset);
    return;
  }
  if (l->offset) {
    EXPR(l->offset);
    put(pr, ", ");
  }
  EXPR(l->count);
}

static void order_by(TsrSqlPrinter *pr, const TsrSqlList *items) {
  if (items->len == 0) return;
  put(pr, " ORDER BY ");
  tsr_sql_printer_order_list(pr, items);
}

static void query_tail(TsrSqlPrinter *pr, const TsrSqlSelect *s) {
  static const char *const locks[] = {"", " FOR UPDATE", " LOCK IN SHARE MODE", " FOR SHARE"};
  static const char *const waits[] = {"", " NOWAIT", " SKIP LOCKED"};
  order_by(pr, &s->order_by);
  limit(pr, &s->limit);
  put(pr, locks[s->lock]);
  put(pr, waits[s->lock_wait]);
}

static void select_options(TsrSqlPrinter *pr, guint options) {
  static const char *const words[] = {
    "DISTINCT", "DISTINCTROW", "ALL", "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT",
    "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS",
  };
  for (guint i = 0; i < G_N_ELEMENTS(words); i++)
    if (options & (1u << i)) g_string_append_printf(pr->out, "%s ", words[i]);
}

static void select_items(TsrSqlPrinter *pr, const TsrSqlList *items) {
  for (guint i = 0; i < items->len; i++) {
    const TsrSqlSelectItem *item = items->items[i];
    if (i > 0) put(pr, ", ");
    EXPR(item->expr);
    alias(pr, item->alias);
  }
}

static void select_block(TsrSqlPrinter *pr, const TsrSqlSelect *s) {
  put(pr, "SELECT ");
  select_options(pr, s->options);
  select_items(pr, &s->items);
  if (s->from_dual) put(pr, " FROM DUAL");
  if (s->from.len > 0) {
    put(pr, " FROM ");
    table_refs(pr, &s->from);
  }
  if (s->where) {
    put(pr, " WHERE ");
    EXPR(s->where);
  }
  if (s->group_by.len > 0) {
    put(pr, " GROUP BY ");
    tsr_sql_printer_order_list(pr, &s->group_by);
    if (s->with_rollup) put(pr, " WITH ROLLUP");
  }
  if (s->having) {
    put(pr, " HAVING ");
    EXPR(s->having);
  }
}

static void query(TsrSqlPrinter *pr, const TsrSqlSelect *s) {
  if (s->kind == TSR_SQL_SELECT_SIMPLE) {
    select_block(pr, s);
  } else {
    for (guint i = 0; i < s->parts.len; i++) {
      const TsrSqlSelect *part = s->parts.items[i];
      if (i > 0) put(pr, part->union_op == TSR_SQL_UNION_ALL ? " UNION ALL " : " UNION ");
      gboolean paren = part->kind == TSR_SQL_SELECT_UNION || tsr_sql_select_has_tail(part) || s->parts.len == 1;
      if (paren) put(pr, "(");
      query(pr, part);
      if (paren) put(pr, ")");
    }
  }
  query_tail(pr, s);
}

void tsr_sql_print_select(GString *out, const TsrSqlSelect *select, const TsrSqlPrintOptions *opts) {
  TsrSqlPrinter pr = {out, tsr_sql_print_opts(opts)};
  query(&pr, select);
}

/* ---- DML ---- */

static void dml_options(TsrSqlPrinter *pr, guint options) {
  static const char *const words[] = {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "QUICK"};
  for (guint i = 0; i < G_N_ELEMENTS(words); i++)
    if (options & (1u << i)) g_string_append_printf(pr->out, "%s ", words[i]);
}

static void assignments(TsrSqlPrinter *pr, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlAssignment *a = list->items[i];
    if (i > 0) put(pr, ", ");
    EXPR(a->column);
    put(pr, " = ");
    EXPR(a->value);
  }
}

static void where(TsrSqlPrinter *pr, const TsrSqlExpr *w) {
  if (!w) return;
  put(pr, " WHERE ");
  EXPR(w);
}

static void insert(TsrSqlPrinter *pr, const TsrSqlStmt *stmt) {
  const TsrSqlInsert *ins = stmt->insert;
  put(pr, stmt->kind == TSR_SQL_STMT_REPLACE ? "REPLACE " : "INSERT ");
  dml_options(pr, ins->options);
  put(pr, "INTO ");
  table_name(pr, ins->table);
  if (ins->columns.len > 0) {
    put(pr, " (");
    tsr_sql_printer_expr_list(pr, &ins->columns);
    put(pr, ")");
  }
  if (ins->select) {
    put(pr, " ");
    query(pr, ins->select);
  } else if (ins->set.len > 0) {
    put(pr, " SET ");
    assignments(pr, &ins->set);
  } else {
    put(pr, " VALUES ");
    for (guint i = 0; i < ins->rows.len; i++) {
      if (i > 0) put(pr, ", ");
      put(pr, "(");
      tsr_sql_printer_expr_list(pr, ins->rows.items[i]);
      put(pr, ")");
    }
  }
  if (ins->on_duplicate.len > 0) {
    put(pr, " ON DUPLICATE KEY UPDATE ");
    assignments(pr, &ins->on_duplicate);
  }
}

static void update(TsrSqlPrinter *pr, const TsrSqlUpdate *up) {
  put(pr, "UPDATE ");
  dml_options(pr, up->options);
  table_refs(pr, &up->tables);
  put(pr, " SET ");
  assignments(pr, &up->set);
  where(pr, up->where);
  order_by(pr, &up->order_by);
  limit(pr, &up->limit);
}

static void delete_targets(TsrSqlPrinter *pr, const TsrSqlList *targets) {
  for (guint i = 0; i < targets->len; i++) {
    if (i > 0) put(pr, ", ");
    table_name(pr, targets->items[i]);
  }
}

static void delete(TsrSqlPrinter *pr, const TsrSqlDelete *del) {
  put(pr, "DELETE ");
  dml_options(pr, del->options);
  if (del->targets.len == 0) {
    put(pr, "FROM ");
    table_refs(pr, &del->from);
  } else if (del->using_form) {
    put(pr, "FROM ");
    delete_targets(pr, &del->targets);
    put(pr, " USING ");
    table_refs(pr, &del->from);
  } else {
    delete_targets(pr, &del->targets);
    put(pr, " FROM ");
    table_refs(pr, &del->from);
  }
  where(pr, del->where);
  order_by(pr, &del->order_by);
  limit(pr, &del->limit);
}

/* ---- SET, transactions, XA ---- */

static void transaction_characteristics(TsrSqlPrinter *pr, const TsrSqlSetItem *item) {
  static const char *const levels[] = {"", "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"};
  static const char *const modes[] = {"", "READ ONLY", "READ WRITE"};
  if (item->isolation != TSR_SQL_ISOLATION_NONE) g_string_append_printf(pr->out, "ISOLATION LEVEL %s", levels[item->isolation]);
  if (item->isolation != TSR_SQL_ISOLATION_NONE && item->access != TSR_SQL_ACCESS_NONE) put(pr, ", ");
  put(pr, modes[item->access]);
}

static void charset_name(TsrSqlPrinter *pr, const char *name) {
  if (name) tsr_sql_print_ident(pr->out, name);
  else put(pr, "DEFAULT");
}

static void set_item(TsrSqlPrinter *pr, const TsrSqlSetItem *item) {
  switch (item->kind) {
  case TSR_SQL_SET_VARIABLE:
    tsr_sql_printer_variable(pr, item->var);
    put(pr, " = ");
    EXPR(item->value);
    break;
  case TSR_SQL_SET_NAMES:
    put(pr, "NAMES ");
    charset_name(pr, item->charset);
    if (item->collation) {
      put(pr, " COLLATE ");
      tsr_sql_print_ident(pr->out, item->collation);
    }
    break;
  case TSR_SQL_SET_CHARSET:
    put(pr, "CHARACTER SET ");
    charset_name(pr, item->charset);
    break;
  case TSR_SQL_SET_TRANSACTION:
    tsr_sql_printer_scope(pr, item->scope, TRUE);
    put(pr, item->scope != TSR_SQL_SCOPE_DEFAULT ? " TRANSACTION " : "TRANSACTION ");
    transaction_characteristics(pr, item);
    break;
  }
}

static void set(TsrSqlPrinter *pr, const TsrSqlList *items) {
  put(pr, "SET ");
  for (guint i = 0; i < items->len; i++) {
    if (i > 0) put(pr, ", ");
    set_item(pr, items->items[i]);
  }
}

static void txn_flags(TsrSqlPrinter *pr, guint flags) {
  if (flags & TSR_SQL_TXN_WORK) put(pr, " WORK");
  if (flags & TSR_SQL_TXN_CHAIN) put(pr, " AND CHAIN");
  if (flags & TSR_SQL_TXN_NO_CHAIN) put(pr, " AND NO CHAIN");
  if (flags & TSR_SQL_TXN_RELEASE) put(pr, " RELEASE");
  if (flags & TSR_SQL_TXN_NO_RELEASE) put(pr, " NO RELEASE");
}

static void start_transaction(TsrSqlPrinter *pr, guint flags) {
  const char *sep = " ";
  put(pr, "START TRANSACTION");
  if (flags & TSR_SQL_TXN_CONSISTENT_SNAPSHOT) {
    g_string_append_printf(pr->out, "%sWITH CONSISTENT SNAPSHOT", sep);
    sep = ", ";
  }
  if (flags & TSR_SQL_TXN_READ_ONLY) {
    g_string_append_printf(pr->out, "%sREAD ONLY", sep);
    sep = ", ";
  }
  if (flags & TSR_SQL_TXN_READ_WRITE) g_string_append_printf(pr->out, "%sREAD WRITE", sep);
}

static void transaction(TsrSqlPrinter *pr, const TsrSqlStmt *stmt) {
  const TsrSqlTxn *txn = stmt->txn;
  switch (stmt->kind) {
  case TSR_SQL_STMT_BEGIN:
    if (txn->flags & TSR_SQL_TXN_START) start_transaction(pr, txn->flags);
    else put(pr, txn->flags & TSR_SQL_TXN_WORK ? "BEGIN WORK" : "BEGIN");
    return;
  case TSR_SQL_STMT_COMMIT:
  case TSR_SQL_STMT_ROLLBACK:
    put(pr, stmt->kind == TSR_SQL_STMT_COMMIT ? "COMMIT" : "ROLLBACK");
    txn_flags(pr, txn->flags);
    return;
  case TSR_SQL_STMT_ROLLBACK_TO:
    put(pr, txn->flags & TSR_SQL_TXN_WORK ? "ROLLBACK WORK TO SAVEPOINT " : "ROLLBACK TO SAVEPOINT ");
    break;
  case TSR_SQL_STMT_SAVEPOINT: put(pr, "SAVEPOINT "); break;
  default: put(pr, "RELEASE SAVEPOINT "); break;
  }
  tsr_sql_print_ident(pr->out, txn->savepoint);
}

static void xa(TsrSqlPrinter *pr, const TsrSqlXa *x) {
  static const char *const actions[] = {"START", "END", "PREPARE", "COMMIT", "ROLLBACK", "RECOVER"};
  g_string_append_printf(pr->out, "XA %s", actions[x->action]);
  if (x->action == TSR_SQL_XA_RECOVER) {
    if (x->flags & TSR_SQL_XA_CONVERT_XID) put(pr, " CONVERT XID");
    return;
  }
  put(pr, " ");
  EXPR(x->gtrid);
  if (x->bqual) {
    put(pr, ", ");
    EXPR(x->bqual);
  }
  if (x->format_id) {
    put(pr, ", ");
    EXPR(x->format_id);
  }
  if (x->flags & TSR_SQL_XA_JOIN) put(pr, " JOIN");
  if (x->flags & TSR_SQL_XA_RESUME) put(pr, " RESUME");
  if (x->flags & TSR_SQL_XA_SUSPEND) put(pr, " SUSPEND");
  if (x->flags & TSR_SQL_XA_FOR_MIGRATE) put(pr, " FOR MIGRATE");
  if (x->flags & TSR_SQL_XA_ONE_PHASE) put(pr, " ONE PHASE");
}

/* The statement's body with its recorded table names printed anew. */
static void raw(TsrSqlPrinter *pr, const TsrSqlRaw *r) {
  guint32 at = 0, len = (guint32)r->body_len;
  for (guint i = 0; i < r->tables.len; i++) {
    const TsrSqlTableRef *t = r->tables.items[i];
    if (t->pos < at || t->name_end > len || t->pos > t->name_end) continue;
    g_string_append_len(pr->out, r->body + at, (gssize)(t->pos - at));
    /* `a`b (two tokens) must not print as the one word ab */
    if (t->pos > 0 && tsr_sql_ident_byte(r->body[t->pos - 1])) put(pr, " ");
    table_name(pr, t);
    if (t->name_end < len && tsr_sql_ident_byte(r->body[t->name_end])) put(pr, " ");
    at = t->name_end;
  }
  g_string_append_len(pr->out, r->body + at, (gssize)(len - at));
}

void tsr_sql_print_stmt(GString *out, const TsrSqlStmt *stmt, const TsrSqlPrintOptions *opts) {
  TsrSqlPrinter printer = {out, tsr_sql_print_opts(opts)};
  TsrSqlPrinter *pr = &printer;
  switch (stmt->kind) {
  case TSR_SQL_STMT_SELECT: query(pr, stmt->select); break;
  case TSR_SQL_STMT_INSERT: case TSR_SQL_STMT_REPLACE: insert(pr, stmt); break;
  case TSR_SQL_STMT_UPDATE: update(pr, stmt->update); break;
  case TSR_SQL_STMT_DELETE: delete(pr, stmt->del); break;
  case TSR_SQL_STMT_SET: set(pr, stmt->set); break;
  case TSR_SQL_STMT_USE:
    put(pr, "USE ");
    tsr_sql_print_ident(out, stmt->use_db);
    break;
  case TSR_SQL_STMT_BEGIN: case TSR_SQL_STMT_COMMIT: case TSR_SQL_STMT_ROLLBACK:
  case TSR_SQL_STMT_SAVEPOINT: case TSR_SQL_STMT_ROLLBACK_TO: case TSR_SQL_STMT_RELEASE:
    transaction(pr, stmt);
    break;
  case TSR_SQL_STMT_XA: xa(pr, stmt->xa); break;
  default: raw(pr, stmt->raw); break;
  }
}

char *tsr_sql_stmt_to_sql(const TsrSqlStmt *stmt, const TsrSqlPrintOptions *opts) {
  GString *out = g_string_sized_new(128);
  tsr_sql_print_stmt(out, stmt, opts);
  return g_string_free(out, FALSE);
}
