/* shard-map-key.c: placing a key value on its shard and finding the shards
 * a comparison may match (shard-map-key.h). */
#include <math.h>
#include <string.h>
#include "shard-map-key.h"

/* Hash ranges up to this many integers are enumerated; wider ones match
 * every shard. */
#define ENUMERATE_MAX 256

/* Doubles that hold every integer up to this exactly. */
#define DOUBLE_EXACT G_GINT64_CONSTANT(9007199254740992)

/* An integer key value: `huge` for unsigned values above G_MAXINT64. */
typedef struct {
  gboolean huge;
  gint64 i;
  guint64 u;
} IntKey;

/* Sets *error to "<value> <what>"; returns FALSE. */
static gboolean fail(GError **error, const TsrShardValue *v, const char *what) {
  GString *s = g_string_new(NULL);
  tsr_shard_value_describe(s, v);
  g_set_error(error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_INVALID, "%s %s", s->str, what);
  g_string_free(s, TRUE);
  return FALSE;
}

/* ---- integers ---- */

/* Parses [blanks][sign]digits[blanks]; FALSE for anything else or overflow. */
static gboolean parse_clean_int(const char *s, gsize len, gint64 *out) {
  char buf[32];
  const char *p = s, *end = s + len;
  while (p < end && g_ascii_isspace(*p)) p++;
  while (end > p && g_ascii_isspace(end[-1])) end--;
  gsize n = (gsize)(end - p);
  if (n == 0 || n >= sizeof(buf)) return FALSE;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return g_ascii_string_to_signed(buf, 10, G_MININT64, G_MAXINT64, out, NULL);
}

/* Splits a DECIMAL text into floor and ceiling integers; *exact when it has
 * no fraction. FALSE when it does not parse or does not fit. */
static gboolean decimal_bounds(const char *text, gint64 *floor_v, gint64 *ceil_v, gboolean *exact) {
  const char *dot = strchr(text, '.');
  gsize int_len = dot ? (gsize)(dot - text) : strlen(text);
  gboolean frac = FALSE, neg = text[0] == '-';
  gint64 ip = 0;
  if (dot)
    for (const char *p = dot + 1; *p; p++) {
      if (!g_ascii_isdigit(*p)) return FALSE;
      frac |= *p != '0';
    }
  if (int_len == (neg ? 1u : 0u)) ip = 0;
  else if (!parse_clean_int(text, int_len, &ip)) return FALSE;
  *exact = !frac;
  *floor_v = *ceil_v = ip;
  if (frac && neg) *floor_v = ip - 1;
  if (frac && !neg) *ceil_v = ip + 1;
  return TRUE;
}

static gboolean double_bounds(gdouble d, gint64 *floor_v, gint64 *ceil_v, gboolean *exact) {
  if (!isfinite(d) || fabs(d) >= (gdouble)DOUBLE_EXACT) return FALSE;
  *floor_v = (gint64)floor(d);
  *ceil_v = (gint64)ceil(d);
  *exact = *floor_v == *ceil_v;
  return TRUE;
}

/* The integers around a value compared with an integer key (MySQL compares
 * strings with integers as doubles: only clean small integers are sure). */
static gboolean int_bounds(const TsrShardValue *v, gint64 *floor_v, gint64 *ceil_v, gboolean *exact) {
  switch (v->kind) {
  case TSR_SHARD_VALUE_INT:
    if (v->is_unsigned) return FALSE;
    *floor_v = *ceil_v = v->i;
    *exact = TRUE;
    return TRUE;
  case TSR_SHARD_VALUE_DECIMAL: return decimal_bounds(v->str, floor_v, ceil_v, exact);
  case TSR_SHARD_VALUE_DOUBLE: return double_bounds(v->d, floor_v, ceil_v, exact);
  case TSR_SHARD_VALUE_STRING:
    if (!parse_clean_int(v->str, v->len, floor_v) || ABS(*floor_v) > DOUBLE_EXACT) return FALSE;
    *ceil_v = *floor_v;
    *exact = TRUE;
    return TRUE;
  default: return FALSE;
  }
}

/* The integer a row stores for *v; FALSE (with *error) when not exact. */
static gboolean int_to_store(const TsrShardValue *v, IntKey *k, GError **error) {
  gint64 lo, hi;
  gboolean exact = FALSE;
  memset(k, 0, sizeof(*k));
  if (v->kind == TSR_SHARD_VALUE_INT && v->is_unsigned) {
    k->huge = TRUE;
    k->u = v->u;
    return TRUE;
  }
  if (v->kind == TSR_SHARD_VALUE_NULL) return fail(error, v, "cannot be stored on a shard");
  if (v->kind == TSR_SHARD_VALUE_STRING && parse_clean_int(v->str, v->len, &lo)) {
    k->i = lo;
    return TRUE;
  }
  if ((v->kind == TSR_SHARD_VALUE_INT || v->kind == TSR_SHARD_VALUE_DECIMAL || v->kind == TSR_SHARD_VALUE_DOUBLE) &&
      int_bounds(v, &lo, &hi, &exact) && exact) {
    k->i = lo;
    return TRUE;
  }
  return fail(error, v, "is not an integer");
}

static guint hash_int(const IntKey *k, guint n) {
  if (k->huge) return (guint)(k->u % n);
  gint64 r = k->i % (gint64)n;
  return (guint)(r < 0 ? r + (gint64)n : r);
}

/* Shard of an integer under a RANGE layout: the number of bounds <= i. */
static guint range_shard(const TsrShardLayout *l, const IntKey *k) {
  guint lo = 0, hi = l->n_shards - 1;
  if (k->huge) return hi;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (l->bounds[mid] <= k->i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static void encode_int(GString *out, const IntKey *k) {
  g_string_truncate(out, 0);
  if (k->huge) g_string_append_printf(out, "i:%" G_GUINT64_FORMAT, k->u);
  else g_string_append_printf(out, "i:%" G_GINT64_FORMAT, k->i);
}

/* Shard of an encoded LIST value, or -1. */
static gint list_shard(const TsrShardLayout *l, const GString *key) {
  return GPOINTER_TO_INT(g_hash_table_lookup(l->list, key->str)) - 1;
}

/* ---- strings ---- */

static gboolean string_fold(const TsrShardLayout *l, const TsrShardValue *v, GString *out) {
  g_string_truncate(out, 0);
  g_string_append(out, "s:");
  return tsr_shard_fold(l->collation, v->str, v->len, out);
}

/* The string a row stores for *v, folded and prefixed "s:". */
static gboolean string_to_store(const TsrShardLayout *l, const TsrShardValue *v, GString *out, GError **error) {
  switch (v->kind) {
  case TSR_SHARD_VALUE_STRING:
  case TSR_SHARD_VALUE_BINARY:
    return string_fold(l, v, out) || fail(error, v, "is not valid UTF-8");
  case TSR_SHARD_VALUE_INT:
  case TSR_SHARD_VALUE_DECIMAL:
    g_string_assign(out, "s:");
    tsr_shard_value_describe(out, v);
    return TRUE;
  case TSR_SHARD_VALUE_NULL: return fail(error, v, "cannot be stored on a shard");
  default: return fail(error, v, "is not a string");
  }
}

static guint hash_folded(const GString *folded, guint n) {
  return tsr_shard_crc32((const guint8 *)folded->str + 2, folded->len - 2) % n;
}

/* ---- dates ---- */

static gboolean to_datetime(const TsrShardValue *v, gint64 *usec) {
  switch (v->kind) {
  case TSR_SHARD_VALUE_DATETIME: *usec = v->usec; return TRUE;
  case TSR_SHARD_VALUE_STRING: return tsr_shard_parse_datetime(v->str, v->len, usec);
  case TSR_SHARD_VALUE_INT: return !v->is_unsigned && tsr_shard_datetime_from_int(v->i, usec);
  default: return FALSE;
  }
}

static gboolean date_place(const TsrShardLayout *l, const TsrShardValue *v, guint *shard, GError **error) {
  gint64 usec, p;
  if (!to_datetime(v, &usec))
    return fail(error, v, v->kind == TSR_SHARD_VALUE_NULL ? "cannot be stored on a shard" : "is not a date");
  p = tsr_shard_date_period(l->unit, usec) - l->first_period;
  if (p >= 0 && p < (gint64)l->n_shards) {
    *shard = (guint)p;
    return TRUE;
  }
  GString *s = g_string_new(p < 0 ? "is before the first shard (" : "is after the last shard (");
  tsr_shard_date_period_describe(s, l->unit, p < 0 ? l->first_period : l->first_period + l->n_shards - 1);
  g_string_append(s, ")");
  fail(error, v, s->str);
  g_string_free(s, TRUE);
  return FALSE;
}

/* Adds the shards of the periods of datetimes lo..hi. */
static void date_range(const TsrShardLayout *l, gint64 lo, gint64 hi, TsrShardSet *out) {
  if (lo > hi) return;
  gint64 a = tsr_shard_date_period(l->unit, lo) - l->first_period;
  gint64 b = tsr_shard_date_period(l->unit, hi) - l->first_period;
  if (b < 0 || a >= (gint64)l->n_shards) return;
  tsr_shard_set_add_range(out, (guint)MAX(a, 0), (guint)MIN(b, (gint64)l->n_shards - 1));
}

/* ---- placing ---- */

gboolean tsr_shard_place(const TsrShardLayout *l, const TsrShardValue *v, guint *shard, GError **error) {
  g_autoptr(GString) key = g_string_new(NULL);
  IntKey k;
  gint found;
  if (l->method == TSR_SHARD_DATE) return date_place(l, v, shard, error);
  if (l->key_type == TSR_SHARD_KEY_STRING) {
    if (!string_to_store(l, v, key, error)) return FALSE;
  } else if (!int_to_store(v, &k, error)) {
    return FALSE;
  }
  switch (l->method) {
  case TSR_SHARD_HASH:
    *shard = l->key_type == TSR_SHARD_KEY_STRING ? hash_folded(key, l->n_shards) : hash_int(&k, l->n_shards);
    return TRUE;
  case TSR_SHARD_RANGE: *shard = range_shard(l, &k); return TRUE;
  case TSR_SHARD_LIST:
    if (l->key_type == TSR_SHARD_KEY_INT) encode_int(key, &k);
    found = list_shard(l, key);
    if (found < 0) return fail(error, v, "is in no list of the shard map");
    *shard = (guint)found;
    return TRUE;
  default: g_return_val_if_reached(FALSE);
  }
}

/* ---- matching ---- */

/* Adds the shards of integer keys lo..hi. */
static void int_range(const TsrShardLayout *l, gint64 lo, gint64 hi, TsrShardSet *out) {
  if (lo > hi) return;
  switch (l->method) {
  case TSR_SHARD_HASH:
    if ((guint64)hi - (guint64)lo >= ENUMERATE_MAX) {
      tsr_shard_set_fill(out);
      return;
    }
    for (gint64 i = lo;; i++) {
      IntKey k = {FALSE, i, 0};
      tsr_shard_set_add(out, hash_int(&k, l->n_shards));
      if (i == hi) break;
    }
    return;
  case TSR_SHARD_RANGE: {
    IntKey a = {FALSE, lo, 0}, b = {FALSE, hi, 0};
    tsr_shard_set_add_range(out, range_shard(l, &a), range_shard(l, &b));
    return;
  }
  case TSR_SHARD_LIST: {
    GHashTableIter it;
    gpointer key, shard;
    g_hash_table_iter_init(&it, l->list);
    while (g_hash_table_iter_next(&it, &key, &shard)) {
      gint64 i;
      if (!g_str_has_prefix(key, "i:") ||
          !g_ascii_string_to_signed((const char *)key + 2, 10, G_MININT64, G_MAXINT64, &i, NULL) || (i >= lo && i <= hi))
        tsr_shard_set_add(out, (guint)GPOINTER_TO_INT(shard) - 1);
    }
    return;
  }
  default: tsr_shard_set_fill(out); return;
  }
}

static void match_int(const TsrShardLayout *l, TsrShardCmp cmp, const TsrShardValue *v, TsrShardSet *out) {
  gint64 fl, ce;
  gboolean exact;
  if (v->kind == TSR_SHARD_VALUE_INT && v->is_unsigned && cmp == TSR_SHARD_CMP_EQ) {
    guint s;
    if (tsr_shard_place(l, v, &s, NULL)) tsr_shard_set_add(out, s);
    return;
  }
  if (!int_bounds(v, &fl, &ce, &exact)) {
    tsr_shard_set_fill(out);
    return;
  }
  switch (cmp) {
  case TSR_SHARD_CMP_EQ:
    if (exact) int_range(l, fl, fl, out);
    return;
  case TSR_SHARD_CMP_LT: if (ce > G_MININT64) int_range(l, G_MININT64, ce - 1, out); return;
  case TSR_SHARD_CMP_LE: int_range(l, G_MININT64, fl, out); return;
  case TSR_SHARD_CMP_GT: if (fl < G_MAXINT64) int_range(l, fl + 1, G_MAXINT64, out); return;
  case TSR_SHARD_CMP_GE: int_range(l, ce, G_MAXINT64, out); return;
  }
}

static void match_string(const TsrShardLayout *l, TsrShardCmp cmp, const TsrShardValue *v, TsrShardSet *out) {
  g_autoptr(GString) key = g_string_new(NULL);
  gint found;
  if (cmp != TSR_SHARD_CMP_EQ ||
      (v->kind != TSR_SHARD_VALUE_STRING && v->kind != TSR_SHARD_VALUE_BINARY) || !string_fold(l, v, key)) {
    tsr_shard_set_fill(out);
    return;
  }
  if (l->method == TSR_SHARD_HASH) {
    tsr_shard_set_add(out, hash_folded(key, l->n_shards));
    return;
  }
  found = list_shard(l, key);
  if (found >= 0) tsr_shard_set_add(out, (guint)found);
}

static void match_date(const TsrShardLayout *l, TsrShardCmp cmp, const TsrShardValue *v, TsrShardSet *out) {
  gint64 u;
  if (!to_datetime(v, &u)) {
    tsr_shard_set_fill(out);
    return;
  }
  switch (cmp) {
  case TSR_SHARD_CMP_EQ: date_range(l, u, u, out); return;
  case TSR_SHARD_CMP_LT: date_range(l, G_MININT64 / 2, u - 1, out); return;
  case TSR_SHARD_CMP_LE: date_range(l, G_MININT64 / 2, u, out); return;
  case TSR_SHARD_CMP_GT: date_range(l, u + 1, G_MAXINT64 / 2, out); return;
  case TSR_SHARD_CMP_GE: date_range(l, u, G_MAXINT64 / 2, out); return;
  }
}

void tsr_shard_match(const TsrShardLayout *l, TsrShardCmp cmp, const TsrShardValue *v, TsrShardSet *out) {
  if (v->kind == TSR_SHARD_VALUE_NULL) return; /* a comparison with NULL is never true */
  switch (l->key_type) {
  case TSR_SHARD_KEY_INT: match_int(l, cmp, v, out); return;
  case TSR_SHARD_KEY_STRING: match_string(l, cmp, v, out); return;
  case TSR_SHARD_KEY_DATE: match_date(l, cmp, v, out); return;
  }
}

void tsr_shard_match_between(const TsrShardLayout *l, const TsrShardValue *lo, const TsrShardValue *hi,
                             TsrShardSet *out) {
  gint64 lo_floor, lo_ceil, hi_floor, hi_ceil, a, b;
  gboolean exact;
  if (lo->kind == TSR_SHARD_VALUE_NULL || hi->kind == TSR_SHARD_VALUE_NULL) return;
  switch (l->key_type) {
  case TSR_SHARD_KEY_INT:
    if (!int_bounds(lo, &lo_floor, &lo_ceil, &exact) || !int_bounds(hi, &hi_floor, &hi_ceil, &exact)) break;
    int_range(l, lo_ceil, hi_floor, out);
    return;
  case TSR_SHARD_KEY_DATE:
    if (!to_datetime(lo, &a) || !to_datetime(hi, &b)) break;
    date_range(l, a, b, out);
    return;
  case TSR_SHARD_KEY_STRING: break;
  }
  tsr_shard_set_fill(out);
}

/* ---- the rest ---- */

gboolean tsr_shard_list_encode(const TsrShardLayout *l, const TsrShardValue *v, GString *out) {
  if (l->key_type == TSR_SHARD_KEY_INT) {
    if (v->kind != TSR_SHARD_VALUE_INT) return FALSE;
    IntKey k = {v->is_unsigned, v->i, v->u};
    encode_int(out, &k);
    return TRUE;
  }
  return v->kind == TSR_SHARD_VALUE_STRING && string_fold(l, v, out);
}

static void describe_bytes(GString *out, const char *s, gsize len) {
  gsize n = MIN(len, 64);
  g_string_append_c(out, '\'');
  for (gsize i = 0; i < n; i++) {
    if (s[i] == '\'') g_string_append_c(out, '\'');
    g_string_append_c(out, s[i]);
  }
  g_string_append(out, n < len ? "...'" : "'");
}

void tsr_shard_value_describe(GString *out, const TsrShardValue *v) {
  switch (v->kind) {
  case TSR_SHARD_VALUE_NULL: g_string_append(out, "NULL"); break;
  case TSR_SHARD_VALUE_INT:
    if (v->is_unsigned) g_string_append_printf(out, "%" G_GUINT64_FORMAT, v->u);
    else g_string_append_printf(out, "%" G_GINT64_FORMAT, v->i);
    break;
  case TSR_SHARD_VALUE_DECIMAL: g_string_append(out, v->str); break;
  case TSR_SHARD_VALUE_DOUBLE: g_string_append_printf(out, "%.17g", v->d); break;
  case TSR_SHARD_VALUE_STRING: describe_bytes(out, v->str, v->len); break;
  case TSR_SHARD_VALUE_BINARY:
    g_string_append(out, "X'");
    for (gsize i = 0; i < MIN(v->len, 32); i++) g_string_append_printf(out, "%02X", (guint8)v->str[i]);
    g_string_append(out, v->len > 32 ? "...'" : "'");
    break;
  case TSR_SHARD_VALUE_DATETIME:
    g_string_append_c(out, '\'');
    tsr_shard_datetime_describe(out, v->usec);
    g_string_append_c(out, '\'');
    break;
  }
}
