/* sql-parser-expr.c: expressions, by precedence climbing over MySQL's
 * operator levels (sql-parser-internal.h lists them).
 *
 * Grammar as in MySQL: NOT binds looser than comparisons; a comparison's
 * right side is a predicate; IN, BETWEEN, LIKE and REGEXP take a bit
 * expression on the left; unary -, ~, ! and BINARY bind tighter than ^.
 * AND, OR and XOR chains become one LOGICAL node. A '-' before a number is
 * folded into the literal. */
#include <string.h>
#include "sql/sql-parser-internal.h"

typedef enum {
  OPK_BINARY,
  OPK_LOGICAL,
  OPK_CMP,
  OPK_ASSIGN,
  OPK_IS,
  OPK_IN,
  OPK_BETWEEN,
  OPK_LIKE,
} OpKind;

typedef struct {
  OpKind kind;
  int prec;
  TsrSqlOp op;
  TsrSqlLikeKind like;
  guint ntoks;       /* tokens the operator spans */
  gboolean negated;  /* NOT IN, NOT LIKE, ... */
} OpInfo;

static gboolean set_op(OpInfo *o, OpKind kind, int prec, TsrSqlOp op) {
  o->kind = kind;
  o->prec = prec;
  o->op = op;
  return TRUE;
}

/* Predicates after NOT: NOT IN, NOT BETWEEN, NOT LIKE, NOT REGEXP. */
static gboolean predicate_op(guint code, OpInfo *o) {
  switch (code) {
  case TSR_TK_SQL_IN: return set_op(o, OPK_IN, TSR_SQLP_PRED, 0);
  case TSR_TK_SQL_BETWEEN: return set_op(o, OPK_BETWEEN, TSR_SQLP_PRED, 0);
  case TSR_TK_SQL_LIKE: o->like = TSR_SQL_LIKE_LIKE; return set_op(o, OPK_LIKE, TSR_SQLP_PRED, 0);
  case TSR_TK_SQL_REGEXP:
  case TSR_TK_SQL_RLIKE: o->like = TSR_SQL_LIKE_REGEXP; return set_op(o, OPK_LIKE, TSR_SQLP_PRED, 0);
  default: return FALSE;
  }
}

static gboolean word_op(const TsrSqlParser *p, guint code, OpInfo *o) {
  switch (code) {
  case TSR_TK_SQL_OR: return set_op(o, OPK_LOGICAL, TSR_SQLP_OR, TSR_SQL_OP_OR);
  case TSR_TK_SQL_XOR: return set_op(o, OPK_LOGICAL, TSR_SQLP_XOR, TSR_SQL_OP_XOR);
  case TSR_TK_SQL_AND: return set_op(o, OPK_LOGICAL, TSR_SQLP_AND, TSR_SQL_OP_AND);
  case TSR_TK_SQL_DIV: return set_op(o, OPK_BINARY, TSR_SQLP_MUL, TSR_SQL_OP_INT_DIV);
  case TSR_TK_SQL_MOD: return set_op(o, OPK_BINARY, TSR_SQLP_MUL, TSR_SQL_OP_MOD);
  case TSR_TK_SQL_IS: return set_op(o, OPK_IS, TSR_SQLP_CMP, 0);
  case TSR_TK_SQL_NOT: {
    const TsrSqlPTok *next = tsr_sqlp_peek(p, 1);
    if (!next->word || !predicate_op(next->code, o)) return FALSE;
    o->negated = TRUE;
    o->ntoks = 2;
    return TRUE;
  }
  case TSR_W_SOUNDS:
    if (!tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_LIKE)) return FALSE;
    o->like = TSR_SQL_LIKE_SOUNDS;
    o->ntoks = 2;
    return set_op(o, OPK_LIKE, TSR_SQLP_PRED, 0);
  default:
    return predicate_op(code, o);
  }
}

/* Describes the binary or postfix operator at the current token. */
static gboolean op_at(const TsrSqlParser *p, OpInfo *o) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  memset(o, 0, sizeof(*o));
  o->ntoks = 1;
  if (t->word) return word_op(p, t->code, o);
  switch (t->t.id) {
  case TSR_TK_EQ: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_EQ);
  case TSR_TK_NULLSAFE_EQ: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_NULLSAFE_EQ);
  case TSR_TK_NE: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_NE);
  case TSR_TK_LT: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_LT);
  case TSR_TK_LE: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_LE);
  case TSR_TK_GT: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_GT);
  case TSR_TK_GE: return set_op(o, OPK_CMP, TSR_SQLP_CMP, TSR_SQL_OP_GE);
  case TSR_TK_ASSIGN: return set_op(o, OPK_ASSIGN, TSR_SQLP_ASSIGN, TSR_SQL_OP_ASSIGN);
  case TSR_TK_LOGICAL_OR: return set_op(o, OPK_LOGICAL, TSR_SQLP_OR, TSR_SQL_OP_OR);
  case TSR_TK_LOGICAL_AND: return set_op(o, OPK_LOGICAL, TSR_SQLP_AND, TSR_SQL_OP_AND);
  case TSR_TK_BITWISE_OR: return set_op(o, OPK_BINARY, TSR_SQLP_BITOR, TSR_SQL_OP_BIT_OR);
  case TSR_TK_BITWISE_AND: return set_op(o, OPK_BINARY, TSR_SQLP_BITAND, TSR_SQL_OP_BIT_AND);
  case TSR_TK_SHIFT_LEFT: return set_op(o, OPK_BINARY, TSR_SQLP_SHIFT, TSR_SQL_OP_SHIFT_LEFT);
  case TSR_TK_SHIFT_RIGHT: return set_op(o, OPK_BINARY, TSR_SQLP_SHIFT, TSR_SQL_OP_SHIFT_RIGHT);
  case TSR_TK_PLUS: return set_op(o, OPK_BINARY, TSR_SQLP_ADD, TSR_SQL_OP_PLUS);
  case TSR_TK_MINUS: return set_op(o, OPK_BINARY, TSR_SQLP_ADD, TSR_SQL_OP_MINUS);
  case TSR_TK_STAR: return set_op(o, OPK_BINARY, TSR_SQLP_MUL, TSR_SQL_OP_MUL);
  case TSR_TK_DIV: return set_op(o, OPK_BINARY, TSR_SQLP_MUL, TSR_SQL_OP_DIV);
  case TSR_TK_MOD: return set_op(o, OPK_BINARY, TSR_SQLP_MUL, TSR_SQL_OP_MOD);
  case TSR_TK_BITWISE_XOR: return set_op(o, OPK_BINARY, TSR_SQLP_BITXOR, TSR_SQL_OP_BIT_XOR);
  default: return FALSE;
  }
}

/* Adds `e` to a LOGICAL node's operands, flattening a node of the same op. */
static void logical_add(TsrSqlParser *p, TsrSqlExpr *node, TsrSqlExpr *e) {
  if (e->kind == TSR_SQL_EXPR_LOGICAL && e->logical.op == node->logical.op) {
    for (guint i = 0; i < e->logical.args.len; i++) tsr_sqlp_push(p, &node->logical.args, e->logical.args.items[i]);
  } else {
    tsr_sqlp_push(p, &node->logical.args, e);
  }
}

static TsrSqlExpr *make_logical(TsrSqlParser *p, TsrSqlOp op, TsrSqlExpr *left, TsrSqlExpr *right) {
  TsrSqlExpr *node = left;
  if (!(left->kind == TSR_SQL_EXPR_LOGICAL && left->logical.op == op)) {
    node = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_LOGICAL, left->pos);
    node->logical.op = op;
    logical_add(p, node, left);
  }
  logical_add(p, node, right);
  return node;
}

static TsrSqlExpr *make_binary(TsrSqlParser *p, TsrSqlOp op, TsrSqlExpr *left, TsrSqlExpr *right) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_BINARY, left->pos);
  e->binary.op = op;
  e->binary.left = left;
  e->binary.right = right;
  return e;
}

/* The right side of a comparison: a predicate, or ANY/SOME/ALL (subquery). */
static TsrSqlExpr *comparison(TsrSqlParser *p, const OpInfo *o, TsrSqlExpr *left) {
  TsrSqlQuantifier quant = TSR_SQL_QUANT_NONE;
  if ((tsr_sqlp_is_kw(p, TSR_W_ANY) || tsr_sqlp_is_kw(p, TSR_W_SOME) || tsr_sqlp_is_kw(p, TSR_TK_SQL_ALL)) &&
      tsr_sqlp_peek(p, 1)->t.id == TSR_TK_OBRACE) {
    quant = tsr_sqlp_is_kw(p, TSR_TK_SQL_ALL) ? TSR_SQL_QUANT_ALL : TSR_SQL_QUANT_ANY;
    p->i++;
    guint32 pos = TSR_SQLP_CUR(p)->t.start;
    if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'('")) return NULL;
    TsrSqlSelect *q = tsr_sqlp_query(p);
    if (!q || !tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'")) return NULL;
    TsrSqlExpr *sub = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_SUBQUERY, pos);
    sub->subquery.select = q;
    TsrSqlExpr *e = make_binary(p, o->op, left, sub);
    e->binary.quant = quant;
    return e;
  }
  TsrSqlExpr *right = tsr_sqlp_binary(p, TSR_SQLP_PRED);
  return right ? make_binary(p, o->op, left, right) : NULL;
}

static TsrSqlExpr *is_test(TsrSqlParser *p, TsrSqlExpr *left) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_IS, left->pos);
  e->is.arg = left;
  e->is.negated = tsr_sqlp_accept_kw(p, TSR_TK_SQL_NOT);
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_NULL)) e->is.what = TSR_SQL_IS_NULL;
  else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_TRUE)) e->is.what = TSR_SQL_IS_TRUE;
  else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_FALSE)) e->is.what = TSR_SQL_IS_FALSE;
  else if (tsr_sqlp_accept_kw(p, TSR_W_UNKNOWN)) e->is.what = TSR_SQL_IS_UNKNOWN;
  else return tsr_sqlp_expected(p, "NULL, TRUE, FALSE or UNKNOWN after IS");
  return e;
}

static TsrSqlExpr *in_list(TsrSqlParser *p, const OpInfo *o, TsrSqlExpr *left) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_IN, left->pos);
  e->in.arg = left;
  e->in.negated = o->negated;
  if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'(' after IN")) return NULL;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_SELECT)) {
    e->in.subquery = tsr_sqlp_query(p);
    if (!e->in.subquery) return NULL;
  } else if (!tsr_sqlp_expr_list(p, &e->in.list)) {
    return NULL;
  }
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? e : NULL;
}

static TsrSqlExpr *between(TsrSqlParser *p, const OpInfo *o, TsrSqlExpr *left) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_BETWEEN, left->pos);
  e->between.arg = left;
  e->between.negated = o->negated;
  if (!(e->between.low = tsr_sqlp_binary(p, TSR_SQLP_BITOR))) return NULL;
  if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_AND)) return NULL;
  if (!(e->between.high = tsr_sqlp_binary(p, TSR_SQLP_PRED))) return NULL;
  return e;
}

static TsrSqlExpr *parse_unary(TsrSqlParser *p);

static TsrSqlExpr *like(TsrSqlParser *p, const OpInfo *o, TsrSqlExpr *left) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_LIKE, left->pos);
  e->like.kind = o->like;
  e->like.arg = left;
  e->like.negated = o->negated;
  if (!(e->like.pattern = tsr_sqlp_binary(p, TSR_SQLP_BITOR))) return NULL;
  if (o->like == TSR_SQL_LIKE_LIKE && tsr_sqlp_accept_kw(p, TSR_W_ESCAPE)) {
    if (!tsr_sqlp_enter(p)) return NULL;
    e->like.escape = parse_unary(p);
    tsr_sqlp_leave(p);
    if (!e->like.escape) return NULL;
  }
  return e;
}

/* Consumes the operator described by `o` and what follows it. */
static TsrSqlExpr *apply_op(TsrSqlParser *p, const OpInfo *o, TsrSqlExpr *left) {
  p->i += o->ntoks;
  switch (o->kind) {
  case OPK_LOGICAL: {
    TsrSqlExpr *right = tsr_sqlp_binary(p, o->prec + 1);
    return right ? make_logical(p, o->op, left, right) : NULL;
  }
  case OPK_BINARY: {
    TsrSqlExpr *right = tsr_sqlp_binary(p, o->prec + 1);
    return right ? make_binary(p, o->op, left, right) : NULL;
  }
  case OPK_ASSIGN: {
    TsrSqlExpr *right = tsr_sqlp_binary(p, o->prec);
    return right ? make_binary(p, o->op, left, right) : NULL;
  }
  case OPK_CMP: return comparison(p, o, left);
  case OPK_IS: return is_test(p, left);
  case OPK_IN: return in_list(p, o, left);
  case OPK_BETWEEN: return between(p, o, left);
  case OPK_LIKE: return like(p, o, left);
  }
  return NULL;
}

static TsrSqlExpr *parse_prefix(TsrSqlParser *p) {
  if (!tsr_sqlp_is_kw(p, TSR_TK_SQL_NOT)) return parse_unary(p);
  guint32 pos = TSR_SQLP_CUR(p)->t.start;
  p->i++;
  TsrSqlExpr *arg = tsr_sqlp_binary(p, TSR_SQLP_NOT);
  if (!arg) return NULL;
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_UNARY, pos);
  e->unary.op = TSR_SQL_OP_NOT;
  e->unary.arg = arg;
  return e;
}

TsrSqlExpr *tsr_sqlp_binary(TsrSqlParser *p, int min_prec) {
  if (!tsr_sqlp_enter(p)) return NULL;
  guint chain = 0;
  TsrSqlExpr *left = parse_prefix(p);
  while (left) {
    OpInfo o;
    if (!op_at(p, &o) || o.prec < min_prec) break;
    /* A chain of non-logical operators deepens the tree at each step. */
    if (o.kind != OPK_LOGICAL) {
      if (!tsr_sqlp_enter(p)) {
        left = NULL;
        chain++;
        break;
      }
      chain++;
    }
    left = apply_op(p, &o, left);
  }
  p->depth -= chain;
  tsr_sqlp_leave(p);
  return left;
}

TsrSqlExpr *tsr_sqlp_expr(TsrSqlParser *p) {
  return tsr_sqlp_binary(p, TSR_SQLP_ASSIGN);
}

gboolean tsr_sqlp_expr_list(TsrSqlParser *p, TsrSqlList *list) {
  do {
    TsrSqlExpr *e = tsr_sqlp_expr(p);
    if (!e) return FALSE;
    tsr_sqlp_push(p, list, e);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

gboolean tsr_sqlp_order_list(TsrSqlParser *p, TsrSqlList *list) {
  do {
    TsrSqlOrderItem *item = tsr_sql_arena_new0(p->arena, TsrSqlOrderItem);
    if (!(item->expr = tsr_sqlp_expr(p))) return FALSE;
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ASC)) item->dir = TSR_SQL_ORDER_ASC;
    else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_DESC)) item->dir = TSR_SQL_ORDER_DESC;
    tsr_sqlp_push(p, list, item);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

/* ---- unary operators and primaries ---- */

static gboolean is_number(const TsrSqlExpr *e) {
  return e->kind == TSR_SQL_EXPR_LITERAL && e->lit.text && e->lit.text[0] != '-' &&
         (e->lit.kind == TSR_SQL_LIT_INTEGER || e->lit.kind == TSR_SQL_LIT_DECIMAL || e->lit.kind == TSR_SQL_LIT_FLOAT);
}

static TsrSqlExpr *make_unary(TsrSqlParser *p, TsrSqlOp op, guint32 pos, TsrSqlExpr *arg) {
  if (op == TSR_SQL_OP_NEG && is_number(arg)) {
    char *text = tsr_sql_arena_alloc(p->arena, arg->lit.len + 2);
    text[0] = '-';
    memcpy(text + 1, arg->lit.text, arg->lit.len);
    arg->lit.text = text;
    arg->lit.len++;
    arg->pos = pos;
    return arg;
  }
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_UNARY, pos);
  e->unary.op = op;
  e->unary.arg = arg;
  return e;
}

static TsrSqlExpr *parse_primary(TsrSqlParser *p);

/* The operator of a prefix token, or -1. */
static int prefix_op(const TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if (t->word) return t->code == TSR_TK_SQL_BINARY ? TSR_SQL_OP_BINARY : -1;
  switch (t->t.id) {
  case TSR_TK_MINUS: return TSR_SQL_OP_NEG;
  case TSR_TK_PLUS: return TSR_SQL_OP_MAX; /* unary plus: dropped */
  case TSR_TK_BITWISE_NOT: return TSR_SQL_OP_BIT_NOT;
  case TSR_TK_NOT: return TSR_SQL_OP_LOGICAL_NOT;
  default: return -1;
  }
}

static TsrSqlExpr *parse_unary(TsrSqlParser *p) {
  int op = prefix_op(p);
  if (op >= 0) {
    guint32 pos = TSR_SQLP_CUR(p)->t.start;
    p->i++;
    if (!tsr_sqlp_enter(p)) return NULL;
    TsrSqlExpr *arg = parse_unary(p);
    tsr_sqlp_leave(p);
    if (!arg) return NULL;
    return op == TSR_SQL_OP_MAX ? arg : make_unary(p, (TsrSqlOp)op, pos, arg);
  }
  TsrSqlExpr *e = parse_primary(p);
  while (e && tsr_sqlp_is_kw(p, TSR_TK_SQL_COLLATE)) {
    p->i++;
    TsrSqlExpr *c = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_COLLATE, e->pos);
    c->collate.arg = e;
    if (!(c->collate.collation = tsr_sqlp_name_or_string(p, "a collation"))) return NULL;
    e = c;
  }
  return e;
}

static TsrSqlExpr *literal(TsrSqlParser *p, TsrSqlLiteralKind kind, const char *text, gsize len) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_LITERAL, TSR_SQLP_CUR(p)->t.start);
  e->lit.kind = kind;
  e->lit.text = text;
  e->lit.len = len;
  return e;
}

static TsrSqlExpr *number(TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  TsrSqlLiteralKind kind = TSR_SQL_LIT_INTEGER;
  const char *text = t->t.text;
  gsize len = t->t.text_len;
  if (t->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT)) {
    kind = (t->t.flags & TSR_SQL_TOKEN_HEX) ? TSR_SQL_LIT_HEX : TSR_SQL_LIT_BIT;
    text += 2;
    len -= 2;
  } else if (t->t.id == TSR_TK_FLOAT) {
    kind = memchr(text, 'e', len) || memchr(text, 'E', len) ? TSR_SQL_LIT_FLOAT : TSR_SQL_LIT_DECIMAL;
  }
  TsrSqlExpr *e = literal(p, kind, tsr_sql_arena_strndup(p->arena, text, len), len);
  p->i++;
  return e;
}

/* A string, with adjacent strings concatenated as MySQL does. */
static TsrSqlExpr *string(TsrSqlParser *p, const char *charset, gboolean national, guint32 pos) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  gsize len;
  if (t->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT)) {
    TsrSqlExpr *e = literal(p, (t->t.flags & TSR_SQL_TOKEN_HEX) ? TSR_SQL_LIT_HEX : TSR_SQL_LIT_BIT,
                            tsr_sqlp_string_value(p, t, &len), 0);
    e->lit.len = len;
    e->lit.quoted = TRUE;
    e->lit.charset = charset;
    p->i++;
    return e;
  }
  GString *value = g_string_new(NULL);
  while (tsr_sqlp_is(p, TSR_TK_STRING) && !(TSR_SQLP_CUR(p)->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT))) {
    char *s = tsr_sqlp_string_value(p, TSR_SQLP_CUR(p), &len);
    g_string_append_len(value, s, (gssize)len);
    p->i++;
  }
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_LITERAL, pos);
  e->lit.kind = TSR_SQL_LIT_STRING;
  e->lit.text = tsr_sql_arena_strndup(p->arena, value->str, value->len);
  e->lit.len = value->len;
  e->lit.charset = charset;
  e->lit.national = national;
  g_string_free(value, TRUE);
  return e;
}

static const char *const charsets[] = {
  "armscii8", "ascii", "big5", "binary", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852",
  "cp866", "cp932", "dec8", "eucjpms", "euckr", "gb18030", "gb2312", "gbk", "geostd8", "greek",
  "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1", "latin2", "latin5", "latin7", "macce",
  "macroman", "sjis", "swe7", "tis620", "ucs2", "ujis", "utf16", "utf16le", "utf32", "utf8",
  "utf8mb3", "utf8mb4",
};

/* _charset'string': TRUE when the current word is a charset introducer. */
static gboolean introducer_ahead(const TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if (t->t.id != TSR_TK_LITERAL || !t->word || t->t.text_len < 2 || t->t.text[0] != '_') return FALSE;
  if (tsr_sqlp_peek(p, 1)->t.id != TSR_TK_STRING) return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(charsets); i++)
    if (strlen(charsets[i]) == t->t.text_len - 1 && g_ascii_strncasecmp(charsets[i], t->t.text + 1, t->t.text_len - 1) == 0)
      return TRUE;
  return FALSE;
}

/* N'string' */
static gboolean national_ahead(const TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p), *next = tsr_sqlp_peek(p, 1);
  return t->t.id == TSR_TK_LITERAL && t->word && t->t.text_len == 1 && (t->t.text[0] == 'N' || t->t.text[0] == 'n') &&
         next->t.id == TSR_TK_STRING && !(next->t.flags & TSR_SQL_TOKEN_SPACE_BEFORE) && p->q[next->t.start] == '\'';
}

/* @user, @'user', @@name, @@scope.name */
static TsrSqlExpr *variable(TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_VARIABLE, t->t.start);
  p->i++;
  if (t->t.text_len >= 2 && t->t.text[1] == '@') {
    e->var.kind = TSR_SQL_VAR_SYSTEM;
    e->var.at_form = TRUE;
    const char *name = t->t.text + 2;
    gsize len = t->t.text_len - 2;
    static const struct { const char *word; TsrSqlScope scope; } scopes[] = {
      {"global", TSR_SQL_SCOPE_GLOBAL}, {"session", TSR_SQL_SCOPE_SESSION}, {"local", TSR_SQL_SCOPE_LOCAL}};
    for (gsize i = 0; i < G_N_ELEMENTS(scopes); i++) {
      if (len == strlen(scopes[i].word) && g_ascii_strncasecmp(name, scopes[i].word, len) == 0 &&
          tsr_sqlp_is(p, TSR_TK_DOT)) {
        p->i++;
        e->var.scope = scopes[i].scope;
        if (!TSR_SQLP_CUR(p)->word) return tsr_sqlp_expected(p, "a variable name");
        e->var.name = tsr_sqlp_any_ident(p, "a variable name");
        return e->var.name ? e : NULL;
      }
    }
    if (len == 0 || memchr(name, '@', len)) {
      p->i--;
      return tsr_sqlp_expected(p, "a variable name");
    }
    e->var.name = tsr_sql_arena_strndup(p->arena, name, len);
    return e;
  }
  e->var.kind = TSR_SQL_VAR_USER;
  if (t->t.text_len > 1) {
    e->var.name = tsr_sql_arena_strndup(p->arena, t->t.text + 1, t->t.text_len - 1);
    return e;
  }
  const TsrSqlPTok *q = TSR_SQLP_CUR(p);
  if (q->t.flags & TSR_SQL_TOKEN_SPACE_BEFORE || !(q->t.flags & TSR_SQL_TOKEN_QUOTED)) return tsr_sqlp_expected(p, "a variable name after @");
  if (q->t.id == TSR_TK_STRING) {
    e->var.name = tsr_sqlp_name_or_string(p, "a variable name");
  } else {
    e->var.name = tsr_sqlp_any_ident(p, "a variable name");
  }
  return e->var.name ? e : NULL;
}

/* ( expr ), ( expr, ... ), ( SELECT ... ) */
static TsrSqlExpr *parenthesized(TsrSqlParser *p) {
  guint32 pos = TSR_SQLP_CUR(p)->t.start;
  p->i++;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_SELECT)) {
    TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_SUBQUERY, pos);
    if (!(e->subquery.select = tsr_sqlp_query(p))) return NULL;
    return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? e : NULL;
  }
  TsrSqlExpr *first = tsr_sqlp_expr(p);
  if (!first) return NULL;
  if (!tsr_sqlp_is(p, TSR_TK_COMMA)) return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? first : NULL;
  TsrSqlExpr *row = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_ROW, pos);
  tsr_sqlp_push(p, &row->row.items, first);
  p->i++;
  if (!tsr_sqlp_expr_list(p, &row->row.items)) return NULL;
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? row : NULL;
}

static TsrSqlExpr *row_constructor(TsrSqlParser *p) {
  TsrSqlExpr *row = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_ROW, TSR_SQLP_CUR(p)->t.start);
  p->i += 2;
  if (!tsr_sqlp_expr_list(p, &row->row.items)) return NULL;
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? row : NULL;
}

static TsrSqlExpr *exists(TsrSqlParser *p) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_EXISTS, TSR_SQLP_CUR(p)->t.start);
  p->i++;
  if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'(' after EXISTS")) return NULL;
  if (!(e->subquery.select = tsr_sqlp_query(p))) return NULL;
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? e : NULL;
}

static TsrSqlExpr *case_expr(TsrSqlParser *p) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_CASE, TSR_SQLP_CUR(p)->t.start);
  p->i++;
  if (!tsr_sqlp_is_kw(p, TSR_TK_SQL_WHEN) && !(e->case_.operand = tsr_sqlp_expr(p))) return NULL;
  while (tsr_sqlp_accept_kw(p, TSR_TK_SQL_WHEN)) {
    TsrSqlWhen *w = tsr_sql_arena_new0(p->arena, TsrSqlWhen);
    if (!(w->when = tsr_sqlp_expr(p)) || !tsr_sqlp_expect_kw(p, TSR_TK_SQL_THEN) || !(w->then = tsr_sqlp_expr(p)))
      return NULL;
    tsr_sqlp_push(p, &e->case_.whens, w);
  }
  if (e->case_.whens.len == 0) return tsr_sqlp_expected(p, "WHEN");
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ELSE) && !(e->case_.else_result = tsr_sqlp_expr(p))) return NULL;
  return tsr_sqlp_expect_kw(p, TSR_W_END) ? e : NULL;
}

static const char *const interval_units[] = {
  "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR",
  "SECOND_MICROSECOND", "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND", "HOUR_SECOND",
  "HOUR_MINUTE", "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR", "YEAR_MONTH",
};

static gboolean unit_word(const TsrSqlPTok *t) {
  for (gsize i = 0; t->word && i < G_N_ELEMENTS(interval_units); i++)
    if (strlen(interval_units[i]) == t->t.text_len && g_ascii_strncasecmp(interval_units[i], t->t.text, t->t.text_len) == 0)
      return TRUE;
  return FALSE;
}

/* INTERVAL(...): the function INTERVAL(N, N1, ...) unless a unit follows
 * the parentheses (INTERVAL (1 + 1) DAY). */
static gboolean interval_function_ahead(const TsrSqlParser *p) {
  if (tsr_sqlp_peek(p, 1)->t.id != TSR_TK_OBRACE) return FALSE;
  int depth = 0;
  for (guint k = 1; tsr_sqlp_peek(p, k)->t.id != TSR_SQLP_EOF; k++) {
    TsrSqlTokenId id = tsr_sqlp_peek(p, k)->t.id;
    if (id == TSR_TK_OBRACE) depth++;
    else if (id == TSR_TK_CBRACE && --depth == 0) return !unit_word(tsr_sqlp_peek(p, k + 1));
  }
  return FALSE;
}

static TsrSqlExpr *interval(TsrSqlParser *p) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_INTERVAL, TSR_SQLP_CUR(p)->t.start);
  p->i++;
  if (!(e->interval.value = tsr_sqlp_expr(p))) return NULL;
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if (!unit_word(t)) return tsr_sqlp_expected(p, "an interval unit (DAY, HOUR, ...)");
  e->interval.unit = tsr_sqlp_upper(p, t);
  p->i++;
  return e;
}

static TsrSqlExpr *match(TsrSqlParser *p) {
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_MATCH, TSR_SQLP_CUR(p)->t.start);
  p->i++;
  if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'(' after MATCH")) return NULL;
  do {
    TsrSqlExpr *c = tsr_sqlp_column(p);
    if (!c) return NULL;
    tsr_sqlp_push(p, &e->match.columns, c);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  if (!tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") || !tsr_sqlp_expect_kw(p, TSR_W_AGAINST) ||
      !tsr_sqlp_expect(p, TSR_TK_OBRACE, "'(' after AGAINST"))
    return NULL;
  if (!(e->match.against = tsr_sqlp_binary(p, TSR_SQLP_BITOR))) return NULL;
  guint from = p->i;
  while (!tsr_sqlp_is(p, TSR_TK_CBRACE) && !tsr_sqlp_is(p, TSR_SQLP_EOF)) {
    if (!TSR_SQLP_CUR(p)->word) return tsr_sqlp_expected(p, "IN BOOLEAN MODE, IN NATURAL LANGUAGE MODE or WITH QUERY EXPANSION");
    p->i++;
  }
  if (p->i > from) {
    char *mod = tsr_sqlp_raw(p, from, p->i);
    for (char *c = mod; *c; c++) *c = g_ascii_toupper(*c);
    e->match.modifier = mod;
  }
  return tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'") ? e : NULL;
}

/* [[schema.]table.]column, or a qualified star, or db.func(...). */
TsrSqlExpr *tsr_sqlp_name_expr(TsrSqlParser *p) {
  guint32 pos = TSR_SQLP_CUR(p)->t.start;
  const char *names[3];
  guint n = 0;
  if (!(names[n++] = tsr_sqlp_ident(p, "a column"))) return NULL;
  while (tsr_sqlp_is(p, TSR_TK_DOT)) {
    p->i++;
    if (tsr_sqlp_is(p, TSR_TK_STAR) && n <= 2) {
      p->i++;
      TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_STAR, pos);
      e->col.schema = n == 2 ? names[0] : NULL;
      e->col.table = names[n - 1];
      return e;
    }
    if (n == 1 && tsr_sqlp_is_ident_at(p, 0, TRUE) && tsr_sqlp_peek(p, 1)->t.id == TSR_TK_OBRACE)
      return tsr_sqlp_function(p, names[0]); /* db.func(...), db.`func`(...) */
    if (n == 3) return tsr_sqlp_expected(p, "at most three name parts");
    if (!(names[n++] = tsr_sqlp_any_ident(p, "a name after '.'"))) return NULL;
  }
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_COLUMN, pos);
  e->col.column = names[n - 1];
  e->col.table = n >= 2 ? names[n - 2] : NULL;
  e->col.schema = n == 3 ? names[0] : NULL;
  return e;
}

TsrSqlExpr *tsr_sqlp_column(TsrSqlParser *p) {
  TsrSqlExpr *e = tsr_sqlp_name_expr(p);
  if (e && e->kind != TSR_SQL_EXPR_COLUMN) {
    p->i--;
    return tsr_sqlp_expected(p, "a column name");
  }
  return e;
}

static TsrSqlExpr *temporal(TsrSqlParser *p) {
  guint32 pos = TSR_SQLP_CUR(p)->t.start;
  const char *word = tsr_sql_word_text(TSR_SQLP_CUR(p)->code);
  p->i++;
  TsrSqlExpr *e = string(p, NULL, FALSE, pos);
  if (e->lit.kind != TSR_SQL_LIT_STRING) return tsr_sqlp_expected(p, "a quoted date or time");
  e->lit.kind = TSR_SQL_LIT_TEMPORAL;
  e->lit.temporal = word;
  return e;
}

/* Primaries that start with a word. */
static TsrSqlExpr *word_primary(TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p), *next = tsr_sqlp_peek(p, 1);
  gboolean call = next->t.id == TSR_TK_OBRACE;
  switch (t->code) {
  case TSR_TK_SQL_NULL: p->i++; return literal(p, TSR_SQL_LIT_NULL, NULL, 0);
  case TSR_TK_SQL_TRUE: p->i++; return literal(p, TSR_SQL_LIT_TRUE, NULL, 0);
  case TSR_TK_SQL_FALSE: p->i++; return literal(p, TSR_SQL_LIT_FALSE, NULL, 0);
  case TSR_TK_SQL_EXISTS: return exists(p);
  case TSR_TK_SQL_CASE: return case_expr(p);
  case TSR_TK_SQL_INTERVAL:
    if (interval_function_ahead(p)) return tsr_sqlp_function(p, NULL);
    return interval(p);
  case TSR_TK_SQL_MATCH: return match(p);
  case TSR_W_ROW:
    if (call) return row_constructor(p);
    break;
  case TSR_TK_SQL_DEFAULT:
    if (call) break;
    p->i++;
    return tsr_sqlp_expr_new(p, TSR_SQL_EXPR_DEFAULT, t->t.start);
  case TSR_TK_SQL_DATE:
  case TSR_TK_SQL_TIME:
  case TSR_TK_SQL_TIMESTAMP:
    if (next->t.id == TSR_TK_STRING) return temporal(p);
    break;
  default:
    break;
  }
  if (call && (!t->reserved || tsr_sqlp_reserved_function(t->code))) return tsr_sqlp_function(p, NULL);
  TsrSqlExpr *niladic = tsr_sqlp_niladic(p);
  if (niladic || p->error) return niladic;
  if (t->reserved) return tsr_sqlp_expected(p, "an expression");
  return tsr_sqlp_name_expr(p);
}

static TsrSqlExpr *parse_primary(TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  guint32 pos = t->t.start;
  switch (t->t.id) {
  case TSR_TK_INTEGER:
  case TSR_TK_FLOAT:
    return number(p);
  case TSR_TK_STRING:
    return string(p, NULL, FALSE, pos);
  case TSR_TK_PLACEHOLDER: {
    TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_PARAM, pos);
    e->param.index = p->n_params++;
    p->i++;
    return e;
  }
  case TSR_TK_OBRACE:
    return parenthesized(p);
  case TSR_TK_LITERAL:
    if (!t->word && !(t->t.flags & TSR_SQL_TOKEN_QUOTED)) return variable(p);
    if (introducer_ahead(p)) {
      const char *cs = tsr_sql_arena_strndup(p->arena, t->t.text + 1, t->t.text_len - 1);
      p->i++;
      return string(p, cs, FALSE, pos);
    }
    if (national_ahead(p)) {
      p->i++;
      return string(p, NULL, TRUE, pos);
    }
    if (!t->word) return tsr_sqlp_is(p, TSR_TK_LITERAL) && tsr_sqlp_peek(p, 1)->t.id == TSR_TK_OBRACE
                            ? tsr_sqlp_function(p, NULL) : tsr_sqlp_name_expr(p);
    return word_primary(p);
  case TSR_TK_FUNCTION:
    return word_primary(p);
  default:
    if (t->word) return word_primary(p);
    if (t->t.id == TSR_SQLP_EOF) return tsr_sqlp_expected(p, "an expression");
    tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "expected an expression");
    return NULL;
  }
}
