/* sql-printer-expr.c: expressions back to SQL, with the parentheses that
 * MySQL's precedence asks for (levels of sql-parser-internal.h). */
#include <string.h>
#include "sql/sql-keywords.h"
#include "sql/sql-lexer.h"
#include "sql/sql-parser-internal.h"
#include "sql/sql-printer-internal.h"

static const TsrSqlPrintOptions default_options = {0};

const TsrSqlPrintOptions *tsr_sql_print_opts(const TsrSqlPrintOptions *opts) {
  return opts ? opts : &default_options;
}

/* TRUE when `name` can be written without backquotes. */
static gboolean plain_ident(const char *name) {
  if (name[0] == '\0' || g_ascii_isdigit(name[0])) return FALSE;
  for (const char *c = name; *c; c++)
    if (!tsr_sql_ident_byte(*c)) return FALSE;
  return !tsr_sql_word_is_reserved(name, strlen(name));
}

static void quote_ident(GString *out, const char *name) {
  g_string_append_c(out, '`');
  for (const char *c = name; *c; c++) {
    if (*c == '`') g_string_append_c(out, '`');
    g_string_append_c(out, *c);
  }
  g_string_append_c(out, '`');
}

void tsr_sql_print_ident(GString *out, const char *name) {
  if (plain_ident(name)) g_string_append(out, name);
  else quote_ident(out, name);
}

/* Function names are never reserved-word quoted: LEFT(...) must stay LEFT. */
static void print_func_name(GString *out, const char *name) {
  gboolean plain = name[0] != '\0' && !g_ascii_isdigit(name[0]);
  for (const char *c = name; plain && *c; c++) plain = tsr_sql_ident_byte(*c);
  if (plain) g_string_append(out, name);
  else quote_ident(out, name);
}

void tsr_sql_print_string(GString *out, const char *value, gsize len, const TsrSqlPrintOptions *opts) {
  gboolean backslash = !(tsr_sql_print_opts(opts)->flags & TSR_SQL_LEX_NO_BACKSLASH_ESCAPES);
  g_string_append_c(out, '\'');
  for (gsize i = 0; i < len; i++) {
    char c = value[i];
    if (!backslash) {
      if (c == '\'') g_string_append_c(out, '\'');
      g_string_append_c(out, c);
      continue;
    }
    switch (c) {
    case '\0': g_string_append(out, "\\0"); break;
    case '\'': g_string_append(out, "\\'"); break;
    case '\\': g_string_append(out, "\\\\"); break;
    case '\n': g_string_append(out, "\\n"); break;
    case '\r': g_string_append(out, "\\r"); break;
    case '\032': g_string_append(out, "\\Z"); break;
    default: g_string_append_c(out, c); break;
    }
  }
  g_string_append_c(out, '\'');
}

/* ---- precedence ---- */

static int op_prec(TsrSqlOp op) {
  switch (op) {
  case TSR_SQL_OP_NEG: case TSR_SQL_OP_BIT_NOT: case TSR_SQL_OP_LOGICAL_NOT: case TSR_SQL_OP_BINARY: return TSR_SQLP_UNARY;
  case TSR_SQL_OP_NOT: return TSR_SQLP_NOT;
  case TSR_SQL_OP_OR: return TSR_SQLP_OR;
  case TSR_SQL_OP_XOR: return TSR_SQLP_XOR;
  case TSR_SQL_OP_AND: return TSR_SQLP_AND;
  case TSR_SQL_OP_EQ: case TSR_SQL_OP_NULLSAFE_EQ: case TSR_SQL_OP_NE: case TSR_SQL_OP_LT:
  case TSR_SQL_OP_LE: case TSR_SQL_OP_GT: case TSR_SQL_OP_GE: return TSR_SQLP_CMP;
  case TSR_SQL_OP_BIT_OR: return TSR_SQLP_BITOR;
  case TSR_SQL_OP_BIT_AND: return TSR_SQLP_BITAND;
  case TSR_SQL_OP_SHIFT_LEFT: case TSR_SQL_OP_SHIFT_RIGHT: return TSR_SQLP_SHIFT;
  case TSR_SQL_OP_PLUS: case TSR_SQL_OP_MINUS: return TSR_SQLP_ADD;
  case TSR_SQL_OP_MUL: case TSR_SQL_OP_DIV: case TSR_SQL_OP_INT_DIV: case TSR_SQL_OP_MOD: return TSR_SQLP_MUL;
  case TSR_SQL_OP_BIT_XOR: return TSR_SQLP_BITXOR;
  case TSR_SQL_OP_ASSIGN: return TSR_SQLP_ASSIGN;
  default: return TSR_SQLP_PRIMARY;
  }
}

static int expr_prec(const TsrSqlExpr *e) {
  switch (e->kind) {
  case TSR_SQL_EXPR_UNARY: return op_prec(e->unary.op);
  case TSR_SQL_EXPR_BINARY: return op_prec(e->binary.op);
  case TSR_SQL_EXPR_LOGICAL: return op_prec(e->logical.op);
  case TSR_SQL_EXPR_IS: return TSR_SQLP_CMP;
  case TSR_SQL_EXPR_BETWEEN: case TSR_SQL_EXPR_IN: case TSR_SQL_EXPR_LIKE: return TSR_SQLP_PRED;
  case TSR_SQL_EXPR_COLLATE: return TSR_SQLP_COLLATE;
  case TSR_SQL_EXPR_LITERAL: return e->lit.text && e->lit.text[0] == '-' ? TSR_SQLP_UNARY : TSR_SQLP_PRIMARY;
  default: return TSR_SQLP_PRIMARY;
  }
}

static void expr(TsrSqlPrinter *pr, const TsrSqlExpr *e);

void tsr_sql_printer_expr_at(TsrSqlPrinter *pr, const TsrSqlExpr *e, int min_prec) {
  int prec = expr_prec(e);
  if (prec >= min_prec && !(pr->opts->all_parens && prec < TSR_SQLP_PRIMARY)) {
    expr(pr, e);
    return;
  }
  g_string_append_c(pr->out, '(');
  expr(pr, e);
  g_string_append_c(pr->out, ')');
}

#define AT(e, prec) tsr_sql_printer_expr_at(pr, (e), (prec))
#define FULL(e) tsr_sql_printer_expr_at(pr, (e), TSR_SQLP_ASSIGN)

void tsr_sql_printer_expr_list(TsrSqlPrinter *pr, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) {
    if (i > 0) g_string_append(pr->out, ", ");
    FULL(list->items[i]);
  }
}

void tsr_sql_printer_order_list(TsrSqlPrinter *pr, const TsrSqlList *list) {
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlOrderItem *item = list->items[i];
    if (i > 0) g_string_append(pr->out, ", ");
    FULL(item->expr);
    if (item->dir == TSR_SQL_ORDER_ASC) g_string_append(pr->out, " ASC");
    else if (item->dir == TSR_SQL_ORDER_DESC) g_string_append(pr->out, " DESC");
  }
}

/* ---- nodes ---- */

static void literal(TsrSqlPrinter *pr, const TsrSqlLiteral *lit) {
  GString *out = pr->out;
  if (lit->charset) {
    g_string_append_c(out, '_');
    g_string_append(out, lit->charset);
  }
  switch (lit->kind) {
  case TSR_SQL_LIT_NULL: g_string_append(out, "NULL"); break;
  case TSR_SQL_LIT_TRUE: g_string_append(out, "TRUE"); break;
  case TSR_SQL_LIT_FALSE: g_string_append(out, "FALSE"); break;
  case TSR_SQL_LIT_INTEGER: case TSR_SQL_LIT_DECIMAL: case TSR_SQL_LIT_FLOAT:
    g_string_append_len(out, lit->text, (gssize)lit->len);
    break;
  case TSR_SQL_LIT_STRING:
    if (lit->national) g_string_append_c(out, 'N');
    tsr_sql_print_string(out, lit->text, lit->len, pr->opts);
    break;
  case TSR_SQL_LIT_HEX: case TSR_SQL_LIT_BIT: {
    gboolean hex = lit->kind == TSR_SQL_LIT_HEX;
    g_string_append(out, lit->quoted ? (hex ? "X'" : "b'") : (hex ? "0x" : "0b"));
    g_string_append_len(out, lit->text, (gssize)lit->len);
    if (lit->quoted) g_string_append_c(out, '\'');
    break;
  }
  case TSR_SQL_LIT_TEMPORAL:
    g_string_append(out, lit->temporal);
    g_string_append_c(out, ' ');
    tsr_sql_print_string(out, lit->text, lit->len, pr->opts);
    break;
  }
}

void tsr_sql_printer_scope(TsrSqlPrinter *pr, TsrSqlScope scope, gboolean upper) {
  static const char *const scopes[] = {"", "global", "session", "local", "persist", "persist_only"};
  for (const char *c = scopes[scope]; *c; c++) g_string_append_c(pr->out, upper ? g_ascii_toupper(*c) : *c);
}

/* @name, @`odd name`, @@scope.name, [SCOPE] name */
void tsr_sql_printer_variable(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  GString *out = pr->out;
  if (e->var.kind == TSR_SQL_VAR_USER) {
    gboolean plain = e->var.name[0] != '\0';
    for (const char *c = e->var.name; plain && *c; c++) plain = tsr_sql_ident_byte(*c);
    g_string_append_c(out, '@');
    if (plain) g_string_append(out, e->var.name);
    else quote_ident(out, e->var.name);
    return;
  }
  if (e->var.at_form) {
    g_string_append(out, "@@");
    if (e->var.scope != TSR_SQL_SCOPE_DEFAULT) {
      tsr_sql_printer_scope(pr, e->var.scope, FALSE);
      g_string_append_c(out, '.');
    }
    g_string_append(out, e->var.name); /* an unquoted word when parsed */
    return;
  }
  if (e->var.scope != TSR_SQL_SCOPE_DEFAULT) {
    tsr_sql_printer_scope(pr, e->var.scope, TRUE);
    g_string_append_c(out, ' ');
  }
  tsr_sql_print_ident(out, e->var.name);
}

static void unary(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  if (e->unary.op == TSR_SQL_OP_NOT || e->unary.op == TSR_SQL_OP_BINARY) {
    g_string_append(pr->out, e->unary.op == TSR_SQL_OP_NOT ? "NOT " : "BINARY ");
    AT(e->unary.arg, op_prec(e->unary.op));
    return;
  }
  g_string_append(pr->out, tsr_sql_op_text(e->unary.op));
  gsize start = pr->out->len;
  AT(e->unary.arg, TSR_SQLP_UNARY);
  /* "- -1" and "! !a" keep a blank: "--" could start a comment */
  if (start < pr->out->len && strchr("-!~", pr->out->str[start])) g_string_insert_c(pr->out, (gssize)start, ' ');
}

static void binary(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  int prec = op_prec(e->binary.op);
  gboolean right_assoc = e->binary.op == TSR_SQL_OP_ASSIGN;
  AT(e->binary.left, right_assoc ? prec + 1 : prec);
  g_string_append_c(pr->out, ' ');
  g_string_append(pr->out, tsr_sql_op_text(e->binary.op));
  g_string_append_c(pr->out, ' ');
  if (e->binary.quant != TSR_SQL_QUANT_NONE) g_string_append(pr->out, e->binary.quant == TSR_SQL_QUANT_ALL ? "ALL " : "ANY ");
  AT(e->binary.right, right_assoc ? prec : prec + 1);
}

static void logical(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  int prec = op_prec(e->logical.op);
  for (guint i = 0; i < e->logical.args.len; i++) {
    if (i > 0) {
      g_string_append_c(pr->out, ' ');
      g_string_append(pr->out, tsr_sql_op_text(e->logical.op));
      g_string_append_c(pr->out, ' ');
    }
    AT(e->logical.args.items[i], prec + 1);
  }
}

static void case_expr(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  g_string_append(pr->out, "CASE");
  if (e->case_.operand) {
    g_string_append_c(pr->out, ' ');
    FULL(e->case_.operand);
  }
  for (guint i = 0; i < e->case_.whens.len; i++) {
    const TsrSqlWhen *w = e->case_.whens.items[i];
    g_string_append(pr->out, " WHEN ");
    FULL(w->when);
    g_string_append(pr->out, " THEN ");
    FULL(w->then);
  }
  if (e->case_.else_result) {
    g_string_append(pr->out, " ELSE ");
    FULL(e->case_.else_result);
  }
  g_string_append(pr->out, " END");
}

static void not_word(TsrSqlPrinter *pr, gboolean negated) {
  if (negated) g_string_append(pr->out, " NOT");
}

static void predicate(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  static const char *const likes[] = {"LIKE", "REGEXP", "SOUNDS LIKE"};
  switch (e->kind) {
  case TSR_SQL_EXPR_BETWEEN:
    AT(e->between.arg, TSR_SQLP_BITOR);
    not_word(pr, e->between.negated);
    g_string_append(pr->out, " BETWEEN ");
    AT(e->between.low, TSR_SQLP_BITOR);
    g_string_append(pr->out, " AND ");
    AT(e->between.high, TSR_SQLP_BITOR);
    break;
  case TSR_SQL_EXPR_IN:
    AT(e->in.arg, TSR_SQLP_BITOR);
    not_word(pr, e->in.negated);
    g_string_append(pr->out, " IN (");
    if (e->in.subquery) tsr_sql_print_select(pr->out, e->in.subquery, pr->opts);
    else tsr_sql_printer_expr_list(pr, &e->in.list);
    g_string_append_c(pr->out, ')');
    break;
  default: /* LIKE */
    AT(e->like.arg, TSR_SQLP_BITOR);
    not_word(pr, e->like.negated);
    g_string_append_c(pr->out, ' ');
    g_string_append(pr->out, likes[e->like.kind]);
    g_string_append_c(pr->out, ' ');
    AT(e->like.pattern, TSR_SQLP_BITOR);
    if (e->like.escape) {
      g_string_append(pr->out, " ESCAPE ");
      AT(e->like.escape, TSR_SQLP_UNARY);
    }
    break;
  }
}

static void is_test(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  static const char *const whats[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
  AT(e->is.arg, TSR_SQLP_CMP);
  g_string_append(pr->out, e->is.negated ? " IS NOT " : " IS ");
  g_string_append(pr->out, whats[e->is.what]);
}

static void subquery(TsrSqlPrinter *pr, const char *word, const TsrSqlSelect *s) {
  g_string_append(pr->out, word);
  g_string_append_c(pr->out, '(');
  tsr_sql_print_select(pr->out, s, pr->opts);
  g_string_append_c(pr->out, ')');
}

static void match(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  g_string_append(pr->out, "MATCH (");
  tsr_sql_printer_expr_list(pr, &e->match.columns);
  g_string_append(pr->out, ") AGAINST (");
  AT(e->match.against, TSR_SQLP_BITOR);
  if (e->match.modifier) {
    g_string_append_c(pr->out, ' ');
    g_string_append(pr->out, e->match.modifier);
  }
  g_string_append_c(pr->out, ')');
}

static void column(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  if (e->col.schema) {
    tsr_sql_print_ident(pr->out, e->col.schema);
    g_string_append_c(pr->out, '.');
  }
  if (e->col.table) {
    tsr_sql_print_ident(pr->out, e->col.table);
    g_string_append_c(pr->out, '.');
  }
  if (e->kind == TSR_SQL_EXPR_STAR) g_string_append_c(pr->out, '*');
  else tsr_sql_print_ident(pr->out, e->col.column);
}

static void param(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  if (pr->opts->param && pr->opts->param(pr->out, e->param.index, pr->opts->param_data)) return;
  g_string_append_c(pr->out, '?');
}

/* ---- functions ---- */

static void func_args(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  const TsrSqlList *args = &e->func.args;
  switch (e->func.form) {
  case TSR_SQL_FUNC_CAST:
    FULL(args->items[0]);
    g_string_append(pr->out, " AS ");
    g_string_append(pr->out, e->func.type);
    return;
  case TSR_SQL_FUNC_CONVERT:
    FULL(args->items[0]);
    g_string_append(pr->out, ", ");
    g_string_append(pr->out, e->func.type);
    return;
  case TSR_SQL_FUNC_CONVERT_USING:
  case TSR_SQL_FUNC_CHAR_USING:
    tsr_sql_printer_expr_list(pr, args);
    g_string_append(pr->out, " USING ");
    tsr_sql_print_ident(pr->out, e->func.type);
    return;
  case TSR_SQL_FUNC_SUBSTRING_FROM:
    FULL(args->items[0]);
    g_string_append(pr->out, " FROM ");
    FULL(args->items[1]);
    if (args->len > 2) {
      g_string_append(pr->out, " FOR ");
      FULL(args->items[2]);
    }
    return;
  case TSR_SQL_FUNC_TRIM_FROM:
    if (e->func.type) g_string_append_printf(pr->out, "%s ", e->func.type);
    if (args->len > 1) {
      FULL(args->items[1]);
      g_string_append_c(pr->out, ' ');
    }
    g_string_append(pr->out, "FROM ");
    FULL(args->items[0]);
    return;
  case TSR_SQL_FUNC_EXTRACT:
    g_string_append_printf(pr->out, "%s FROM ", e->func.type);
    FULL(args->items[0]);
    return;
  case TSR_SQL_FUNC_POSITION:
    AT(args->items[0], TSR_SQLP_BITOR);
    g_string_append(pr->out, " IN ");
    FULL(args->items[1]);
    return;
  default:
    break;
  }
  if (e->func.star) g_string_append_c(pr->out, '*');
  if (e->func.distinct) g_string_append(pr->out, "DISTINCT ");
  tsr_sql_printer_expr_list(pr, args);
  if (e->func.order_by.len > 0) {
    g_string_append(pr->out, " ORDER BY ");
    tsr_sql_printer_order_list(pr, &e->func.order_by);
  }
  if (e->func.separator) {
    g_string_append(pr->out, " SEPARATOR ");
    FULL(e->func.separator);
  }
}

static void func(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  if (e->func.schema) {
    tsr_sql_print_ident(pr->out, e->func.schema);
    g_string_append_c(pr->out, '.');
  }
  print_func_name(pr->out, e->func.name);
  if (e->func.form == TSR_SQL_FUNC_NILADIC) return;
  g_string_append_c(pr->out, '(');
  func_args(pr, e);
  g_string_append_c(pr->out, ')');
}

static void expr(TsrSqlPrinter *pr, const TsrSqlExpr *e) {
  GString *out = pr->out;
  switch (e->kind) {
  case TSR_SQL_EXPR_LITERAL: literal(pr, &e->lit); break;
  case TSR_SQL_EXPR_COLUMN: case TSR_SQL_EXPR_STAR: column(pr, e); break;
  case TSR_SQL_EXPR_PARAM: param(pr, e); break;
  case TSR_SQL_EXPR_VARIABLE: tsr_sql_printer_variable(pr, e); break;
  case TSR_SQL_EXPR_UNARY: unary(pr, e); break;
  case TSR_SQL_EXPR_BINARY: binary(pr, e); break;
  case TSR_SQL_EXPR_LOGICAL: logical(pr, e); break;
  case TSR_SQL_EXPR_FUNC: func(pr, e); break;
  case TSR_SQL_EXPR_CASE: case_expr(pr, e); break;
  case TSR_SQL_EXPR_BETWEEN: case TSR_SQL_EXPR_IN: case TSR_SQL_EXPR_LIKE: predicate(pr, e); break;
  case TSR_SQL_EXPR_IS: is_test(pr, e); break;
  case TSR_SQL_EXPR_EXISTS: subquery(pr, "EXISTS ", e->subquery.select); break;
  case TSR_SQL_EXPR_SUBQUERY: subquery(pr, "", e->subquery.select); break;
  case TSR_SQL_EXPR_INTERVAL:
    g_string_append(out, "INTERVAL ");
    AT(e->interval.value, TSR_SQLP_PRIMARY);
    g_string_append_c(out, ' ');
    g_string_append(out, e->interval.unit);
    break;
  case TSR_SQL_EXPR_ROW:
    g_string_append(out, e->row.items.len == 1 ? "ROW(" : "(");
    tsr_sql_printer_expr_list(pr, &e->row.items);
    g_string_append_c(out, ')');
    break;
  case TSR_SQL_EXPR_COLLATE:
    AT(e->collate.arg, TSR_SQLP_COLLATE);
    g_string_append(out, " COLLATE ");
    tsr_sql_print_ident(out, e->collate.collation);
    break;
  case TSR_SQL_EXPR_DEFAULT: g_string_append(out, "DEFAULT"); break;
  case TSR_SQL_EXPR_KEYWORD: g_string_append(out, e->keyword.word); break;
  case TSR_SQL_EXPR_MATCH: match(pr, e); break;
  case TSR_SQL_EXPR_KIND_MAX: break;
  }
}

void tsr_sql_print_expr(GString *out, const TsrSqlExpr *e, const TsrSqlPrintOptions *opts) {
  TsrSqlPrinter pr = {out, tsr_sql_print_opts(opts)};
  tsr_sql_printer_expr_at(&pr, e, TSR_SQLP_ASSIGN);
}
