/* rewrite-filter.c: HAVING over shards, evaluated by the merger on the
 * combined output rows (merge-spec.h TsrMergeFilter).
 *
 * The condition is compiled into a small tree of its own (it outlives the
 * statement's syntax tree): outputs (aggregates, and group-constant
 * expressions the shards compute as hidden columns), constants, and the
 * operators = <=> <> < <= > >= AND OR XOR NOT, IS [NOT] NULL/TRUE/FALSE,
 * [NOT] BETWEEN, [NOT] IN (list), + - * / DIV MOD and unary minus.
 * Comparisons follow MySQL: numbers when either side is a number (or both
 * sides read as numbers), else strings under utf8mb4_general_ci. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "value-collation.h"
#include "router-private.h"

typedef enum {
  F_OUTPUT,
  F_NUMBER,
  F_STRING,
  F_NULL,
  F_NOT,
  F_AND,
  F_OR,
  F_XOR,
  F_CMP,       /* op: an TsrSqlOp comparison */
  F_ARITH,     /* op: + - * / DIV MOD */
  F_NEG,
  F_IS,        /* what, negated */
  F_BETWEEN,   /* args: value, low, high; negated */
  F_IN,        /* args: value, list...; negated */
} FKind;

typedef struct FNode FNode;
struct FNode {
  FKind kind;
  TsrSqlOp op;
  TsrSqlIsWhat what;
  gboolean negated;
  guint output;
  gdouble number;
  char *text;          /* F_STRING */
  gsize len;
  GPtrArray *args;     /* FNode * */
};

struct RtFilter {
  TsrMergeFilter filter;
  FNode *root;
};

/* A value during evaluation. */
typedef enum { V_NULL, V_NUMBER, V_STRING } VKind;
typedef struct {
  VKind kind;
  gdouble number;
  const char *text;
  gsize len;
} Val;

/* ---- building ---- */

static void node_free(gpointer p) {
  FNode *n = p;
  if (!n) return;
  g_free(n->text);
  if (n->args) g_ptr_array_unref(n->args);
  g_free(n);
}

static FNode *node_new(FKind kind) {
  FNode *n = g_new0(FNode, 1);
  n->kind = kind;
  n->args = g_ptr_array_new_with_free_func(node_free);
  return n;
}

typedef struct {
  RtCtx *c;
  RtOutputOf output;
  gpointer data;
} Compile;

static FNode *compile(Compile *k, const TsrSqlExpr *e);

static FNode *refuse(Compile *k, const TsrSqlExpr *e) {
  rt_refuse(k->c, "HAVING over several shards can only compare aggregates, selected columns and constants with "
            "= <> < > <= >= <=>, AND, OR, NOT, IS, BETWEEN, IN and arithmetic");
  return NULL;
}

static FNode *with_args(Compile *k, FNode *n, const TsrSqlExpr *const *args, guint count) {
  for (guint i = 0; i < count; i++) {
    FNode *a = compile(k, args[i]);
    if (!a) {
      node_free(n);
      return NULL;
    }
    g_ptr_array_add(n->args, a);
  }
  return n;
}

static FNode *literal(Compile *k, const TsrSqlExpr *e) {
  TsrShardValue v;
  FNode *n;
  if (!rt_fold(k->c, e, &v)) return refuse(k, e);
  switch (v.kind) {
  case TSR_SHARD_VALUE_NULL: return node_new(F_NULL);
  case TSR_SHARD_VALUE_INT:
    n = node_new(F_NUMBER);
    n->number = v.is_unsigned ? (gdouble)v.u : (gdouble)v.i;
    return n;
  case TSR_SHARD_VALUE_DECIMAL: n = node_new(F_NUMBER); n->number = g_ascii_strtod(v.str, NULL); return n;
  case TSR_SHARD_VALUE_DOUBLE: n = node_new(F_NUMBER); n->number = v.d; return n;
  case TSR_SHARD_VALUE_STRING:
  case TSR_SHARD_VALUE_BINARY:
    n = node_new(F_STRING);
    n->text = g_strndup(v.str, v.len);
    n->len = v.len;
    return n;
  default: return refuse(k, e);
  }
}

static FNode *operator(Compile *k, const TsrSqlExpr *e) {
  FNode *n;
  switch (e->kind) {
  case TSR_SQL_EXPR_LOGICAL:
    n = node_new(e->logical.op == TSR_SQL_OP_AND ? F_AND : e->logical.op == TSR_SQL_OP_OR ? F_OR : F_XOR);
    return with_args(k, n, (const TsrSqlExpr *const *)e->logical.args.items, e->logical.args.len);
  case TSR_SQL_EXPR_UNARY:
    if (e->unary.op != TSR_SQL_OP_NOT && e->unary.op != TSR_SQL_OP_LOGICAL_NOT && e->unary.op != TSR_SQL_OP_NEG) break;
    n = node_new(e->unary.op == TSR_SQL_OP_NEG ? F_NEG : F_NOT);
    return with_args(k, n, (const TsrSqlExpr *const *)&e->unary.arg, 1);
  case TSR_SQL_EXPR_BINARY: {
    const TsrSqlExpr *args[] = {e->binary.left, e->binary.right};
    if (e->binary.quant != TSR_SQL_QUANT_NONE) break;
    if (e->binary.op >= TSR_SQL_OP_EQ && e->binary.op <= TSR_SQL_OP_GE) n = node_new(F_CMP);
    else if ((e->binary.op >= TSR_SQL_OP_PLUS && e->binary.op <= TSR_SQL_OP_MOD)) n = node_new(F_ARITH);
    else break;
    n->op = e->binary.op;
    return with_args(k, n, args, 2);
  }
  case TSR_SQL_EXPR_IS:
    n = node_new(F_IS);
    n->what = e->is.what;
    n->negated = e->is.negated;
    return with_args(k, n, (const TsrSqlExpr *const *)&e->is.arg, 1);
  case TSR_SQL_EXPR_BETWEEN: {
    const TsrSqlExpr *args[] = {e->between.arg, e->between.low, e->between.high};
    n = node_new(F_BETWEEN);
    n->negated = e->between.negated;
    return with_args(k, n, args, 3);
  }
  case TSR_SQL_EXPR_IN:
    if (e->in.subquery) break;
    n = node_new(F_IN);
    n->negated = e->in.negated;
    if (!with_args(k, n, (const TsrSqlExpr *const *)&e->in.arg, 1)) return NULL;
    return with_args(k, n, (const TsrSqlExpr *const *)e->in.list.items, e->in.list.len);
  default: break;
  }
  return refuse(k, e);
}

static FNode *compile(Compile *k, const TsrSqlExpr *e) {
  if (e->kind == TSR_SQL_EXPR_LITERAL || e->kind == TSR_SQL_EXPR_PARAM) return literal(k, e);
  gint out = k->output(k->c, e, k->data);
  if (out == -2) return NULL;
  if (out < 0) return operator(k, e);
  FNode *n = node_new(F_OUTPUT);
  n->output = (guint)out;
  return n;
}

/* ---- evaluating ---- */

typedef struct {
  const char *const *values;
  const gsize *lengths;
  guint n;
} Row;

static Val number(gdouble d) {
  return (Val){V_NUMBER, d, NULL, 0};
}

static Val boolean(gboolean b) {
  return number(b ? 1 : 0);
}

static const Val null_value = {V_NULL, 0, NULL, 0};

/* MySQL's number of a string: its longest numeric prefix (0 when none). */
static gdouble to_number(const Val *v, gboolean *whole) {
  if (v->kind == V_NUMBER) {
    if (whole) *whole = TRUE;
    return v->number;
  }
  g_autofree char *s = g_strndup(v->text, v->len);
  char *end = NULL;
  gdouble d = g_ascii_strtod(s, &end);
  if (whole) {
    while (end && *end == ' ') end++;
    *whole = end && end != s && *end == '\0';
  }
  return end == s ? 0 : d;
}

static Val eval(const FNode *n, const Row *row);

static Val arg(const FNode *n, guint i, const Row *row) {
  return eval(n->args->pdata[i], row);
}

/* Compares two non-NULL values: <0, 0, >0. */
static int compare(const Val *a, const Val *b) {
  gboolean wa, wb;
  if (a->kind == V_STRING && b->kind == V_STRING) {
    to_number(a, &wa);
    to_number(b, &wb);
    if (!wa || !wb)
      return tsr_collate_compare(TSR_STRING_GENERAL_CI, (const guint8 *)a->text, a->len, (const guint8 *)b->text, b->len);
  }
  gdouble x = to_number(a, NULL), y = to_number(b, NULL);
  return (x > y) - (x < y);
}

static Val cmp(const FNode *n, const Row *row) {
  Val a = arg(n, 0, row), b = arg(n, 1, row);
  if (n->op == TSR_SQL_OP_NULLSAFE_EQ)
    return boolean(a.kind == V_NULL || b.kind == V_NULL ? a.kind == b.kind : compare(&a, &b) == 0);
  if (a.kind == V_NULL || b.kind == V_NULL) return null_value;
  int r = compare(&a, &b);
  switch (n->op) {
  case TSR_SQL_OP_EQ: return boolean(r == 0);
  case TSR_SQL_OP_NE: return boolean(r != 0);
  case TSR_SQL_OP_LT: return boolean(r < 0);
  case TSR_SQL_OP_LE: return boolean(r <= 0);
  case TSR_SQL_OP_GT: return boolean(r > 0);
  default: return boolean(r >= 0);
  }
}

static Val arith(const FNode *n, const Row *row) {
  Val a = arg(n, 0, row), b = arg(n, 1, row);
  if (a.kind == V_NULL || b.kind == V_NULL) return null_value;
  gdouble x = to_number(&a, NULL), y = to_number(&b, NULL);
  switch (n->op) {
  case TSR_SQL_OP_PLUS: return number(x + y);
  case TSR_SQL_OP_MINUS: return number(x - y);
  case TSR_SQL_OP_MUL: return number(x * y);
  case TSR_SQL_OP_DIV: return y == 0 ? null_value : number(x / y);
  case TSR_SQL_OP_INT_DIV: return y == 0 ? null_value : number(trunc(x / y));
  default: return y == 0 ? null_value : number(fmod(x, y));
  }
}

/* -1 unknown (NULL), 0 false, 1 true. */
static int truth(const Val *v) {
  if (v->kind == V_NULL) return -1;
  return to_number(v, NULL) != 0;
}

static Val logic(const FNode *n, const Row *row) {
  int acc = n->kind == F_AND ? 1 : 0;
  for (guint i = 0; i < n->args->len; i++) {
    Val v = arg(n, i, row);
    int t = truth(&v);
    if (n->kind == F_XOR) {
      if (t < 0) return null_value;
      acc ^= t;
    } else if (n->kind == F_AND) {
      acc = t == 0 || acc == 0 ? 0 : t < 0 || acc < 0 ? -1 : 1;
    } else {
      acc = t == 1 || acc == 1 ? 1 : t < 0 || acc < 0 ? -1 : 0;
    }
  }
  return acc < 0 ? null_value : boolean(acc);
}

static Val is(const FNode *n, const Row *row) {
  Val v = arg(n, 0, row);
  int t = truth(&v);
  gboolean r = n->what == TSR_SQL_IS_NULL ? t < 0 : n->what == TSR_SQL_IS_TRUE ? t == 1
                                               : n->what == TSR_SQL_IS_FALSE ? t == 0 : t < 0;
  return boolean(r != n->negated);
}

static Val between(const FNode *n, const Row *row) {
  Val v = arg(n, 0, row), lo = arg(n, 1, row), hi = arg(n, 2, row);
  if (v.kind == V_NULL || lo.kind == V_NULL || hi.kind == V_NULL) return null_value;
  gboolean in = compare(&v, &lo) >= 0 && compare(&v, &hi) <= 0;
  return boolean(in != n->negated);
}

static Val in_list(const FNode *n, const Row *row) {
  Val v = arg(n, 0, row);
  gboolean saw_null = FALSE;
  if (v.kind == V_NULL) return null_value;
  for (guint i = 1; i < n->args->len; i++) {
    Val x = arg(n, i, row);
    if (x.kind == V_NULL) saw_null = TRUE;
    else if (compare(&v, &x) == 0) return boolean(!n->negated);
  }
  return saw_null ? null_value : boolean(n->negated);
}

static Val eval(const FNode *n, const Row *row) {
  switch (n->kind) {
  case F_OUTPUT:
    if (n->output >= row->n || !row->values[n->output]) return null_value;
    return (Val){V_STRING, 0, row->values[n->output], row->lengths[n->output]};
  case F_NUMBER: return number(n->number);
  case F_STRING: return (Val){V_STRING, 0, n->text, n->len};
  case F_NULL: return null_value;
  case F_NOT: {
    Val v = arg(n, 0, row);
    int t = truth(&v);
    return t < 0 ? null_value : boolean(!t);
  }
  case F_AND: case F_OR: case F_XOR: return logic(n, row);
  case F_CMP: return cmp(n, row);
  case F_ARITH: return arith(n, row);
  case F_NEG: {
    Val v = arg(n, 0, row);
    return v.kind == V_NULL ? null_value : number(-to_number(&v, NULL));
  }
  case F_IS: return is(n, row);
  case F_BETWEEN: return between(n, row);
  case F_IN: return in_list(n, row);
  }
  return null_value;
}

static gboolean matches(const TsrMergeFilter *f, const char *const *values, const gsize *lengths, guint n) {
  const RtFilter *filter = f->data;
  Row row = {values, lengths, n};
  Val v = eval(filter->root, &row);
  return truth(&v) == 1;
}

RtFilter *rt_filter_compile(RtCtx *c, const TsrSqlExpr *cond, RtOutputOf output, gpointer data) {
  Compile k = {c, output, data};
  FNode *root = compile(&k, cond);
  if (!root) return NULL;
  RtFilter *f = g_new0(RtFilter, 1);
  f->root = root;
  f->filter.matches = matches;
  f->filter.data = f;
  return f;
}

const TsrMergeFilter *rt_filter_merge_filter(RtFilter *f) {
  return &f->filter;
}

void rt_filter_free(RtFilter *f) {
  if (!f) return;
  node_free(f->root);
  g_free(f);
}
