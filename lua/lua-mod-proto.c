/* lua-mod-proto.c: the mysql.proto module: MySQL packets (payloads, without
 * the 4-byte frame header) to and from Lua tables, with MySQL Proxy 0.8's
 * function and field names, on the protocol/ codec.
 *
 *   from_err_packet / to_err_packet        errmsg, sqlstate, errcode
 *   from_ok_packet / to_ok_packet          server_status, insert_id, warnings, affected_rows
 *   from_eof_packet / to_eof_packet        server_status, warnings
 *   from_challenge_packet / to_challenge_packet   (HandshakeV10)
 *       protocol_version, server_version (50130 for "5.1.30"), thread_id,
 *       capabilities, charset, server_status, challenge, auth_plugin_name;
 *       tessera adds server_version_str and mariadb_capabilities
 *   from_response_packet(packet [, server_capabilities]) / to_response_packet
 *       (HandshakeResponse41) capabilities, max_packet_size, charset,
 *       username, response, auth_plugin_name, database, server_capabilities;
 *       tessera adds mariadb_capabilities
 *   from_stmt_prepare_packet / to_stmt_prepare_packet     stmt_text
 *   from_stmt_prepare_ok_packet / to_stmt_prepare_ok_packet
 *       stmt_id, num_columns, num_params, warnings
 *   from_stmt_execute_packet(packet, num_params [, types]) / to_stmt_execute_packet
 *       stmt_id, flags, iteration_count, new_params_bound,
 *       params = { { type = ..., value = ..., unsigned = ... }, ... }
 *   stmt_id_from_stmt_execute_packet(packet)
 *   from_stmt_close_packet / to_stmt_close_packet         stmt_id
 *
 * As in 0.8, decoders leave out string fields that are empty. The to_*
 * functions (those 0.8 did not have included) take missing fields as 0 or
 * empty, except where noted at the function. A packet that does not decode
 * raises an error naming the field. Loading the module also sets the
 * global `proto`, as 0.8's luaL_register did. */
#include <stdio.h>
#include <string.h>
#include "lua-private.h"
#include "lua-proto-values.h"
#include "protocol/mysql-auth.h"
#include "protocol/mysql-command.h"
#include "protocol/mysql-handshake.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-stmt.h"
#include "protocol/mysql-wire.h"

/* Capabilities a to_challenge_packet / to_response_packet writes when the
 * table has none. */
#define DEFAULT_SERVER_CAPS \
  (TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_FOUND_ROWS | TSR_CLIENT_LONG_FLAG | TSR_CLIENT_CONNECT_WITH_DB | \
   TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_TRANSACTIONS | TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_MULTI_STATEMENTS | \
   TSR_CLIENT_MULTI_RESULTS | TSR_CLIENT_PLUGIN_AUTH)
#define DEFAULT_CLIENT_CAPS \
  (TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_LONG_FLAG | TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_TRANSACTIONS | \
   TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_MULTI_RESULTS | TSR_CLIENT_PLUGIN_AUTH)
#define DEFAULT_MAX_PACKET_SIZE 0x01000000u
#define DEFAULT_SERVER_VERSION "5.0.99"

/* ---- helpers ---- */

static const guint8 *check_packet(lua_State *L, gsize *len) {
  size_t l;
  const char *s = luaL_checklstring(L, 1, &l);
  *len = l;
  return (const guint8 *)s;
}

/* Raises "mysql.proto.<fn>: <what the decoder said>" (frees error). */
static int decode_failed(lua_State *L, const char *fn, GError *error) {
  lua_pushfstring(L, "mysql.proto.%s: %s", fn, error ? error->message : "cannot decode the packet");
  g_clear_error(&error);
  return lua_error(L);
}

static void set_int(lua_State *L, const char *name, lua_Number value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, name);
}

/* Sets a string field unless it is empty (as 0.8 did). */
static void set_str(lua_State *L, const char *name, const void *data, gsize len) {
  if (!data || len == 0) return;
  lua_pushlstring(L, data, len);
  lua_setfield(L, -2, name);
}

/* Reads integer field `name` of the table at 1, or def when it is nil. */
static lua_Number opt_num(lua_State *L, const char *name, lua_Number def) {
  lua_Number value = def;
  lua_getfield(L, 1, name);
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) luaL_error(L, "field '%s': a number expected, got %s", name, luaL_typename(L, -1));
    value = lua_tonumber(L, -1);
  }
  lua_pop(L, 1);
  return value;
}

/* Reads string field `name` of the table at 1 (def when nil). The string
 * stays alive as long as the table holds it. */
static const char *opt_str(lua_State *L, const char *name, const char *def, gsize *len) {
  const char *s = def;
  size_t l = def ? strlen(def) : 0;
  lua_getfield(L, 1, name);
  if (!lua_isnil(L, -1)) {
    if (!lua_isstring(L, -1)) luaL_error(L, "field '%s': a string expected, got %s", name, luaL_typename(L, -1));
    s = lua_tolstring(L, -1, &l);
  }
  lua_pop(L, 1);
  if (len) *len = l;
  return s;
}

static gboolean has_field(lua_State *L, const char *name) {
  gboolean present;
  lua_getfield(L, 1, name);
  present = !lua_isnil(L, -1);
  lua_pop(L, 1);
  return present;
}

/* Returns a zeroed array of n elements that the Lua GC owns (it stays on
 * the stack): safe to hold across calls that may raise an error. */
static void *new_array(lua_State *L, gsize n, gsize size) {
  void *p = lua_newuserdata(L, (n + 1) * size);
  memset(p, 0, (n + 1) * size);
  return p;
}

/* Pushes the bytes as a string and frees the array. Nothing may raise an
 * error between making the array and this call. */
static int push_bytes(lua_State *L, GByteArray *bytes) {
  lua_pushlstring(L, (const char *)bytes->data, bytes->len);
  g_byte_array_unref(bytes);
  return 1;
}

/* ---- OK, ERR, EOF ---- */

static int from_err_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  TsrErrPacket err;
  GError *error = NULL;

  if (tsr_err_decode(p, len, &err, &error) != TSR_DECODE_OK) return decode_failed(L, "from_err_packet", error);
  lua_createtable(L, 0, 3);
  set_str(L, "errmsg", err.message.data, err.message.len);
  set_str(L, "sqlstate", err.sqlstate, strlen(err.sqlstate));
  set_int(L, "errcode", err.code);
  return 1;
}

/* errcode defaults to 0, sqlstate to "HY000". */
static int to_err_packet(lua_State *L) {
  GByteArray *out;
  g_autofree char *message = NULL;
  gsize len;
  const char *msg, *sqlstate;
  lua_Number code;

  luaL_checktype(L, 1, LUA_TTABLE);
  msg = opt_str(L, "errmsg", "", &len);
  sqlstate = opt_str(L, "sqlstate", NULL, NULL);
  code = opt_num(L, "errcode", 0);
  message = g_strndup(msg, len);
  out = g_byte_array_new();
  tsr_err_encode(out, (guint16)code, sqlstate, message);
  return push_bytes(L, out);
}

static int from_ok_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  TsrOkPacket ok;
  GError *error = NULL;

  if (tsr_ok_decode(p, len, TSR_CLIENT_PROTOCOL_41, &ok, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_ok_packet", error);
  lua_createtable(L, 0, 4);
  set_int(L, "server_status", ok.status);
  set_int(L, "insert_id", (lua_Number)ok.last_insert_id);
  set_int(L, "warnings", ok.warnings);
  set_int(L, "affected_rows", (lua_Number)ok.affected_rows);
  return 1;
}

static int to_ok_packet(lua_State *L) {
  GByteArray *out;
  TsrOkPacket ok = { 0 };

  luaL_checktype(L, 1, LUA_TTABLE);
  ok.status = (guint16)opt_num(L, "server_status", 0);
  ok.last_insert_id = (guint64)opt_num(L, "insert_id", 0);
  ok.warnings = (guint16)opt_num(L, "warnings", 0);
  ok.affected_rows = (guint64)opt_num(L, "affected_rows", 0);
  out = g_byte_array_new();
  tsr_ok_encode(out, TSR_CLIENT_PROTOCOL_41, &ok, FALSE);
  return push_bytes(L, out);
}

static int from_eof_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  TsrEofPacket eof;
  GError *error = NULL;

  if (tsr_eof_decode(p, len, &eof, &error) != TSR_DECODE_OK) return decode_failed(L, "from_eof_packet", error);
  lua_createtable(L, 0, 2);
  set_int(L, "server_status", eof.status);
  set_int(L, "warnings", eof.warnings);
  return 1;
}

static int to_eof_packet(lua_State *L) {
  GByteArray *out;
  guint16 warnings, status;

  luaL_checktype(L, 1, LUA_TTABLE);
  warnings = (guint16)opt_num(L, "warnings", 0);
  status = (guint16)opt_num(L, "server_status", 0);
  out = g_byte_array_new();
  tsr_eof_encode(out, warnings, status);
  return push_bytes(L, out);
}

/* ---- HandshakeV10 ---- */

/* "5.1.30-log" -> 50130, as 0.8 did; 0 when it does not start with x.y.z. */
static lua_Number version_number(const TsrSlice *version) {
  g_autofree char *text = g_strndup((const char *)version->data, version->len);
  unsigned major, minor, patch;
  if (sscanf(text, "%u.%u.%u", &major, &minor, &patch) != 3 || minor > 99 || patch > 99) return 0;
  return major * 10000.0 + minor * 100.0 + patch;
}

static int from_challenge_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  TsrHandshakeV10 hs;
  GError *error = NULL;

  if (tsr_handshake_v10_decode(p, len, &hs, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_challenge_packet", error);
  lua_createtable(L, 0, 10);
  set_int(L, "protocol_version", hs.protocol_version);
  set_int(L, "server_version", version_number(&hs.server_version));
  set_str(L, "server_version_str", hs.server_version.data, hs.server_version.len);
  set_int(L, "thread_id", hs.connection_id);
  set_int(L, "capabilities", hs.capabilities);
  set_int(L, "charset", hs.charset);
  set_int(L, "server_status", hs.status);
  set_str(L, "challenge", hs.scramble, hs.scramble_len);
  set_str(L, "auth_plugin_name", hs.auth_plugin_name.data, hs.auth_plugin_name.len);
  if (hs.mariadb_capabilities) set_int(L, "mariadb_capabilities", hs.mariadb_capabilities);
  return 1;
}

/* Missing fields: server_version_str from server_version (as
 * "%d.%d.%d", or "5.0.99"; 0.8 wrote "5.01.30"), a random 20-byte challenge, capabilities
 * DEFAULT_SERVER_CAPS, charset utf8mb4_general_ci, server_status
 * autocommit, auth_plugin_name "mysql_native_password". */
static int to_challenge_packet(lua_State *L) {
  GByteArray *out;
  TsrHandshakeV10 hs = { 0 };
  char version[32];
  const char *text, *challenge, *plugin;
  gsize text_len, challenge_len, plugin_len;
  lua_Number number;

  luaL_checktype(L, 1, LUA_TTABLE);
  number = opt_num(L, "server_version", 0);
  if (number > 30000 && number < 100000)
    g_snprintf(version, sizeof version, "%d.%d.%d", (int)number / 10000, ((int)number % 10000) / 100,
               (int)number % 100);
  else
    g_strlcpy(version, DEFAULT_SERVER_VERSION, sizeof version);
  text = opt_str(L, "server_version_str", version, &text_len);
  challenge = opt_str(L, "challenge", NULL, &challenge_len);
  if (challenge && (challenge_len < 8 || challenge_len > TSR_SCRAMBLE_MAX))
    return luaL_error(L, "field 'challenge': 8 to %d bytes expected, got %d", TSR_SCRAMBLE_MAX, (int)challenge_len);
  plugin = opt_str(L, "auth_plugin_name", TSR_NATIVE_PLUGIN_NAME, &plugin_len);

  hs.protocol_version = (guint8)opt_num(L, "protocol_version", 10);
  hs.server_version = (TsrSlice){ (const guint8 *)text, text_len };
  hs.connection_id = (guint32)opt_num(L, "thread_id", 0);
  if (challenge) {
    memcpy(hs.scramble, challenge, challenge_len);
    hs.scramble_len = challenge_len;
  } else {
    tsr_scramble_generate(hs.scramble, TSR_SCRAMBLE_LEN);
    hs.scramble_len = TSR_SCRAMBLE_LEN;
  }
  hs.capabilities = (guint32)opt_num(L, "capabilities", DEFAULT_SERVER_CAPS);
  hs.mariadb_capabilities = (guint32)opt_num(L, "mariadb_capabilities", 0);
  hs.charset = (guint8)opt_num(L, "charset", TSR_CHARSET_UTF8MB4_GENERAL_CI);
  hs.status = (guint16)opt_num(L, "server_status", TSR_SERVER_STATUS_AUTOCOMMIT);
  hs.auth_plugin_name = (TsrSlice){ (const guint8 *)plugin, plugin_len };
  out = g_byte_array_new();
  tsr_handshake_v10_encode(out, &hs);
  return push_bytes(L, out);
}

/* ---- HandshakeResponse41 ---- */

static int from_response_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  gboolean has_server_caps = !lua_isnoneornil(L, 2);
  lua_Number server_caps = has_server_caps ? luaL_checknumber(L, 2) : 0;
  TsrHandshakeResponse r;
  GError *error = NULL;

  if (tsr_handshake_response_decode(p, len, &r, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_response_packet", error);
  lua_createtable(L, 0, 8);
  set_int(L, "capabilities", r.capabilities);
  if (has_server_caps) set_int(L, "server_capabilities", server_caps);
  set_int(L, "max_packet_size", r.max_packet_size);
  set_int(L, "charset", r.charset);
  set_str(L, "username", r.username.data, r.username.len);
  set_str(L, "response", r.auth_response.data, r.auth_response.len);
  set_str(L, "auth_plugin_name", r.auth_plugin_name.data, r.auth_plugin_name.len);
  set_str(L, "database", r.database.data, r.database.len);
  if (r.mariadb_capabilities) set_int(L, "mariadb_capabilities", r.mariadb_capabilities);
  return 1;
}

/* Missing capabilities: DEFAULT_CLIENT_CAPS, with CLIENT_CONNECT_WITH_DB
 * when a database is given; max_packet_size 16 MiB; charset
 * utf8mb4_general_ci; auth_plugin_name "mysql_native_password".
 * server_capabilities is accepted and not needed. */
static int to_response_packet(lua_State *L) {
  GByteArray *out;
  TsrHandshakeResponse r = { 0 };
  const char *user, *response, *db, *plugin;
  gsize user_len, response_len, db_len, plugin_len;

  luaL_checktype(L, 1, LUA_TTABLE);
  user = opt_str(L, "username", "", &user_len);
  response = opt_str(L, "response", "", &response_len);
  db = opt_str(L, "database", "", &db_len);
  plugin = opt_str(L, "auth_plugin_name", TSR_NATIVE_PLUGIN_NAME, &plugin_len);
  if (has_field(L, "capabilities")) r.capabilities = (guint32)opt_num(L, "capabilities", 0);
  else r.capabilities = DEFAULT_CLIENT_CAPS | (db_len ? TSR_CLIENT_CONNECT_WITH_DB : 0);
  if (!(r.capabilities & TSR_CLIENT_PROTOCOL_41))
    return luaL_error(L, "field 'capabilities': only CLIENT_PROTOCOL_41 responses can be written");
  if ((r.capabilities & TSR_CLIENT_SECURE_CONNECTION) &&
      !(r.capabilities & TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) && response_len > 255)
    return luaL_error(L, "field 'response': at most 255 bytes with CLIENT_SECURE_CONNECTION");
  r.max_packet_size = (guint32)opt_num(L, "max_packet_size", DEFAULT_MAX_PACKET_SIZE);
  r.mariadb_capabilities = (guint32)opt_num(L, "mariadb_capabilities", 0);
  r.charset = (guint8)opt_num(L, "charset", TSR_CHARSET_UTF8MB4_GENERAL_CI);
  r.username = (TsrSlice){ (const guint8 *)user, user_len };
  r.auth_response = (TsrSlice){ (const guint8 *)response, response_len };
  r.database = (TsrSlice){ (const guint8 *)db, db_len };
  r.auth_plugin_name = (TsrSlice){ (const guint8 *)plugin, plugin_len };
  out = g_byte_array_new();
  tsr_handshake_response_encode(out, &r);
  return push_bytes(L, out);
}

/* ---- prepared statements ---- */

static int from_stmt_prepare_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  TsrSlice text;
  GError *error = NULL;

  if (tsr_command_text_decode(p, len, TSR_COM_STMT_PREPARE, &text, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_stmt_prepare_packet", error);
  lua_createtable(L, 0, 1);
  set_str(L, "stmt_text", text.data, text.len);
  return 1;
}

static int to_stmt_prepare_packet(lua_State *L) {
  GByteArray *out;
  gsize len;
  const char *text;

  luaL_checktype(L, 1, LUA_TTABLE);
  text = opt_str(L, "stmt_text", "", &len);
  out = g_byte_array_new();
  tsr_command_text_encode(out, TSR_COM_STMT_PREPARE, text, len);
  return push_bytes(L, out);
}

static int from_stmt_prepare_ok_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  TsrStmtPrepareOk ok;
  GError *error = NULL;

  if (tsr_stmt_prepare_ok_decode(p, len, &ok, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_stmt_prepare_ok_packet", error);
  lua_createtable(L, 0, 4);
  set_int(L, "stmt_id", ok.stmt_id);
  set_int(L, "num_columns", ok.columns);
  set_int(L, "num_params", ok.params);
  set_int(L, "warnings", ok.warnings);
  return 1;
}

static int to_stmt_prepare_ok_packet(lua_State *L) {
  GByteArray *out;
  TsrStmtPrepareOk ok;

  luaL_checktype(L, 1, LUA_TTABLE);
  ok.stmt_id = (guint32)opt_num(L, "stmt_id", 0);
  ok.columns = (guint16)opt_num(L, "num_columns", 0);
  ok.params = (guint16)opt_num(L, "num_params", 0);
  ok.warnings = (guint16)opt_num(L, "warnings", 0);
  out = g_byte_array_new();
  tsr_stmt_prepare_ok_encode(out, &ok);
  return push_bytes(L, out);
}

/* TRUE when a COM_STMT_EXECUTE of n_params parameters carries their types
 * (its new-params-bound byte is set); FALSE also when it is too short. */
static gboolean execute_binds_types(const guint8 *p, gsize len, guint n_params) {
  gsize at = 1 + 4 + 1 + 4 + tsr_null_bitmap_size(n_params, 0);
  return at < len && p[at] != 0;
}

/* Reads the types argument at 3 ({ { type=, unsigned= }, ... }, e.g. the
 * params of an earlier execute) into types[0..n). */
static gboolean read_types(lua_State *L, guint n, TsrValueType *types) {
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, 3, (int)i + 1);
    if (!lua_istable(L, -1)) luaL_error(L, "types[%d]: a table { type = ... } expected", (int)i + 1);
    lua_getfield(L, -1, "type");
    types[i].type = (guint8)luaL_checkinteger(L, -1);
    lua_getfield(L, -2, "unsigned");
    types[i].is_unsigned = lua_toboolean(L, -1);
    lua_pop(L, 3);
  }
  return TRUE;
}

static void push_params(lua_State *L, const TsrValue *params, guint n) {
  lua_createtable(L, (int)n, 0);
  for (guint i = 0; i < n; i++) {
    lua_createtable(L, 0, 3);
    set_int(L, "type", params[i].type.type);
    if (params[i].type.is_unsigned) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "unsigned");
    }
    tsr_lua_push_binary_value(L, &params[i]);
    lua_setfield(L, -2, "value");
    lua_rawseti(L, -2, (int)i + 1);
  }
}

/* from_stmt_execute_packet(packet, num_params [, types]): params are
 * decoded when the packet carries their types, or when `types` gives them
 * (0.8 left params out otherwise; so does this without `types`). */
static int from_stmt_execute_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  lua_Integer n = luaL_checkinteger(L, 2);
  gboolean has_types = !lua_isnoneornil(L, 3);
  TsrValue *params;
  TsrValueType *types;
  TsrStmtExecute ex;
  GError *error = NULL;
  gboolean with_params;

  luaL_argcheck(L, n >= 0 && n <= 0xffff, 2, "0 to 65535 parameters expected");
  if (has_types) luaL_checktype(L, 3, LUA_TTABLE);
  params = new_array(L, (gsize)n, sizeof *params);
  types = new_array(L, (gsize)n, sizeof *types);
  with_params = n > 0 && (execute_binds_types(p, len, (guint)n) || (has_types && read_types(L, (guint)n, types)));
  /* Without types the values cannot be read: only the header is, as in 0.8. */
  if (tsr_stmt_execute_decode(p, with_params ? len : MIN(len, 10), with_params ? (guint)n : 0, types, NULL, &ex,
                              params, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_stmt_execute_packet", error);
  lua_createtable(L, 0, 5);
  set_int(L, "stmt_id", ex.stmt_id);
  set_int(L, "flags", ex.flags);
  set_int(L, "iteration_count", ex.iteration_count);
  lua_pushboolean(L, with_params && ex.new_params_bound);
  lua_setfield(L, -2, "new_params_bound");
  if (with_params && n > 0) {
    push_params(L, params, (guint)n);
    lua_setfield(L, -2, "params");
  }
  return 1;
}

/* to_stmt_execute_packet{ stmt_id, flags = 0, iteration_count = 1,
 * new_params_bound = true, params = { ... } }. */
static int to_stmt_execute_packet(lua_State *L) {
  TsrValue *params;
  TsrStmtExecute ex;
  GByteArray *out;
  int n = 0, list;

  luaL_checktype(L, 1, LUA_TTABLE);
  ex.stmt_id = (guint32)opt_num(L, "stmt_id", 0);
  ex.flags = (guint8)opt_num(L, "flags", 0);
  ex.iteration_count = (guint32)opt_num(L, "iteration_count", 1);
  lua_getfield(L, 1, "new_params_bound");
  ex.new_params_bound = lua_isnil(L, -1) || lua_toboolean(L, -1);
  lua_getfield(L, 1, "params");
  list = lua_gettop(L);
  if (!lua_isnil(L, list)) {
    luaL_checktype(L, list, LUA_TTABLE);
    n = (int)lua_objlen(L, list);
  }
  params = new_array(L, (gsize)n, sizeof *params);
  for (int i = 0; i < n; i++) {
    /* String values point into strings that the params table keeps. */
    lua_rawgeti(L, list, i + 1);
    tsr_lua_check_binary_value(L, lua_gettop(L), &params[i], i + 1);
    lua_pop(L, 1);
  }
  out = g_byte_array_new();
  tsr_stmt_execute_encode(out, &ex, params, (guint)n);
  return push_bytes(L, out);
}

static int stmt_id_from_stmt_execute_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  if (len < 5 || p[0] != TSR_COM_STMT_EXECUTE)
    return luaL_error(L, "mysql.proto.stmt_id_from_stmt_execute_packet: not a COM_STMT_EXECUTE packet");
  lua_pushnumber(L, tsr_le32(p + 1));
  return 1;
}

static int from_stmt_close_packet(lua_State *L) {
  gsize len;
  const guint8 *p = check_packet(L, &len);
  guint32 stmt_id;
  GError *error = NULL;

  if (tsr_stmt_id_command_decode(p, len, TSR_COM_STMT_CLOSE, &stmt_id, &error) != TSR_DECODE_OK)
    return decode_failed(L, "from_stmt_close_packet", error);
  lua_createtable(L, 0, 1);
  set_int(L, "stmt_id", stmt_id);
  return 1;
}

static int to_stmt_close_packet(lua_State *L) {
  GByteArray *out;
  guint32 stmt_id;

  luaL_checktype(L, 1, LUA_TTABLE);
  stmt_id = (guint32)opt_num(L, "stmt_id", 0);
  out = g_byte_array_new();
  tsr_stmt_id_command_encode(out, TSR_COM_STMT_CLOSE, stmt_id);
  return push_bytes(L, out);
}

int tsr_luaopen_mysql_proto(lua_State *L) {
  static const luaL_Reg funcs[] = {
    { "from_err_packet", from_err_packet },
    { "to_err_packet", to_err_packet },
    { "from_ok_packet", from_ok_packet },
    { "to_ok_packet", to_ok_packet },
    { "from_eof_packet", from_eof_packet },
    { "to_eof_packet", to_eof_packet },
    { "from_challenge_packet", from_challenge_packet },
    { "to_challenge_packet", to_challenge_packet },
    { "from_response_packet", from_response_packet },
    { "to_response_packet", to_response_packet },
    { "from_stmt_prepare_packet", from_stmt_prepare_packet },
    { "to_stmt_prepare_packet", to_stmt_prepare_packet },
    { "from_stmt_prepare_ok_packet", from_stmt_prepare_ok_packet },
    { "to_stmt_prepare_ok_packet", to_stmt_prepare_ok_packet },
    { "from_stmt_execute_packet", from_stmt_execute_packet },
    { "to_stmt_execute_packet", to_stmt_execute_packet },
    { "stmt_id_from_stmt_execute_packet", stmt_id_from_stmt_execute_packet },
    { "from_stmt_close_packet", from_stmt_close_packet },
    { "to_stmt_close_packet", to_stmt_close_packet },
    { NULL, NULL },
  };
  lua_createtable(L, 0, 24);
  luaL_setfuncs(L, funcs, 0);
  tsr_lua_module_finish(L, "mysql.proto", "proto");
  return 1;
}
