/* router-place.c: placing a statement on shards.
 *
 * Sharded tables linked by their keys form components; a component reads
 * shards of one index in each step. A statement runs shard by shard
 * correctly when:
 *  - in each query block, the tables of a component are joined on the key
 *    (their rows meet only within a shard);
 *  - a subquery reading a component is correlated with the outer query on
 *    the key, or (IN, derived tables) gives per shard the rows it gives
 *    over all data (no LIMIT, aggregates grouped by the key), or reads one
 *    shard that the whole statement runs on;
 *  - at most one component reads several shards, from the outermost query
 *    (whose rows the merger combines);
 *  - what must be on one group (vertical tables, tables the map does not
 *    list, components pinned to one shard) is on the group of every step. */
#include <string.h>
#include "router-private.h"

/* ---- components ---- */

static RtComp *comp_of(RtCtx *c, gint root) {
  for (guint i = 0; i < c->comps->len; i++) {
    RtComp *comp = c->comps->pdata[i];
    if (rt_find(c, comp->root) == root) return comp;
  }
  return NULL;
}

static char *key_of(const RtInst *inst) {
  g_autofree char *name = rt_inst_name(inst);
  return g_strdup_printf("%s.%s", name, inst->table->shard_key);
}

static gboolean build_comps(RtCtx *c) {
  for (guint i = 0; i < c->insts->len; i++) {
    RtInst *inst = c->insts->pdata[i];
    if (!rt_inst_sharded(inst)) continue;
    gint root = rt_find(c, inst->key_node);
    RtComp *comp = comp_of(c, root);
    if (!comp) {
      comp = g_new0(RtComp, 1);
      comp->root = root;
      comp->layout = inst->table->layout;
      comp->insts = g_ptr_array_new();
      comp->pinned = -1;
      g_ptr_array_add(c->comps, comp);
    } else if (!tsr_shard_layout_equal(comp->layout, inst->table->layout)) {
      RtInst *first = comp->insts->pdata[0];
      g_autofree char *a = key_of(first), *b = key_of(inst);
      return rt_refuse(c, "%s and %s are compared as equal, but their tables are not sharded alike, so equal keys "
                       "are not on shards of the same index; bind the tables (binding = ...) or make one broadcast",
                       a, b);
    }
    inst->comp = comp;
    g_ptr_array_add(comp->insts, inst);
  }
  return TRUE;
}

/* The sharded table of comp whose rows an instance carries (itself, or
 * one inside the derived table it is). */
static const RtInst *carried_table(const RtInst *inst, const RtComp *comp) {
  if (inst->kind == RT_INST_TABLE) return inst;
  for (guint p = 0; p < inst->parts->len; p++) {
    const RtBlock *part = inst->parts->pdata[p];
    for (guint i = 0; i < part->insts->len; i++)
      if (rt_inst_carries(part->insts->pdata[i], comp)) return carried_table(part->insts->pdata[i], comp);
  }
  return inst;
}

/* Names the rows of an instance in messages: "shop.orders" or "a derived
 * table over shop.orders". */
static char *carrier_name(const RtInst *inst, const RtComp *comp) {
  g_autofree char *table = rt_inst_name(carried_table(inst, comp));
  if (inst->kind == RT_INST_TABLE) return g_steal_pointer(&table);
  return g_strdup_printf("a derived table over %s", table);
}

/* x carries rows of comp, y of comp_y. */
static gboolean refuse_join(RtCtx *c, const RtInst *x, const RtComp *comp, const RtInst *y, const RtComp *comp_y) {
  RtInst *first = comp->insts->pdata[0];
  g_autofree char *a = carrier_name(x, comp), *b = carrier_name(y, comp_y);
  return rt_refuse(c, "the JOIN of %s and %s is not on their shard key (%s); join on it or make one table broadcast", a,
                   b, first->table->shard_key);
}

/* In every block, the tables of a component meet on the key. */
static gboolean check_colocated(RtCtx *c, RtBlock *b) {
  for (guint k = 0; k < c->comps->len; k++) {
    RtComp *comp = c->comps->pdata[k];
    const RtInst *first = NULL;
    gint cls = -1;
    for (guint i = 0; i < b->insts->len; i++) {
      const RtInst *inst = b->insts->pdata[i];
      if (!rt_inst_carries(inst, comp)) continue;
      if (!first) {
        first = inst;
        cls = rt_inst_key_class(c, b, inst);
      } else if (cls < 0 || !rt_inst_has_key_class(c, b, inst, cls)) {
        return refuse_join(c, first, comp, inst, comp);
      }
    }
  }
  return TRUE;
}

gboolean rt_block_reads(const RtBlock *b, const RtComp *comp) {
  for (guint i = 0; i < b->insts->len; i++)
    if (rt_inst_carries(b->insts->pdata[i], comp)) return TRUE;
  return FALSE;
}

static guint depth(const RtBlock *b) {
  guint d = 0;
  for (; b->parent; b = b->parent) d++;
  return d;
}

static RtBlock *top_block(RtCtx *c, const RtComp *comp) {
  RtBlock *top = NULL;
  for (guint i = 0; i < c->blocks->len; i++) {
    RtBlock *b = c->blocks->pdata[i];
    if (rt_block_reads(b, comp) && (!top || depth(b) < depth(top))) top = b;
  }
  return top;
}

/* TRUE when child's rows are part of parent's rows (a derived table not on
 * the NULL side of an outer join, or the SELECT of an INSERT). */
static gboolean anchored_child(const RtBlock *child, const RtBlock *parent) {
  if (child->parent != parent) return FALSE;
  if (child->link == RT_LINK_INSERT) return TRUE;
  return child->link == RT_LINK_DERIVED && !child->derived_of->null_side;
}

/* Intersects *s with the shards the filters of b and of the blocks
 * anchored in it leave for comp. */
static void anchored_shards(RtCtx *c, RtBlock *b, const RtComp *comp, TsrShardSet *s) {
  if (rt_block_reads(b, comp)) {
    g_autoptr(TsrShardSet) own = rt_block_shards(c, b, comp);
    tsr_shard_set_intersect(s, own);
  }
  for (guint i = 0; i < c->blocks->len; i++) {
    RtBlock *child = c->blocks->pdata[i];
    if (anchored_child(child, b)) anchored_shards(c, child, comp, s);
  }
}

static void pin(RtComp *comp) {
  guint n = tsr_shard_set_count(comp->shards);
  comp->pinned = n == 0 ? 0 : n == 1 ? tsr_shard_set_next(comp->shards, 0) : -1;
}

/* ---- per-block checks ---- */

/* The reason b's rows over shards do not add up to its rows over all the
 * data, or NULL when they do. */
static const char *not_partitionable(RtCtx *c, RtBlock *b, const RtComp *comp);

/* TRUE when a GROUP BY item or (for DISTINCT) a select item of b is the
 * component's key. */
static gboolean list_has_key(RtCtx *c, RtBlock *b, const RtComp *comp, const TsrSqlList *list, gboolean order_items) {
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlExpr *e = order_items ? ((TsrSqlOrderItem *)list->items[i])->expr : ((TsrSqlSelectItem *)list->items[i])->expr;
    if (e->kind == TSR_SQL_EXPR_LITERAL && e->lit.kind == TSR_SQL_LIT_INTEGER && order_items) {
      guint64 pos;
      if (g_ascii_string_to_unsigned(e->lit.text, 10, 1, b->select->items.len, &pos, NULL))
        e = ((TsrSqlSelectItem *)b->select->items.items[pos - 1])->expr;
    }
    gint node = rt_column_node(c, b, e);
    if (node < 0 || rt_find(c, node) != rt_find(c, comp->root)) continue;
    gint cls = rt_local_find(c, b, node);
    for (guint j = 0; j < b->insts->len; j++)
      if (rt_inst_carries(b->insts->pdata[j], comp) && rt_inst_has_key_class(c, b, b->insts->pdata[j], cls)) return TRUE;
  }
  return FALSE;
}

gboolean rt_block_grouped_by_key(RtCtx *c, RtBlock *b, const RtComp *comp) {
  return b->select && list_has_key(c, b, comp, &b->select->group_by, TRUE);
}

static const char *not_partitionable(RtCtx *c, RtBlock *b, const RtComp *comp) {
  const TsrSqlSelect *s = b->select;
  if (!s) return NULL;
  if (s->limit.count) return "has a LIMIT";
  if (s->with_rollup) return "has WITH ROLLUP";
  gboolean grouped = list_has_key(c, b, comp, &s->group_by, TRUE);
  if (rt_block_aggregates(b) && !grouped) return "aggregates rows without grouping them by the shard key";
  if ((s->options & (TSR_SQL_SELECT_DISTINCT | TSR_SQL_SELECT_DISTINCTROW) || b->union_distinct) && !grouped &&
      !list_has_key(c, b, comp, &s->items, FALSE))
    return "removes duplicates without selecting the shard key";
  return NULL;
}

static const char *link_name(RtLink link) {
  switch (link) {
  case RT_LINK_DERIVED: return "a derived table";
  case RT_LINK_INSERT: return "the SELECT of the INSERT";
  default: return "a subquery";
  }
}

/* TRUE when block b is `key IN (SELECT key ...)` for comp: the compared
 * expression and the selected column are both the key, so a row of the
 * outer query only meets rows of b from its own shard. */
static gboolean in_links_key(RtCtx *c, RtBlock *b, const RtComp *comp) {
  const TsrSqlExpr *arg = b->in_arg;
  const TsrSqlList *items = &b->select->items;
  if (b->link != RT_LINK_IN || !arg || !b->parent) return FALSE;
  if (arg->kind != TSR_SQL_EXPR_ROW)
    return items->len == 1 && rt_is_comp_key(c, b->parent, comp, arg) &&
           rt_is_comp_key(c, b, comp, ((TsrSqlSelectItem *)items->items[0])->expr);
  for (guint i = 0; i < arg->row.items.len && i < items->len; i++)
    if (rt_is_comp_key(c, b->parent, comp, arg->row.items.items[i]) &&
        rt_is_comp_key(c, b, comp, ((TsrSqlSelectItem *)items->items[i])->expr))
      return TRUE;
  return FALSE;
}

/* TRUE when every row b reads is on the one shard the component reads. */
static gboolean reads_pinned_shard(const RtComp *comp, const TsrShardSet *own) {
  guint n = tsr_shard_set_count(own);
  return comp->pinned >= 0 && (n == 0 || (n == 1 && tsr_shard_set_has(own, (guint)comp->pinned)));
}

/* Checks a block that reads comp but is not its top block: correlated on
 * the key; or key IN (SELECT key), a derived table or the SELECT of an
 * INSERT whose rows per shard add up (or that reads one shard); or reading
 * only the one shard the statement runs on. */
static gboolean check_inner_block(RtCtx *c, RtBlock *b, const RtComp *comp) {
  g_autoptr(TsrShardSet) own = NULL;
  const char *why;
  if (rt_block_correlated(c, b, comp)) return TRUE;
  own = rt_block_shards(c, b, comp);
  RtInst *first = comp->insts->pdata[0];
  g_autofree char *name = NULL;
  for (guint i = 0; i < b->insts->len && !name; i++)
    if (rt_inst_carries(b->insts->pdata[i], comp)) name = rt_inst_name(carried_table(b->insts->pdata[i], comp));
  if (b->link == RT_LINK_EXPR || (b->link == RT_LINK_IN && !in_links_key(c, b, comp))) {
    if (reads_pinned_shard(comp, own)) return TRUE;
    return rt_refuse(c, "a subquery reads %s on other shards than the query around it; correlate it with that query on "
                     "the shard key (%s = outer.%s) or give it the same %s = ... condition",
                     name, first->table->shard_key, first->table->shard_key, first->table->shard_key);
  }
  why = not_partitionable(c, b, comp);
  if (!why || tsr_shard_set_count(own) <= 1) return TRUE;
  return rt_refuse(c, "%s over %s %s, so its rows on each shard do not add up to its rows over all shards; "
                   "correlate it on the shard key (%s) or restrict it to one shard with %s = ...",
                   link_name(b->link), name, why, first->table->shard_key, first->table->shard_key);
}

static gboolean check_comp_blocks(RtCtx *c, const RtComp *comp) {
  for (guint i = 0; i < c->blocks->len; i++) {
    RtBlock *b = c->blocks->pdata[i];
    /* the parts of a top-level UNION are each a top block: the merger combines them */
    if (b != comp->top && b->link != RT_LINK_ROOT && rt_block_reads(b, comp) && !check_inner_block(c, b, comp))
      return FALSE;
  }
  return TRUE;
}

/* ---- driving components ---- */

static gboolean refuse_several(RtCtx *c, RtComp *a, RtComp *b) {
  for (guint i = 0; i < c->blocks->len; i++) {
    RtBlock *blk = c->blocks->pdata[i];
    const RtInst *x = NULL, *y = NULL;
    for (guint j = 0; j < blk->insts->len; j++) {
      const RtInst *inst = blk->insts->pdata[j];
      if (!x && rt_inst_carries(inst, a)) x = inst;
      else if (!y && rt_inst_carries(inst, b)) y = inst;
    }
    if (x && y) return refuse_join(c, x, a, y, b);
  }
  RtInst *ia = a->insts->pdata[0], *ib = b->insts->pdata[0];
  g_autofree char *na = rt_inst_name(ia), *nb = rt_inst_name(ib);
  return rt_refuse(c, "the statement reads %s and %s on several shards each without relating them by their shard "
                   "keys; join or correlate them on %s = %s, or restrict one to a single shard",
                   na, nb, ia->table->shard_key, ib->table->shard_key);
}

/* Components of different parts of a top-level UNION read the same shard
 * index in a step when sharded alike: merges b into a. */
static gboolean merge_union_comps(RtCtx *c, RtComp *a, RtComp *b) {
  if (a->top == b->top || a->top->link != RT_LINK_ROOT || b->top->link != RT_LINK_ROOT || !a->top->select ||
      !b->top->select || !tsr_shard_layout_equal(a->layout, b->layout))
    return FALSE;
  rt_unite(c, a->root, b->root);
  tsr_shard_set_unite(a->shards, b->shards);
  for (guint i = 0; i < b->insts->len; i++) {
    RtInst *inst = b->insts->pdata[i];
    inst->comp = a;
    g_ptr_array_add(a->insts, inst);
  }
  g_ptr_array_remove(c->comps, b); /* frees b */
  return TRUE;
}

static void merge_unions(RtCtx *c) {
  for (guint i = 0; i < c->comps->len; i++)
    for (guint j = i + 1; j < c->comps->len; j++)
      if (merge_union_comps(c, c->comps->pdata[i], c->comps->pdata[j])) j--;
}

static gboolean find_driving(RtCtx *c, RtPlace *place) {
  place->driving = NULL;
  for (guint i = 0; i < c->comps->len; i++) {
    RtComp *comp = c->comps->pdata[i];
    if (comp->pinned >= 0) continue;
    if (comp->top->link != RT_LINK_ROOT) {
      RtInst *first = comp->insts->pdata[0];
      g_autofree char *name = rt_inst_name(first);
      return rt_refuse(c, "%s over %s reads several shards; correlate it with the query around it on the shard key "
                       "(%s) or restrict it to one shard with %s = ...",
                       link_name(comp->top->link), name, first->table->shard_key, first->table->shard_key);
    }
    if (place->driving) return refuse_several(c, place->driving, comp);
    place->driving = comp;
  }
  return TRUE;
}

/* ---- groups ---- */

typedef struct {
  gint group;
  const RtInst *by;
  gint shard;
} Need;

static char *placement_text(RtCtx *c, const RtInst *inst, gint shard) {
  g_autofree char *name = rt_inst_name(inst);
  if (shard >= 0) return g_strdup_printf("shard %d of %s", shard, name);
  return g_strdup(name);
}

/* The group an instance must run on, or -1 for none (broadcast, driving). */
static gint inst_group(RtCtx *c, const RtInst *inst, gint *shard) {
  *shard = -1;
  if (inst->kind != RT_INST_TABLE) return -1;
  if (c->hint.group) return -1;
  if (!inst->table) return (gint)tsr_shard_map_default_group(c->map);
  switch (inst->table->kind) {
  case TSR_TABLE_VERTICAL: return (gint)inst->table->group;
  case TSR_TABLE_BROADCAST: return -1;
  case TSR_TABLE_SHARDED:
    if (inst->comp->pinned < 0) return -1;
    *shard = inst->comp->pinned;
    return (gint)inst->table->layout->shard_group[inst->comp->pinned];
  }
  return -1;
}

static gboolean decide_group(RtCtx *c, RtPlace *place) {
  Need need = {-1, NULL, -1};
  place->broadcast_only = TRUE;
  for (guint i = 0; i < c->insts->len; i++) {
    const RtInst *inst = c->insts->pdata[i];
    gint shard, g = inst_group(c, inst, &shard);
    if (inst->kind == RT_INST_TABLE && !(inst->table && inst->table->kind == TSR_TABLE_BROADCAST))
      place->broadcast_only = FALSE;
    if (g < 0 || g == need.group) continue;
    if (need.group >= 0) {
      g_autofree char *a = placement_text(c, need.by, need.shard), *b = placement_text(c, inst, shard);
      return rt_refuse(c, "the statement needs %s on group %s and %s on group %s, and runs on one server; make one "
                       "of the tables broadcast or run the statement in two",
                       a, tsr_shard_map_group(c->map, (guint)need.group)->name, b, tsr_shard_map_group(c->map, (guint)g)->name);
    }
    need = (Need){g, inst, shard};
  }
  if (c->hint.group) need.group = (gint)c->hint.group->index;
  place->group = need.group >= 0 ? need.group : place->driving ? -1 : -2;
  if (!place->driving || need.group < 0) return TRUE;
  const RtComp *d = place->driving;
  for (gint s = tsr_shard_set_next(d->shards, 0); s >= 0; s = tsr_shard_set_next(d->shards, (guint)s + 1)) {
    if ((gint)d->layout->shard_group[s] == need.group) continue;
    RtInst *first = d->insts->pdata[0];
    g_autofree char *a = rt_inst_name(first), *b = placement_text(c, need.by, need.shard);
    return rt_refuse(c, "%s is read on shards of several groups, but %s is only on group %s; make %s broadcast or "
                     "restrict %s to the shards of that group by its shard key (%s)",
                     a, b, tsr_shard_map_group(c->map, (guint)need.group)->name, b, a, first->table->shard_key);
  }
  return TRUE;
}

/* ---- hints ---- */

static gboolean place_by_hint(RtCtx *c) {
  for (guint i = 0; i < c->comps->len; i++) {
    RtComp *comp = c->comps->pdata[i];
    RtInst *first = comp->insts->pdata[0];
    g_autofree char *name = rt_inst_name(first);
    if (c->hint.group)
      return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint group=%s cannot place the sharded table %s; use shard=N",
                     c->hint.group->name, name);
    if (c->hint.shard >= comp->layout->n_shards)
      return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint shard=%u names no shard of %s, which has %u", c->hint.shard,
                     name, comp->layout->n_shards);
    comp->pinned = (gint)c->hint.shard;
    comp->shards = tsr_shard_set_new(comp->layout->n_shards, FALSE);
    tsr_shard_set_add(comp->shards, c->hint.shard);
  }
  return TRUE;
}

gboolean rt_place(RtCtx *c, RtPlace *place) {
  memset(place, 0, sizeof(*place));
  if (!build_comps(c)) return FALSE;
  if (c->hint.has_shard || c->hint.group) return place_by_hint(c) && decide_group(c, place);
  for (guint i = 0; i < c->blocks->len; i++)
    if (!check_colocated(c, c->blocks->pdata[i])) return FALSE;
  for (guint i = 0; i < c->comps->len; i++) {
    RtComp *comp = c->comps->pdata[i];
    comp->top = top_block(c, comp);
    comp->shards = tsr_shard_set_new(comp->layout->n_shards, TRUE);
    anchored_shards(c, comp->top, comp, comp->shards);
  }
  merge_unions(c);
  for (guint i = 0; i < c->comps->len; i++) pin(c->comps->pdata[i]);
  if (!find_driving(c, place)) return FALSE;
  for (guint i = 0; i < c->comps->len; i++)
    if (!check_comp_blocks(c, c->comps->pdata[i])) return FALSE;
  return decide_group(c, place);
}

void rt_place_steps(RtCtx *c, const RtPlace *place, gboolean all_groups) {
  const RtComp *d = place->driving;
  if (d) {
    for (gint s = tsr_shard_set_next(d->shards, 0); s >= 0; s = tsr_shard_set_next(d->shards, (guint)s + 1)) {
      rt_apply_shard(c, s);
      rt_add_step(c, d->layout->shard_group[s], s);
    }
    rt_restore_names(c);
    return;
  }
  rt_apply_shard(c, -1);
  if (all_groups) {
    for (guint g = 0; g < tsr_shard_map_n_groups(c->map); g++) rt_add_step(c, g, -1);
  } else {
    gint group = place->group >= 0 ? place->group
                 : c->in->prefer_group >= 0 && (guint)c->in->prefer_group < tsr_shard_map_n_groups(c->map)
                   ? c->in->prefer_group
                   : (gint)tsr_shard_map_default_group(c->map);
    RtComp *first = c->comps->len ? c->comps->pdata[0] : NULL;
    rt_add_step(c, (guint)group, first ? first->pinned : -1);
  }
  rt_restore_names(c);
}
