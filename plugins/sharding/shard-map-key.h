/* shard-map-key.h: from a shard key value to its shard.
 *
 * Two questions are asked of a layout (shard-map.h):
 *  - place: which shard a row with key value v is written to. Values that
 *    the column would not store exactly as given (1.5 in an integer key, a
 *    string that is not a date in a date key, NULL) are refused, since
 *    MySQL's conversion would put the row where later reads do not look.
 *  - match: which shards may hold rows whose key compares to v as `cmp`
 *    says, with MySQL's comparison rules. The answer may hold more shards
 *    than needed (when in doubt: all of them), never fewer.
 *
 * The hash method (documented in docs/sharding.md):
 *   integers: shard = key mod n, the remainder taken non-negative
 *             (-1 mod 8 = 7), unsigned values above 2^63-1 by their value;
 *   strings:  shard = CRC32(fold(key)) mod n, CRC32 being MySQL's CRC32()
 *             (ISO-HDLC, as zlib), fold() depending on the collation:
 *               binary:        the bytes as they are;
 *               _bin:          trailing spaces removed;
 *               general_ci:    each character replaced by its
 *                              utf8mb4_general_ci weight (MariaDB's table:
 *                              upper case, most accents removed, U+FFFD
 *                              beyond U+FFFF) as a character, trailing
 *                              spaces removed, encoded in UTF-8.
 * So for ASCII keys without trailing blanks, CRC32(UPPER(key)) % n in SQL
 * gives the shard of a general_ci key. */
#ifndef TESSERA_SHARDING_SHARD_MAP_KEY_H
#define TESSERA_SHARDING_SHARD_MAP_KEY_H

#include <glib.h>
#include "shard-map.h"
#include "shard-map-set.h"

/* A constant value: what a literal, a folded expression or a bound
 * parameter gives. Strings are borrowed. */
typedef enum {
  TSR_SHARD_VALUE_NULL,
  TSR_SHARD_VALUE_INT,      /* i, or u when is_unsigned (for values above G_MAXINT64) */
  TSR_SHARD_VALUE_DECIMAL,  /* str: [-]digits[.digits] as written */
  TSR_SHARD_VALUE_DOUBLE,   /* d */
  TSR_SHARD_VALUE_STRING,   /* str[0..len) in the connection's character set (UTF-8 assumed) */
  TSR_SHARD_VALUE_BINARY,   /* str[0..len): a binary string (X'..', a BLOB parameter) */
  TSR_SHARD_VALUE_DATETIME, /* usec: microseconds since 0000-01-01 00:00:00 (proleptic Gregorian) */
} TsrShardValueKind;

typedef struct {
  TsrShardValueKind kind;
  gboolean is_unsigned;
  gint64 i;
  guint64 u;
  gdouble d;
  const char *str;
  gsize len;
  gint64 usec;
} TsrShardValue;

typedef enum {
  TSR_SHARD_CMP_EQ,
  TSR_SHARD_CMP_LT,
  TSR_SHARD_CMP_LE,
  TSR_SHARD_CMP_GT,
  TSR_SHARD_CMP_GE,
} TsrShardCmp;

/* Finds the shard a row whose key is *v goes to. Returns TRUE and sets
 * *shard, or FALSE with *error (TSR_SHARD_MAP_ERROR_INVALID) saying why the
 * value cannot be placed, as a phrase to follow "the shard key value":
 * "'abc' is not an integer", "2031-01-01 is after the last shard (2025-12)". */
gboolean tsr_shard_place(const TsrShardLayout *layout, const TsrShardValue *v, guint *shard, GError **error);

/* Adds to `out` (a set over layout->n_shards) the shards that may hold
 * rows whose key `cmp` *v holds for. */
void tsr_shard_match(const TsrShardLayout *layout, TsrShardCmp cmp, const TsrShardValue *v, TsrShardSet *out);

/* Adds to `out` the shards that may hold rows whose key is BETWEEN *lo AND *hi. */
void tsr_shard_match_between(const TsrShardLayout *layout, const TsrShardValue *lo, const TsrShardValue *hi,
                             TsrShardSet *out);

/* Appends the value as SQL text in a message ('abc', 12, NULL, ...). */
void tsr_shard_value_describe(GString *out, const TsrShardValue *v);

/* ---- the pieces (shard-map-fold.c, shard-map-date.c) ---- */

/* Returns the CRC32 of p[0..len), as MySQL's CRC32() and zlib compute it. */
guint32 tsr_shard_crc32(const guint8 *p, gsize len);

/* Appends fold(s[0..len)) under `collation` (see the top of this file) to
 * `out`. Returns FALSE, leaving `out` as it was, when s is not valid
 * utf8mb4 under general_ci. */
gboolean tsr_shard_fold(TsrShardCollation collation, const char *s, gsize len, GString *out);

/* Returns the utf8mb4_general_ci weight of c as a character: MariaDB's
 * weight table (U+00E9 gives U+0045, U+00DF gives U+0053, characters
 * beyond the Basic Multilingual Plane U+FFFD). */
gunichar tsr_shard_fold_general_ci(gunichar c);

/* Parses a date or datetime as MySQL reads one in a string:
 * YYYY-MM-DD, optionally followed by ' ' or 'T' and HH:MM[:SS[.ffffff]]
 * ('/' and '.' are accepted as date separators, months and days may have
 * one digit), blanks around it ignored. Returns FALSE for anything else,
 * including impossible dates (2023-02-30) and the zero date. */
gboolean tsr_shard_parse_datetime(const char *s, gsize len, gint64 *usec);

/* Returns the datetime of an integer used as a date: YYYYMMDD or
 * YYYYMMDDhhmmss. FALSE for other integers. */
gboolean tsr_shard_datetime_from_int(gint64 v, gint64 *usec);

/* Returns the microseconds since 0000-01-01 of a calendar date and time
 * (no range checks beyond what the caller did). */
gint64 tsr_shard_datetime_make(gint year, guint month, guint day, guint hour, guint minute, guint second,
                               guint usec);

/* Returns the period (day, month or year number since year 0) of a datetime. */
gint64 tsr_shard_date_period(TsrShardDateUnit unit, gint64 usec);

/* Appends a period as it appears in table names: 20240131, 202401, 2024. */
void tsr_shard_date_period_suffix(GString *out, TsrShardDateUnit unit, gint64 period);

/* Appends a period as a date in messages: 2024-01-31, 2024-01, 2024. */
void tsr_shard_date_period_describe(GString *out, TsrShardDateUnit unit, gint64 period);

/* Appends a datetime as 'YYYY-MM-DD' (midnight) or 'YYYY-MM-DD hh:mm:ss[.ffffff]'. */
void tsr_shard_datetime_describe(GString *out, gint64 usec);

/* Encodes a LIST value of the map (an integer or a string as the Lua file
 * gives it) as the key of TsrShardLayout.list into `out` (replacing its
 * contents): integers as "i:<digits>", strings as "s:<fold(value)>".
 * Returns FALSE when the value does not fit the layout's key type. */
gboolean tsr_shard_list_encode(const TsrShardLayout *layout, const TsrShardValue *v, GString *out);

#endif
