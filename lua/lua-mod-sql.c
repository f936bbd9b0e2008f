/* lua-mod-sql.c: the mysql.sql module, on the SQL parser and printer of
 * sql/ (the parser the sharding router uses).
 *
 *   parse(query [, opts])      { stmt, ... } or nil, "line L, column C: ..."
 *   print(query [, opts])      the statements printed back in tessera's
 *                              canonical form, joined by "; ", or nil, error
 *   normalize(query [, opts])  MySQL Proxy's normalized form (literals as ?),
 *                              as mysql.tokenizer.normalize
 *
 * opts: { ansi_quotes = bool, no_backslash_escapes = bool }, the sql_mode
 * flags the query is read with.
 *
 * A statement table has kind (lower case), text, params and tables for
 * every statement, and the fields of its kind (see push_stmt below and
 * docs/lua-api.md): expressions are given as printed SQL, not as trees.
 * Loading the module sets no global. */
#include <string.h>
#include <lauxlib.h>
#include "lua-private.h"
#include "sql/sql-parser.h"
#include "sql/sql-printer.h"
#include "sql/sql-walk.h"

#define BOX_MT "tessera.sql.box"

/* What one call holds outside the Lua heap, owned by a userdata on the
 * stack so that nothing leaks when building the result raises an error. */
typedef struct {
  TsrSqlScript *script;
  GError *error;
  GString *out;
  GPtrArray *tables;
} Box;

static void box_clear(Box *box) {
  g_clear_pointer(&box->script, tsr_sql_script_free);
  g_clear_error(&box->error);
  if (box->out) g_string_free(box->out, TRUE);
  box->out = NULL;
  g_clear_pointer(&box->tables, g_ptr_array_unref);
}

static int box_gc(lua_State *L) {
  box_clear(luaL_checkudata(L, 1, BOX_MT));
  return 0;
}

/* Pushes a new, empty box. */
static Box *push_box(lua_State *L) {
  Box *box = lua_newuserdata(L, sizeof *box);
  memset(box, 0, sizeof *box);
  if (luaL_newmetatable(L, BOX_MT)) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  box->out = g_string_sized_new(128);
  return box;
}

/* The TsrSqlLexFlags of the options table at `arg` (none or nil: none). */
static guint opt_flags(lua_State *L, int arg) {
  guint flags = TSR_SQL_LEX_NONE;
  if (lua_isnoneornil(L, arg)) return flags;
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_getfield(L, arg, "ansi_quotes");
  if (lua_toboolean(L, -1)) flags |= TSR_SQL_LEX_ANSI_QUOTES;
  lua_getfield(L, arg, "no_backslash_escapes");
  if (lua_toboolean(L, -1)) flags |= TSR_SQL_LEX_NO_BACKSLASH_ESCAPES;
  lua_pop(L, 2);
  return flags;
}

/* Parses argument 1 with the options of argument 2 into a new box (pushed).
 * Returns FALSE with nil and the parser's message pushed after the box. */
static gboolean parse_arg(lua_State *L, Box **boxp, guint *flagsp) {
  size_t len;
  const char *query = luaL_checklstring(L, 1, &len);
  guint flags = opt_flags(L, 2);
  Box *box = push_box(L);

  *boxp = box;
  *flagsp = flags;
  box->script = tsr_sql_parse(query, len, flags, NULL, &box->error);
  if (box->script) return TRUE;
  lua_pushnil(L);
  lua_pushstring(L, box->error->message);
  box_clear(box);
  return FALSE;
}

/* ---- building statement tables ---- */

typedef struct {
  lua_State *L;
  Box *box;
  TsrSqlPrintOptions opts;
} Builder;

static void set_string(lua_State *L, const char *field, const char *value) {
  if (!value) return;
  lua_pushstring(L, value);
  lua_setfield(L, -2, field);
}

static void set_bool(lua_State *L, const char *field, gboolean value) {
  lua_pushboolean(L, value);
  lua_setfield(L, -2, field);
}

static void set_number(lua_State *L, const char *field, lua_Number value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, field);
}

/* Pushes the printed SQL of an expression. */
static void push_expr(Builder *b, const TsrSqlExpr *e) {
  g_string_truncate(b->box->out, 0);
  tsr_sql_print_expr(b->box->out, e, &b->opts);
  lua_pushlstring(b->L, b->box->out->str, b->box->out->len);
}

/* t[field] = the printed SQL of e, when e is not NULL. */
static void set_expr(Builder *b, const char *field, const TsrSqlExpr *e) {
  if (!e) return;
  push_expr(b, e);
  lua_setfield(b->L, -2, field);
}

/* t[field] = a LIMIT or OFFSET value: a number when it is an integer
 * literal, else its SQL ("?"). */
static void set_limit_value(Builder *b, const char *field, const TsrSqlExpr *e) {
  if (!e) return;
  if (e->kind == TSR_SQL_EXPR_LITERAL && e->lit.kind == TSR_SQL_LIT_INTEGER)
    lua_pushnumber(b->L, g_ascii_strtod(e->lit.text, NULL));
  else
    push_expr(b, e);
  lua_setfield(b->L, -2, field);
}

static void set_limit(Builder *b, const TsrSqlLimit *limit) {
  set_limit_value(b, "limit", limit->count);
  set_limit_value(b, "offset", limit->offset);
}

/* t[field] = { { expr =, desc = }, ... }, when the list is not empty. */
static void set_order(Builder *b, const char *field, const TsrSqlList *list) {
  lua_State *L = b->L;
  if (list->len == 0) return;
  lua_createtable(L, (int)list->len, 0);
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlOrderItem *item = list->items[i];
    lua_createtable(L, 0, 2);
    set_expr(b, "expr", item->expr);
    set_bool(L, "desc", item->dir == TSR_SQL_ORDER_DESC);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, field);
}

/* Pushes { schema =, name =, alias = } of a NAME table reference. */
static void push_table(lua_State *L, const TsrSqlTableRef *ref) {
  lua_createtable(L, 0, 3);
  set_string(L, "schema", ref->schema);
  set_string(L, "name", ref->name);
  set_string(L, "alias", ref->alias);
}

/* The first NAME reference of a FROM item (the left end of a join), or
 * NULL for a derived table. */
static const TsrSqlTableRef *first_name(const TsrSqlTableRef *ref) {
  while (ref && ref->kind == TSR_SQL_TABLE_JOIN) ref = ref->left;
  return ref && ref->kind == TSR_SQL_TABLE_NAME ? ref : NULL;
}

static void set_table(lua_State *L, const char *field, const TsrSqlTableRef *ref) {
  if (!ref) return;
  push_table(L, ref);
  lua_setfield(L, -2, field);
}

/* tables = every NAME reference of the statement, in text order. */
static void set_tables(Builder *b, TsrSqlStmt *stmt) {
  lua_State *L = b->L;
  GPtrArray *tables;

  g_clear_pointer(&b->box->tables, g_ptr_array_unref);
  tables = b->box->tables = tsr_sql_stmt_tables(stmt);
  lua_createtable(L, (int)tables->len, 0);
  for (guint i = 0; i < tables->len; i++) {
    push_table(L, tables->pdata[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "tables");
  g_clear_pointer(&b->box->tables, g_ptr_array_unref);
}

/* The first simple query of a query (the one that names the columns). */
static const TsrSqlSelect *first_simple(const TsrSqlSelect *s) {
  while (s->kind == TSR_SQL_SELECT_UNION && s->parts.len > 0) s = s->parts.items[0];
  return s;
}

static void set_columns(Builder *b, const TsrSqlSelect *s) {
  lua_State *L = b->L;
  lua_createtable(L, (int)s->items.len, 0);
  for (guint i = 0; i < s->items.len; i++) {
    const TsrSqlSelectItem *item = s->items.items[i];
    lua_createtable(L, 0, 2);
    set_expr(b, "expr", item->expr);
    set_string(L, "alias", item->alias);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "columns");
}

static const char *lock_text(TsrSqlLock lock) {
  switch (lock) {
  case TSR_SQL_LOCK_FOR_UPDATE: return "FOR UPDATE";
  case TSR_SQL_LOCK_SHARE_MODE: return "LOCK IN SHARE MODE";
  case TSR_SQL_LOCK_FOR_SHARE: return "FOR SHARE";
  default: return NULL;
  }
}

/* The fields of a query, in the table on top of the stack. */
static void set_select(Builder *b, const TsrSqlSelect *s) {
  lua_State *L = b->L;

  luaL_checkstack(L, 8, "mysql.sql: a query nested too deep");
  set_columns(b, first_simple(s));
  if (s->kind == TSR_SQL_SELECT_UNION) {
    set_number(L, "union", s->parts.len);
    lua_createtable(L, (int)s->parts.len, 0);
    for (guint i = 0; i < s->parts.len; i++) {
      lua_createtable(L, 0, 8);
      set_select(b, s->parts.items[i]);
      lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "parts");
  } else {
    set_bool(L, "distinct", (s->options & (TSR_SQL_SELECT_DISTINCT | TSR_SQL_SELECT_DISTINCTROW)) != 0);
    set_expr(b, "where", s->where);
    set_order(b, "group_by", &s->group_by);
    set_expr(b, "having", s->having);
  }
  set_order(b, "order_by", &s->order_by);
  set_limit(b, &s->limit);
  set_string(L, "lock", lock_text(s->lock));
}

/* columns = names, values = { { sql, ... }, ... } of an INSERT/REPLACE. */
static void set_insert(Builder *b, const TsrSqlInsert *ins) {
  lua_State *L = b->L;
  const TsrSqlList *set = &ins->set;

  set_table(L, "table", ins->table);
  lua_createtable(L, (int)(ins->columns.len + set->len), 0);
  for (guint i = 0; i < ins->columns.len; i++) {
    const TsrSqlExpr *col = ins->columns.items[i];
    lua_pushstring(L, col->col.column);
    lua_rawseti(L, -2, (int)i + 1);
  }
  for (guint i = 0; i < set->len; i++) {
    const TsrSqlAssignment *a = set->items[i];
    lua_pushstring(L, a->column->col.column);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "columns");
  set_number(L, "rows", tsr_sql_insert_n_rows(ins));
  if (!ins->select) {
    guint n_rows = set->len ? 1 : ins->rows.len;
    lua_createtable(L, (int)n_rows, 0);
    for (guint r = 0; r < n_rows; r++) {
      const TsrSqlList *row = set->len ? NULL : ins->rows.items[r];
      guint n = row ? row->len : set->len;
      lua_createtable(L, (int)n, 0);
      for (guint i = 0; i < n; i++) {
        push_expr(b, row ? row->items[i] : ((const TsrSqlAssignment *)set->items[i])->value);
        lua_rawseti(L, -2, (int)i + 1);
      }
      lua_rawseti(L, -2, (int)r + 1);
    }
    lua_setfield(L, -2, "values");
  }
  set_bool(L, "select", ins->select != NULL);
  set_bool(L, "on_duplicate", ins->on_duplicate.len > 0);
  set_bool(L, "ignore", (ins->options & TSR_SQL_DML_IGNORE) != 0);
}

/* set = { { column =, value = }, ... } of an UPDATE. */
static void set_assignments(Builder *b, const TsrSqlList *list) {
  lua_State *L = b->L;
  lua_createtable(L, (int)list->len, 0);
  for (guint i = 0; i < list->len; i++) {
    const TsrSqlAssignment *a = list->items[i];
    lua_createtable(L, 0, 3);
    set_string(L, "column", a->column->col.column);
    set_string(L, "table", a->column->col.table);
    set_expr(b, "value", a->value);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "set");
}

static const char *scope_name(TsrSqlScope scope) {
  switch (scope) {
  case TSR_SQL_SCOPE_GLOBAL: return "global";
  case TSR_SQL_SCOPE_PERSIST: return "persist";
  case TSR_SQL_SCOPE_PERSIST_ONLY: return "persist_only";
  default: return "session";
  }
}

static const char *const isolation_text[] = {
  [TSR_SQL_ISOLATION_NONE] = NULL,
  [TSR_SQL_ISOLATION_READ_UNCOMMITTED] = "ISOLATION LEVEL READ UNCOMMITTED",
  [TSR_SQL_ISOLATION_READ_COMMITTED] = "ISOLATION LEVEL READ COMMITTED",
  [TSR_SQL_ISOLATION_REPEATABLE_READ] = "ISOLATION LEVEL REPEATABLE READ",
  [TSR_SQL_ISOLATION_SERIALIZABLE] = "ISOLATION LEVEL SERIALIZABLE",
};

/* Pushes { name =, value =, scope = } of one SET item. */
static void push_set_item(Builder *b, const TsrSqlSetItem *item) {
  lua_State *L = b->L;
  GString *out = b->box->out;

  lua_createtable(L, 0, 4);
  switch (item->kind) {
  case TSR_SQL_SET_VARIABLE:
    set_string(L, "name", item->var->var.name);
    set_string(L, "scope", item->var->var.kind == TSR_SQL_VAR_USER ? "user" : scope_name(item->var->var.scope));
    set_expr(b, "value", item->value);
    break;
  case TSR_SQL_SET_NAMES:
  case TSR_SQL_SET_CHARSET:
    set_string(L, "name", item->kind == TSR_SQL_SET_NAMES ? "names" : "charset");
    set_string(L, "scope", "session");
    set_string(L, "value", item->charset ? item->charset : "DEFAULT");
    set_string(L, "collation", item->collation);
    break;
  case TSR_SQL_SET_TRANSACTION:
    set_string(L, "name", "transaction");
    set_string(L, "scope", item->scope == TSR_SQL_SCOPE_DEFAULT ? "next" : scope_name(item->scope));
    g_string_truncate(out, 0);
    if ((guint)item->isolation < G_N_ELEMENTS(isolation_text) && isolation_text[item->isolation])
      g_string_append(out, isolation_text[item->isolation]);
    if (item->access != TSR_SQL_ACCESS_NONE)
      g_string_append_printf(out, "%s%s", out->len ? ", " : "",
                             item->access == TSR_SQL_ACCESS_READ_ONLY ? "READ ONLY" : "READ WRITE");
    lua_pushlstring(L, out->str, out->len);
    lua_setfield(L, -2, "value");
    break;
  }
}

static const char *xa_action_name(TsrSqlXaAction action) {
  static const char *const names[] = {
    [TSR_SQL_XA_START] = "start", [TSR_SQL_XA_END] = "end", [TSR_SQL_XA_PREPARE] = "prepare",
    [TSR_SQL_XA_COMMIT] = "commit", [TSR_SQL_XA_ROLLBACK] = "rollback", [TSR_SQL_XA_RECOVER] = "recover",
  };
  return (guint)action < G_N_ELEMENTS(names) ? names[action] : NULL;
}

/* Pushes the lower-case name of a statement kind. */
static void push_kind(lua_State *L, TsrSqlStmtKind kind) {
  const char *name = tsr_sql_stmt_kind_name(kind);
  char lower[32];
  gsize n = 0;
  for (; name[n] && n < sizeof lower; n++) lower[n] = g_ascii_tolower(name[n]);
  lua_pushlstring(L, lower, n);
}

/* Pushes the table of one statement. */
static void push_stmt(Builder *b, TsrSqlStmt *stmt) {
  lua_State *L = b->L;

  lua_createtable(L, 0, 16);
  push_kind(L, stmt->kind);
  lua_setfield(L, -2, "kind");
  lua_pushlstring(L, stmt->text, stmt->end - stmt->start);
  lua_setfield(L, -2, "text");
  set_number(L, "params", stmt->n_params);
  set_tables(b, stmt);
  switch (stmt->kind) {
  case TSR_SQL_STMT_SELECT:
    set_select(b, stmt->select);
    break;
  case TSR_SQL_STMT_INSERT:
  case TSR_SQL_STMT_REPLACE:
    set_insert(b, stmt->insert);
    break;
  case TSR_SQL_STMT_UPDATE:
    set_table(L, "table", stmt->update->tables.len ? first_name(stmt->update->tables.items[0]) : NULL);
    set_assignments(b, &stmt->update->set);
    set_expr(b, "where", stmt->update->where);
    set_order(b, "order_by", &stmt->update->order_by);
    set_limit(b, &stmt->update->limit);
    break;
  case TSR_SQL_STMT_DELETE: {
    const TsrSqlDelete *del = stmt->del;
    const TsrSqlList *targets = del->targets.len ? &del->targets : &del->from;
    set_table(L, "table", targets->len ? first_name(targets->items[0]) : NULL);
    set_expr(b, "where", del->where);
    set_order(b, "order_by", &del->order_by);
    set_limit(b, &del->limit);
    break;
  }
  case TSR_SQL_STMT_SET:
    lua_createtable(L, (int)stmt->set->len, 0);
    for (guint i = 0; i < stmt->set->len; i++) {
      push_set_item(b, stmt->set->items[i]);
      lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "assignments");
    break;
  case TSR_SQL_STMT_USE:
    set_string(L, "db", stmt->use_db);
    break;
  case TSR_SQL_STMT_BEGIN:
  case TSR_SQL_STMT_COMMIT:
  case TSR_SQL_STMT_ROLLBACK:
  case TSR_SQL_STMT_SAVEPOINT:
  case TSR_SQL_STMT_ROLLBACK_TO:
  case TSR_SQL_STMT_RELEASE:
    if (stmt->txn) set_string(L, "savepoint", stmt->txn->savepoint);
    break;
  case TSR_SQL_STMT_XA:
    set_string(L, "action", xa_action_name(stmt->xa->action));
    break;
  default:
    if (stmt->raw) set_string(L, "verb", stmt->raw->verb);
    break;
  }
}

/* ---- the module's functions ---- */

int tsr_lua_sql_parse(lua_State *L) {
  Builder b = { L, NULL, { 0 } };
  guint flags;
  TsrSqlScript *script;

  if (!parse_arg(L, &b.box, &flags)) return 2;
  b.opts.flags = flags;
  script = b.box->script;
  lua_createtable(L, (int)script->stmts.len, 0);
  for (guint i = 0; i < script->stmts.len; i++) {
    push_stmt(&b, script->stmts.items[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  box_clear(b.box);
  return 1;
}

static int sql_print(lua_State *L) {
  TsrSqlPrintOptions opts = { 0 };
  Box *box;
  guint flags;

  if (!parse_arg(L, &box, &flags)) return 2;
  opts.flags = flags;
  for (guint i = 0; i < box->script->stmts.len; i++) {
    if (i > 0) g_string_append(box->out, "; ");
    tsr_sql_print_stmt(box->out, box->script->stmts.items[i], &opts);
  }
  lua_pushlstring(L, box->out->str, box->out->len);
  box_clear(box);
  return 1;
}

static int sql_normalize(lua_State *L) {
  size_t len;
  const char *query = luaL_checklstring(L, 1, &len);
  guint flags = opt_flags(L, 2);
  Box *box = push_box(L);

  tsr_sql_normalize(box->out, query, len, flags);
  lua_pushlstring(L, box->out->str, box->out->len);
  box_clear(box);
  return 1;
}

int tsr_luaopen_mysql_sql(lua_State *L) {
  static const luaL_Reg funcs[] = {
    { "parse", tsr_lua_sql_parse },
    { "print", sql_print },
    { "normalize", sql_normalize },
    { NULL, NULL },
  };

  lua_createtable(L, 0, 4);
  luaL_setfuncs(L, funcs, 0);
  lua_pushliteral(L, "tessera mysql.sql");
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
