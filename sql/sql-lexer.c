/* sql-lexer.c: the lexer iterator and the unescaping of strings. */
#include <string.h>
#include "sql/sql-lexer.h"
#include "sql/sql-keywords.h"

enum {
  C_SPACE = 1 << 0, /* blank, tab, newline, CR, FF, VT */
  C_DIGIT = 1 << 1,
  C_IDENT = 1 << 2, /* may continue an unquoted identifier: [A-Za-z0-9_$] and bytes >= 0x80 */
  C_HEX = 1 << 3,
};

static guint8 char_class(guint8 c) {
  guint8 k = 0;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') k |= C_SPACE;
  if (c >= '0' && c <= '9') k |= C_DIGIT | C_HEX;
  if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) k |= C_HEX;
  if (g_ascii_isalnum(c) || c == '_' || c == '$' || c >= 0x80) k |= C_IDENT;
  return k;
}

static guint8 classes[256];

static void classes_ensure(void) {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    for (guint c = 0; c < 256; c++) classes[c] = char_class((guint8)c);
    g_once_init_leave(&done, 1);
  }
}

static inline gboolean at_class(const TsrSqlLexer *lx, gsize pos, guint8 cls) {
  return pos < lx->len && (classes[(guint8)lx->s[pos]] & cls) != 0;
}

static inline char at(const TsrSqlLexer *lx, gsize pos) {
  return pos < lx->len ? lx->s[pos] : '\0';
}

void tsr_sql_lexer_init(TsrSqlLexer *lx, const char *query, gsize len, guint flags) {
  classes_ensure();
  memset(lx, 0, sizeof(*lx));
  lx->s = query;
  lx->len = MIN(len, (gsize)G_MAXUINT32 - 1);
  lx->flags = flags;
  lx->prev_id = TSR_TK_UNKNOWN;
}

static void set_token(TsrSqlLexer *lx, TsrSqlToken *tok, TsrSqlTokenId id, gsize start, gsize end) {
  tok->id = id;
  tok->start = (guint32)start;
  tok->len = (guint32)(end - start);
  tok->text = lx->s + start;
  tok->text_len = tok->len;
  lx->pos = end;
}

/* Sets the text of a token to s[from..to). */
static void set_text(const TsrSqlLexer *lx, TsrSqlToken *tok, gsize from, gsize to) {
  tok->text = lx->s + from;
  tok->text_len = (guint32)(to - from);
}

/* A comment running to the end of the line; the text starts at text_from. */
static void lex_line_comment(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start, gsize text_from) {
  const char *nl = memchr(lx->s + text_from, '\n', lx->len - text_from);
  gsize end = nl ? (gsize)(nl - lx->s) : lx->len;
  gsize text_end = end;
  if (text_end > text_from && lx->s[text_end - 1] == '\r') text_end--;
  set_token(lx, tok, TSR_TK_COMMENT, start, nl ? end + 1 : end);
  set_text(lx, tok, text_from, text_end);
}

/* A block comment from start ("/" "*"); the text starts at text_from. */
static void lex_block_comment(TsrSqlLexer *lx, TsrSqlToken *tok, TsrSqlTokenId id, gsize start, gsize text_from) {
  gsize p = text_from;
  while (p + 1 < lx->len && !(lx->s[p] == '*' && lx->s[p + 1] == '/')) p++;
  if (p + 1 < lx->len) {
    set_token(lx, tok, id, start, p + 2);
    set_text(lx, tok, text_from, p);
  } else {
    set_token(lx, tok, id, start, lx->len);
    set_text(lx, tok, text_from, lx->len);
    tok->flags |= TSR_SQL_TOKEN_UNTERMINATED;
  }
}

/* A quoted string or identifier opened by s[start] == quote. */
static void lex_quoted(TsrSqlLexer *lx, TsrSqlToken *tok, TsrSqlTokenId id, gsize start, gsize open_len) {
  char quote = lx->s[start + open_len - 1];
  gboolean backslash = quote != '`' && !(lx->flags & TSR_SQL_LEX_NO_BACKSLASH_ESCAPES);
  gsize p = start + open_len;
  guint32 flags = TSR_SQL_TOKEN_QUOTED | (quote == '"' ? TSR_SQL_TOKEN_DQUOTE : 0);
  for (;;) {
    if (p >= lx->len) {
      set_token(lx, tok, id, start, lx->len);
      set_text(lx, tok, start + open_len, lx->len);
      tok->flags |= flags | TSR_SQL_TOKEN_UNTERMINATED;
      return;
    }
    char c = lx->s[p];
    if (c == '\\' && backslash) {
      flags |= TSR_SQL_TOKEN_BACKSLASH;
      p += 2;
      continue;
    }
    if (c == quote) {
      if (at(lx, p + 1) == quote) {
        flags |= TSR_SQL_TOKEN_DOUBLED;
        p += 2;
        continue;
      }
      set_token(lx, tok, id, start, p + 1);
      set_text(lx, tok, start + open_len, p);
      tok->flags |= flags;
      return;
    }
    p++;
  }
}

/* Scans identifier bytes from p; returns the end. */
static gsize scan_ident(const TsrSqlLexer *lx, gsize p) {
  while (at_class(lx, p, C_IDENT)) p++;
  return p;
}

/* A word s[start..end): a keyword, an identifier, or a function name when
 * '(' follows at once. */
static void finish_word(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start, gsize end) {
  TsrSqlTokenId id;
  if (at(lx, end) == '(') id = TSR_TK_FUNCTION;
  else id = tsr_sql_keyword_id(lx->s + start, end - start);
  set_token(lx, tok, id, start, end);
}

/* x'1F', X'1F', b'01', B'01': a string token flagged HEX or BIT. Only
 * digits of the base may stand between the quotes; otherwise the x or b
 * is a word of its own. */
static gboolean lex_prefixed_string(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  char c = g_ascii_tolower(lx->s[start]);
  if ((c != 'x' && c != 'b') || at(lx, start + 1) != '\'') return FALSE;
  gsize p = start + 2;
  while (c == 'x' ? at_class(lx, p, C_HEX) : (at(lx, p) == '0' || at(lx, p) == '1')) p++;
  if (at(lx, p) != '\'' || at(lx, p + 1) == '\'') return FALSE;
  set_token(lx, tok, TSR_TK_STRING, start, p + 1);
  set_text(lx, tok, start + 2, p);
  tok->flags |= TSR_SQL_TOKEN_QUOTED | (c == 'x' ? TSR_SQL_TOKEN_HEX : TSR_SQL_TOKEN_BIT);
  return TRUE;
}

/* Length of an exponent ([eE][+-]?digits) at p, 0 when there is none. */
static gsize exponent_len(const TsrSqlLexer *lx, gsize p) {
  char c = at(lx, p);
  if (c != 'e' && c != 'E') return 0;
  gsize q = p + 1;
  if (at(lx, q) == '+' || at(lx, q) == '-') q++;
  if (!at_class(lx, q, C_DIGIT)) return 0;
  while (at_class(lx, q, C_DIGIT)) q++;
  return q - p;
}

/* 0x1F and 0b01; FALSE when what follows the prefix is no such number. */
static gboolean lex_prefixed_number(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  char x = at(lx, start + 1);
  gboolean hex = x == 'x';
  if (lx->s[start] != '0' || (x != 'x' && x != 'b')) return FALSE;
  gsize p = start + 2;
  while (hex ? at_class(lx, p, C_HEX) : (at(lx, p) == '0' || at(lx, p) == '1')) p++;
  if (p == start + 2 || at_class(lx, p, C_IDENT)) return FALSE;
  set_token(lx, tok, TSR_TK_INTEGER, start, p);
  tok->flags |= hex ? TSR_SQL_TOKEN_HEX : TSR_SQL_TOKEN_BIT;
  return TRUE;
}

/* A number starting at a digit or at '.' followed by a digit. Digits
 * followed by identifier bytes are a word (1abc, 1e); after a decimal
 * point or an exponent they start the next token (1.5abc, 1e5x). */
static void lex_number(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  if (lex_prefixed_number(lx, tok, start)) return;
  gsize p = start;
  gboolean is_float = FALSE;
  while (at_class(lx, p, C_DIGIT)) p++;
  if (at(lx, p) == '.') {
    if (at_class(lx, p + 1, C_DIGIT)) {
      p++;
      while (at_class(lx, p, C_DIGIT)) p++;
      is_float = TRUE;
    } else if (p > start && (exponent_len(lx, p + 1) > 0 || !at_class(lx, p + 1, C_IDENT))) {
      p++; /* "1." and "1.e5" */
      is_float = TRUE;
    }
  }
  gsize e = exponent_len(lx, p);
  if (e > 0) {
    p += e;
    is_float = TRUE;
  }
  if (at_class(lx, p, C_IDENT) && !is_float) {
    finish_word(lx, tok, start, scan_ident(lx, p));
    return;
  }
  set_token(lx, tok, is_float ? TSR_TK_FLOAT : TSR_TK_INTEGER, start, p);
}

/* @name, @@name (0.8 lets '@' continue a variable name too). A lone '@'
 * before a quoted name is TK_LITERAL "@". */
static void lex_variable(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  gsize p = start + 1;
  while (at_class(lx, p, C_IDENT) || at(lx, p) == '@') p++;
  set_token(lx, tok, TSR_TK_LITERAL, start, p);
}

/* Operators of one to three bytes. */
static void lex_operator(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  char c = lx->s[start], n = at(lx, start + 1);
  TsrSqlTokenId id = TSR_TK_UNKNOWN;
  gsize len = 1;
  switch (c) {
  case '<':
    if (n == '=' && at(lx, start + 2) == '>') { id = TSR_TK_NULLSAFE_EQ; len = 3; }
    else if (n == '=') { id = TSR_TK_LE; len = 2; }
    else if (n == '>') { id = TSR_TK_NE; len = 2; }
    else if (n == '<') { id = TSR_TK_SHIFT_LEFT; len = 2; }
    else id = TSR_TK_LT;
    break;
  case '>':
    if (n == '=') { id = TSR_TK_GE; len = 2; }
    else if (n == '>') { id = TSR_TK_SHIFT_RIGHT; len = 2; }
    else id = TSR_TK_GT;
    break;
  case '!':
    if (n == '=') { id = TSR_TK_NE; len = 2; }
    else id = TSR_TK_NOT;
    break;
  case ':':
    if (n == '=') { id = TSR_TK_ASSIGN; len = 2; }
    break;
  case '|':
    if (n == '|') { id = TSR_TK_LOGICAL_OR; len = 2; }
    else id = TSR_TK_BITWISE_OR;
    break;
  case '&':
    if (n == '&') { id = TSR_TK_LOGICAL_AND; len = 2; }
    else id = TSR_TK_BITWISE_AND;
    break;
  case '=': id = TSR_TK_EQ; break;
  case '^': id = TSR_TK_BITWISE_XOR; break;
  case '~': id = TSR_TK_BITWISE_NOT; break;
  case '+': id = TSR_TK_PLUS; break;
  case '-': id = TSR_TK_MINUS; break;
  case '*': id = TSR_TK_STAR; break;
  case '/': id = TSR_TK_DIV; break;
  case '%': id = TSR_TK_MOD; break;
  case '(': id = TSR_TK_OBRACE; break;
  case ')': id = TSR_TK_CBRACE; break;
  case ',': id = TSR_TK_COMMA; break;
  case '.': id = TSR_TK_DOT; break;
  case ';': id = TSR_TK_SEMICOLON; break;
  case '?': id = TSR_TK_PLACEHOLDER; break;
  default: break;
  }
  set_token(lx, tok, id, start, start + len);
}

/* Length of an executable comment's opening ("/" "*!" and its version
 * digits, or MariaDB's "/" "*M!" form) at p, 0 when there is none. */
static gsize exec_comment_open_len(const TsrSqlLexer *lx, gsize p) {
  gsize q;
  if (at(lx, p + 2) == '!') q = p + 3;
  else if (at(lx, p + 2) == 'M' && at(lx, p + 3) == '!') q = p + 4;
  else return 0;
  for (guint i = 0; i < 6 && at_class(lx, q, C_DIGIT); i++) q++;
  return q - p;
}

/* Handles what starts with '-', '#', '/' or '*' when it is a comment (or,
 * when expanding, the end of an executable comment). Returns 1 when *tok
 * holds a comment token, 2 when something was skipped (lexing goes on), 0
 * when s[start] starts no comment. */
static int lex_comment(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  char c = lx->s[start], n = at(lx, start + 1);
  gboolean expand = (lx->flags & TSR_SQL_LEX_EXPAND_COMMENTS) != 0;
  if (c == '#' || (c == '-' && n == '-' && (start + 2 >= lx->len || (guint8)lx->s[start + 2] <= ' '))) {
    gsize text_from = start + (c == '#' ? 1 : 2);
    if (c == '-' && (at(lx, text_from) == ' ' || at(lx, text_from) == '\t')) text_from++;
    lex_line_comment(lx, tok, start, text_from);
    return expand ? 2 : 1;
  }
  if (c == '*' && n == '/' && lx->in_exec_comment) {
    lx->in_exec_comment = FALSE;
    lx->pos = start + 2;
    return 2;
  }
  if (c != '/' || n != '*') return 0;
  gsize open = exec_comment_open_len(lx, start);
  if (open > 0 && expand && !lx->in_exec_comment) {
    lx->in_exec_comment = TRUE;
    lx->pos = start + open;
    return 2;
  }
  if (at(lx, start + 2) == '!') lex_block_comment(lx, tok, TSR_TK_COMMENT_MYSQL, start, start + 3);
  else lex_block_comment(lx, tok, TSR_TK_COMMENT, start, start + 2);
  return expand ? 2 : 1;
}

static gboolean is_name_token_id(TsrSqlTokenId id) {
  return id == TSR_TK_LITERAL || TSR_TK_IS_KEYWORD(id);
}

/* TRUE when a name ends right at `start` (so a '.' there qualifies it). */
static gboolean name_before(const TsrSqlLexer *lx, gsize start) {
  return lx->prev_end == start && start > 0 && is_name_token_id(lx->prev_id);
}

static void lex_token(TsrSqlLexer *lx, TsrSqlToken *tok, gsize start) {
  char c = lx->s[start];
  gboolean ansi = (lx->flags & TSR_SQL_LEX_ANSI_QUOTES) != 0;
  if (c == '\'' || (c == '"' && !ansi)) lex_quoted(lx, tok, TSR_TK_STRING, start, 1);
  else if (c == '`' || c == '"') lex_quoted(lx, tok, TSR_TK_LITERAL, start, 1);
  else if (at_class(lx, start, C_DIGIT) && lx->after_ident_dot) finish_word(lx, tok, start, scan_ident(lx, start));
  else if (at_class(lx, start, C_DIGIT) || (c == '.' && at_class(lx, start + 1, C_DIGIT) && !name_before(lx, start)))
    lex_number(lx, tok, start);
  else if (c == '@') lex_variable(lx, tok, start);
  else if (at_class(lx, start, C_IDENT)) {
    if (!lex_prefixed_string(lx, tok, start)) finish_word(lx, tok, start, scan_ident(lx, start));
  } else lex_operator(lx, tok, start);
}

gboolean tsr_sql_lexer_next(TsrSqlLexer *lx, TsrSqlToken *tok) {
  for (;;) {
    gsize p = lx->pos;
    while (at_class(lx, p, C_SPACE)) p++;
    if (p >= lx->len) {
      lx->pos = p;
      return FALSE;
    }
    memset(tok, 0, sizeof(*tok));
    int comment = lex_comment(lx, tok, p);
    if (comment == 2) continue;
    if (comment == 0) lex_token(lx, tok, p);
    if (tok->start > lx->prev_end) tok->flags |= TSR_SQL_TOKEN_SPACE_BEFORE;
    lx->after_ident_dot = tok->id == TSR_TK_DOT && !(tok->flags & TSR_SQL_TOKEN_SPACE_BEFORE) &&
                          is_name_token_id(lx->prev_id);
    lx->prev_id = tok->id;
    lx->prev_end = tok->start + tok->len;
    return TRUE;
  }
}

gsize tsr_sql_unescape(const char *text, gsize len, char quote, guint flags, char *out) {
  gboolean backslash = quote != '`' && !(flags & TSR_SQL_LEX_NO_BACKSLASH_ESCAPES);
  gsize o = 0;
  for (gsize i = 0; i < len; i++) {
    char c = text[i];
    if (c == quote && i + 1 < len && text[i + 1] == quote) {
      out[o++] = quote;
      i++;
    } else if (c == '\\' && backslash && i + 1 < len) {
      char e = text[++i];
      switch (e) {
      case '0': out[o++] = '\0'; break;
      case 'b': out[o++] = '\b'; break;
      case 'n': out[o++] = '\n'; break;
      case 'r': out[o++] = '\r'; break;
      case 't': out[o++] = '\t'; break;
      case 'Z': out[o++] = '\032'; break;
      case '%': case '_': out[o++] = '\\'; out[o++] = e; break;
      default: out[o++] = e; break;
      }
    } else {
      out[o++] = c;
    }
  }
  return o;
}
