/* sharding-admin.c: the shards and shard_tables tables of the admin
 * endpoint. Their fills run on the admin endpoint's thread: they take a
 * reference to the current map under the plugin's lock, and read the
 * backends' state and the groups' counters as atomics. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-admin.h"
#include "core/admin-tables.h"

static const char *const shards_columns[] = {
  "group_name", "role", "backend_ndx", "address", "state", "connected_clients", "queries", "errors", NULL,
};

static const char *const tables_columns[] = {
  "table_name", "kind", "shard_key", "method", "shard", "group_name", "physical_table", NULL,
};

/* Returns the backend of the list at `address`, or NULL. */
static TsrBackend *backend_named(const TsrBackendList *list, const char *address) {
  for (guint i = 0; list && i < tsr_backend_list_size(list); i++) {
    TsrBackend *b = tsr_backend_list_get(list, i);
    if (strcmp(b->name, address) == 0) return b;
  }
  return NULL;
}

/* Appends backend_ndx, address, state and connected_clients of the backend
 * at `address` (b, or NULL when the proxy does not know it). */
static void add_backend(TsrAdminRows *out, TsrBackend *b, const char *address) {
  TsrBackendState state = b ? (TsrBackendState)g_atomic_int_get(&b->state) : TSR_BACKEND_STATE_UNKNOWN;
  if (b)
    tsr_admin_rows_add_int(out, (gint64)b->index + 1);
  else
    tsr_admin_rows_add_text(out, NULL);
  tsr_admin_rows_add_text(out, address);
  tsr_admin_rows_add_text(out, tsr_backend_state_name(state));
  tsr_admin_rows_add_int(out, b ? MAX(g_atomic_int_get(&b->connected_clients), 0) : 0);
}

static void shards_fill(gpointer data, TsrAdminRows *out) {
  ShardingPlugin *p = data;
  const guint *group_backend = NULL;
  ShardingGroupCounters *counters = NULL;
  g_autoptr(TsrShardMap) map = tsr_sharding_map(p, &group_backend, &counters);
  const TsrBackendList *list = p->backends;

  for (guint g = 0; g < tsr_shard_map_n_groups(map); g++) {
    const TsrShardGroup *group = tsr_shard_map_group(map, g);
    TsrBackend *primary = NULL;
    if (list && group_backend && group_backend[g] < tsr_backend_list_size(list))
      primary = tsr_backend_list_get(list, group_backend[g]);
    tsr_admin_rows_add_text(out, group->name);
    tsr_admin_rows_add_text(out, "primary");
    add_backend(out, primary, group->primary);
    tsr_admin_rows_add_int(out, counters ? (gint64)g_atomic_pointer_get(&counters[g].queries) : 0);
    tsr_admin_rows_add_int(out, counters ? (gint64)g_atomic_pointer_get(&counters[g].errors) : 0);
    for (guint r = 0; r < group->n_replicas; r++) {
      tsr_admin_rows_add_text(out, group->name);
      tsr_admin_rows_add_text(out, "replica");
      add_backend(out, backend_named(list, group->replicas[r]), group->replicas[r]);
      /* Statements go to the primaries: the counters are on their rows. */
      tsr_admin_rows_add_text(out, NULL);
      tsr_admin_rows_add_text(out, NULL);
    }
  }
}

/* Appends one row of shard_tables; shard < 0 is NULL. */
static void add_place(TsrAdminRows *out, const TsrShardTable *t, const char *full_name, gint shard,
                      const char *group, const char *physical) {
  g_autofree char *physical_name = g_strdup_printf("%s.%s", t->schema, physical);
  tsr_admin_rows_add_text(out, full_name);
  tsr_admin_rows_add_text(out, tsr_table_kind_name(t->kind));
  tsr_admin_rows_add_text(out, t->kind == TSR_TABLE_SHARDED ? t->shard_key : NULL);
  tsr_admin_rows_add_text(out, t->kind == TSR_TABLE_SHARDED ? tsr_shard_method_name(t->layout->method) : NULL);
  if (shard >= 0)
    tsr_admin_rows_add_int(out, shard);
  else
    tsr_admin_rows_add_text(out, NULL);
  tsr_admin_rows_add_text(out, group);
  tsr_admin_rows_add_text(out, physical_name);
}

static void tables_fill(gpointer data, TsrAdminRows *out) {
  ShardingPlugin *p = data;
  const guint *group_backend = NULL;
  g_autoptr(TsrShardMap) map = tsr_sharding_map(p, &group_backend, NULL);

  for (guint i = 0; i < tsr_shard_map_n_tables(map); i++) {
    const TsrShardTable *t = tsr_shard_map_table_at(map, i);
    g_autofree char *full_name = g_strdup_printf("%s.%s", t->schema, t->name);
    switch (t->kind) {
    case TSR_TABLE_SHARDED:
      for (guint s = 0; s < t->layout->n_shards; s++)
        add_place(out, t, full_name, (gint)s, tsr_shard_map_group(map, t->layout->shard_group[s])->name,
                  t->physical[s]);
      break;
    case TSR_TABLE_VERTICAL:
      add_place(out, t, full_name, -1, tsr_shard_map_group(map, t->group)->name, t->name);
      break;
    case TSR_TABLE_BROADCAST:
    default:
      for (guint g = 0; g < tsr_shard_map_n_groups(map); g++)
        add_place(out, t, full_name, -1, tsr_shard_map_group(map, g)->name, t->name);
      break;
    }
  }
}

gboolean tsr_sharding_admin_register(ShardingPlugin *p, GError **error) {
  if (!tsr_admin_table_register(TSR_SHARDING_ADMIN_SHARDS, shards_columns, shards_fill, p, error)) return FALSE;
  if (tsr_admin_table_register(TSR_SHARDING_ADMIN_TABLES, tables_columns, tables_fill, p, error)) return TRUE;
  tsr_admin_table_unregister(TSR_SHARDING_ADMIN_SHARDS);
  return FALSE;
}

void tsr_sharding_admin_unregister(void) {
  tsr_admin_table_unregister(TSR_SHARDING_ADMIN_TABLES);
  tsr_admin_table_unregister(TSR_SHARDING_ADMIN_SHARDS);
}
