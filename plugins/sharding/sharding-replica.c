/* sharding-replica.c: reads on a group's replicas. A read outside a
 * transaction, that locks nothing, on a group the session has not written
 * to (so that a session reads its own writes), runs on a replica of the
 * group when it lists any that is not down: the one the session already
 * holds a connection to, else the one with the fewest clients. Everything
 * else runs on the primary. */
#define G_LOG_DOMAIN "sharding"
#include "sharding-private.h"

gboolean tsr_sharding_add_replicas(ShardingPlugin *p, TsrBackendList *backends, guint group, GError **error) {
  const TsrShardGroup *g = tsr_shard_map_group(p->map, group);
  for (guint r = 0; r < g->n_replicas; r++) {
    guint index;
    if (!tsr_sharding_backend_for(backends, g->replicas[r], TSR_BACKEND_TYPE_RO, &index, error)) return FALSE;
    g_array_append_val(p->replica_backend, index);
  }
  p->replica_start[group + 1] = p->replica_backend->len;
  return TRUE;
}

/* The replica of `group` a read of this session goes to, or -1. */
static gint pick_replica(TsrSession *s, const ShardingPlugin *p, guint group) {
  const TsrBackendList *list = tsr_session_backends(s);
  gint best = -1;
  gint best_clients = G_MAXINT;
  for (guint i = p->replica_start[group]; i < p->replica_start[group + 1]; i++) {
    guint index = g_array_index(p->replica_backend, guint, i);
    TsrBackend *b = tsr_backend_list_get(list, index);
    gint clients = g_atomic_int_get(&b->connected_clients);
    if (tsr_session_backend_thread_id(s, index) != 0) return (gint)index;
    if (tsr_backend_resting(b)) continue;
    if (clients < best_clients) {
      best = (gint)index;
      best_clients = clients;
    }
  }
  return best;
}

guint tsr_sharding_step_backend(TsrSession *s, ShardingSession *ss, guint group) {
  const ShardingPlugin *p = ss->worker->plugin;
  const TsrRoutePlan *plan = ss->cmd.plan;
  gint replica;
  if (plan->write || plan->needs_primary || ss->in_trans || (ss->wrote_groups & (G_GUINT64_CONSTANT(1) << group)) ||
      p->replica_start[group] == p->replica_start[group + 1])
    return ss->cmd.group_backend[group];
  replica = pick_replica(s, p, group);
  return replica >= 0 ? (guint)replica : ss->cmd.group_backend[group];
}

void tsr_sharding_set_fallbacks(TsrSession *s, const ShardingPlugin *p) {
  for (guint g = 0; p->replica_start && g < p->n_groups; g++)
    for (guint i = p->replica_start[g]; i < p->replica_start[g + 1]; i++)
      tsr_session_set_fallback(s, g_array_index(p->replica_backend, guint, i), p->group_backend[g]);
}
