/* sql-lexer.h: a hand-written lexer for the SQL that MySQL and MariaDB
 * clients send, with MySQL Proxy 0.8's token ids (sql-token-ids.h).
 *
 * Two ways to use it:
 *  - TsrSqlLexer, an iterator that allocates nothing: every token's text
 *    points into the caller's query, which must outlive the tokens.
 *  - tsr_sql_tokenize(), which fills a reusable TsrSqlTokens list with every
 *    token (comments included) and texts as MySQL Proxy 0.8 gives them. The
 *    list owns a copy of the query; refilling a list reuses its buffers.
 *
 * A token's text:
 *  - TK_STRING: the bytes between the quotes, with doubled quotes ('' in
 *    '...') made single and backslash sequences kept as written (as 0.8 did);
 *    tsr_sql_unescape() gives the value MySQL sees. x'1F' and b'01' are
 *    TK_STRING with TSR_SQL_TOKEN_HEX / TSR_SQL_TOKEN_BIT and text "1F"/"01".
 *  - TK_LITERAL: an identifier, unquoted (`a``b` gives a`b); @user and
 *    @@system variables are TK_LITERAL with their @ (0.8 did the same), and
 *    @@global.x is "@@global", TK_DOT, "x".
 *  - TK_FUNCTION: a word directly followed by '(' (no blank between them, as
 *    in 0.8), even a keyword: "IN(" gives TK_FUNCTION "IN".
 *  - TK_COMMENT / TK_COMMENT_MYSQL: the comment without its markers (for
 *    the executable comment slash-star-bang "50001 a " star-slash the text
 *    is "50001 a "). `#` and `-- ` comments run to the end of the line (the
 *    newline is not part of the text). MariaDB's slash-star-M-bang comments
 *    are TK_COMMENT (0.8 knew nothing else).
 *  - TK_INTEGER: digits, or 0x1F (TSR_SQL_TOKEN_HEX), 0b01 (TSR_SQL_TOKEN_BIT).
 *  - TK_FLOAT: every other number: 1.5, .5, 1., 1e5, 1.5E-3.
 *  - anything else: the bytes as written.
 *
 * Input errors never stop the lexer: an unterminated string, identifier or
 * comment runs to the end of the query and carries
 * TSR_SQL_TOKEN_UNTERMINATED; a byte that starts no token is TK_UNKNOWN.
 * Queries must be shorter than 4 GiB (offsets are 32-bit); MySQL's own
 * limit (max_allowed_packet) is 1 GiB.
 *
 * Backslash handling assumes an ASCII-compatible character set in which the
 * byte 0x5C is always a backslash (utf8, latin1, ascii, binary): under GBK,
 * Big5 or SJIS a string may end where the lexer does not expect it. */
#ifndef TESSERA_SQL_LEXER_H
#define TESSERA_SQL_LEXER_H

#include <glib.h>
#include "sql/sql-token-ids.h"

/* Flags for the lexer (and the parser, which passes them on). */
typedef enum {
  TSR_SQL_LEX_NONE = 0,
  /* sql_mode NO_BACKSLASH_ESCAPES: a backslash in a string is an ordinary byte. */
  TSR_SQL_LEX_NO_BACKSLASH_ESCAPES = 1 << 0,
  /* sql_mode ANSI_QUOTES: "..." is an identifier (TK_LITERAL), not a string. */
  TSR_SQL_LEX_ANSI_QUOTES = 1 << 1,
  /* Give the contents of executable comments (slash-star-bang NNNNN ...
   * star-slash, and MariaDB's slash-star-M-bang form) as ordinary tokens, as
   * the server reads them, and skip other comments. Used by the parser. */
  TSR_SQL_LEX_EXPAND_COMMENTS = 1 << 2,
} TsrSqlLexFlags;

/* Flags of one token. */
typedef enum {
  TSR_SQL_TOKEN_QUOTED = 1 << 0,       /* '..', "..", `..` (text is the inside) */
  TSR_SQL_TOKEN_DOUBLED = 1 << 1,      /* the raw inside holds a doubled quote */
  TSR_SQL_TOKEN_BACKSLASH = 1 << 2,    /* the raw inside holds a backslash escape */
  TSR_SQL_TOKEN_UNTERMINATED = 1 << 3, /* string, identifier or comment not closed */
  TSR_SQL_TOKEN_HEX = 1 << 4,          /* 0x1F or x'1F' */
  TSR_SQL_TOKEN_BIT = 1 << 5,          /* 0b01 or b'01' */
  TSR_SQL_TOKEN_SPACE_BEFORE = 1 << 6, /* blank or comment between this and the previous token */
  TSR_SQL_TOKEN_DQUOTE = 1 << 7,       /* quoted with " (a string, or an ANSI_QUOTES identifier) */
} TsrSqlTokenFlags;

typedef struct {
  TsrSqlTokenId id;
  guint32 flags;      /* TsrSqlTokenFlags */
  guint32 start;      /* offset of the token's first byte in the query */
  guint32 len;        /* bytes the token spans in the query, quotes and markers included */
  const char *text;   /* see the header comment; not NUL-terminated */
  guint32 text_len;
} TsrSqlToken;

/* An iterator over a query's tokens. Fields are private. */
typedef struct {
  const char *s;
  gsize len;
  gsize pos;
  guint flags;
  gboolean in_exec_comment; /* inside an expanded executable comment */
  gboolean after_ident_dot; /* the previous tokens were `ident.` with no blank */
  TsrSqlTokenId prev_id;
  gsize prev_end;
} TsrSqlLexer;

/* Starts a lexer over query[0..len) with TsrSqlLexFlags `flags`. The lexer
 * reads the query in place; nothing is copied. */
void tsr_sql_lexer_init(TsrSqlLexer *lx, const char *query, gsize len, guint flags);

/* Reads the next token into *tok, whose text points into the query: for
 * quoted tokens the raw inside (doubled quotes and escapes as written, see
 * the flags). Returns FALSE at the end of the query. */
gboolean tsr_sql_lexer_next(TsrSqlLexer *lx, TsrSqlToken *tok);

/* A list of tokens filled by tsr_sql_tokenize(). Read its fields; change
 * them only through the functions below. */
typedef struct {
  TsrSqlToken *tokens; /* tokens[0..len) */
  guint len;
  /* private */
  guint cap;
  char *query;         /* the list's copy of the query */
  gsize query_cap;
  GString *texts;      /* texts that differ from the query's bytes */
} TsrSqlTokens;

/* Returns a new empty token list; free it with tsr_sql_tokens_free(). */
TsrSqlTokens *tsr_sql_tokens_new(void);
/* Frees the list and its texts. NULL is allowed. */
void tsr_sql_tokens_free(TsrSqlTokens *tokens);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrSqlTokens, tsr_sql_tokens_free)

/* Replaces the list's tokens by those of query[0..len), comments included,
 * with texts as described at the top. The list copies the query: the caller
 * keeps ownership of `query`. Never fails; reuses the list's buffers, so
 * tokenizing into the same list again allocates nothing once they are big
 * enough. */
void tsr_sql_tokenize(TsrSqlTokens *tokens, const char *query, gsize len, guint flags);

/* Returns the first token that is not a TK_COMMENT (MySQL Proxy's
 * first_stmt_token), or NULL when there is none. Borrowed from the list. */
const TsrSqlToken *tsr_sql_tokens_first_stmt(const TsrSqlTokens *tokens);

/* Returns the id of the first token of query[0..len) that is not a comment,
 * or TSR_TK_UNKNOWN for an empty query, without allocating anything.
 * Executable comments count as their contents ("/x!40101 SET ..." gives
 * TK_SQL_SET, x standing for the star), and a keyword right before '('
 * is the keyword, not TK_FUNCTION. A
 * statement word that is not in 0.8's keyword list (BEGIN, COMMIT, ...) is
 * TSR_TK_LITERAL; *word and *word_len (either may be NULL) then get its
 * text, pointing into the query. */
TsrSqlTokenId tsr_sql_first_stmt_token_id(const char *query, gsize len, guint flags,
                                          const char **word, gsize *word_len);

/* Returns the tokens of the list that are not TK_COMMENT, in order (MySQL
 * Proxy's bare_tokens). The array is new and owned by the caller; its
 * elements are borrowed from the list. */
GPtrArray *tsr_sql_tokens_bare(const TsrSqlTokens *tokens);

/* Returns the name of a token id ("TK_SQL_SELECT"), or "TK_UNKNOWN" for an
 * id out of range. Static storage. */
const char *tsr_sql_token_name(TsrSqlTokenId id);

/* Returns TSR_TK_SQL_<WORD> when word[0..len) is one of 0.8's keywords
 * (ASCII case does not matter), TSR_TK_LITERAL otherwise. */
TsrSqlTokenId tsr_sql_keyword_id(const char *word, gsize len);

/* Writes the value MySQL reads from the inside of a quoted string
 * text[0..len) (as a TsrSqlLexer token gives it, quotes excluded) to `out`,
 * which must hold len bytes, and returns the value's length. `quote` is the
 * quote character (' " or `): doubled quotes become one; backslash escapes
 * (\0 \' \" \b \n \r \t \Z \\; \% and \_ stay two bytes; \x is x) are
 * decoded unless flags has TSR_SQL_LEX_NO_BACKSLASH_ESCAPES or quote is `. */
gsize tsr_sql_unescape(const char *text, gsize len, char quote, guint flags, char *out);

/* Appends MySQL Proxy's normalized form of query[0..len) to `out`: comments
 * dropped, executable comments kept verbatim, strings and numbers (and `?`)
 * replaced by "?", keywords and operators upper-cased, identifiers in
 * backquotes except @variables and a leading BEGIN/COMMIT/ROLLBACK/START
 * TRANSACTION, every token followed by one space except function names.
 * "select * from t where id=1" gives "SELECT * FROM `t` WHERE `id` = ? ".
 * Allocates nothing besides what `out` needs to grow. */
void tsr_sql_normalize(GString *out, const char *query, gsize len, guint flags);

/* The same as tsr_sql_normalize() for an already tokenized list. */
void tsr_sql_normalize_tokens(GString *out, const TsrSqlTokens *tokens);

#endif
