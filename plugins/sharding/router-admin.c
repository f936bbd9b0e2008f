/* router-admin.c: routing the statements around the data: SET, USE,
 * transactions, SHOW, DDL, EXPLAIN and the rest. */
#include <string.h>
#include "sql/sql-lexer.h"
#include "sql/sql-walk.h"
#include "router-private.h"

/* Runs the statement as it is on one group: the hint's, else `group`.
 * `write`: it may change data or schema (so it also needs the primary). */
static gboolean on_group(RtCtx *c, guint group, gboolean write) {
  c->plan->kind = TSR_ROUTE_SHARDS;
  c->plan->write = write;
  c->plan->needs_primary = write;
  rt_add_step(c, c->hint.group ? c->hint.group->index : group, c->hint.has_shard ? (gint)c->hint.shard : -1);
  return TRUE;
}

static guint default_group(RtCtx *c) {
  return tsr_shard_map_default_group(c->map);
}

/* ---- SET ---- */

static gboolean reads_tables(TsrSqlExpr *e, gpointer data) {
  gboolean *found = data;
  if (e->kind == TSR_SQL_EXPR_SUBQUERY || e->kind == TSR_SQL_EXPR_EXISTS || (e->kind == TSR_SQL_EXPR_IN && e->in.subquery))
    *found = TRUE;
  return TRUE;
}

static gboolean route_set(RtCtx *c) {
  gboolean subquery = FALSE;
  if (c->hint.group) return on_group(c, 0, FALSE);
  for (guint i = 0; i < c->stmt->set->len; i++) {
    const TsrSqlSetItem *item = c->stmt->set->items[i];
    TsrSqlScope scope = item->kind == TSR_SQL_SET_VARIABLE ? item->var->var.scope : item->scope;
    if ((item->kind == TSR_SQL_SET_VARIABLE && item->var->var.kind == TSR_SQL_VAR_USER) ||
        (scope != TSR_SQL_SCOPE_GLOBAL && scope != TSR_SQL_SCOPE_PERSIST && scope != TSR_SQL_SCOPE_PERSIST_ONLY))
      continue;
    return rt_refuse(c, "SET GLOBAL changes one server, not the session; run it on each server, or name one with "
                     "the hint group=NAME");
  }
  tsr_sql_walk_stmt(c->stmt, &(TsrSqlVisitor){.expr = reads_tables}, &subquery);
  if (subquery)
    return rt_refuse(c, "SET with a subquery would run it on every server of the session; SELECT the value first "
                     "and SET it as a constant");
  rt_set_sql(c, TSR_ROUTE_SESSION);
  return TRUE;
}

/* ---- tables of SHOW and DDL ---- */

/* Adds an instance for each table the statement names; FALSE when there is
 * none. */
static gboolean raw_tables(RtCtx *c) {
  RtBlock *b = rt_block_new(c, NULL, NULL, RT_LINK_ROOT);
  for (guint i = 0; i < c->stmt->raw->tables.len; i++) rt_add_table(c, b, c->stmt->raw->tables.items[i], FALSE);
  return c->insts->len > 0;
}

static TsrTableKind kind_of(const RtInst *inst, gboolean *listed) {
  *listed = inst->table != NULL;
  return inst->table ? inst->table->kind : TSR_TABLE_VERTICAL;
}

static guint group_of(RtCtx *c, const RtInst *inst) {
  return inst->table ? inst->table->group : default_group(c);
}

/* TRUE when every named table lives where the first one does. */
static gboolean same_place(RtCtx *c) {
  const RtInst *first = c->insts->pdata[0];
  gboolean listed0, listed;
  TsrTableKind k0 = kind_of(first, &listed0);
  for (guint i = 1; i < c->insts->len; i++) {
    const RtInst *inst = c->insts->pdata[i];
    TsrTableKind k = kind_of(inst, &listed);
    if (k != k0) return FALSE;
    if (k == TSR_TABLE_VERTICAL && group_of(c, inst) != group_of(c, first)) return FALSE;
    if (k == TSR_TABLE_SHARDED && !tsr_shard_layout_equal(inst->table->layout, first->table->layout)) return FALSE;
  }
  return TRUE;
}

/* One step per shard (the hinted one only, with a hint). */
static void every_shard(RtCtx *c, const TsrShardLayout *l) {
  for (guint s = 0; s < l->n_shards; s++) {
    if (c->hint.has_shard && s != c->hint.shard) continue;
    rt_apply_shard(c, (gint)s);
    rt_add_step(c, l->shard_group[s], (gint)s);
  }
  rt_restore_names(c);
}

static gboolean check_hint_shard(RtCtx *c, const RtInst *inst) {
  if (!c->hint.has_shard || c->hint.shard < inst->table->layout->n_shards) return TRUE;
  g_autofree char *name = rt_inst_name(inst);
  return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint shard=%u names no shard of %s, which has %u", c->hint.shard, name,
                 inst->table->layout->n_shards);
}

static gboolean route_ddl(RtCtx *c) {
  const TsrSqlRaw *raw = c->stmt->raw;
  c->plan->kind = TSR_ROUTE_SHARDS;
  c->plan->write = c->plan->needs_primary = TRUE;
  if (strcmp(raw->verb, "DATABASE") == 0 || strcmp(raw->verb, "SCHEMA") == 0) {
    for (guint g = 0; g < tsr_shard_map_n_groups(c->map); g++)
      if (!c->hint.group || c->hint.group->index == g) rt_add_step(c, g, -1);
    return TRUE;
  }
  if (!raw_tables(c)) return on_group(c, default_group(c), TRUE);
  const RtInst *first = c->insts->pdata[0];
  g_autofree char *name = rt_inst_name(first);
  gboolean listed;
  TsrTableKind kind = kind_of(first, &listed);
  if (c->stmt->kind == TSR_SQL_STMT_RENAME && listed)
    return rt_refuse(c, "RENAME TABLE of %s, which the shard map lists: rename the tables on their servers and "
                     "change the map", name);
  if (!same_place(c))
    return rt_refuse(c, "%s names tables that live in different places; use one statement per table",
                     tsr_sql_stmt_kind_name(c->stmt->kind));
  if (kind == TSR_TABLE_SHARDED && c->hint.group)
    return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint group=%s cannot place the sharded table %s; use shard=N",
                   c->hint.group->name, name);
  if (kind == TSR_TABLE_SHARDED) {
    if (!check_hint_shard(c, first)) return FALSE;
    every_shard(c, first->table->layout);
    return TRUE;
  }
  if (kind == TSR_TABLE_BROADCAST && !c->hint.group) {
    for (guint g = 0; g < tsr_shard_map_n_groups(c->map); g++) rt_add_step(c, g, -1);
    return TRUE;
  }
  return on_group(c, group_of(c, first), TRUE);
}

/* SHOW of a table: the server of its first shard (the hinted one) shows
 * the shard's table, which has the columns and indexes of every shard. */
static gboolean route_show(RtCtx *c) {
  const char *verb = c->stmt->raw->verb;
  if (strcmp(verb, "WARNINGS") == 0 || strcmp(verb, "ERRORS") == 0 || strcmp(verb, "COUNT") == 0) {
    rt_set_sql(c, TSR_ROUTE_LAST);
    return TRUE;
  }
  if (!raw_tables(c) || c->hint.group) return on_group(c, default_group(c), FALSE);
  const RtInst *first = c->insts->pdata[0];
  gboolean listed;
  TsrTableKind kind = kind_of(first, &listed);
  c->plan->kind = TSR_ROUTE_SHARDS;
  if (kind == TSR_TABLE_SHARDED) {
    if (!check_hint_shard(c, first)) return FALSE;
    guint s = c->hint.has_shard ? c->hint.shard : 0;
    rt_apply_shard(c, (gint)s);
    rt_add_step(c, first->table->layout->shard_group[s], (gint)s);
    rt_restore_names(c);
    return TRUE;
  }
  if (kind == TSR_TABLE_BROADCAST) {
    gint g = c->in->prefer_group;
    rt_add_step(c, g >= 0 && (guint)g < tsr_shard_map_n_groups(c->map) ? (guint)g : default_group(c), -1);
    return TRUE;
  }
  rt_add_step(c, group_of(c, first), -1);
  return TRUE;
}

/* ---- EXPLAIN, DESCRIBE ---- */

static gboolean next_token(TsrSqlLexer *lx, TsrSqlToken *tok) {
  while (tsr_sql_lexer_next(lx, tok))
    if (tok->id != TSR_TK_COMMENT) return TRUE;
  return FALSE;
}

static gboolean word_is(const TsrSqlToken *tok, const char *word) {
  return tok->text_len == strlen(word) && g_ascii_strncasecmp(tok->text, word, tok->text_len) == 0;
}

/* EXPLAIN of a statement: the statement's plan must have one step, which
 * the server then explains. */
static gboolean explain_statement(RtCtx *c, const char *body, gsize prefix, gsize len) {
  g_autoptr(GError) inner_error = NULL;
  g_autoptr(TsrRoutePlan) inner = tsr_route_query(c->in, body + prefix, len - prefix, &inner_error);
  if (!inner) {
    g_propagate_error(c->error, g_steal_pointer(&inner_error));
    return FALSE;
  }
  if (inner->kind != TSR_ROUTE_SHARDS || inner->n_steps != 1)
    return rt_refuse(c, "EXPLAIN of a statement that runs on %u shards; add the hint shard=N to explain one of them",
                     inner->n_steps);
  GString *sql = g_string_new_len(body, (gssize)prefix);
  g_string_append_len(sql, inner->steps[0].sql, (gssize)inner->steps[0].sql_len);
  c->plan->kind = TSR_ROUTE_SHARDS;
  c->plan->steps = g_new0(TsrRouteStep, 1);
  c->plan->n_steps = 1;
  c->plan->steps[0] = inner->steps[0];
  c->plan->steps[0].sql_len = sql->len;
  c->plan->steps[0].sql = g_string_free(sql, FALSE);
  return TRUE;
}

/* DESCRIBE t: the table of the first shard, as SHOW COLUMNS does. */
static gboolean describe_table(RtCtx *c, const char *body, gsize len, gsize name_start) {
  g_autoptr(TsrSqlScript) script = NULL;
  g_autoptr(GString) show = g_string_new("SHOW COLUMNS FROM ");
  g_autoptr(GError) local = NULL;
  TsrSqlLexer lx;
  TsrSqlToken tok;
  gsize end = name_start;
  tsr_sql_lexer_init(&lx, body + name_start, len - name_start, c->in->lex_flags);
  while (next_token(&lx, &tok) && (tok.id == TSR_TK_LITERAL || tok.id == TSR_TK_DOT)) end = name_start + tok.start + tok.len;
  g_string_append_len(show, body + name_start, (gssize)(end - name_start));
  script = tsr_sql_parse(show->str, show->len, c->in->lex_flags, NULL, &local);
  if (!script || end < len) return on_group(c, default_group(c), FALSE);
  tsr_sql_script_free(c->script);
  c->script = g_steal_pointer(&script);
  c->stmt = tsr_sql_script_stmt(c->script, 0);
  return route_show(c);
}

static gboolean route_explain(RtCtx *c) {
  const char *body = c->stmt->raw->body;
  gsize len = c->stmt->raw->body_len;
  TsrSqlLexer lx;
  TsrSqlToken tok;
  tsr_sql_lexer_init(&lx, body, len, c->in->lex_flags);
  next_token(&lx, &tok); /* the verb */
  while (next_token(&lx, &tok)) {
    if (word_is(&tok, "EXTENDED") || word_is(&tok, "PARTITIONS")) continue;
    if (word_is(&tok, "FORMAT")) {
      next_token(&lx, &tok);
      next_token(&lx, &tok);
      continue;
    }
    if (tok.id == TSR_TK_SQL_SELECT || tok.id == TSR_TK_SQL_INSERT || tok.id == TSR_TK_SQL_UPDATE ||
        tok.id == TSR_TK_SQL_DELETE || tok.id == TSR_TK_SQL_REPLACE || tok.id == TSR_TK_OBRACE)
      return explain_statement(c, body, tok.start, len);
    return describe_table(c, body, len, tok.start);
  }
  return on_group(c, default_group(c), FALSE);
}

/* ---- the rest ---- */

static gboolean route_verb(RtCtx *c) {
  static const char *const refused[] = {"LOCK", "LOAD", "HANDLER", "PREPARE", "EXECUTE", "DEALLOCATE", NULL};
  const char *verb = c->stmt->raw->verb;
  if (strcmp(verb, "EXPLAIN") == 0 || strcmp(verb, "DESCRIBE") == 0 || strcmp(verb, "DESC") == 0) return route_explain(c);
  if (c->hint.group) return on_group(c, 0, TRUE);
  if (strcmp(verb, "UNLOCK") == 0) {
    rt_set_sql(c, TSR_ROUTE_SESSION);
    return TRUE;
  }
  if (strcmp(verb, "KILL") == 0) {
    rt_set_sql(c, TSR_ROUTE_LOCAL);
    return TRUE;
  }
  for (const char *const *r = refused; *r; r++)
    if (strcmp(verb, *r) == 0) {
      if (strcmp(verb, "PREPARE") == 0 || strcmp(verb, "EXECUTE") == 0 || strcmp(verb, "DEALLOCATE") == 0)
        return rt_refuse(c, "SQL %s is not routed over shards; use prepared statements of the protocol "
                         "(COM_STMT_PREPARE)", verb);
      return rt_refuse(c, "%s cannot span the servers of a sharded database; name one server with the hint "
                       "group=NAME", verb);
    }
  return on_group(c, default_group(c), TRUE);
}

gboolean rt_route_other(RtCtx *c) {
  switch (c->stmt->kind) {
  case TSR_SQL_STMT_SET: return route_set(c);
  case TSR_SQL_STMT_USE:
    rt_set_sql(c, TSR_ROUTE_SESSION);
    c->plan->use_db = g_strdup(c->stmt->use_db);
    return TRUE;
  case TSR_SQL_STMT_BEGIN:
  case TSR_SQL_STMT_COMMIT:
  case TSR_SQL_STMT_ROLLBACK:
  case TSR_SQL_STMT_SAVEPOINT:
  case TSR_SQL_STMT_ROLLBACK_TO:
  case TSR_SQL_STMT_RELEASE: rt_set_sql(c, TSR_ROUTE_TRANSACTION); return TRUE;
  case TSR_SQL_STMT_XA:
    if (c->hint.group) return on_group(c, 0, TRUE);
    return rt_refuse(c, "XA transactions of the client cannot span the servers of a sharded database; name one "
                     "server with the hint group=NAME");
  case TSR_SQL_STMT_SHOW: return route_show(c);
  case TSR_SQL_STMT_CREATE:
  case TSR_SQL_STMT_ALTER:
  case TSR_SQL_STMT_DROP:
  case TSR_SQL_STMT_TRUNCATE:
  case TSR_SQL_STMT_RENAME: return route_ddl(c);
  default: return route_verb(c);
  }
}
