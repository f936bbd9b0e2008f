/* sql-printer.h: trees back to SQL text, and a structural dump.
 *
 * The printer writes SQL that MySQL and MariaDB read with the meaning the
 * tree has: keywords in upper case, identifiers in backquotes where they
 * need them, strings re-escaped, parentheses where precedence asks for
 * them, comments gone. Parsing printed text gives the same tree again
 * (tsr_sql_dump_stmt() of both is equal). SHOW, DDL and OTHER statements
 * print as their TsrSqlRaw.body, with the table names of TsrSqlRaw.tables
 * written anew (so that renamed tables show). */
#ifndef TESSERA_SQL_PRINTER_H
#define TESSERA_SQL_PRINTER_H

#include <glib.h>
#include "sql/sql-ast.h"

/* Writes the value of placeholder `index` to `out` (as SQL: a quoted
 * string, a number, NULL); returns FALSE to have "?" printed instead. */
typedef gboolean (*TsrSqlParamPrinter)(GString *out, guint index, gpointer user_data);

typedef struct {
  guint flags;                   /* TsrSqlLexFlags: NO_BACKSLASH_ESCAPES changes string escaping */
  TsrSqlParamPrinter param;      /* or NULL: placeholders print as ? */
  gpointer param_data;
  gboolean all_parens;           /* every operator expression in parentheses (to
                                  * check the precedence model against a server) */
} TsrSqlPrintOptions;

/* Appends the SQL of a statement (without ';') to `out`. opts may be NULL.
 * With TSR_SQL_LEX_NO_BACKSLASH_ESCAPES a string's NUL bytes are written as
 * they are: use out->len, not strlen(). */
void tsr_sql_print_stmt(GString *out, const TsrSqlStmt *stmt, const TsrSqlPrintOptions *opts);
/* Returns the SQL of a statement as a new string (g_free). opts may be NULL.
 * See tsr_sql_print_stmt() about NUL bytes. */
char *tsr_sql_stmt_to_sql(const TsrSqlStmt *stmt, const TsrSqlPrintOptions *opts);
/* Appends the SQL of a query / an expression / a table reference. */
void tsr_sql_print_select(GString *out, const TsrSqlSelect *select, const TsrSqlPrintOptions *opts);
void tsr_sql_print_expr(GString *out, const TsrSqlExpr *expr, const TsrSqlPrintOptions *opts);
void tsr_sql_print_table_ref(GString *out, const TsrSqlTableRef *ref, const TsrSqlPrintOptions *opts);
/* Appends an identifier, in backquotes when it needs them. */
void tsr_sql_print_ident(GString *out, const char *name);
/* Appends a string literal: quoted, escaped by opts->flags. */
void tsr_sql_print_string(GString *out, const char *value, gsize len, const TsrSqlPrintOptions *opts);

/* Returns a one-line S-expression of a statement / an expression that shows
 * every field that matters for its meaning and none of its positions
 * (g_free). Two trees mean the same when their dumps are equal. */
char *tsr_sql_dump_stmt(const TsrSqlStmt *stmt);
char *tsr_sql_dump_expr(const TsrSqlExpr *expr);

#endif
