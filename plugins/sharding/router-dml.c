/* router-dml.c: routing SELECT, UPDATE and DELETE. */
#include <string.h>
#include "sql/sql-walk.h"
#include "router-private.h"

/* ---- SELECT ---- */

static gboolean about_last_statement(TsrSqlExpr *e, gpointer data) {
  static const char *const names[] = {"LAST_INSERT_ID", "ROW_COUNT", "FOUND_ROWS", NULL};
  gboolean *found = data;
  if (e->kind == TSR_SQL_EXPR_FUNC && !e->func.schema)
    for (const char *const *n = names; *n; n++) *found |= g_ascii_strcasecmp(e->func.name, *n) == 0;
  if (e->kind == TSR_SQL_EXPR_VARIABLE && e->var.kind == TSR_SQL_VAR_SYSTEM)
    *found |= g_ascii_strcasecmp(e->var.name, "identity") == 0 || g_ascii_strcasecmp(e->var.name, "last_insert_id") == 0;
  return TRUE;
}

/* TRUE when a SELECT without tables asks about the previous statement. */
static gboolean asks_about_last(RtCtx *c) {
  gboolean found = FALSE;
  if (c->insts->len > 0) return FALSE;
  tsr_sql_walk_stmt(c->stmt, &(TsrSqlVisitor){.expr = about_last_statement}, &found);
  return found;
}

static gboolean locks_rows(const TsrSqlSelect *s) {
  if (s->lock != TSR_SQL_LOCK_NONE) return TRUE;
  for (guint i = 0; i < s->parts.len; i++)
    if (locks_rows(s->parts.items[i])) return TRUE;
  return FALSE;
}

gboolean rt_route_select(RtCtx *c) {
  TsrSqlSelect *s = c->stmt->select;
  g_autoptr(GPtrArray) roots = rt_scope_query(c, s, NULL, RT_LINK_ROOT, NULL, NULL); /* the blocks are in c */
  RtPlace place;
  if (asks_about_last(c)) {
    rt_set_sql(c, TSR_ROUTE_LAST);
    return TRUE;
  }
  if (!rt_place(c, &place)) return FALSE;
  c->plan->kind = TSR_ROUTE_SHARDS;
  c->plan->needs_primary = locks_rows(s);
  if (place.driving) {
    if (!rt_rewrite_scatter(c, place.driving)) return FALSE;
    c->plan->merge = TRUE;
  }
  rt_place_steps(c, &place, FALSE);
  return TRUE;
}

/* ---- writes ---- */

static gboolean differs_between_servers(TsrSqlExpr *e, gpointer data) {
  static const char *const names[] = {
    "RAND", "UUID", "UUID_SHORT", "SYS_GUID", "NOW", "SYSDATE", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
    "UNIX_TIMESTAMP", "CURDATE", "CURRENT_DATE", "CURTIME", "CURRENT_TIME", "UTC_DATE", "UTC_TIME",
    "UTC_TIMESTAMP", "CONNECTION_ID", "LAST_INSERT_ID", "NEXTVAL", "LASTVAL", "SETVAL", NULL,
  };
  const char **found = data;
  if (*found || e->kind != TSR_SQL_EXPR_FUNC || e->func.schema) return TRUE;
  for (const char *const *n = names; *n; n++)
    if (g_ascii_strcasecmp(e->func.name, *n) == 0) *found = e->func.name;
  return TRUE;
}

gboolean rt_check_broadcast_write(RtCtx *c, const char *table) {
  const char *found = NULL;
  tsr_sql_walk_stmt(c->stmt, &(TsrSqlVisitor){.expr = differs_between_servers}, &found);
  if (!found) return TRUE;
  return rt_refuse(c, "writes to the broadcast table %s must give the same values on every group, and %s() differs "
                   "between servers; compute the value in the application",
                   table, found);
}

/* The assignments to shard keys must keep each row on its shard. */
static gboolean check_key_updates(RtCtx *c, RtBlock *b, const TsrSqlList *set, const RtPlace *place) {
  for (guint i = 0; set && i < set->len; i++) {
    TsrSqlAssignment *a = set->items[i];
    RtInst *inst = rt_resolve(c, b, a->column);
    TsrShardValue v;
    guint shard;
    if (!inst || !rt_inst_sharded(inst) || g_ascii_strcasecmp(a->column->col.column, inst->table->shard_key) != 0)
      continue;
    if (!place->driving && inst->comp->pinned >= 0 && rt_fold(c, a->value, &v) &&
        tsr_shard_place(inst->table->layout, &v, &shard, NULL) && (gint)shard == inst->comp->pinned)
      continue;
    g_autofree char *name = rt_inst_name(inst);
    return rt_refuse(c, "UPDATE of the shard key %s.%s would move the row to another shard; DELETE and INSERT it "
                     "instead", name, inst->table->shard_key);
  }
  return TRUE;
}

static const RtInst *broadcast_target(GPtrArray *targets) {
  for (guint i = 0; i < targets->len; i++) {
    const RtInst *t = targets->pdata[i];
    if (t->kind == RT_INST_TABLE && t->table && t->table->kind == TSR_TABLE_BROADCAST) return t;
  }
  return NULL;
}

static const char *first_key(const RtPlace *place) {
  return ((RtInst *)place->driving->insts->pdata[0])->table->shard_key;
}

static gboolean route_write(RtCtx *c, RtBlock *b, GPtrArray *targets, const TsrSqlList *set, const TsrSqlLimit *limit,
                            const char *verb) {
  RtPlace place;
  if (!rt_place(c, &place)) return FALSE;
  const RtInst *bcast = broadcast_target(targets);
  if (bcast) {
    g_autofree char *name = rt_inst_name(bcast);
    if (!place.broadcast_only)
      return rt_refuse(c, "%s of the broadcast table %s reads tables that are not on every group; every group "
                       "must change its copy alike, so use only broadcast tables in it", verb, name);
    if (!rt_check_broadcast_write(c, name)) return FALSE;
  }
  if (!check_key_updates(c, b, set, &place)) return FALSE;
  if (place.driving && limit->count)
    return rt_refuse(c, "%s with LIMIT on several shards would change up to that many rows on each; add the shard "
                     "key (%s) to the WHERE or drop the LIMIT", verb, first_key(&place));
  c->plan->kind = TSR_ROUTE_SHARDS;
  c->plan->write = c->plan->needs_primary = TRUE;
  rt_place_steps(c, &place, bcast && !c->hint.group);
  return TRUE;
}

static void add_target(GPtrArray *targets, RtInst *inst) {
  if (inst->kind == RT_INST_TABLE && !g_ptr_array_find(targets, inst, NULL)) g_ptr_array_add(targets, inst);
}

gboolean rt_route_update(RtCtx *c) {
  TsrSqlUpdate *u = c->stmt->update;
  RtBlock *b = rt_scope_dml(c, &u->tables, u->where, &u->set, &u->order_by);
  g_autoptr(GPtrArray) targets = g_ptr_array_new();
  for (guint i = 0; i < u->set.len; i++) {
    TsrSqlAssignment *a = u->set.items[i];
    RtInst *inst = rt_resolve(c, b, a->column);
    if (!inst && !a->column->col.table && b->insts->len == 1) inst = b->insts->pdata[0];
    if (inst) {
      add_target(targets, inst);
      continue;
    }
    for (guint j = 0; j < b->insts->len; j++) add_target(targets, b->insts->pdata[j]);
  }
  return route_write(c, b, targets, &u->set, &u->limit, "UPDATE");
}

/* The instance of block b that a multi-table DELETE target names. */
static RtInst *delete_target(RtCtx *c, RtBlock *b, TsrSqlTableRef *t) {
  for (guint i = 0; i < b->insts->len; i++) {
    RtInst *inst = b->insts->pdata[i];
    const char *name = inst->ref->alias ? inst->ref->alias : inst->orig_name;
    if (inst->kind != RT_INST_TABLE || !name || strcmp(name, t->name) != 0) continue;
    if (t->schema && (inst->ref->alias || g_strcmp0(inst->schema, t->schema) != 0)) continue;
    if (rt_inst_sharded(inst) && !inst->ref->alias) {
      RtSlot slot = {&t->name, inst};
      g_array_append_val(c->slots, slot);
    }
    return inst;
  }
  return NULL;
}

gboolean rt_route_delete(RtCtx *c) {
  TsrSqlDelete *d = c->stmt->del;
  RtBlock *b = rt_scope_dml(c, &d->from, d->where, NULL, &d->order_by);
  g_autoptr(GPtrArray) targets = g_ptr_array_new();
  for (guint i = 0; i < d->targets.len; i++) {
    TsrSqlTableRef *t = d->targets.items[i];
    RtInst *inst = delete_target(c, b, t);
    if (!inst) return rt_refuse(c, "DELETE names the table %s, which is not in its FROM", t->name);
    add_target(targets, inst);
  }
  if (d->targets.len == 0)
    for (guint j = 0; j < b->insts->len; j++) add_target(targets, b->insts->pdata[j]);
  return route_write(c, b, targets, NULL, &d->limit, "DELETE");
}
