/* lua-backends.h: proxy.global.backends, a view of the backends that the
 * core fills through a provider (callbacks), with MySQL Proxy 0.8's field
 * names:
 *
 *   #proxy.global.backends                 number of backends
 *   proxy.global.backends[i]               i = 1..n, nil outside
 *     .dst.name / .address / .port / .type as configured, resolved address,
 *                                          port, address family (AF_INET...)
 *     .state                               proxy.BACKEND_STATE_* (writable)
 *     .type                                proxy.BACKEND_TYPE_*
 *     .uuid                                string or nil (writable)
 *     .connected_clients                   clients using the backend
 *     .pool.min_idle_connections           (writable)
 *     .pool.max_idle_connections           (writable)
 *     .pool.users[name].cur_idle_connections  idle pooled connections of user `name`
 *
 * Every read asks the provider, so scripts always see current values. The
 * provider belongs to one VM (one worker): pools are per worker. Fields the
 * provider cannot write (its setter is NULL or returns FALSE) raise a Lua
 * error "proxy.global.backends[1].state is not writable". */
#ifndef TESSERA_LUA_BACKENDS_H
#define TESSERA_LUA_BACKENDS_H

#include <glib.h>
#include <lua.h>

/* proxy.BACKEND_STATE_* and proxy.BACKEND_TYPE_*, MySQL Proxy 0.8's values. */
typedef enum {
  TSR_LUA_BACKEND_STATE_UNKNOWN = 0,
  TSR_LUA_BACKEND_STATE_UP = 1,
  TSR_LUA_BACKEND_STATE_DOWN = 2,
} TsrLuaBackendState;

typedef enum {
  TSR_LUA_BACKEND_TYPE_UNKNOWN = 0,
  TSR_LUA_BACKEND_TYPE_RW = 1,
  TSR_LUA_BACKEND_TYPE_RO = 2,
} TsrLuaBackendType;

/* One backend as the provider describes it. Strings are borrowed: they must
 * stay valid until the provider is called again on the same thread. */
typedef struct {
  const char *name;            /* dst.name: the address as configured ("10.0.0.1:3306", "/tmp/mysql.sock") */
  const char *address;         /* dst.address: the resolved address ("10.0.0.1"), NULL when unknown */
  guint16 port;                /* dst.port, 0 for a unix socket */
  int family;                  /* dst.type: AF_INET, AF_INET6 or AF_UNIX */
  TsrLuaBackendState state;
  TsrLuaBackendType type;
  const char *uuid;            /* NULL when none */
  guint connected_clients;
  guint min_idle_connections;  /* pool.min_idle_connections */
  guint max_idle_connections;  /* pool.max_idle_connections */
} TsrLuaBackendInfo;

/* Which pool field a set_pool callback writes. */
typedef enum {
  TSR_LUA_POOL_MIN_IDLE,
  TSR_LUA_POOL_MAX_IDLE,
} TsrLuaPoolField;

/* The callbacks behind proxy.global.backends. `data` is passed to each.
 * count and get are required; the others may be NULL. Indexes are 0-based
 * (Lua's backends[1] is index 0). They are called on the VM's thread, from
 * inside Lua: they must not call back into the VM. */
typedef struct {
  guint (*count)(gpointer data);
  /* Fills *out for backend `index` < count; FALSE when it is gone. */
  gboolean (*get)(gpointer data, guint index, TsrLuaBackendInfo *out);
  /* Idle pooled connections of `user` on backend `index` (this worker's pool). */
  guint (*idle_connections)(gpointer data, guint index, const char *user);
  /* Writes; each returns FALSE when it refuses the value. */
  gboolean (*set_state)(gpointer data, guint index, TsrLuaBackendState state);
  gboolean (*set_uuid)(gpointer data, guint index, const char *uuid);   /* uuid NULL clears it */
  gboolean (*set_pool)(gpointer data, guint index, TsrLuaPoolField field, guint value);
  gpointer data;
} TsrLuaBackendProvider;

/* Pushes a new proxy.global.backends view for `provider` (copied; NULL gives
 * an empty list). Internal to lua/: the VM calls it once and keeps the view. */
void tsr_lua_backends_push(lua_State *L, const TsrLuaBackendProvider *provider);

/* Replaces the provider behind the view at stack index idx. */
void tsr_lua_backends_set_provider(lua_State *L, int idx, const TsrLuaBackendProvider *provider);

#endif
