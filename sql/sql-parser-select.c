/* sql-parser-select.c: queries (SELECT blocks, UNION, ORDER BY, LIMIT,
 * locking) and table references (names, derived tables, joins). */
#include <string.h>
#include "sql/sql-parser-internal.h"

gboolean tsr_sqlp_query_ahead(const TsrSqlParser *p, guint ahead) {
  while (tsr_sqlp_peek(p, ahead)->t.id == TSR_TK_OBRACE) ahead++;
  return tsr_sqlp_is_kw_at(p, ahead, TSR_TK_SQL_SELECT);
}

/* ---- table references ---- */

/* TRUE when the current token may be an alias written without AS. */
static gboolean alias_ahead(const TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if (!tsr_sqlp_is_ident_at(p, 0, FALSE)) return FALSE;
  return !(t->word && tsr_sql_word_is_reserved(t->t.text, t->t.text_len));
}

/* [AS] alias; NULL without error when there is none. */
static const char *opt_alias(TsrSqlParser *p, gboolean strings) {
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_AS))
    return strings ? tsr_sqlp_name_or_string(p, "an alias") : tsr_sqlp_ident(p, "an alias");
  if (alias_ahead(p)) return tsr_sqlp_ident(p, "an alias");
  if (strings && tsr_sqlp_is(p, TSR_TK_STRING) && !(TSR_SQLP_CUR(p)->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT)))
    return tsr_sqlp_name_or_string(p, "an alias");
  return NULL;
}

TsrSqlTableRef *tsr_sqlp_table_name(TsrSqlParser *p) {
  return tsr_sqlp_table_name_only(p, FALSE);
}

TsrSqlTableRef *tsr_sqlp_table_name_only(TsrSqlParser *p, gboolean no_schema) {
  TsrSqlTableRef *t = tsr_sql_arena_new0(p->arena, TsrSqlTableRef);
  t->kind = TSR_SQL_TABLE_NAME;
  t->pos = TSR_SQLP_CUR(p)->t.start;
  if (!(t->name = tsr_sqlp_ident(p, "a table name"))) return NULL;
  if (!no_schema && tsr_sqlp_is(p, TSR_TK_DOT)) {
    p->i++;
    t->schema = t->name;
    if (!(t->name = tsr_sqlp_any_ident(p, "a table name after '.'"))) return NULL;
  }
  const TsrSqlToken *last = &p->toks[p->i - 1].t;
  t->name_end = last->start + last->len;
  return t;
}

/* PARTITION (p0, p1) after a table name. */
static gboolean opt_partitions(TsrSqlParser *p, TsrSqlTableRef *t) {
  if (!tsr_sqlp_is_kw(p, TSR_W_PARTITION) || tsr_sqlp_peek(p, 1)->t.id != TSR_TK_OBRACE) return TRUE;
  p->i += 2;
  guint from = p->i;
  do {
    if (!tsr_sqlp_ident(p, "a partition name")) return FALSE;
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  t->partitions = tsr_sqlp_raw(p, from, p->i);
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'");
}

static gboolean hint_ahead(const TsrSqlParser *p) {
  return (tsr_sqlp_is_kw(p, TSR_TK_SQL_USE) || tsr_sqlp_is_kw(p, TSR_TK_SQL_IGNORE) || tsr_sqlp_is_kw(p, TSR_TK_SQL_FORCE)) &&
         (tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_INDEX) || tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_KEY));
}

/* {USE|IGNORE|FORCE} {INDEX|KEY} [FOR {JOIN|ORDER BY|GROUP BY}] ([names]), ... */
static gboolean opt_hints(TsrSqlParser *p, TsrSqlTableRef *t) {
  guint from = p->i;
  while (hint_ahead(p)) {
    p->i += 2;
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_FOR)) {
      if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_JOIN) &&
          !((tsr_sqlp_accept_kw(p, TSR_TK_SQL_ORDER) || tsr_sqlp_accept_kw(p, TSR_TK_SQL_GROUP)) && tsr_sqlp_accept_kw(p, TSR_TK_SQL_BY)))
        return tsr_sqlp_expected(p, "JOIN, ORDER BY or GROUP BY") != NULL;
    }
    if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'('")) return FALSE;
    while (!tsr_sqlp_is(p, TSR_TK_CBRACE)) {
      if (!tsr_sqlp_any_ident(p, "an index name")) return FALSE;
      if (!tsr_sqlp_accept(p, TSR_TK_COMMA)) break;
    }
    if (!tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'")) return FALSE;
    tsr_sqlp_accept(p, TSR_TK_COMMA);
  }
  if (p->i > from) t->hints = tsr_sqlp_raw(p, from, p->i);
  return TRUE;
}

static TsrSqlTableRef *table_ref(TsrSqlParser *p);

static TsrSqlTableRef *join_new(TsrSqlParser *p, TsrSqlJoinKind kind, TsrSqlTableRef *left, TsrSqlTableRef *right) {
  TsrSqlTableRef *j = tsr_sql_arena_new0(p->arena, TsrSqlTableRef);
  j->kind = TSR_SQL_TABLE_JOIN;
  j->pos = left->pos;
  j->join = kind;
  j->left = left;
  j->right = right;
  return j;
}

/* ( table refs ): one ref, or the refs joined by COMMA joins. */
static TsrSqlTableRef *nested_refs(TsrSqlParser *p) {
  TsrSqlList refs = {0};
  p->i++;
  if (!tsr_sqlp_table_refs(p, &refs) || !tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'")) return NULL;
  TsrSqlTableRef *t = refs.items[0];
  for (guint i = 1; i < refs.len; i++) t = join_new(p, TSR_SQL_JOIN_COMMA, t, refs.items[i]);
  return t;
}

static TsrSqlTableRef *derived(TsrSqlParser *p) {
  TsrSqlTableRef *t = tsr_sql_arena_new0(p->arena, TsrSqlTableRef);
  t->kind = TSR_SQL_TABLE_DERIVED;
  t->pos = TSR_SQLP_CUR(p)->t.start;
  p->i++;
  if (!(t->select = tsr_sqlp_query(p)) || !tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'")) return NULL;
  t->alias = opt_alias(p, FALSE);
  return p->error ? NULL : t;
}

static TsrSqlTableRef *table_factor(TsrSqlParser *p) {
  if (tsr_sqlp_is(p, TSR_TK_OBRACE)) {
    if (!tsr_sqlp_enter(p)) return NULL;
    TsrSqlTableRef *t = tsr_sqlp_query_ahead(p, 1) ? derived(p) : nested_refs(p);
    tsr_sqlp_leave(p);
    return t;
  }
  if (tsr_sqlp_is_kw(p, TSR_W_LATERAL) || tsr_sqlp_is_kw(p, TSR_W_JSON_TABLE)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "LATERAL and JSON_TABLE are not supported");
    return NULL;
  }
  TsrSqlTableRef *t = tsr_sqlp_table_name(p);
  if (!t || !opt_partitions(p, t)) return NULL;
  t->alias = opt_alias(p, FALSE);
  if (p->error || !opt_hints(p, t)) return NULL;
  return t;
}

/* Consumes a join operator; FALSE (nothing consumed) when there is none. */
static gboolean join_op(TsrSqlParser *p, TsrSqlJoinKind *kind) {
  guint save = p->i;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_STRAIGHT_JOIN)) {
    *kind = TSR_SQL_JOIN_STRAIGHT;
    return TRUE;
  }
  gboolean natural = tsr_sqlp_accept_kw(p, TSR_TK_SQL_NATURAL);
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_LEFT)) {
    *kind = natural ? TSR_SQL_JOIN_NATURAL_LEFT : TSR_SQL_JOIN_LEFT;
    tsr_sqlp_accept_kw(p, TSR_TK_SQL_OUTER);
  } else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_RIGHT)) {
    *kind = natural ? TSR_SQL_JOIN_NATURAL_RIGHT : TSR_SQL_JOIN_RIGHT;
    tsr_sqlp_accept_kw(p, TSR_TK_SQL_OUTER);
  } else if (!natural && tsr_sqlp_accept_kw(p, TSR_TK_SQL_INNER)) {
    *kind = TSR_SQL_JOIN_INNER;
  } else if (!natural && tsr_sqlp_accept_kw(p, TSR_TK_SQL_CROSS)) {
    *kind = TSR_SQL_JOIN_CROSS;
  } else {
    *kind = natural ? TSR_SQL_JOIN_NATURAL : TSR_SQL_JOIN_INNER;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_JOIN)) return TRUE;
  if (p->i != save) tsr_sqlp_expected(p, "JOIN");
  p->i = save;
  return FALSE;
}

/* ON expr or USING (cols) after a join. */
static gboolean join_condition(TsrSqlParser *p, TsrSqlTableRef *j) {
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ON)) return (j->on = tsr_sqlp_expr(p)) != NULL;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_USING)) {
    if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'(' after USING")) return FALSE;
    do {
      char *col = tsr_sqlp_ident(p, "a column name");
      if (!col) return FALSE;
      tsr_sqlp_push(p, &j->using_cols, col);
    } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
    return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'");
  }
  if (j->join == TSR_SQL_JOIN_LEFT || j->join == TSR_SQL_JOIN_RIGHT) return tsr_sqlp_expected(p, "ON or USING") != NULL;
  return TRUE;
}

static gboolean natural_join(TsrSqlJoinKind kind) {
  return kind == TSR_SQL_JOIN_NATURAL || kind == TSR_SQL_JOIN_NATURAL_LEFT || kind == TSR_SQL_JOIN_NATURAL_RIGHT;
}

static TsrSqlTableRef *table_ref(TsrSqlParser *p) {
  TsrSqlTableRef *left = table_factor(p);
  guint chain = 0;
  TsrSqlJoinKind kind;
  while (left && join_op(p, &kind)) {
    chain++;
    if (!tsr_sqlp_enter(p)) {
      left = NULL;
      break;
    }
    TsrSqlTableRef *right = table_factor(p);
    if (!right) {
      left = NULL;
      break;
    }
    left = join_new(p, kind, left, right);
    if (!natural_join(kind) && !join_condition(p, left)) left = NULL;
  }
  p->depth -= chain;
  return p->error ? NULL : left;
}

gboolean tsr_sqlp_table_refs(TsrSqlParser *p, TsrSqlList *list) {
  do {
    TsrSqlTableRef *t = table_ref(p);
    if (!t) return FALSE;
    tsr_sqlp_push(p, list, t);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

/* ---- SELECT blocks ---- */

static const struct {
  guint code;
  guint option;
} select_options[] = {
  {TSR_TK_SQL_ALL, TSR_SQL_SELECT_ALL},
  {TSR_TK_SQL_DISTINCT, TSR_SQL_SELECT_DISTINCT},
  {TSR_TK_SQL_DISTINCTROW, TSR_SQL_SELECT_DISTINCTROW},
  {TSR_TK_SQL_HIGH_PRIORITY, TSR_SQL_SELECT_HIGH_PRIORITY},
  {TSR_TK_SQL_STRAIGHT_JOIN, TSR_SQL_SELECT_STRAIGHT_JOIN},
  {TSR_TK_SQL_SQL_SMALL_RESULT, TSR_SQL_SELECT_SQL_SMALL_RESULT},
  {TSR_TK_SQL_SQL_BIG_RESULT, TSR_SQL_SELECT_SQL_BIG_RESULT},
  {TSR_W_SQL_BUFFER_RESULT, TSR_SQL_SELECT_SQL_BUFFER_RESULT},
  {TSR_W_SQL_CACHE, TSR_SQL_SELECT_SQL_CACHE},
  {TSR_W_SQL_NO_CACHE, TSR_SQL_SELECT_SQL_NO_CACHE},
  {TSR_TK_SQL_SQL_CALC_FOUND_ROWS, TSR_SQL_SELECT_SQL_CALC_FOUND_ROWS},
};

static guint select_option(const TsrSqlParser *p) {
  for (gsize i = 0; i < G_N_ELEMENTS(select_options); i++)
    if (tsr_sqlp_is_kw(p, select_options[i].code)) return select_options[i].option;
  return 0;
}

/* *, t.*, schema.t.* */
static gboolean star_ahead(const TsrSqlParser *p) {
  if (tsr_sqlp_is(p, TSR_TK_STAR)) return TRUE;
  if (!tsr_sqlp_is_ident_at(p, 0, FALSE) || tsr_sqlp_peek(p, 1)->t.id != TSR_TK_DOT) return FALSE;
  if (tsr_sqlp_peek(p, 2)->t.id == TSR_TK_STAR) return TRUE;
  return tsr_sqlp_is_ident_at(p, 2, TRUE) && tsr_sqlp_peek(p, 3)->t.id == TSR_TK_DOT &&
         tsr_sqlp_peek(p, 4)->t.id == TSR_TK_STAR;
}

static TsrSqlSelectItem *select_item(TsrSqlParser *p) {
  TsrSqlSelectItem *item = tsr_sql_arena_new0(p->arena, TsrSqlSelectItem);
  if (tsr_sqlp_is(p, TSR_TK_STAR)) {
    item->expr = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_STAR, TSR_SQLP_CUR(p)->t.start);
    p->i++;
    return item;
  }
  if (star_ahead(p)) return (item->expr = tsr_sqlp_name_expr(p)) ? item : NULL;
  if (!(item->expr = tsr_sqlp_expr(p))) return NULL;
  item->alias = opt_alias(p, TRUE);
  return p->error ? NULL : item;
}

static gboolean group_by(TsrSqlParser *p, TsrSqlSelect *s) {
  if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_BY) || !tsr_sqlp_order_list(p, &s->group_by)) return FALSE;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_WITH) && tsr_sqlp_is_kw_at(p, 1, TSR_W_ROLLUP)) {
    p->i += 2;
    s->with_rollup = TRUE;
  }
  return TRUE;
}

static TsrSqlSelect *select_block(TsrSqlParser *p) {
  TsrSqlSelect *s = tsr_sql_arena_new0(p->arena, TsrSqlSelect);
  s->kind = TSR_SQL_SELECT_SIMPLE;
  s->pos = TSR_SQLP_CUR(p)->t.start;
  p->i++;
  for (guint opt; (opt = select_option(p)) != 0; p->i++) s->options |= opt;
  do {
    TsrSqlSelectItem *item = select_item(p);
    if (!item) return NULL;
    tsr_sqlp_push(p, &s->items, item);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_INTO)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "SELECT ... INTO is not supported");
    return NULL;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_FROM)) {
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_DUAL)) s->from_dual = TRUE;
    else if (!tsr_sqlp_table_refs(p, &s->from)) return NULL;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_WHERE) && !(s->where = tsr_sqlp_expr(p))) return NULL;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_GROUP) && !group_by(p, s)) return NULL;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_HAVING) && !(s->having = tsr_sqlp_expr(p))) return NULL;
  if (tsr_sqlp_is_kw(p, TSR_W_WINDOW)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "WINDOW clauses are not supported");
    return NULL;
  }
  return s;
}

/* ---- LIMIT, locking, queries ---- */

static TsrSqlExpr *limit_value(TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if ((t->t.id == TSR_TK_INTEGER && !(t->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT))) || t->t.id == TSR_TK_PLACEHOLDER)
    return tsr_sqlp_binary(p, TSR_SQLP_PRIMARY);
  return tsr_sqlp_expected(p, "a number or ? in LIMIT");
}

gboolean tsr_sqlp_limit(TsrSqlParser *p, TsrSqlLimit *limit, gboolean offset_ok) {
  if (!(limit->count = limit_value(p))) return FALSE;
  if (!offset_ok) return TRUE;
  if (tsr_sqlp_accept(p, TSR_TK_COMMA)) {
    limit->offset = limit->count;
    return (limit->count = limit_value(p)) != NULL;
  }
  if (tsr_sqlp_accept_kw(p, TSR_W_OFFSET)) return (limit->offset = limit_value(p)) != NULL;
  return TRUE;
}

static gboolean lock_wait(TsrSqlParser *p, TsrSqlSelect *s) {
  if (tsr_sqlp_accept_kw(p, TSR_W_NOWAIT)) s->lock_wait = TSR_SQL_LOCK_NOWAIT;
  else if (tsr_sqlp_is_kw(p, TSR_W_SKIP) && tsr_sqlp_is_kw_at(p, 1, TSR_W_LOCKED)) {
    p->i += 2;
    s->lock_wait = TSR_SQL_LOCK_SKIP_LOCKED;
  }
  return TRUE;
}

/* FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE; FALSE on error. */
static gboolean locking(TsrSqlParser *p, TsrSqlSelect *s) {
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_FOR)) {
    p->i++;
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_UPDATE)) s->lock = TSR_SQL_LOCK_FOR_UPDATE;
    else if (tsr_sqlp_accept_kw(p, TSR_W_SHARE)) s->lock = TSR_SQL_LOCK_FOR_SHARE;
    else return tsr_sqlp_expected(p, "UPDATE or SHARE after FOR") != NULL;
    return lock_wait(p, s);
  }
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_LOCK)) {
    p->i++;
    if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_IN) || !tsr_sqlp_expect_kw(p, TSR_W_SHARE) || !tsr_sqlp_expect_kw(p, TSR_W_MODE))
      return FALSE;
    s->lock = TSR_SQL_LOCK_SHARE_MODE;
    return lock_wait(p, s);
  }
  return TRUE;
}

static gboolean tail_ahead(const TsrSqlParser *p) {
  return tsr_sqlp_is_kw(p, TSR_TK_SQL_ORDER) || tsr_sqlp_is_kw(p, TSR_TK_SQL_LIMIT) || tsr_sqlp_is_kw(p, TSR_TK_SQL_FOR) ||
         tsr_sqlp_is_kw(p, TSR_TK_SQL_LOCK);
}

/* ORDER BY, LIMIT and locking after a query. */
static gboolean query_tail(TsrSqlParser *p, TsrSqlSelect *s) {
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ORDER)) {
    if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_BY) || !tsr_sqlp_order_list(p, &s->order_by)) return FALSE;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_LIMIT) && !tsr_sqlp_limit(p, &s->limit, TRUE)) return FALSE;
  return locking(p, s);
}

static TsrSqlSelect *union_new(TsrSqlParser *p, TsrSqlSelect *first) {
  TsrSqlSelect *u = tsr_sql_arena_new0(p->arena, TsrSqlSelect);
  u->kind = TSR_SQL_SELECT_UNION;
  u->pos = first->pos;
  tsr_sqlp_push(p, &u->parts, first);
  return u;
}

static TsrSqlSelect *query_primary(TsrSqlParser *p) {
  if (tsr_sqlp_is(p, TSR_TK_OBRACE)) {
    p->i++;
    TsrSqlSelect *q = tsr_sqlp_query(p);
    return q && tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? q : NULL;
  }
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_SELECT)) return select_block(p);
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_WITH)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "WITH (common table expressions) is not supported");
    return NULL;
  }
  return tsr_sqlp_expected(p, "SELECT");
}

static TsrSqlSelect *query_body(TsrSqlParser *p) {
  TsrSqlSelect *q = query_primary(p);
  if (!q) return NULL;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_UNION)) {
    q = union_new(p, q);
    while (tsr_sqlp_accept_kw(p, TSR_TK_SQL_UNION)) {
      TsrSqlUnionOp op = TSR_SQL_UNION_DISTINCT;
      if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ALL)) op = TSR_SQL_UNION_ALL;
      else tsr_sqlp_accept_kw(p, TSR_TK_SQL_DISTINCT);
      TsrSqlSelect *part = query_primary(p);
      if (!part) return NULL;
      part->union_op = op;
      tsr_sqlp_push(p, &q->parts, part);
    }
  }
  if (tsr_sqlp_is_kw(p, TSR_W_INTERSECT) || tsr_sqlp_is_kw(p, TSR_W_EXCEPT)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "INTERSECT and EXCEPT are not supported");
    return NULL;
  }
  if (!tail_ahead(p)) return q;
  if (tsr_sql_select_has_tail(q)) q = union_new(p, q);
  return query_tail(p, q) ? q : NULL;
}

TsrSqlSelect *tsr_sqlp_query(TsrSqlParser *p) {
  if (!tsr_sqlp_enter(p)) return NULL;
  TsrSqlSelect *q = query_body(p);
  tsr_sqlp_leave(p);
  return q;
}
