/* shard-map.h: the shard map: backend groups, proxy users, and where each
 * table lives (one group, every group, or spread over shards by a key).
 *
 * A map is loaded from a Lua file (docs/sharding.md gives the format) into
 * an immutable, reference-counted generation: routers hold a reference for
 * as long as they use it, and a reload builds a new generation beside the
 * old one (a map that does not load leaves the old one in place). Nothing
 * in a map changes after loading, so any thread may read it.
 *
 * Every pointer a map returns is owned by the map and lives as long as the
 * caller's reference to it. */
#ifndef TESSERA_SHARDING_SHARD_MAP_H
#define TESSERA_SHARDING_SHARD_MAP_H

#include <glib.h>

#define TSR_SHARD_MAP_ERROR (tsr_shard_map_error_quark())

typedef enum {
  TSR_SHARD_MAP_ERROR_FILE,    /* the file cannot be read */
  TSR_SHARD_MAP_ERROR_LUA,     /* the Lua code does not compile or raises an error */
  TSR_SHARD_MAP_ERROR_INVALID, /* the table it returns is not a valid map */
} TsrShardMapErrorCode;

/* Returns the GQuark of the TSR_SHARD_MAP_ERROR domain. */
GQuark tsr_shard_map_error_quark(void);

typedef struct TsrShardMap TsrShardMap;

/* A backend group: one primary and any number of read replicas. Addresses
 * are "host:port" (IPv6 hosts in brackets) or an absolute socket path. */
typedef struct {
  const char *name;
  guint index;                 /* position in the map's groups (sorted by name) */
  const char *primary;
  const char *const *replicas; /* NULL-terminated */
  guint n_replicas;
} TsrShardGroup;

/* A user of proxy-terminated authentication. */
typedef struct {
  const char *user;
  const char *password;        /* as written, or NULL when given as password_hash */
  guint8 hash[20];             /* SHA1(SHA1(password)): mysql_native_password's stored hash */
  gboolean has_hash;           /* FALSE for an account without password */
  const char *backend_user;    /* the name to log in to backends with (user when not given) */
  const char *backend_password;/* NULL: the client's own credentials are relayed */
} TsrShardUser;

typedef enum {
  TSR_SHARD_HASH,  /* integers: key mod shards; strings: CRC32 of the folded key mod shards */
  TSR_SHARD_RANGE, /* integer bounds: shard i holds [bounds[i-1], bounds[i]) */
  TSR_SHARD_LIST,  /* each shard lists its values */
  TSR_SHARD_DATE,  /* one shard per day, month or year from `from` to `to` */
} TsrShardMethod;

typedef enum {
  TSR_SHARD_KEY_INT,
  TSR_SHARD_KEY_STRING,
  TSR_SHARD_KEY_DATE,   /* DATE, DATETIME or TIMESTAMP */
} TsrShardKeyType;

/* How string keys compare, hence how they hash (shard-map-key.h). */
typedef enum {
  TSR_SHARD_COLLATION_GENERAL_CI, /* utf8mb4_general_ci / utf8_general_ci (the default) */
  TSR_SHARD_COLLATION_BIN,        /* utf8mb4_bin and other _bin collations: bytes, trailing spaces ignored */
  TSR_SHARD_COLLATION_BINARY,     /* binary strings (VARBINARY): bytes as they are */
} TsrShardCollation;

typedef enum {
  TSR_SHARD_DATE_DAY,
  TSR_SHARD_DATE_MONTH,
  TSR_SHARD_DATE_YEAR,
} TsrShardDateUnit;

/* How rows are spread over shards. Tables with equal layouts (a binding)
 * keep the rows of one key value in shards of the same index on the same
 * group, so a join on their keys runs shard by shard. */
typedef struct {
  TsrShardMethod method;
  TsrShardKeyType key_type;
  TsrShardCollation collation;  /* STRING keys */
  guint n_shards;
  const guint *shard_group;     /* n_shards group indexes */
  const gint64 *bounds;         /* RANGE: n_shards - 1 increasing bounds */
  GHashTable *list;             /* LIST: encoded value (shard-map-key.h) -> shard + 1 */
  TsrShardDateUnit unit;        /* DATE */
  gint64 first_period;          /* DATE: the period of shard 0 (days, months or years since year 0) */
} TsrShardLayout;

typedef enum {
  TSR_TABLE_SHARDED,   /* spread over the shards of a layout by a key column */
  TSR_TABLE_VERTICAL,  /* whole on one group */
  TSR_TABLE_BROADCAST, /* a full copy on every group */
} TsrTableKind;

/* A table the map lists. Tables it does not list live whole on the
 * default group. */
typedef struct {
  const char *schema, *name;
  TsrTableKind kind;
  guint group;                  /* VERTICAL: the group index */
  const char *shard_key;        /* SHARDED: the key column */
  const TsrShardLayout *layout; /* SHARDED */
  const char *const *physical;  /* SHARDED: the table name of each shard (in the same schema) */
  const char *const *columns;   /* the columns in table order (for INSERT without a column
                                 * list), NULL-terminated; NULL when the map does not give them */
  guint n_columns;
} TsrShardTable;

/* Loads the map of a Lua file: a chunk that returns the map table. The
 * chunk runs in a private Lua state without io, os, package, debug, load
 * or require, under an instruction budget. Returns a new map (one
 * reference), or NULL with *error (TSR_SHARD_MAP_ERROR) naming the file,
 * the table and the problem. */
TsrShardMap *tsr_shard_map_load_file(const char *path, GError **error);

/* The same for Lua source text[0..len); `name` names it in messages. */
TsrShardMap *tsr_shard_map_load_string(const char *text, gsize len, const char *name, GError **error);

/* Takes one more reference; returns map. Thread-safe. */
TsrShardMap *tsr_shard_map_ref(TsrShardMap *map);
/* Drops a reference; the last one frees the map. NULL is allowed. */
void tsr_shard_map_unref(TsrShardMap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrShardMap, tsr_shard_map_unref)

/* Returns the name the map was loaded from (a path, or the name given). */
const char *tsr_shard_map_source(const TsrShardMap *map);

/* Returns the number of groups (at least one). */
guint tsr_shard_map_n_groups(const TsrShardMap *map);
/* Returns group i (i < n_groups). */
const TsrShardGroup *tsr_shard_map_group(const TsrShardMap *map, guint i);
/* Returns the group called `name`, or NULL. */
const TsrShardGroup *tsr_shard_map_find_group(const TsrShardMap *map, const char *name);
/* Returns the index of the group of tables the map does not list. */
guint tsr_shard_map_default_group(const TsrShardMap *map);

/* Returns the number of users, and user i. */
guint tsr_shard_map_n_users(const TsrShardMap *map);
const TsrShardUser *tsr_shard_map_user(const TsrShardMap *map, guint i);
/* Returns the user called `name` (compared exactly), or NULL. */
const TsrShardUser *tsr_shard_map_find_user(const TsrShardMap *map, const char *name);

/* Returns the number of listed tables, and table i (in name order). */
guint tsr_shard_map_n_tables(const TsrShardMap *map);
const TsrShardTable *tsr_shard_map_table_at(const TsrShardMap *map, guint i);
/* Returns the listed table schema.name (names compare exactly, as table
 * names do on Linux), or NULL when the map does not list it. schema NULL
 * matches nothing. */
const TsrShardTable *tsr_shard_map_table(const TsrShardMap *map, const char *schema, const char *name);

/* TRUE when rows of equal key values land on shards of the same index on
 * the same group under both layouts. */
gboolean tsr_shard_layout_equal(const TsrShardLayout *a, const TsrShardLayout *b);

/* Returns the name of a method ("hash", ...), key type ("int", ...),
 * table kind ("sharded", ...). Static strings. */
const char *tsr_shard_method_name(TsrShardMethod method);
const char *tsr_shard_key_type_name(TsrShardKeyType type);
const char *tsr_table_kind_name(TsrTableKind kind);

#endif
