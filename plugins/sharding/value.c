/* value.c: column classes, text values, comparison and hashing. */
#include <stdlib.h>
#include <string.h>
#include "value.h"
#include "value-decimal.h"

G_DEFINE_QUARK(tsr-merge-error-quark, tsr_merge_error)

#define USEC_PER_SEC G_GINT64_CONSTANT(1000000)

typedef enum { FAMILY_UTF8, FAMILY_LATIN1, FAMILY_BINARY, FAMILY_OTHER } CharsetFamily;

/* Returns the family of a collation id as MariaDB 10.11 (and MySQL 8 for
 * its utf8mb4_0900 ids) number them. */
static CharsetFamily charset_family(guint16 id) {
  switch (id) {
  case 63:
    return FAMILY_BINARY;
  case 5: case 8: case 15: case 31: case 47: case 48: case 49: case 94: case 1032: case 1071:
    return FAMILY_LATIN1;
  case 11: case 65: case 1035: case 1089:                       /* ascii */
  case 33: case 83: case 223: case 1057: case 1107: case 1216: case 1238: /* utf8mb3 */
  case 45: case 46: case 1069: case 1070: case 1248: case 1270:  /* utf8mb4 */
    return FAMILY_UTF8;
  default:
    break;
  }
  if ((id >= 192 && id <= 215) || (id >= 576 && id <= 578)) return FAMILY_UTF8;  /* utf8mb3 */
  if ((id >= 224 && id <= 247) || (id >= 608 && id <= 610)) return FAMILY_UTF8;  /* utf8mb4 */
  if (id >= 255 && id <= 323) return FAMILY_UTF8;                                  /* utf8mb4_0900 */
  return FAMILY_OTHER;
}

static TsrValueKind kind_of(const TsrColumnDef *col) {
  gboolean is_unsigned = (col->flags & TSR_FIELD_UNSIGNED) != 0;
  switch (col->type) {
  case TSR_TYPE_TINY: case TSR_TYPE_SHORT: case TSR_TYPE_INT24: case TSR_TYPE_LONG:
  case TSR_TYPE_LONGLONG: case TSR_TYPE_YEAR:
    return is_unsigned ? TSR_VALUE_UNSIGNED : TSR_VALUE_SIGNED;
  case TSR_TYPE_DECIMAL: case TSR_TYPE_NEWDECIMAL:
    return TSR_VALUE_DECIMAL;
  case TSR_TYPE_FLOAT: case TSR_TYPE_DOUBLE:
    return TSR_VALUE_REAL;
  case TSR_TYPE_DATE: case TSR_TYPE_NEWDATE: case TSR_TYPE_DATETIME: case TSR_TYPE_DATETIME2:
  case TSR_TYPE_TIMESTAMP: case TSR_TYPE_TIMESTAMP2:
    return TSR_VALUE_DATETIME;
  case TSR_TYPE_TIME: case TSR_TYPE_TIME2:
    return TSR_VALUE_TIME;
  case TSR_TYPE_NULL:
    return TSR_VALUE_NULL;
  default:
    return TSR_VALUE_STRING;
  }
}

/* Sets the string order of a text column under `collation`. */
static void set_string_order(TsrValueClass *cls, const TsrColumnDef *col, TsrCollation collation) {
  CharsetFamily family = charset_family(col->charset);

  if (family == FAMILY_BINARY || col->type == TSR_TYPE_BIT) {
    cls->order = TSR_STRING_BINARY;
    return;
  }
  if (collation == TSR_COLLATE_BINARY || (collation == TSR_COLLATE_AUTO && (col->flags & TSR_FIELD_BINARY))) {
    cls->order = TSR_STRING_BINARY_PAD;
    return;
  }
  if (family == FAMILY_UTF8) {
    cls->order = TSR_STRING_GENERAL_CI;
  } else if (family == FAMILY_LATIN1) {
    cls->order = TSR_STRING_LATIN1_CI;
  } else {
    cls->order = TSR_STRING_BINARY;
    cls->unordered = cls->unmatched = "its character set has no case-insensitive collation in the merger "
                                      "(utf8mb4, utf8mb3, ascii and latin1 have)";
  }
}

void tsr_value_class_init(TsrValueClass *cls, const TsrColumnDef *col, TsrCollation collation) {
  memset(cls, 0, sizeof *cls);
  cls->kind = kind_of(col);
  cls->type = tsr_value_type_of_column(col);
  cls->flags = col->flags;
  cls->length = col->column_length;
  cls->decimals = col->decimals;
  if (cls->kind != TSR_VALUE_STRING) return;
  set_string_order(cls, col, collation);
  if (col->flags & (TSR_FIELD_ENUM | TSR_FIELD_SET))
    cls->unordered = "MariaDB orders ENUM and SET values by their position in the type, which rows do not carry";
}

gboolean tsr_value_class_check(const TsrValueClass *cls, gboolean ordering, const char *what, GError **error) {
  const char *why = ordering ? cls->unordered : cls->unmatched;
  if (!why) return TRUE;
  g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED, "%s cannot be %s across shards: %s", what,
              ordering ? "ordered" : "compared", why);
  return FALSE;
}

/* ---- text values ---- */

static gboolean bad_text(GError **error, const TsrValueClass *cls, TsrSlice text) {
  g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_ROW, "value \"%.*s\" is not a valid %s",
              (int)MIN(text.len, 64), (const char *)text.data,
              cls->kind == TSR_VALUE_TIME ? "TIME" : cls->kind == TSR_VALUE_DATETIME ? "date" : "number");
  return FALSE;
}

/* Parses digits s[*pos..) (at least min, at most max of them) into *out. */
static gboolean parse_digits(TsrSlice s, gsize *pos, guint min, guint max, guint64 *out) {
  guint n = 0;
  guint64 v = 0;
  while (*pos < s.len && n < max && s.data[*pos] >= '0' && s.data[*pos] <= '9') {
    guint d = s.data[*pos] - '0';
    if (v > (G_MAXUINT64 - d) / 10) return FALSE;
    v = v * 10 + d;
    (*pos)++;
    n++;
  }
  *out = v;
  return n >= min;
}

static gboolean expect_char(TsrSlice s, gsize *pos, char c) {
  if (*pos >= s.len || s.data[*pos] != (guint8)c) return FALSE;
  (*pos)++;
  return TRUE;
}

static gboolean parse_integer(const TsrValueClass *cls, TsrSlice s, TsrValue *out) {
  gsize pos = 0;
  gboolean negative = s.len > 0 && s.data[0] == '-';
  guint64 u;
  if (negative) pos = 1;
  if (!parse_digits(s, &pos, 1, G_MAXUINT, &u) || pos != s.len) return FALSE;
  if (cls->kind == TSR_VALUE_UNSIGNED) {
    out->v.u = u;
    return !negative;
  }
  if (negative) {
    if (u > (guint64)G_MAXINT64 + 1) return FALSE;
    out->v.i = (gint64)(0 - u);
  } else {
    if (u > (guint64)G_MAXINT64) return FALSE;
    out->v.i = (gint64)u;
  }
  return TRUE;
}

static gboolean parse_real(TsrSlice s, TsrValue *out) {
  char buf[128];
  g_autofree char *big = NULL;
  char *text = buf, *end = NULL;
  if (s.len == 0) return FALSE;
  if (s.len < sizeof buf) {
    memcpy(buf, s.data, s.len);
    buf[s.len] = '\0';
  } else {
    text = big = g_strndup((const char *)s.data, s.len);
  }
  out->v.f = g_ascii_strtod(text, &end);
  return end == text + s.len;
}

/* Reads ".ffffff" (1 to 6 digits) if present into microseconds. */
static gboolean parse_fraction(TsrSlice s, gsize *pos, guint32 *usec) {
  gsize start;
  guint64 f;
  if (*pos >= s.len || s.data[*pos] != '.') return TRUE;
  (*pos)++;
  start = *pos;
  if (!parse_digits(s, pos, 1, 6, &f)) return FALSE;
  for (gsize n = *pos - start; n < 6; n++) f *= 10;
  *usec = (guint32)f;
  return TRUE;
}

static gboolean parse_clock(TsrSlice s, gsize *pos, TsrTime *t) {
  guint64 mi, se;
  if (!expect_char(s, pos, ':') || !parse_digits(s, pos, 2, 2, &mi) || !expect_char(s, pos, ':') ||
      !parse_digits(s, pos, 2, 2, &se) || mi > 59 || se > 59)
    return FALSE;
  t->minute = (guint8)mi;
  t->second = (guint8)se;
  return parse_fraction(s, pos, &t->microsecond);
}

static gboolean parse_datetime(TsrSlice s, TsrValue *out) {
  TsrTime *t = &out->v.time;
  gsize pos = 0;
  guint64 y, mo, d, h;
  if (!parse_digits(s, &pos, 4, 4, &y) || !expect_char(s, &pos, '-') || !parse_digits(s, &pos, 2, 2, &mo) ||
      !expect_char(s, &pos, '-') || !parse_digits(s, &pos, 2, 2, &d) || mo > 12 || d > 31)
    return FALSE;
  t->year = (guint16)y;
  t->month = (guint8)mo;
  t->day = (guint8)d;
  if (pos == s.len) return TRUE;
  if (!expect_char(s, &pos, ' ') || !parse_digits(s, &pos, 2, 2, &h) || h > 23) return FALSE;
  t->hour = (guint8)h;
  return parse_clock(s, &pos, t) && pos == s.len;
}

static gboolean parse_time(TsrSlice s, TsrValue *out) {
  TsrTime *t = &out->v.time;
  gsize pos = 0;
  guint64 h;
  t->negative = expect_char(s, &pos, '-');
  if (!parse_digits(s, &pos, 2, 10, &h) || h / 24 > G_MAXUINT32) return FALSE;
  t->days = (guint32)(h / 24);
  t->hour = (guint8)(h % 24);
  return parse_clock(s, &pos, t) && pos == s.len;
}

gboolean tsr_value_from_text(const TsrValueClass *cls, TsrSlice text, TsrValue *out, GError **error) {
  gboolean ok = TRUE;

  memset(out, 0, sizeof *out);
  out->type = cls->type;
  if (!text.data) {
    out->is_null = TRUE;
    return TRUE;
  }
  out->raw = text;
  switch (cls->kind) {
  case TSR_VALUE_SIGNED:
  case TSR_VALUE_UNSIGNED:
    ok = parse_integer(cls, text, out);
    break;
  case TSR_VALUE_REAL:
    ok = parse_real(text, out);
    break;
  case TSR_VALUE_DECIMAL:
    ok = tsr_decimal_valid(text.data, text.len);
    break;
  case TSR_VALUE_DATETIME:
    ok = parse_datetime(text, out);
    break;
  case TSR_VALUE_TIME:
    ok = parse_time(text, out);
    break;
  case TSR_VALUE_STRING:
  case TSR_VALUE_NULL:
    break;
  }
  return ok ? TRUE : bad_text(error, cls, text);
}

/* ---- comparison and hashing ---- */

gint64 tsr_time_packed(const TsrTime *t, gboolean is_duration) {
  gint64 v;
  if (is_duration) {
    v = (((gint64)t->days * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
    v = v * USEC_PER_SEC + t->microsecond;
    return t->negative ? -v : v;
  }
  v = (((((gint64)t->year * 13 + t->month) * 32 + t->day) * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
  return v * USEC_PER_SEC + t->microsecond;
}

#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

int tsr_value_compare(const TsrValueClass *cls, const TsrValue *a, const TsrValue *b) {
  if (a->is_null || b->is_null) return a->is_null == b->is_null ? 0 : (a->is_null ? -1 : 1);
  switch (cls->kind) {
  case TSR_VALUE_SIGNED:
    return CMP3(a->v.i, b->v.i);
  case TSR_VALUE_UNSIGNED:
    return CMP3(a->v.u, b->v.u);
  case TSR_VALUE_REAL:
    return CMP3(a->v.f, b->v.f);
  case TSR_VALUE_DECIMAL:
    return tsr_decimal_compare(a->raw.data, a->raw.len, b->raw.data, b->raw.len);
  case TSR_VALUE_DATETIME:
  case TSR_VALUE_TIME: {
    gboolean dur = cls->kind == TSR_VALUE_TIME;
    gint64 pa = tsr_time_packed(&a->v.time, dur), pb = tsr_time_packed(&b->v.time, dur);
    return CMP3(pa, pb);
  }
  case TSR_VALUE_STRING:
    return tsr_collate_compare(cls->order, a->raw.data, a->raw.len, b->raw.data, b->raw.len);
  case TSR_VALUE_NULL:
    return 0;
  }
  g_return_val_if_reached(0);
}

static guint hash64(guint64 v) {
  v ^= v >> 33;
  v *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
  v ^= v >> 33;
  return (guint)v;
}

guint tsr_value_hash(const TsrValueClass *cls, const TsrValue *v) {
  guint64 bits;
  if (v->is_null) return 0x9e3779b9u;
  switch (cls->kind) {
  case TSR_VALUE_SIGNED:
  case TSR_VALUE_UNSIGNED:
    return hash64(v->v.u);
  case TSR_VALUE_REAL:
    if (v->v.f == 0) return 0;
    memcpy(&bits, &v->v.f, sizeof bits);
    return hash64(bits);
  case TSR_VALUE_DECIMAL:
    return tsr_decimal_hash(v->raw.data, v->raw.len);
  case TSR_VALUE_DATETIME:
  case TSR_VALUE_TIME:
    return hash64((guint64)tsr_time_packed(&v->v.time, cls->kind == TSR_VALUE_TIME));
  case TSR_VALUE_STRING:
    return tsr_collate_hash(cls->order, v->raw.data, v->raw.len);
  case TSR_VALUE_NULL:
    return 0;
  }
  g_return_val_if_reached(0);
}
