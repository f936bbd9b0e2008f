/* sql-normalize.c: MySQL Proxy's normalized query form, used to count
 * queries by pattern. The rules and the output match 0.8's
 * proxy.tokenizer.normalize() token by token. */
#include <string.h>
#include "sql/sql-lexer.h"

typedef struct {
  GString *out;
  guint emitted;       /* tokens written so far */
  gboolean first_start; /* the first token written was START */
} Normalizer;

/* Appends bytes without GString's per-call checks beyond growing. */
static inline void put(GString *out, const char *text, gsize len) {
  if (G_UNLIKELY(out->len + len + 1 > out->allocated_len)) {
    gsize keep = out->len;
    g_string_set_size(out, keep + len + 64);
    out->len = keep;
  }
  memcpy(out->str + out->len, text, len);
  out->len += len;
  out->str[out->len] = '\0';
}

#define PUT_LITERAL(out, s) put((out), (s), sizeof(s) - 1)

static void append_upper(GString *out, const char *text, gsize len) {
  gsize from = out->len;
  put(out, text, len);
  for (char *c = out->str + from; c < out->str + out->len; c++)
    if (*c >= 'a' && *c <= 'z') *c -= 'a' - 'A';
}

static gboolean word_is(const TsrSqlToken *tok, const char *word) {
  gsize n = strlen(word);
  return tok->text_len == n && g_ascii_strncasecmp(tok->text, word, n) == 0;
}

/* `doubled`: the text is a backquoted identifier's raw inside, whose
 * backquotes are still doubled. */
static void append_ident(GString *out, const TsrSqlToken *tok, gboolean doubled) {
  PUT_LITERAL(out, "`");
  if (doubled || memchr(tok->text, '`', tok->text_len) == NULL) {
    put(out, tok->text, tok->text_len);
  } else {
    for (guint32 i = 0; i < tok->text_len; i++) {
      if (tok->text[i] == '`') g_string_append_c(out, '`');
      g_string_append_c(out, tok->text[i]);
    }
  }
  PUT_LITERAL(out, "` ");
}

static void emit_literal(Normalizer *n, const TsrSqlToken *tok, gboolean doubled) {
  gboolean statement_word = FALSE;
  if (tok->text_len > 0 && tok->text[0] == '@') {
    put(n->out, tok->text, tok->text_len);
    PUT_LITERAL(n->out, " ");
    return;
  }
  if (n->emitted == 0)
    statement_word = word_is(tok, "COMMIT") || word_is(tok, "ROLLBACK") || word_is(tok, "BEGIN") || word_is(tok, "START");
  else if (n->emitted == 1)
    statement_word = n->first_start && word_is(tok, "TRANSACTION");
  if (n->emitted == 0) n->first_start = word_is(tok, "START");
  if (statement_word) {
    append_upper(n->out, tok->text, tok->text_len);
    PUT_LITERAL(n->out, " ");
  } else {
    append_ident(n->out, tok, doubled);
  }
}

/* Writes one token; `doubled` as for append_ident(). */
static void emit(Normalizer *n, const TsrSqlToken *tok, gboolean doubled) {
  switch (tok->id) {
  case TSR_TK_COMMENT:
    return;
  case TSR_TK_COMMENT_MYSQL:
    PUT_LITERAL(n->out, "/*!");
    put(n->out, tok->text, tok->text_len);
    PUT_LITERAL(n->out, "*/ ");
    break;
  case TSR_TK_LITERAL:
    emit_literal(n, tok, doubled);
    break;
  case TSR_TK_STRING:
  case TSR_TK_INTEGER:
  case TSR_TK_FLOAT:
  case TSR_TK_PLACEHOLDER:
    PUT_LITERAL(n->out, "? ");
    break;
  case TSR_TK_FUNCTION:
    append_upper(n->out, tok->text, tok->text_len);
    break;
  default:
    append_upper(n->out, tok->text, tok->text_len);
    PUT_LITERAL(n->out, " ");
    break;
  }
  if (n->emitted == 0 && tok->id != TSR_TK_LITERAL) n->first_start = FALSE;
  n->emitted++;
}

void tsr_sql_normalize(GString *out, const char *query, gsize len, guint flags) {
  Normalizer n = {out, 0, FALSE};
  TsrSqlLexer lx;
  TsrSqlToken tok;
  flags &= ~(guint)TSR_SQL_LEX_EXPAND_COMMENTS;
  tsr_sql_lexer_init(&lx, query, len, flags);
  while (tsr_sql_lexer_next(&lx, &tok))
    emit(&n, &tok, (tok.flags & TSR_SQL_TOKEN_QUOTED) && query[tok.start] == '`');
}

void tsr_sql_normalize_tokens(GString *out, const TsrSqlTokens *tokens) {
  Normalizer n = {out, 0, FALSE};
  for (guint i = 0; i < tokens->len; i++) emit(&n, &tokens->tokens[i], FALSE);
}
