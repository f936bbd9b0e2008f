/* sql-parser-func.c: function calls, aggregates and the functions with a
 * syntax of their own (CAST, CONVERT, SUBSTRING ... FROM, TRIM, EXTRACT,
 * POSITION, GROUP_CONCAT, CHAR ... USING). */
#include <string.h>
#include "sql/sql-parser-internal.h"

gboolean tsr_sqlp_reserved_function(guint code) {
  switch (code) {
  case TSR_TK_SQL_IF: case TSR_TK_SQL_LEFT: case TSR_TK_SQL_RIGHT: case TSR_TK_SQL_INSERT:
  case TSR_TK_SQL_REPLACE: case TSR_TK_SQL_MOD: case TSR_TK_SQL_CHAR: case TSR_TK_SQL_CONVERT:
  case TSR_TK_SQL_DATABASE: case TSR_TK_SQL_SCHEMA: case TSR_TK_SQL_REPEAT: case TSR_TK_SQL_VALUES:
  case TSR_TK_SQL_DEFAULT: case TSR_TK_SQL_CURRENT_USER: case TSR_TK_SQL_CURRENT_DATE:
  case TSR_TK_SQL_CURRENT_TIME: case TSR_TK_SQL_CURRENT_TIMESTAMP: case TSR_TK_SQL_LOCALTIME:
  case TSR_TK_SQL_LOCALTIMESTAMP: case TSR_TK_SQL_UTC_DATE: case TSR_TK_SQL_UTC_TIME:
  case TSR_TK_SQL_UTC_TIMESTAMP: case TSR_TK_SQL_INTERVAL:
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean niladic_word(guint code) {
  switch (code) {
  case TSR_TK_SQL_CURRENT_USER: case TSR_TK_SQL_CURRENT_DATE: case TSR_TK_SQL_CURRENT_TIME:
  case TSR_TK_SQL_CURRENT_TIMESTAMP: case TSR_TK_SQL_LOCALTIME: case TSR_TK_SQL_LOCALTIMESTAMP:
  case TSR_TK_SQL_UTC_DATE: case TSR_TK_SQL_UTC_TIME: case TSR_TK_SQL_UTC_TIMESTAMP:
    return TRUE;
  default:
    return FALSE;
  }
}

/* A FUNC node named by the current token, which it consumes; NULL (with
 * an error) for a name holding a NUL byte. */
static TsrSqlExpr *func_new(TsrSqlParser *p, const char *schema) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_FUNC, t->t.start);
  e->func.schema = schema;
  if (memchr(t->t.text, '\0', t->t.text_len)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "a name may not hold a NUL byte");
    return NULL;
  }
  if (t->t.flags & TSR_SQL_TOKEN_QUOTED) {
    char *name = tsr_sql_arena_alloc(p->arena, t->t.text_len + 1);
    tsr_sql_unescape(t->t.text, t->t.text_len, '`', TSR_SQL_LEX_NO_BACKSLASH_ESCAPES, name);
    e->func.name = name;
  } else {
    e->func.name = tsr_sql_arena_strndup(p->arena, t->t.text, t->t.text_len);
  }
  p->i++;
  return e;
}

TsrSqlExpr *tsr_sqlp_niladic(TsrSqlParser *p) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if (!t->word || !niladic_word(t->code) || tsr_sqlp_peek(p, 1)->t.id == TSR_TK_OBRACE) return NULL;
  TsrSqlExpr *e = func_new(p, NULL);
  if (e) e->func.form = TSR_SQL_FUNC_NILADIC;
  return e;
}

static TsrSqlAggregate aggregate_of(guint code) {
  switch (code) {
  case TSR_W_COUNT: return TSR_SQL_AGG_COUNT;
  case TSR_W_SUM: return TSR_SQL_AGG_SUM;
  case TSR_W_MIN: return TSR_SQL_AGG_MIN;
  case TSR_W_MAX: return TSR_SQL_AGG_MAX;
  case TSR_W_AVG: return TSR_SQL_AGG_AVG;
  case TSR_W_GROUP_CONCAT: return TSR_SQL_AGG_GROUP_CONCAT;
  case TSR_W_BIT_AND: case TSR_W_BIT_OR: case TSR_W_BIT_XOR: case TSR_W_STD: case TSR_W_STDDEV:
  case TSR_W_STDDEV_POP: case TSR_W_STDDEV_SAMP: case TSR_W_VAR_POP: case TSR_W_VAR_SAMP: case TSR_W_VARIANCE:
    return TSR_SQL_AGG_OTHER;
  default:
    return TSR_SQL_AGG_NONE;
  }
}

static gboolean push_expr(TsrSqlParser *p, TsrSqlList *list, TsrSqlExpr *e) {
  if (!e) return FALSE;
  tsr_sqlp_push(p, list, e);
  return TRUE;
}

/* A type up to the closing parenthesis, kept as written: "DECIMAL(10, 2)",
 * "CHAR(10) CHARACTER SET utf8mb4". Words, numbers, parentheses and commas. */
static const char *type_text(TsrSqlParser *p) {
  guint from = p->i;
  int depth = 0;
  while (!tsr_sqlp_is(p, TSR_SQLP_EOF)) {
    const TsrSqlPTok *t = TSR_SQLP_CUR(p);
    if (t->t.id == TSR_TK_OBRACE) depth++;
    else if (t->t.id == TSR_TK_CBRACE && depth-- == 0) break;
    else if (!t->word && t->t.id != TSR_TK_INTEGER && t->t.id != TSR_TK_COMMA && t->t.id != TSR_TK_CBRACE)
      return tsr_sqlp_expected(p, "a type");
    p->i++;
  }
  if (p->i == from) return tsr_sqlp_expected(p, "a type");
  return tsr_sqlp_raw(p, from, p->i);
}

static gboolean args_cast(TsrSqlParser *p, TsrSqlExpr *e) {
  e->func.form = TSR_SQL_FUNC_CAST;
  if (!push_expr(p, &e->func.args, tsr_sqlp_expr(p)) || !tsr_sqlp_expect_kw(p, TSR_TK_SQL_AS)) return FALSE;
  return (e->func.type = type_text(p)) != NULL;
}

static gboolean args_convert(TsrSqlParser *p, TsrSqlExpr *e) {
  if (!push_expr(p, &e->func.args, tsr_sqlp_expr(p))) return FALSE;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_USING)) {
    e->func.form = TSR_SQL_FUNC_CONVERT_USING;
    return (e->func.type = tsr_sqlp_name_or_string(p, "a character set")) != NULL;
  }
  if (!tsr_sqlp_expect(p, TSR_TK_COMMA, "',' or USING")) return FALSE;
  e->func.form = TSR_SQL_FUNC_CONVERT;
  return (e->func.type = type_text(p)) != NULL;
}

static gboolean args_char(TsrSqlParser *p, TsrSqlExpr *e) {
  if (!tsr_sqlp_expr_list(p, &e->func.args)) return FALSE;
  if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_USING)) return TRUE;
  e->func.form = TSR_SQL_FUNC_CHAR_USING;
  return (e->func.type = tsr_sqlp_name_or_string(p, "a character set")) != NULL;
}

static gboolean args_substring(TsrSqlParser *p, TsrSqlExpr *e) {
  if (!push_expr(p, &e->func.args, tsr_sqlp_expr(p))) return FALSE;
  if (tsr_sqlp_accept(p, TSR_TK_COMMA)) return tsr_sqlp_expr_list(p, &e->func.args);
  if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_FROM)) return FALSE;
  e->func.form = TSR_SQL_FUNC_SUBSTRING_FROM;
  if (!push_expr(p, &e->func.args, tsr_sqlp_expr(p))) return FALSE;
  return !tsr_sqlp_accept_kw(p, TSR_TK_SQL_FOR) || push_expr(p, &e->func.args, tsr_sqlp_expr(p));
}

/* TRIM(str), TRIM([BOTH|LEADING|TRAILING] [remstr] FROM str). */
static gboolean args_trim(TsrSqlParser *p, TsrSqlExpr *e) {
  const char *spec = NULL;
  TsrSqlExpr *remstr = NULL;
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_BOTH) || tsr_sqlp_is_kw(p, TSR_TK_SQL_LEADING) || tsr_sqlp_is_kw(p, TSR_TK_SQL_TRAILING)) {
    spec = tsr_sql_word_text(TSR_SQLP_CUR(p)->code);
    p->i++;
  }
  if (!spec || !tsr_sqlp_is_kw(p, TSR_TK_SQL_FROM)) {
    if (!(remstr = tsr_sqlp_expr(p))) return FALSE;
  }
  if (!spec && !tsr_sqlp_is_kw(p, TSR_TK_SQL_FROM)) {
    tsr_sqlp_push(p, &e->func.args, remstr);
    return !tsr_sqlp_accept(p, TSR_TK_COMMA) || tsr_sqlp_expr_list(p, &e->func.args);
  }
  if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_FROM)) return FALSE;
  e->func.form = TSR_SQL_FUNC_TRIM_FROM;
  e->func.type = spec;
  if (!push_expr(p, &e->func.args, tsr_sqlp_expr(p))) return FALSE;
  if (remstr) tsr_sqlp_push(p, &e->func.args, remstr);
  return TRUE;
}

static gboolean args_extract(TsrSqlParser *p, TsrSqlExpr *e) {
  if (!TSR_SQLP_CUR(p)->word) return tsr_sqlp_expected(p, "a unit") != NULL;
  e->func.form = TSR_SQL_FUNC_EXTRACT;
  e->func.type = tsr_sqlp_upper(p, TSR_SQLP_CUR(p));
  p->i++;
  return tsr_sqlp_expect_kw(p, TSR_TK_SQL_FROM) && push_expr(p, &e->func.args, tsr_sqlp_expr(p));
}

static gboolean args_position(TsrSqlParser *p, TsrSqlExpr *e) {
  if (!push_expr(p, &e->func.args, tsr_sqlp_binary(p, TSR_SQLP_BITOR))) return FALSE;
  if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_IN)) return !tsr_sqlp_accept(p, TSR_TK_COMMA) || tsr_sqlp_expr_list(p, &e->func.args);
  e->func.form = TSR_SQL_FUNC_POSITION;
  return push_expr(p, &e->func.args, tsr_sqlp_expr(p));
}

/* Aggregates: [DISTINCT|ALL] args; COUNT(*); GROUP_CONCAT's ORDER BY and SEPARATOR. */
static gboolean args_aggregate(TsrSqlParser *p, TsrSqlExpr *e) {
  if (e->func.agg == TSR_SQL_AGG_COUNT && tsr_sqlp_is(p, TSR_TK_STAR)) {
    p->i++;
    e->func.star = TRUE;
    return TRUE;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_DISTINCT) || tsr_sqlp_accept_kw(p, TSR_TK_SQL_DISTINCTROW)) e->func.distinct = TRUE;
  else tsr_sqlp_accept_kw(p, TSR_TK_SQL_ALL);
  if (!tsr_sqlp_expr_list(p, &e->func.args)) return FALSE;
  if (e->func.agg != TSR_SQL_AGG_GROUP_CONCAT) return TRUE;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ORDER)) {
    if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_BY) || !tsr_sqlp_order_list(p, &e->func.order_by)) return FALSE;
  }
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_SEPARATOR)) {
    if (!tsr_sqlp_is(p, TSR_TK_STRING)) return tsr_sqlp_expected(p, "a string after SEPARATOR") != NULL;
    e->func.separator = tsr_sqlp_binary(p, TSR_SQLP_PRIMARY);
    return e->func.separator != NULL;
  }
  return TRUE;
}

static gboolean args_for(TsrSqlParser *p, TsrSqlExpr *e, guint code) {
  if (e->func.schema == NULL) {
    switch (code) {
    case TSR_W_CAST: return args_cast(p, e);
    case TSR_TK_SQL_CONVERT: return args_convert(p, e);
    case TSR_TK_SQL_CHAR: return args_char(p, e);
    case TSR_W_SUBSTRING: case TSR_W_SUBSTR: return args_substring(p, e);
    case TSR_W_TRIM: return args_trim(p, e);
    case TSR_W_EXTRACT: return args_extract(p, e);
    case TSR_W_POSITION: return args_position(p, e);
    default: break;
    }
    if (e->func.agg != TSR_SQL_AGG_NONE) return args_aggregate(p, e);
  }
  return tsr_sqlp_expr_list(p, &e->func.args);
}

TsrSqlExpr *tsr_sqlp_function(TsrSqlParser *p, const char *schema) {
  guint code = TSR_SQLP_CUR(p)->word ? TSR_SQLP_CUR(p)->code : 0;
  TsrSqlExpr *e = func_new(p, schema);
  if (!e) return NULL;
  if (schema == NULL) e->func.agg = aggregate_of(code);
  if (!tsr_sqlp_expect(p, TSR_TK_OBRACE, "'('")) return NULL;
  if (!tsr_sqlp_is(p, TSR_TK_CBRACE) && !args_for(p, e, code)) return NULL;
  if (!tsr_sqlp_expect(p, TSR_TK_CBRACE, "')'")) return NULL;
  if (tsr_sqlp_is_kw(p, TSR_W_OVER)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "window functions (OVER) are not supported");
    return NULL;
  }
  return e;
}
