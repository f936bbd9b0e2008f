/* session-auth.c: pass-through authentication. The backend's greeting goes
 * to the client with the capabilities tessera cannot relay yet removed (TLS,
 * compression, MariaDB's progress reports, bulk and metadata-cache
 * extensions); the client's answer goes to the backend unchanged, and the
 * rest of the exchange (auth switch, more data, OK/ERR) is relayed. */
#define G_LOG_DOMAIN "core"
#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-handshake.h"
#include "protocol/mysql-frame.h"

/* Largest greeting or handshake response accepted. */
#define TSR_MAX_AUTH_PACKET (64u * 1024u)

#define STRIPPED_CAPABILITIES                                                                              \
  (TSR_CLIENT_SSL | TSR_CLIENT_COMPRESS | TSR_CLIENT_ZSTD_COMPRESSION | TSR_CLIENT_OPTIONAL_RESULTSET_METADATA | \
   TSR_CLIENT_QUERY_ATTRIBUTES | TSR_CLIENT_SSL_VERIFY_SERVER_CERT)
#define STRIPPED_MARIADB_CAPABILITIES                                                             \
  (TSR_MARIADB_CLIENT_PROGRESS | TSR_MARIADB_CLIENT_COM_MULTI | TSR_MARIADB_CLIENT_STMT_BULK_OPERATIONS | \
   TSR_MARIADB_CLIENT_EXTENDED_METADATA | TSR_MARIADB_CLIENT_CACHE_METADATA)

static void send_packet(TsrConn *to, guint8 seq, const GByteArray *payload) {
  g_autoptr(GByteArray) packet = g_byte_array_sized_new(payload->len + 8);
  tsr_packet_encode(packet, seq, payload->data, payload->len);
  evbuffer_add(to->out, packet->data, packet->len);
}

TsrStep tsr_state_read_handshake(TsrSession *s) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GByteArray) out = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  TsrHandshakeV10 hs;
  guint8 first_seq, last_seq;
  TsrDecodeStatus st;

  st = tsr_evbuffer_take_packet(s->server->conn.in, TSR_MAX_AUTH_PACKET, payload, &first_seq, &last_seq, &error);
  if (st == TSR_DECODE_NEED_MORE) return TSR_STEP_WAIT;
  if (st == TSR_DECODE_OK && payload->len && payload->data[0] == 0xFF) {
    /* The server refused us before the greeting (too many connections,
     * host blocked): the client gets the same error. */
    send_packet(&s->client, tsr_session_login_error_seq(s), payload);
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  if (st == TSR_DECODE_OK && s->login) return tsr_server_login_greeting(s, payload, first_seq);
  if (st == TSR_DECODE_OK)
    st = tsr_handshake_v10_decode(payload->data, payload->len, &hs, &error);
  if (st != TSR_DECODE_OK)
    return tsr_session_fail(s, 0, TSR_ER_BACKEND_PROTOCOL, "08S01",
                            "tessera: backend %s sent a greeting tessera cannot read (%s)", s->server->backend->name,
                            error ? error->message : "bad packet");
  hs.capabilities &= ~(guint32)STRIPPED_CAPABILITIES;
  hs.mariadb_capabilities &= ~(guint32)STRIPPED_MARIADB_CAPABILITIES;
  s->server->capabilities = hs.capabilities;
  s->server->thread_id = hs.connection_id;
  s->server->version = g_strndup((const char *)hs.server_version.data, hs.server_version.len);
  s->server->scramble = g_bytes_new(hs.scramble, hs.scramble_len);
  tsr_handshake_v10_encode(out, &hs);
  if (!tsr_session_run_phase(s, TSR_HOOK_READ_HANDSHAKE, out->data, out->len, 0xFF)) return TSR_STEP_NEXT;
  send_packet(&s->client, first_seq, out);
  s->client_seq = first_seq;
  tsr_session_set_state(s, TSR_SESSION_READ_AUTH);
  return TSR_STEP_NEXT;
}

/* A client may claim capabilities tessera did not offer (compression,
 * TLS): the backend must not see them, or it would switch protocols. */
static void mask_client_capabilities(TsrSession *s, GByteArray *payload, const TsrHandshakeResponse *resp) {
  guint32 caps = resp->capabilities & s->server->capabilities;
  if (!(resp->capabilities & TSR_CLIENT_PROTOCOL_41) || payload->len < 32) return;
  payload->data[0] = (guint8)caps;
  payload->data[1] = (guint8)(caps >> 8);
  payload->data[2] = (guint8)(caps >> 16);
  payload->data[3] = (guint8)(caps >> 24);
  if (!(caps & TSR_CLIENT_LONG_PASSWORD)) {
    /* MariaDB's extended capabilities, in the last 4 filler bytes. */
    guint32 ext = resp->mariadb_capabilities & ~(guint32)STRIPPED_MARIADB_CAPABILITIES;
    payload->data[28] = (guint8)ext;
    payload->data[29] = (guint8)(ext >> 8);
    payload->data[30] = (guint8)(ext >> 16);
    payload->data[31] = (guint8)(ext >> 24);
  }
}

TsrStep tsr_state_read_auth(TsrSession *s) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  TsrHandshakeResponse resp;
  guint8 first_seq, last_seq;
  TsrDecodeStatus st;

  st = tsr_evbuffer_take_packet(s->client.in, TSR_MAX_AUTH_PACKET, payload, &first_seq, &last_seq, &error);
  if (st == TSR_DECODE_NEED_MORE) return TSR_STEP_WAIT;
  if (st == TSR_DECODE_OK && tsr_handshake_response_is_ssl_request(payload->data, payload->len))
    return tsr_session_fail(s, (guint8)(first_seq + 1), TSR_ER_TLS_UNSUPPORTED, "08004",
                            "tessera does not offer TLS yet: connect without TLS (mariadb --skip-ssl, "
                            "ssl-mode=DISABLED)");
  if (st == TSR_DECODE_OK) st = tsr_handshake_response_decode(payload->data, payload->len, &resp, &error);
  if (st != TSR_DECODE_OK)
    return tsr_session_fail(s, (guint8)(s->client_seq + 2), TSR_ER_HANDSHAKE_ERROR, "08S01",
                            "Bad handshake: %s", error ? error->message : "incomplete packet");
  s->capabilities = resp.capabilities & s->server->capabilities;
  s->username = g_strndup((const char *)resp.username.data, resp.username.len);
  if (resp.database.data) s->default_db = g_strndup((const char *)resp.database.data, resp.database.len);
  s->auth_response = g_bytes_new(resp.auth_response.data, resp.auth_response.len);
  if (resp.auth_plugin_name.data)
    s->auth_plugin = g_strndup((const char *)resp.auth_plugin_name.data, resp.auth_plugin_name.len);
  if (!tsr_session_run_phase(s, TSR_HOOK_READ_AUTH, payload->data, payload->len, last_seq)) return TSR_STEP_NEXT;
  g_debug("client %s: user '%s' logs in through backend %s", s->client.name, s->username, s->server->backend->name);
  mask_client_capabilities(s, payload, &resp);
  send_packet(&s->server->conn, first_seq, payload);
  s->client_seq = last_seq;
  tsr_response_start(&s->tracker, TSR_RESPONSE_AUTH, s->capabilities);
  tsr_pump_reset(&s->down);
  tsr_pump_reset(&s->up);
  s->client_turn = 0;
  tsr_session_set_busy(s, TRUE);
  if (tsr_session_has_hook(s, TSR_HOOK_READ_AUTH_RESULT)) {
    /* Hold the login's answer until read_auth_result has seen it. */
    s->current = g_new0(TsrInjection, 1);
    s->current->result = evbuffer_new();
    s->is_auth_result = TRUE;
  }
  tsr_session_set_state(s, TSR_SESSION_RELAY);
  return TSR_STEP_NEXT;
}
