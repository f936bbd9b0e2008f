/* sharding-admin.h: the sharding plugin's tables on the admin endpoint
 * (core/admin-tables.h, docs/admin.md):
 *
 *   shards        one row per backend of each group of the map: the group,
 *                 its role (primary or replica), the backend's address,
 *                 state and connected clients, and the group's statement
 *                 and error counters (on the primary's row);
 *   shard_tables  one row per listed table and place: each shard of a
 *                 sharded table, the group of a vertical one, each copy of
 *                 a broadcast one, with the physical table's name.
 *
 * The rows are read from the plugin's current map when a client asks. */
#ifndef TESSERA_SHARDING_ADMIN_H
#define TESSERA_SHARDING_ADMIN_H

#include <glib.h>
#include "sharding-private.h"

#define TSR_SHARDING_ADMIN_SHARDS "shards"
#define TSR_SHARDING_ADMIN_TABLES "shard_tables"

/* Publishes both tables for plugin p, which must have a map; p stays the
 * caller's and must outlive the tables (tsr_sharding_admin_unregister).
 * Returns FALSE with *error set when a table cannot be registered (then
 * neither is). */
gboolean tsr_sharding_admin_register(ShardingPlugin *p, GError **error);

/* Withdraws both tables, waiting for fills in progress; after it returns p
 * may be freed. Call it only after a successful register. */
void tsr_sharding_admin_unregister(void);

#endif
