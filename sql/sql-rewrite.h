/* sql-rewrite.h: changes a router makes to a parsed statement before
 * printing it again: table names (t -> t_3) and LIMITs (pushing o+n down
 * to every shard). New nodes and strings come from the script's arena. */
#ifndef TESSERA_SQL_REWRITE_H
#define TESSERA_SQL_REWRITE_H

#include <glib.h>
#include "sql/sql-ast.h"
#include "sql/sql-parser.h"

/* Renames the table [schema.]name to [new_schema.]new_name everywhere in
 * `stmt` (which must belong to `script`): table references (aliases are
 * kept), DML targets, the tables of SHOW/DDL statements, and column
 * qualifiers that name the table (t.col, schema.t.col, t.*), unless some
 * table in the statement has the alias `name`, which then owns them.
 * `schema` NULL matches the name under any schema (or none); otherwise the
 * reference's schema must be `schema`. `new_schema` NULL keeps each
 * reference's schema. Names compare exactly (case matters, as for tables
 * on Linux). Returns the number of table references renamed. */
guint tsr_sql_rename_table(TsrSqlScript *script, TsrSqlStmt *stmt, const char *schema, const char *name,
                           const char *new_schema, const char *new_name);

/* Sets *limit to LIMIT [offset,] count with integer literals: offset <= 0
 * writes no offset; count < 0 removes the LIMIT. `limit` is a field of a
 * node of `script` (TsrSqlSelect.limit, TsrSqlUpdate.limit, ...). */
void tsr_sql_set_limit(TsrSqlScript *script, TsrSqlLimit *limit, gint64 offset, gint64 count);

/* Reads a LIMIT part that is an integer literal into *value; FALSE for a
 * placeholder or a missing part. */
gboolean tsr_sql_limit_value(const TsrSqlExpr *part, guint64 *value);

/* Returns a new integer literal node. */
TsrSqlExpr *tsr_sql_new_integer(TsrSqlScript *script, gint64 value);

#endif
