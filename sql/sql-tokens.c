/* sql-tokens.c: token lists (MySQL Proxy's tokenize, first_stmt_token and
 * bare_tokens). */
#include <string.h>
#include "sql/sql-lexer.h"

TsrSqlTokens *tsr_sql_tokens_new(void) {
  TsrSqlTokens *tokens = g_new0(TsrSqlTokens, 1);
  tokens->texts = g_string_new(NULL);
  return tokens;
}

void tsr_sql_tokens_free(TsrSqlTokens *tokens) {
  if (tokens == NULL) return;
  g_free(tokens->tokens);
  g_free(tokens->query);
  g_string_free(tokens->texts, TRUE);
  g_free(tokens);
}

static void copy_query(TsrSqlTokens *tokens, const char *query, gsize len) {
  if (tokens->query_cap < len + 1) {
    tokens->query_cap = MAX(len + 1, tokens->query_cap * 2);
    g_free(tokens->query);
    tokens->query = g_malloc(tokens->query_cap);
  }
  if (len > 0) memcpy(tokens->query, query, len);
  tokens->query[len] = '\0';
}

static TsrSqlToken *push_token(TsrSqlTokens *tokens) {
  if (tokens->len == tokens->cap) {
    tokens->cap = MAX(32u, tokens->cap * 2);
    tokens->tokens = g_renew(TsrSqlToken, tokens->tokens, tokens->cap);
  }
  return &tokens->tokens[tokens->len++];
}

/* Makes doubled quotes single in a quoted token's text, in tokens->texts;
 * the text keeps the offset into texts until fix_texts() runs. */
static void undouble_text(TsrSqlTokens *tokens, TsrSqlToken *tok) {
  char quote = tokens->query[tok->start];
  if (tok->flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT)) quote = '\'';
  gsize from = tokens->texts->len;
  for (guint32 i = 0; i < tok->text_len; i++) {
    char c = tok->text[i];
    g_string_append_c(tokens->texts, c);
    if (c == quote && i + 1 < tok->text_len && tok->text[i + 1] == quote) i++;
  }
  tok->text = GSIZE_TO_POINTER(from);
  tok->text_len = (guint32)(tokens->texts->len - from);
}

void tsr_sql_tokenize(TsrSqlTokens *tokens, const char *query, gsize len, guint flags) {
  TsrSqlLexer lx;
  TsrSqlToken tok;
  g_return_if_fail(tokens != NULL);
  flags &= ~(guint)TSR_SQL_LEX_EXPAND_COMMENTS;
  copy_query(tokens, query, len);
  tokens->len = 0;
  g_string_truncate(tokens->texts, 0);
  tsr_sql_lexer_init(&lx, tokens->query, len, flags);
  while (tsr_sql_lexer_next(&lx, &tok)) *push_token(tokens) = tok;
  /* Undouble after the loop: texts may move while it grows. */
  gboolean any = FALSE;
  for (guint i = 0; i < tokens->len; i++) {
    if (tokens->tokens[i].flags & TSR_SQL_TOKEN_DOUBLED) {
      undouble_text(tokens, &tokens->tokens[i]);
      any = TRUE;
    }
  }
  if (!any) return;
  for (guint i = 0; i < tokens->len; i++) {
    TsrSqlToken *t = &tokens->tokens[i];
    if (t->flags & TSR_SQL_TOKEN_DOUBLED) t->text = tokens->texts->str + GPOINTER_TO_SIZE(t->text);
  }
}

const TsrSqlToken *tsr_sql_tokens_first_stmt(const TsrSqlTokens *tokens) {
  for (guint i = 0; i < tokens->len; i++)
    if (tokens->tokens[i].id != TSR_TK_COMMENT) return &tokens->tokens[i];
  return NULL;
}

TsrSqlTokenId tsr_sql_first_stmt_token_id(const char *query, gsize len, guint flags, const char **word,
                                          gsize *word_len) {
  TsrSqlLexer lx;
  TsrSqlToken tok;
  tsr_sql_lexer_init(&lx, query, len, flags | TSR_SQL_LEX_EXPAND_COMMENTS);
  if (!tsr_sql_lexer_next(&lx, &tok)) return TSR_TK_UNKNOWN;
  if (word) *word = tok.text;
  if (word_len) *word_len = tok.text_len;
  /* "SELECT(1)" starts with the keyword, not a function name */
  if (tok.id == TSR_TK_FUNCTION) return tsr_sql_keyword_id(tok.text, tok.text_len);
  return tok.id;
}

GPtrArray *tsr_sql_tokens_bare(const TsrSqlTokens *tokens) {
  GPtrArray *out = g_ptr_array_sized_new(tokens->len);
  for (guint i = 0; i < tokens->len; i++)
    if (tokens->tokens[i].id != TSR_TK_COMMENT) g_ptr_array_add(out, &tokens->tokens[i]);
  return out;
}
