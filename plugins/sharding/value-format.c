/* value-format.c: MariaDB's text for floating point, temporal and integer
 * values. */
#include <math.h>
#include <string.h>
#include "value-format.h"

#define DOUBLE_DIGITS 17
#define FLOAT_DIGITS 6          /* FLT_DIG: MariaDB prints FLOAT with at most 6 digits */
#define MAX_DECPT_FOR_F_FORMAT 15

/* The significant digits of a positive finite number and the position of
 * the decimal point relative to them (value = 0.DIGITS * 10^decpt). */
typedef struct {
  char digits[DOUBLE_DIGITS + 1];
  int len;
  int decpt;
} Digits;

/* Fills *d with the fewest digits (at most max_digits) that read back as
 * v, correctly rounded; v > 0. */
static void shortest_digits(gdouble v, int max_digits, Digits *d) {
  char buf[64], fmt[8];
  const char *p;
  int exp10;

  for (int n = 1; n <= max_digits; n++) {
    g_snprintf(fmt, sizeof fmt, "%%.%de", n - 1);
    g_ascii_formatd(buf, sizeof buf, fmt, v);
    if (n == max_digits || g_ascii_strtod(buf, NULL) == v) break;
  }
  d->len = 0;
  for (p = buf; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9') d->digits[d->len++] = *p;
  exp10 = (int)g_ascii_strtoll(p + 1, NULL, 10);
  while (d->len > 1 && d->digits[d->len - 1] == '0') d->len--;
  d->digits[d->len] = '\0';
  d->decpt = exp10 + 1;
}

/* Appends d in my_gcvt's plain ('f') or exponent ('e') form. */
static void append_digits(GString *out, const Digits *d) {
  if (d->decpt >= -MAX_DECPT_FOR_F_FORMAT + 1 && (d->decpt <= MAX_DECPT_FOR_F_FORMAT || d->len > d->decpt)) {
    if (d->decpt <= 0) {
      g_string_append(out, "0.");
      for (int i = d->decpt; i < 0; i++) g_string_append_c(out, '0');
      g_string_append_len(out, d->digits, d->len);
      return;
    }
    for (int i = 0; i < d->len; i++) {
      g_string_append_c(out, d->digits[i]);
      if (i + 1 == d->decpt && i + 1 < d->len) g_string_append_c(out, '.');
    }
    for (int i = d->len; i < d->decpt; i++) g_string_append_c(out, '0');
    return;
  }
  g_string_append_c(out, d->digits[0]);
  if (d->len > 1) {
    g_string_append_c(out, '.');
    g_string_append_len(out, d->digits + 1, d->len - 1);
  }
  g_string_append_printf(out, "e%d", d->decpt - 1);
}

/* Appends v with exactly `decimals` digits after the point. */
static void append_fixed(GString *out, gdouble v, guint decimals) {
  char fmt[16];
  gsize start = out->len;
  g_snprintf(fmt, sizeof fmt, "%%.%uf", decimals);
  g_string_set_size(out, start + 400 + decimals);
  g_ascii_formatd(out->str + start, 400 + decimals, fmt, v);
  g_string_set_size(out, start + strlen(out->str + start));
}

static void format_real(GString *out, gdouble v, guint decimals, int max_digits) {
  Digits d;
  if (v == 0 || !isfinite(v)) v = 0;   /* -0 prints as 0; MariaDB stores no inf/nan */
  if (decimals < TSR_NOT_FIXED_DEC) {
    append_fixed(out, v, decimals);
    return;
  }
  if (v == 0) {
    g_string_append_c(out, '0');
    return;
  }
  if (v < 0) g_string_append_c(out, '-');
  shortest_digits(fabs(v), max_digits, &d);
  append_digits(out, &d);
}

void tsr_format_double(GString *out, gdouble v, guint decimals) { format_real(out, v, decimals, DOUBLE_DIGITS); }

void tsr_format_float(GString *out, gfloat v, guint decimals) { format_real(out, v, decimals, FLOAT_DIGITS); }

/* ---- other types ---- */

static void append_integer(GString *out, const TsrValueClass *cls, const TsrValue *v) {
  char buf[24];
  gsize len;
  if (cls->kind == TSR_VALUE_UNSIGNED) g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v->v.u);
  else g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, v->v.i);
  len = strlen(buf);
  if (cls->flags & TSR_FIELD_ZEROFILL)
    for (gsize i = len; i < cls->length; i++) g_string_append_c(out, '0');
  g_string_append_len(out, buf, (gssize)len);
}

/* Appends ".ffffff" cut to `decimals` digits (none for 0). */
static void append_fraction(GString *out, guint32 usec, guint decimals) {
  char buf[8];
  if (decimals == 0) return;
  decimals = MIN(decimals, 6u);
  g_snprintf(buf, sizeof buf, "%06u", usec);
  g_string_append_c(out, '.');
  g_string_append_len(out, buf, decimals);
}

static void append_datetime(GString *out, const TsrValueClass *cls, const TsrTime *t) {
  g_string_append_printf(out, "%04u-%02u-%02u", t->year, t->month, t->day);
  if (cls->type.type == TSR_TYPE_DATE || cls->type.type == TSR_TYPE_NEWDATE) return;
  g_string_append_printf(out, " %02u:%02u:%02u", t->hour, t->minute, t->second);
  append_fraction(out, t->microsecond, cls->decimals);
}

static void append_time(GString *out, const TsrValueClass *cls, const TsrTime *t) {
  guint64 hours = (guint64)t->days * 24 + t->hour;
  g_string_append_printf(out, "%s%02" G_GUINT64_FORMAT ":%02u:%02u", t->negative ? "-" : "", hours, t->minute,
                         t->second);
  append_fraction(out, t->microsecond, cls->decimals);
}

void tsr_value_format_text(GString *out, const TsrValueClass *cls, const TsrValue *v) {
  if (v->is_null) return;
  switch (cls->kind) {
  case TSR_VALUE_SIGNED:
  case TSR_VALUE_UNSIGNED:
    append_integer(out, cls, v);
    break;
  case TSR_VALUE_REAL:
    if (cls->type.type == TSR_TYPE_FLOAT) tsr_format_float(out, (gfloat)v->v.f, cls->decimals);
    else tsr_format_double(out, v->v.f, cls->decimals);
    break;
  case TSR_VALUE_DATETIME:
    append_datetime(out, cls, &v->v.time);
    break;
  case TSR_VALUE_TIME:
    append_time(out, cls, &v->v.time);
    break;
  case TSR_VALUE_DECIMAL:
  case TSR_VALUE_STRING:
  case TSR_VALUE_NULL:
    g_string_append_len(out, (const char *)v->raw.data, (gssize)v->raw.len);
    break;
  }
}
