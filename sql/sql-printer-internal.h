/* sql-printer-internal.h (internal to sql/): what the printer's files share. */
#ifndef TESSERA_SQL_PRINTER_INTERNAL_H
#define TESSERA_SQL_PRINTER_INTERNAL_H

#include "sql/sql-printer.h"

typedef struct {
  GString *out;
  const TsrSqlPrintOptions *opts; /* never NULL */
} TsrSqlPrinter;

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
