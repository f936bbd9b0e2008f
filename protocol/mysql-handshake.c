/* mysql-handshake.c: HandshakeV10, HandshakeResponse41/320, SSLRequest and
 * the authentication exchange packets (see mysql-handshake.h). */
#include <string.h>
#include "mysql-handshake.h"
#include "mysql-wire.h"

#define SCRAMBLE_PART1_LEN 8u
#define SCRAMBLE_PART2_MIN 13u     /* part 2 is at least 13 bytes, NUL included */
#define HS_RESERVED_LEN 10u
#define RESPONSE_FILLER_LEN 23u
#define MARIADB_CAPS_OFFSET 19u    /* MariaDB caps: the last 4 filler bytes */

static TsrDecodeStatus fail_invalid(GError **error, const char *what, guint value) {
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID, "%s: invalid value %u", what, value);
  return TSR_DECODE_ERROR;
}

/* ---- HandshakeV10 ---- */

/* Reads auth-plugin-data part 2 (CLIENT_SECURE_CONNECTION) into the
 * scramble after part 1. data_len is the advertised total length (0 when the
 * server sends none). */
static gboolean read_scramble_part2(TsrReader *r, TsrHandshakeV10 *out, guint8 data_len, GError **error) {
  gsize part2_len = MAX((gsize)SCRAMBLE_PART2_MIN, data_len > SCRAMBLE_PART1_LEN ? (gsize)data_len - SCRAMBLE_PART1_LEN : 0);
  TsrSlice part2;

  /* Old servers send fewer bytes than 13 when the data runs to the end. */
  if (tsr_reader_left(r) < part2_len && data_len == 0) part2_len = tsr_reader_left(r);
  if (!tsr_reader_bytes(r, part2_len, &part2, "handshake auth-plugin-data part 2", error)) return FALSE;
  /* The advertised length counts the NUL that ends the scramble. */
  if (data_len > SCRAMBLE_PART1_LEN)
    part2.len = (gsize)data_len - SCRAMBLE_PART1_LEN - 1;
  else if (part2.len && part2.data[part2.len - 1] == 0)
    part2.len--;
  if (SCRAMBLE_PART1_LEN + part2.len > TSR_SCRAMBLE_MAX) {
    g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TOO_LARGE,
                "handshake auth-plugin-data: %" G_GSIZE_FORMAT " bytes, at most %u allowed",
                SCRAMBLE_PART1_LEN + part2.len, TSR_SCRAMBLE_MAX);
    return FALSE;
  }
  memcpy(out->scramble + SCRAMBLE_PART1_LEN, part2.data, part2.len);
  out->scramble_len = SCRAMBLE_PART1_LEN + part2.len;
  return TRUE;
}

/* Reads what follows the lower capability flags in the 4.1 form. */
static gboolean read_v10_tail(TsrReader *r, TsrHandshakeV10 *out, GError **error) {
  guint16 caps_high;
  guint8 data_len;
  TsrSlice reserved;

  if (!tsr_reader_u8(r, &out->charset, "handshake character set", error) ||
      !tsr_reader_u16(r, &out->status, "handshake status flags", error) ||
      !tsr_reader_u16(r, &caps_high, "handshake capability flags (upper)", error) ||
      !tsr_reader_u8(r, &data_len, "handshake auth-plugin-data length", error) ||
      !tsr_reader_bytes(r, HS_RESERVED_LEN, &reserved, "handshake reserved bytes", error))
    return FALSE;
  out->capabilities |= (guint32)caps_high << 16;
  if (!(out->capabilities & TSR_CLIENT_LONG_PASSWORD)) out->mariadb_capabilities = tsr_le32(reserved.data + 6);
  if ((out->capabilities & TSR_CLIENT_SECURE_CONNECTION) && !read_scramble_part2(r, out, data_len, error))
    return FALSE;
  if (out->capabilities & TSR_CLIENT_PLUGIN_AUTH) {
    /* Some servers omit the NUL after the plugin name (MySQL bug #59453). */
    if (!tsr_reader_nulstr(r, &out->auth_plugin_name, NULL, NULL)) tsr_reader_rest(r, &out->auth_plugin_name);
  }
  return TRUE;
}

TsrDecodeStatus tsr_handshake_v10_decode(const guint8 *payload, gsize len, TsrHandshakeV10 *out, GError **error) {
  TsrReader r;
  TsrSlice part1;
  guint16 caps_low;

  memset(out, 0, sizeof *out);
  out->auth_plugin_name.data = payload;
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &out->protocol_version, "handshake protocol version", error)) return TSR_DECODE_ERROR;
  if (out->protocol_version != 10) return fail_invalid(error, "handshake protocol version", out->protocol_version);
  if (!tsr_reader_nulstr(&r, &out->server_version, "handshake server version", error) ||
      !tsr_reader_u32(&r, &out->connection_id, "handshake connection id", error) ||
      !tsr_reader_bytes(&r, SCRAMBLE_PART1_LEN, &part1, "handshake auth-plugin-data part 1", error) ||
      !tsr_reader_skip(&r, 1, "handshake filler", error) ||
      !tsr_reader_u16(&r, &caps_low, "handshake capability flags", error))
    return TSR_DECODE_ERROR;
  memcpy(out->scramble, part1.data, SCRAMBLE_PART1_LEN);
  out->scramble_len = SCRAMBLE_PART1_LEN;
  out->capabilities = caps_low;
  if (tsr_reader_left(&r) == 0) return TSR_DECODE_OK;
  if (!read_v10_tail(&r, out, error)) return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

void tsr_handshake_v10_encode(GByteArray *out, const TsrHandshakeV10 *hs) {
  gsize scramble_len = CLAMP(hs->scramble_len, SCRAMBLE_PART1_LEN, TSR_SCRAMBLE_MAX);
  gboolean secure = (hs->capabilities & TSR_CLIENT_SECURE_CONNECTION) != 0;
  gboolean plugin = (hs->capabilities & TSR_CLIENT_PLUGIN_AUTH) != 0;
  gsize part2_len = scramble_len - SCRAMBLE_PART1_LEN;

  tsr_write_uint(out, 1, hs->protocol_version ? hs->protocol_version : 10);
  tsr_write_bytes(out, hs->server_version.data, hs->server_version.len);
  tsr_write_zeros(out, 1);
  tsr_write_uint(out, 4, hs->connection_id);
  tsr_write_bytes(out, hs->scramble, SCRAMBLE_PART1_LEN);
  tsr_write_zeros(out, 1);
  tsr_write_uint(out, 2, hs->capabilities & 0xFFFFu);
  tsr_write_uint(out, 1, hs->charset);
  tsr_write_uint(out, 2, hs->status);
  tsr_write_uint(out, 2, hs->capabilities >> 16);
  tsr_write_uint(out, 1, plugin ? scramble_len + 1 : 0);
  tsr_write_zeros(out, 6);
  tsr_write_uint(out, 4, (hs->capabilities & TSR_CLIENT_LONG_PASSWORD) ? 0 : hs->mariadb_capabilities);
  if (secure) {
    tsr_write_bytes(out, hs->scramble + SCRAMBLE_PART1_LEN, part2_len);
    tsr_write_zeros(out, part2_len < SCRAMBLE_PART2_MIN ? SCRAMBLE_PART2_MIN - part2_len : 1);
  }
  if (plugin) {
    tsr_write_bytes(out, hs->auth_plugin_name.data, hs->auth_plugin_name.len);
    tsr_write_zeros(out, 1);
  }
}

/* ---- HandshakeResponse ---- */

gboolean tsr_handshake_response_is_ssl_request(const guint8 *payload, gsize len) {
  return len == TSR_SSL_REQUEST_LEN && (tsr_le32(payload) & TSR_CLIENT_SSL) != 0;
}

/* Reads the auth response in the form the flags select. */
static gboolean read_auth_response(TsrReader *r, guint32 caps, TsrSlice *out, GError **error) {
  const char *field = "handshake response auth-response";
  guint8 len;

  if (caps & TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) return tsr_reader_lenenc_str(r, out, field, error);
  if (caps & TSR_CLIENT_SECURE_CONNECTION) {
    gsize start = r->pos;
    if (!tsr_reader_u8(r, &len, field, error)) return FALSE;
    if (tsr_reader_bytes(r, len, out, field, error)) return TRUE;
    r->pos = start;
    return FALSE;
  }
  return tsr_reader_nulstr(r, out, field, error);
}

/* Reads the optional fields after the auth response of the 4.1 form. */
static gboolean read_response_tail(TsrReader *r, TsrHandshakeResponse *out, GError **error) {
  guint32 caps = out->capabilities;

  if ((caps & TSR_CLIENT_CONNECT_WITH_DB) &&
      !tsr_reader_nulstr(r, &out->database, "handshake response database", error))
    return FALSE;
  if ((caps & TSR_CLIENT_PLUGIN_AUTH) && tsr_reader_left(r) > 0) {
    if (!tsr_reader_nulstr(r, &out->auth_plugin_name, NULL, NULL)) {
      tsr_reader_rest(r, &out->auth_plugin_name);
      return TRUE;
    }
  }
  if ((caps & TSR_CLIENT_CONNECT_ATTRS) && tsr_reader_left(r) > 0 &&
      !tsr_reader_lenenc_str(r, &out->connect_attrs, "handshake response connect attributes", error))
    return FALSE;
  return TRUE;
}

/* HandshakeResponse320: 2-byte flags, 3-byte max packet size, user NUL,
 * auth response (NUL-terminated when a database follows, else the rest),
 * database NUL. */
static TsrDecodeStatus decode_response_320(TsrReader *r, TsrHandshakeResponse *out, GError **error) {
  guint16 caps;
  if (!tsr_reader_u16(r, &caps, "handshake response capability flags", error) ||
      !tsr_reader_u24(r, &out->max_packet_size, "handshake response max packet size", error) ||
      !tsr_reader_nulstr(r, &out->username, "handshake response username", error))
    return TSR_DECODE_ERROR;
  out->capabilities = caps;
  if (!(caps & TSR_CLIENT_CONNECT_WITH_DB)) {
    tsr_reader_rest(r, &out->auth_response);
    if (out->auth_response.len && out->auth_response.data[out->auth_response.len - 1] == 0)
      out->auth_response.len--;
    return TSR_DECODE_OK;
  }
  if (!tsr_reader_nulstr(r, &out->auth_response, "handshake response auth-response", error) ||
      !tsr_reader_nulstr(r, &out->database, "handshake response database", error))
    return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

TsrDecodeStatus tsr_handshake_response_decode(const guint8 *payload, gsize len, TsrHandshakeResponse *out,
                                              GError **error) {
  TsrReader r;
  TsrSlice filler;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (len >= 2 && !(tsr_le16(payload) & TSR_CLIENT_PROTOCOL_41)) return decode_response_320(&r, out, error);
  if (!tsr_reader_u32(&r, &out->capabilities, "handshake response capability flags", error) ||
      !tsr_reader_u32(&r, &out->max_packet_size, "handshake response max packet size", error) ||
      !tsr_reader_u8(&r, &out->charset, "handshake response character set", error) ||
      !tsr_reader_bytes(&r, RESPONSE_FILLER_LEN, &filler, "handshake response filler", error))
    return TSR_DECODE_ERROR;
  if (!(out->capabilities & TSR_CLIENT_LONG_PASSWORD))
    out->mariadb_capabilities = tsr_le32(filler.data + MARIADB_CAPS_OFFSET);
  if (tsr_reader_left(&r) == 0 && (out->capabilities & TSR_CLIENT_SSL)) {
    out->username.data = payload + len;
    out->auth_response.data = payload + len;
    return TSR_DECODE_OK;
  }
  if (!tsr_reader_nulstr(&r, &out->username, "handshake response username", error) ||
      !read_auth_response(&r, out->capabilities, &out->auth_response, error) ||
      !read_response_tail(&r, out, error))
    return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

/* Writes a slice and its NUL (an absent slice writes only the NUL). */
static void write_slice_nul(GByteArray *out, TsrSlice s) {
  tsr_write_bytes(out, s.data, s.len);
  tsr_write_zeros(out, 1);
}

/* Writes the fixed 32-byte start shared by HandshakeResponse41 and SSLRequest. */
static void write_response_head(GByteArray *out, guint32 caps, guint32 max_packet, guint8 charset,
                                guint32 mariadb_caps) {
  tsr_write_uint(out, 4, caps);
  tsr_write_uint(out, 4, max_packet);
  tsr_write_uint(out, 1, charset);
  tsr_write_zeros(out, MARIADB_CAPS_OFFSET);
  tsr_write_uint(out, 4, (caps & TSR_CLIENT_LONG_PASSWORD) ? 0 : mariadb_caps);
}

void tsr_handshake_response_encode(GByteArray *out, const TsrHandshakeResponse *r) {
  guint32 caps = r->capabilities;

  write_response_head(out, caps, r->max_packet_size, r->charset, r->mariadb_capabilities);
  write_slice_nul(out, r->username);
  if (caps & TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    tsr_write_lenenc_str(out, r->auth_response.data, r->auth_response.len);
  } else if (caps & TSR_CLIENT_SECURE_CONNECTION) {
    gsize n = MIN(r->auth_response.len, (gsize)255);
    tsr_write_uint(out, 1, n);
    tsr_write_bytes(out, r->auth_response.data, n);
  } else {
    write_slice_nul(out, r->auth_response);
  }
  if (caps & TSR_CLIENT_CONNECT_WITH_DB) write_slice_nul(out, r->database);
  if (caps & TSR_CLIENT_PLUGIN_AUTH) write_slice_nul(out, r->auth_plugin_name);
  if (caps & TSR_CLIENT_CONNECT_ATTRS) tsr_write_lenenc_str(out, r->connect_attrs.data, r->connect_attrs.len);
}

void tsr_ssl_request_encode(GByteArray *out, guint32 capabilities, guint32 max_packet_size, guint8 charset,
                            guint32 mariadb_capabilities) {
  write_response_head(out, capabilities | TSR_CLIENT_SSL, max_packet_size, charset, mariadb_capabilities);
}

/* ---- authentication exchange ---- */

TsrDecodeStatus tsr_auth_switch_request_decode(const guint8 *payload, gsize len, TsrAuthSwitchRequest *out,
                                               GError **error) {
  TsrReader r;
  guint8 header;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "auth switch request header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_AUTH_SWITCH) return fail_invalid(error, "auth switch request header", header);
  if (tsr_reader_left(&r) == 0) {
    tsr_reader_rest(&r, &out->plugin_name);
    tsr_reader_rest(&r, &out->data);
    return TSR_DECODE_OK;
  }
  if (!tsr_reader_nulstr(&r, &out->plugin_name, "auth switch request plugin name", error)) return TSR_DECODE_ERROR;
  tsr_reader_rest(&r, &out->data);
  return TSR_DECODE_OK;
}

void tsr_auth_switch_request_encode(GByteArray *out, const TsrAuthSwitchRequest *req) {
  tsr_write_uint(out, 1, TSR_PACKET_AUTH_SWITCH);
  write_slice_nul(out, req->plugin_name);
  tsr_write_bytes(out, req->data.data, req->data.len);
}

void tsr_auth_switch_response_decode(const guint8 *payload, gsize len, TsrSlice *out) {
  out->data = payload;
  out->len = len;
}

void tsr_auth_switch_response_encode(GByteArray *out, const guint8 *data, gsize len) {
  tsr_write_bytes(out, data, len);
}

TsrDecodeStatus tsr_auth_more_data_decode(const guint8 *payload, gsize len, TsrSlice *data, GError **error) {
  TsrReader r;
  guint8 header;

  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "auth more data header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_AUTH_MORE) return fail_invalid(error, "auth more data header", header);
  tsr_reader_rest(&r, data);
  return TSR_DECODE_OK;
}

void tsr_auth_more_data_encode(GByteArray *out, const guint8 *data, gsize len) {
  tsr_write_uint(out, 1, TSR_PACKET_AUTH_MORE);
  tsr_write_bytes(out, data, len);
}
