/* test-lua-proto.c: mysql.proto byte for byte: its to_* output against the
 * protocol/ encoders and known bytes, and from_* / to_* round trips over
 * traffic captured from MariaDB (protocol/tests/captured-vectors.c, when
 * the build has it). */
#include <string.h>
#include <lauxlib.h>
#include "lua-test-util.h"
#include "lua/lua-private.h"
#include "protocol/mysql-handshake.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-stmt.h"
#include "protocol/mysql-command.h"
#ifdef TSR_HAVE_CAPTURED_VECTORS
#include "protocol/tests/captured-vectors.h"
#endif

static TsrLuaVm *vm;

/* Runs `code` (which returns a string) with the global `packet` set to
 * data[0..len) and returns the string's bytes. */
static GBytes *run(const char *code, const void *data, gsize len) {
  lua_State *L = tsr_lua_vm_state(vm);
  g_autofree char *full = g_strdup_printf("local proto = require('mysql.proto')\n%s", code);
  GError *error = NULL;
  size_t n;
  const char *s;
  GBytes *out;

  lua_pushlstring(L, data ? data : "", len);
  lua_setglobal(L, "packet");
  g_assert_cmpint(luaL_loadbuffer(L, full, strlen(full), "=proto-test"), ==, 0);
  if (!tsr_lua_vm_pcall(vm, 0, 1, &error)) g_error("%s", error->message);
  s = lua_tolstring(L, -1, &n);
  g_assert_nonnull(s);
  out = g_bytes_new(s, n);
  lua_pop(L, 1);
  return out;
}

static void assert_same(GBytes *lua, const GByteArray *c) {
  gsize len;
  const void *data = g_bytes_get_data(lua, &len);
  g_assert_cmpmem(data, len, c->data, c->len);
}

static void assert_bytes(GBytes *lua, const char *hex) {
  g_autoptr(GByteArray) want = g_byte_array_new();
  for (const char *p = hex; p[0] && p[1]; p += 2) {
    if (*p == ' ') { p--; continue; }
    guint8 b = (guint8)((g_ascii_xdigit_value(p[0]) << 4) | g_ascii_xdigit_value(p[1]));
    g_byte_array_append(want, &b, 1);
  }
  assert_same(lua, want);
}

static void test_ok_err_eof(void) {
  g_autoptr(GByteArray) c = g_byte_array_new();
  g_autoptr(GBytes) ok = run("return proto.to_ok_packet({ affected_rows = 3, insert_id = 300, server_status = 2, "
                             "warnings = 1 })", NULL, 0);
  g_autoptr(GBytes) err = run("return proto.to_err_packet({ errcode = 1146, sqlstate = '42S02', "
                              "errmsg = \"Table 't.x' doesn't exist\" })", NULL, 0);
  g_autoptr(GBytes) eof = run("return proto.to_eof_packet({ server_status = 0x22, warnings = 4 })", NULL, 0);
  TsrOkPacket okp = { 3, 300, 2, 1, { NULL, 0 }, { NULL, 0 } };

  tsr_ok_encode(c, TSR_CLIENT_PROTOCOL_41, &okp, FALSE);
  assert_same(ok, c);
  assert_bytes(ok, "00 03 fc2c01 0200 0100");
  g_byte_array_set_size(c, 0);
  tsr_err_encode(c, 1146, "42S02", "Table 't.x' doesn't exist");
  assert_same(err, c);
  assert_bytes(err, "ff 7a04 23 3432533032 5461626c652027742e782720646f65736e2774206578697374");
  g_byte_array_set_size(c, 0);
  tsr_eof_encode(c, 4, 0x22);
  assert_same(eof, c);
  assert_bytes(eof, "fe 0400 2200");
}

static void test_challenge(void) {
  g_autoptr(GByteArray) c = g_byte_array_new();
  g_autoptr(GBytes) lua = run(
    "return proto.to_challenge_packet({ server_version = 50130, thread_id = 7, challenge = '01234567890123456789', "
    "capabilities = 0x8000a20f, charset = 8, server_status = 2 })", NULL, 0);
  TsrHandshakeV10 hs = { 0 };

  hs.protocol_version = 10;
  hs.server_version = (TsrSlice){ (const guint8 *)"5.1.30", 6 };
  hs.connection_id = 7;
  memcpy(hs.scramble, "01234567890123456789", 20);
  hs.scramble_len = 20;
  hs.capabilities = 0x8000a20f;
  hs.charset = 8;
  hs.status = 2;
  hs.auth_plugin_name = (TsrSlice){ (const guint8 *)"mysql_native_password", 21 };
  tsr_handshake_v10_encode(c, &hs);
  assert_same(lua, c);
}

static void test_response(void) {
  g_autoptr(GByteArray) c = g_byte_array_new();
  guint32 caps = TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_CONNECT_WITH_DB |
                 TSR_CLIENT_PLUGIN_AUTH | TSR_CLIENT_LONG_PASSWORD;
  g_autofree char *code = g_strdup_printf(
    "return proto.to_response_packet({ capabilities = %u, max_packet_size = 1024, charset = 33, "
    "username = 'app', response = string.rep('r', 20), database = 'shop' })", caps);
  g_autoptr(GBytes) lua = run(code, NULL, 0);
  TsrHandshakeResponse r = { 0 };

  r.capabilities = caps;
  r.max_packet_size = 1024;
  r.charset = 33;
  r.username = (TsrSlice){ (const guint8 *)"app", 3 };
  r.auth_response = (TsrSlice){ (const guint8 *)"rrrrrrrrrrrrrrrrrrrr", 20 };
  r.database = (TsrSlice){ (const guint8 *)"shop", 4 };
  r.auth_plugin_name = (TsrSlice){ (const guint8 *)"mysql_native_password", 21 };
  tsr_handshake_response_encode(c, &r);
  assert_same(lua, c);
}

static void test_statements(void) {
  g_autoptr(GByteArray) c = g_byte_array_new();
  g_autoptr(GBytes) prepare = run("return proto.to_stmt_prepare_packet({ stmt_text = 'SELECT ?' })", NULL, 0);
  g_autoptr(GBytes) prepare_ok = run("return proto.to_stmt_prepare_ok_packet({ stmt_id = 9, num_columns = 2, "
                                     "num_params = 3, warnings = 1 })", NULL, 0);
  g_autoptr(GBytes) close = run("return proto.to_stmt_close_packet({ stmt_id = 12 })", NULL, 0);
  g_autoptr(GBytes) execute = run(
    "return proto.to_stmt_execute_packet({ stmt_id = 9, params = {"
    " { type = proxy.MYSQL_TYPE_LONG, value = -2 },"
    " { type = proxy.MYSQL_TYPE_VAR_STRING, value = 'ab' },"
    " { type = proxy.MYSQL_TYPE_NULL } } })", NULL, 0);
  TsrStmtPrepareOk ok = { 9, 2, 3, 1 };
  TsrStmtExecute ex = { 9, 0, 1, TRUE };
  TsrValue params[3];

  tsr_command_text_encode(c, TSR_COM_STMT_PREPARE, "SELECT ?", 8);
  assert_same(prepare, c);
  g_byte_array_set_size(c, 0);
  tsr_stmt_prepare_ok_encode(c, &ok);
  assert_same(prepare_ok, c);
  g_byte_array_set_size(c, 0);
  tsr_stmt_id_command_encode(c, TSR_COM_STMT_CLOSE, 12);
  assert_same(close, c);
  assert_bytes(close, "19 0c000000");

  memset(params, 0, sizeof params);
  params[0].type.type = TSR_TYPE_LONG;
  params[0].v.i = -2;
  params[1].type.type = TSR_TYPE_VAR_STRING;
  params[1].raw = (TsrSlice){ (const guint8 *)"ab", 2 };
  params[2].type.type = TSR_TYPE_NULL;
  params[2].is_null = TRUE;
  g_byte_array_set_size(c, 0);
  tsr_stmt_execute_encode(c, &ex, params, 3);
  assert_same(execute, c);
  assert_bytes(execute, "17 09000000 00 01000000 04 01 0300 fd00 0600 feffffff 026162");
}

#ifdef TSR_HAVE_CAPTURED_VECTORS
/* Asserts that to_<kind>(from_<kind>(frame, extra...)) gives the frame back. */
static void round_trip(const char *exchange, guint index, const char *kind, const char *extra) {
  const TsrCapFrame *f = tsr_cap_frame(exchange, index);
  g_autofree char *code = g_strdup_printf("return proto.to_%s_packet(proto.from_%s_packet(packet%s))", kind, kind,
                                          extra ? extra : "");
  g_autoptr(GBytes) back = run(code, f->data, f->data_len);
  gsize len;
  const void *data = g_bytes_get_data(back, &len);

  g_test_message("%s[%u] as %s: %" G_GSIZE_FORMAT " bytes", exchange, index, kind, f->data_len);
  g_assert_cmpmem(data, len, f->data, f->data_len);
}

/* Returns the first frame of `exchange` from the server that is an EOF. */
static guint first_eof(const char *exchange) {
  const TsrCapExchange *ex = tsr_cap_get(exchange);
  for (guint i = 0; i < ex->n_frames; i++)
    if (!ex->frames[i].from_client && tsr_packet_is_eof(ex->frames[i].data, ex->frames[i].data_len)) return i;
  g_error("no EOF in %s", exchange);
  return 0;
}

static void test_captured(void) {
  const TsrCapFrame *hello = tsr_cap_frame("classic/login", 0);
  g_autoptr(GBytes) version = run("return proto.from_challenge_packet(packet).server_version_str .. ' ' .. "
                                  "proto.from_challenge_packet(packet).server_version", hello->data, hello->data_len);
  gsize len;
  const char *v = g_bytes_get_data(version, &len);

  g_test_message("MariaDB says %.*s", (int)len, v);
  g_assert_true(g_str_has_prefix(v, "5.5.5-10.11"));
  g_assert_nonnull(g_strstr_len(v, (gssize)len, " 50505"));
  round_trip("classic/login", 0, "challenge", NULL);
  round_trip("classic/ping", 1, "ok", NULL);
  round_trip("no-db-no-attrs/login", 1, "response", NULL);
  round_trip("classic/err-1146", 1, "err", NULL);
  round_trip("classic/text-resultset-all-types", first_eof("classic/text-resultset-all-types"), "eof", NULL);
  round_trip("classic/prepare-insert-2-params", 0, "stmt_prepare", NULL);
  round_trip("classic/prepare-insert-2-params", 1, "stmt_prepare_ok", NULL);
  round_trip("classic/prepare-typed-params", 1, "stmt_prepare_ok", NULL);
  round_trip("classic/execute-insert-with-null", 0, "stmt_execute", ", 2");
  round_trip("classic/stmt-close", 0, "stmt_close", NULL);
}

/* The captured login response, decoded in Lua and in C, field by field. */
static void test_captured_response_fields(void) {
  const TsrCapFrame *f = tsr_cap_frame("classic/login", 1);
  TsrHandshakeResponse r;
  GError *error = NULL;
  g_autoptr(GBytes) lua = run("local r = proto.from_response_packet(packet)\n"
                              "return string.format('%d|%d|%d|%s|%s|%s|%s', r.capabilities, r.max_packet_size, "
                              "r.charset, r.username, r.database or '', r.auth_plugin_name or '', #r.response)",
                              f->data, f->data_len);
  g_autofree char *want = NULL;
  gsize len;
  const char *got = g_bytes_get_data(lua, &len);

  g_assert_cmpint(tsr_handshake_response_decode(f->data, f->data_len, &r, &error), ==, TSR_DECODE_OK);
  want = g_strdup_printf("%u|%u|%u|%.*s|%.*s|%.*s|%u", r.capabilities, r.max_packet_size, r.charset,
                         (int)r.username.len, r.username.data, (int)r.database.len, r.database.data,
                         (int)r.auth_plugin_name.len, r.auth_plugin_name.data, (guint)r.auth_response.len);
  g_assert_cmpmem(got, len, want, strlen(want));
}

/* An execute without types decodes with the types of an earlier one. */
static void test_captured_not_rebound(void) {
  const TsrCapFrame *first = tsr_cap_frame("classic/execute-insert-rebound", 0);
  const TsrCapFrame *second = tsr_cap_frame("classic/execute-insert-not-rebound", 0);
  lua_State *L = tsr_lua_vm_state(vm);
  g_autoptr(GBytes) back = NULL;
  gsize len;
  const void *data;

  lua_pushlstring(L, (const char *)first->data, first->data_len);
  lua_setglobal(L, "first");
  back = run("local types = proto.from_stmt_execute_packet(first, 2).params\n"
             "local ex = proto.from_stmt_execute_packet(packet, 2, types)\n"
             "assert(ex.new_params_bound == false and #ex.params == 2)\n"
             "return proto.to_stmt_execute_packet(ex)", second->data, second->data_len);
  data = g_bytes_get_data(back, &len);
  g_assert_cmpmem(data, len, second->data, second->data_len);
}
#endif

int main(int argc, char **argv) {
  int status;

  g_test_init(&argc, &argv, NULL);
  vm = tsr_lua_test_vm(NULL, FALSE);
  g_test_add_func("/lua/proto/ok-err-eof", test_ok_err_eof);
  g_test_add_func("/lua/proto/challenge", test_challenge);
  g_test_add_func("/lua/proto/response", test_response);
  g_test_add_func("/lua/proto/statements", test_statements);
#ifdef TSR_HAVE_CAPTURED_VECTORS
  g_test_add_func("/lua/proto/captured/round-trips", test_captured);
  g_test_add_func("/lua/proto/captured/response-fields", test_captured_response_fields);
  g_test_add_func("/lua/proto/captured/not-rebound", test_captured_not_rebound);
#endif
  status = g_test_run();
  tsr_lua_vm_free(vm);
  return status;
}
