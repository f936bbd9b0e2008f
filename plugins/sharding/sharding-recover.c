/* sharding-recover.c: the XA decision log of the sharding plugin: opened
 * at configure time, XA RECOVER on every group at start (what a crash left
 * prepared is committed when the log has its decision, else rolled back),
 * and a resolver on the main thread that commits the branches of decided
 * transactions whose group did not confirm the COMMIT (it was down). */
#define G_LOG_DOMAIN "sharding"
#include <event2/event.h>
#include <string.h>

#include "sharding-private.h"
#include "core/core-error.h"
#include "xa-client.h"
#include "xa-log.h"
#include "xa-recover.h"

#define XA_TIMEOUT_MS 3000u
#define RESOLVE_EVERY_S 2

/* The account recovery logs in with: a user's backend account, else the
 * first user with a clear password. FALSE when the map has neither. */
static gboolean recovery_account(const TsrShardMap *map, const char **user, const char **password) {
  for (guint i = 0; i < tsr_shard_map_n_users(map); i++) {
    const TsrShardUser *u = tsr_shard_map_user(map, i);
    if (u->backend_password) {
      *user = u->backend_user;
      *password = u->backend_password;
      return TRUE;
    }
  }
  for (guint i = 0; i < tsr_shard_map_n_users(map); i++) {
    const TsrShardUser *u = tsr_shard_map_user(map, i);
    if (u->password) {
      *user = u->user;
      *password = u->password;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean tsr_sharding_xa_open(ShardingPlugin *p, GError **error) {
  g_autofree char *path = p->xa_log_path ? g_strdup(p->xa_log_path) : g_strconcat(p->config_path, ".xa-log", NULL);
  g_autofree char *absolute = g_canonicalize_filename(path, NULL);
  GError *local = NULL;
  p->xa_log = tsr_xa_log_open(absolute, &local);
  if (!p->xa_log) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "--sharding-xa-log=%s: %s (give a writable file with --sharding-xa-log)", absolute, local->message);
    g_error_free(local);
    return FALSE;
  }
  /* The proxy's id in its xids: the same log, the same id, across restarts. */
  p->proxy_id = (guint32)g_str_hash(absolute);
  p->xa_counter = (gssize)g_get_real_time();
  return TRUE;
}

void tsr_sharding_xa_recover(ShardingPlugin *p) {
  const char *user, *password;
  guint n = tsr_shard_map_n_groups(p->map), committed = 0, rolled_back = 0;
  g_autofree const char **addresses = g_new0(const char *, n + 1);
  g_autoptr(GError) error = NULL;
  if (!recovery_account(p->map, &user, &password)) {
    g_warning("XA recovery skipped: no user of the shard map has a clear password or a backend_password to log "
              "in with");
    return;
  }
  for (guint g = 0; g < n; g++) addresses[g] = tsr_shard_map_group(p->map, g)->primary;
  if (!tsr_xa_recover(p->xa_log, p->proxy_id, addresses, n, user, password, XA_TIMEOUT_MS, &committed, &rolled_back,
                      &error))
    g_warning("XA recovery incomplete: %s; the decisions stay in %s for the next start", error->message,
              tsr_xa_log_path(p->xa_log));
  if (committed || rolled_back)
    g_message("XA recovery: %u prepared branch(es) committed, %u rolled back", committed, rolled_back);
}

/* Commits the branch of gtrid on group `name`. TRUE when it is committed
 * (or was: the server no longer knows it). */
static gboolean commit_branch(ShardingPlugin *p, const char *gtrid, const char *name, const char *user,
                              const char *password) {
  const TsrShardGroup *group = tsr_shard_map_find_group(p->map, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrXaClient) c = NULL;
  g_autoptr(TsrXaResult) r = NULL;
  g_autofree char *sql = g_strdup_printf("XA COMMIT '%s'", gtrid);
  if (!group) return TRUE; /* the group left the map: nothing tessera can reach */
  c = tsr_xa_client_connect(group->primary, user, password, XA_TIMEOUT_MS, &error);
  if (!c) return FALSE;
  r = tsr_xa_client_query(c, sql, &error);
  return r || tsr_xa_client_server_errno(c) == 1397; /* XAER_NOTA: committed already */
}

/* Runs every RESOLVE_EVERY_S seconds on the main thread. */
static void resolve(evutil_socket_t fd, short what, void *data) {
  ShardingPlugin *p = data;
  const char *user, *password;
  g_auto(GStrv) decided = tsr_xa_log_list(p->xa_log);
  (void)fd;
  (void)what;
  if (!decided || !decided[0] || !recovery_account(p->map, &user, &password)) return;
  for (char **x = decided; *x; x++) {
    g_auto(GStrv) groups = tsr_xa_log_groups(p->xa_log, *x);
    gboolean all = TRUE;
    gboolean inflight;
    /* A session carrying the decision out holds its branches: a server
     * answers XAER_NOTA for them to other connections until it lets go. */
    g_mutex_lock(&p->lock);
    inflight = g_hash_table_contains(p->xa_inflight, *x);
    g_mutex_unlock(&p->lock);
    if (inflight) continue;
    if (!g_ptr_array_find_with_equal_func(p->xa_seen, *x, g_str_equal, NULL)) {
      g_ptr_array_add(p->xa_seen, g_strdup(*x));
      continue;
    }
    for (char **g = groups; g && *g; g++) all = commit_branch(p, *x, *g, user, password) && all;
    if (all) {
      guint i;
      g_message("XA %s: the branches its groups had not confirmed are committed", *x);
      tsr_xa_log_done(p->xa_log, *x);
      if (g_ptr_array_find_with_equal_func(p->xa_seen, *x, g_str_equal, &i)) g_ptr_array_remove_index_fast(p->xa_seen, i);
    }
  }
}

void tsr_sharding_xa_resolver_start(ShardingPlugin *p, struct event_base *base) {
  struct timeval every = {RESOLVE_EVERY_S, 0};
  p->xa_seen = g_ptr_array_new_with_free_func(g_free);
  p->xa_inflight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  p->xa_resolver = event_new(base, -1, EV_PERSIST, resolve, p);
  event_add(p->xa_resolver, &every);
}

void tsr_sharding_xa_close(ShardingPlugin *p) {
  g_clear_pointer(&p->xa_resolver, event_free);
  g_clear_pointer(&p->xa_seen, g_ptr_array_unref);
  g_clear_pointer(&p->xa_inflight, g_hash_table_unref);
  g_clear_pointer(&p->xa_log, tsr_xa_log_close);
}
