/* mysql-command.h: command names, the simple text commands (COM_QUERY,
 * COM_INIT_DB), COM_CHANGE_USER, and the server's LOCAL INFILE request.
 *
 * Decoders take one whole payload (no frame header, command byte
 * included) and never return TSR_DECODE_NEED_MORE: a field that runs past
 * the end is TSR_DECODE_ERROR with TSR_PROTOCOL_ERROR_TRUNCATED. Slices
 * point into the payload. Encoders append a payload to a caller-owned
 * GByteArray. */
#ifndef TESSERA_MYSQL_COMMAND_H
#define TESSERA_MYSQL_COMMAND_H

#include <glib.h>
#include "protocol-types.h"
#include "mysql-constants.h"

/* Returns the name of a command byte ("COM_QUERY"...), or "COM_UNKNOWN".
 * The string is static. */
const char *tsr_command_name(guint8 command);

/* Appends a command with a text argument: the command byte and
 * text[0..len) (COM_QUERY, COM_INIT_DB, COM_CREATE_DB, COM_DROP_DB). */
void tsr_command_text_encode(GByteArray *out, guint8 command, const char *text, gsize len);

/* Shorthands for tsr_command_text_encode with a NUL-terminated string. */
void tsr_com_query_encode(GByteArray *out, const char *sql);
void tsr_com_init_db_encode(GByteArray *out, const char *schema);

/* Decodes a command with a text argument: checks the command byte is
 * `command` and sets *text to the rest of the payload. */
TsrDecodeStatus tsr_command_text_decode(const guint8 *payload, gsize len, guint8 command, TsrSlice *text,
                                        GError **error);

/* Decodes the server's LOCAL INFILE request (0xFB + file name): *filename
 * is the rest of the payload. ERROR when the first byte is not 0xFB. */
TsrDecodeStatus tsr_local_infile_request_decode(const guint8 *payload, gsize len, TsrSlice *filename,
                                                GError **error);
/* Appends a LOCAL INFILE request for filename[0..len). */
void tsr_local_infile_request_encode(GByteArray *out, const char *filename, gsize len);

typedef struct {
  TsrSlice username;
  TsrSlice auth_response;
  TsrSlice database;           /* empty when none */
  gboolean has_charset;        /* the optional fields below are present */
  guint16 charset;
  TsrSlice auth_plugin_name;   /* .data == NULL when absent */
  TsrSlice connect_attrs;      /* the attributes block content, .data == NULL when absent */
} TsrChangeUser;

/* Decodes COM_CHANGE_USER under the client's capabilities `caps`: user
 * NUL, auth response (1-byte length with CLIENT_SECURE_CONNECTION, else
 * NUL-terminated), database NUL, then optionally charset (2 bytes), plugin
 * name NUL (CLIENT_PLUGIN_AUTH) and attributes (CLIENT_CONNECT_ATTRS): the
 * optional fields may be missing, as servers accept. Returns OK, or ERROR
 * with *error naming the field. */
TsrDecodeStatus tsr_change_user_decode(const guint8 *payload, gsize len, guint32 caps, TsrChangeUser *out,
                                       GError **error);

/* Appends COM_CHANGE_USER for *cu under `caps` (with CLIENT_SECURE_CONNECTION
 * the auth response must be at most 255 bytes). The charset is written when
 * cu->has_charset or when a plugin name or attributes follow. */
void tsr_change_user_encode(GByteArray *out, guint32 caps, const TsrChangeUser *cu);

#endif
