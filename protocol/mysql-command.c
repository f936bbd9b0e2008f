/* mysql-command.c: command names, text commands, COM_CHANGE_USER and the
 * LOCAL INFILE request (see mysql-command.h). */
#include <string.h>
#include "mysql-command.h"
#include "mysql-wire.h"

static const char *const command_names[TSR_COM_MAX] = {
  [TSR_COM_SLEEP] = "COM_SLEEP",
  [TSR_COM_QUIT] = "COM_QUIT",
  [TSR_COM_INIT_DB] = "COM_INIT_DB",
  [TSR_COM_QUERY] = "COM_QUERY",
  [TSR_COM_FIELD_LIST] = "COM_FIELD_LIST",
  [TSR_COM_CREATE_DB] = "COM_CREATE_DB",
  [TSR_COM_DROP_DB] = "COM_DROP_DB",
  [TSR_COM_REFRESH] = "COM_REFRESH",
  [TSR_COM_SHUTDOWN] = "COM_SHUTDOWN",
  [TSR_COM_STATISTICS] = "COM_STATISTICS",
  [TSR_COM_PROCESS_INFO] = "COM_PROCESS_INFO",
  [TSR_COM_CONNECT] = "COM_CONNECT",
  [TSR_COM_PROCESS_KILL] = "COM_PROCESS_KILL",
  [TSR_COM_DEBUG] = "COM_DEBUG",
  [TSR_COM_PING] = "COM_PING",
  [TSR_COM_TIME] = "COM_TIME",
  [TSR_COM_DELAYED_INSERT] = "COM_DELAYED_INSERT",
  [TSR_COM_CHANGE_USER] = "COM_CHANGE_USER",
  [TSR_COM_BINLOG_DUMP] = "COM_BINLOG_DUMP",
  [TSR_COM_TABLE_DUMP] = "COM_TABLE_DUMP",
  [TSR_COM_CONNECT_OUT] = "COM_CONNECT_OUT",
  [TSR_COM_REGISTER_SLAVE] = "COM_REGISTER_SLAVE",
  [TSR_COM_STMT_PREPARE] = "COM_STMT_PREPARE",
  [TSR_COM_STMT_EXECUTE] = "COM_STMT_EXECUTE",
  [TSR_COM_STMT_SEND_LONG_DATA] = "COM_STMT_SEND_LONG_DATA",
  [TSR_COM_STMT_CLOSE] = "COM_STMT_CLOSE",
  [TSR_COM_STMT_RESET] = "COM_STMT_RESET",
  [TSR_COM_SET_OPTION] = "COM_SET_OPTION",
  [TSR_COM_STMT_FETCH] = "COM_STMT_FETCH",
  [TSR_COM_DAEMON] = "COM_DAEMON",
  [TSR_COM_BINLOG_DUMP_GTID] = "COM_BINLOG_DUMP_GTID",
  [TSR_COM_RESET_CONNECTION] = "COM_RESET_CONNECTION",
};

const char *tsr_command_name(guint8 command) {
  return command < TSR_COM_MAX && command_names[command] ? command_names[command] : "COM_UNKNOWN";
}

/* ---- text commands ---- */

void tsr_command_text_encode(GByteArray *out, guint8 command, const char *text, gsize len) {
  tsr_write_uint(out, 1, command);
  tsr_write_bytes(out, text, len);
}

void tsr_com_query_encode(GByteArray *out, const char *sql) {
  tsr_command_text_encode(out, TSR_COM_QUERY, sql, strlen(sql));
}

void tsr_com_init_db_encode(GByteArray *out, const char *schema) {
  tsr_command_text_encode(out, TSR_COM_INIT_DB, schema, strlen(schema));
}

/* Reads a first byte that must be `expected`. */
static gboolean read_header(TsrReader *r, guint8 expected, const char *field, GError **error) {
  guint8 byte;
  if (!tsr_reader_u8(r, &byte, field, error)) return FALSE;
  if (byte == expected) return TRUE;
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID, "%s: 0x%02X, expected 0x%02X", field, byte,
              expected);
  return FALSE;
}

TsrDecodeStatus tsr_command_text_decode(const guint8 *payload, gsize len, guint8 command, TsrSlice *text,
                                        GError **error) {
  TsrReader r;
  tsr_reader_init(&r, payload, len);
  if (!read_header(&r, command, "command byte", error)) return TSR_DECODE_ERROR;
  tsr_reader_rest(&r, text);
  return TSR_DECODE_OK;
}

/* ---- LOCAL INFILE request ---- */

TsrDecodeStatus tsr_local_infile_request_decode(const guint8 *payload, gsize len, TsrSlice *filename,
                                                GError **error) {
  TsrReader r;
  tsr_reader_init(&r, payload, len);
  if (!read_header(&r, TSR_PACKET_LOCAL_INFILE, "LOCAL INFILE request header", error)) return TSR_DECODE_ERROR;
  tsr_reader_rest(&r, filename);
  return TSR_DECODE_OK;
}

void tsr_local_infile_request_encode(GByteArray *out, const char *filename, gsize len) {
  tsr_write_uint(out, 1, TSR_PACKET_LOCAL_INFILE);
  tsr_write_bytes(out, filename, len);
}

/* ---- COM_CHANGE_USER ---- */

static gboolean read_change_user_auth(TsrReader *r, guint32 caps, TsrSlice *out, GError **error) {
  guint8 n;
  gsize start = r->pos;
  if (!(caps & TSR_CLIENT_SECURE_CONNECTION)) return tsr_reader_nulstr(r, out, "change user auth-response", error);
  if (!tsr_reader_u8(r, &n, "change user auth-response", error)) return FALSE;
  if (tsr_reader_bytes(r, n, out, "change user auth-response", error)) return TRUE;
  r->pos = start;
  return FALSE;
}

/* Reads charset, plugin name and attributes, each optional. */
static gboolean read_change_user_tail(TsrReader *r, guint32 caps, TsrChangeUser *out, GError **error) {
  if (tsr_reader_left(r) == 0) return TRUE;
  if (!tsr_reader_u16(r, &out->charset, "change user character set", error)) return FALSE;
  out->has_charset = TRUE;
  if ((caps & TSR_CLIENT_PLUGIN_AUTH) && tsr_reader_left(r) > 0 &&
      !tsr_reader_nulstr(r, &out->auth_plugin_name, "change user plugin name", error))
    return FALSE;
  if ((caps & TSR_CLIENT_CONNECT_ATTRS) && tsr_reader_left(r) > 0 &&
      !tsr_reader_lenenc_str(r, &out->connect_attrs, "change user connect attributes", error))
    return FALSE;
  return TRUE;
}

TsrDecodeStatus tsr_change_user_decode(const guint8 *payload, gsize len, guint32 caps, TsrChangeUser *out,
                                       GError **error) {
  TsrReader r;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!read_header(&r, TSR_COM_CHANGE_USER, "change user command", error) ||
      !tsr_reader_nulstr(&r, &out->username, "change user username", error) ||
      !read_change_user_auth(&r, caps, &out->auth_response, error) ||
      !tsr_reader_nulstr(&r, &out->database, "change user database", error) ||
      !read_change_user_tail(&r, caps, out, error))
    return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

static void write_slice_nul(GByteArray *out, TsrSlice s) {
  tsr_write_bytes(out, s.data, s.len);
  tsr_write_zeros(out, 1);
}

void tsr_change_user_encode(GByteArray *out, guint32 caps, const TsrChangeUser *cu) {
  gboolean plugin = (caps & TSR_CLIENT_PLUGIN_AUTH) && cu->auth_plugin_name.data;
  gboolean attrs = (caps & TSR_CLIENT_CONNECT_ATTRS) && cu->connect_attrs.data;

  tsr_write_uint(out, 1, TSR_COM_CHANGE_USER);
  write_slice_nul(out, cu->username);
  if (caps & TSR_CLIENT_SECURE_CONNECTION) {
    gsize n = MIN(cu->auth_response.len, (gsize)255);
    tsr_write_uint(out, 1, n);
    tsr_write_bytes(out, cu->auth_response.data, n);
  } else {
    write_slice_nul(out, cu->auth_response);
  }
  write_slice_nul(out, cu->database);
  if (!cu->has_charset && !plugin && !attrs) return;
  tsr_write_uint(out, 2, cu->charset);
  if ((caps & TSR_CLIENT_PLUGIN_AUTH) && (plugin || attrs)) write_slice_nul(out, cu->auth_plugin_name);
  if (attrs) tsr_write_lenenc_str(out, cu->connect_attrs.data, cu->connect_attrs.len);
}
