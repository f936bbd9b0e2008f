/* session-pool.c: idle logged-in backend connections, per worker, for
 * scripts that move a client between backends (MySQL Proxy 0.8's
 * connection pool, driven by proxy.connection.backend_ndx).
 *
 * tessera passes each client's login through to one backend, so the only
 * connections a session can move to are connections already logged in as
 * its user: those other sessions (or itself) released. A released
 * connection waits in its backend's idle queue, watched for the server
 * closing it; a session of the same user and capabilities may take it.
 * What a connection carries from one client to the next (session
 * variables, temporary tables, the default database) is the script's
 * business, as in 0.8: rw-splitting.lua releases connections only outside
 * transactions and re-sends the default database. */
#define G_LOG_DOMAIN "core"
#include <stddef.h>
#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-constants.h"

/* Capabilities that only matter for the login: connections whose logins
 * differ in these alone serve the same clients. */
#define LOGIN_ONLY_CAPABILITIES                                                                              \
  (TSR_CLIENT_CONNECT_WITH_DB | TSR_CLIENT_CONNECT_ATTRS | TSR_CLIENT_PLUGIN_AUTH |                          \
   TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_LONG_PASSWORD |     \
   TSR_CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS | TSR_CLIENT_REMEMBER_OPTIONS | TSR_CLIENT_SSL | TSR_CLIENT_COMPRESS)

typedef struct {
  guint min_idle, max_idle;
  GQueue idle;                      /* of TsrServerConn*, through pool_link, oldest first */
} PoolBackend;

struct TsrServerPool {
  guint n_backends;
  PoolBackend *backends;
};

static struct TsrServerPool *pool_get(TsrSessionOwner *owner) {
  if (!owner->pool) {
    struct TsrServerPool *pool = g_new0(struct TsrServerPool, 1);
    pool->n_backends = tsr_backend_list_size(owner->config->backends);
    pool->backends = g_new0(PoolBackend, pool->n_backends);
    for (guint i = 0; i < pool->n_backends; i++) {
      pool->backends[i].max_idle = TSR_POOL_DEFAULT_MAX_IDLE;
      g_queue_init(&pool->backends[i].idle);
    }
    owner->pool = pool;
  }
  return owner->pool;
}

static TsrServerConn *server_of(TsrConn *c) {
  return (TsrServerConn *)(void *)((char *)c - offsetof(TsrServerConn, conn));
}

/* Frees a pooled connection (it is no backend client any more: put it back
 * in the count that tsr_server_conn_free takes it out of). */
static void pooled_free(TsrServerConn *sc) {
  if (sc->conn.fd >= 0) g_atomic_int_add(&sc->backend->connected_clients, 1);
  tsr_server_conn_free(sc);
}

/* Events of a pooled connection: anything but silence means the server
 * closed it (or is about to), so it leaves the pool. */
static void pooled_on_io(TsrConn *c, TsrIoEvent what, gpointer owner) {
  struct TsrServerPool *pool = owner;
  TsrServerConn *sc = server_of(c);
  g_debug("backend %s: pooled connection %u of '%s' closed (%s)", sc->backend->name, sc->thread_id,
          sc->username ? sc->username : "", what == TSR_IO_EOF ? "closed by the server" : "unexpected data");
  g_queue_unlink(&pool->backends[sc->backend->index].idle, &sc->pool_link);
  pooled_free(sc);
}

/* TRUE when the session's connection sits between two commands, logged in
 * (in read_query_result the answered query is done). */
static gboolean reusable(const TsrSession *s, const TsrServerConn *sc) {
  return sc->authed && !sc->no_pool && s->username && sc->conn.fd >= 0 && !sc->conn.connecting &&
         !sc->conn.read_eof && !s->owner->draining && (!s->current || s->current->done_at) &&
         evbuffer_get_length(sc->conn.in) == 0 && evbuffer_get_length(sc->conn.out) == 0 &&
         (s->tracker.state == TSR_TRK_IDLE || tsr_response_done(&s->tracker));
}

/* Takes s->server out of the session's list. */
static TsrServerConn *detach_server(TsrSession *s) {
  TsrServerConn *sc = s->server, **pp;
  for (pp = &s->servers; *pp; pp = &(*pp)->next)
    if (*pp == sc) {
      *pp = sc->next;
      break;
    }
  sc->next = NULL;
  s->server = NULL;
  return sc;
}

void tsr_session_release_server(TsrSession *s) {
  TsrServerConn *sc;
  PoolBackend *pb;

  if (!s->server) return;
  if (!reusable(s, s->server)) {
    g_debug("client %s: backend connection to %s closed, it cannot be pooled", s->client.name,
            s->server->backend->name);
    tsr_server_conn_free(detach_server(s));
    return;
  }
  sc = detach_server(s);
  pb = &pool_get(s->owner)->backends[sc->backend->index];
  if (tsr_session_pool_idle(s->owner, sc->backend->index, s->username) >= pb->max_idle) {
    g_debug("backend %s: %u idle connections of '%s' already, connection closed", sc->backend->name,
            pb->max_idle, s->username);
    tsr_server_conn_free(sc);
    return;
  }
  g_free(sc->username);
  sc->username = g_strdup(s->username);
  sc->pool_caps = s->capabilities & ~(guint32)LOGIN_ONLY_CAPABILITIES;
  g_atomic_int_add(&sc->backend->connected_clients, -1);
  sc->conn.func = pooled_on_io;
  sc->conn.owner = s->owner->pool;
  sc->pool_link.data = sc;
  g_queue_push_tail_link(&pb->idle, &sc->pool_link);
  tsr_conn_set_reading(&sc->conn, TRUE);
}

/* Takes the oldest idle connection to backend `index` of user/caps. */
static TsrServerConn *pool_take(TsrSessionOwner *owner, guint index, const char *user, guint32 caps) {
  PoolBackend *pb;
  if (!owner->pool || index >= owner->pool->n_backends) return NULL;
  pb = &owner->pool->backends[index];
  for (GList *l = pb->idle.head; l; l = l->next) {
    TsrServerConn *sc = l->data;
    if (sc->pool_caps == caps && g_strcmp0(sc->username, user) == 0) {
      g_queue_unlink(&pb->idle, l);
      return sc;
    }
  }
  return NULL;
}

gboolean tsr_session_switch_backend(TsrSession *s, guint index, GError **error) {
  const TsrBackendList *list = s->owner->config->backends;
  TsrServerConn *sc;

  if (s->server && s->server->backend->index == index) return TRUE;
  if (index >= tsr_backend_list_size(list)) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "there is no backend %u (1 to %u)", index + 1,
                tsr_backend_list_size(list));
    return FALSE;
  }
  sc = s->username ? pool_take(s->owner, index, s->username, s->capabilities & ~(guint32)LOGIN_ONLY_CAPABILITIES)
                   : NULL;
  if (!sc && s->login && s->login->client_ok_sent) {
    /* tessera knows the client's credentials: open a connection. */
    tsr_session_release_server(s);
    tsr_session_connect_backend(s, index);
    return TRUE;
  }
  if (!sc) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "no idle connection of user '%s' to backend %u (%s) in the pool: tessera can only move a client "
                "to a connection already logged in as its user (see pool.users[user].cur_idle_connections)",
                s->username ? s->username : "", index + 1, tsr_backend_list_get(list, index)->name);
    return FALSE;
  }
  tsr_session_release_server(s);
  g_atomic_int_add(&sc->backend->connected_clients, 1);
  sc->conn.func = tsr_session_on_server_io;
  sc->conn.owner = s;
  sc->next = s->servers;
  s->servers = sc;
  s->server = sc;
  return TRUE;
}

guint tsr_session_pool_idle(TsrSessionOwner *owner, guint index, const char *user) {
  guint n = 0;
  if (!owner->pool || index >= owner->pool->n_backends) return 0;
  for (GList *l = owner->pool->backends[index].idle.head; l; l = l->next) {
    const TsrServerConn *sc = l->data;
    if (!user || !*user || g_strcmp0(sc->username, user) == 0) n++;
  }
  return n;
}

void tsr_session_pool_limits(TsrSessionOwner *owner, guint index, guint *min_idle, guint *max_idle) {
  struct TsrServerPool *pool = pool_get(owner);
  *min_idle = index < pool->n_backends ? pool->backends[index].min_idle : 0;
  *max_idle = index < pool->n_backends ? pool->backends[index].max_idle : 0;
}

void tsr_session_pool_set_limits(TsrSessionOwner *owner, guint index, guint min_idle, guint max_idle) {
  struct TsrServerPool *pool = pool_get(owner);
  PoolBackend *pb;
  if (index >= pool->n_backends) return;
  pb = &pool->backends[index];
  pb->min_idle = min_idle;
  pb->max_idle = max_idle;
  /* Close the oldest connections of users past the new limit. */
  for (GList *l = pb->idle.head, *next; l; l = next) {
    TsrServerConn *sc = l->data;
    next = l->next;
    if (tsr_session_pool_idle(owner, index, sc->username) > max_idle) {
      g_queue_unlink(&pb->idle, l);
      pooled_free(sc);
    }
  }
}

void tsr_session_pool_free(TsrSessionOwner *owner) {
  struct TsrServerPool *pool = owner->pool;
  GList *l;
  if (!pool) return;
  for (guint i = 0; i < pool->n_backends; i++)
    while ((l = g_queue_pop_head_link(&pool->backends[i].idle))) pooled_free(l->data);
  g_free(pool->backends);
  g_free(pool);
  owner->pool = NULL;
}
