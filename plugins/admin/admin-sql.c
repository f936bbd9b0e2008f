/* admin-sql.c: a tokenizer and a parser for the admin endpoint's few
 * statements (see admin-sql.h). */
#include <string.h>

#include "admin-sql.h"

G_DEFINE_QUARK(tsr-admin-sql-error-quark, tsr_admin_sql_error)

/* Bytes of the statement quoted in an error message. */
#define NEAR_MAX 40

typedef enum {
  TOK_END,
  TOK_WORD,      /* keyword or unquoted name */
  TOK_NAME,      /* `quoted name` */
  TOK_STRING,    /* 'text' or "text" */
  TOK_NUMBER,
  TOK_VARIABLE,  /* @@name (text without the @@) */
  TOK_PUNCT,     /* one of * , = ( ) ; */
} TokKind;

typedef struct {
  TokKind kind;
  char *text;    /* decoded: unquoted, unescaped */
  gsize start;   /* offsets into the statement */
  gsize end;
} Token;

typedef struct {
  const char *sql;
  gsize len;
  GArray *tokens;  /* of Token, ending with TOK_END */
  guint pos;       /* the next token */
} Parser;

/* ---- errors ---- */

/* Sets a syntax error quoting the statement from offset `at`. */
static void syntax_error(const Parser *p, gsize at, const char *what, GError **error) {
  gsize n = MIN(p->len - MIN(at, p->len), NEAR_MAX);
  g_autofree char *near = g_utf8_make_valid(p->sql + MIN(at, p->len), (gssize)n);
  g_set_error(error, TSR_ADMIN_SQL_ERROR, TSR_ADMIN_SQL_ERROR_SYNTAX, "tessera admin: %s (near '%s%s'); %s", what,
              near, p->len - at > NEAR_MAX ? "..." : "", TSR_ADMIN_SQL_HELP);
}

/* ---- tokenizer ---- */

static gboolean is_word_char(char c) {
  return g_ascii_isalnum(c) || c == '_' || c == '$';
}

/* Skips blanks and comments (-- , #, C style). */
static gsize skip_blanks(const char *s, gsize len, gsize i) {
  while (i < len) {
    if (g_ascii_isspace(s[i])) {
      i++;
    } else if (s[i] == '#' || (s[i] == '-' && i + 1 < len && s[i + 1] == '-' &&
                               (i + 2 == len || g_ascii_isspace(s[i + 2]) || g_ascii_iscntrl(s[i + 2])))) {
      while (i < len && s[i] != '\n') i++;
    } else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
      const char *close = g_strstr_len(s + i + 2, (gssize)(len - i - 2), "*/");
      i = close ? (gsize)(close - s) + 2 : len;
    } else {
      break;
    }
  }
  return i;
}

/* Reads a quoted string or name starting at s[i] (the quote); doubled
 * quotes stand for one, and in strings backslash escapes one character.
 * Returns the offset after the closing quote, or 0 when unterminated. */
static gsize read_quoted(const char *s, gsize len, gsize i, gboolean backslash, GString *out) {
  char quote = s[i++];
  while (i < len) {
    char c = s[i++];
    if (c == quote) {
      if (i < len && s[i] == quote) {
        g_string_append_c(out, quote);
        i++;
        continue;
      }
      return i;
    }
    if (c == '\\' && backslash && i < len) {
      c = s[i++];
      switch (c) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case '0': c = '\0'; break;
      default: break;
      }
    }
    g_string_append_c(out, c);
  }
  return 0;
}

/* Reads one token at s[i] (not a blank) into *t. Returns FALSE on a byte
 * that starts no token or an unterminated quote. */
static gboolean read_token(const char *s, gsize len, gsize i, Token *t) {
  GString *text = g_string_new(NULL);
  gsize j = i;
  char c = s[i];

  t->start = i;
  if (g_ascii_isalpha(c) || c == '_' || c == '$') {
    t->kind = TOK_WORD;
    while (j < len && is_word_char(s[j])) j++;
    g_string_append_len(text, s + i, (gssize)(j - i));
  } else if (g_ascii_isdigit(c)) {
    t->kind = TOK_NUMBER;
    while (j < len && (g_ascii_isdigit(s[j]) || s[j] == '.')) j++;
    g_string_append_len(text, s + i, (gssize)(j - i));
  } else if (c == '`' || c == '\'' || c == '"') {
    t->kind = c == '`' ? TOK_NAME : TOK_STRING;
    j = read_quoted(s, len, i, c != '`', text);
  } else if (c == '@' && i + 2 < len && s[i + 1] == '@' && is_word_char(s[i + 2])) {
    t->kind = TOK_VARIABLE;
    j = i + 2;
    while (j < len && (is_word_char(s[j]) || s[j] == '.')) j++;
    g_string_append_len(text, s + i + 2, (gssize)(j - i - 2));
  } else if (strchr("*,=();", c) && c != '\0') {
    t->kind = TOK_PUNCT;
    j = i + 1;
    g_string_append_c(text, c);
  } else {
    j = 0;
  }
  t->end = j;
  t->text = g_string_free(text, FALSE);
  if (j == 0) {
    g_free(t->text);
    return FALSE;
  }
  return TRUE;
}

static void token_clear(gpointer p) {
  g_free(((Token *)p)->text);
}

/* Splits p->sql into p->tokens. Returns FALSE with *error set. */
static gboolean tokenize(Parser *p, GError **error) {
  gsize i = 0;
  p->tokens = g_array_new(FALSE, TRUE, sizeof(Token));
  g_array_set_clear_func(p->tokens, token_clear);
  for (;;) {
    Token t = {0};
    i = skip_blanks(p->sql, p->len, i);
    if (i >= p->len) break;
    if (!read_token(p->sql, p->len, i, &t)) {
      syntax_error(p, i, p->sql[i] == '\'' || p->sql[i] == '"' || p->sql[i] == '`' ? "unterminated quote"
                                                                                     : "unexpected character",
                   error);
      return FALSE;
    }
    g_array_append_val(p->tokens, t);
    i = t.end;
  }
  {
    Token end = {.kind = TOK_END, .text = g_strdup(""), .start = p->len, .end = p->len};
    g_array_append_val(p->tokens, end);
  }
  return TRUE;
}

/* ---- parser ---- */

static const Token *peek(const Parser *p) {
  return &g_array_index(p->tokens, Token, p->pos);
}

/* Returns the next token and moves past it (never past TOK_END). */
static const Token *next(Parser *p) {
  const Token *t = peek(p);
  if (t->kind != TOK_END) p->pos++;
  return t;
}

static gboolean is_keyword(const Token *t, const char *keyword) {
  return t->kind == TOK_WORD && g_ascii_strcasecmp(t->text, keyword) == 0;
}

static gboolean is_punct(const Token *t, char c) {
  return t->kind == TOK_PUNCT && t->text[0] == c;
}

/* Takes the next token when it is the keyword. */
static gboolean accept_keyword(Parser *p, const char *keyword) {
  if (!is_keyword(peek(p), keyword)) return FALSE;
  next(p);
  return TRUE;
}

static gboolean accept_punct(Parser *p, char c) {
  if (!is_punct(peek(p), c)) return FALSE;
  next(p);
  return TRUE;
}

/* The statement must end here, after at most one ';'. */
static gboolean expect_end(Parser *p, GError **error) {
  accept_punct(p, ';');
  if (peek(p)->kind == TOK_END) return TRUE;
  syntax_error(p, peek(p)->start, "unexpected words", error);
  return FALSE;
}

/* Reads a table or column name (unquoted word or `quoted`). */
static char *take_name(Parser *p, const char *what, GError **error) {
  const Token *t = peek(p);
  if (t->kind == TOK_WORD || (t->kind == TOK_NAME && t->text[0])) return g_strdup(next(p)->text);
  syntax_error(p, t->start, what, error);
  return NULL;
}

/* [LIMIT n] */
static gboolean parse_limit(Parser *p, guint64 *limit, GError **error) {
  const Token *t;
  *limit = TSR_ADMIN_NO_LIMIT;
  if (!accept_keyword(p, "LIMIT")) return TRUE;
  t = peek(p);
  if (t->kind != TOK_NUMBER || !g_ascii_string_to_unsigned(t->text, 10, 0, G_MAXUINT64 - 1, limit, NULL)) {
    syntax_error(p, t->start, "a row count expected after LIMIT", error);
    return FALSE;
  }
  next(p);
  return TRUE;
}

/* WHERE <column> = <value> */
static gboolean parse_where(Parser *p, TsrAdminStmt *stmt, GError **error) {
  const Token *t;
  if (!accept_keyword(p, "WHERE")) return TRUE;
  stmt->where_column = take_name(p, "a column name expected after WHERE", error);
  if (!stmt->where_column) return FALSE;
  if (!accept_punct(p, '=')) {
    syntax_error(p, peek(p)->start, "only <column> = <value> is understood in WHERE", error);
    return FALSE;
  }
  t = peek(p);
  if (t->kind == TOK_STRING || t->kind == TOK_NUMBER) {
    stmt->where_value = g_strdup(t->text);
    stmt->where_numeric = t->kind == TOK_NUMBER;
  } else if (!is_keyword(t, "NULL")) {
    syntax_error(p, t->start, "a quoted string, a number or NULL expected after =", error);
    return FALSE;
  }
  next(p);
  return TRUE;
}

/* SELECT * FROM ... (the '*' is taken) */
static gboolean parse_select_table(Parser *p, TsrAdminStmt *stmt, GError **error) {
  stmt->kind = TSR_ADMIN_STMT_SELECT_TABLE;
  if (!accept_keyword(p, "FROM")) {
    syntax_error(p, peek(p)->start, "FROM expected after SELECT *", error);
    return FALSE;
  }
  stmt->table = take_name(p, "a table name expected after FROM", error);
  return stmt->table && parse_where(p, stmt, error) && parse_limit(p, &stmt->limit, error) && expect_end(p, error);
}

typedef struct {
  const char *name;
  TsrAdminExpr expr;
} NamedExpr;

static const NamedExpr variables[] = {
  {"version_comment", TSR_ADMIN_EXPR_VERSION_COMMENT},
  {"version", TSR_ADMIN_EXPR_VERSION},
  {"character_set_client", TSR_ADMIN_EXPR_CHARSET},
  {"character_set_connection", TSR_ADMIN_EXPR_CHARSET},
  {"character_set_results", TSR_ADMIN_EXPR_CHARSET},
  {"character_set_server", TSR_ADMIN_EXPR_CHARSET},
  {"character_set_database", TSR_ADMIN_EXPR_CHARSET},
  {"collation_connection", TSR_ADMIN_EXPR_COLLATION},
};

static const NamedExpr functions[] = {
  {"version", TSR_ADMIN_EXPR_VERSION},
  {"database", TSR_ADMIN_EXPR_DATABASE},
  {"schema", TSR_ADMIN_EXPR_DATABASE},
  {"user", TSR_ADMIN_EXPR_USER},
  {"current_user", TSR_ADMIN_EXPR_USER},
  {"session_user", TSR_ADMIN_EXPR_USER},
  {"system_user", TSR_ADMIN_EXPR_USER},
  {"connection_id", TSR_ADMIN_EXPR_CONNECTION_ID},
};

static gboolean lookup(const NamedExpr *table, gsize n, const char *name, TsrAdminExpr *expr) {
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp(table[i].name, name) == 0) {
      *expr = table[i].expr;
      return TRUE;
    }
  return FALSE;
}

/* @@[session.|global.|local.]name */
static gboolean parse_variable(Parser *p, TsrAdminExpr *expr, GError **error) {
  const Token *t = next(p);
  const char *name = t->text;
  const char *dot = strchr(name, '.');
  if (dot && ((dot - name == 7 && g_ascii_strncasecmp(name, "session", 7) == 0) ||
              (dot - name == 6 && g_ascii_strncasecmp(name, "global", 6) == 0) ||
              (dot - name == 5 && g_ascii_strncasecmp(name, "local", 5) == 0)))
    name = dot + 1;
  if (lookup(variables, G_N_ELEMENTS(variables), name, expr)) return TRUE;
  syntax_error(p, t->start, "unknown variable", error);
  return FALSE;
}

/* name() */
static gboolean parse_function(Parser *p, TsrAdminExpr *expr, GError **error) {
  const Token *t = next(p);
  if (lookup(functions, G_N_ELEMENTS(functions), t->text, expr) && accept_punct(p, '(') && accept_punct(p, ')'))
    return TRUE;
  syntax_error(p, t->start, "unknown expression", error);
  return FALSE;
}

/* One select item: the expression and [[AS] alias]. */
static gboolean parse_item(Parser *p, TsrAdminSelectItem *item, GError **error) {
  gsize start = peek(p)->start;
  const Token *t = peek(p);
  gboolean ok;

  if (t->kind == TOK_VARIABLE)
    ok = parse_variable(p, &item->expr, error);
  else if (t->kind == TOK_WORD)
    ok = parse_function(p, &item->expr, error);
  else {
    syntax_error(p, t->start, "unknown expression", error);
    ok = FALSE;
  }
  if (!ok) return FALSE;
  item->name = g_strndup(p->sql + start, g_array_index(p->tokens, Token, p->pos - 1).end - start);
  t = peek(p);
  if (accept_keyword(p, "AS") || (t->kind == TOK_WORD && !is_keyword(t, "LIMIT") && !is_keyword(t, "FROM")) ||
      t->kind == TOK_NAME || t->kind == TOK_STRING) {
    t = peek(p);
    if (t->kind != TOK_WORD && t->kind != TOK_NAME && t->kind != TOK_STRING) {
      syntax_error(p, t->start, "an alias expected after AS", error);
      return FALSE;
    }
    g_free(item->name);
    item->name = g_strdup(next(p)->text);
  }
  return TRUE;
}

static void item_clear(gpointer p) {
  g_free(((TsrAdminSelectItem *)p)->name);
}

/* SELECT item [, item]... [LIMIT n] */
static gboolean parse_select_exprs(Parser *p, TsrAdminStmt *stmt, GError **error) {
  stmt->kind = TSR_ADMIN_STMT_SELECT_EXPRS;
  stmt->items = g_array_new(FALSE, TRUE, sizeof(TsrAdminSelectItem));
  g_array_set_clear_func(stmt->items, item_clear);
  do {
    TsrAdminSelectItem item = {0};
    gboolean ok = parse_item(p, &item, error);
    g_array_append_val(stmt->items, item);
    if (!ok) return FALSE;
  } while (accept_punct(p, ','));
  if (is_keyword(peek(p), "FROM")) {
    syntax_error(p, peek(p)->start, "only SELECT * reads tables", error);
    return FALSE;
  }
  return parse_limit(p, &stmt->limit, error) && expect_end(p, error);
}

/* Parses the tokens into stmt. */
static gboolean parse_statement(Parser *p, TsrAdminStmt *stmt, GError **error) {
  if (peek(p)->kind == TOK_END || is_punct(peek(p), ';')) {
    accept_punct(p, ';');
    if (peek(p)->kind == TOK_END) {
      g_set_error(error, TSR_ADMIN_SQL_ERROR, TSR_ADMIN_SQL_ERROR_EMPTY, "Query was empty");
      return FALSE;
    }
  }
  if (accept_keyword(p, "SHOW")) {
    stmt->kind = TSR_ADMIN_STMT_SHOW_TABLES;
    if (accept_keyword(p, "TABLES")) return expect_end(p, error);
    syntax_error(p, peek(p)->start, "only SHOW TABLES is understood", error);
    return FALSE;
  }
  if (accept_keyword(p, "SELECT")) {
    if (accept_punct(p, '*')) return parse_select_table(p, stmt, error);
    return parse_select_exprs(p, stmt, error);
  }
  if (accept_keyword(p, "SET")) {
    stmt->kind = TSR_ADMIN_STMT_IGNORED;
    return TRUE;
  }
  if (accept_keyword(p, "COMMIT") || accept_keyword(p, "ROLLBACK")) {
    stmt->kind = TSR_ADMIN_STMT_IGNORED;
    accept_keyword(p, "WORK");
    return expect_end(p, error);
  }
  syntax_error(p, peek(p)->start, "cannot answer this statement", error);
  return FALSE;
}

TsrAdminStmt *tsr_admin_sql_parse(const char *sql, gsize len, GError **error) {
  Parser p = {.sql = sql, .len = len};
  TsrAdminStmt *stmt = g_new0(TsrAdminStmt, 1);
  gboolean ok;

  stmt->limit = TSR_ADMIN_NO_LIMIT;
  ok = tokenize(&p, error) && parse_statement(&p, stmt, error);
  g_array_unref(p.tokens);
  if (!ok) g_clear_pointer(&stmt, tsr_admin_stmt_free);
  return stmt;
}

void tsr_admin_stmt_free(TsrAdminStmt *stmt) {
  if (!stmt) return;
  g_free(stmt->table);
  g_free(stmt->where_column);
  g_free(stmt->where_value);
  if (stmt->items) g_array_unref(stmt->items);
  g_free(stmt);
}
