/* sql-parser-raw.c: statements kept as text (SHOW, DDL, anything else):
 * their kind, verb and, where easy, the tables they name. */
#include <string.h>
#include "sql/sql-parser-internal.h"

/* Objects of CREATE/ALTER/DROP, looked for among the first words. */
static const char *const objects[] = {
  "TABLE", "INDEX", "DATABASE", "SCHEMA", "VIEW", "PROCEDURE", "FUNCTION", "TRIGGER", "EVENT",
  "USER", "ROLE", "SERVER", "TABLESPACE", "SEQUENCE", "LOGFILE", "PACKAGE",
};

/* Bodies of these hold semicolons: the statement runs to the end. */
static const char *const routines[] = {"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"};

static gboolean in_list(const char *word, const char *const *list, gsize n) {
  for (gsize i = 0; i < n; i++)
    if (strcmp(word, list[i]) == 0) return TRUE;
  return FALSE;
}

/* Moves to the statement's end: a ';' outside parentheses, or the end. */
static void skip_to_end(TsrSqlParser *p) {
  int depth = 0;
  while (!tsr_sqlp_is(p, TSR_SQLP_EOF)) {
    if (tsr_sqlp_is(p, TSR_TK_OBRACE)) depth++;
    else if (tsr_sqlp_is(p, TSR_TK_CBRACE)) depth--;
    else if (tsr_sqlp_is(p, TSR_TK_SEMICOLON) && depth <= 0) return;
    p->i++;
  }
}

/* Records the table named at the current token, if one is. */
static gboolean try_table(TsrSqlParser *p, TsrSqlRaw *raw) {
  if (!tsr_sqlp_is_ident_at(p, 0, FALSE)) return FALSE;
  if (tsr_sqlp_peek(p, 1)->t.id == TSR_TK_DOT && !tsr_sqlp_is_ident_at(p, 2, TRUE)) return FALSE;
  TsrSqlTableRef *t = tsr_sqlp_table_name(p);
  if (!t) return FALSE;
  tsr_sqlp_push(p, &raw->tables, t);
  return TRUE;
}

/* Skips IF [NOT] EXISTS. */
static void skip_if_exists(TsrSqlParser *p) {
  if (!tsr_sqlp_is_kw(p, TSR_TK_SQL_IF)) return;
  guint n = tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_NOT) ? 2 : 1;
  if (tsr_sqlp_is_kw_at(p, n, TSR_TK_SQL_EXISTS)) p->i += n + 1;
}

/* Moves past the next ON outside parentheses (CREATE/DROP INDEX i ON t). */
static gboolean skip_past_on(TsrSqlParser *p) {
  while (!tsr_sqlp_is(p, TSR_SQLP_EOF) && !tsr_sqlp_is(p, TSR_TK_SEMICOLON) && !tsr_sqlp_is(p, TSR_TK_OBRACE)) {
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_ON)) return TRUE;
    p->i++;
  }
  return FALSE;
}

/* Finds the object word among the next few words; sets raw->verb. */
static void find_object(TsrSqlParser *p, TsrSqlRaw *raw) {
  for (guint k = 0; k < 12; k++) {
    const TsrSqlPTok *t = tsr_sqlp_peek(p, k);
    if (t->t.id == TSR_SQLP_EOF || t->t.id == TSR_TK_SEMICOLON) break;
    if (!t->word) continue;
    char *word = tsr_sqlp_upper(p, t);
    if (in_list(word, objects, G_N_ELEMENTS(objects))) {
      raw->verb = word;
      p->i += k + 1;
      return;
    }
  }
  raw->verb = TSR_SQLP_CUR(p)->word ? tsr_sqlp_upper(p, TSR_SQLP_CUR(p)) : "";
}

static void create(TsrSqlParser *p, TsrSqlRaw *raw) {
  find_object(p, raw);
  if (in_list(raw->verb, routines, G_N_ELEMENTS(routines))) {
    p->i = p->n;
    return;
  }
  if (strcmp(raw->verb, "TABLE") == 0) {
    skip_if_exists(p);
    if (!try_table(p, raw)) return;
    gboolean paren = tsr_sqlp_is(p, TSR_TK_OBRACE) && tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_LIKE);
    if (paren) p->i++;
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_LIKE)) try_table(p, raw);
  } else if (strcmp(raw->verb, "INDEX") == 0 && skip_past_on(p)) {
    try_table(p, raw);
  }
}

static void alter_drop(TsrSqlParser *p, TsrSqlRaw *raw) {
  find_object(p, raw);
  if (strcmp(raw->verb, "TABLE") == 0) {
    skip_if_exists(p);
    do {
      if (!try_table(p, raw)) return;
    } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  } else if (strcmp(raw->verb, "INDEX") == 0 && skip_past_on(p)) {
    try_table(p, raw);
  }
}

static void rename_tables(TsrSqlParser *p, TsrSqlRaw *raw) {
  raw->verb = "TABLE";
  if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_TABLE)) {
    raw->verb = TSR_SQLP_CUR(p)->word ? tsr_sqlp_upper(p, TSR_SQLP_CUR(p)) : "";
    return;
  }
  do {
    if (!try_table(p, raw) || !tsr_sqlp_accept_kw(p, TSR_TK_SQL_TO) || !try_table(p, raw)) return;
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
}

static void show(TsrSqlParser *p, TsrSqlRaw *raw) {
  raw->verb = TSR_SQLP_CUR(p)->word ? tsr_sqlp_upper(p, TSR_SQLP_CUR(p)) : "";
  if (tsr_sqlp_is_kw(p, TSR_TK_SQL_CREATE) && tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_TABLE)) {
    p->i += 2;
    try_table(p, raw);
    return;
  }
  if (tsr_sqlp_is_word(p, 0, "FULL")) p->i++;
  if (tsr_sqlp_is_word(p, 0, "COLUMNS") || tsr_sqlp_is_word(p, 0, "FIELDS") || tsr_sqlp_is_kw(p, TSR_TK_SQL_INDEX) ||
      tsr_sqlp_is_word(p, 0, "INDEXES") || tsr_sqlp_is_kw(p, TSR_TK_SQL_KEYS)) {
    p->i++;
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_FROM) || tsr_sqlp_accept_kw(p, TSR_TK_SQL_IN)) try_table(p, raw);
  }
}

gboolean tsr_sqlp_raw_stmt(TsrSqlParser *p, TsrSqlStmt *stmt) {
  const TsrSqlPTok *first = TSR_SQLP_CUR(p);
  if (!first->word) return tsr_sqlp_expected(p, "a statement") != NULL;
  TsrSqlRaw *raw = stmt->raw = tsr_sql_arena_new0(p->arena, TsrSqlRaw);
  guint code = first->code;
  p->i++;
  switch (code) {
  case TSR_TK_SQL_SHOW: stmt->kind = TSR_SQL_STMT_SHOW; show(p, raw); break;
  case TSR_TK_SQL_CREATE: stmt->kind = TSR_SQL_STMT_CREATE; create(p, raw); break;
  case TSR_TK_SQL_ALTER: stmt->kind = TSR_SQL_STMT_ALTER; alter_drop(p, raw); break;
  case TSR_TK_SQL_DROP: stmt->kind = TSR_SQL_STMT_DROP; alter_drop(p, raw); break;
  case TSR_TK_SQL_RENAME: stmt->kind = TSR_SQL_STMT_RENAME; rename_tables(p, raw); break;
  case TSR_W_TRUNCATE:
    stmt->kind = TSR_SQL_STMT_TRUNCATE;
    raw->verb = "TABLE";
    tsr_sqlp_accept_kw(p, TSR_TK_SQL_TABLE);
    try_table(p, raw);
    break;
  default:
    stmt->kind = TSR_SQL_STMT_OTHER;
    raw->verb = tsr_sqlp_upper(p, first);
    break;
  }
  skip_to_end(p);
  return TRUE;
}
