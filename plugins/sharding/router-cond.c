/* router-cond.c: the shards a block's conditions leave for a component:
 * key = v, IN lists, OR of those, BETWEEN and < <= > >= (range and date
 * methods; small integer ranges under hash), row comparisons, constants
 * folded. Anything else leaves every shard. */
#include "router-private.h"

typedef struct {
  RtCtx *c;
  RtBlock *b;
  const RtComp *comp;
} Cond;

gboolean rt_is_comp_key(RtCtx *c, RtBlock *b, const RtComp *comp, const TsrSqlExpr *e) {
  gint node = rt_column_node(c, b, e);
  if (node < 0 || rt_find(c, node) != rt_find(c, comp->root)) return FALSE;
  gint cls = rt_local_find(c, b, node);
  for (guint i = 0; i < b->insts->len; i++) {
    const RtInst *inst = b->insts->pdata[i];
    if (rt_inst_carries(inst, comp) && rt_inst_has_key_class(c, b, inst, cls)) return TRUE;
  }
  return FALSE;
}

static gboolean is_key(Cond *k, const TsrSqlExpr *e) {
  return rt_is_comp_key(k->c, k->b, k->comp, e);
}

static TsrShardSet *full(Cond *k) {
  return tsr_shard_set_new(k->comp->layout->n_shards, TRUE);
}

static TsrShardSet *empty(Cond *k) {
  return tsr_shard_set_new(k->comp->layout->n_shards, FALSE);
}

static TsrShardCmp flip(TsrShardCmp cmp) {
  switch (cmp) {
  case TSR_SHARD_CMP_LT: return TSR_SHARD_CMP_GT;
  case TSR_SHARD_CMP_LE: return TSR_SHARD_CMP_GE;
  case TSR_SHARD_CMP_GT: return TSR_SHARD_CMP_LT;
  case TSR_SHARD_CMP_GE: return TSR_SHARD_CMP_LE;
  default: return cmp;
  }
}

static gboolean cmp_of(TsrSqlOp op, TsrShardCmp *cmp) {
  switch (op) {
  case TSR_SQL_OP_EQ: *cmp = TSR_SHARD_CMP_EQ; return TRUE;
  case TSR_SQL_OP_LT: *cmp = TSR_SHARD_CMP_LT; return TRUE;
  case TSR_SQL_OP_LE: *cmp = TSR_SHARD_CMP_LE; return TRUE;
  case TSR_SQL_OP_GT: *cmp = TSR_SHARD_CMP_GT; return TRUE;
  case TSR_SQL_OP_GE: *cmp = TSR_SHARD_CMP_GE; return TRUE;
  default: return FALSE;
  }
}

/* The shards where `col cmp value` may hold: `col` a key column, `value`
 * a constant; otherwise every shard. `nullsafe`: <=>, which a NULL
 * matches (rows without key: every shard, to be safe). */
static TsrShardSet *compare_null(Cond *k, TsrShardCmp cmp, const TsrSqlExpr *col, const TsrSqlExpr *value,
                                 gboolean nullsafe) {
  TsrShardValue v;
  if (!is_key(k, col) || !rt_fold(k->c, value, &v) || (nullsafe && v.kind == TSR_SHARD_VALUE_NULL)) return full(k);
  TsrShardSet *s = empty(k);
  tsr_shard_match(k->comp->layout, cmp, &v, s);
  return s;
}

static TsrShardSet *compare(Cond *k, TsrShardCmp cmp, const TsrSqlExpr *col, const TsrSqlExpr *value) {
  return compare_null(k, cmp, col, value, FALSE);
}

static TsrShardSet *cond(Cond *k, const TsrSqlExpr *e);

/* (a, b) = (1, 2): the AND of the item comparisons. */
static TsrShardSet *row_equal(Cond *k, const TsrSqlExpr *l, const TsrSqlExpr *r) {
  TsrShardSet *s = full(k);
  for (guint i = 0; i < l->row.items.len && i < r->row.items.len; i++) {
    g_autoptr(TsrShardSet) one = compare(k, TSR_SHARD_CMP_EQ, l->row.items.items[i], r->row.items.items[i]);
    g_autoptr(TsrShardSet) two = compare(k, TSR_SHARD_CMP_EQ, r->row.items.items[i], l->row.items.items[i]);
    tsr_shard_set_intersect(s, one);
    tsr_shard_set_intersect(s, two);
  }
  return s;
}

static TsrShardSet *binary(Cond *k, const TsrSqlExpr *e) {
  TsrShardCmp cmp;
  const TsrSqlExpr *l = e->binary.left, *r = e->binary.right;
  if (e->binary.quant != TSR_SQL_QUANT_NONE) return full(k);
  if (e->binary.op == TSR_SQL_OP_EQ && l->kind == TSR_SQL_EXPR_ROW && r->kind == TSR_SQL_EXPR_ROW)
    return row_equal(k, l, r);
  gboolean nullsafe = e->binary.op == TSR_SQL_OP_NULLSAFE_EQ;
  if (nullsafe) cmp = TSR_SHARD_CMP_EQ;
  else if (!cmp_of(e->binary.op, &cmp)) return full(k);
  if (is_key(k, l)) return compare_null(k, cmp, l, r, nullsafe);
  return compare_null(k, flip(cmp), r, l, nullsafe);
}

/* key IN (v1, v2, ...); (a, key) IN ((1, 2), (3, 4)) by the key's position. */
static TsrShardSet *in_list(Cond *k, const TsrSqlExpr *e) {
  const TsrSqlExpr *arg = e->in.arg;
  gint pos = -1;
  if (e->in.negated || e->in.subquery) return full(k);
  if (arg->kind == TSR_SQL_EXPR_ROW) {
    for (guint i = 0; i < arg->row.items.len && pos < 0; i++)
      if (is_key(k, arg->row.items.items[i])) pos = (gint)i;
    if (pos < 0) return full(k);
    arg = arg->row.items.items[pos];
  }
  TsrShardSet *s = empty(k);
  for (guint i = 0; i < e->in.list.len; i++) {
    const TsrSqlExpr *item = e->in.list.items[i];
    if (pos >= 0) {
      if (item->kind != TSR_SQL_EXPR_ROW || (guint)pos >= item->row.items.len) {
        tsr_shard_set_fill(s);
        break;
      }
      item = item->row.items.items[pos];
    }
    g_autoptr(TsrShardSet) one = compare(k, TSR_SHARD_CMP_EQ, arg, item);
    tsr_shard_set_unite(s, one);
  }
  return s;
}

static TsrShardSet *between(Cond *k, const TsrSqlExpr *e) {
  TsrShardValue lo, hi;
  if (e->between.negated || !is_key(k, e->between.arg) || !rt_fold(k->c, e->between.low, &lo) ||
      !rt_fold(k->c, e->between.high, &hi))
    return full(k);
  TsrShardSet *s = empty(k);
  tsr_shard_match_between(k->comp->layout, &lo, &hi, s);
  return s;
}

/* Integer bounds that conjuncts `key > 5`, `key <= 9` put on the key:
 * each alone leaves every shard of a hash layout, together a range. */
typedef struct {
  gboolean has_lo, has_hi;
  gint64 lo, hi;
} Bounds;

static void add_bound(Cond *k, Bounds *b, const TsrSqlExpr *e) {
  TsrShardCmp cmp;
  TsrShardValue v;
  if (e->kind != TSR_SQL_EXPR_BINARY || e->binary.quant != TSR_SQL_QUANT_NONE || !cmp_of(e->binary.op, &cmp) ||
      cmp == TSR_SHARD_CMP_EQ)
    return;
  const TsrSqlExpr *value = e->binary.right;
  if (!is_key(k, e->binary.left)) {
    if (!is_key(k, e->binary.right)) return;
    value = e->binary.left;
    cmp = flip(cmp);
  }
  if (!rt_fold(k->c, value, &v) || v.kind != TSR_SHARD_VALUE_INT || v.is_unsigned) return;
  if ((cmp == TSR_SHARD_CMP_GT && v.i == G_MAXINT64) || (cmp == TSR_SHARD_CMP_LT && v.i == G_MININT64)) return;
  if (cmp == TSR_SHARD_CMP_GT || cmp == TSR_SHARD_CMP_GE) {
    gint64 lo = cmp == TSR_SHARD_CMP_GT ? v.i + 1 : v.i;
    b->lo = b->has_lo ? MAX(b->lo, lo) : lo;
    b->has_lo = TRUE;
  } else {
    gint64 hi = cmp == TSR_SHARD_CMP_LT ? v.i - 1 : v.i;
    b->hi = b->has_hi ? MIN(b->hi, hi) : hi;
    b->has_hi = TRUE;
  }
}

/* The AND of conjuncts: each one's shards, and the range they bound. */
static TsrShardSet *conjunction(Cond *k, gpointer const *items, guint n) {
  TsrShardSet *s = full(k);
  Bounds b = {0};
  for (guint i = 0; i < n; i++) {
    g_autoptr(TsrShardSet) one = cond(k, items[i]);
    tsr_shard_set_intersect(s, one);
    add_bound(k, &b, items[i]);
  }
  if (b.has_lo && b.has_hi) {
    TsrShardValue lo = {.kind = TSR_SHARD_VALUE_INT, .i = b.lo}, hi = {.kind = TSR_SHARD_VALUE_INT, .i = b.hi};
    g_autoptr(TsrShardSet) range = empty(k);
    tsr_shard_match_between(k->comp->layout, &lo, &hi, range);
    tsr_shard_set_intersect(s, range);
  }
  return s;
}

static TsrShardSet *logical(Cond *k, const TsrSqlExpr *e) {
  if (e->logical.op == TSR_SQL_OP_XOR) return full(k);
  if (e->logical.op == TSR_SQL_OP_AND) return conjunction(k, e->logical.args.items, e->logical.args.len);
  TsrShardSet *s = empty(k);
  for (guint i = 0; i < e->logical.args.len; i++) {
    g_autoptr(TsrShardSet) one = cond(k, e->logical.args.items[i]);
    tsr_shard_set_unite(s, one);
  }
  return s;
}

static TsrShardSet *cond(Cond *k, const TsrSqlExpr *e) {
  switch (e->kind) {
  case TSR_SQL_EXPR_LOGICAL: return logical(k, e);
  case TSR_SQL_EXPR_BINARY: return binary(k, e);
  case TSR_SQL_EXPR_IN: return in_list(k, e);
  case TSR_SQL_EXPR_BETWEEN: return between(k, e);
  default: return full(k);
  }
}

TsrShardSet *rt_block_shards(RtCtx *c, RtBlock *b, const RtComp *comp) {
  Cond k = {c, b, comp};
  return conjunction(&k, b->filters->pdata, b->filters->len);
}

/* TRUE when column e resolves to an instance of a block enclosing b whose
 * rows show the component's key in e's class there. */
static gboolean outer_key(RtCtx *c, RtBlock *b, const RtComp *comp, const TsrSqlExpr *e) {
  RtInst *inst = e->kind == TSR_SQL_EXPR_COLUMN ? rt_resolve(c, b, e) : NULL;
  if (!inst || inst->block == b) return FALSE;
  RtBlock *ob = inst->block;
  gint cls = rt_local_find(c, ob, rt_node(c, inst, e->col.column));
  for (guint i = 0; i < ob->insts->len; i++) {
    const RtInst *x = ob->insts->pdata[i];
    if (rt_inst_carries(x, comp) && rt_inst_has_key_class(c, ob, x, cls)) return TRUE;
  }
  return FALSE;
}

gboolean rt_block_correlated(RtCtx *c, RtBlock *b, const RtComp *comp) {
  Cond k = {c, b, comp};
  for (guint i = 0; i < b->filters->len; i++) {
    const TsrSqlExpr *e = b->filters->pdata[i];
    if (e->kind != TSR_SQL_EXPR_BINARY || e->binary.quant != TSR_SQL_QUANT_NONE ||
        (e->binary.op != TSR_SQL_OP_EQ && e->binary.op != TSR_SQL_OP_NULLSAFE_EQ))
      continue;
    if ((is_key(&k, e->binary.left) && outer_key(c, b, comp, e->binary.right)) ||
        (is_key(&k, e->binary.right) && outer_key(c, b, comp, e->binary.left)))
      return TRUE;
  }
  return FALSE;
}
