/* sharding-plugin.c: the sharding plugin: --sharding-config, the shard map
 * it loads, and the session layer it puts in front of the proxy's sessions
 * (sharding-session.c). Without --sharding-config it does nothing and the
 * proxy stays a transparent proxy. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-private.h"
#include "sharding-admin.h"
#include "chassis/chassis-plugin.h"
#include "core/auth-users.h"
#include "core/core-error.h"
#include "tessera-config.h"

static gpointer sharding_create(void) {
  ShardingPlugin *p = g_new0(ShardingPlugin, 1);
  g_mutex_init(&p->lock);
  return p;
}

static const GOptionEntry *sharding_options(gpointer state) {
  ShardingPlugin *p = state;
  static GOptionEntry entries[3];
  entries[0] = (GOptionEntry){"sharding-config", 0, 0, G_OPTION_ARG_FILENAME, &p->config_path,
                              "Shard map (a Lua file, see docs/sharding.md): spread tables over backend groups and "
                              "authenticate clients with its users",
                              "<file>"};
  entries[1] = (GOptionEntry){"sharding-xa-log", 0, 0, G_OPTION_ARG_FILENAME, &p->xa_log_path,
                              "Decision log of transactions over several groups (XA two-phase commit); default: "
                              "the shard map's path with .xa-log appended",
                              "<file>"};
  entries[2] = (GOptionEntry){NULL};
  return entries;
}

TsrShardMap *tsr_sharding_map(ShardingPlugin *p, const guint **group_backend, ShardingGroupCounters **counters) {
  TsrShardMap *map;
  g_mutex_lock(&p->lock);
  map = tsr_shard_map_ref(p->map);
  *group_backend = p->group_backend;
  if (counters) *counters = p->counters;
  g_mutex_unlock(&p->lock);
  return map;
}

gboolean tsr_sharding_backend_for(TsrBackendList *backends, const char *address, TsrBackendType type, guint *index,
                                  GError **error) {
  for (guint i = 0; i < tsr_backend_list_size(backends); i++)
    if (strcmp(tsr_backend_list_get(backends, i)->name, address) == 0) {
      *index = i;
      return TRUE;
    }
  if (!tsr_backend_list_add(backends, address, type, error)) return FALSE;
  *index = tsr_backend_list_size(backends) - 1;
  return TRUE;
}

/* Gives every group's primary (and replica) a place in the proxy's
 * backend list. */
static gboolean add_group_backends(ShardingPlugin *p, TsrBackendList *backends, GError **error) {
  guint n = tsr_shard_map_n_groups(p->map);
  p->group_backend = g_new0(guint, n);
  p->n_groups = n;
  p->replica_start = g_new0(guint, n + 1);
  p->replica_backend = g_array_new(FALSE, FALSE, sizeof(guint));
  p->counters = g_new0(ShardingGroupCounters, n);
  p->backends = backends;
  for (guint g = 0; g < n; g++) {
    const TsrShardGroup *group = tsr_shard_map_group(p->map, g);
    if (!tsr_sharding_backend_for(backends, group->primary, TSR_BACKEND_TYPE_RW, &p->group_backend[g], error) ||
        !tsr_sharding_add_replicas(p, backends, g, error))
      return FALSE;
  }
  return TRUE;
}

/* The map's users become the accounts tessera authenticates. */
static TsrUserList *map_users(const TsrShardMap *map, GError **error) {
  g_autoptr(TsrUserList) list = tsr_user_list_new();
  for (guint i = 0; i < tsr_shard_map_n_users(map); i++) {
    const TsrShardUser *u = tsr_shard_map_user(map, i);
    char hash[42] = "*";
    for (guint b = 0; u->has_hash && b < 20; b++) g_snprintf(hash + 1 + 2 * b, 3, "%02X", u->hash[b]);
    if (!tsr_user_list_add(list, u->user, NULL, u->has_hash ? hash : NULL,
                           u->backend_password ? u->backend_user : NULL, u->backend_password, error)) {
      g_prefix_error(error, "--sharding-config=%s: ", tsr_shard_map_source(map));
      return NULL;
    }
  }
  return g_steal_pointer(&list);
}

static gboolean layer_configure(gpointer data, TsrProxyConfig *config, TsrBackendList *backends, GError **error) {
  ShardingPlugin *p = data;
  if (config->users) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "--proxy-user cannot be used with --sharding-config: give the accounts in the shard map's users");
    return FALSE;
  }
  if (tsr_shard_map_n_users(p->map) == 0) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "--sharding-config=%s: the map has no users; tessera authenticates clients itself when it shards, "
                "so list the accounts in users = { { user = ..., password = ... } }",
                p->config_path);
    return FALSE;
  }
  if (!add_group_backends(p, backends, error)) return FALSE;
  config->users = map_users(p->map, error);
  return config->users != NULL;
}

static gpointer layer_wrap(gpointer data, guint worker, TsrSessionOwner *owner, const TsrSessionHooks *inner,
                           gpointer inner_data) {
  ShardingWorker *w = g_new0(ShardingWorker, 1);
  (void)worker;
  (void)owner;
  w->plugin = data;
  w->inner = inner;
  w->inner_data = inner_data;
  return w;
}

static void layer_unwrap(gpointer data, gpointer hooks_data) {
  (void)data;
  g_free(hooks_data);
}

static gboolean sharding_configure(gpointer state, TsrChassis *chassis, GError **error) {
  ShardingPlugin *p = state;
  GError *local = NULL;
  (void)chassis;
  if (!p->config_path) return TRUE;
  p->map = tsr_shard_map_load_file(p->config_path, &local);
  if (!p->map) {
    g_set_error_literal(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, local->message);
    g_error_free(local);
    return FALSE;
  }
  p->layer = (TsrSessionLayer){
    .name = "sharding",
    .hooks = tsr_sharding_session_hooks(),
    .configure = layer_configure,
    .wrap = layer_wrap,
    .unwrap = layer_unwrap,
    .layer_data = p,
  };
  tsr_session_layer_set(&p->layer);
  return TRUE;
}

static gboolean sharding_start(gpointer state, TsrChassis *chassis, GError **error) {
  ShardingPlugin *p = state;
  if (!p->map) return TRUE;
  if (!tsr_sharding_admin_register(p, error)) return FALSE;
  tsr_sharding_reload_start(p, tsr_chassis_main_base(chassis));
  if (tsr_shard_map_n_groups(p->map) > 1) {
    if (!tsr_sharding_xa_open(p, error)) return FALSE;
    tsr_sharding_xa_recover(p);
    tsr_sharding_xa_resolver_start(p, tsr_chassis_main_base(chassis));
  }
  g_message("sharding: map %s with %u group(s), %u table(s)", p->config_path, tsr_shard_map_n_groups(p->map),
            tsr_shard_map_n_tables(p->map));
  return TRUE;
}

static void sharding_destroy(gpointer state) {
  ShardingPlugin *p = state;
  if (tsr_session_layer_get() == &p->layer) tsr_session_layer_set(NULL);
  if (p->map) tsr_sharding_admin_unregister();
  tsr_sharding_reload_stop(p);
  tsr_sharding_xa_close(p);
  g_free(p->xa_log_path);
  tsr_shard_map_unref(p->map);
  g_free(p->group_backend);
  g_free(p->replica_start);
  if (p->replica_backend) g_array_unref(p->replica_backend);
  g_free(p->counters);
  g_free(p->config_path);
  g_mutex_clear(&p->lock);
  g_free(p);
}

const TsrPlugin tsr_sharding_plugin = {
  .abi_version = TSR_PLUGIN_ABI_VERSION,
  .name = "sharding",
  .version = TESSERA_VERSION,
  .create = sharding_create,
  .options = sharding_options,
  .configure = sharding_configure,
  .start = sharding_start,
  .destroy = sharding_destroy,
};
