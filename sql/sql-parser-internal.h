/* sql-parser-internal.h (internal to sql/): the parser's state and the
 * helpers its files share.
 *
 * Conventions: a parse function returns the node it built, or NULL once an
 * error has been recorded (the first error wins; later ones are ignored).
 * Callers return NULL at once when a callee did. */
#ifndef TESSERA_SQL_PARSER_INTERNAL_H
#define TESSERA_SQL_PARSER_INTERNAL_H

#include "sql/sql-arena.h"
#include "sql/sql-ast.h"
#include "sql/sql-keywords.h"
#include "sql/sql-lexer.h"
#include "sql/sql-parser.h"

/* The id of the end-of-input token after the last real one. */
#define TSR_SQLP_EOF TSR_TK_LAST_TOKEN

typedef struct {
  TsrSqlToken t;
  guint code;        /* word code (sql-keywords.h) of an unquoted word, else 0 */
  gboolean word;     /* an unquoted word: TK_LITERAL, TK_FUNCTION or TK_SQL_* */
  gboolean reserved; /* a word MySQL reserves among 0.8's keywords */
} TsrSqlPTok;

typedef struct {
  TsrSqlArena *arena;
  const char *q;     /* the script's copy of the query */
  gsize len;
  guint flags;       /* TsrSqlLexFlags */
  TsrSqlPTok *toks;  /* toks[0..n) and the EOF token toks[n] */
  guint n;
  guint i;           /* the current token */
  guint depth;
  guint n_params;
  GError *error;
  gsize error_offset;
} TsrSqlParser;

/* precedence levels, lowest first */
enum {
  TSR_SQLP_ASSIGN = 1,
  TSR_SQLP_OR,
  TSR_SQLP_XOR,
  TSR_SQLP_AND,
  TSR_SQLP_NOT,
  TSR_SQLP_CMP,     /* comparisons, IS */
  TSR_SQLP_PRED,    /* IN, BETWEEN, LIKE, REGEXP */
  TSR_SQLP_BITOR,
  TSR_SQLP_BITAND,
  TSR_SQLP_SHIFT,
  TSR_SQLP_ADD,
  TSR_SQLP_MUL,
  TSR_SQLP_BITXOR,
  TSR_SQLP_UNARY,
  TSR_SQLP_COLLATE,
  TSR_SQLP_PRIMARY,
};

/* ---- sql-parser-util.c ---- */

/* The token `ahead` tokens after the current one (the EOF token past the end). */
const TsrSqlPTok *tsr_sqlp_peek(const TsrSqlParser *p, guint ahead);
/* The current token. */
#define TSR_SQLP_CUR(p) (&(p)->toks[(p)->i])
/* TRUE when the current token has token id `id`. */
gboolean tsr_sqlp_is(const TsrSqlParser *p, TsrSqlTokenId id);
/* TRUE when the token `ahead` tokens on is the unquoted word `code`. */
gboolean tsr_sqlp_is_kw_at(const TsrSqlParser *p, guint ahead, guint code);
#define tsr_sqlp_is_kw(p, code) tsr_sqlp_is_kw_at((p), 0, (code))
/* TRUE when the token `ahead` tokens on is the unquoted word `word`
 * (ASCII case ignored), for words without a word code. */
gboolean tsr_sqlp_is_word(const TsrSqlParser *p, guint ahead, const char *word);
/* Consumes the current token when it has id `id` / is the word `code`. */
gboolean tsr_sqlp_accept(TsrSqlParser *p, TsrSqlTokenId id);
gboolean tsr_sqlp_accept_kw(TsrSqlParser *p, guint code);
/* As accept, but records "expected <what>" when the token does not match. */
gboolean tsr_sqlp_expect(TsrSqlParser *p, TsrSqlTokenId id, const char *what);
gboolean tsr_sqlp_expect_kw(TsrSqlParser *p, guint code);
/* Records an error at the current token (unless one is recorded already). */
void tsr_sqlp_error(TsrSqlParser *p, TsrSqlErrorCode code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Records "expected <what>" at the current token. Returns NULL. */
gpointer tsr_sqlp_expected(TsrSqlParser *p, const char *what);
/* Enters one nesting level; FALSE (with an error) past TSR_SQL_MAX_DEPTH. */
gboolean tsr_sqlp_enter(TsrSqlParser *p);
/* Leaves a level entered with tsr_sqlp_enter(). */
void tsr_sqlp_leave(TsrSqlParser *p);

/* TRUE when the current token can be an identifier: a quoted identifier,
 * or a word that is not reserved (`any_word`: any word, as after a dot). */
gboolean tsr_sqlp_is_ident_at(const TsrSqlParser *p, guint ahead, gboolean any_word);
/* Consumes an identifier and returns its text (arena), or records
 * "expected <what>" and returns NULL. */
char *tsr_sqlp_ident(TsrSqlParser *p, const char *what);
/* Like tsr_sqlp_ident() but takes any word, reserved or not. */
char *tsr_sqlp_any_ident(TsrSqlParser *p, const char *what);
/* Consumes a name that may be written as an identifier or a string
 * (charsets, collations, aliases); returns its text (arena). */
char *tsr_sqlp_name_or_string(TsrSqlParser *p, const char *what);
/* The value of a string token (arena, NUL-terminated); *len gets its length. */
char *tsr_sqlp_string_value(TsrSqlParser *p, const TsrSqlPTok *tok, gsize *len);
/* Returns tokens [from, to) as written, separated by one blank where the
 * query had any (arena). */
char *tsr_sqlp_raw(TsrSqlParser *p, guint from, guint to);
/* Returns the upper-cased text of a token (arena). */
char *tsr_sqlp_upper(TsrSqlParser *p, const TsrSqlPTok *tok);
/* Appends an item to an arena list. */
void tsr_sqlp_push(TsrSqlParser *p, TsrSqlList *list, gpointer item);
/* Returns a new node of the kind at the current token's position. */
TsrSqlExpr *tsr_sqlp_expr_new(TsrSqlParser *p, TsrSqlExprKind kind, guint32 pos);

/* ---- sql-parser-expr.c ---- */

/* A full expression, := included. */
TsrSqlExpr *tsr_sqlp_expr(TsrSqlParser *p);
/* An expression whose operators bind at least as tight as `min_prec`. */
TsrSqlExpr *tsr_sqlp_binary(TsrSqlParser *p, int min_prec);
/* A comma-separated list of expressions into `list`. */
gboolean tsr_sqlp_expr_list(TsrSqlParser *p, TsrSqlList *list);
/* [[schema.]table.]column, t.*, schema.t.* or db.func(...). */
TsrSqlExpr *tsr_sqlp_name_expr(TsrSqlParser *p);
/* A possibly qualified column reference. */
TsrSqlExpr *tsr_sqlp_column(TsrSqlParser *p);
/* ORDER BY / GROUP BY items (after the BY). */
gboolean tsr_sqlp_order_list(TsrSqlParser *p, TsrSqlList *list);

/* ---- sql-parser-func.c ---- */

/* A call of the function named by the current token (followed by '('). */
TsrSqlExpr *tsr_sqlp_function(TsrSqlParser *p, const char *schema);
/* TRUE when the reserved word `code` may name a function called with '('. */
gboolean tsr_sqlp_reserved_function(guint code);
/* A niladic function (CURRENT_DATE, ...) when the current token is one. */
TsrSqlExpr *tsr_sqlp_niladic(TsrSqlParser *p);

/* ---- sql-parser-select.c ---- */

/* TRUE when a query starts at the current token (SELECT, or '(' ... SELECT). */
gboolean tsr_sqlp_query_ahead(const TsrSqlParser *p, guint ahead);
/* A query: SELECT blocks with UNION, ORDER BY, LIMIT and locking. */
TsrSqlSelect *tsr_sqlp_query(TsrSqlParser *p);
/* A comma-separated list of table references (joins included). */
gboolean tsr_sqlp_table_refs(TsrSqlParser *p, TsrSqlList *list);
/* A table name: [schema.]name. */
TsrSqlTableRef *tsr_sqlp_table_name(TsrSqlParser *p);
/* The same; with `no_schema`, only a name (the dot after it is left). */
TsrSqlTableRef *tsr_sqlp_table_name_only(TsrSqlParser *p, gboolean no_schema);
/* LIMIT clause after the LIMIT word; `offset_ok`: LIMIT o,n and OFFSET allowed. */
gboolean tsr_sqlp_limit(TsrSqlParser *p, TsrSqlLimit *limit, gboolean offset_ok);

/* ---- sql-parser-dml.c ---- */

TsrSqlInsert *tsr_sqlp_insert(TsrSqlParser *p);
TsrSqlUpdate *tsr_sqlp_update(TsrSqlParser *p);
TsrSqlDelete *tsr_sqlp_delete(TsrSqlParser *p);
/* col = value, ... into `list` (TsrSqlAssignment *). */
gboolean tsr_sqlp_assignments(TsrSqlParser *p, TsrSqlList *list);

/* ---- sql-parser-admin.c ---- */

/* SET, USE, transactions and XA into stmt; FALSE on error. The current
 * token is the statement's first. */
gboolean tsr_sqlp_set(TsrSqlParser *p, TsrSqlStmt *stmt);
gboolean tsr_sqlp_transaction(TsrSqlParser *p, TsrSqlStmt *stmt);
gboolean tsr_sqlp_xa(TsrSqlParser *p, TsrSqlStmt *stmt);

/* ---- sql-parser-raw.c ---- */

/* SHOW, DDL and other statements: kind, verb, tables; consumes up to the
 * statement's end. */
gboolean tsr_sqlp_raw_stmt(TsrSqlParser *p, TsrSqlStmt *stmt);

#endif
