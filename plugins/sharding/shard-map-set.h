/* shard-map-set.h: a set of shard indexes (a bit set over 0..n-1), what the
 * router computes from a WHERE clause: the shards that may hold rows. */
#ifndef TESSERA_SHARDING_SHARD_MAP_SET_H
#define TESSERA_SHARDING_SHARD_MAP_SET_H

#include <glib.h>

typedef struct {
  guint n;        /* the universe: shards 0..n-1 */
  guint64 *words; /* (n + 63) / 64 words */
} TsrShardSet;

/* Returns a new set over n shards, holding all of them when `full`. Free
 * it with tsr_shard_set_free(). */
TsrShardSet *tsr_shard_set_new(guint n, gboolean full);
/* Returns a new copy of s. */
TsrShardSet *tsr_shard_set_copy(const TsrShardSet *s);
/* Frees a set. NULL is allowed. */
void tsr_shard_set_free(TsrShardSet *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrShardSet, tsr_shard_set_free)

/* Adds shard i (i < n) / adds every shard / removes every shard. */
void tsr_shard_set_add(TsrShardSet *s, guint i);
void tsr_shard_set_fill(TsrShardSet *s);
void tsr_shard_set_clear(TsrShardSet *s);
/* Adds the shards lo..hi (both included, clamped to the universe). */
void tsr_shard_set_add_range(TsrShardSet *s, guint lo, guint hi);
/* TRUE when shard i is in the set. */
gboolean tsr_shard_set_has(const TsrShardSet *s, guint i);
/* Returns the number of shards in the set. */
guint tsr_shard_set_count(const TsrShardSet *s);
/* TRUE when every shard is in the set. */
gboolean tsr_shard_set_is_full(const TsrShardSet *s);
/* Returns the first shard >= from in the set, or -1. */
gint tsr_shard_set_next(const TsrShardSet *s, guint from);
/* dst = dst AND src / dst = dst OR src (same universe). */
void tsr_shard_set_intersect(TsrShardSet *dst, const TsrShardSet *src);
void tsr_shard_set_unite(TsrShardSet *dst, const TsrShardSet *src);
/* TRUE when both sets hold the same shards (same universe). */
gboolean tsr_shard_set_equal(const TsrShardSet *a, const TsrShardSet *b);

#endif
