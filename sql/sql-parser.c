/* sql-parser.c: scripts: tokens for the parser, statements one by one. */
#include <string.h>
#include "sql/sql-parser-internal.h"

G_DEFINE_QUARK(tsr-sql-error-quark, tsr_sql_error)

/* Fills p->toks with the query's tokens (executable comments expanded,
 * other comments dropped) and an EOF token. FALSE on an unterminated
 * string, identifier or comment. */
static gboolean lex_all(TsrSqlParser *p) {
  GArray *toks = g_array_sized_new(FALSE, TRUE, sizeof(TsrSqlPTok), 64);
  TsrSqlLexer lx;
  TsrSqlPTok pt;
  tsr_sql_lexer_init(&lx, p->q, p->len, p->flags | TSR_SQL_LEX_EXPAND_COMMENTS);
  while (tsr_sql_lexer_next(&lx, &pt.t)) {
    TsrSqlTokenId id = pt.t.id;
    gboolean bare_literal = id == TSR_TK_LITERAL && !(pt.t.flags & TSR_SQL_TOKEN_QUOTED) && pt.t.text[0] != '@';
    pt.word = bare_literal || id == TSR_TK_FUNCTION || TSR_TK_IS_KEYWORD(id);
    pt.code = pt.word ? tsr_sql_word_code(pt.t.text, pt.t.text_len) : 0;
    pt.reserved = TSR_TK_IS_KEYWORD(pt.code) && tsr_sql_word_is_reserved(pt.t.text, pt.t.text_len);
    g_array_append_val(toks, pt);
  }
  memset(&pt, 0, sizeof(pt));
  pt.t.id = TSR_SQLP_EOF;
  pt.t.start = (guint32)p->len;
  g_array_append_val(toks, pt);
  p->n = toks->len - 1;
  p->toks = (TsrSqlPTok *)(void *)g_array_free(toks, FALSE);
  for (guint i = 0; i < p->n; i++) {
    if (p->toks[i].t.flags & TSR_SQL_TOKEN_UNTERMINATED) {
      p->i = i;
      tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "unterminated %s",
                     p->toks[i].t.id == TSR_TK_STRING ? "string" : p->toks[i].t.id == TSR_TK_LITERAL ? "quoted identifier" : "comment");
      return FALSE;
    }
  }
  if (lx.in_exec_comment) {
    p->i = p->n;
    tsr_sqlp_error(p, TSR_SQL_ERROR_SYNTAX, "unterminated executable comment");
    return FALSE;
  }
  return TRUE;
}

static gboolean parse_query_stmt(TsrSqlParser *p, TsrSqlStmt *stmt) {
  stmt->kind = TSR_SQL_STMT_SELECT;
  return (stmt->select = tsr_sqlp_query(p)) != NULL;
}

static gboolean parse_insert_stmt(TsrSqlParser *p, TsrSqlStmt *stmt) {
  stmt->kind = tsr_sqlp_is_kw(p, TSR_TK_SQL_REPLACE) ? TSR_SQL_STMT_REPLACE : TSR_SQL_STMT_INSERT;
  return (stmt->insert = tsr_sqlp_insert(p)) != NULL;
}

static gboolean parse_use(TsrSqlParser *p, TsrSqlStmt *stmt) {
  stmt->kind = TSR_SQL_STMT_USE;
  p->i++;
  return (stmt->use_db = tsr_sqlp_any_ident(p, "a database name")) != NULL;
}

/* BEGIN starts a transaction unless it opens a compound statement. */
static gboolean begin_is_transaction(const TsrSqlParser *p) {
  const TsrSqlPTok *next = tsr_sqlp_peek(p, 1);
  return next->t.id == TSR_SQLP_EOF || next->t.id == TSR_TK_SEMICOLON || tsr_sqlp_is_kw_at(p, 1, TSR_W_WORK);
}

static gboolean parse_stmt_body(TsrSqlParser *p, TsrSqlStmt *stmt) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  if (t->t.id == TSR_TK_OBRACE) return parse_query_stmt(p, stmt);
  if (!t->word) return tsr_sqlp_expected(p, "a statement") != NULL;
  switch (t->code) {
  case TSR_TK_SQL_SELECT: return parse_query_stmt(p, stmt);
  case TSR_TK_SQL_INSERT:
  case TSR_TK_SQL_REPLACE: return parse_insert_stmt(p, stmt);
  case TSR_TK_SQL_UPDATE:
    stmt->kind = TSR_SQL_STMT_UPDATE;
    return (stmt->update = tsr_sqlp_update(p)) != NULL;
  case TSR_TK_SQL_DELETE:
    stmt->kind = TSR_SQL_STMT_DELETE;
    return (stmt->del = tsr_sqlp_delete(p)) != NULL;
  case TSR_TK_SQL_SET:
    stmt->kind = TSR_SQL_STMT_SET;
    return tsr_sqlp_set(p, stmt);
  case TSR_TK_SQL_USE: return parse_use(p, stmt);
  case TSR_W_BEGIN:
    if (!begin_is_transaction(p)) break;
    return tsr_sqlp_transaction(p, stmt);
  case TSR_W_START:
  case TSR_W_COMMIT:
  case TSR_W_ROLLBACK:
  case TSR_W_SAVEPOINT:
  case TSR_TK_SQL_RELEASE:
    return tsr_sqlp_transaction(p, stmt);
  case TSR_W_XA: return tsr_sqlp_xa(p, stmt);
  case TSR_TK_SQL_WITH:
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "WITH (common table expressions) is not supported");
    return FALSE;
  default:
    break;
  }
  if (t->code == TSR_W_BEGIN) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "compound statements (BEGIN ... END) are not supported");
    return FALSE;
  }
  return tsr_sqlp_raw_stmt(p, stmt);
}

/* Builds raw->body from tokens [first, last) and moves the spans of
 * raw->tables from the query into the body. */
static void raw_body(TsrSqlParser *p, TsrSqlRaw *raw, guint first, guint last) {
  GString *body = g_string_new(NULL);
  guint next = 0;               /* the table whose span is looked for */
  guint32 found = G_MAXUINT32;  /* where its name starts in the body */
  for (guint i = first; i < last; i++) {
    const TsrSqlToken *t = &p->toks[i].t;
    TsrSqlTableRef *table = next < raw->tables.len ? raw->tables.items[next] : NULL;
    gboolean dashes = body->len > 0 && body->str[body->len - 1] == '-' && p->q[t->start] == '-';
    /* a blank where the query had one; "- -" rather than "--" (a comment if a blank followed) */
    if (i > first && ((t->flags & TSR_SQL_TOKEN_SPACE_BEFORE) || dashes)) g_string_append_c(body, ' ');
    if (table && table->pos == t->start) found = (guint32)body->len;
    g_string_append_len(body, p->q + t->start, t->len);
    if (table && found != G_MAXUINT32 && table->name_end == t->start + t->len) {
      table->pos = found;
      table->name_end = (guint32)body->len;
      found = G_MAXUINT32;
      next++;
    }
  }
  raw->body = tsr_sql_arena_strndup(p->arena, body->str, body->len);
  raw->body_len = body->len;
  g_string_free(body, TRUE);
}

static TsrSqlStmt *parse_stmt(TsrSqlParser *p) {
  TsrSqlStmt *stmt = tsr_sql_arena_new0(p->arena, TsrSqlStmt);
  guint first = p->i;
  p->n_params = 0;
  p->depth = 0;
  if (!parse_stmt_body(p, stmt)) return NULL;
  if (!tsr_sqlp_is(p, TSR_TK_SEMICOLON) && !tsr_sqlp_is(p, TSR_SQLP_EOF)) return tsr_sqlp_expected(p, "the end of the statement");
  /* The statement's text runs to the ';' or the end, so that it keeps the
   * end of an executable comment and comments after its last token. */
  guint32 end = p->toks[p->i].t.start;
  stmt->start = p->toks[first].t.start;
  while (end > stmt->start && g_ascii_isspace(p->q[end - 1])) end--;
  stmt->end = end;
  stmt->text = tsr_sql_arena_strndup(p->arena, p->q + stmt->start, stmt->end - stmt->start);
  stmt->n_params = p->n_params;
  if (stmt->raw) raw_body(p, stmt->raw, first, p->i);
  return stmt;
}

TsrSqlScript *tsr_sql_parse(const char *query, gsize len, guint flags, gsize *error_offset, GError **error) {
  g_autoptr(TsrSqlScript) script = g_new0(TsrSqlScript, 1);
  script->arena = tsr_sql_arena_new();
  script->query = g_malloc(len + 1);
  if (len > 0) memcpy(script->query, query, len);
  script->query[len] = '\0';
  script->len = MIN(len, (gsize)G_MAXUINT32 - 1);
  script->flags = flags & ~(guint)TSR_SQL_LEX_EXPAND_COMMENTS;
  TsrSqlParser parser = {
    .arena = script->arena, .q = script->query, .len = script->len, .flags = script->flags,
  };
  TsrSqlParser *p = &parser;
  if (lex_all(p)) {
    for (;;) {
      while (tsr_sqlp_accept(p, TSR_TK_SEMICOLON)) {}
      if (tsr_sqlp_is(p, TSR_SQLP_EOF)) break;
      TsrSqlStmt *stmt = parse_stmt(p);
      if (!stmt) break;
      tsr_sql_list_push(script->arena, &script->stmts, stmt);
    }
  }
  g_free(p->toks);
  if (!p->error && script->stmts.len == 0) {
    p->error = g_error_new_literal(TSR_SQL_ERROR, TSR_SQL_ERROR_EMPTY, "the query holds no statement");
    p->error_offset = 0;
  }
  if (p->error) {
    if (error_offset) *error_offset = p->error_offset;
    g_propagate_error(error, p->error);
    return NULL;
  }
  return g_steal_pointer(&script);
}

void tsr_sql_script_free(TsrSqlScript *script) {
  if (script == NULL) return;
  tsr_sql_arena_free(script->arena);
  g_free(script->query);
  g_free(script);
}

TsrSqlStmt *tsr_sql_script_stmt(const TsrSqlScript *script, guint i) {
  return i < script->stmts.len ? script->stmts.items[i] : NULL;
}

TsrSqlArena *tsr_sql_script_arena(TsrSqlScript *script) {
  return script->arena;
}
