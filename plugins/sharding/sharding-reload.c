/* sharding-reload.c: the shard map is reloaded when its file changes
 * (checked every RELOAD_EVERY_S seconds on the main thread). A new map
 * that does not load, or that changes the groups (their names and
 * addresses: the backends are fixed at start), leaves the old one in place
 * with a warning; statements under way finish on the generation they were
 * routed by. Users are read at start only. */
#define G_LOG_DOMAIN "sharding"
#include <event2/event.h>
#include <string.h>
#include <sys/stat.h>

#include "sharding-private.h"

#define RELOAD_EVERY_S 2

/* TRUE when both maps have the same groups at the same addresses. */
static gboolean same_groups(const TsrShardMap *a, const TsrShardMap *b) {
  if (tsr_shard_map_n_groups(a) != tsr_shard_map_n_groups(b)) return FALSE;
  for (guint g = 0; g < tsr_shard_map_n_groups(a); g++) {
    const TsrShardGroup *x = tsr_shard_map_group(a, g), *y = tsr_shard_map_group(b, g);
    if (strcmp(x->name, y->name) != 0 || strcmp(x->primary, y->primary) != 0) return FALSE;
  }
  return TRUE;
}

/* The file's change stamp: modification time and size. */
static gint64 file_stamp(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  return (gint64)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec + (gint64)st.st_size;
}

gboolean tsr_sharding_reload(ShardingPlugin *p) {
  g_autoptr(GError) error = NULL;
  TsrShardMap *map = tsr_shard_map_load_file(p->config_path, &error), *old;
  if (!map) {
    g_warning("shard map %s not reloaded, the old one stays: %s", p->config_path, error->message);
    return FALSE;
  }
  if (!same_groups(p->map, map)) {
    g_warning("shard map %s not reloaded, the old one stays: its groups differ (names or primaries); restart "
              "tessera to change the groups",
              p->config_path);
    tsr_shard_map_unref(map);
    return FALSE;
  }
  g_mutex_lock(&p->lock);
  old = p->map;
  p->map = map;
  g_mutex_unlock(&p->lock);
  tsr_shard_map_unref(old);
  g_message("shard map %s reloaded: %u table(s)", p->config_path, tsr_shard_map_n_tables(map));
  return TRUE;
}

static void check_file(evutil_socket_t fd, short what, void *data) {
  ShardingPlugin *p = data;
  gint64 stamp = file_stamp(p->config_path);
  (void)fd;
  (void)what;
  if (stamp == p->config_stamp || stamp < 0) return;
  p->config_stamp = stamp;
  tsr_sharding_reload(p);
}

void tsr_sharding_reload_start(ShardingPlugin *p, struct event_base *base) {
  struct timeval every = {RELOAD_EVERY_S, 0};
  p->config_stamp = file_stamp(p->config_path);
  p->reloader = event_new(base, -1, EV_PERSIST, check_file, p);
  event_add(p->reloader, &every);
}

void tsr_sharding_reload_stop(ShardingPlugin *p) {
  g_clear_pointer(&p->reloader, event_free);
}
