/* router-scope.c: the query blocks and table instances of a statement,
 * column resolution, and the classes of columns a statement's conditions
 * make equal (union-find), which tell which tables are joined on their
 * shard keys. */
#include <string.h>
#include "sql/sql-walk.h"
#include "router-private.h"

/* ---- union-find ---- */

gint rt_find(RtCtx *c, gint node) {
  gint *parent = (gint *)c->uf->data;
  while (parent[node] != node) {
    parent[node] = parent[parent[node]];
    node = parent[node];
  }
  return node;
}

void rt_unite(RtCtx *c, gint a, gint b) {
  if (a < 0 || b < 0) return;
  a = rt_find(c, a);
  b = rt_find(c, b);
  if (a != b) g_array_index(c->uf, gint, MAX(a, b)) = MIN(a, b);
}

gint rt_node(RtCtx *c, const RtInst *inst, const char *column) {
  g_autofree char *lower = g_ascii_strdown(column, -1);
  char *key = g_strdup_printf("%u:%s", inst->id, lower);
  gint node = GPOINTER_TO_INT(g_hash_table_lookup(c->nodes, key)) - 1;
  if (node >= 0) {
    g_free(key);
    return node;
  }
  node = (gint)c->uf->len;
  g_array_append_val(c->uf, node);
  g_hash_table_insert(c->nodes, key, GINT_TO_POINTER(node + 1));
  return node;
}

/* ---- blocks and instances ---- */

RtBlock *rt_block_new(RtCtx *c, TsrSqlSelect *s, RtBlock *parent, RtLink link) {
  RtBlock *b = g_new0(RtBlock, 1);
  b->id = c->blocks->len;
  b->select = s;
  b->parent = parent;
  b->link = link;
  b->insts = g_ptr_array_new();
  b->filters = g_ptr_array_new();
  b->equalities = g_ptr_array_new();
  b->local_edges = g_array_new(FALSE, FALSE, sizeof(gint));
  g_ptr_array_add(c->blocks, b);
  return b;
}

static RtInst *inst_new(RtCtx *c, RtBlock *b, RtInstKind kind, TsrSqlTableRef *ref, gboolean null_side) {
  RtInst *inst = g_new0(RtInst, 1);
  inst->id = c->insts->len;
  inst->kind = kind;
  inst->ref = ref;
  inst->block = b;
  inst->null_side = null_side;
  inst->key_node = -1;
  g_ptr_array_add(c->insts, inst);
  g_ptr_array_add(b->insts, inst);
  return inst;
}

static void add_slot(RtCtx *c, const char **field, RtInst *inst) {
  RtSlot slot = {field, inst};
  g_array_append_val(c->slots, slot);
}

/* Unites two nodes in the statement's classes and in block b's own. */
static void unite_local(RtCtx *c, RtBlock *b, gint x, gint y) {
  if (x < 0 || y < 0) return;
  rt_unite(c, x, y);
  g_array_append_val(b->local_edges, x);
  g_array_append_val(b->local_edges, y);
}

gboolean rt_inst_sharded(const RtInst *inst) {
  return inst->kind == RT_INST_TABLE && inst->table && inst->table->kind == TSR_TABLE_SHARDED;
}

RtInst *rt_add_table(RtCtx *c, RtBlock *b, TsrSqlTableRef *ref, gboolean null_side) {
  RtInst *inst = inst_new(c, b, RT_INST_TABLE, ref, null_side);
  const char *schema = ref->schema ? ref->schema : c->in->default_db;
  inst->schema = g_strdup(schema);
  inst->orig_name = ref->name;
  inst->table = tsr_shard_map_table(c->map, schema, ref->name);
  if (rt_inst_sharded(inst)) {
    inst->key_node = rt_node(c, inst, inst->table->shard_key);
    add_slot(c, &ref->name, inst);
  }
  return inst;
}

/* ---- resolution ---- */

static gboolean sees_parent(const RtBlock *b) {
  return b->link == RT_LINK_IN || b->link == RT_LINK_EXPR;
}

static const char *visible_name(const RtInst *inst) {
  if (inst->ref->alias) return inst->ref->alias;
  return inst->kind == RT_INST_TABLE ? inst->orig_name : NULL;
}

static gboolean matches_qualifier(const RtInst *inst, const TsrSqlExpr *col) {
  const char *name = visible_name(inst);
  if (!name || strcmp(name, col->col.table) != 0) return FALSE;
  if (!col->col.schema) return TRUE;
  return inst->kind == RT_INST_TABLE && !inst->ref->alias && g_strcmp0(inst->schema, col->col.schema) == 0;
}

static gboolean has_column(const RtInst *inst, const char *column) {
  if (rt_inst_sharded(inst)) return g_ascii_strcasecmp(inst->table->shard_key, column) == 0;
  if (inst->kind != RT_INST_DERIVED || !inst->columns) return FALSE;
  for (guint i = 0; i < inst->columns->len; i++)
    if (g_ascii_strcasecmp(inst->columns->pdata[i], column) == 0) return TRUE;
  return FALSE;
}

RtInst *rt_resolve(RtCtx *c, RtBlock *b, const TsrSqlExpr *col) {
  if (col->kind != TSR_SQL_EXPR_COLUMN && col->kind != TSR_SQL_EXPR_STAR) return NULL;
  if (col->col.table) {
    for (const RtBlock *s = b; s; s = sees_parent(s) ? s->parent : NULL)
      for (guint i = 0; i < s->insts->len; i++)
        if (matches_qualifier(s->insts->pdata[i], col)) return s->insts->pdata[i];
    return NULL;
  }
  if (col->kind == TSR_SQL_EXPR_STAR) return NULL;
  RtInst *found = NULL;
  for (guint i = 0; i < b->insts->len; i++) {
    RtInst *inst = b->insts->pdata[i];
    if (!has_column(inst, col->col.column)) continue;
    if (found) return NULL; /* ambiguous: the server will say so */
    found = inst;
  }
  return found;
}

gint rt_column_node(RtCtx *c, RtBlock *b, const TsrSqlExpr *col) {
  if (col->kind != TSR_SQL_EXPR_COLUMN) return -1;
  RtInst *inst = rt_resolve(c, b, col);
  return inst ? rt_node(c, inst, col->col.column) : -1;
}

/* ---- expressions ---- */

typedef struct {
  RtCtx *c;
  RtBlock *b;
} ScopeWalk;

static gboolean visit_expr(TsrSqlExpr *e, gpointer data);

void rt_scope_expr(RtCtx *c, RtBlock *b, TsrSqlExpr *e) {
  ScopeWalk w = {c, b};
  if (e) tsr_sql_walk_expr(e, &(TsrSqlVisitor){.expr = visit_expr}, &w);
}

/* Unites the compared expression of an IN with the select list of each
 * part of its subquery (column by column for a row). */
static void in_edges(RtCtx *c, RtBlock *outer, TsrSqlExpr *arg, GPtrArray *parts) {
  for (guint p = 0; p < parts->len; p++) {
    RtBlock *part = parts->pdata[p];
    const TsrSqlList *items = &part->select->items;
    if (arg->kind == TSR_SQL_EXPR_ROW) {
      for (guint i = 0; i < arg->row.items.len && i < items->len; i++)
        rt_unite(c, rt_column_node(c, outer, arg->row.items.items[i]),
                 rt_column_node(c, part, ((TsrSqlSelectItem *)items->items[i])->expr));
    } else if (items->len == 1) {
      rt_unite(c, rt_column_node(c, outer, arg), rt_column_node(c, part, ((TsrSqlSelectItem *)items->items[0])->expr));
    }
  }
}

static void scope_subquery(RtCtx *c, RtBlock *b, TsrSqlSelect *s, RtLink link, TsrSqlExpr *in_arg) {
  g_autoptr(GPtrArray) parts = rt_scope_query(c, s, b, link, NULL, in_arg);
  if (link == RT_LINK_IN) in_edges(c, b, in_arg, parts);
}

static void visit_column(RtCtx *c, RtBlock *b, TsrSqlExpr *e) {
  RtInst *inst = e->col.table ? rt_resolve(c, b, e) : NULL;
  if (inst && rt_inst_sharded(inst) && !inst->ref->alias && strcmp(e->col.table, inst->orig_name) == 0)
    add_slot(c, &e->col.table, inst);
}

static gboolean visit_expr(TsrSqlExpr *e, gpointer data) {
  ScopeWalk *w = data;
  switch (e->kind) {
  case TSR_SQL_EXPR_COLUMN:
  case TSR_SQL_EXPR_STAR: visit_column(w->c, w->b, e); return TRUE;
  case TSR_SQL_EXPR_SUBQUERY:
  case TSR_SQL_EXPR_EXISTS: scope_subquery(w->c, w->b, e->subquery.select, RT_LINK_EXPR, NULL); return FALSE;
  case TSR_SQL_EXPR_IN:
    if (!e->in.subquery) return TRUE;
    rt_scope_expr(w->c, w->b, e->in.arg);
    scope_subquery(w->c, w->b, e->in.subquery, RT_LINK_IN, e->in.arg);
    return FALSE;
  case TSR_SQL_EXPR_BINARY:
    if (e->binary.quant == TSR_SQL_QUANT_NONE || e->binary.right->kind != TSR_SQL_EXPR_SUBQUERY) return TRUE;
    rt_scope_expr(w->c, w->b, e->binary.left);
    if (e->binary.op == TSR_SQL_OP_EQ && e->binary.quant == TSR_SQL_QUANT_ANY)
      scope_subquery(w->c, w->b, e->binary.right->subquery.select, RT_LINK_IN, e->binary.left);
    else
      scope_subquery(w->c, w->b, e->binary.right->subquery.select, RT_LINK_EXPR, NULL);
    return FALSE;
  default: return TRUE;
  }
}

static void scope_order(RtCtx *c, RtBlock *b, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) rt_scope_expr(c, b, ((TsrSqlOrderItem *)list->items[i])->expr);
}

static void add_conjuncts(GPtrArray *to, TsrSqlExpr *cond) {
  g_autoptr(GPtrArray) conj = tsr_sql_conjuncts(cond);
  for (guint i = 0; i < conj->len; i++) g_ptr_array_add(to, conj->pdata[i]);
}

/* ---- FROM ---- */

/* Unites the columns named `column` of the instances b->insts[l0..l1) and
 * b->insts[l1..end) (USING, NATURAL). */
static void join_columns(RtCtx *c, RtBlock *b, guint l0, guint l1, const char *column) {
  for (guint i = l0; i < l1; i++)
    for (guint j = l1; j < b->insts->len; j++) {
      RtInst *x = b->insts->pdata[i], *y = b->insts->pdata[j];
      if (has_column(x, column) && has_column(y, column)) unite_local(c, b, rt_node(c, x, column), rt_node(c, y, column));
    }
}

/* NATURAL joins: the left side's known columns that the right side has. */
static void natural_columns(RtCtx *c, RtBlock *b, guint l0, guint l1) {
  for (guint i = l0; i < l1; i++) {
    RtInst *x = b->insts->pdata[i];
    if (rt_inst_sharded(x)) join_columns(c, b, l0, l1, x->table->shard_key);
    for (guint k = 0; x->kind == RT_INST_DERIVED && x->columns && k < x->columns->len; k++)
      join_columns(c, b, l0, l1, x->columns->pdata[k]);
  }
}

static void derived_columns(RtCtx *c, RtInst *d);

static gboolean left_outer(TsrSqlJoinKind k) {
  return k == TSR_SQL_JOIN_LEFT || k == TSR_SQL_JOIN_NATURAL_LEFT;
}

static gboolean right_outer(TsrSqlJoinKind k) {
  return k == TSR_SQL_JOIN_RIGHT || k == TSR_SQL_JOIN_NATURAL_RIGHT;
}

/* Adds the instances of a FROM item; inner join ON conjuncts go to `on`. */
static void scope_from(RtCtx *c, RtBlock *b, TsrSqlTableRef *ref, gboolean null_side, GPtrArray *on) {
  switch (ref->kind) {
  case TSR_SQL_TABLE_NAME: rt_add_table(c, b, ref, null_side); return;
  case TSR_SQL_TABLE_DERIVED: {
    RtInst *d = inst_new(c, b, RT_INST_DERIVED, ref, null_side);
    d->parts = rt_scope_query(c, ref->select, b, RT_LINK_DERIVED, d, NULL);
    derived_columns(c, d);
    return;
  }
  case TSR_SQL_TABLE_JOIN: break;
  }
  gboolean outer = left_outer(ref->join) || right_outer(ref->join);
  guint l0 = b->insts->len, l1;
  b->outer_joins |= outer;
  scope_from(c, b, ref->left, null_side || right_outer(ref->join), on);
  l1 = b->insts->len;
  scope_from(c, b, ref->right, null_side || left_outer(ref->join), on);
  if (ref->on) {
    rt_scope_expr(c, b, ref->on);
    add_conjuncts(b->equalities, ref->on);
    if (!outer && !null_side) add_conjuncts(on, ref->on);
  }
  for (guint i = 0; i < ref->using_cols.len; i++) join_columns(c, b, l0, l1, ref->using_cols.items[i]);
  if (ref->join == TSR_SQL_JOIN_NATURAL || ref->join == TSR_SQL_JOIN_NATURAL_LEFT || ref->join == TSR_SQL_JOIN_NATURAL_RIGHT)
    natural_columns(c, b, l0, l1);
}

/* ---- derived tables ---- */

static void add_name(GPtrArray *names, const char *name) {
  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp(names->pdata[i], name) == 0) return;
  g_ptr_array_add(names, g_ascii_strdown(name, -1));
}

/* A * of a derived table's query: the key columns of the sharded tables it
 * covers, and the columns of the derived tables it covers. */
static void derived_star(RtCtx *c, RtInst *d, RtBlock *part, const TsrSqlExpr *star, gboolean first_part) {
  for (guint i = 0; i < part->insts->len; i++) {
    RtInst *x = part->insts->pdata[i];
    if (star->col.table && !matches_qualifier(x, star)) continue;
    if (rt_inst_sharded(x)) {
      if (first_part) {
        add_name(d->columns, x->table->shard_key);
        add_name(d->key_columns, x->table->shard_key);
      }
      rt_unite(c, rt_node(c, d, x->table->shard_key), x->key_node);
    }
    for (guint k = 0; x->kind == RT_INST_DERIVED && k < x->columns->len; k++) {
      const char *name = x->columns->pdata[k];
      gboolean key = FALSE;
      for (guint j = 0; j < x->key_columns->len; j++) key |= strcmp(x->key_columns->pdata[j], name) == 0;
      if (first_part) add_name(d->columns, name);
      if (first_part && key) add_name(d->key_columns, name);
      rt_unite(c, rt_node(c, d, name), rt_node(c, x, name));
    }
  }
}

/* The name a select item gives its column, or NULL when it is an
 * expression without alias. */
static const char *item_name(const TsrSqlSelectItem *item) {
  if (item->alias) return item->alias;
  return item->expr->kind == TSR_SQL_EXPR_COLUMN ? item->expr->col.column : NULL;
}

/* The columns of a derived table: names from its first part; a column is
 * a key column when in every part it shows the shard key of the part's
 * rows. */
static void derived_columns(RtCtx *c, RtInst *d) {
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  g_autoptr(GArray) keyed = g_array_new(FALSE, TRUE, sizeof(gboolean));
  d->columns = g_ptr_array_new_with_free_func(g_free);
  d->key_columns = g_ptr_array_new_with_free_func(g_free);
  for (guint p = 0; p < d->parts->len; p++) {
    RtBlock *part = d->parts->pdata[p];
    for (guint i = 0; i < part->select->items.len; i++) {
      TsrSqlSelectItem *item = part->select->items.items[i];
      gboolean star = item->expr->kind == TSR_SQL_EXPR_STAR;
      if (star) derived_star(c, d, part, item->expr, p == 0);
      if (p == 0) {
        gboolean yes = TRUE;
        g_ptr_array_add(names, star ? NULL : (gpointer)item_name(item));
        g_array_append_val(keyed, yes);
      }
      const char *name = i < names->len ? names->pdata[i] : NULL; /* later parts take the first part's names */
      if (star || !name) continue;
      gint node = rt_column_node(c, part, item->expr);
      if (p == 0) add_name(d->columns, name);
      rt_unite(c, rt_node(c, d, name), node);
      if (!rt_is_key_handle(c, part, node)) g_array_index(keyed, gboolean, i) = FALSE;
    }
  }
  for (guint i = 0; i < names->len; i++)
    if (names->pdata[i] && g_array_index(keyed, gboolean, i)) add_name(d->key_columns, names->pdata[i]);
}

/* ---- queries ---- */

static void scope_simple(RtCtx *c, RtBlock *b) {
  TsrSqlSelect *s = b->select;
  g_autoptr(GPtrArray) on = g_ptr_array_new();
  for (guint i = 0; i < s->from.len; i++) scope_from(c, b, s->from.items[i], FALSE, on);
  rt_scope_expr(c, b, s->where);
  add_conjuncts(b->filters, s->where);
  if (!b->outer_joins)
    for (guint i = 0; i < on->len; i++) g_ptr_array_add(b->filters, on->pdata[i]);
  for (guint i = 0; i < s->items.len; i++) rt_scope_expr(c, b, ((TsrSqlSelectItem *)s->items.items[i])->expr);
  scope_order(c, b, &s->group_by);
  rt_scope_expr(c, b, s->having);
  scope_order(c, b, &s->order_by);
  add_conjuncts(b->equalities, s->where);
  rt_scope_equalities(c, b);
}

GPtrArray *rt_scope_query(RtCtx *c, TsrSqlSelect *s, RtBlock *parent, RtLink link, RtInst *derived_of,
                          TsrSqlExpr *in_arg) {
  GPtrArray *parts = g_ptr_array_new();
  if (s->kind == TSR_SQL_SELECT_UNION) {
    gboolean distinct = FALSE;
    for (guint i = 0; i < s->parts.len; i++) {
      TsrSqlSelect *part = s->parts.items[i];
      g_autoptr(GPtrArray) sub = rt_scope_query(c, part, parent, link, derived_of, in_arg);
      for (guint j = 0; j < sub->len; j++) g_ptr_array_add(parts, sub->pdata[j]);
      distinct |= i > 0 && part->union_op == TSR_SQL_UNION_DISTINCT;
    }
    for (guint j = 0; j < parts->len; j++) ((RtBlock *)parts->pdata[j])->union_distinct |= distinct;
    scope_order(c, parts->len ? parts->pdata[0] : parent, &s->order_by);
    return parts;
  }
  RtBlock *b = rt_block_new(c, s, parent, link);
  b->derived_of = derived_of;
  b->in_arg = in_arg;
  scope_simple(c, b);
  g_ptr_array_add(parts, b);
  return parts;
}

RtBlock *rt_scope_dml(RtCtx *c, const TsrSqlList *tables, TsrSqlExpr *where, const TsrSqlList *set,
                      const TsrSqlList *order_by) {
  RtBlock *b = rt_block_new(c, NULL, NULL, RT_LINK_ROOT);
  g_autoptr(GPtrArray) on = g_ptr_array_new();
  for (guint i = 0; i < tables->len; i++) scope_from(c, b, tables->items[i], FALSE, on);
  rt_scope_expr(c, b, where);
  add_conjuncts(b->filters, where);
  if (!b->outer_joins)
    for (guint i = 0; i < on->len; i++) g_ptr_array_add(b->filters, on->pdata[i]);
  for (guint i = 0; set && i < set->len; i++) {
    TsrSqlAssignment *a = set->items[i];
    rt_scope_expr(c, b, a->column);
    rt_scope_expr(c, b, a->value);
  }
  if (order_by) scope_order(c, b, order_by);
  add_conjuncts(b->equalities, where);
  rt_scope_equalities(c, b);
  return b;
}

void rt_scope_equalities(RtCtx *c, RtBlock *b) {
  for (guint i = 0; i < b->equalities->len; i++) {
    TsrSqlExpr *e = b->equalities->pdata[i];
    if (e->kind != TSR_SQL_EXPR_BINARY || e->binary.quant != TSR_SQL_QUANT_NONE ||
        (e->binary.op != TSR_SQL_OP_EQ && e->binary.op != TSR_SQL_OP_NULLSAFE_EQ))
      continue;
    unite_local(c, b, rt_column_node(c, b, e->binary.left), rt_column_node(c, b, e->binary.right));
  }
}

gint rt_local_find(RtCtx *c, RtBlock *b, gint node) {
  if (!b->local) {
    b->local = g_array_new(FALSE, FALSE, sizeof(gint));
    for (gint i = 0; i < (gint)c->uf->len; i++) g_array_append_val(b->local, i);
    for (guint i = 0; i + 1 < b->local_edges->len; i += 2) {
      gint x = rt_local_find(c, b, g_array_index(b->local_edges, gint, i));
      gint y = rt_local_find(c, b, g_array_index(b->local_edges, gint, i + 1));
      if (x != y) g_array_index(b->local, gint, MAX(x, y)) = MIN(x, y);
    }
  }
  while (node >= 0 && (guint)node < b->local->len && g_array_index(b->local, gint, node) != node)
    node = g_array_index(b->local, gint, node);
  return node;
}

gboolean rt_inst_carries(const RtInst *inst, const RtComp *comp) {
  if (inst->kind == RT_INST_TABLE) return inst->comp == comp;
  for (guint p = 0; p < inst->parts->len; p++) {
    RtBlock *part = inst->parts->pdata[p];
    for (guint i = 0; i < part->insts->len; i++)
      if (rt_inst_carries(part->insts->pdata[i], comp)) return TRUE;
  }
  return FALSE;
}

gint rt_inst_key_class(RtCtx *c, RtBlock *b, const RtInst *inst) {
  if (rt_inst_sharded(inst)) return rt_local_find(c, b, inst->key_node);
  if (inst->kind != RT_INST_DERIVED || inst->key_columns->len == 0) return -1;
  return rt_local_find(c, b, rt_node(c, inst, inst->key_columns->pdata[0]));
}

gboolean rt_inst_has_key_class(RtCtx *c, RtBlock *b, const RtInst *inst, gint cls) {
  if (cls < 0) return FALSE;
  if (rt_inst_sharded(inst)) return rt_local_find(c, b, inst->key_node) == cls;
  for (guint i = 0; inst->kind == RT_INST_DERIVED && i < inst->key_columns->len; i++)
    if (rt_local_find(c, b, rt_node(c, inst, inst->key_columns->pdata[i])) == cls) return TRUE;
  return FALSE;
}

gboolean rt_is_key_handle(RtCtx *c, RtBlock *b, gint node) {
  if (node < 0) return FALSE;
  gint cls = rt_local_find(c, b, node);
  for (guint i = 0; i < b->insts->len; i++)
    if (rt_inst_has_key_class(c, b, b->insts->pdata[i], cls)) return TRUE;
  return FALSE;
}

static gboolean order_has_aggregate(const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++)
    if (tsr_sql_expr_has_aggregate(((TsrSqlOrderItem *)list->items[i])->expr)) return TRUE;
  return FALSE;
}

gboolean rt_block_aggregates(const RtBlock *b) {
  const TsrSqlSelect *s = b->select;
  if (!s) return FALSE;
  g_autoptr(GArray) aggs = tsr_sql_select_aggregates(s);
  return s->group_by.len > 0 || aggs->len > 0 || (s->having && tsr_sql_expr_has_aggregate(s->having)) ||
         order_has_aggregate(&s->order_by);
}
