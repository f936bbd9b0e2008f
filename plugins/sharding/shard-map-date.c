/* shard-map-date.c: dates of date-sharded keys: parsing, periods and the
 * suffixes of their table names (shard-map-key.h). */
#include <string.h>
#include "shard-map-key.h"

#define USEC_PER_DAY G_GINT64_CONSTANT(86400000000)

/* Days since 0000-01-01 of a date (Howard Hinnant's days_from_civil,
 * counted from 0000-03-01 and shifted; proleptic Gregorian). */
static gint64 days_from_civil(gint64 y, guint m, guint d) {
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe + 60; /* 0000-01-01 is 60 days before 0000-03-01 */
}

/* The date of a day number of days_from_civil(). */
static void civil_from_days(gint64 z, gint64 *y, guint *m, guint *d) {
  z -= 60;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  *d = (guint)(doy - (153 * mp + 2) / 5 + 1);
  *m = (guint)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static gboolean leap(gint64 y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static guint days_in_month(gint64 y, guint m) {
  static const guint days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

gint64 tsr_shard_datetime_make(gint year, guint month, guint day, guint hour, guint minute, guint second,
                               guint usec) {
  gint64 days = days_from_civil(year, month, day);
  return days * USEC_PER_DAY + ((gint64)hour * 3600 + minute * 60 + second) * 1000000 + usec;
}

/* Reads 1..max digits at *p; FALSE when there is none. */
static gboolean digits(const char **p, const char *end, guint max, guint *value, guint *count) {
  guint v = 0, n = 0;
  while (*p < end && n < max && g_ascii_isdigit(**p)) {
    v = v * 10 + (guint)(**p - '0');
    (*p)++;
    n++;
  }
  *value = v;
  if (count) *count = n;
  return n > 0;
}

static gboolean date_sep(const char **p, const char *end) {
  if (*p < end && (**p == '-' || **p == '/' || **p == '.')) {
    (*p)++;
    return TRUE;
  }
  return FALSE;
}

static gboolean expect(const char **p, const char *end, char c) {
  if (*p < end && **p == c) {
    (*p)++;
    return TRUE;
  }
  return FALSE;
}

/* Reads [ |T]HH:MM[:SS[.ffffff]] into seconds of the day and microseconds. */
static gboolean parse_time(const char **p, const char *end, guint *secs, guint *usec) {
  guint h, mi, s = 0, n;
  if (!digits(p, end, 2, &h, NULL) || !expect(p, end, ':') || !digits(p, end, 2, &mi, NULL)) return FALSE;
  if (expect(p, end, ':') && !digits(p, end, 2, &s, NULL)) return FALSE;
  *usec = 0;
  if (expect(p, end, '.')) {
    guint frac;
    if (!digits(p, end, 6, &frac, &n)) return FALSE;
    while (n++ < 6) frac *= 10;
    *usec = frac;
  }
  if (h > 23 || mi > 59 || s > 59) return FALSE;
  *secs = h * 3600 + mi * 60 + s;
  return TRUE;
}

gboolean tsr_shard_parse_datetime(const char *s, gsize len, gint64 *usec) {
  const char *p = s, *end = s + len;
  guint y, m, d, ny, secs = 0, frac = 0;
  while (p < end && g_ascii_isspace(*p)) p++;
  while (end > p && g_ascii_isspace(end[-1])) end--;
  if (!digits(&p, end, 4, &y, &ny) || ny != 4 || !date_sep(&p, end) || !digits(&p, end, 2, &m, NULL) ||
      !date_sep(&p, end) || !digits(&p, end, 2, &d, NULL))
    return FALSE;
  if (p < end && (*p == ' ' || *p == 'T')) {
    p++;
    if (!parse_time(&p, end, &secs, &frac)) return FALSE;
  }
  if (p != end || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || y == 0) return FALSE;
  *usec = tsr_shard_datetime_make((gint)y, m, d, 0, 0, 0, 0) + (gint64)secs * 1000000 + frac;
  return TRUE;
}

gboolean tsr_shard_datetime_from_int(gint64 v, gint64 *usec) {
  gint64 date = v, time = 0;
  if (v >= G_GINT64_CONSTANT(10000101000000)) {
    date = v / 1000000;
    time = v % 1000000;
  }
  gint64 y = date / 10000;
  guint m = (guint)(date / 100 % 100), d = (guint)(date % 100);
  guint hh = (guint)(time / 10000), mi = (guint)(time / 100 % 100), ss = (guint)(time % 100);
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || hh > 23 || mi > 59 ||
      ss > 59)
    return FALSE;
  *usec = tsr_shard_datetime_make((gint)y, m, d, hh, mi, ss, 0);
  return TRUE;
}

static gint64 floor_div(gint64 a, gint64 b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

gint64 tsr_shard_date_period(TsrShardDateUnit unit, gint64 usec) {
  gint64 days = floor_div(usec, USEC_PER_DAY), y;
  guint m, d;
  if (unit == TSR_SHARD_DATE_DAY) return days;
  civil_from_days(days, &y, &m, &d);
  return unit == TSR_SHARD_DATE_MONTH ? y * 12 + (m - 1) : y;
}

/* Writes period's date with `sep` between year, month and day. */
static void append_period(GString *out, TsrShardDateUnit unit, gint64 period, const char *sep) {
  gint64 y;
  guint m, d;
  switch (unit) {
  case TSR_SHARD_DATE_DAY:
    civil_from_days(period, &y, &m, &d);
    g_string_append_printf(out, "%04" G_GINT64_FORMAT "%s%02u%s%02u", y, sep, m, sep, d);
    break;
  case TSR_SHARD_DATE_MONTH:
    g_string_append_printf(out, "%04" G_GINT64_FORMAT "%s%02u", floor_div(period, 12), sep,
                           (guint)(period - floor_div(period, 12) * 12 + 1));
    break;
  case TSR_SHARD_DATE_YEAR: g_string_append_printf(out, "%04" G_GINT64_FORMAT, period); break;
  }
}

void tsr_shard_date_period_suffix(GString *out, TsrShardDateUnit unit, gint64 period) {
  append_period(out, unit, period, "");
}

void tsr_shard_date_period_describe(GString *out, TsrShardDateUnit unit, gint64 period) {
  append_period(out, unit, period, "-");
}

void tsr_shard_datetime_describe(GString *out, gint64 usec) {
  gint64 days = floor_div(usec, USEC_PER_DAY), rest = usec - days * USEC_PER_DAY, y;
  guint m, d;
  civil_from_days(days, &y, &m, &d);
  g_string_append_printf(out, "%04" G_GINT64_FORMAT "-%02u-%02u", y, m, d);
  if (rest == 0) return;
  gint64 secs = rest / 1000000;
  g_string_append_printf(out, " %02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
  if (rest % 1000000) g_string_append_printf(out, ".%06d", (int)(rest % 1000000));
}
