/* sql-printer-internal.h (internal to sql/): what the printer's files share. */
#ifndef TESSERA_SQL_PRINTER_INTERNAL_H
#define TESSERA_SQL_PRINTER_INTERNAL_H

#include "sql/sql-printer.h"

typedef struct {
  GString *out;
  const TsrSqlPrintOptions *opts; /* never NULL */
} TsrSqlPrinter;

/* TRUE for the bytes of unquoted identifiers: [A-Za-z0-9_$] and >= 0x80. */
static inline gboolean tsr_sql_ident_byte(char c) {
  return g_ascii_isalnum(c) || c == '_' || c == '$' || (guchar)c >= 0x80;
}

/* Appends a scope as a word: "GLOBAL" (upper) or "global" (lower). */
void tsr_sql_printer_scope(TsrSqlPrinter *pr, TsrSqlScope scope, gboolean upper);

/* opts, or the default options when opts is NULL. */
const TsrSqlPrintOptions *tsr_sql_print_opts(const TsrSqlPrintOptions *opts);
/* An expression, in parentheses when it binds looser than min_prec. */
void tsr_sql_printer_expr_at(TsrSqlPrinter *pr, const TsrSqlExpr *e, int min_prec);
/* Comma-separated expressions / ORDER BY items. */
void tsr_sql_printer_expr_list(TsrSqlPrinter *pr, const TsrSqlList *list);
void tsr_sql_printer_order_list(TsrSqlPrinter *pr, const TsrSqlList *list);
/* A variable as written in an expression or a SET item. */
void tsr_sql_printer_variable(TsrSqlPrinter *pr, const TsrSqlExpr *e);

#endif
