/* lua-response.c: proxy.response, the answer a hook builds when it returns
 * proxy.PROXY_SEND_RESULT, as MySQL Proxy 0.8 read it:
 *
 *   { type = proxy.MYSQLD_PACKET_OK,
 *     resultset = { fields = { { name = "id", type = proxy.MYSQL_TYPE_LONG }, ... },
 *                   rows = { { 1, "one" }, { 2, nil }, ... } } }
 *   { type = proxy.MYSQLD_PACKET_OK, affected_rows = n, insert_id = n,
 *     server_status = n, warnings = n }
 *   { type = proxy.MYSQLD_PACKET_ERR, errmsg = "...", errcode = 1105, sqlstate = "07000" }
 *   { type = proxy.MYSQLD_PACKET_RAW, packets = { payload, ... } }
 *
 * Fields: `type` defaults to MYSQL_TYPE_STRING (text in utf8mb4; numbers,
 * temporals and the BLOB types are binary); tessera also takes table,
 * org_table, org_name, db, length, flags, decimals and charset. Row values
 * are strings, numbers, booleans (1 / 0) or nil (NULL); a row shorter than
 * the fields ends in NULLs. A result set ends with EOF, or with an OK
 * packet when the client negotiated CLIENT_DEPRECATE_EOF. server_status
 * defaults to the session's current status (0.8 always said autocommit).
 * ERR defaults are 0.8's: code 1105, SQLSTATE 07000. */
#include <string.h>
#include "lua-session-private.h"
#include "protocol/mysql-wire.h"

#define DEFAULT_ERRCODE 1105        /* ER_UNKNOWN_ERROR */
#define DEFAULT_SQLSTATE "07000"
#define NOT_FIXED_DEC 31            /* decimals of FLOAT and DOUBLE without a scale */

typedef struct {
  TsrLuaSession *ls;
  GPtrArray *packets;               /* of GByteArray, owned by the caller */
} Encoder;

/* Returns a new packet payload, owned by e (so that a Lua error leaks nothing). */
static GByteArray *new_packet(Encoder *e) {
  GByteArray *p = g_byte_array_new();
  g_ptr_array_add(e->packets, p);
  return p;
}

/* Reads t.name (t at idx) as a number; def when nil. */
static lua_Number opt_number(lua_State *L, int idx, const char *what, const char *name, lua_Number def) {
  lua_Number n = def;
  lua_getfield(L, idx, name);
  if (lua_isnumber(L, -1)) n = lua_tonumber(L, -1);
  else if (!lua_isnil(L, -1)) luaL_error(L, "%s.%s must be a number, not a %s", what, name, luaL_typename(L, -1));
  lua_pop(L, 1);
  return n;
}

/* Reads t.name as a string into *out; def when nil. The value stays on the
 * stack (so that *out stays valid): callers restore the top. */
static void opt_slice(lua_State *L, int idx, const char *what, const char *name, const char *def, TsrSlice *out) {
  size_t len = 0;
  lua_getfield(L, idx, name);
  if (lua_isnil(L, -1)) {
    out->data = (const guint8 *)def;
    out->len = def ? strlen(def) : 0;
  } else if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
    out->data = (const guint8 *)lua_tolstring(L, -1, &len);
    out->len = len;
  } else {
    luaL_error(L, "%s.%s must be a string, not a %s", what, name, luaL_typename(L, -1));
  }
}

/* Pushes t.name, which must be a table (or nil when optional). Returns
 * FALSE (nothing pushed) when it is an absent optional. */
static gboolean push_table_field(lua_State *L, int idx, const char *what, const char *name, gboolean optional) {
  lua_getfield(L, idx, name);
  if (lua_istable(L, -1)) return TRUE;
  if (optional && lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return FALSE;
  }
  return luaL_error(L, "%s.%s must be a table, not a %s", what, name, luaL_typename(L, -1));
}

static guint16 response_status(lua_State *L, int idx, TsrSession *s) {
  return (guint16)opt_number(L, idx, "proxy.response", "server_status", tsr_session_server_status(s));
}

/* ---- MYSQLD_PACKET_OK ---- */

static gboolean type_is_numeric(guint8 type) {
  switch (type) {
  case TSR_TYPE_DECIMAL: case TSR_TYPE_TINY: case TSR_TYPE_SHORT: case TSR_TYPE_LONG: case TSR_TYPE_FLOAT:
  case TSR_TYPE_DOUBLE: case TSR_TYPE_LONGLONG: case TSR_TYPE_INT24: case TSR_TYPE_YEAR: case TSR_TYPE_NEWDECIMAL:
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean type_is_blob(guint8 type) {
  return type == TSR_TYPE_TINY_BLOB || type == TSR_TYPE_MEDIUM_BLOB || type == TSR_TYPE_LONG_BLOB ||
         type == TSR_TYPE_BLOB;
}

static gboolean type_is_temporal(guint8 type) {
  switch (type) {
  case TSR_TYPE_TIMESTAMP: case TSR_TYPE_DATE: case TSR_TYPE_TIME: case TSR_TYPE_DATETIME: case TSR_TYPE_NEWDATE:
  case TSR_TYPE_TIMESTAMP2: case TSR_TYPE_DATETIME2: case TSR_TYPE_TIME2:
    return TRUE;
  default:
    return FALSE;
  }
}

/* Encodes fields[i] (on top of the stack) as a column definition. */
static void encode_field(lua_State *L, Encoder *e, int i) {
  int t = lua_gettop(L);
  TsrColumnDef col;
  char what[64];
  gboolean numeric, binary;

  g_snprintf(what, sizeof what, "proxy.response.resultset.fields[%d]", i);
  if (!lua_istable(L, t)) luaL_error(L, "%s must be a table ({ name = ..., type = ... })", what);
  luaL_checkstack(L, 8, "proxy.response.resultset.fields");
  memset(&col, 0, sizeof col);
  col.type = (guint8)opt_number(L, t, what, "type", TSR_TYPE_STRING);
  numeric = type_is_numeric(col.type);
  binary = numeric || type_is_temporal(col.type) || type_is_blob(col.type);
  opt_slice(L, t, what, "name", "", &col.name);
  opt_slice(L, t, what, "org_name", NULL, &col.org_name);
  if (!col.org_name.data) col.org_name = col.name;
  opt_slice(L, t, what, "table", "", &col.table);
  opt_slice(L, t, what, "org_table", NULL, &col.org_table);
  if (!col.org_table.data) col.org_table = col.table;
  opt_slice(L, t, what, "db", "", &col.schema);
  opt_slice(L, t, what, "catalog", "def", &col.catalog);
  col.charset = (guint16)opt_number(L, t, what, "charset", binary ? TSR_CHARSET_BINARY : TSR_CHARSET_UTF8MB4_GENERAL_CI);
  col.column_length = (guint32)opt_number(L, t, what, "length", numeric ? 21 : 1024);
  col.flags = (guint16)opt_number(L, t, what, "flags",
                                 (binary ? TSR_FIELD_BINARY : 0) | (numeric ? TSR_FIELD_NUM : 0) |
                                   (type_is_blob(col.type) ? TSR_FIELD_BLOB : 0));
  col.decimals = (guint8)opt_number(L, t, what, "decimals",
                                    col.type == TSR_TYPE_FLOAT || col.type == TSR_TYPE_DOUBLE ? NOT_FIXED_DEC : 0);
  tsr_column_def_encode(new_packet(e), 0, &col);
  lua_settop(L, t);
}

/* Encodes rows[r] (on top of the stack) as a text row of n values. */
static void encode_row(lua_State *L, Encoder *e, int r, TsrSlice *values, int n) {
  int row = lua_gettop(L);

  if (!lua_istable(L, row)) luaL_error(L, "proxy.response.resultset.rows[%d] must be a table of values", r);
  luaL_checkstack(L, n, "too many fields in proxy.response.resultset");
  for (int j = 1; j <= n; j++) {
    size_t len = 0;
    lua_rawgeti(L, row, j);
    switch (lua_type(L, -1)) {
    case LUA_TNIL:
      values[j - 1].data = NULL;
      values[j - 1].len = 0;
      break;
    case LUA_TBOOLEAN:
      values[j - 1].data = (const guint8 *)(lua_toboolean(L, -1) ? "1" : "0");
      values[j - 1].len = 1;
      break;
    case LUA_TNUMBER:
    case LUA_TSTRING:
      values[j - 1].data = (const guint8 *)lua_tolstring(L, -1, &len);
      values[j - 1].len = len;
      break;
    default:
      luaL_error(L, "proxy.response.resultset.rows[%d][%d] is a %s: values are strings, numbers, booleans or nil",
                 r, j, luaL_typename(L, -1));
    }
  }
  tsr_text_row_encode(new_packet(e), values, (guint)n);
  lua_settop(L, row);
}

/* The end of the column definitions or of the rows: EOF, or OK with an
 * 0xFE header under CLIENT_DEPRECATE_EOF (end_of_rows only). */
static void encode_eof(Encoder *e, guint32 caps, guint16 status, guint16 warnings, gboolean end_of_rows) {
  if (caps & TSR_CLIENT_DEPRECATE_EOF) {
    TsrOkPacket ok = { 0 };
    if (!end_of_rows) return;
    ok.status = status;
    ok.warnings = warnings;
    tsr_ok_encode(new_packet(e), caps, &ok, TRUE);
    return;
  }
  tsr_eof_encode(new_packet(e), warnings, status);
}

/* proxy.response (at resp) with its resultset on top of the stack. */
static void encode_resultset(lua_State *L, Encoder *e, int resp) {
  int rs = lua_gettop(L), n, fields;
  guint32 caps = tsr_session_capabilities(e->ls->session);
  guint16 status = response_status(L, resp, e->ls->session);
  guint16 warnings = (guint16)opt_number(L, resp, "proxy.response", "warnings", 0);
  TsrSlice *values;

  push_table_field(L, rs, "proxy.response.resultset", "fields", FALSE);
  fields = lua_gettop(L);
  n = (int)lua_objlen(L, fields);
  if (n < 1) luaL_error(L, "proxy.response.resultset.fields is empty: a result set has at least one field");
  tsr_column_count_encode(new_packet(e), (guint64)n, 0, TRUE);
  for (int i = 1; i <= n; i++) {
    lua_rawgeti(L, fields, i);
    encode_field(L, e, i);
    lua_pop(L, 1);
  }
  encode_eof(e, caps, status, warnings, FALSE);
  values = lua_newuserdata(L, sizeof *values * (gsize)n);
  if (push_table_field(L, rs, "proxy.response.resultset", "rows", TRUE)) {
    int rows = lua_gettop(L), count = (int)lua_objlen(L, rows);
    for (int r = 1; r <= count; r++) {
      lua_rawgeti(L, rows, r);
      encode_row(L, e, r, values, n);
      lua_pop(L, 1);
    }
  }
  encode_eof(e, caps, status, warnings, TRUE);
  lua_settop(L, rs);
}

static void encode_ok(lua_State *L, Encoder *e, int resp) {
  TsrOkPacket ok = { 0 };

  if (push_table_field(L, resp, "proxy.response", "resultset", TRUE)) {
    encode_resultset(L, e, resp);
    lua_pop(L, 1);
    return;
  }
  ok.affected_rows = (guint64)opt_number(L, resp, "proxy.response", "affected_rows", 0);
  ok.last_insert_id = (guint64)opt_number(L, resp, "proxy.response", "insert_id", 0);
  ok.status = response_status(L, resp, e->ls->session);
  ok.warnings = (guint16)opt_number(L, resp, "proxy.response", "warnings", 0);
  opt_slice(L, resp, "proxy.response", "info", "", &ok.info);
  tsr_ok_encode(new_packet(e), tsr_session_capabilities(e->ls->session), &ok, FALSE);
}

/* ---- MYSQLD_PACKET_ERR and MYSQLD_PACKET_RAW ---- */

static void encode_err(lua_State *L, Encoder *e, int resp) {
  lua_Number code = opt_number(L, resp, "proxy.response", "errcode", DEFAULT_ERRCODE);
  TsrSlice msg, state;
  g_autofree char *message = NULL;
  char sqlstate[6];

  if (code < 0 || code > 65535) luaL_error(L, "proxy.response.errcode = %f is not an error code (0 to 65535)", code);
  opt_slice(L, resp, "proxy.response", "errmsg", "(lua) proxy.response.errmsg is nil", &msg);
  opt_slice(L, resp, "proxy.response", "sqlstate", DEFAULT_SQLSTATE, &state);
  g_strlcpy(sqlstate, (const char *)state.data, MIN(sizeof sqlstate, state.len + 1));
  message = g_strndup((const char *)msg.data, msg.len);
  tsr_err_encode(new_packet(e), (guint16)code, sqlstate, message);
}

static void encode_raw(lua_State *L, Encoder *e, int resp) {
  int packets, n;

  push_table_field(L, resp, "proxy.response", "packets", FALSE);
  packets = lua_gettop(L);
  n = (int)lua_objlen(L, packets);
  if (n < 1) luaL_error(L, "proxy.response.packets is empty: give the answer's packets (payloads, without headers)");
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *p;
    lua_rawgeti(L, packets, i);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "proxy.response.packets[%d] is a %s: packets are strings", i, luaL_typename(L, -1));
    p = lua_tolstring(L, -1, &len);
    g_byte_array_append(new_packet(e), (const guint8 *)p, (guint)len);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* In protected mode: encodes the connection's proxy.response. */
static void encode_response(lua_State *L, gpointer data) {
  Encoder *e = data;
  int resp;
  lua_Integer type;

  tsr_lua_env_push_proxy(e->ls->env);
  lua_getfield(L, -1, "response");
  resp = lua_gettop(L);
  if (!lua_istable(L, resp))
    luaL_error(L, "the hook returned proxy.PROXY_SEND_RESULT but proxy.response is a %s, not a table",
               luaL_typename(L, resp));
  lua_getfield(L, resp, "type");
  if (!lua_isnumber(L, -1))
    luaL_error(L, "the hook returned proxy.PROXY_SEND_RESULT but proxy.response.type is not set: set it to "
               "proxy.MYSQLD_PACKET_OK, proxy.MYSQLD_PACKET_ERR or proxy.MYSQLD_PACKET_RAW");
  type = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (type == TSR_PACKET_OK) encode_ok(L, e, resp);
  else if (type == TSR_PACKET_ERR) encode_err(L, e, resp);
  else if (type == 0xfa) encode_raw(L, e, resp);
  else
    luaL_error(L, "proxy.response.type = %d is unknown: use proxy.MYSQLD_PACKET_OK, proxy.MYSQLD_PACKET_ERR or "
               "proxy.MYSQLD_PACKET_RAW", (int)type);
}

gboolean tsr_lua_response_send(TsrLuaSession *ls, GError **error) {
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
  Encoder e = { ls, packets };

  if (!tsr_lua_vm_protect(ls->worker->vm, encode_response, &e, error)) return FALSE;
  for (guint i = 0; i < packets->len; i++) {
    GByteArray *p = g_ptr_array_index(packets, i);
    tsr_session_respond(ls->session, p->data, p->len);
  }
  return TRUE;
}
