/* mysql-stmt.h: prepared statement packets: the COM_STMT_PREPARE OK
 * response, COM_STMT_EXECUTE, COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE,
 * COM_STMT_RESET and COM_STMT_FETCH.
 *
 * Decoders take one whole payload (no frame header; for commands, the
 * command byte included) and never return TSR_DECODE_NEED_MORE: a field
 * that runs past the end is TSR_DECODE_ERROR with
 * TSR_PROTOCOL_ERROR_TRUNCATED. Slices point into the payload. Encoders
 * append a payload to a caller-owned GByteArray. */
#ifndef TESSERA_MYSQL_STMT_H
#define TESSERA_MYSQL_STMT_H

#include <glib.h>
#include "protocol-types.h"
#include "mysql-constants.h"
#include "mysql-resultset.h"

/* Parameter flag byte of COM_STMT_EXECUTE's types block: unsigned. */
#define TSR_PARAM_FLAG_UNSIGNED 0x80u

typedef struct {
  guint32 stmt_id;
  guint16 columns, params, warnings;
} TsrStmtPrepareOk;

/* Decodes a COM_STMT_PREPARE OK payload (0x00, statement id, columns,
 * params, filler, warnings; warnings read as 0 when the payload ends
 * before them). */
TsrDecodeStatus tsr_stmt_prepare_ok_decode(const guint8 *payload, gsize len, TsrStmtPrepareOk *out,
                                           GError **error);

/* Appends a COM_STMT_PREPARE OK payload (12 bytes). */
void tsr_stmt_prepare_ok_encode(GByteArray *out, const TsrStmtPrepareOk *ok);

typedef struct {
  guint32 stmt_id;
  guint8 flags;                /* TSR_CURSOR_TYPE_* */
  guint32 iteration_count;     /* always 1 */
  gboolean new_params_bound;   /* the packet carries the parameter types */
} TsrStmtExecute;

/* Decodes a COM_STMT_EXECUTE payload of a statement with n_params
 * parameters into *out and params[0..n_params).
 *
 * When the packet carries types (new_params_bound), params[i].type comes
 * from it: keep them, the next execute may omit them. Otherwise the types
 * come from bound_types[0..n_params) (the types of the last execute that
 * carried them); bound_types NULL then is an ERROR. long_data[i] TRUE says
 * parameter i was sent by COM_STMT_SEND_LONG_DATA: it has no bytes in the
 * packet and decodes with is_long_data set (long_data NULL: none).
 * Returns OK, or ERROR with *error naming the field. */
TsrDecodeStatus tsr_stmt_execute_decode(const guint8 *payload, gsize len, guint n_params,
                                        const TsrValueType *bound_types, const gboolean *long_data,
                                        TsrStmtExecute *out, TsrValue *params, GError **error);

/* Appends a COM_STMT_EXECUTE payload for *ex and params[0..n_params) (types
 * are written when ex->new_params_bound; NULL values set their bit in the
 * bitmap; long-data values write nothing). */
void tsr_stmt_execute_encode(GByteArray *out, const TsrStmtExecute *ex, const TsrValue *params, guint n_params);

typedef struct {
  guint32 stmt_id;
  guint16 param_id;
  TsrSlice data;
} TsrStmtLongData;

/* Decodes a COM_STMT_SEND_LONG_DATA payload. */
TsrDecodeStatus tsr_stmt_send_long_data_decode(const guint8 *payload, gsize len, TsrStmtLongData *out,
                                               GError **error);
/* Appends a COM_STMT_SEND_LONG_DATA payload. */
void tsr_stmt_send_long_data_encode(GByteArray *out, const TsrStmtLongData *ld);

/* Decodes COM_STMT_CLOSE or COM_STMT_RESET (`command` says which): the
 * command byte and a statement id. */
TsrDecodeStatus tsr_stmt_id_command_decode(const guint8 *payload, gsize len, guint8 command, guint32 *stmt_id,
                                           GError **error);
/* Appends a COM_STMT_CLOSE or COM_STMT_RESET payload (`command` says which). */
void tsr_stmt_id_command_encode(GByteArray *out, guint8 command, guint32 stmt_id);

/* Decodes a COM_STMT_FETCH payload: statement id and number of rows. */
TsrDecodeStatus tsr_stmt_fetch_decode(const guint8 *payload, gsize len, guint32 *stmt_id, guint32 *num_rows,
                                      GError **error);
/* Appends a COM_STMT_FETCH payload. */
void tsr_stmt_fetch_encode(GByteArray *out, guint32 stmt_id, guint32 num_rows);

#endif
