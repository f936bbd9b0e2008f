/* sql-parser-util.c: token cursor, errors and names for the parser. */
#include <string.h>
#include "sql/sql-parser-internal.h"

const TsrSqlPTok *tsr_sqlp_peek(const TsrSqlParser *p, guint ahead) {
  guint i = p->i + ahead;
  return &p->toks[MIN(i, p->n)];
}

gboolean tsr_sqlp_is(const TsrSqlParser *p, TsrSqlTokenId id) {
  return TSR_SQLP_CUR(p)->t.id == id;
}

gboolean tsr_sqlp_is_kw_at(const TsrSqlParser *p, guint ahead, guint code) {
  const TsrSqlPTok *t = tsr_sqlp_peek(p, ahead);
  return t->word && t->code == code;
}

gboolean tsr_sqlp_is_word(const TsrSqlParser *p, guint ahead, const char *word) {
  const TsrSqlPTok *t = tsr_sqlp_peek(p, ahead);
  gsize n = strlen(word);
  return t->word && t->t.text_len == n && g_ascii_strncasecmp(t->t.text, word, n) == 0;
}

static void advance(TsrSqlParser *p) {
  if (p->i < p->n) p->i++;
}

gboolean tsr_sqlp_accept(TsrSqlParser *p, TsrSqlTokenId id) {
  if (!tsr_sqlp_is(p, id)) return FALSE;
  advance(p);
  return TRUE;
}

gboolean tsr_sqlp_accept_kw(TsrSqlParser *p, guint code) {
  if (!tsr_sqlp_is_kw(p, code)) return FALSE;
  advance(p);
  return TRUE;
}

gboolean tsr_sqlp_expect(TsrSqlParser *p, TsrSqlTokenId id, const char *what) {
  if (tsr_sqlp_accept(p, id)) return TRUE;
  tsr_sqlp_expected(p, what);
  return FALSE;
}

gboolean tsr_sqlp_expect_kw(TsrSqlParser *p, guint code) {
  if (tsr_sqlp_accept_kw(p, code)) return TRUE;
  tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "expected %s", tsr_sql_word_text(code));
  return FALSE;
}

/* Line and column (from 1) of a byte offset. */
static void line_column(const TsrSqlParser *p, gsize offset, guint *line, guint *column) {
  *line = 1;
  gsize line_start = 0;
  for (gsize i = 0; i < offset && i < p->len; i++) {
    if (p->q[i] == '\n') {
      (*line)++;
      line_start = i + 1;
    }
  }
  *column = (guint)(offset - line_start + 1);
}

/* Appends " near 'text'" (at most 40 bytes of the query) or " at the end
 * of the query". */
static void append_near(const TsrSqlParser *p, GString *msg, const TsrSqlPTok *tok) {
  if (tok->t.id == TSR_SQLP_EOF) {
    g_string_append(msg, " at the end of the query");
    return;
  }
  gsize n = MIN(p->len - tok->t.start, 40);
  const char *nl = memchr(p->q + tok->t.start, '\n', n);
  if (nl) n = (gsize)(nl - (p->q + tok->t.start));
  g_string_append(msg, " near '");
  g_string_append_len(msg, p->q + tok->t.start, (gssize)n);
  g_string_append_c(msg, '\'');
}

void tsr_sqlp_error(TsrSqlParser *p, TsrSqlErrorCode code, const char *fmt, ...) {
  if (p->error) return;
  const TsrSqlPTok *tok = TSR_SQLP_CUR(p);
  guint line, column;
  line_column(p, tok->t.start, &line, &column);
  GString *msg = g_string_new(NULL);
  g_string_append_printf(msg, "line %u, column %u: ", line, column);
  va_list ap;
  va_start(ap, fmt);
  g_string_append_vprintf(msg, fmt, ap);
  va_end(ap);
  append_near(p, msg, tok);
  p->error = g_error_new_literal(TSR_SQL_ERROR, code, msg->str);
  p->error_offset = tok->t.start;
  g_string_free(msg, TRUE);
}

gpointer tsr_sqlp_expected(TsrSqlParser *p, const char *what) {
  tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "expected %s", what);
  return NULL;
}

gboolean tsr_sqlp_enter(TsrSqlParser *p) {
  if (++p->depth <= TSR_SQL_MAX_DEPTH) return TRUE;
  tsr_sqlp_error(p, TSR_SQL_ERROR_TOO_DEEP, "nesting deeper than %d levels", TSR_SQL_MAX_DEPTH);
  return FALSE;
}

void tsr_sqlp_leave(TsrSqlParser *p) {
  p->depth--;
}

gboolean tsr_sqlp_is_ident_at(const TsrSqlParser *p, guint ahead, gboolean any_word) {
  const TsrSqlPTok *t = tsr_sqlp_peek(p, ahead);
  if (t->word) return any_word || !t->reserved;
  return t->t.id == TSR_TK_LITERAL && (t->t.flags & TSR_SQL_TOKEN_QUOTED);
}

/* The text of an identifier token: quoted ones unescaped. */
static char *ident_text(TsrSqlParser *p, const TsrSqlPTok *t) {
  if (!(t->t.flags & TSR_SQL_TOKEN_QUOTED)) return tsr_sql_arena_strndup(p->arena, t->t.text, t->t.text_len);
  char *out = tsr_sql_arena_alloc(p->arena, t->t.text_len + 1);
  tsr_sql_unescape(t->t.text, t->t.text_len, p->q[t->t.start], TSR_SQL_LEX_NO_BACKSLASH_ESCAPES, out);
  return out;
}

static char *take_ident(TsrSqlParser *p, const char *what, gboolean any_word) {
  if (!tsr_sqlp_is_ident_at(p, 0, any_word)) return tsr_sqlp_expected(p, what);
  if (memchr(TSR_SQLP_CUR(p)->t.text, '\0', TSR_SQLP_CUR(p)->t.text_len)) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "a name may not hold a NUL byte");
    return NULL;
  }
  char *s = ident_text(p, TSR_SQLP_CUR(p));
  advance(p);
  return s;
}

char *tsr_sqlp_ident(TsrSqlParser *p, const char *what) {
  return take_ident(p, what, FALSE);
}

char *tsr_sqlp_any_ident(TsrSqlParser *p, const char *what) {
  return take_ident(p, what, TRUE);
}

char *tsr_sqlp_string_value(TsrSqlParser *p, const TsrSqlPTok *tok, gsize *len) {
  char *out = tsr_sql_arena_alloc(p->arena, tok->t.text_len + 1);
  char quote = (tok->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT)) ? '\'' : p->q[tok->t.start];
  *len = tsr_sql_unescape(tok->t.text, tok->t.text_len, quote, p->flags, out);
  return out;
}

char *tsr_sqlp_name_or_string(TsrSqlParser *p, const char *what) {
  if (tsr_sqlp_is(p, TSR_TK_STRING) && !(TSR_SQLP_CUR(p)->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT))) {
    gsize len;
    char *s = tsr_sqlp_string_value(p, TSR_SQLP_CUR(p), &len);
    if (strlen(s) != len) {
      tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "a name may not hold a NUL byte");
      return NULL;
    }
    advance(p);
    return s;
  }
  return tsr_sqlp_ident(p, what);
}

char *tsr_sqlp_raw(TsrSqlParser *p, guint from, guint to) {
  GString *s = g_string_new(NULL);
  for (guint i = from; i < to && i < p->n; i++) {
    const TsrSqlToken *t = &p->toks[i].t;
    if (i > from && (t->flags & TSR_SQL_TOKEN_SPACE_BEFORE)) g_string_append_c(s, ' ');
    g_string_append_len(s, p->q + t->start, t->len);
  }
  char *out = tsr_sql_arena_strndup(p->arena, s->str, s->len);
  g_string_free(s, TRUE);
  return out;
}

char *tsr_sqlp_upper(TsrSqlParser *p, const TsrSqlPTok *tok) {
  char *s = tsr_sql_arena_strndup(p->arena, tok->t.text, tok->t.text_len);
  for (char *c = s; *c; c++) *c = g_ascii_toupper(*c);
  return s;
}

void tsr_sqlp_push(TsrSqlParser *p, TsrSqlList *list, gpointer item) {
  tsr_sql_list_push(p->arena, list, item);
}

TsrSqlExpr *tsr_sqlp_expr_new(TsrSqlParser *p, TsrSqlExprKind kind, guint32 pos) {
  TsrSqlExpr *e = tsr_sql_arena_new0(p->arena, TsrSqlExpr);
  e->kind = kind;
  e->pos = pos;
  return e;
}
