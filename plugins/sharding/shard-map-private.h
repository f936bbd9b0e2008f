/* shard-map-private.h: the inside of a TsrShardMap, shared by the files
 * that build one (shard-map-load*.c) and shard-map.c. */
#ifndef TESSERA_SHARDING_SHARD_MAP_PRIVATE_H
#define TESSERA_SHARDING_SHARD_MAP_PRIVATE_H

#include <lua.h>
#include "shard-map.h"

struct TsrShardMap {
  gint ref;
  char *source;
  GStringChunk *strings;     /* every string of the map */
  GPtrArray *blocks;         /* other memory of the map (g_free) */
  GPtrArray *layouts;        /* TsrShardLayout * (freed with their list tables) */
  TsrShardGroup *groups;     /* n_groups, sorted by name */
  guint n_groups;
  guint default_group;
  TsrShardUser *users;
  guint n_users;
  TsrShardTable *tables;     /* n_tables, sorted by schema then name */
  guint n_tables;
  GHashTable *table_index;   /* "schema\x1fname" -> TsrShardTable * */
};

/* What the loader knows while it reads a map table: the Lua state, the
 * map under construction, and where messages point. */
typedef struct {
  lua_State *L;
  TsrShardMap *map;
  GError **error;
} TsrShardMapLoader;

/* Returns a copy of s owned by the map. */
const char *tsr_shard_map_intern(TsrShardMap *map, const char *s);
/* Returns `size` zeroed bytes owned by the map. */
gpointer tsr_shard_map_alloc(TsrShardMap *map, gsize size);
/* Returns a new empty map (one reference) named `source`. */
TsrShardMap *tsr_shard_map_new(const char *source);

/* Sets *ld->error to "tessera: shard map SOURCE: WHERE: MESSAGE" and
 * returns FALSE. */
gboolean tsr_shard_map_fail(TsrShardMapLoader *ld, const char *where, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Checks that the table at stack index `idx` has only string keys among
 * `allowed` (NULL-terminated); FALSE (with the error set) naming the first
 * other field. */
gboolean tsr_shard_map_check_fields(TsrShardMapLoader *ld, int idx, const char *where, const char *const *allowed);

/* Reads field `field` of the table at `idx` as a string into *out (owned
 * by the map; NULL when absent and !required). FALSE with the error set
 * when it has another type, is empty, or is required and absent. */
gboolean tsr_shard_map_get_string(TsrShardMapLoader *ld, int idx, const char *where, const char *field,
                                  gboolean required, const char **out);

/* Returns the Lua type name of the value at idx, for messages. */
const char *tsr_shard_map_type_of(TsrShardMapLoader *ld, int idx);

/* Reads the `tables` table at stack index idx (shard-map-load-tables.c);
 * the groups are loaded already. FALSE with the error set. */
gboolean tsr_shard_map_load_tables(TsrShardMapLoader *ld, int idx);

#endif
