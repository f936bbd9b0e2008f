/* value.h: the values of one result column as the sharding merger sees
 * them: how to read them from text rows, how MariaDB orders them (ORDER BY,
 * MIN, MAX), when two are the same (GROUP BY, DISTINCT, COUNT(DISTINCT))
 * and how to hash them, from the column's definition.
 *
 * Values are TsrValue (protocol/mysql-resultset.h). Binary rows decode into
 * them directly; a text value is read with tsr_value_from_text(), which
 * keeps the text in raw and fills the union the way the binary protocol
 * would (v.i / v.u for integers and YEAR, v.f for FLOAT and DOUBLE, v.time
 * for temporals). DECIMAL and strings are compared on raw in both
 * protocols. NULL orders before every value (MySQL's rule: first in ASC,
 * last in DESC) and equals NULL for grouping. */
#ifndef TESSERA_SHARDING_VALUE_H
#define TESSERA_SHARDING_VALUE_H

#include <glib.h>
#include "protocol/mysql-resultset.h"
#include "merge-spec.h"
#include "value-collation.h"

/* Error domain of the merger and its value module. */
#define TSR_MERGE_ERROR (tsr_merge_error_quark())

typedef enum {
  TSR_MERGE_ERROR_UNSUPPORTED,  /* the statement cannot be merged exactly (the message says why) */
  TSR_MERGE_ERROR_INVALID,      /* the spec contradicts itself or the columns */
  TSR_MERGE_ERROR_ROW,          /* a shard row or value is malformed */
  TSR_MERGE_ERROR_OVERFLOW,     /* a combined value leaves its type's range */
} TsrMergeErrorCode;

/* Returns the GQuark of the TSR_MERGE_ERROR domain. */
GQuark tsr_merge_error_quark(void);

typedef enum {
  TSR_VALUE_SIGNED,            /* TINY..LONGLONG, YEAR without UNSIGNED: v.i */
  TSR_VALUE_UNSIGNED,          /* the same with UNSIGNED (YEAR is): v.u */
  TSR_VALUE_DECIMAL,           /* DECIMAL: raw is the decimal text */
  TSR_VALUE_REAL,              /* FLOAT, DOUBLE: v.f */
  TSR_VALUE_DATETIME,          /* DATE, DATETIME, TIMESTAMP: v.time */
  TSR_VALUE_TIME,              /* TIME (negative, beyond 24 hours): v.time */
  TSR_VALUE_STRING,            /* everything else: raw under `order` */
  TSR_VALUE_NULL,              /* a column of type NULL */
} TsrValueKind;

typedef struct {
  TsrValueKind kind;
  TsrValueType type;           /* column type and UNSIGNED, as binary rows need */
  TsrStringOrder order;        /* TSR_VALUE_STRING */
  guint16 flags;               /* column definition flags */
  guint32 length;              /* column length (ZEROFILL width) */
  guint8 decimals;
  const char *unordered;       /* NULL, or why MariaDB's order cannot be reproduced */
  const char *unmatched;       /* NULL, or why MariaDB's equality cannot be reproduced */
} TsrValueClass;

/* Fills *cls for a column definition. `collation` chooses the string
 * order: TSR_COLLATE_AUTO takes it from the definition: the binary
 * character set (63) is TSR_STRING_BINARY, the BINARY flag on a text
 * column (a _bin collation) TSR_STRING_BINARY_PAD, otherwise the default
 * case-insensitive collation of the result's character set
 * (utf8mb4/utf8mb3/ascii: general_ci; latin1: latin1_swedish_ci). A
 * definition carries the client's result character set, not the column's
 * own collation: a column under another case-insensitive collation
 * (unicode_ci, ...) needs an explicit collation from the router, and only
 * these ones exist. ENUM and SET (ordered by MariaDB by their index) and
 * other character sets get a reason in unordered/unmatched instead of an
 * error here, so columns only passed on never fail. */
void tsr_value_class_init(TsrValueClass *cls, const TsrColumnDef *col, TsrCollation collation);

/* Returns TRUE when values of cls can be ordered (`ordering`) or matched
 * for equality (!ordering) as MariaDB does; else FALSE with
 * TSR_MERGE_ERROR_UNSUPPORTED naming `what` (e.g. "ORDER BY column 2"). */
gboolean tsr_value_class_check(const TsrValueClass *cls, gboolean ordering, const char *what, GError **error);

/* Reads the text protocol value `text` (.data NULL for NULL) of class cls
 * into *out (raw points into text). Returns FALSE with TSR_MERGE_ERROR_ROW
 * when the text is not a value of the class (a number that does not parse,
 * a malformed date). Strings always parse. */
gboolean tsr_value_from_text(const TsrValueClass *cls, TsrSlice text, TsrValue *out, GError **error);

/* Compares two values of class cls; returns <0, 0 or >0. NULL is smaller
 * than any value and equal to NULL. */
int tsr_value_compare(const TsrValueClass *cls, const TsrValue *a, const TsrValue *b);

/* Returns a hash of v: values that compare equal hash equal. */
guint tsr_value_hash(const TsrValueClass *cls, const TsrValue *v);

/* Returns the signed count of microseconds of a DATE/DATETIME/TIMESTAMP
 * (packed so that the order of the numbers is the order of the times) or
 * of a TIME (duration, negative when t->negative). */
gint64 tsr_time_packed(const TsrTime *t, gboolean is_duration);

#endif
