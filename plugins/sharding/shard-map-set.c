/* shard-map-set.c: bit sets of shard indexes. */
#include "shard-map-set.h"

static guint n_words(guint n) {
  return (n + 63) / 64;
}

/* Clears the bits past n in the last word, so that counts stay right. */
static void trim(TsrShardSet *s) {
  if (s->n % 64) s->words[n_words(s->n) - 1] &= (G_GUINT64_CONSTANT(1) << (s->n % 64)) - 1;
}

TsrShardSet *tsr_shard_set_new(guint n, gboolean full) {
  TsrShardSet *s = g_new0(TsrShardSet, 1);
  s->n = n;
  s->words = g_new0(guint64, MAX(n_words(n), 1));
  if (full) tsr_shard_set_fill(s);
  return s;
}

TsrShardSet *tsr_shard_set_copy(const TsrShardSet *s) {
  TsrShardSet *c = tsr_shard_set_new(s->n, FALSE);
  for (guint i = 0; i < n_words(s->n); i++) c->words[i] = s->words[i];
  return c;
}

void tsr_shard_set_free(TsrShardSet *s) {
  if (!s) return;
  g_free(s->words);
  g_free(s);
}

void tsr_shard_set_add(TsrShardSet *s, guint i) {
  g_return_if_fail(i < s->n);
  s->words[i / 64] |= G_GUINT64_CONSTANT(1) << (i % 64);
}

void tsr_shard_set_fill(TsrShardSet *s) {
  for (guint i = 0; i < n_words(s->n); i++) s->words[i] = G_MAXUINT64;
  trim(s);
}

void tsr_shard_set_clear(TsrShardSet *s) {
  for (guint i = 0; i < n_words(s->n); i++) s->words[i] = 0;
}

void tsr_shard_set_add_range(TsrShardSet *s, guint lo, guint hi) {
  if (s->n == 0) return;
  hi = MIN(hi, s->n - 1);
  for (guint i = lo; i <= hi; i++) tsr_shard_set_add(s, i);
}

gboolean tsr_shard_set_has(const TsrShardSet *s, guint i) {
  return i < s->n && (s->words[i / 64] >> (i % 64)) & 1;
}

guint tsr_shard_set_count(const TsrShardSet *s) {
  guint c = 0;
  for (guint i = 0; i < n_words(s->n); i++) c += (guint)__builtin_popcountll(s->words[i]);
  return c;
}

gboolean tsr_shard_set_is_full(const TsrShardSet *s) {
  return tsr_shard_set_count(s) == s->n;
}

gint tsr_shard_set_next(const TsrShardSet *s, guint from) {
  for (guint i = from; i < s->n; i++) {
    guint64 w = s->words[i / 64] >> (i % 64);
    if (w == 0) {
      i = (i / 64) * 64 + 63; /* the loop's i++ moves to the next word */
      continue;
    }
    return (gint)(i + (guint)__builtin_ctzll(w));
  }
  return -1;
}

void tsr_shard_set_intersect(TsrShardSet *dst, const TsrShardSet *src) {
  g_return_if_fail(dst->n == src->n);
  for (guint i = 0; i < n_words(dst->n); i++) dst->words[i] &= src->words[i];
}

void tsr_shard_set_unite(TsrShardSet *dst, const TsrShardSet *src) {
  g_return_if_fail(dst->n == src->n);
  for (guint i = 0; i < n_words(dst->n); i++) dst->words[i] |= src->words[i];
}

gboolean tsr_shard_set_equal(const TsrShardSet *a, const TsrShardSet *b) {
  if (a->n != b->n) return FALSE;
  for (guint i = 0; i < n_words(a->n); i++)
    if (a->words[i] != b->words[i]) return FALSE;
  return TRUE;
}
