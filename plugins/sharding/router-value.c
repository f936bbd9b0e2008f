/* router-value.c: constant values of shard keys: literals, folded integer
 * arithmetic and bound parameters; parameters written back as literals. */
#include <string.h>
#include "protocol/mysql-constants.h"
#include "sql/sql-printer.h"
#include "router-private.h"

/* Keeps a NUL-terminated copy of bytes[0..len) for as long as the route. */
static const char *keep(RtCtx *c, const char *bytes, gsize len) {
  char *copy = g_strndup(bytes, len);
  g_ptr_array_add(c->strings, copy);
  return copy;
}

/* Keeps a + b for as long as the route. */
static const char *keep_concat(RtCtx *c, const char *a, const char *b) {
  char *s = g_strconcat(a, b, NULL);
  g_ptr_array_add(c->strings, s);
  return s;
}

static gboolean hex_value(RtCtx *c, const TsrSqlLiteral *lit, TsrShardValue *v) {
  gsize n = lit->len, odd = n % 2;
  char *bytes = g_malloc0(n / 2 + odd + 1);
  g_ptr_array_add(c->strings, bytes);
  for (gsize i = 0; i < n; i++) {
    gint d = g_ascii_xdigit_value(lit->text[i]);
    if (d < 0) return FALSE;
    gsize pos = (i + odd) / 2;
    bytes[pos] = (char)((guint8)bytes[pos] | (guint8)((i + odd) % 2 ? d : d << 4));
  }
  v->kind = TSR_SHARD_VALUE_BINARY;
  v->str = bytes;
  v->len = n / 2 + odd;
  return TRUE;
}

static gboolean utf8_charset(const char *cs) {
  return !cs || g_ascii_strcasecmp(cs, "utf8mb4") == 0 || g_ascii_strcasecmp(cs, "utf8") == 0 ||
         g_ascii_strcasecmp(cs, "utf8mb3") == 0;
}

static gboolean literal_value(RtCtx *c, const TsrSqlLiteral *lit, TsrShardValue *v) {
  switch (lit->kind) {
  case TSR_SQL_LIT_NULL: v->kind = TSR_SHARD_VALUE_NULL; return TRUE;
  case TSR_SQL_LIT_TRUE:
  case TSR_SQL_LIT_FALSE:
    v->kind = TSR_SHARD_VALUE_INT;
    v->i = lit->kind == TSR_SQL_LIT_TRUE;
    return TRUE;
  case TSR_SQL_LIT_INTEGER:
    v->kind = TSR_SHARD_VALUE_INT;
    if (g_ascii_string_to_signed(lit->text, 10, G_MININT64, G_MAXINT64, &v->i, NULL)) return TRUE;
    if (g_ascii_string_to_unsigned(lit->text, 10, 0, G_MAXUINT64, &v->u, NULL)) {
      v->is_unsigned = TRUE;
      return TRUE;
    }
    v->kind = TSR_SHARD_VALUE_DECIMAL;
    v->str = lit->text;
    return TRUE;
  case TSR_SQL_LIT_DECIMAL:
    v->kind = TSR_SHARD_VALUE_DECIMAL;
    v->str = lit->text[0] == '.' ? keep_concat(c, "0", lit->text) : lit->text;
    v->len = strlen(v->str);
    return TRUE;
  case TSR_SQL_LIT_FLOAT:
    v->kind = TSR_SHARD_VALUE_DOUBLE;
    v->d = g_ascii_strtod(lit->text, NULL);
    return TRUE;
  case TSR_SQL_LIT_STRING:
    if (lit->charset && g_ascii_strcasecmp(lit->charset, "binary") == 0) v->kind = TSR_SHARD_VALUE_BINARY;
    else if (utf8_charset(lit->charset)) v->kind = TSR_SHARD_VALUE_STRING;
    else return FALSE;
    v->str = lit->text;
    v->len = lit->len;
    return TRUE;
  case TSR_SQL_LIT_TEMPORAL:
    v->kind = TSR_SHARD_VALUE_STRING;
    v->str = lit->text;
    v->len = lit->len;
    return TRUE;
  case TSR_SQL_LIT_HEX: return hex_value(c, lit, v);
  case TSR_SQL_LIT_BIT: return FALSE;
  }
  return FALSE;
}

static gboolean param_value(RtCtx *c, guint index, TsrShardValue *v) {
  if (!c->in->params || index >= c->in->n_params) return FALSE;
  const TsrValue *p = &c->in->params[index];
  if (p->is_long_data) return FALSE;
  if (p->is_null) {
    v->kind = TSR_SHARD_VALUE_NULL;
    return TRUE;
  }
  switch (p->type.type) {
  case TSR_TYPE_TINY: case TSR_TYPE_SHORT: case TSR_TYPE_LONG: case TSR_TYPE_INT24: case TSR_TYPE_LONGLONG:
  case TSR_TYPE_YEAR:
    v->kind = TSR_SHARD_VALUE_INT;
    if (!p->type.is_unsigned) v->i = p->v.i;
    else if (p->v.u <= G_MAXINT64) v->i = (gint64)p->v.u;
    else {
      v->is_unsigned = TRUE;
      v->u = p->v.u;
    }
    return TRUE;
  case TSR_TYPE_FLOAT: case TSR_TYPE_DOUBLE: v->kind = TSR_SHARD_VALUE_DOUBLE; v->d = p->v.f; return TRUE;
  case TSR_TYPE_DATE: case TSR_TYPE_DATETIME: case TSR_TYPE_TIMESTAMP:
    if (p->v.time.year == 0 || p->v.time.month == 0 || p->v.time.day == 0) return FALSE;
    v->kind = TSR_SHARD_VALUE_DATETIME;
    v->usec = tsr_shard_datetime_make(p->v.time.year, p->v.time.month, p->v.time.day, p->v.time.hour,
                                      p->v.time.minute, p->v.time.second, p->v.time.microsecond);
    return TRUE;
  case TSR_TYPE_DECIMAL: case TSR_TYPE_NEWDECIMAL:
    v->kind = TSR_SHARD_VALUE_DECIMAL;
    v->str = keep(c, (const char *)p->raw.data, p->raw.len);
    v->len = p->raw.len;
    return TRUE;
  case TSR_TYPE_TINY_BLOB: case TSR_TYPE_MEDIUM_BLOB: case TSR_TYPE_LONG_BLOB: case TSR_TYPE_BLOB:
    v->kind = TSR_SHARD_VALUE_BINARY;
    v->str = (const char *)p->raw.data;
    v->len = p->raw.len;
    return TRUE;
  case TSR_TYPE_VARCHAR: case TSR_TYPE_VAR_STRING: case TSR_TYPE_STRING: case TSR_TYPE_ENUM: case TSR_TYPE_SET:
    v->kind = TSR_SHARD_VALUE_STRING;
    v->str = p->raw.data ? (const char *)p->raw.data : "";
    v->len = p->raw.len;
    return TRUE;
  default: return FALSE;
  }
}

static gboolean negate(RtCtx *c, TsrShardValue *v) {
  switch (v->kind) {
  case TSR_SHARD_VALUE_INT:
    if (v->is_unsigned || v->i == G_MININT64) return FALSE;
    v->i = -v->i;
    return TRUE;
  case TSR_SHARD_VALUE_DOUBLE: v->d = -v->d; return TRUE;
  case TSR_SHARD_VALUE_DECIMAL:
    v->str = v->str[0] == '-' ? v->str + 1 : keep_concat(c, "-", v->str);
    v->len = strlen(v->str);
    return TRUE;
  default: return FALSE;
  }
}

static gboolean arithmetic(TsrSqlOp op, TsrShardValue *a, const TsrShardValue *b) {
  gint64 r;
  if (a->kind != TSR_SHARD_VALUE_INT || b->kind != TSR_SHARD_VALUE_INT || a->is_unsigned || b->is_unsigned) return FALSE;
  switch (op) {
  case TSR_SQL_OP_PLUS: if (__builtin_add_overflow(a->i, b->i, &r)) return FALSE; break;
  case TSR_SQL_OP_MINUS: if (__builtin_sub_overflow(a->i, b->i, &r)) return FALSE; break;
  case TSR_SQL_OP_MUL: if (__builtin_mul_overflow(a->i, b->i, &r)) return FALSE; break;
  case TSR_SQL_OP_INT_DIV:
    if (b->i == 0 || (a->i == G_MININT64 && b->i == -1)) return FALSE;
    r = a->i / b->i;
    break;
  case TSR_SQL_OP_MOD:
    if (b->i == 0 || b->i == -1) return FALSE;
    r = a->i % b->i;
    break;
  default: return FALSE;
  }
  a->i = r;
  return TRUE;
}

gboolean rt_fold(RtCtx *c, const TsrSqlExpr *e, TsrShardValue *v) {
  TsrShardValue right;
  memset(v, 0, sizeof(*v));
  switch (e->kind) {
  case TSR_SQL_EXPR_LITERAL: return literal_value(c, &e->lit, v);
  case TSR_SQL_EXPR_PARAM: return param_value(c, e->param.index, v);
  case TSR_SQL_EXPR_UNARY: return e->unary.op == TSR_SQL_OP_NEG && rt_fold(c, e->unary.arg, v) && negate(c, v);
  case TSR_SQL_EXPR_BINARY:
    return e->binary.quant == TSR_SQL_QUANT_NONE && rt_fold(c, e->binary.left, v) &&
           rt_fold(c, e->binary.right, &right) && arithmetic(e->binary.op, v, &right);
  default: return FALSE;
  }
}

/* ---- parameters as literals ---- */

static void print_time(GString *out, const TsrValue *p) {
  const TsrTime *t = &p->v.time;
  if (p->type.type == TSR_TYPE_TIME) {
    g_string_append_printf(out, "'%s%u:%02u:%02u", t->negative ? "-" : "", t->days * 24 + t->hour, t->minute, t->second);
  } else {
    g_string_append_printf(out, "'%04u-%02u-%02u", t->year, t->month, t->day);
    if (p->type.type != TSR_TYPE_DATE) g_string_append_printf(out, " %02u:%02u:%02u", t->hour, t->minute, t->second);
  }
  if (t->microsecond && p->type.type != TSR_TYPE_DATE) g_string_append_printf(out, ".%06u", t->microsecond);
  g_string_append_c(out, '\'');
}

static void print_hex(GString *out, const TsrSlice *raw) {
  g_string_append(out, raw->len ? "X'" : "''");
  for (gsize i = 0; i < raw->len; i++) g_string_append_printf(out, "%02X", raw->data[i]);
  if (raw->len) g_string_append_c(out, '\'');
}

gboolean rt_print_param(GString *out, guint index, gpointer data) {
  RtCtx *c = data;
  TsrSqlPrintOptions opts = {.flags = c->in->lex_flags};
  if (!c->in->params || index >= c->in->n_params) return FALSE;
  const TsrValue *p = &c->in->params[index];
  if (p->is_null || p->type.type == TSR_TYPE_NULL) {
    g_string_append(out, "NULL");
    return TRUE;
  }
  switch (p->type.type) {
  case TSR_TYPE_TINY: case TSR_TYPE_SHORT: case TSR_TYPE_LONG: case TSR_TYPE_INT24: case TSR_TYPE_LONGLONG:
  case TSR_TYPE_YEAR:
    if (p->type.is_unsigned) g_string_append_printf(out, "%" G_GUINT64_FORMAT, p->v.u);
    else g_string_append_printf(out, "%" G_GINT64_FORMAT, p->v.i);
    return TRUE;
  case TSR_TYPE_FLOAT: g_string_append_printf(out, "%.9g", p->v.f); return TRUE;
  case TSR_TYPE_DOUBLE: g_string_append_printf(out, "%.17g", p->v.f); return TRUE;
  case TSR_TYPE_DATE: case TSR_TYPE_DATETIME: case TSR_TYPE_TIMESTAMP: case TSR_TYPE_TIME: print_time(out, p); return TRUE;
  case TSR_TYPE_DECIMAL: case TSR_TYPE_NEWDECIMAL: g_string_append_len(out, (const char *)p->raw.data, (gssize)p->raw.len); return TRUE;
  case TSR_TYPE_TINY_BLOB: case TSR_TYPE_MEDIUM_BLOB: case TSR_TYPE_LONG_BLOB: case TSR_TYPE_BLOB: case TSR_TYPE_BIT:
  case TSR_TYPE_GEOMETRY:
    print_hex(out, &p->raw);
    return TRUE;
  default:
    tsr_sql_print_string(out, p->raw.data ? (const char *)p->raw.data : "", p->raw.len, &opts);
    return TRUE;
  }
}
