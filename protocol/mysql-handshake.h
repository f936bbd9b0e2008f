/* mysql-handshake.h: the connection phase: the server's HandshakeV10, the
 * client's HandshakeResponse41 (and its pre-4.1 form HandshakeResponse320),
 * SSLRequest, and the packets of an authentication exchange
 * (AuthSwitchRequest, AuthSwitchResponse, AuthMoreData).
 *
 * Every decoder takes one whole payload (without the frame header). A
 * payload is complete by definition, so these decoders never return
 * TSR_DECODE_NEED_MORE: a field that runs past the end is
 * TSR_DECODE_ERROR with TSR_PROTOCOL_ERROR_TRUNCATED. Decoded slices point
 * into the payload, which must outlive them. Encoders append a payload
 * (no frame header) to a caller-owned GByteArray. */
#ifndef TESSERA_MYSQL_HANDSHAKE_H
#define TESSERA_MYSQL_HANDSHAKE_H

#include <glib.h>
#include "protocol-types.h"
#include "mysql-constants.h"

/* Largest scramble (auth-plugin-data) a HandshakeV10 may carry here. */
#define TSR_SCRAMBLE_MAX 32u
/* Length of the scramble MySQL and MariaDB servers send. */
#define TSR_SCRAMBLE_LEN 20u
/* Length of an SSLRequest payload. */
#define TSR_SSL_REQUEST_LEN 32u

typedef struct {
  guint8 protocol_version;          /* 10 */
  TsrSlice server_version;          /* points into the input */
  guint32 connection_id;
  guint8 scramble[32];              /* auth-plugin-data part 1 + part 2, without the trailing NUL */
  gsize scramble_len;               /* usually 20 */
  guint32 capabilities;             /* lower | upper << 16 */
  guint32 mariadb_capabilities;     /* MariaDB extended caps (the last 4 of the 10 reserved bytes), 0 when absent */
  guint8 charset;
  guint16 status;
  TsrSlice auth_plugin_name;        /* empty when absent */
} TsrHandshakeV10;

/* Decodes a HandshakeV10 payload into *out. Accepts the short form of old
 * servers that ends after the lower capability flags (then charset, status
 * and the upper flags are 0) and servers without CLIENT_SECURE_CONNECTION
 * (8-byte scramble) or without CLIENT_PLUGIN_AUTH (empty plugin name; a
 * plugin name without its NUL runs to the end of the payload).
 * mariadb_capabilities is read only when CLIENT_LONG_PASSWORD (MariaDB's
 * CLIENT_MYSQL) is clear. Returns OK, or ERROR with *error naming the field
 * (protocol version other than 10, truncated field, scramble longer than
 * TSR_SCRAMBLE_MAX). */
TsrDecodeStatus tsr_handshake_v10_decode(const guint8 *payload, gsize len, TsrHandshakeV10 *out, GError **error);

/* Appends the HandshakeV10 payload for *hs (payload only, no frame header).
 * The reserved bytes carry hs->mariadb_capabilities when CLIENT_LONG_PASSWORD
 * is clear in hs->capabilities; auth-plugin-data part 2 is padded to 12
 * bytes and NUL-terminated when CLIENT_SECURE_CONNECTION is set; the plugin
 * name is written when CLIENT_PLUGIN_AUTH is set. scramble_len must be at
 * least 8 and at most TSR_SCRAMBLE_MAX. */
void tsr_handshake_v10_encode(GByteArray *out, const TsrHandshakeV10 *hs);

typedef struct {
  guint32 capabilities;
  guint32 max_packet_size;
  guint8 charset;
  guint32 mariadb_capabilities;     /* from the reserved filler when the client speaks MariaDB's extension */
  TsrSlice username;
  TsrSlice auth_response;
  TsrSlice database;                /* .data == NULL when CLIENT_CONNECT_WITH_DB is not set */
  TsrSlice auth_plugin_name;        /* .data == NULL when absent */
  TsrSlice connect_attrs;           /* the attributes block content, .data == NULL when absent */
} TsrHandshakeResponse;

/* TRUE when the payload is an SSLRequest (32 bytes, CLIENT_SSL set). */
gboolean tsr_handshake_response_is_ssl_request(const guint8 *payload, gsize len);

/* Decodes a HandshakeResponse41 payload (or, when CLIENT_PROTOCOL_41 is
 * clear, a HandshakeResponse320: 2-byte flags, 3-byte max packet size, user,
 * auth response) into *out. The auth response is read as a length-encoded
 * string (CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA), a 1-byte-length string
 * (CLIENT_SECURE_CONNECTION) or a NUL-terminated string. A plugin name or
 * attributes block that the flags announce but the payload does not carry
 * is left absent (.data == NULL), as servers accept it; a missing database
 * is an error. mariadb_capabilities is read from the last 4 filler bytes
 * when CLIENT_LONG_PASSWORD (MariaDB's CLIENT_MYSQL) is clear. Returns OK or
 * ERROR with *error naming the field. An SSLRequest decodes as OK with an
 * empty username and auth response; check tsr_handshake_response_is_ssl_request first. */
TsrDecodeStatus tsr_handshake_response_decode(const guint8 *payload, gsize len, TsrHandshakeResponse *out,
                                              GError **error);

/* Appends the HandshakeResponse41 payload for *r. The auth response is
 * written length-encoded when CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA is set,
 * else with a 1-byte length when CLIENT_SECURE_CONNECTION is set (it must
 * then be at most 255 bytes), else NUL-terminated. database, plugin name
 * and attributes are written when their flag is set (a NULL slice writes an
 * empty value). Only the 4.1 form is written: set CLIENT_PROTOCOL_41. */
void tsr_handshake_response_encode(GByteArray *out, const TsrHandshakeResponse *r);

/* Appends an SSLRequest payload (32 bytes): capabilities (CLIENT_SSL is
 * added), max packet size, charset, and the MariaDB extended capabilities in
 * the filler when CLIENT_LONG_PASSWORD is clear. */
void tsr_ssl_request_encode(GByteArray *out, guint32 capabilities, guint32 max_packet_size, guint8 charset,
                            guint32 mariadb_capabilities);

/* AuthSwitchRequest: 0xFE, plugin name NUL-terminated, plugin data (the
 * rest of the payload; for mysql_native_password the 20-byte scramble and a
 * NUL). The pre-4.1 form (0xFE alone, "use mysql_old_password") decodes
 * with an empty plugin name and empty data. */
typedef struct {
  TsrSlice plugin_name;
  TsrSlice data;
} TsrAuthSwitchRequest;

/* Decodes an AuthSwitchRequest payload. ERROR when the first byte is not
 * 0xFE or the plugin name has no NUL. */
TsrDecodeStatus tsr_auth_switch_request_decode(const guint8 *payload, gsize len, TsrAuthSwitchRequest *out,
                                               GError **error);

/* Appends an AuthSwitchRequest payload: 0xFE, req->plugin_name, NUL,
 * req->data (written as given: add the NUL a plugin expects to the data). */
void tsr_auth_switch_request_encode(GByteArray *out, const TsrAuthSwitchRequest *req);

/* AuthSwitchResponse is the plugin's raw data, the whole payload: decoding
 * sets *out to the payload and cannot fail. */
void tsr_auth_switch_response_decode(const guint8 *payload, gsize len, TsrSlice *out);

/* Appends an AuthSwitchResponse payload (data[0..len) as is). */
void tsr_auth_switch_response_encode(GByteArray *out, const guint8 *data, gsize len);

/* Decodes an AuthMoreData payload (0x01 + data): *data is everything after
 * the 0x01. ERROR when the payload is empty or does not start with 0x01. */
TsrDecodeStatus tsr_auth_more_data_decode(const guint8 *payload, gsize len, TsrSlice *data, GError **error);

/* Appends an AuthMoreData payload: 0x01 and data[0..len). */
void tsr_auth_more_data_encode(GByteArray *out, const guint8 *data, gsize len);

#endif
