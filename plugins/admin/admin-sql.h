/* admin-sql.h: the few SQL statements the admin endpoint understands,
 * parsed from a COM_QUERY's text:
 *
 *   SHOW TABLES
 *   SELECT * FROM <table> [WHERE <column> = <value>] [LIMIT <n>]
 *   SELECT <expr> [[AS] <alias>] [, ...] [LIMIT <n>]
 *       <expr>: @@version_comment, @@version, @@character_set_client (and
 *               _connection, _results, _server, _database),
 *               @@collation_connection, VERSION(), DATABASE(), SCHEMA(),
 *               USER(), CURRENT_USER(), CONNECTION_ID()
 *   SET ..., COMMIT, ROLLBACK     (accepted and ignored: clients send them)
 *
 * Keywords, tables and columns are case-insensitive; names may be quoted
 * with backquotes; <value> is a quoted string, a number or NULL; comments
 * and one trailing ';' are allowed. */
#ifndef TESSERA_ADMIN_SQL_H
#define TESSERA_ADMIN_SQL_H

#include <glib.h>

#define TSR_ADMIN_SQL_ERROR (tsr_admin_sql_error_quark())

typedef enum {
  TSR_ADMIN_SQL_ERROR_EMPTY,    /* nothing but blanks and comments */
  TSR_ADMIN_SQL_ERROR_SYNTAX,   /* not one of the statements above */
} TsrAdminSqlErrorCode;

/* Returns the GQuark of the TSR_ADMIN_SQL_ERROR domain. */
GQuark tsr_admin_sql_error_quark(void);

typedef enum {
  TSR_ADMIN_STMT_SHOW_TABLES,
  TSR_ADMIN_STMT_SELECT_TABLE,  /* SELECT * FROM table [WHERE ...] */
  TSR_ADMIN_STMT_SELECT_EXPRS,  /* SELECT @@version_comment, ... */
  TSR_ADMIN_STMT_IGNORED,       /* SET, COMMIT, ROLLBACK: answered with OK */
} TsrAdminStmtKind;

typedef enum {
  TSR_ADMIN_EXPR_VERSION_COMMENT,
  TSR_ADMIN_EXPR_VERSION,
  TSR_ADMIN_EXPR_DATABASE,
  TSR_ADMIN_EXPR_USER,
  TSR_ADMIN_EXPR_CONNECTION_ID,
  TSR_ADMIN_EXPR_CHARSET,       /* the character set of everything: utf8mb4 */
  TSR_ADMIN_EXPR_COLLATION,     /* utf8mb4_general_ci */
} TsrAdminExpr;

typedef struct {
  TsrAdminExpr expr;
  char *name;                   /* the result column's name: the alias, else the text as written */
} TsrAdminSelectItem;

/* No LIMIT clause. */
#define TSR_ADMIN_NO_LIMIT G_MAXUINT64

typedef struct {
  TsrAdminStmtKind kind;
  char *table;                  /* SELECT_TABLE: the table as written, unquoted */
  char *where_column;           /* SELECT_TABLE: NULL without WHERE */
  char *where_value;            /* with where_column: the value's text, NULL for NULL */
  gboolean where_numeric;       /* the value was a number */
  GArray *items;                /* SELECT_EXPRS: of TsrAdminSelectItem */
  guint64 limit;                /* TSR_ADMIN_NO_LIMIT without LIMIT */
} TsrAdminStmt;

/* Parses sql[0..len) (not NUL-terminated, any bytes). Returns a new
 * statement (free with tsr_admin_stmt_free) or NULL with *error set
 * (TSR_ADMIN_SQL_ERROR) saying what was not understood. */
TsrAdminStmt *tsr_admin_sql_parse(const char *sql, gsize len, GError **error);

void tsr_admin_stmt_free(TsrAdminStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrAdminStmt, tsr_admin_stmt_free)

/* What the endpoint understands, for error messages (static). */
#define TSR_ADMIN_SQL_HELP                                                                                   \
  "the admin endpoint understands SHOW TABLES, SELECT * FROM <table> [WHERE <column> = <value>] [LIMIT <n>], " \
  "SELECT @@version_comment, SELECT VERSION(), SET, COMMIT and ROLLBACK: try SHOW TABLES"

#endif
