/* shard-map.c: a loaded shard map: references and lookups (shard-map.h). */
#include <string.h>
#include "shard-map-private.h"

G_DEFINE_QUARK(tsr-shard-map-error-quark, tsr_shard_map_error)

static void layout_free(gpointer p) {
  TsrShardLayout *l = p;
  g_clear_pointer(&l->list, g_hash_table_unref);
  g_free(l);
}

TsrShardMap *tsr_shard_map_new(const char *source) {
  TsrShardMap *map = g_new0(TsrShardMap, 1);
  map->ref = 1;
  map->source = g_strdup(source);
  map->strings = g_string_chunk_new(1024);
  map->blocks = g_ptr_array_new_with_free_func(g_free);
  map->layouts = g_ptr_array_new_with_free_func(layout_free);
  map->table_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return map;
}

const char *tsr_shard_map_intern(TsrShardMap *map, const char *s) {
  return s ? g_string_chunk_insert_const(map->strings, s) : NULL;
}

gpointer tsr_shard_map_alloc(TsrShardMap *map, gsize size) {
  gpointer p = g_malloc0(MAX(size, 1));
  g_ptr_array_add(map->blocks, p);
  return p;
}

TsrShardMap *tsr_shard_map_ref(TsrShardMap *map) {
  g_atomic_int_inc(&map->ref);
  return map;
}

void tsr_shard_map_unref(TsrShardMap *map) {
  if (!map || !g_atomic_int_dec_and_test(&map->ref)) return;
  g_hash_table_unref(map->table_index);
  g_ptr_array_unref(map->layouts);
  g_ptr_array_unref(map->blocks);
  g_string_chunk_free(map->strings);
  g_free(map->source);
  g_free(map);
}

const char *tsr_shard_map_source(const TsrShardMap *map) {
  return map->source;
}

guint tsr_shard_map_n_groups(const TsrShardMap *map) {
  return map->n_groups;
}

const TsrShardGroup *tsr_shard_map_group(const TsrShardMap *map, guint i) {
  g_return_val_if_fail(i < map->n_groups, NULL);
  return &map->groups[i];
}

const TsrShardGroup *tsr_shard_map_find_group(const TsrShardMap *map, const char *name) {
  for (guint i = 0; i < map->n_groups; i++)
    if (strcmp(map->groups[i].name, name) == 0) return &map->groups[i];
  return NULL;
}

guint tsr_shard_map_default_group(const TsrShardMap *map) {
  return map->default_group;
}

guint tsr_shard_map_n_users(const TsrShardMap *map) {
  return map->n_users;
}

const TsrShardUser *tsr_shard_map_user(const TsrShardMap *map, guint i) {
  g_return_val_if_fail(i < map->n_users, NULL);
  return &map->users[i];
}

const TsrShardUser *tsr_shard_map_find_user(const TsrShardMap *map, const char *name) {
  for (guint i = 0; i < map->n_users; i++)
    if (strcmp(map->users[i].user, name) == 0) return &map->users[i];
  return NULL;
}

guint tsr_shard_map_n_tables(const TsrShardMap *map) {
  return map->n_tables;
}

const TsrShardTable *tsr_shard_map_table_at(const TsrShardMap *map, guint i) {
  g_return_val_if_fail(i < map->n_tables, NULL);
  return &map->tables[i];
}

const TsrShardTable *tsr_shard_map_table(const TsrShardMap *map, const char *schema, const char *name) {
  if (!schema || !name || map->n_tables == 0) return NULL;
  g_autofree char *key = g_strconcat(schema, "\x1f", name, NULL);
  return g_hash_table_lookup(map->table_index, key);
}

static gboolean same_groups(const TsrShardLayout *a, const TsrShardLayout *b) {
  for (guint i = 0; i < a->n_shards; i++)
    if (a->shard_group[i] != b->shard_group[i]) return FALSE;
  return TRUE;
}

static gboolean same_lists(const TsrShardLayout *a, const TsrShardLayout *b) {
  GHashTableIter it;
  gpointer k, v;
  if (g_hash_table_size(a->list) != g_hash_table_size(b->list)) return FALSE;
  g_hash_table_iter_init(&it, a->list);
  while (g_hash_table_iter_next(&it, &k, &v))
    if (g_hash_table_lookup(b->list, k) != v) return FALSE;
  return TRUE;
}

gboolean tsr_shard_layout_equal(const TsrShardLayout *a, const TsrShardLayout *b) {
  if (a == b) return TRUE;
  if (a->method != b->method || a->key_type != b->key_type || a->n_shards != b->n_shards || !same_groups(a, b))
    return FALSE;
  if (a->key_type == TSR_SHARD_KEY_STRING && a->collation != b->collation) return FALSE;
  switch (a->method) {
  case TSR_SHARD_HASH: return TRUE;
  case TSR_SHARD_RANGE: return memcmp(a->bounds, b->bounds, (a->n_shards - 1) * sizeof(gint64)) == 0;
  case TSR_SHARD_LIST: return same_lists(a, b);
  case TSR_SHARD_DATE: return a->unit == b->unit && a->first_period == b->first_period;
  }
  return FALSE;
}

const char *tsr_shard_method_name(TsrShardMethod method) {
  static const char *const names[] = {"hash", "range", "list", "date"};
  return (guint)method < G_N_ELEMENTS(names) ? names[method] : "?";
}

const char *tsr_shard_key_type_name(TsrShardKeyType type) {
  static const char *const names[] = {"int", "string", "date"};
  return (guint)type < G_N_ELEMENTS(names) ? names[type] : "?";
}

const char *tsr_table_kind_name(TsrTableKind kind) {
  static const char *const names[] = {"sharded", "vertical", "broadcast"};
  return (guint)kind < G_N_ELEMENTS(names) ? names[kind] : "?";
}
