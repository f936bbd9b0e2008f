/* rewrite-select.c: a SELECT that runs on several shards, rewritten so that
 * the merger can combine what the shards return, and the merge spec that
 * says how (merge-spec.h).
 *
 * Rows that are final on each shard (no aggregates, or GROUP BY the shard
 * key): ORDER BY stays, LIMIT o,n becomes LIMIT o+n, ORDER BY expressions
 * not selected become hidden columns, the merger merges by the sort keys,
 * removes duplicates for DISTINCT, and applies o,n.
 * Aggregates over groups spread on shards: AVG(x) is sent as SUM(x) with
 * hidden COUNT(x) and AVG(x) (for its type); COUNT(DISTINCT x) is sent as x
 * with x added to the GROUP BY; HAVING, DISTINCT and LIMIT go to the
 * merger; shards sort by the group keys (after the ORDER BY keys that are
 * group keys) so that the merger combines groups as rows arrive; aggregates
 * that only ORDER BY or HAVING use become hidden outputs. */
#include <string.h>
#include "sql/sql-arena.h"
#include "sql/sql-lexer.h"
#include "sql/sql-printer.h"
#include "sql/sql-rewrite.h"
#include "sql/sql-walk.h"
#include "router-private.h"

typedef struct {
  RtCtx *c;
  TsrSqlSelect *s;
  RtBlock *root;
  const RtComp *comp;
  TsrSqlArena *arena;
  guint n_items;          /* select items as the client wrote them */
  guint first_star;       /* index of the first * item, or n_items */
  guint n_hidden;         /* items appended */
  GArray *outputs;        /* TsrOutputColumn: visible ones first */
  guint n_visible_outputs;
  GArray *group_by;       /* guint positions */
  GPtrArray *group_exprs; /* TsrSqlExpr * of each group_by position */
  GArray *order_by;       /* TsrSortKey */
  gboolean aggregate;
  gboolean distinct;
} Merge;

/* ---- positions ---- */

static TsrSqlSelectItem *item_at(const Merge *m, guint i) {
  return m->s->items.items[i];
}

static guint append_hidden(Merge *m, TsrSqlExpr *expr) {
  TsrSqlSelectItem *item = tsr_sql_arena_new0(m->arena, TsrSqlSelectItem);
  item->expr = expr;
  tsr_sql_list_push(m->arena, &m->s->items, item);
  return RT_HIDDEN_BASE + m->n_hidden++;
}

static gboolean same_expr(const TsrSqlExpr *a, const TsrSqlExpr *b) {
  g_autofree char *x = tsr_sql_dump_expr(a), *y = tsr_sql_dump_expr(b);
  return strcmp(x, y) == 0;
}

static gboolean is_position(const TsrSqlExpr *e, guint64 *n) {
  return e->kind == TSR_SQL_EXPR_LITERAL && e->lit.kind == TSR_SQL_LIT_INTEGER &&
         g_ascii_string_to_unsigned(e->lit.text, 10, 1, G_MAXUINT32, n, NULL);
}

/* The select item an ORDER BY / GROUP BY expression names (a position
 * before any *, an alias, or the same expression), or -1. Items after a *
 * have no known position: an alias of one gives its expression in
 * *instead. */
static gint find_item(Merge *m, const TsrSqlExpr *e, TsrSqlExpr **instead) {
  guint64 n;
  *instead = NULL;
  if (is_position(e, &n) && n <= m->n_items && n - 1 < m->first_star) return (gint)(n - 1);
  for (guint i = 0; e->kind == TSR_SQL_EXPR_COLUMN && !e->col.table && i < m->n_items; i++) {
    const TsrSqlSelectItem *item = item_at(m, i);
    if (!item->alias || g_ascii_strcasecmp(item->alias, e->col.column) != 0) continue;
    if (i < m->first_star) return (gint)i;
    *instead = item->expr;
    return -1;
  }
  for (guint i = 0; i < m->first_star; i++)
    if (same_expr(item_at(m, i)->expr, e)) return (gint)i;
  return -1;
}

static gboolean names_alias(TsrSqlExpr *e, gpointer data) {
  const Merge *m = ((gpointer *)data)[0];
  gboolean *found = ((gpointer *)data)[1];
  for (guint i = 0; e->kind == TSR_SQL_EXPR_COLUMN && !e->col.table && i < m->n_items; i++) {
    const char *alias = item_at(m, i)->alias;
    *found |= alias && g_ascii_strcasecmp(alias, e->col.column) == 0;
  }
  return e->kind != TSR_SQL_EXPR_SUBQUERY && e->kind != TSR_SQL_EXPR_EXISTS;
}

/* The position of the column an ORDER BY / GROUP BY expression reads: an
 * item, or a hidden column appended for it. -1 with a refusal. */
static gint position_of(Merge *m, TsrSqlExpr *e, const char *clause) {
  TsrSqlExpr *instead;
  guint64 n;
  gint i = find_item(m, e, &instead);
  if (i >= 0) return i;
  if (instead) return (gint)append_hidden(m, instead);
  if (is_position(e, &n) && m->first_star < m->n_items && n > m->first_star) {
    rt_refuse(m->c, "%s %" G_GUINT64_FORMAT " names a column of a *, which tessera cannot count; name the column",
              clause, n);
    return -1;
  }
  if (is_position(e, &n)) {
    rt_refuse(m->c, "%s %" G_GUINT64_FORMAT " names no column", clause, n);
    return -1;
  }
  gboolean found = FALSE;
  gpointer data[] = {m, &found};
  tsr_sql_walk_expr(e, &(TsrSqlVisitor){.expr = names_alias}, data);
  if (found) {
    rt_refuse(m->c, "%s an expression over a select alias cannot be sent to the shards; repeat the aliased "
              "expression in it", clause);
    return -1;
  }
  return (gint)append_hidden(m, e);
}

/* ---- LIMIT ---- */

static gboolean limit_part(Merge *m, const TsrSqlExpr *e, guint64 *value) {
  TsrShardValue v;
  if (tsr_sql_limit_value(e, value)) return TRUE;
  if (rt_fold(m->c, e, &v) && v.kind == TSR_SHARD_VALUE_INT && !v.is_unsigned && v.i >= 0) {
    *value = (guint64)v.i;
    return TRUE;
  }
  return rt_refuse(m->c, "the LIMIT of a query over several shards must be a number (or a bound parameter)");
}

/* Reads LIMIT o,n into the spec; with `push`, the shards get LIMIT o+n. */
static gboolean take_limit(Merge *m, TsrSqlSelect *s, TsrMergeSpec *spec, gboolean push) {
  guint64 offset = 0, count;
  spec->limit = TSR_MERGE_NO_LIMIT;
  if (!s->limit.count) return TRUE;
  if (!limit_part(m, s->limit.count, &count) || (s->limit.offset && !limit_part(m, s->limit.offset, &offset)))
    return FALSE;
  spec->offset = offset;
  spec->limit = count;
  if (push) tsr_sql_set_limit(m->c->script, &s->limit, 0, (gint64)MIN(offset + count, (guint64)G_MAXINT64));
  else tsr_sql_set_limit(m->c->script, &s->limit, 0, -1);
  return TRUE;
}

/* ---- ORDER BY ---- */

static gboolean is_null_order(const TsrSqlList *order) {
  if (order->len != 1) return FALSE;
  const TsrSqlExpr *e = ((TsrSqlOrderItem *)order->items[0])->expr;
  return e->kind == TSR_SQL_EXPR_LITERAL && e->lit.kind == TSR_SQL_LIT_NULL;
}

static void add_sort_key(Merge *m, guint pos, TsrSqlOrderDir dir) {
  TsrSortKey key = {pos, dir == TSR_SQL_ORDER_DESC, TSR_COLLATE_AUTO};
  g_array_append_val(m->order_by, key);
}

/* The final order of rows that are final on each shard: the ORDER BY, or
 * the GROUP BY keys (MariaDB sorts groups when nothing else is asked). */
static gboolean plain_order(Merge *m) {
  TsrSqlList *order = &m->s->order_by;
  if (is_null_order(order)) return TRUE;
  if (order->len == 0 && m->s->group_by.len > 0) m->s->order_by = m->s->group_by;
  for (guint i = 0; i < order->len; i++) {
    TsrSqlOrderItem *item = order->items[i];
    guint hidden = m->n_hidden;
    gint pos = position_of(m, item->expr, "ORDER BY");
    if (pos < 0) return FALSE;
    if (m->distinct && m->n_hidden > hidden)
      return rt_refuse(m->c, "SELECT DISTINCT over several shards cannot be ordered by a column it does not select; "
                       "select it");
    add_sort_key(m, (guint)pos, item->dir);
  }
  return TRUE;
}

/* ---- outputs ---- */

static void add_output(Merge *m, TsrAggFunc func, guint column) {
  TsrOutputColumn out = {func, column, 0, FALSE, 0};
  g_array_append_val(m->outputs, out);
}

static TsrAggFunc agg_func(TsrSqlAggregate agg) {
  switch (agg) {
  case TSR_SQL_AGG_COUNT: return TSR_AGG_COUNT;
  case TSR_SQL_AGG_SUM: return TSR_AGG_SUM;
  case TSR_SQL_AGG_MIN: return TSR_AGG_MIN;
  case TSR_SQL_AGG_MAX: return TSR_AGG_MAX;
  case TSR_SQL_AGG_AVG: return TSR_AGG_AVG;
  default: return TSR_AGG_NONE;
  }
}

/* A new call of aggregate `name` over the arguments of `like`. */
static TsrSqlExpr *aggregate_call(Merge *m, const TsrSqlExpr *like, const char *name, TsrSqlAggregate agg) {
  TsrSqlExpr *e = tsr_sql_arena_new0(m->arena, TsrSqlExpr);
  *e = *like;
  e->func.name = tsr_sql_arena_strdup(m->arena, name);
  e->func.agg = agg;
  e->func.distinct = FALSE;
  return e;
}

/* The column name a select item has: its alias, or its text as written
 * (what the server names it by), found with the lexer. */
static const char *item_name(Merge *m, guint index);

/* AVG(x): the shard sends SUM(x) in the item's place (named as the AVG),
 * then hidden COUNT(x) and AVG(x). Returns the output. */
static TsrOutputColumn avg_output(Merge *m, TsrSqlExpr *avg, guint column, TsrSqlSelectItem *item) {
  TsrOutputColumn out = {TSR_AGG_AVG, column, 0, TRUE, 0};
  TsrSqlExpr *sum = aggregate_call(m, avg, "SUM", TSR_SQL_AGG_SUM);
  if (item) {
    item->alias = item_name(m, column);
    item->expr = sum;
  } else {
    out.column = append_hidden(m, sum);
  }
  out.count_column = append_hidden(m, aggregate_call(m, avg, "COUNT", TSR_SQL_AGG_COUNT));
  out.type_column = append_hidden(m, avg);
  return out;
}

static gboolean refuse_aggregate(Merge *m, const TsrSqlExpr *e) {
  g_autoptr(GString) text = g_string_new(NULL);
  tsr_sql_print_expr(text, e, NULL);
  return rt_refuse(m->c, "%s cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
                   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything "
                   "grouped by the shard key (%s)",
                   text->str, ((RtInst *)m->comp->insts->pdata[0])->table->shard_key);
}

/* The output of select item i of an aggregating query. */
static gboolean item_output(Merge *m, guint i) {
  TsrSqlSelectItem *item = item_at(m, i);
  TsrSqlExpr *e = item->expr;
  if (!tsr_sql_expr_has_aggregate(e)) {
    add_output(m, TSR_AGG_NONE, i);
    return TRUE;
  }
  if (e->kind != TSR_SQL_EXPR_FUNC || e->func.agg == TSR_SQL_AGG_NONE) return refuse_aggregate(m, e);
  TsrAggFunc f = agg_func(e->func.agg);
  if (f == TSR_AGG_COUNT && e->func.distinct) {
    if (e->func.args.len != 1) return refuse_aggregate(m, e);
    TsrSqlOrderItem *g = tsr_sql_arena_new0(m->arena, TsrSqlOrderItem);
    g->expr = e->func.args.items[0];
    tsr_sql_list_push(m->arena, &m->s->group_by, g);
    item->alias = item_name(m, i);
    item->expr = g->expr;
    add_output(m, TSR_AGG_COUNT_DISTINCT, i);
    return TRUE;
  }
  if (f == TSR_AGG_NONE || (e->func.distinct && f != TSR_AGG_MIN && f != TSR_AGG_MAX)) return refuse_aggregate(m, e);
  if (f == TSR_AGG_AVG) {
    TsrOutputColumn out = avg_output(m, e, i, item);
    g_array_append_val(m->outputs, out);
    return TRUE;
  }
  add_output(m, f, i);
  return TRUE;
}

/* The output an expression of ORDER BY or HAVING reads, made hidden when
 * needed; -1 when the expression must be computed from others; -2 with a
 * refusal. */
/* The output already made for a hidden column computing e, or -1. */
static gint hidden_output(const Merge *m, const TsrSqlExpr *e) {
  for (guint j = 0; j < m->n_hidden; j++) {
    if (!same_expr(item_at(m, m->n_items + j)->expr, e)) continue;
    for (guint o = 0; o < m->outputs->len; o++)
      if (g_array_index(m->outputs, TsrOutputColumn, o).column == RT_HIDDEN_BASE + j) return (gint)o;
  }
  return -1;
}

static gint output_of(RtCtx *c, const TsrSqlExpr *e, gpointer data) {
  Merge *m = data;
  TsrSqlExpr *instead, *expr = (TsrSqlExpr *)e;
  gint i = find_item(m, e, &instead);
  if (i >= 0) return i; /* visible outputs are the items, in order */
  if (instead) expr = instead;
  i = hidden_output(m, expr);
  if (i >= 0) return i;
  if (expr->kind == TSR_SQL_EXPR_FUNC && expr->func.agg != TSR_SQL_AGG_NONE) {
    TsrAggFunc f = agg_func(expr->func.agg);
    if (f == TSR_AGG_NONE || expr->func.distinct) {
      refuse_aggregate(m, expr);
      return -2;
    }
    if (f == TSR_AGG_AVG) {
      TsrOutputColumn out = avg_output(m, expr, 0, NULL);
      g_array_append_val(m->outputs, out);
    } else {
      add_output(m, f, append_hidden(m, expr));
    }
    return (gint)m->outputs->len - 1;
  }
  if (tsr_sql_expr_has_aggregate(expr) || expr->kind == TSR_SQL_EXPR_LITERAL || expr->kind == TSR_SQL_EXPR_PARAM)
    return -1;
  for (guint g = 0; g < m->group_exprs->len; g++)
    if (same_expr(m->group_exprs->pdata[g], expr)) {
      add_output(m, TSR_AGG_NONE, g_array_index(m->group_by, guint, g));
      return (gint)m->outputs->len - 1;
    }
  if (expr->kind != TSR_SQL_EXPR_COLUMN && expr->kind != TSR_SQL_EXPR_FUNC) return -1;
  add_output(m, TSR_AGG_NONE, append_hidden(m, expr));
  return (gint)m->outputs->len - 1;
}

/* ---- aggregating queries ---- */

static gboolean group_keys(Merge *m) {
  guint n = m->s->group_by.len; /* COUNT(DISTINCT x) may add more; they are not group keys */
  for (guint i = 0; i < n; i++) {
    TsrSqlOrderItem *item = m->s->group_by.items[i];
    gint pos = position_of(m, item->expr, "GROUP BY");
    if (pos < 0) return FALSE;
    guint p = (guint)pos;
    g_array_append_val(m->group_by, p);
    g_ptr_array_add(m->group_exprs, item->expr);
  }
  return TRUE;
}

/* The GROUP BY key an ORDER BY expression is, when it is not a select
 * item (the merger sorts by group keys as they are), or -1. */
static gint group_of_expr(Merge *m, const TsrSqlExpr *e) {
  TsrSqlExpr *instead;
  if (find_item(m, e, &instead) >= 0 || instead) return -1;
  for (guint g = 0; g < m->group_exprs->len; g++)
    if (same_expr(m->group_exprs->pdata[g], e)) return (gint)g;
  return -1;
}

static gint group_index(const Merge *m, guint pos) {
  for (guint g = 0; g < m->group_by->len; g++)
    if (g_array_index(m->group_by, guint, g) == pos) return (gint)g;
  return -1;
}

/* The final order of an aggregating query, from outputs. */
static gboolean aggregate_order(Merge *m) {
  const TsrSqlList *order = &m->s->order_by;
  if (is_null_order(order)) return TRUE;
  if (order->len == 0) {
    for (guint g = 0; g < m->group_by->len; g++)
      add_sort_key(m, g_array_index(m->group_by, guint, g), ((TsrSqlOrderItem *)m->s->group_by.items[g])->dir);
    return TRUE;
  }
  for (guint i = 0; i < order->len; i++) {
    TsrSqlOrderItem *item = order->items[i];
    gint g = group_of_expr(m, item->expr);
    if (g >= 0) {
      add_sort_key(m, g_array_index(m->group_by, guint, g), item->dir);
      continue;
    }
    gint out = output_of(m->c, item->expr, m);
    if (out == -2) return FALSE;
    if (out < 0) return refuse_aggregate(m, item->expr);
    add_sort_key(m, g_array_index(m->outputs, TsrOutputColumn, out).column, item->dir);
  }
  return TRUE;
}

/* Shards sort by the ORDER BY keys that are group keys (up to the first
 * that is not), then the other group keys, ascending. */
static void shard_group_order(Merge *m) {
  TsrSqlList order = {0};
  g_autofree gboolean *used = g_new0(gboolean, MAX(m->group_by->len, 1));
  for (guint k = 0; k < m->order_by->len; k++) {
    const TsrSortKey *key = &g_array_index(m->order_by, TsrSortKey, k);
    gint g = group_index(m, key->column);
    if (g < 0) break;
    if (used[g]) continue;
    TsrSqlOrderItem *item = tsr_sql_arena_new0(m->arena, TsrSqlOrderItem);
    item->expr = m->group_exprs->pdata[g];
    item->dir = key->descending ? TSR_SQL_ORDER_DESC : TSR_SQL_ORDER_ASC;
    tsr_sql_list_push(m->arena, &order, item);
    used[g] = TRUE;
  }
  for (guint g = 0; g < m->group_by->len; g++) {
    if (used[g]) continue;
    TsrSqlOrderItem *item = tsr_sql_arena_new0(m->arena, TsrSqlOrderItem);
    item->expr = m->group_exprs->pdata[g];
    tsr_sql_list_push(m->arena, &order, item);
  }
  m->s->order_by = order;
}

static gboolean rewrite_aggregates(Merge *m, TsrMergeSpec *spec) {
  TsrSqlSelect *s = m->s;
  if (m->first_star < m->n_items)
    return rt_refuse(m->c, "a query that aggregates rows of several shards cannot select *; name the columns");
  m->aggregate = TRUE;
  if (!group_keys(m)) return FALSE;
  for (guint i = 0; i < m->n_items; i++)
    if (!item_output(m, i)) return FALSE;
  m->n_visible_outputs = m->outputs->len;
  if (s->having) {
    TsrRoutePlanPrivate *priv = m->c->plan->priv;
    priv->having = rt_filter_compile(m->c, s->having, output_of, m);
    if (!priv->having) return FALSE;
    spec->having = rt_filter_merge_filter(priv->having);
    s->having = NULL;
  }
  if (!aggregate_order(m) || !take_limit(m, s, spec, FALSE)) return FALSE;
  s->options &= ~(guint)(TSR_SQL_SELECT_DISTINCT | TSR_SQL_SELECT_DISTINCTROW);
  shard_group_order(m);
  spec->shards_sorted = m->group_by->len > 0;
  return TRUE;
}

/* ---- rows final on each shard ---- */

static gboolean rewrite_plain(Merge *m, TsrMergeSpec *spec) {
  for (guint i = 0; i < m->first_star; i++) add_output(m, TSR_AGG_NONE, i);
  m->n_visible_outputs = m->outputs->len;
  if (!plain_order(m) || !take_limit(m, m->s, spec, TRUE)) return FALSE;
  spec->shards_sorted = m->order_by->len > 0;
  return TRUE;
}

/* ---- the spec ---- */

static void finish_spec(Merge *m, TsrMergeSpec *spec) {
  TsrRoutePlanPrivate *priv = m->c->plan->priv;
  priv->star = m->first_star < m->n_items;
  priv->n_visible = m->n_items;
  priv->n_hidden = m->n_hidden;
  spec->shard_columns = priv->star ? 0 : m->n_items + m->n_hidden;
  spec->output_columns = priv->star ? 0 : m->n_visible_outputs;
  spec->n_outputs = m->outputs->len;
  spec->outputs = (TsrOutputColumn *)g_array_free(g_steal_pointer(&m->outputs), FALSE);
  spec->aggregate = m->aggregate;
  spec->n_group_by = m->aggregate ? m->group_by->len : 0;
  spec->group_by = (guint *)g_array_free(g_steal_pointer(&m->group_by), FALSE);
  spec->n_order_by = m->order_by->len;
  spec->order_by = (TsrSortKey *)g_array_free(g_steal_pointer(&m->order_by), FALSE);
  spec->distinct = m->distinct;
  priv->spec = spec;
}

static void merge_init(Merge *m, RtCtx *c, TsrSqlSelect *s, const RtComp *comp) {
  memset(m, 0, sizeof(*m));
  m->c = c;
  m->s = s;
  m->comp = comp;
  m->arena = tsr_sql_script_arena(c->script);
  m->n_items = s->items.len;
  m->first_star = m->n_items;
  for (guint i = 0; i < m->n_items && m->first_star == m->n_items; i++)
    if (item_at(m, i)->expr->kind == TSR_SQL_EXPR_STAR) m->first_star = i;
  m->outputs = g_array_new(FALSE, TRUE, sizeof(TsrOutputColumn));
  m->group_by = g_array_new(FALSE, TRUE, sizeof(guint));
  m->group_exprs = g_ptr_array_new();
  m->order_by = g_array_new(FALSE, TRUE, sizeof(TsrSortKey));
  m->distinct = (s->options & (TSR_SQL_SELECT_DISTINCT | TSR_SQL_SELECT_DISTINCTROW)) != 0;
}

static void merge_clear(Merge *m) {
  if (m->outputs) g_array_unref(m->outputs);
  if (m->group_by) g_array_unref(m->group_by);
  if (m->order_by) g_array_unref(m->order_by);
  g_ptr_array_unref(m->group_exprs);
}

static RtBlock *block_of(RtCtx *c, const TsrSqlSelect *s) {
  for (guint i = 0; i < c->blocks->len; i++)
    if (((RtBlock *)c->blocks->pdata[i])->select == s) return c->blocks->pdata[i];
  return NULL;
}

static gboolean rewrite_simple(RtCtx *c, TsrSqlSelect *s, const RtComp *comp) {
  Merge m;
  TsrMergeSpec *spec = g_new0(TsrMergeSpec, 1);
  gboolean ok;
  merge_init(&m, c, s, comp);
  m.root = block_of(c, s);
  if (s->options & TSR_SQL_SELECT_SQL_CALC_FOUND_ROWS)
    ok = rt_refuse(c, "SQL_CALC_FOUND_ROWS over several shards is not supported; run SELECT COUNT(*) instead");
  else if (s->with_rollup)
    ok = rt_refuse(c, "WITH ROLLUP over several shards is not supported; compute the totals with a second query");
  else if (rt_block_aggregates(m.root) && !rt_block_grouped_by_key(c, m.root, comp))
    ok = rewrite_aggregates(&m, spec);
  else
    ok = rewrite_plain(&m, spec);
  if (ok) finish_spec(&m, spec);
  else g_free(spec);
  merge_clear(&m);
  return ok;
}

/* ---- UNION ---- */

/* ORDER BY of a UNION names a column of the result: a position or a name
 * of the first part's select list. */
static gint union_position(RtCtx *c, const TsrSqlSelect *first, const TsrSqlExpr *e) {
  guint64 n;
  if (is_position(e, &n) && n <= first->items.len) return (gint)n - 1;
  for (guint i = 0; e->kind == TSR_SQL_EXPR_COLUMN && !e->col.table && i < first->items.len; i++) {
    const TsrSqlSelectItem *item = first->items.items[i];
    const char *name = item->alias ? item->alias : item->expr->kind == TSR_SQL_EXPR_COLUMN ? item->expr->col.column : NULL;
    if (item->expr->kind == TSR_SQL_EXPR_STAR) break;
    if (name && g_ascii_strcasecmp(name, e->col.column) == 0) return (gint)i;
  }
  rt_refuse(c, "ORDER BY of a UNION over several shards must name a selected column");
  return -1;
}

static gboolean check_union_parts(RtCtx *c, TsrSqlSelect *s, const RtComp *comp, gboolean *distinct) {
  gboolean all = FALSE, dist = FALSE;
  for (guint i = 0; i < s->parts.len; i++) {
    TsrSqlSelect *part = s->parts.items[i];
    RtBlock *b = block_of(c, part);
    if (i > 0) {
      all |= part->union_op == TSR_SQL_UNION_ALL;
      dist |= part->union_op == TSR_SQL_UNION_DISTINCT;
    }
    if (part->kind != TSR_SQL_SELECT_SIMPLE || part->limit.count)
      return rt_refuse(c, "a UNION over several shards cannot have a LIMIT in its parts");
    if (!b || !rt_block_reads(b, comp)) {
      g_autofree char *name = rt_inst_name(comp->insts->pdata[0]);
      return rt_refuse(c, "every part of a UNION over several shards must read %s, or its rows would come once per "
                       "shard", name);
    }
    if (b && rt_block_aggregates(b) && !rt_block_grouped_by_key(c, b, comp))
      return rt_refuse(c, "a UNION over several shards cannot aggregate in its parts unless grouped by the shard key");
  }
  if (all && dist) return rt_refuse(c, "a UNION over several shards must be all UNION ALL or all UNION DISTINCT");
  *distinct = dist;
  return TRUE;
}

static gboolean rewrite_union(RtCtx *c, TsrSqlSelect *s, const RtComp *comp) {
  Merge m;
  TsrMergeSpec *spec = g_new0(TsrMergeSpec, 1);
  TsrSqlSelect *first = s->parts.items[0];
  gboolean ok = TRUE;
  merge_init(&m, c, first, comp);
  ok = check_union_parts(c, s, comp, &m.distinct);
  for (guint i = 0; ok && i < s->order_by.len; i++) {
    TsrSqlOrderItem *item = s->order_by.items[i];
    gint pos = union_position(c, first, item->expr);
    ok = pos >= 0;
    if (ok) add_sort_key(&m, (guint)pos, item->dir);
  }
  for (guint i = 0; ok && i < m.first_star; i++) add_output(&m, TSR_AGG_NONE, i);
  m.n_visible_outputs = m.outputs->len;
  ok = ok && take_limit(&m, s, spec, TRUE);
  spec->shards_sorted = m.order_by->len > 0;
  if (ok) finish_spec(&m, spec);
  else g_free(spec);
  merge_clear(&m);
  return ok;
}

gboolean rt_rewrite_scatter(RtCtx *c, const RtComp *driving) {
  TsrSqlSelect *s = c->stmt->select;
  return s->kind == TSR_SQL_SELECT_UNION ? rewrite_union(c, s, driving) : rewrite_simple(c, s, driving);
}

/* ---- names of select items ---- */

static gboolean clause_word(const TsrSqlToken *tok) {
  static const char *const words[] = {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "FOR", "LOCK",
                                      "INTO", "PROCEDURE", "WINDOW", NULL};
  for (const char *const *w = words; *w; w++)
    if (tok->text_len == strlen(*w) && g_ascii_strncasecmp(tok->text, *w, tok->text_len) == 0) return TRUE;
  return FALSE;
}

static gboolean option_word(const TsrSqlToken *tok) {
  static const char *const words[] = {"SELECT", "DISTINCT", "DISTINCTROW", "ALL", "HIGH_PRIORITY", "STRAIGHT_JOIN",
                                      "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE",
                                      "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS", NULL};
  for (const char *const *w = words; *w; w++)
    if (tok->text_len == strlen(*w) && g_ascii_strncasecmp(tok->text, *w, tok->text_len) == 0) return TRUE;
  return FALSE;
}

static const char *item_name(Merge *m, guint index) {
  const TsrSqlStmt *stmt = m->c->stmt;
  TsrSqlSelectItem *item = item_at(m, index);
  TsrSqlLexer lx;
  TsrSqlToken tok;
  gsize from = m->s->pos - stmt->start, start = 0, end = 0;
  guint depth = 0, n = 0;
  gboolean in_items = FALSE;
  if (item->alias) return item->alias;
  tsr_sql_lexer_init(&lx, stmt->text + from, (stmt->end - stmt->start) - from, m->c->in->lex_flags);
  while (tsr_sql_lexer_next(&lx, &tok)) {
    if (tok.id == TSR_TK_COMMENT || tok.id == TSR_TK_COMMENT_MYSQL) continue;
    if (!in_items) {
      in_items = !option_word(&tok);
      if (!in_items) continue;
    }
    if (depth == 0 && (tok.id == TSR_TK_COMMA || tok.id == TSR_TK_CBRACE || clause_word(&tok))) {
      if (n == index) break;
      if (tok.id != TSR_TK_COMMA) return tsr_sql_arena_strdup(m->arena, "?");
      n++;
      start = end = 0;
      continue;
    }
    if (tok.id == TSR_TK_OBRACE) depth++;
    if (tok.id == TSR_TK_CBRACE) depth--;
    if (n == index && end == 0) start = from + tok.start;
    if (n == index) end = from + tok.start + tok.len;
  }
  return tsr_sql_arena_strndup(m->arena, stmt->text + start, end > start ? end - start : 0);
}
