/* sql-parser.h: a recursive-descent parser for the MySQL that applications
 * send, producing the trees of sql-ast.h.
 *
 * What is understood: SELECT (joins, derived tables, subqueries, GROUP BY
 * WITH ROLLUP, HAVING, ORDER BY, LIMIT, UNION, locking clauses), INSERT and
 * REPLACE (VALUES, SET, SELECT, ON DUPLICATE KEY UPDATE), UPDATE and DELETE
 * (one table or several), SET, USE, transactions, savepoints and XA in
 * full; SHOW and DDL as a kind, a verb, the tables where they are easy to
 * find, and the text; any other statement that starts with a word as
 * TSR_SQL_STMT_OTHER. Executable comments are read as the server reads them
 * (their contents are part of the statement); other comments are dropped.
 *
 * Not understood (an error of code TSR_SQL_ERROR_UNSUPPORTED): WITH
 * (common table expressions), window functions (OVER), SELECT ... INTO,
 * INTERSECT/EXCEPT, RETURNING, SET STATEMENT ... FOR, INSERT ... row
 * aliases, LATERAL, JSON_TABLE. Syntax errors (TSR_SQL_ERROR_SYNTAX) for
 * what MySQL accepts but this parser does not know: JSON operators
 * (-> ->>), ODBC {d '...'} escapes, a JOIN whose ON follows a second JOIN
 * (t1 JOIN t2 JOIN t3 ON a ON b), ((SELECT ...) UNION ...) as an expression,
 * compound statements (BEGIN ... END outside CREATE PROCEDURE and the like),
 * PIPES_AS_CONCAT and HIGH_NOT_PRECEDENCE (|| is OR, NOT is low).
 *
 * Statements of a script are split at semicolons outside parentheses,
 * strings and comments; empty statements are skipped. CREATE PROCEDURE,
 * FUNCTION, TRIGGER and EVENT take the rest of the script, as their body
 * holds semicolons. */
#ifndef TESSERA_SQL_PARSER_H
#define TESSERA_SQL_PARSER_H

#include <glib.h>
#include "sql/sql-ast.h"
#include "sql/sql-lexer.h"

#define TSR_SQL_ERROR (tsr_sql_error_quark())

typedef enum {
  TSR_SQL_ERROR_SYNTAX,      /* not MySQL: the message says where and what was expected */
  TSR_SQL_ERROR_UNSUPPORTED, /* MySQL that this parser does not understand */
  TSR_SQL_ERROR_TOO_DEEP,    /* nesting deeper than TSR_SQL_MAX_DEPTH */
  TSR_SQL_ERROR_EMPTY,       /* the query holds no statement */
} TsrSqlErrorCode;

/* How deep parentheses, subqueries and chains of binary operators (other
 * than AND, OR and XOR, which are flat lists) may nest: trees stay shallow
 * enough for the recursive printer and walker on any thread's stack. */
#define TSR_SQL_MAX_DEPTH 256

/* Returns the GQuark of the TSR_SQL_ERROR domain. */
GQuark tsr_sql_error_quark(void);

/* A parsed query: its statements and the arena that holds their trees. */
typedef struct {
  TsrSqlList stmts;   /* TsrSqlStmt *, in order */
  /* private */
  struct TsrSqlArena *arena;
  char *query;        /* the script's copy of the query */
  gsize len;
  guint flags;
} TsrSqlScript;

/* Parses query[0..len) with TsrSqlLexFlags `flags` (NO_BACKSLASH_ESCAPES,
 * ANSI_QUOTES). Returns a new script (free it with tsr_sql_script_free()),
 * or NULL with *error set (domain TSR_SQL_ERROR) whose message has the
 * form "line L, column C: what went wrong near 'text'"; *error_offset (may
 * be NULL) then gets the byte offset the message speaks of. The caller
 * keeps ownership of `query`. */
TsrSqlScript *tsr_sql_parse(const char *query, gsize len, guint flags, gsize *error_offset, GError **error);

/* Frees a script and every tree, list and string of it. NULL is allowed. */
void tsr_sql_script_free(TsrSqlScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrSqlScript, tsr_sql_script_free)

/* Returns statement i (borrowed), or NULL when there are fewer. */
TsrSqlStmt *tsr_sql_script_stmt(const TsrSqlScript *script, guint i);

/* Returns the script's arena, for building nodes that go into its trees. */
struct TsrSqlArena *tsr_sql_script_arena(TsrSqlScript *script);

#endif
