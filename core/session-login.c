/* session-login.c: proxy-side authentication. tessera greets the client
 * itself, checks its mysql_native_password answer against the configured
 * accounts (switching clients that start with another method, such as
 * caching_sha2_password, to mysql_native_password), and keeps what it needs
 * to log in to backends on the client's behalf (server-login.c). */
#define G_LOG_DOMAIN "core"
#include <string.h>

#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-auth.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-handshake.h"

#define TSR_MAX_LOGIN_PACKET (64u * 1024u)

/* What tessera offers clients when it authenticates them itself. */
#define PROXY_CAPABILITIES                                                                                     \
  (TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_FOUND_ROWS | TSR_CLIENT_LONG_FLAG | TSR_CLIENT_CONNECT_WITH_DB |      \
   TSR_CLIENT_LOCAL_FILES | TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_INTERACTIVE | TSR_CLIENT_TRANSACTIONS |         \
   TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_MULTI_STATEMENTS | TSR_CLIENT_MULTI_RESULTS |                     \
   TSR_CLIENT_PS_MULTI_RESULTS | TSR_CLIENT_PLUGIN_AUTH | TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |           \
   TSR_CLIENT_CONNECT_ATTRS | TSR_CLIENT_DEPRECATE_EOF | TSR_CLIENT_IGNORE_SPACE | TSR_CLIENT_IGNORE_SIGPIPE)

/* The version clients see before any backend is known. */
#define PROXY_SERVER_VERSION "5.5.5-10.11.0-MariaDB-tessera"

static void send_client_packet(TsrSession *s, guint8 seq, const GByteArray *payload) {
  g_autoptr(GByteArray) packet = g_byte_array_sized_new(payload->len + 8);
  tsr_packet_encode(packet, seq, payload->data, payload->len);
  evbuffer_add(s->client.out, packet->data, packet->len);
  s->client_seq = seq;
}

void tsr_login_send_greeting(TsrSession *s) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  TsrHandshakeV10 hs = {0};
  static gint next_id = 1;

  tsr_scramble_generate(s->login->scramble, TSR_NATIVE_HASH_LEN);
  hs.protocol_version = 10;
  hs.server_version.data = (const guint8 *)PROXY_SERVER_VERSION;
  hs.server_version.len = strlen(PROXY_SERVER_VERSION);
  hs.connection_id = (guint32)g_atomic_int_add(&next_id, 1);
  memcpy(hs.scramble, s->login->scramble, TSR_NATIVE_HASH_LEN);
  hs.scramble_len = TSR_NATIVE_HASH_LEN;
  hs.capabilities = PROXY_CAPABILITIES;
  hs.charset = TSR_CHARSET_UTF8MB4_GENERAL_CI;
  hs.status = TSR_SERVER_STATUS_AUTOCOMMIT;
  hs.auth_plugin_name.data = (const guint8 *)TSR_NATIVE_PLUGIN_NAME;
  hs.auth_plugin_name.len = strlen(TSR_NATIVE_PLUGIN_NAME);
  tsr_handshake_v10_encode(payload, &hs);
  send_client_packet(s, 0, payload);
  tsr_session_set_state(s, TSR_SESSION_PROXY_AUTH);
  tsr_session_drive(s);
}

/* Answers a wrong user or password the way MySQL words it. */
static TsrStep access_denied(TsrSession *s, guint8 seq, gboolean with_password) {
  g_message("client %s: access denied for user '%s'", s->client.name, s->username ? s->username : "");
  return tsr_session_fail(s, seq, 1045, "28000", "Access denied for user '%s'@'%s' (using password: %s)",
                          s->username ? s->username : "", s->login->client_host, with_password ? "YES" : "NO");
}

/* Checks the client's mysql_native_password answer; on success the client
 * is in and a backend is chosen next. */
static TsrStep check_answer(TsrSession *s, const guint8 *answer, gsize len, guint8 seq) {
  const TsrUser *u = tsr_user_list_find(s->owner->config->users, s->username);
  if (!u || !tsr_user_authenticate(u, answer, len, s->login->scramble, TSR_NATIVE_HASH_LEN, &s->login->creds))
    return access_denied(s, (guint8)(seq + 1), len > 0);
  s->login->authenticated = TRUE;
  s->client_seq = seq;
  g_debug("client %s: user '%s' authenticated by tessera", s->client.name, s->username);
  tsr_session_set_state(s, TSR_SESSION_CONNECT_SERVER);
  tsr_session_connect_first(s);
  return TSR_STEP_WAIT;
}

/* Asks a client that started with another method for mysql_native_password. */
static TsrStep switch_to_native(TsrSession *s, guint8 seq) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  guint8 data[TSR_NATIVE_HASH_LEN + 1];
  TsrAuthSwitchRequest req;
  memcpy(data, s->login->scramble, TSR_NATIVE_HASH_LEN);
  data[TSR_NATIVE_HASH_LEN] = 0;
  req.plugin_name.data = (const guint8 *)TSR_NATIVE_PLUGIN_NAME;
  req.plugin_name.len = strlen(TSR_NATIVE_PLUGIN_NAME);
  req.data.data = data;
  req.data.len = sizeof data;
  tsr_auth_switch_request_encode(payload, &req);
  send_client_packet(s, (guint8)(seq + 1), payload);
  s->login->switched = TRUE;
  return TSR_STEP_WAIT;
}

/* Takes the client's HandshakeResponse41. */
static TsrStep read_response(TsrSession *s, const GByteArray *payload, guint8 seq) {
  g_autoptr(GError) error = NULL;
  TsrHandshakeResponse resp;
  gboolean native;

  if (tsr_handshake_response_is_ssl_request(payload->data, payload->len))
    return tsr_session_fail(s, (guint8)(seq + 1), TSR_ER_TLS_UNSUPPORTED, "08004",
                            "tessera does not offer TLS yet: connect without TLS (mariadb --skip-ssl, "
                            "ssl-mode=DISABLED)");
  if (tsr_handshake_response_decode(payload->data, payload->len, &resp, &error) != TSR_DECODE_OK)
    return tsr_session_fail(s, (guint8)(seq + 1), TSR_ER_HANDSHAKE_ERROR, "08S01", "Bad handshake: %s",
                            error->message);
  s->capabilities = resp.capabilities & PROXY_CAPABILITIES;
  s->login->client_charset = resp.charset;
  s->username = g_strndup((const char *)resp.username.data, resp.username.len);
  if (resp.database.data && resp.database.len)
    s->default_db = g_strndup((const char *)resp.database.data, resp.database.len);
  native = !resp.auth_plugin_name.data ||
           (resp.auth_plugin_name.len == strlen(TSR_NATIVE_PLUGIN_NAME) &&
            memcmp(resp.auth_plugin_name.data, TSR_NATIVE_PLUGIN_NAME, resp.auth_plugin_name.len) == 0);
  if (!native && (s->capabilities & TSR_CLIENT_PLUGIN_AUTH)) return switch_to_native(s, seq);
  return check_answer(s, resp.auth_response.data, resp.auth_response.len, seq);
}

TsrStep tsr_state_proxy_auth(TsrSession *s) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  guint8 first_seq, last_seq;
  TsrDecodeStatus st;

  st = tsr_evbuffer_take_packet(s->client.in, TSR_MAX_LOGIN_PACKET, payload, &first_seq, &last_seq, &error);
  if (st == TSR_DECODE_NEED_MORE) return TSR_STEP_WAIT;
  if (st != TSR_DECODE_OK)
    return tsr_session_fail(s, (guint8)(s->client_seq + 2), TSR_ER_HANDSHAKE_ERROR, "08S01", "Bad handshake: %s",
                            error->message);
  if (first_seq != (guint8)(s->client_seq + 1))
    return tsr_session_fail(s, (guint8)(first_seq + 1), TSR_ER_NET_PACKETS_OUT_OF_ORDER, "08S01",
                            "Got packets out of order during login");
  if (s->login->switched) return check_answer(s, payload->data, payload->len, last_seq);
  return read_response(s, payload, last_seq);
}
