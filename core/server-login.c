/* server-login.c: logging in to a backend on behalf of a client that
 * tessera authenticated itself (session-login.c): the backend's greeting is
 * answered with the client's account (or the configured backend account)
 * and mysql_native_password; the capabilities that shape the wire format are
 * the client's, so that responses can be relayed unchanged. */
#define G_LOG_DOMAIN "core"
#include <string.h>

#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-auth.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-handshake.h"

#define TSR_MAX_LOGIN_PACKET (64u * 1024u)
#define MAX_PACKET_SIZE (1024u * 1024u * 1024u)

static void send_server_packet(TsrServerConn *sc, guint8 seq, const GByteArray *payload) {
  g_autoptr(GByteArray) packet = g_byte_array_sized_new(payload->len + 8);
  tsr_packet_encode(packet, seq, payload->data, payload->len);
  evbuffer_add(sc->conn.out, packet->data, packet->len);
}

/* Answers the backend's greeting `hs` (sequence id seq). */
static void send_login(TsrSession *s, const TsrHandshakeV10 *hs, guint8 seq) {
  const TsrBackendCredentials *creds = &s->login->creds;
  g_autoptr(GByteArray) payload = g_byte_array_new();
  guint8 answer[TSR_NATIVE_HASH_LEN];
  TsrHandshakeResponse r = {0};
  gsize answer_len = tsr_backend_credentials_scramble(creds, hs->scramble, MIN(hs->scramble_len, 20), answer);

  r.capabilities = (s->capabilities | TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_SECURE_CONNECTION |
                    TSR_CLIENT_PLUGIN_AUTH | TSR_CLIENT_LONG_PASSWORD) &
                   ~(guint32)(TSR_CLIENT_CONNECT_ATTRS | TSR_CLIENT_CONNECT_WITH_DB | TSR_CLIENT_SSL |
                              TSR_CLIENT_COMPRESS | TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA);
  if (s->default_db) r.capabilities |= TSR_CLIENT_CONNECT_WITH_DB;
  r.capabilities &= hs->capabilities | TSR_CLIENT_LONG_PASSWORD;
  r.max_packet_size = MAX_PACKET_SIZE;
  r.charset = s->login->client_charset ? s->login->client_charset : TSR_CHARSET_UTF8MB4_GENERAL_CI;
  r.username.data = (const guint8 *)creds->user;
  r.username.len = strlen(creds->user);
  r.auth_response.data = answer;
  r.auth_response.len = answer_len;
  if (s->default_db) {
    r.database.data = (const guint8 *)s->default_db;
    r.database.len = strlen(s->default_db);
  }
  r.auth_plugin_name.data = (const guint8 *)TSR_NATIVE_PLUGIN_NAME;
  r.auth_plugin_name.len = strlen(TSR_NATIVE_PLUGIN_NAME);
  tsr_handshake_response_encode(payload, &r);
  send_server_packet(s->server, (guint8)(seq + 1), payload);
}

TsrStep tsr_server_login_greeting(TsrSession *s, const GByteArray *greeting, guint8 seq) {
  g_autoptr(GError) error = NULL;
  TsrHandshakeV10 hs;
  if (tsr_handshake_v10_decode(greeting->data, greeting->len, &hs, &error) != TSR_DECODE_OK)
    return tsr_session_fail(s, (guint8)(s->client_seq + 1), TSR_ER_BACKEND_PROTOCOL, "08S01",
                            "tessera: backend %s sent a greeting tessera cannot read (%s)", s->server->backend->name,
                            error->message);
  s->server->capabilities = hs.capabilities;
  s->server->thread_id = hs.connection_id;
  s->server->version = g_strndup((const char *)hs.server_version.data, hs.server_version.len);
  s->server->scramble = g_bytes_new(hs.scramble, hs.scramble_len);
  send_login(s, &hs, seq);
  tsr_session_set_state(s, TSR_SESSION_SERVER_LOGIN);
  return TSR_STEP_NEXT;
}

/* The backend accepted the login: the client gets its OK. */
static TsrStep login_done(TsrSession *s, const GByteArray *ok) {
  g_autoptr(GByteArray) packet = g_byte_array_sized_new(ok->len + 8);
  s->server->authed = 1;
  g_free(s->server->default_db);
  s->server->default_db = g_strdup(s->default_db);
  if (s->login->client_ok_sent) {
    /* A connection opened for a command: send what waits for it. */
    g_debug("client %s: logged in to backend %s", s->client.name, s->server->backend->name);
    return tsr_query_send_next(s);
  }
  s->login->client_ok_sent = TRUE;
  tsr_packet_encode(packet, (guint8)(s->client_seq + 1), ok->data, ok->len);
  evbuffer_add(s->client.out, packet->data, packet->len);
  s->client_seq++;
  tsr_session_set_state(s, TSR_SESSION_READ_QUERY);
  return TSR_STEP_NEXT;
}

/* The backend asks for another method: only mysql_native_password works. */
static TsrStep answer_switch(TsrSession *s, const GByteArray *payload, guint8 seq) {
  g_autoptr(GByteArray) answer_payload = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  guint8 answer[TSR_NATIVE_HASH_LEN];
  TsrAuthSwitchRequest req;
  gsize n;
  if (tsr_auth_switch_request_decode(payload->data, payload->len, &req, &error) != TSR_DECODE_OK ||
      req.plugin_name.len != strlen(TSR_NATIVE_PLUGIN_NAME) ||
      memcmp(req.plugin_name.data, TSR_NATIVE_PLUGIN_NAME, req.plugin_name.len) != 0 || req.data.len < 20)
    return tsr_session_fail(s, (guint8)(s->client_seq + 1), TSR_ER_BACKEND_PROTOCOL, "08S01",
                            "tessera: backend %s wants an authentication method other than mysql_native_password "
                            "for user '%s'; give that account a mysql_native_password password",
                            s->server->backend->name, s->login->creds.user);
  n = tsr_backend_credentials_scramble(&s->login->creds, req.data.data, 20, answer);
  tsr_auth_switch_response_encode(answer_payload, answer, n);
  send_server_packet(s->server, (guint8)(seq + 1), answer_payload);
  return TSR_STEP_WAIT;
}

TsrStep tsr_state_server_login(TsrSession *s) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  guint8 first_seq, last_seq;
  TsrDecodeStatus st;

  for (;;) {
    st = tsr_evbuffer_take_packet(s->server->conn.in, TSR_MAX_LOGIN_PACKET, payload, &first_seq, &last_seq, &error);
    if (st == TSR_DECODE_NEED_MORE) return TSR_STEP_WAIT;
    if (st != TSR_DECODE_OK || payload->len == 0)
      return tsr_session_server_lost(s, error ? error->message : "empty packet during login");
    switch (payload->data[0]) {
    case TSR_PACKET_OK:
      return login_done(s, payload);
    case TSR_PACKET_ERR: {
      g_autoptr(GByteArray) packet = g_byte_array_new();
      tsr_packet_encode(packet, (guint8)(s->client_seq + 1), payload->data, payload->len);
      evbuffer_add(s->client.out, packet->data, packet->len);
      tsr_session_set_state(s, TSR_SESSION_CLOSING);
      return TSR_STEP_NEXT;
    }
    case TSR_PACKET_AUTH_SWITCH:
      if (answer_switch(s, payload, last_seq) != TSR_STEP_WAIT) return TSR_STEP_NEXT;
      continue;
    case TSR_PACKET_AUTH_MORE:
      if (payload->len == 2 && payload->data[1] == 0x03) continue; /* fast auth: an OK follows */
      /* fall through */
    default:
      return tsr_session_fail(s, (guint8)(s->client_seq + 1), TSR_ER_BACKEND_PROTOCOL, "08S01",
                              "tessera: backend %s sent an unexpected packet (0x%02X) during login",
                              s->server->backend->name, payload->data[0]);
    }
  }
}
