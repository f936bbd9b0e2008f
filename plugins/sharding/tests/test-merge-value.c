/* test-merge-value.c: the merger's value module over known answers:
 * collations (what MariaDB 10.11 says for the same pairs: 'a' = 'a ',
 * 'a\t' < 'a', 'ß' = 's', all emoji equal under utf8mb4_general_ci, 'å'
 * after 'z' under latin1_swedish_ci), DECIMAL comparison, sums and AVG's
 * division, the text of doubles and floats, text values of every type, the
 * order of temporals and NULL, column classes. */
#include <string.h>
#include "plugins/sharding/value.h"
#include "plugins/sharding/value-decimal.h"
#include "plugins/sharding/value-format.h"

typedef struct {
  TsrStringOrder order;
  const char *a;
  gsize alen;
  const char *b;
  gsize blen;
  int sign;
} CollationCase;

/* A string literal and its length (NUL bytes inside count). */
#define LIT(s) s, sizeof(s) - 1

static int sign_of(int v) { return (v > 0) - (v < 0); }

static void test_collations(void) {
  static const CollationCase cases[] = {
    { TSR_STRING_GENERAL_CI, LIT("a"), LIT("A"), 0 },
    { TSR_STRING_GENERAL_CI, LIT("apple"), LIT("APPLE "), 0 },
    { TSR_STRING_GENERAL_CI, LIT("a"), LIT("a\t"), 1 },
    { TSR_STRING_GENERAL_CI, LIT("a\t"), LIT("a"), -1 },
    { TSR_STRING_GENERAL_CI, LIT("\xc3\x9f"), LIT("s"), 0 },                   /* ß = s */
    { TSR_STRING_GENERAL_CI, LIT("\xc3\x9f"), LIT("ss"), -1 },
    { TSR_STRING_GENERAL_CI, LIT("\xc3\xa9"), LIT("E"), 0 },                   /* é = E */
    { TSR_STRING_GENERAL_CI, LIT("\xc3\x85ngstr\xc3\xb6m"), LIT("angstrom"), 0 },
    { TSR_STRING_GENERAL_CI, LIT("z"), LIT("\xc3\x85"), 1 },
    { TSR_STRING_GENERAL_CI, LIT("\xf0\x9f\x98\x80"), LIT("\xf0\x9f\x98\x81"), 0 }, /* all of U+10000.. weigh U+FFFD */
    { TSR_STRING_GENERAL_CI, LIT("\xef\xbf\xbc"), LIT("\xf0\x9f\x98\x80"), -1 },  /* U+FFFC < U+FFFD */
    { TSR_STRING_GENERAL_CI, LIT("\xef\xbf\xbf"), LIT("\xf0\x9f\x98\x80"), 1 },
    { TSR_STRING_GENERAL_CI, LIT(""), LIT(" "), 0 },
    { TSR_STRING_GENERAL_CI, LIT(""), LIT("\t"), 1 },
    { TSR_STRING_GENERAL_CI, LIT("banana"), LIT("Bananas"), -1 },
    { TSR_STRING_GENERAL_CI, LIT("\xc7\x85"), LIT("\xc7\x84"), 0 },           /* Dž = DŽ */
    { TSR_STRING_GENERAL_CI, LIT("a\xff"), LIT("a\xfe"), 1 },                  /* bad UTF-8: bytes */
    { TSR_STRING_BINARY, LIT("a"), LIT("a "), -1 },
    { TSR_STRING_BINARY, LIT("A"), LIT("a"), -1 },
    { TSR_STRING_BINARY, LIT(""), LIT("\x00"), -1 },
    { TSR_STRING_BINARY, LIT("\xff"), LIT("\x00\x00"), 1 },
    { TSR_STRING_BINARY_PAD, LIT("a"), LIT("a  "), 0 },
    { TSR_STRING_BINARY_PAD, LIT("a\t"), LIT("a"), -1 },
    { TSR_STRING_BINARY_PAD, LIT("A"), LIT("a"), -1 },
    { TSR_STRING_BINARY_PAD, LIT("\xc3\xa9"), LIT("z"), 1 },
    { TSR_STRING_LATIN1_CI, LIT("\xe5"), LIT("z"), 1 },                        /* å after z in Swedish */
    { TSR_STRING_LATIN1_CI, LIT("\xc4"), LIT("\xe4"), 0 },
    { TSR_STRING_LATIN1_CI, LIT("a"), LIT("A "), 0 },
    { TSR_STRING_LATIN1_CI, LIT("\xfc"), LIT("y"), 0 },                        /* ü = y */
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const CollationCase *c = &cases[i];
    const guint8 *a = (const guint8 *)c->a, *b = (const guint8 *)c->b;
    gsize alen = c->alen, blen = c->blen;
    g_assert_cmpint(sign_of(tsr_collate_compare(c->order, a, alen, b, blen)), ==, c->sign);
    g_assert_cmpint(sign_of(tsr_collate_compare(c->order, b, blen, a, alen)), ==, -c->sign);
    if (c->sign == 0) g_assert_cmpuint(tsr_collate_hash(c->order, a, alen), ==, tsr_collate_hash(c->order, b, blen));
  }
}

static void test_utf8(void) {
  static const char *const bad[] = { "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\x80",
                                     "\xf8\x88\x80\x80\x80" };
  gsize pos = 0;
  gunichar c;
  g_assert_true(tsr_utf8_next((const guint8 *)"\xf0\x9f\x98\x80", 4, &pos, &c));
  g_assert_cmpuint(c, ==, 0x1F600);
  g_assert_cmpuint(pos, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    pos = 0;
    g_assert_false(tsr_utf8_next((const guint8 *)bad[i], strlen(bad[i]), &pos, &c));
    g_assert_cmpuint(pos, ==, 0);
  }
  g_assert_cmpuint(tsr_general_ci_weight('a'), ==, 'A');
  g_assert_cmpuint(tsr_general_ci_weight(0xDF), ==, 'S');
  g_assert_cmpuint(tsr_general_ci_weight(0x212A), ==, 0x212A);  /* KELVIN SIGN stays itself */
}

static int dec_cmp(const char *a, const char *b) {
  return sign_of(tsr_decimal_compare((const guint8 *)a, strlen(a), (const guint8 *)b, strlen(b)));
}

static void test_decimal_compare(void) {
  static const struct { const char *a, *b; int sign; } cases[] = {
    { "1.50", "1.5", 0 }, { "-0.00", "0", 0 }, { "-1", "0", -1 }, { "10", "9.99", 1 }, { "-10", "-9.99", -1 },
    { "0.001", "0.01", -1 }, { "1.5", "1.55", -1 }, { "007", "7", 0 }, { "-0.5", "-0.49", -1 },
    { "99999999999999999999999999999999", "100000000000000000000000000000000", -1 },
  };
  static const char *const valid[] = { "1", "-1.5", "0.0", "00012.34000" };
  static const char *const invalid[] = { "", "-", "1.", ".5", "1e5", "+1", "1.2.3", "--1", "1,5", "- 1" };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_assert_cmpint(dec_cmp(cases[i].a, cases[i].b), ==, cases[i].sign);
    g_assert_cmpint(dec_cmp(cases[i].b, cases[i].a), ==, -cases[i].sign);
    if (cases[i].sign == 0)
      g_assert_cmpuint(tsr_decimal_hash((const guint8 *)cases[i].a, strlen(cases[i].a)), ==,
                       tsr_decimal_hash((const guint8 *)cases[i].b, strlen(cases[i].b)));
  }
  for (guint i = 0; i < G_N_ELEMENTS(valid); i++) g_assert_true(tsr_decimal_valid((const guint8 *)valid[i], strlen(valid[i])));
  for (guint i = 0; i < G_N_ELEMENTS(invalid); i++)
    g_assert_false(tsr_decimal_valid((const guint8 *)invalid[i], strlen(invalid[i])));
}

/* Sums the texts of `terms` (NULL-terminated) and formats with `decimals`. */
static char *sum_of(const char *const *terms, guint decimals) {
  TsrDecimalSum sum;
  GString *out = g_string_new(NULL);
  tsr_decimal_sum_init(&sum);
  for (guint i = 0; terms[i]; i++) g_assert_true(tsr_decimal_sum_add(&sum, (const guint8 *)terms[i], strlen(terms[i])));
  tsr_decimal_sum_format(&sum, decimals, out);
  tsr_decimal_sum_clear(&sum);
  return g_string_free(out, FALSE);
}

static void check_sum(const char *const *terms, guint decimals, const char *want) {
  g_autofree char *got = sum_of(terms, decimals);
  g_assert_cmpstr(got, ==, want);
}

static void test_decimal_sum(void) {
  TsrDecimalSum sum;
  check_sum((const char *[]){ "1.25", "2.50", "-0.75", NULL }, 2, "3.00");
  check_sum((const char *[]){ "99999999999999999999999999999999.99", "0.01", NULL }, 2,
            "100000000000000000000000000000000.00");
  check_sum((const char *[]){ "-1.5", "1.5", NULL }, 1, "0.0");
  check_sum((const char *[]){ "-0.000001", NULL }, 6, "-0.000001");
  check_sum((const char *[]){ "1.005", NULL }, 2, "1.01");
  check_sum((const char *[]){ "-1.005", NULL }, 2, "-1.01");
  check_sum((const char *[]){ "-0.004", NULL }, 2, "0.00");
  check_sum((const char *[]){ "1.5", "2.25", NULL }, 2, "3.75");
  check_sum((const char *[]){ "-999999999999999999", "-1", "5", NULL }, 0, "-999999999999999995");
  check_sum((const char *[]){ "0", NULL }, 0, "0");
  check_sum((const char *[]){ "12", NULL }, 3, "12.000");
  tsr_decimal_sum_init(&sum);
  g_assert_false(tsr_decimal_sum_add(&sum, (const guint8 *)"1e5", 3));
  tsr_decimal_sum_clear(&sum);
}

static void check_divide(const char *s, guint64 count, guint decimals, const char *want) {
  TsrDecimalSum sum;
  g_autoptr(GString) out = g_string_new(NULL);
  tsr_decimal_sum_init(&sum);
  g_assert_true(tsr_decimal_sum_add(&sum, (const guint8 *)s, strlen(s)));
  g_assert_true(tsr_decimal_sum_divide(&sum, count, decimals, out));
  g_assert_cmpstr(out->str, ==, want);
  tsr_decimal_sum_clear(&sum);
}

static void test_decimal_divide(void) {
  TsrDecimalSum sum;
  g_autoptr(GString) out = g_string_new(NULL);
  /* MariaDB 10.11: AVG over (1,1,2), (2,2,1), (-2,-2,-1) ... */
  check_divide("4", 3, 4, "1.3333");
  check_divide("5", 3, 4, "1.6667");
  check_divide("-5", 3, 4, "-1.6667");
  check_divide("0.00002", 3, 9, "0.000006666");  /* scale 5: 9 digits exactly, truncated */
  check_divide("0.2", 3, 5, "0.06667");
  check_divide("1.000000", 3, 10, "0.3333333333");
  check_divide("-1", 30000, 4, "0.0000");
  check_divide("0.00000000000002", 3, 18, "0.000000000000006666");
  tsr_decimal_sum_init(&sum);
  g_assert_false(tsr_decimal_sum_divide(&sum, 0, 4, out));
  g_assert_false(tsr_decimal_sum_divide(&sum, G_GUINT64_CONSTANT(1) << 60, 4, out));
}

static void check_double(gdouble v, guint decimals, const char *want) {
  g_autoptr(GString) s = g_string_new(NULL);
  tsr_format_double(s, v, decimals);
  g_assert_cmpstr(s->str, ==, want);
}

static void check_float(gfloat v, guint decimals, const char *want) {
  g_autoptr(GString) s = g_string_new(NULL);
  tsr_format_float(s, v, decimals);
  g_assert_cmpstr(s->str, ==, want);
}

static void test_format_real(void) {
  /* what MariaDB 10.11 prints for these */
  check_double(1e15, 31, "1e15");
  check_double(1e14, 31, "100000000000000");
  check_double(0.1 + 0.2, 31, "0.30000000000000004");
  check_double(1e-15, 31, "0.000000000000001");
  check_double(1e-16, 31, "1e-16");
  check_double(-2.5e30, 31, "-2.5e30");
  check_double(0.0, 31, "0");
  check_double(-0.0, 31, "0");
  check_double(123456789012345678.0, 31, "1.2345678901234568e17");
  check_double(1e-300, 31, "1e-300");
  check_double(100.0 / 7, 31, "14.285714285714286");
  check_double(0.0000010000000036274937, 31, "0.0000010000000036274937");
  check_double(3.75, 3, "3.750");
  check_double(1.875, 7, "1.8750000");
  check_double(2.675, 2, "2.67");
  check_double(-0.0, 2, "0.00");
  check_float(123456789.0f, 31, "123457000");
  check_float(0.1f, 31, "0.1");
  check_float(1e20f, 31, "1e20");
  check_float(1.23456789e-5f, 31, "0.0000123457");
  check_float(-3.4e38f, 31, "-3.4e38");
  check_float(16777217.0f, 31, "16777200");
  check_float(1.5f, 3, "1.500");
}

static TsrColumnDef column(guint8 type, guint16 flags, guint16 charset, guint8 decimals, guint32 length) {
  TsrColumnDef c;
  memset(&c, 0, sizeof c);
  c.type = type;
  c.flags = flags;
  c.charset = charset;
  c.decimals = decimals;
  c.column_length = length;
  return c;
}

static TsrValue text_value(const TsrValueClass *cls, const char *text) {
  TsrValue v;
  GError *error = NULL;
  TsrSlice s = { (const guint8 *)text, text ? strlen(text) : 0 };
  g_assert_true(tsr_value_from_text(cls, s, &v, &error));
  g_assert_no_error(error);
  return v;
}

/* texts[] is in ascending order (NULL first); every pair compares so. */
static void check_order(const TsrColumnDef *col, const char *const *texts, guint n) {
  TsrValueClass cls;
  tsr_value_class_init(&cls, col, TSR_COLLATE_AUTO);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++) {
      TsrValue a = text_value(&cls, texts[i]), b = text_value(&cls, texts[j]);
      int want = (i > j) - (i < j);
      g_assert_cmpint(sign_of(tsr_value_compare(&cls, &a, &b)), ==, want);
    }
}

static void test_text_order(void) {
  TsrColumnDef c_int = column(TSR_TYPE_LONGLONG, 0, 63, 0, 20);
  TsrColumnDef c_uint = column(TSR_TYPE_LONGLONG, TSR_FIELD_UNSIGNED, 63, 0, 20);
  TsrColumnDef c_time = column(TSR_TYPE_TIME, TSR_FIELD_BINARY, 63, 3, 14);
  TsrColumnDef c_dtm = column(TSR_TYPE_DATETIME, TSR_FIELD_BINARY, 63, 6, 26);
  TsrColumnDef c_date = column(TSR_TYPE_DATE, TSR_FIELD_BINARY, 63, 0, 10);
  TsrColumnDef c_dec = column(TSR_TYPE_NEWDECIMAL, 0, 63, 6, 22);
  TsrColumnDef c_dbl = column(TSR_TYPE_DOUBLE, 0, 63, 31, 22);
  TsrColumnDef c_ci = column(TSR_TYPE_VAR_STRING, 0, 45, 0, 80);
  const char *ints[] = { NULL, "-9223372036854775808", "-1", "0", "42", "9223372036854775807" };
  const char *uints[] = { NULL, "0", "9223372036854775807", "9223372036854775808", "18446744073709551615" };
  const char *times[] = { NULL, "-838:59:59.000", "-01:00:00", "-00:00:00.500", "00:00:00", "00:00:01.001",
                          "23:59:59.999", "24:00:00", "100:00:00.250", "838:59:59" };
  const char *dtms[] = { NULL, "0000-00-00 00:00:00", "1000-01-01 00:00:00", "2024-01-02 03:04:05",
                         "2024-01-02 03:04:05.123455", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.5",
                         "9999-12-31 23:59:59.999999" };
  const char *dates[] = { NULL, "0000-00-00", "1969-12-31", "2024-02-29", "2024-03-01", "9999-12-31" };
  const char *decs[] = { NULL, "-99999999999999.999999", "-0.000001", "0.000000", "0.000001", "12.500000",
                         "99999999999999.999999" };
  const char *dbls[] = { NULL, "-2.5e30", "-1", "0", "1e-300", "0.30000000000000004", "1e15", "1.7976931348623157e308" };
  const char *strs[] = { NULL, "", "a\t", "apple", "b", "\xc3\x9f" "a", "z", "\xf0\x9f\x98\x80" };
  check_order(&c_int, ints, G_N_ELEMENTS(ints));
  check_order(&c_uint, uints, G_N_ELEMENTS(uints));
  check_order(&c_time, times, G_N_ELEMENTS(times));
  check_order(&c_dtm, dtms, G_N_ELEMENTS(dtms));
  check_order(&c_date, dates, G_N_ELEMENTS(dates));
  check_order(&c_dec, decs, G_N_ELEMENTS(decs));
  check_order(&c_dbl, dbls, G_N_ELEMENTS(dbls));
  check_order(&c_ci, strs, G_N_ELEMENTS(strs));
}

static void check_bad_text(const TsrColumnDef *col, const char *text) {
  TsrValueClass cls;
  TsrValue v;
  GError *error = NULL;
  TsrSlice s = { (const guint8 *)text, strlen(text) };
  tsr_value_class_init(&cls, col, TSR_COLLATE_AUTO);
  g_assert_false(tsr_value_from_text(&cls, s, &v, &error));
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_ROW);
  g_clear_error(&error);
}

static void test_bad_text(void) {
  TsrColumnDef c_int = column(TSR_TYPE_LONG, 0, 63, 0, 11);
  TsrColumnDef c_uint = column(TSR_TYPE_LONGLONG, TSR_FIELD_UNSIGNED, 63, 0, 20);
  TsrColumnDef c_ll = column(TSR_TYPE_LONGLONG, 0, 63, 0, 20);
  TsrColumnDef c_time = column(TSR_TYPE_TIME, 0, 63, 0, 10);
  TsrColumnDef c_dtm = column(TSR_TYPE_DATETIME, 0, 63, 0, 19);
  TsrColumnDef c_dbl = column(TSR_TYPE_DOUBLE, 0, 63, 31, 22);
  TsrColumnDef c_dec = column(TSR_TYPE_NEWDECIMAL, 0, 63, 2, 10);
  check_bad_text(&c_int, "12a");
  check_bad_text(&c_int, "");
  check_bad_text(&c_int, "-");
  check_bad_text(&c_ll, "9223372036854775808");
  check_bad_text(&c_uint, "18446744073709551616");
  check_bad_text(&c_uint, "-1");
  check_bad_text(&c_time, "12:60:00");
  check_bad_text(&c_time, "1:00:00");
  check_bad_text(&c_dtm, "2024-13-01 00:00:00");
  check_bad_text(&c_dtm, "2024-01-02 25:00:00");
  check_bad_text(&c_dtm, "2024-1-2");
  check_bad_text(&c_dtm, "2024-01-02 03:04:05.1234567");
  check_bad_text(&c_dbl, "1.5x");
  check_bad_text(&c_dec, "1.5.5");
}

static void test_binary_values(void) {
  TsrColumnDef c_time = column(TSR_TYPE_TIME, 0, 63, 2, 13);
  TsrColumnDef c_dbl = column(TSR_TYPE_DOUBLE, 0, 63, 31, 22);
  TsrColumnDef c_year = column(TSR_TYPE_YEAR, TSR_FIELD_UNSIGNED | TSR_FIELD_ZEROFILL, 63, 0, 4);
  TsrColumnDef c_zf = column(TSR_TYPE_LONG, TSR_FIELD_UNSIGNED | TSR_FIELD_ZEROFILL, 63, 0, 5);
  TsrColumnDef c_dtm = column(TSR_TYPE_DATETIME, 0, 63, 3, 23);
  TsrValueClass cls;
  TsrValue bin, txt, zero, negzero;
  g_autoptr(GString) s = g_string_new(NULL);

  /* binary TIME 4 days 4 hours = text "100:00:00.50" */
  tsr_value_class_init(&cls, &c_time, TSR_COLLATE_AUTO);
  memset(&bin, 0, sizeof bin);
  bin.type = cls.type;
  bin.v.time.days = 4;
  bin.v.time.hour = 4;
  bin.v.time.microsecond = 500000;
  txt = text_value(&cls, "100:00:00.50");
  g_assert_cmpint(tsr_value_compare(&cls, &bin, &txt), ==, 0);
  g_assert_cmpuint(tsr_value_hash(&cls, &bin), ==, tsr_value_hash(&cls, &txt));
  tsr_value_format_text(s, &cls, &bin);
  g_assert_cmpstr(s->str, ==, "100:00:00.50");
  bin.v.time.negative = TRUE;
  g_assert_cmpint(tsr_value_compare(&cls, &bin, &txt), <, 0);

  /* -0.0 = 0.0 and hashes alike */
  tsr_value_class_init(&cls, &c_dbl, TSR_COLLATE_AUTO);
  zero = text_value(&cls, "0");
  negzero = text_value(&cls, "-0");
  g_assert_cmpint(tsr_value_compare(&cls, &zero, &negzero), ==, 0);
  g_assert_cmpuint(tsr_value_hash(&cls, &zero), ==, tsr_value_hash(&cls, &negzero));

  /* YEAR and ZEROFILL integers */
  tsr_value_class_init(&cls, &c_year, TSR_COLLATE_AUTO);
  g_assert_cmpint(cls.kind, ==, TSR_VALUE_UNSIGNED);
  txt = text_value(&cls, "0000");
  g_string_truncate(s, 0);
  tsr_value_format_text(s, &cls, &txt);
  g_assert_cmpstr(s->str, ==, "0000");
  tsr_value_class_init(&cls, &c_zf, TSR_COLLATE_AUTO);
  txt = text_value(&cls, "42");
  g_string_truncate(s, 0);
  tsr_value_format_text(s, &cls, &txt);
  g_assert_cmpstr(s->str, ==, "00042");

  /* DATETIME(3): the fraction is cut to the column's decimals */
  tsr_value_class_init(&cls, &c_dtm, TSR_COLLATE_AUTO);
  txt = text_value(&cls, "2024-01-02 03:04:05.120");
  g_assert_cmpuint(txt.v.time.microsecond, ==, 120000);
  g_string_truncate(s, 0);
  tsr_value_format_text(s, &cls, &txt);
  g_assert_cmpstr(s->str, ==, "2024-01-02 03:04:05.120");

  /* NULL sorts first and equals NULL */
  txt = text_value(&cls, NULL);
  g_assert_cmpint(tsr_value_compare(&cls, &txt, &zero), <, 0);
  g_assert_cmpint(tsr_value_compare(&cls, &txt, &txt), ==, 0);
}

static void test_classes(void) {
  TsrColumnDef c_ci = column(TSR_TYPE_VAR_STRING, 0, 45, 0, 80);
  TsrColumnDef c_bin = column(TSR_TYPE_VAR_STRING, TSR_FIELD_BINARY, 45, 0, 80);
  TsrColumnDef c_varbinary = column(TSR_TYPE_VAR_STRING, TSR_FIELD_BINARY, 63, 0, 20);
  TsrColumnDef c_latin1 = column(TSR_TYPE_VAR_STRING, 0, 8, 0, 20);
  TsrColumnDef c_gbk = column(TSR_TYPE_VAR_STRING, 0, 28, 0, 20);
  TsrColumnDef c_enum = column(TSR_TYPE_STRING, TSR_FIELD_ENUM, 45, 0, 4);
  TsrColumnDef c_bit = column(TSR_TYPE_BIT, TSR_FIELD_UNSIGNED, 63, 0, 8);
  TsrValueClass cls;
  GError *error = NULL;

  tsr_value_class_init(&cls, &c_ci, TSR_COLLATE_AUTO);
  g_assert_cmpint(cls.order, ==, TSR_STRING_GENERAL_CI);
  tsr_value_class_init(&cls, &c_ci, TSR_COLLATE_BINARY);
  g_assert_cmpint(cls.order, ==, TSR_STRING_BINARY_PAD);
  tsr_value_class_init(&cls, &c_bin, TSR_COLLATE_AUTO);
  g_assert_cmpint(cls.order, ==, TSR_STRING_BINARY_PAD);
  tsr_value_class_init(&cls, &c_bin, TSR_COLLATE_CI);
  g_assert_cmpint(cls.order, ==, TSR_STRING_GENERAL_CI);
  tsr_value_class_init(&cls, &c_varbinary, TSR_COLLATE_CI);
  g_assert_cmpint(cls.order, ==, TSR_STRING_BINARY);
  tsr_value_class_init(&cls, &c_latin1, TSR_COLLATE_AUTO);
  g_assert_cmpint(cls.order, ==, TSR_STRING_LATIN1_CI);
  tsr_value_class_init(&cls, &c_bit, TSR_COLLATE_AUTO);
  g_assert_cmpint(cls.kind, ==, TSR_VALUE_STRING);
  g_assert_cmpint(cls.order, ==, TSR_STRING_BINARY);

  tsr_value_class_init(&cls, &c_gbk, TSR_COLLATE_AUTO);
  g_assert_false(tsr_value_class_check(&cls, FALSE, "GROUP BY column 0", &error));
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED);
  g_clear_error(&error);
  tsr_value_class_init(&cls, &c_gbk, TSR_COLLATE_BINARY);
  g_assert_true(tsr_value_class_check(&cls, TRUE, "ORDER BY column 0", &error));

  tsr_value_class_init(&cls, &c_enum, TSR_COLLATE_AUTO);
  g_assert_true(tsr_value_class_check(&cls, FALSE, "DISTINCT column 0", &error));
  g_assert_false(tsr_value_class_check(&cls, TRUE, "ORDER BY column 0", &error));
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(error->message, "ORDER BY column 0"));
  g_clear_error(&error);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/merge/value/collations", test_collations);
  g_test_add_func("/merge/value/utf8", test_utf8);
  g_test_add_func("/merge/value/decimal-compare", test_decimal_compare);
  g_test_add_func("/merge/value/decimal-sum", test_decimal_sum);
  g_test_add_func("/merge/value/decimal-divide", test_decimal_divide);
  g_test_add_func("/merge/value/format-real", test_format_real);
  g_test_add_func("/merge/value/text-order", test_text_order);
  g_test_add_func("/merge/value/bad-text", test_bad_text);
  g_test_add_func("/merge/value/binary-values", test_binary_values);
  g_test_add_func("/merge/value/classes", test_classes);
  return g_test_run();
}
