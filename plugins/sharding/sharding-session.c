/* sharding-session.c: the session hooks of the sharding layer. Each phase
 * goes to the script's hooks first (when a script is loaded); commands the
 * script lets through, and the answers to the executor's own queries, go to
 * the executor (sharding-exec.c). */
#define G_LOG_DOMAIN "sharding"
#include "sharding-private.h"

static gboolean inner_has(ShardingWorker *w, TsrSession *s, ShardingSession *ss, TsrHookId id) {
  return w->inner && w->inner->has(w->inner_data, s, ss->inner_state, id);
}

static gpointer layer_open(gpointer data, TsrSession *s, GError **error) {
  ShardingWorker *w = data;
  ShardingSession *ss = g_new0(ShardingSession, 1);
  if (w->inner && w->inner->open) {
    GError *local = NULL;
    ss->inner_state = w->inner->open(w->inner_data, s, &local);
    if (local) {
      g_propagate_error(error, local);
      g_free(ss);
      return NULL;
    }
  }
  ss->replay = g_ptr_array_new_with_free_func(g_free);
  ss->n_backends = tsr_backend_list_size(tsr_session_backends(s));
  ss->replayed = g_new0(guint32, ss->n_backends);
  ss->trans_thread = g_new0(guint32, ss->n_backends);
  ss->last_group = -1;
  ss->last_backend = -1;
  ss->worker = w;
  tsr_sharding_set_fallbacks(s, w->plugin);
  ss->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tsr_sharding_stmt_free);
  ss->to_close = g_array_new(FALSE, FALSE, sizeof(ShardingClose));
  ss->prepared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return ss;
}

static void layer_close(gpointer data, TsrSession *s, gpointer state) {
  ShardingWorker *w = data;
  ShardingSession *ss = state;
  if (!ss) return;
  if (w->inner && w->inner->close) w->inner->close(w->inner_data, s, ss->inner_state);
  tsr_sharding_command_clear(&ss->cmd);
  g_ptr_array_unref(ss->replay);
  g_hash_table_unref(ss->stmts);
  g_array_unref(ss->to_close);
  g_hash_table_unref(ss->prepared);
  g_free(ss->replayed);
  g_free(ss->trans_thread);
  g_free(ss->begin_sql);
  g_free(ss->xid);
  g_free(ss);
}

static gboolean layer_has(gpointer data, TsrSession *s, gpointer state, TsrHookId id) {
  ShardingWorker *w = data;
  switch (id) {
  case TSR_HOOK_CONNECT_SERVER:
  case TSR_HOOK_READ_QUERY:
  case TSR_HOOK_READ_QUERY_RESULT:
    return TRUE;
  default:
    return inner_has(w, s, state, id);
  }
}

static TsrHookAction layer_phase(gpointer data, TsrSession *s, gpointer state, TsrHookId id, const guint8 *packet,
                                 gsize len, GError **error) {
  ShardingWorker *w = data;
  ShardingSession *ss = state;
  TsrHookAction action = TSR_HOOK_DEFAULT;
  if (inner_has(w, s, ss, id))
    action = w->inner->phase(w->inner_data, s, ss->inner_state, id, packet, len, error);
  if (id == TSR_HOOK_CONNECT_SERVER && action == TSR_HOOK_DEFAULT && tsr_session_chosen_backend(s) < 0) {
    /* The login's first connection goes to the default group. */
    const guint *group_backend;
    g_autoptr(TsrShardMap) map = tsr_sharding_map(w->plugin, &group_backend, NULL);
    tsr_session_set_backend_index(s, group_backend[tsr_shard_map_default_group(map)]);
  }
  return action;
}

static TsrHookAction layer_read_query(gpointer data, TsrSession *s, gpointer state, const guint8 *packet, gsize len,
                                      GError **error) {
  ShardingWorker *w = data;
  ShardingSession *ss = state;
  if (inner_has(w, s, ss, TSR_HOOK_READ_QUERY)) {
    TsrHookAction action = w->inner->read_query(w->inner_data, s, ss->inner_state, packet, len, error);
    if (action != TSR_HOOK_DEFAULT) return action;
  }
  return tsr_sharding_command(w, s, ss, packet, len);
}

static TsrHookAction layer_read_query_result(gpointer data, TsrSession *s, gpointer state, TsrInjection *inj,
                                             GError **error) {
  ShardingWorker *w = data;
  ShardingSession *ss = state;
  if (inj->id >= SHARDING_ID_BASE) return tsr_sharding_result(w, s, ss, inj);
  if (inner_has(w, s, ss, TSR_HOOK_READ_QUERY_RESULT))
    return w->inner->read_query_result(w->inner_data, s, ss->inner_state, inj, error);
  return TSR_HOOK_DEFAULT;
}

static const TsrSessionHooks sharding_hooks = {
  .open = layer_open,
  .close = layer_close,
  .has = layer_has,
  .phase = layer_phase,
  .read_query = layer_read_query,
  .read_query_result = layer_read_query_result,
};

const TsrSessionHooks *tsr_sharding_session_hooks(void) {
  return &sharding_hooks;
}
