/* mysql-resultset.h: the parts of a result set: the column count packet,
 * column definitions (protocol 4.1, with MariaDB's extended metadata and
 * COM_FIELD_LIST default values), text rows and binary rows, and the binary
 * form of single values shared with COM_STMT_EXECUTE (mysql-stmt.h).
 *
 * Decoders take one whole payload (no frame header) and never return
 * TSR_DECODE_NEED_MORE: a field that runs past the end is TSR_DECODE_ERROR
 * with TSR_PROTOCOL_ERROR_TRUNCATED. Slices point into the payload.
 * Encoders append a payload to a caller-owned GByteArray. */
#ifndef TESSERA_MYSQL_RESULTSET_H
#define TESSERA_MYSQL_RESULTSET_H

#include <glib.h>
#include "protocol-types.h"
#include "mysql-constants.h"

/* Length byte of the fixed-length fields of a column definition. */
#define TSR_COLUMN_FIXED_LEN 0x0Cu

/* Decodes a column count packet: a length-encoded integer, and under
 * MariaDB's MARIADB_CLIENT_CACHE_METADATA one more byte that says whether
 * column definitions follow (0: they do not, the client reuses those of the
 * prepare). *metadata_follows is TRUE when that byte is absent. The count
 * must be at least 1. Returns OK or ERROR (*error names the field). */
TsrDecodeStatus tsr_column_count_decode(const guint8 *payload, gsize len, guint64 *count,
                                        gboolean *metadata_follows, GError **error);

/* Appends a column count packet; the metadata-follows byte is written when
 * mariadb_caps has MARIADB_CLIENT_CACHE_METADATA. */
void tsr_column_count_encode(GByteArray *out, guint64 count, guint32 mariadb_caps, gboolean metadata_follows);

typedef struct {
  TsrSlice catalog, schema, table, org_table, name, org_name;
  TsrSlice extended_metadata;  /* MariaDB extended metadata (type byte + lenenc string pairs),
                                  .data == NULL when not negotiated */
  guint16 charset;
  guint32 column_length;
  guint8 type;                 /* TsrColumnType */
  guint16 flags;               /* TSR_FIELD_* */
  guint8 decimals;
  gboolean has_default;        /* a default value field follows (COM_FIELD_LIST) */
  TsrSlice default_value;      /* .data == NULL when absent or NULL */
} TsrColumnDef;

/* Decodes a ColumnDefinition41 payload. mariadb_caps are the MariaDB
 * extended capabilities both sides agreed on: with
 * MARIADB_CLIENT_EXTENDED_METADATA a length-encoded extended metadata string
 * follows org_name. Bytes after the fixed-length fields are the default
 * value of COM_FIELD_LIST (a length-encoded string or 0xFB for NULL).
 * Returns OK, or ERROR with *error naming the field. */
TsrDecodeStatus tsr_column_def_decode(const guint8 *payload, gsize len, guint32 mariadb_caps, TsrColumnDef *out,
                                      GError **error);

/* Appends the ColumnDefinition41 payload for *col (extended metadata when
 * mariadb_caps has MARIADB_CLIENT_EXTENDED_METADATA, default value when
 * col->has_default). */
void tsr_column_def_encode(GByteArray *out, guint32 mariadb_caps, const TsrColumnDef *col);

/* Decodes a text row of n_columns values into values[0..n_columns): NULL
 * is .data == NULL, an empty string .data != NULL with .len 0. ERROR when
 * a value is truncated or bytes are left over. */
TsrDecodeStatus tsr_text_row_decode(const guint8 *payload, gsize len, guint n_columns, TsrSlice *values,
                                    GError **error);

/* Appends a text row; a value with .data == NULL is written as NULL. */
void tsr_text_row_encode(GByteArray *out, const TsrSlice *values, guint n_columns);

/* The type of a binary value: a column type and its unsigned flag (from a
 * column definition, or from the types block of COM_STMT_EXECUTE). */
typedef struct {
  guint8 type;                 /* TsrColumnType */
  gboolean is_unsigned;
} TsrValueType;

/* Returns the value type of a column definition. */
TsrValueType tsr_value_type_of_column(const TsrColumnDef *col);

/* Date and time of the binary protocol. DATE, DATETIME and TIMESTAMP use
 * year..microsecond; TIME uses negative, days, hour..microsecond. */
typedef struct {
  guint16 year;
  guint8 month, day, hour, minute, second;
  guint32 microsecond;
  guint32 days;
  gboolean negative;
} TsrTime;

/* One value of a binary row or a COM_STMT_EXECUTE parameter. */
typedef struct {
  TsrValueType type;
  gboolean is_null;
  gboolean is_long_data;       /* COM_STMT_EXECUTE: sent before by COM_STMT_SEND_LONG_DATA, not in the packet */
  TsrSlice raw;                /* the value as it is in the packet: the bytes of a number, the
                                  content of a string, the bytes after a temporal's length byte */
  union {
    gint64 i;                  /* signed integers */
    guint64 u;                 /* unsigned integers (type.is_unsigned) */
    gdouble f;                 /* FLOAT and DOUBLE */
    TsrTime time;              /* DATE, DATETIME, TIMESTAMP, TIME */
  } v;
} TsrValue;

/* The binary form a column type takes. */
typedef enum {
  TSR_BINARY_NONE,             /* TSR_TYPE_NULL: no bytes */
  TSR_BINARY_INT,              /* fixed-size little-endian integer (1, 2, 4 or 8 bytes) */
  TSR_BINARY_FLOAT,            /* 4-byte float */
  TSR_BINARY_DOUBLE,           /* 8-byte double */
  TSR_BINARY_DATE,             /* length byte 0/4/7/11 and date/time fields */
  TSR_BINARY_TIME,             /* length byte 0/8/12 and time fields */
  TSR_BINARY_STRING,           /* length-encoded string (also DECIMAL, BIT, ENUM, SET, JSON, GEOMETRY) */
} TsrBinaryForm;

/* Returns the binary form of `type`; *int_size is set for TSR_BINARY_INT
 * (pass NULL when not needed). */
TsrBinaryForm tsr_binary_form(guint8 type, guint *int_size);

/* Reads one binary value of type v->type at *pos in payload[0..len) into
 * *v (raw and the decoded union) and advances *pos. Returns FALSE and sets
 * *error naming the field on truncation or a bad temporal length. */
gboolean tsr_binary_value_decode(const guint8 *payload, gsize len, gsize *pos, TsrValue *v, const char *field,
                                 GError **error);

/* Appends the binary form of v (its type decides; strings use v->raw,
 * numbers and temporals the union; nothing for NULL values). */
void tsr_binary_value_encode(GByteArray *out, const TsrValue *v);

/* Decodes a binary row (0x00, NULL bitmap with offset 2, values) of
 * n_columns values of the given types into values[0..n_columns). ERROR when
 * the header is not 0x00, a value is truncated or bytes are left over. */
TsrDecodeStatus tsr_binary_row_decode(const guint8 *payload, gsize len, const TsrValueType *types, guint n_columns,
                                      TsrValue *values, GError **error);

/* Appends a binary row of values[0..n_columns). */
void tsr_binary_row_encode(GByteArray *out, const TsrValue *values, guint n_columns);

/* Size in bytes of a NULL bitmap for `count` values whose first bit is at
 * `offset` (2 for binary rows, 0 for COM_STMT_EXECUTE). */
static inline gsize tsr_null_bitmap_size(guint count, guint offset) { return ((gsize)count + offset + 7) / 8; }

#endif
