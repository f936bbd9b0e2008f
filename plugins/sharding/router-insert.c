/* router-insert.c: routing INSERT and REPLACE. Rows of VALUES go to the
 * shard of their key (a multi-row INSERT becomes one INSERT per shard with
 * its rows, in their order); INSERT ... SELECT runs shard by shard when it
 * takes the key from a table sharded like the target. Without a column
 * list, the columns come from the map's `columns`, else from the caller's
 * TsrRouteColumnsFunc. */
#include <string.h>
#include "sql/sql-walk.h"
#include "router-private.h"

typedef struct {
  RtCtx *c;
  TsrSqlInsert *ins;
  RtInst *target;
  const char *verb;     /* INSERT or REPLACE */
  char *name;           /* schema.table of the target */
  gint key;             /* position of the key among the values, or -1 */
} Insert;

/* ---- the key's position ---- */

static gint position_in(char **columns, const char *key) {
  for (gint i = 0; columns && columns[i]; i++)
    if (g_ascii_strcasecmp(columns[i], key) == 0) return i;
  return -1;
}

/* Finds the position of the key among the values each row gives. */
static gboolean find_key(Insert *x) {
  const TsrShardTable *t = x->target->table;
  g_auto(GStrv) asked = NULL;
  if (x->ins->columns.len > 0 || x->ins->set.len > 0) {
    x->key = tsr_sql_insert_column_index(x->ins, t->shard_key);
  } else if (t->columns) {
    x->key = position_in((char **)t->columns, t->shard_key);
  } else if (x->c->in->columns && (asked = x->c->in->columns(x->target->schema, t->name, x->c->in->columns_data))) {
    x->key = position_in(asked, t->shard_key);
  } else {
    return rt_refuse(x->c, "%s into %s without a column list: list the columns, or give the table's columns in the "
                     "shard map (columns = {...})", x->verb, x->name);
  }
  if (x->key < 0)
    return rt_refuse(x->c, "%s into %s must give the shard key %s a value", x->verb, x->name, t->shard_key);
  return TRUE;
}

/* ---- VALUES and SET ---- */

static TsrSqlExpr *row_key(Insert *x, guint row) {
  if (x->ins->set.len > 0) return ((TsrSqlAssignment *)x->ins->set.items[x->key])->value;
  const TsrSqlList *values = x->ins->rows.items[row];
  return (guint)x->key < values->len ? values->items[x->key] : NULL;
}

static gboolean row_shard(Insert *x, guint row, guint *shard) {
  RtCtx *c = x->c;
  const TsrShardTable *t = x->target->table;
  TsrSqlExpr *e = row_key(x, row);
  TsrShardValue v;
  g_autoptr(GError) why = NULL;
  if (!e || e->kind == TSR_SQL_EXPR_DEFAULT)
    return rt_refuse(c, "%s into %s must give the shard key %s a value (row %u)", x->verb, x->name, t->shard_key, row + 1);
  if (c->in->describe && e->kind == TSR_SQL_EXPR_PARAM && !c->in->params) {
    *shard = c->hint.has_shard ? c->hint.shard : 0;
    return TRUE;
  }
  if (!rt_fold(c, e, &v))
    return rt_refuse(c, "the shard key %s of row %u of the %s into %s is not a constant; give its value (a literal or "
                     "a parameter)", t->shard_key, row + 1, x->verb, x->name);
  if (!tsr_shard_place(t->layout, &v, shard, &why))
    return rt_fail(c, TSR_ROUTER_ERROR_VALUE, "%s into %s, row %u: the shard key %s value %s", x->verb, x->name,
                   row + 1, t->shard_key, why->message);
  if (c->hint.has_shard && *shard != c->hint.shard)
    return rt_fail(c, TSR_ROUTER_ERROR_HINT, "row %u of the %s into %s belongs to shard %u, not to the hinted shard %u",
                   row + 1, x->verb, x->name, *shard, c->hint.shard);
  return TRUE;
}

/* `key = VALUES(key)` keeps the row where it is. */
static gboolean keeps_key(const TsrSqlAssignment *a, const char *key) {
  const TsrSqlExpr *v = a->value;
  if (v->kind != TSR_SQL_EXPR_FUNC || g_ascii_strcasecmp(v->func.name, "VALUES") != 0 || v->func.args.len != 1) return FALSE;
  const TsrSqlExpr *arg = v->func.args.items[0];
  return arg->kind == TSR_SQL_EXPR_COLUMN && g_ascii_strcasecmp(arg->col.column, key) == 0;
}

static gboolean check_on_duplicate(Insert *x) {
  const char *key = x->target->table->shard_key;
  for (guint i = 0; i < x->ins->on_duplicate.len; i++) {
    const TsrSqlAssignment *a = x->ins->on_duplicate.items[i];
    if (g_ascii_strcasecmp(a->column->col.column, key) != 0 || keeps_key(a, key)) continue;
    return rt_refuse(x->c, "INSERT ... ON DUPLICATE KEY UPDATE of the shard key %s.%s would move the row to another "
                     "shard; DELETE and INSERT it instead", x->name, key);
  }
  return TRUE;
}

/* Other tables of an INSERT ... VALUES into a sharded table must be on
 * every group. */
static gboolean check_values_tables(Insert *x) {
  for (guint i = 0; i < x->c->insts->len; i++) {
    const RtInst *inst = x->c->insts->pdata[i];
    if (inst == x->target || (inst->kind == RT_INST_TABLE && inst->table && inst->table->kind == TSR_TABLE_BROADCAST))
      continue;
    g_autofree char *name = rt_inst_name(inst);
    return rt_refuse(x->c, "subqueries in the VALUES of an %s into the sharded table %s may read only broadcast "
                     "tables, not %s", x->verb, x->name, name);
  }
  return TRUE;
}

/* One step per shard with the rows that go there, in their order. */
static void split_rows(Insert *x, const guint *shards, guint n_rows) {
  const TsrShardLayout *l = x->target->table->layout;
  TsrSqlList all = x->ins->rows;
  gboolean values = x->ins->set.len == 0;
  g_autofree gpointer *items = g_new(gpointer, MAX(n_rows, 1));
  for (guint s = 0; s < l->n_shards; s++) {
    guint n = 0, first = 0;
    for (guint r = 0; r < n_rows; r++)
      if (shards[r] == s) {
        if (n == 0) first = r;
        items[n++] = values ? all.items[r] : NULL;
      }
    if (n == 0) continue;
    if (values) x->ins->rows = (TsrSqlList){n, n, items};
    rt_apply_shard(x->c, (gint)s);
    rt_add_step(x->c, l->shard_group[s], (gint)s);
    x->c->plan->steps[x->c->plan->n_steps - 1].first_row = first;
  }
  x->ins->rows = all;
  rt_restore_names(x->c);
}

static gboolean insert_values(Insert *x) {
  guint n_rows = x->ins->set.len > 0 ? 1 : x->ins->rows.len;
  g_autofree guint *shards = g_new0(guint, MAX(n_rows, 1));
  if (!check_values_tables(x) || !find_key(x) || !check_on_duplicate(x)) return FALSE;
  for (guint r = 0; r < n_rows; r++)
    if (!row_shard(x, r, &shards[r])) return FALSE;
  split_rows(x, shards, n_rows);
  return TRUE;
}

/* ---- INSERT ... SELECT ---- */

/* The key of the target comes from the key of the rows selected. */
static gboolean link_select_key(Insert *x, GPtrArray *parts) {
  for (guint p = 0; p < parts->len; p++) {
    RtBlock *part = parts->pdata[p];
    const TsrSqlList *items = &part->select->items;
    TsrSqlExpr *e = (guint)x->key < items->len ? ((TsrSqlSelectItem *)items->items[x->key])->expr : NULL;
    gint node = e ? rt_column_node(x->c, part, e) : -1;
    if (!rt_is_key_handle(x->c, part, node))
      return rt_refuse(x->c, "%s ... SELECT into %s must take its shard key %s from the shard key of a table sharded "
                       "like it (binding = ...), selected as column %d", x->verb, x->name,
                       x->target->table->shard_key, x->key + 1);
    rt_unite(x->c, x->target->key_node, node);
  }
  return TRUE;
}

static gboolean insert_select(Insert *x, GPtrArray *parts) {
  RtPlace place;
  if (!find_key(x) || !check_on_duplicate(x) || !link_select_key(x, parts)) return FALSE;
  if (!rt_place(x->c, &place)) return FALSE;
  rt_place_steps(x->c, &place, FALSE);
  return TRUE;
}

/* ---- targets that are not sharded ---- */

static gboolean insert_whole(Insert *x) {
  RtPlace place;
  gboolean broadcast = x->target->table && x->target->table->kind == TSR_TABLE_BROADCAST;
  if (!rt_place(x->c, &place)) return FALSE;
  if (broadcast && !place.broadcast_only)
    return rt_refuse(x->c, "%s into the broadcast table %s reads tables that are not on every group; every group "
                     "must change its copy alike, so use only broadcast tables in it", x->verb, x->name);
  if (broadcast && !rt_check_broadcast_write(x->c, x->name)) return FALSE;
  rt_place_steps(x->c, &place, broadcast && !x->c->hint.group);
  return TRUE;
}

static void scope_assignments(RtCtx *c, RtBlock *b, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) {
    TsrSqlAssignment *a = list->items[i];
    rt_scope_expr(c, b, a->column);
    rt_scope_expr(c, b, a->value);
  }
}

gboolean rt_route_insert(RtCtx *c) {
  TsrSqlInsert *ins = c->stmt->insert;
  RtBlock *b = rt_block_new(c, NULL, NULL, RT_LINK_ROOT);
  Insert x = {c, ins, rt_add_table(c, b, ins->table, FALSE), c->stmt->kind == TSR_SQL_STMT_REPLACE ? "REPLACE" : "INSERT"};
  g_autoptr(GPtrArray) parts = NULL;
  gboolean ok;
  x.name = rt_inst_name(x.target);
  for (guint r = 0; r < ins->rows.len; r++) {
    const TsrSqlList *row = ins->rows.items[r];
    for (guint i = 0; i < row->len; i++) rt_scope_expr(c, b, row->items[i]);
  }
  scope_assignments(c, b, &ins->set);
  scope_assignments(c, b, &ins->on_duplicate);
  if (ins->select) parts = rt_scope_query(c, ins->select, b, RT_LINK_INSERT, NULL, NULL);
  c->plan->kind = TSR_ROUTE_SHARDS;
  c->plan->write = c->plan->needs_primary = TRUE;
  if (!rt_inst_sharded(x.target)) ok = insert_whole(&x);
  else if (c->hint.group) ok = rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint group=%s cannot place rows of the sharded table %s; use shard=N", c->hint.group->name, x.name);
  else if (parts) ok = insert_select(&x, parts);
  else ok = insert_values(&x);
  g_free(x.name);
  return ok;
}
