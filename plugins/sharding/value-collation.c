/* value-collation.c: string order and hashing under binary, _bin,
 * utf8mb4_general_ci and latin1_swedish_ci collations. */
#include <string.h>
#include "value-collation.h"

#define PAD_WEIGHT 0x20u
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

gboolean tsr_utf8_next(const guint8 *s, gsize len, gsize *pos, gunichar *c) {
  gsize p = *pos;
  guint8 b0 = s[p];
  guint n;
  gunichar v, min;

  if (b0 < 0x80) {
    *c = b0;
    *pos = p + 1;
    return TRUE;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 1, v = b0 & 0x1F, min = 0x80;
  else if (b0 >= 0xE0 && b0 <= 0xEF) n = 2, v = b0 & 0x0F, min = 0x800;
  else if (b0 >= 0xF0 && b0 <= 0xF4) n = 3, v = b0 & 0x07, min = 0x10000;
  else return FALSE;
  if (len - p <= n) return FALSE;
  for (guint i = 1; i <= n; i++) {
    if ((s[p + i] & 0xC0) != 0x80) return FALSE;
    v = (v << 6) | (s[p + i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return FALSE;
  *c = v;
  *pos = p + n + 1;
  return TRUE;
}

/* Compares the bytes left in a and b as memcmp, the shorter first on a tie. */
static int compare_bytes(const guint8 *a, gsize alen, const guint8 *b, gsize blen) {
  int r = memcmp(a, b, MIN(alen, blen));
  if (r != 0) return r < 0 ? -1 : 1;
  return (alen > blen) - (alen < blen);
}

/* Compares bytes with PAD SPACE: the rest of the longer string against
 * spaces. */
static int compare_bytes_pad(const guint8 *a, gsize alen, const guint8 *b, gsize blen) {
  gsize n = MIN(alen, blen);
  int r = memcmp(a, b, n);
  int sign = alen > blen ? 1 : -1;
  const guint8 *rest = alen > blen ? a : b;

  if (r != 0) return r < 0 ? -1 : 1;
  for (gsize i = n; i < MAX(alen, blen); i++)
    if (rest[i] != ' ') return rest[i] < ' ' ? -sign : sign;
  return 0;
}

/* Compares the weights of the characters left in s against the padding
 * space: returns -1, 0 or 1 for s <, =, > spaces. */
static int general_rest_vs_pad(const guint8 *s, gsize len, gsize pos) {
  while (pos < len) {
    gunichar c;
    guint w;
    if (!tsr_utf8_next(s, len, &pos, &c)) return s[pos] < ' ' ? -1 : 1;
    w = tsr_general_ci_weight(c);
    if (w != PAD_WEIGHT) return w < PAD_WEIGHT ? -1 : 1;
  }
  return 0;
}

static int compare_general_ci(const guint8 *a, gsize alen, const guint8 *b, gsize blen) {
  gsize ap = 0, bp = 0;

  while (ap < alen && bp < blen) {
    gunichar ca, cb;
    guint wa, wb;
    gsize a0 = ap, b0 = bp;
    if (!tsr_utf8_next(a, alen, &ap, &ca) || !tsr_utf8_next(b, blen, &bp, &cb))
      return compare_bytes(a + a0, alen - a0, b + b0, blen - b0);
    wa = tsr_general_ci_weight(ca);
    wb = tsr_general_ci_weight(cb);
    if (wa != wb) return wa < wb ? -1 : 1;
  }
  if (ap < alen) return general_rest_vs_pad(a, alen, ap);
  if (bp < blen) return -general_rest_vs_pad(b, blen, bp);
  return 0;
}

static int compare_latin1_ci(const guint8 *a, gsize alen, const guint8 *b, gsize blen) {
  gsize n = MIN(alen, blen);
  int sign = alen > blen ? 1 : -1;
  const guint8 *rest = alen > blen ? a : b;

  for (gsize i = 0; i < n; i++) {
    guint8 wa = tsr_latin1_ci_weights[a[i]], wb = tsr_latin1_ci_weights[b[i]];
    if (wa != wb) return wa < wb ? -1 : 1;
  }
  for (gsize i = n; i < MAX(alen, blen); i++) {
    guint8 w = tsr_latin1_ci_weights[rest[i]];
    if (w != PAD_WEIGHT) return w < PAD_WEIGHT ? -sign : sign;
  }
  return 0;
}

int tsr_collate_compare(TsrStringOrder order, const guint8 *a, gsize alen, const guint8 *b, gsize blen) {
  switch (order) {
  case TSR_STRING_BINARY:
    return compare_bytes(a, alen, b, blen);
  case TSR_STRING_BINARY_PAD:
    return compare_bytes_pad(a, alen, b, blen);
  case TSR_STRING_GENERAL_CI:
    return compare_general_ci(a, alen, b, blen);
  case TSR_STRING_LATIN1_CI:
    return compare_latin1_ci(a, alen, b, blen);
  }
  g_return_val_if_reached(0);
}

static inline guint fnv_mix(guint h, guint v) { return (h ^ v) * FNV_PRIME; }

/* Returns len without the trailing bytes whose weight is the padding
 * space's (for UTF-8 and latin1 alike only the space byte itself). */
static gsize trim_pad(TsrStringOrder order, const guint8 *s, gsize len) {
  if (order == TSR_STRING_BINARY) return len;
  while (len > 0 && s[len - 1] == ' ') len--;
  return len;
}

guint tsr_collate_hash(TsrStringOrder order, const guint8 *s, gsize len) {
  guint h = FNV_OFFSET;
  gsize pos = 0;

  len = trim_pad(order, s, len);
  if (order == TSR_STRING_LATIN1_CI) {
    for (gsize i = 0; i < len; i++) h = fnv_mix(h, tsr_latin1_ci_weights[s[i]]);
    return h;
  }
  if (order != TSR_STRING_GENERAL_CI) {
    for (gsize i = 0; i < len; i++) h = fnv_mix(h, s[i]);
    return h;
  }
  while (pos < len) {
    gunichar c;
    if (!tsr_utf8_next(s, len, &pos, &c)) {
      /* the rest compares as bytes: hash it as bytes, marked */
      h = fnv_mix(h, 0x110000u);
      for (; pos < len; pos++) h = fnv_mix(h, s[pos]);
      break;
    }
    h = fnv_mix(h, tsr_general_ci_weight(c));
  }
  return h;
}
