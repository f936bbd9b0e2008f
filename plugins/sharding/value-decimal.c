/* value-decimal.c: DECIMAL texts compared, hashed, summed and divided
 * exactly, digit by digit. */
#include <string.h>
#include "value-decimal.h"

#define DIV_PRECISION_INCREMENT 4u
#define DIG_PER_WORD 9u
#define MAX_AVG_COUNT (G_GUINT64_CONSTANT(1) << 59)

/* A decimal text split into its parts, without leading zeros of the
 * integer part and trailing zeros of the fraction. */
typedef struct {
  gboolean negative;
  const guint8 *int_digits;
  gsize int_len;
  const guint8 *frac_digits;
  gsize frac_len;
} DecimalParts;

static gboolean all_digits(const guint8 *s, gsize len) {
  for (gsize i = 0; i < len; i++)
    if (s[i] < '0' || s[i] > '9') return FALSE;
  return TRUE;
}

/* Splits s[0..len) into *p; FALSE when it is not a decimal text. */
static gboolean split(const guint8 *s, gsize len, DecimalParts *p) {
  const guint8 *dot;
  gsize pos = 0;

  memset(p, 0, sizeof *p);
  if (len > 0 && s[0] == '-') {
    p->negative = TRUE;
    pos = 1;
  }
  dot = memchr(s + pos, '.', len - pos);
  p->int_digits = s + pos;
  p->int_len = dot ? (gsize)(dot - (s + pos)) : len - pos;
  if (p->int_len == 0 || !all_digits(p->int_digits, p->int_len)) return FALSE;
  if (dot) {
    p->frac_digits = dot + 1;
    p->frac_len = len - (gsize)(dot + 1 - s);
    if (p->frac_len == 0 || !all_digits(p->frac_digits, p->frac_len)) return FALSE;
  }
  while (p->int_len > 0 && p->int_digits[0] == '0') p->int_digits++, p->int_len--;
  while (p->frac_len > 0 && p->frac_digits[p->frac_len - 1] == '0') p->frac_len--;
  if (p->int_len == 0 && p->frac_len == 0) p->negative = FALSE;
  return TRUE;
}

gboolean tsr_decimal_valid(const guint8 *s, gsize len) {
  DecimalParts p;
  return split(s, len, &p);
}

/* Compares the magnitudes of two split decimals. */
static int compare_magnitude(const DecimalParts *a, const DecimalParts *b) {
  int r;
  if (a->int_len != b->int_len) return a->int_len < b->int_len ? -1 : 1;
  r = memcmp(a->int_digits, b->int_digits, a->int_len);
  if (r != 0) return r < 0 ? -1 : 1;
  for (gsize i = 0; i < MAX(a->frac_len, b->frac_len); i++) {
    guint8 da = i < a->frac_len ? a->frac_digits[i] : '0';
    guint8 db = i < b->frac_len ? b->frac_digits[i] : '0';
    if (da != db) return da < db ? -1 : 1;
  }
  return 0;
}

int tsr_decimal_compare(const guint8 *a, gsize alen, const guint8 *b, gsize blen) {
  DecimalParts pa, pb;
  int r;
  if (!split(a, alen, &pa) || !split(b, blen, &pb)) return (alen > blen) - (alen < blen);
  if (pa.negative != pb.negative) return pa.negative ? -1 : 1;
  r = compare_magnitude(&pa, &pb);
  return pa.negative ? -r : r;
}

guint tsr_decimal_hash(const guint8 *s, gsize len) {
  DecimalParts p;
  guint h = 5381;
  if (!split(s, len, &p)) return 0;
  h = h * 33 + (p.negative ? '-' : '+');
  for (gsize i = 0; i < p.int_len; i++) h = h * 33 + p.int_digits[i];
  h = h * 33 + '.';
  for (gsize i = 0; i < p.frac_len; i++) h = h * 33 + p.frac_digits[i];
  return h;
}

/* ---- magnitudes: little-endian digit arrays (values 0..9) ---- */

static void trim(GByteArray *m) {
  guint n = m->len;
  while (n > 0 && m->data[n - 1] == 0) n--;
  g_byte_array_set_size(m, n);
}

/* Multiplies m by 10^k. */
static void shift_up(GByteArray *m, guint k) {
  static const guint8 zeros[16];
  if (m->len == 0) return;
  while (k > 0) {
    guint n = MIN(k, (guint)sizeof zeros);
    g_byte_array_prepend(m, zeros, n);
    k -= n;
  }
}

static int compare_mag(const GByteArray *a, const GByteArray *b) {
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  for (guint i = a->len; i-- > 0;)
    if (a->data[i] != b->data[i]) return a->data[i] < b->data[i] ? -1 : 1;
  return 0;
}

/* a += b */
static void add_mag(GByteArray *a, const GByteArray *b) {
  guint carry = 0;
  if (a->len < b->len) {
    guint old = a->len;
    g_byte_array_set_size(a, b->len);
    memset(a->data + old, 0, b->len - old);
  }
  for (guint i = 0; i < a->len; i++) {
    guint d = a->data[i] + carry + (i < b->len ? b->data[i] : 0);
    a->data[i] = (guint8)(d % 10);
    carry = d / 10;
    if (carry == 0 && i >= b->len) break;
  }
  if (carry) {
    guint8 one = 1;
    g_byte_array_append(a, &one, 1);
  }
}

/* a -= b, with a >= b. */
static void sub_mag(GByteArray *a, const GByteArray *b) {
  int borrow = 0;
  for (guint i = 0; i < a->len; i++) {
    int d = a->data[i] - borrow - (i < b->len ? b->data[i] : 0);
    borrow = d < 0;
    a->data[i] = (guint8)(d + (borrow ? 10 : 0));
    if (!borrow && i >= b->len) break;
  }
  trim(a);
}

void tsr_decimal_sum_init(TsrDecimalSum *sum) { memset(sum, 0, sizeof *sum); }

void tsr_decimal_sum_clear(TsrDecimalSum *sum) {
  if (sum->digits) g_byte_array_unref(sum->digits);
  tsr_decimal_sum_init(sum);
}

/* Sets m to the digits of p scaled to `scale` fraction digits (>= p's). */
static void parts_to_mag(const DecimalParts *p, guint scale, GByteArray *m) {
  g_byte_array_set_size(m, 0);
  for (guint i = scale; i-- > 0;) {
    guint8 d = i < p->frac_len ? (guint8)(p->frac_digits[i] - '0') : 0;
    g_byte_array_append(m, &d, 1);
  }
  for (gsize i = p->int_len; i-- > 0;) {
    guint8 d = (guint8)(p->int_digits[i] - '0');
    g_byte_array_append(m, &d, 1);
  }
  trim(m);
}

gboolean tsr_decimal_sum_add(TsrDecimalSum *sum, const guint8 *s, gsize len) {
  DecimalParts p;
  g_autoptr(GByteArray) m = NULL;
  gsize text_scale;

  if (!split(s, len, &p)) return FALSE;
  /* keep the scale the text was written with ("1.50" has 2 digits) */
  text_scale = memchr(s, '.', len) ? len - (gsize)((const guint8 *)memchr(s, '.', len) + 1 - s) : 0;
  if (!sum->digits) sum->digits = g_byte_array_new();
  if (text_scale > sum->scale) {
    shift_up(sum->digits, (guint)text_scale - sum->scale);
    sum->scale = (guint)text_scale;
  }
  m = g_byte_array_new();
  parts_to_mag(&p, sum->scale, m);
  if (p.negative == sum->negative || sum->digits->len == 0) {
    if (sum->digits->len == 0) sum->negative = p.negative;
    add_mag(sum->digits, m);
  } else if (compare_mag(sum->digits, m) >= 0) {
    sub_mag(sum->digits, m);
  } else {
    sub_mag(m, sum->digits);
    g_byte_array_set_size(sum->digits, 0);
    g_byte_array_append(sum->digits, m->data, m->len);
    sum->negative = p.negative;
  }
  if (sum->digits->len == 0) sum->negative = FALSE;
  return TRUE;
}

/* Appends the magnitude m (scale digits after the point) with its sign.
 * m holds exactly the digits to print (scale of them after the point). */
static void append_mag(GString *out, gboolean negative, const GByteArray *m, guint scale) {
  guint n = MAX(m->len, scale + 1);
  if (negative && m->len > 0) g_string_append_c(out, '-');
  for (guint i = n; i-- > 0;) {
    g_string_append_c(out, (char)('0' + (i < m->len ? m->data[i] : 0)));
    if (i == scale && scale > 0) g_string_append_c(out, '.');
  }
}

/* Drops `k` least significant digits of m, rounding half away from zero
 * (MariaDB's HALF_UP looks at the first dropped digit only). */
static void round_off(GByteArray *m, guint k) {
  gboolean up;
  if (k == 0) return;
  if (k > m->len) {
    g_byte_array_set_size(m, 0);
    return;
  }
  up = m->data[k - 1] >= 5;
  g_byte_array_remove_range(m, 0, k);
  if (up) {
    guint8 one = 1;
    g_autoptr(GByteArray) unit = g_byte_array_new();
    g_byte_array_append(unit, &one, 1);
    add_mag(m, unit);
  }
  trim(m);
}

void tsr_decimal_sum_format(const TsrDecimalSum *sum, guint decimals, GString *out) {
  g_autoptr(GByteArray) m = g_byte_array_new();
  if (sum->digits) g_byte_array_append(m, sum->digits->data, sum->digits->len);
  if (decimals >= sum->scale) shift_up(m, decimals - sum->scale);
  else round_off(m, sum->scale - decimals);
  append_mag(out, sum->negative, m, decimals);
}

/* Divides m by d in place (long division from the most significant digit);
 * d < 2^59 keeps remainder * 10 + 9 inside 64 bits. */
static void divide_mag(GByteArray *m, guint64 d) {
  guint64 rem = 0;
  for (guint i = m->len; i-- > 0;) {
    guint64 cur = rem * 10 + m->data[i];
    m->data[i] = (guint8)(cur / d);
    rem = cur % d;
  }
  trim(m);
}

gboolean tsr_decimal_sum_divide(const TsrDecimalSum *sum, guint64 count, guint decimals, GString *out) {
  g_autoptr(GByteArray) m = g_byte_array_new();
  guint words = (sum->scale + DIV_PRECISION_INCREMENT + DIG_PER_WORD - 1) / DIG_PER_WORD;
  guint work_scale = words * DIG_PER_WORD;

  if (count == 0 || count >= MAX_AVG_COUNT) return FALSE;
  if (sum->digits) g_byte_array_append(m, sum->digits->data, sum->digits->len);
  shift_up(m, work_scale - sum->scale);
  divide_mag(m, count);
  if (decimals < work_scale) round_off(m, work_scale - decimals);
  else shift_up(m, decimals - work_scale);
  append_mag(out, sum->negative, m, decimals);
  return TRUE;
}
