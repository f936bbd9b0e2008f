/* sql-parser-admin.c: SET, transactions, savepoints and XA. */
#include <string.h>
#include "sql/sql-parser-internal.h"

/* ---- SET ---- */

static TsrSqlScope scope_word(const TsrSqlParser *p) {
  switch (TSR_SQLP_CUR(p)->word ? TSR_SQLP_CUR(p)->code : 0) {
  case TSR_W_GLOBAL: return TSR_SQL_SCOPE_GLOBAL;
  case TSR_W_SESSION: return TSR_SQL_SCOPE_SESSION;
  case TSR_W_LOCAL: return TSR_SQL_SCOPE_LOCAL;
  case TSR_W_PERSIST: return TSR_SQL_SCOPE_PERSIST;
  case TSR_W_PERSIST_ONLY: return TSR_SQL_SCOPE_PERSIST_ONLY;
  default: return TSR_SQL_SCOPE_DEFAULT;
  }
}

static gboolean isolation_level(TsrSqlParser *p, TsrSqlSetItem *item) {
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_READ)) {
    if (tsr_sqlp_accept_kw(p, TSR_W_UNCOMMITTED)) item->isolation = TSR_SQL_ISOLATION_READ_UNCOMMITTED;
    else if (tsr_sqlp_accept_kw(p, TSR_W_COMMITTED)) item->isolation = TSR_SQL_ISOLATION_READ_COMMITTED;
    else return tsr_sqlp_expected(p, "COMMITTED or UNCOMMITTED") != NULL;
  } else if (tsr_sqlp_accept_kw(p, TSR_W_REPEATABLE)) {
    if (!tsr_sqlp_expect_kw(p, TSR_TK_SQL_READ)) return FALSE;
    item->isolation = TSR_SQL_ISOLATION_REPEATABLE_READ;
  } else if (tsr_sqlp_accept_kw(p, TSR_W_SERIALIZABLE)) {
    item->isolation = TSR_SQL_ISOLATION_SERIALIZABLE;
  } else {
    return tsr_sqlp_expected(p, "an isolation level") != NULL;
  }
  return TRUE;
}

/* TRANSACTION ISOLATION LEVEL ..., READ ONLY|READ WRITE (after TRANSACTION). */
static gboolean transaction_characteristics(TsrSqlParser *p, TsrSqlSetItem *item) {
  do {
    if (tsr_sqlp_accept_kw(p, TSR_W_ISOLATION)) {
      if (!tsr_sqlp_expect_kw(p, TSR_W_LEVEL) || !isolation_level(p, item)) return FALSE;
    } else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_READ)) {
      if (tsr_sqlp_accept_kw(p, TSR_W_ONLY)) item->access = TSR_SQL_ACCESS_READ_ONLY;
      else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_WRITE)) item->access = TSR_SQL_ACCESS_READ_WRITE;
      else return tsr_sqlp_expected(p, "ONLY or WRITE") != NULL;
    } else {
      return tsr_sqlp_expected(p, "ISOLATION LEVEL, READ ONLY or READ WRITE") != NULL;
    }
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

/* The value of SET var = value: ON and ALL are allowed as words. */
static TsrSqlExpr *set_value(TsrSqlParser *p) {
  if ((tsr_sqlp_is_kw(p, TSR_TK_SQL_ON) || tsr_sqlp_is_kw(p, TSR_TK_SQL_ALL)) &&
      (tsr_sqlp_peek(p, 1)->t.id == TSR_TK_COMMA || tsr_sqlp_peek(p, 1)->t.id == TSR_TK_SEMICOLON ||
       tsr_sqlp_peek(p, 1)->t.id == TSR_SQLP_EOF)) {
    TsrSqlExpr *e = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_KEYWORD, TSR_SQLP_CUR(p)->t.start);
    e->keyword.word = tsr_sql_word_text(TSR_SQLP_CUR(p)->code);
    p->i++;
    return e;
  }
  return tsr_sqlp_expr(p);
}

/* NAMES cs [COLLATE c], CHARACTER SET cs, CHARSET cs (after the words). */
static gboolean charset_item(TsrSqlParser *p, TsrSqlSetItem *item) {
  if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_DEFAULT) && !(item->charset = tsr_sqlp_name_or_string(p, "a character set")))
    return FALSE;
  if (item->kind == TSR_SQL_SET_NAMES && tsr_sqlp_accept_kw(p, TSR_TK_SQL_COLLATE))
    return (item->collation = tsr_sqlp_name_or_string(p, "a collation")) != NULL;
  return TRUE;
}

/* var = value, where var is @user, @@[scope.]name or [scope] name. */
static gboolean variable_item(TsrSqlParser *p, TsrSqlSetItem *item, TsrSqlScope scope) {
  const TsrSqlPTok *t = TSR_SQLP_CUR(p);
  item->kind = TSR_SQL_SET_VARIABLE;
  if (scope == TSR_SQL_SCOPE_DEFAULT && t->t.id == TSR_TK_LITERAL && !t->word && !(t->t.flags & TSR_SQL_TOKEN_QUOTED)) {
    item->var = tsr_sqlp_binary(p, TSR_SQLP_PRIMARY);
    if (!item->var) return FALSE;
    if (item->var->kind != TSR_SQL_EXPR_VARIABLE) return tsr_sqlp_expected(p, "a variable") != NULL;
  } else {
    item->var = tsr_sqlp_expr_new(p, TSR_SQL_EXPR_VARIABLE, t->t.start);
    item->var->var.kind = TSR_SQL_VAR_SYSTEM;
    item->var->var.scope = scope;
    if (!(item->var->var.name = tsr_sqlp_any_ident(p, "a variable name"))) return FALSE;
  }
  if (!tsr_sqlp_accept(p, TSR_TK_EQ) && !tsr_sqlp_expect(p, TSR_TK_ASSIGN, "'='")) return FALSE;
  return (item->value = set_value(p)) != NULL;
}

static TsrSqlSetItem *set_item(TsrSqlParser *p) {
  TsrSqlSetItem *item = tsr_sql_arena_new0(p->arena, TsrSqlSetItem);
  if (tsr_sqlp_accept_kw(p, TSR_W_NAMES)) {
    item->kind = TSR_SQL_SET_NAMES;
    return charset_item(p, item) ? item : NULL;
  }
  if ((tsr_sqlp_is_kw(p, TSR_TK_SQL_CHARACTER) && tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_SET)) || tsr_sqlp_is_kw(p, TSR_W_CHARSET)) {
    p->i += tsr_sqlp_is_kw(p, TSR_W_CHARSET) ? 1 : 2;
    item->kind = TSR_SQL_SET_CHARSET;
    return charset_item(p, item) ? item : NULL;
  }
  TsrSqlScope scope = scope_word(p);
  /* A scope word followed by '=' is a variable of that name. */
  if (scope != TSR_SQL_SCOPE_DEFAULT && tsr_sqlp_peek(p, 1)->t.id != TSR_TK_EQ) p->i++;
  else scope = TSR_SQL_SCOPE_DEFAULT;
  if (tsr_sqlp_is_kw(p, TSR_W_TRANSACTION) &&
      (tsr_sqlp_is_kw_at(p, 1, TSR_W_ISOLATION) || tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_READ))) {
    p->i++;
    item->kind = TSR_SQL_SET_TRANSACTION;
    item->scope = scope;
    return transaction_characteristics(p, item) ? item : NULL;
  }
  return variable_item(p, item, scope) ? item : NULL;
}

gboolean tsr_sqlp_set(TsrSqlParser *p, TsrSqlStmt *stmt) {
  p->i++;
  if (tsr_sqlp_is_word(p, 0, "STATEMENT") && tsr_sqlp_peek(p, 1)->t.id != TSR_TK_EQ) {
    tsr_sqlp_error(p, TSR_SQL_ERROR_UNSUPPORTED, "SET STATEMENT ... FOR is not supported");
    return FALSE;
  }
  stmt->set = tsr_sql_arena_new0(p->arena, TsrSqlList);
  do {
    TsrSqlSetItem *item = set_item(p);
    if (!item) return FALSE;
    tsr_sqlp_push(p, stmt->set, item);
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

/* ---- transactions ---- */

/* [AND [NO] CHAIN] [[NO] RELEASE] */
static gboolean chain_release(TsrSqlParser *p, TsrSqlTxn *txn) {
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_AND)) {
    gboolean no = tsr_sqlp_accept_kw(p, TSR_TK_SQL_NO);
    if (!tsr_sqlp_expect_kw(p, TSR_W_CHAIN)) return FALSE;
    txn->flags |= no ? TSR_SQL_TXN_NO_CHAIN : TSR_SQL_TXN_CHAIN;
  }
  gboolean no = tsr_sqlp_is_kw(p, TSR_TK_SQL_NO) && tsr_sqlp_is_kw_at(p, 1, TSR_TK_SQL_RELEASE);
  if (no) p->i++;
  if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_RELEASE)) txn->flags |= no ? TSR_SQL_TXN_NO_RELEASE : TSR_SQL_TXN_RELEASE;
  return TRUE;
}

/* START TRANSACTION's characteristics. */
static gboolean start_characteristics(TsrSqlParser *p, TsrSqlTxn *txn) {
  if (!tsr_sqlp_is_kw(p, TSR_TK_SQL_WITH) && !tsr_sqlp_is_kw(p, TSR_TK_SQL_READ)) return TRUE;
  do {
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_WITH)) {
      if (!tsr_sqlp_expect_kw(p, TSR_W_CONSISTENT) || !tsr_sqlp_expect_kw(p, TSR_W_SNAPSHOT)) return FALSE;
      txn->flags |= TSR_SQL_TXN_CONSISTENT_SNAPSHOT;
    } else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_READ)) {
      if (tsr_sqlp_accept_kw(p, TSR_W_ONLY)) txn->flags |= TSR_SQL_TXN_READ_ONLY;
      else if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_WRITE)) txn->flags |= TSR_SQL_TXN_READ_WRITE;
      else return tsr_sqlp_expected(p, "ONLY or WRITE") != NULL;
    } else {
      return tsr_sqlp_expected(p, "WITH CONSISTENT SNAPSHOT, READ ONLY or READ WRITE") != NULL;
    }
  } while (tsr_sqlp_accept(p, TSR_TK_COMMA));
  return TRUE;
}

static gboolean savepoint_name(TsrSqlParser *p, TsrSqlTxn *txn) {
  return (txn->savepoint = tsr_sqlp_ident(p, "a savepoint name")) != NULL;
}

gboolean tsr_sqlp_transaction(TsrSqlParser *p, TsrSqlStmt *stmt) {
  TsrSqlTxn *txn = stmt->txn = tsr_sql_arena_new0(p->arena, TsrSqlTxn);
  guint code = TSR_SQLP_CUR(p)->code;
  p->i++;
  switch (code) {
  case TSR_W_BEGIN:
    stmt->kind = TSR_SQL_STMT_BEGIN;
    if (tsr_sqlp_accept_kw(p, TSR_W_WORK)) txn->flags |= TSR_SQL_TXN_WORK;
    return TRUE;
  case TSR_W_START:
    stmt->kind = TSR_SQL_STMT_BEGIN;
    txn->flags |= TSR_SQL_TXN_START;
    return tsr_sqlp_expect_kw(p, TSR_W_TRANSACTION) && start_characteristics(p, txn);
  case TSR_W_COMMIT:
    stmt->kind = TSR_SQL_STMT_COMMIT;
    if (tsr_sqlp_accept_kw(p, TSR_W_WORK)) txn->flags |= TSR_SQL_TXN_WORK;
    return chain_release(p, txn);
  case TSR_W_ROLLBACK:
    stmt->kind = TSR_SQL_STMT_ROLLBACK;
    if (tsr_sqlp_accept_kw(p, TSR_W_WORK)) txn->flags |= TSR_SQL_TXN_WORK;
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_TO)) {
      stmt->kind = TSR_SQL_STMT_ROLLBACK_TO;
      tsr_sqlp_accept_kw(p, TSR_W_SAVEPOINT);
      return savepoint_name(p, txn);
    }
    return chain_release(p, txn);
  case TSR_W_SAVEPOINT:
    stmt->kind = TSR_SQL_STMT_SAVEPOINT;
    return savepoint_name(p, txn);
  default: /* RELEASE */
    stmt->kind = TSR_SQL_STMT_RELEASE;
    return tsr_sqlp_expect_kw(p, TSR_W_SAVEPOINT) && savepoint_name(p, txn);
  }
}

/* ---- XA ---- */

static gboolean xid_string(const TsrSqlExpr *e) {
  return e->kind == TSR_SQL_EXPR_LITERAL && (e->lit.kind == TSR_SQL_LIT_STRING || e->lit.kind == TSR_SQL_LIT_HEX);
}

/* gtrid [, bqual [, formatID]] */
static gboolean xid(TsrSqlParser *p, TsrSqlXa *xa) {
  TsrSqlExpr **parts[] = {&xa->gtrid, &xa->bqual, &xa->format_id};
  for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
    if (i > 0 && !tsr_sqlp_accept(p, TSR_TK_COMMA)) break;
    const TsrSqlPTok *t = TSR_SQLP_CUR(p);
    gboolean ok = i < 2 ? (t->t.id == TSR_TK_STRING || (t->t.id == TSR_TK_INTEGER && (t->t.flags & TSR_SQL_TOKEN_HEX)))
                        : (t->t.id == TSR_TK_INTEGER && !(t->t.flags & (TSR_SQL_TOKEN_HEX | TSR_SQL_TOKEN_BIT)));
    if (!ok) return tsr_sqlp_expected(p, i < 2 ? "a quoted xid part" : "a format id number") != NULL;
    if (!(*parts[i] = tsr_sqlp_binary(p, TSR_SQLP_PRIMARY))) return FALSE;
    if (i < 2 && !xid_string(*parts[i])) return tsr_sqlp_expected(p, "a quoted xid part") != NULL;
  }
  return TRUE;
}

static gboolean xa_options(TsrSqlParser *p, TsrSqlXa *xa) {
  switch (xa->action) {
  case TSR_SQL_XA_START:
    if (tsr_sqlp_accept_kw(p, TSR_TK_SQL_JOIN)) xa->flags |= TSR_SQL_XA_JOIN;
    else if (tsr_sqlp_accept_kw(p, TSR_W_RESUME)) xa->flags |= TSR_SQL_XA_RESUME;
    return TRUE;
  case TSR_SQL_XA_END:
    if (!tsr_sqlp_accept_kw(p, TSR_W_SUSPEND)) return TRUE;
    xa->flags |= TSR_SQL_XA_SUSPEND;
    if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_FOR)) return TRUE;
    xa->flags |= TSR_SQL_XA_FOR_MIGRATE;
    return tsr_sqlp_expect_kw(p, TSR_W_MIGRATE);
  case TSR_SQL_XA_COMMIT:
    if (!tsr_sqlp_accept_kw(p, TSR_W_ONE)) return TRUE;
    xa->flags |= TSR_SQL_XA_ONE_PHASE;
    return tsr_sqlp_expect_kw(p, TSR_W_PHASE);
  default:
    return TRUE;
  }
}

gboolean tsr_sqlp_xa(TsrSqlParser *p, TsrSqlStmt *stmt) {
  static const struct {
    guint code;
    TsrSqlXaAction action;
  } actions[] = {
    {TSR_W_START, TSR_SQL_XA_START}, {TSR_W_BEGIN, TSR_SQL_XA_START}, {TSR_W_END, TSR_SQL_XA_END},
    {TSR_W_PREPARE, TSR_SQL_XA_PREPARE}, {TSR_W_COMMIT, TSR_SQL_XA_COMMIT},
    {TSR_W_ROLLBACK, TSR_SQL_XA_ROLLBACK}, {TSR_W_RECOVER, TSR_SQL_XA_RECOVER},
  };
  TsrSqlXa *xa = stmt->xa = tsr_sql_arena_new0(p->arena, TsrSqlXa);
  stmt->kind = TSR_SQL_STMT_XA;
  p->i++;
  gsize i = 0;
  while (i < G_N_ELEMENTS(actions) && !tsr_sqlp_is_kw(p, actions[i].code)) i++;
  if (i == G_N_ELEMENTS(actions)) return tsr_sqlp_expected(p, "START, END, PREPARE, COMMIT, ROLLBACK or RECOVER") != NULL;
  xa->action = actions[i].action;
  p->i++;
  if (xa->action == TSR_SQL_XA_RECOVER) {
    if (!tsr_sqlp_accept_kw(p, TSR_TK_SQL_CONVERT)) return TRUE;
    xa->flags |= TSR_SQL_XA_CONVERT_XID;
    if (!tsr_sqlp_is_word(p, 0, "XID")) return tsr_sqlp_expected(p, "XID") != NULL;
    p->i++;
    return TRUE;
  }
  return xid(p, xa) && xa_options(p, xa);
}
