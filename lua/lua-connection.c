/* lua-connection.c: proxy.connection, with MySQL Proxy 0.8's fields.
 *
 *   proxy.connection.client / .server      the two ends (server: nil before
 *                                          a backend is connected)
 *     .username .default_db                the client's login ("" default_db
 *                                          when none; follows COM_INIT_DB; the
 *                                          server's is its connection's own)
 *     .scrambled_password .auth_plugin_name  the client's auth response
 *     .mysqld_version .thread_id .scramble_buffer  from the server's greeting
 *     .src / .dst { name, address, port, type }    client: the client and
 *                                          the proxy; server: the proxy and
 *                                          the backend (name as configured)
 *   proxy.connection.backend_ndx           1-based index into
 *                                          proxy.global.backends (0: none);
 *                                          written in connect_server to pick one,
 *                                          later: 0 puts the backend connection
 *                                          into the worker's pool, i takes a
 *                                          pooled one of backend i (session-pool.c)
 *   proxy.connection.connection_close = true   close the client connection
 *                                          once this command is answered
 *
 * The userdata hold a TsrLuaHandle: once the connection is closed, using
 * them raises an error. */
#include <string.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <sys/un.h>
#include "lua-session-private.h"

/* A client or server object: the proxy.connection handle (kept alive by
 * the userdata's environment table) and which end. */
typedef struct {
  TsrLuaHandle *conn;
  gboolean server;
} SocketRef;

guint16 tsr_lua_sockaddr_host(const struct sockaddr *sa, socklen_t len, char *buf, gsize buf_len) {
  buf[0] = '\0';
  switch (sa->sa_family) {
  case AF_INET: {
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t)buf_len);
    return ntohs(in->sin_port);
  }
  case AF_INET6: {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)buf_len);
    return ntohs(in6->sin6_port);
  }
  case AF_UNIX: {
    const struct sockaddr_un *un = (const struct sockaddr_un *)(const void *)sa;
    gsize path_len = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    g_strlcpy(buf, un->sun_path, MIN(buf_len, MIN(path_len, sizeof un->sun_path) + 1));
    return 0;
  }
  default:
    return 0;
  }
}

/* Pushes { name, address, port, type } for sa; `name` NULL makes it
 * "address:port" ("[v6]:port", the path of a unix socket). */
static void push_address(lua_State *L, const struct sockaddr_storage *sa, socklen_t len, const char *name) {
  char host[256];
  guint16 port = tsr_lua_sockaddr_host((const struct sockaddr *)sa, len, host, sizeof host);

  lua_createtable(L, 0, 4);
  if (name) lua_pushstring(L, name);
  else if (sa->ss_family == AF_UNIX) lua_pushstring(L, host);
  else if (sa->ss_family == AF_INET6) lua_pushfstring(L, "[%s]:%d", host, (int)port);
  else lua_pushfstring(L, "%s:%d", host, (int)port);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, host);
  lua_setfield(L, -2, "address");
  lua_pushinteger(L, port);
  lua_setfield(L, -2, "port");
  lua_pushinteger(L, sa->ss_family);
  lua_setfield(L, -2, "type");
}

/* Returns the session behind a handle, or raises an error naming `what`. */
static TsrLuaSession *open_session(lua_State *L, TsrLuaHandle *h, const char *what) {
  if (!h->ls)
    luaL_error(L, "%s belongs to a client connection that is closed: use it only in that connection's hooks", what);
  return h->ls;
}

/* "5.5.5-10.11.6-MariaDB" -> 101106, "8.0.36" -> 80036, as 0.8 encoded
 * versions (MariaDB's "5.5.5-" replication prefix skipped); 0 if unknown. */
static lua_Integer version_number(const char *version) {
  unsigned major, minor, patch;
  if (!version) return 0;
  if (g_str_has_prefix(version, "5.5.5-") && strstr(version, "MariaDB")) version += 6;
  if (sscanf(version, "%u.%u.%u", &major, &minor, &patch) != 3 || minor > 99 || patch > 99) return 0;
  return (lua_Integer)major * 10000 + minor * 100 + patch;
}

/* ---- client and server ---- */

static void push_endpoint(lua_State *L, TsrSession *s, gboolean server, gboolean dst) {
  struct sockaddr_storage sa;
  socklen_t len;
  TsrBackend *b = tsr_session_backend(s);

  if (server && dst && b) {
    push_address(L, &b->addr, b->addr_len, b->name);
    return;
  }
  /* client.src is the client's peer, client.dst the proxy; server.src the
   * proxy's end of the backend connection. */
  if (server ? tsr_session_server_sockaddr(s, TRUE, &sa, &len) : tsr_session_client_sockaddr(s, dst, &sa, &len))
    push_address(L, &sa, len, NULL);
  else
    lua_pushnil(L);
}

static void push_bytes_or_nil(lua_State *L, GBytes *bytes) {
  gsize len;
  const void *data;
  if (!bytes) {
    lua_pushnil(L);
    return;
  }
  data = g_bytes_get_data(bytes, &len);
  lua_pushlstring(L, data, len);
}

/* The fields of the login and the greeting, the same on both ends. */
static gboolean push_login_field(lua_State *L, TsrSession *s, const char *key) {
  if (strcmp(key, "username") == 0) lua_pushstring(L, tsr_session_username(s));
  else if (strcmp(key, "scrambled_password") == 0) push_bytes_or_nil(L, tsr_session_client_auth_response(s));
  else if (strcmp(key, "auth_plugin_name") == 0) lua_pushstring(L, tsr_session_client_auth_plugin(s));
  else if (strcmp(key, "mysqld_version") == 0) {
    if (tsr_session_server_version(s)) lua_pushinteger(L, version_number(tsr_session_server_version(s)));
    else lua_pushnil(L);
  } else if (strcmp(key, "thread_id") == 0) {
    if (tsr_session_server_version(s)) lua_pushinteger(L, tsr_session_server_thread_id(s));
    else lua_pushnil(L);
  } else if (strcmp(key, "scramble_buffer") == 0) push_bytes_or_nil(L, tsr_session_server_scramble(s));
  else return FALSE;
  return TRUE;
}

static int socket_index(lua_State *L) {
  SocketRef *ref = luaL_checkudata(L, 1, TSR_LUA_SOCKET_MT);
  const char *key = luaL_checkstring(L, 2);
  TsrLuaSession *ls = open_session(L, ref->conn, ref->server ? "proxy.connection.server" : "proxy.connection.client");
  TsrSession *s = ls->session;

  if (strcmp(key, "default_db") == 0) {
    const char *db = ref->server ? tsr_session_server_default_db(s) : tsr_session_default_db(s);
    lua_pushstring(L, db ? db : "");
  } else if (strcmp(key, "src") == 0) push_endpoint(L, s, ref->server, FALSE);
  else if (strcmp(key, "dst") == 0) push_endpoint(L, s, ref->server, TRUE);
  else if (strcmp(key, "address") == 0) {
    /* 0.6's field: the peer's name (0.8 refused it; scripts of 0.6 use it). */
    push_endpoint(L, s, ref->server, ref->server);
    if (lua_istable(L, -1)) lua_getfield(L, -1, "name");
  } else if (!push_login_field(L, s, key)) lua_pushnil(L);
  return 1;
}

static int socket_newindex(lua_State *L) {
  SocketRef *ref = luaL_checkudata(L, 1, TSR_LUA_SOCKET_MT);
  return luaL_error(L, "proxy.connection.%s.%s is not writable", ref->server ? "server" : "client",
                    luaL_checkstring(L, 2));
}

/* Pushes the client (server FALSE) or server object of the proxy.connection
 * userdata at stack index 1. */
static void push_socket(lua_State *L, gboolean server) {
  SocketRef *ref = lua_newuserdata(L, sizeof *ref);
  ref->conn = lua_touserdata(L, 1);
  ref->server = server;
  luaL_getmetatable(L, TSR_LUA_SOCKET_MT);
  lua_setmetatable(L, -2);
  lua_createtable(L, 1, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  lua_setfenv(L, -2);
}

/* ---- proxy.connection ---- */

static int connection_index(lua_State *L) {
  TsrLuaHandle *h = luaL_checkudata(L, 1, TSR_LUA_CONNECTION_MT);
  const char *key = luaL_checkstring(L, 2);
  TsrLuaSession *ls = open_session(L, h, "proxy.connection");
  TsrSession *s = ls->session;
  TsrBackend *b = tsr_session_backend(s);

  if (strcmp(key, "client") == 0) push_socket(L, FALSE);
  else if (strcmp(key, "server") == 0) {
    if (b) push_socket(L, TRUE);
    else lua_pushnil(L);
  } else if (strcmp(key, "backend_ndx") == 0) {
    /* In connect_server, before the connect: the backend chosen so far. */
    if (b) lua_pushinteger(L, (lua_Integer)b->index + 1);
    else lua_pushinteger(L, ls->running == TSR_HOOK_CONNECT_SERVER ? tsr_session_chosen_backend(s) + 1 : 0);
  }
  else if (strcmp(key, "default_db") == 0 || strcmp(key, "thread_id") == 0 || strcmp(key, "mysqld_version") == 0)
    return luaL_error(L, "proxy.connection.%s is deprecated, use proxy.connection.client.%s or "
                      "proxy.connection.server.%s instead", key, key, key);
  else lua_pushnil(L);
  return 1;
}

/* backend_ndx = ndx: in connect_server, picks the backend to connect to;
 * later, 0 puts the backend connection into the pool and i moves the
 * client to a pooled connection of backend i. */
static int set_backend_ndx(lua_State *L, TsrLuaSession *ls) {
  lua_Integer ndx = luaL_checkinteger(L, 3);
  TsrSession *s = ls->session;
  guint count = tsr_backend_list_size(tsr_session_backends(s));
  GError *error = NULL;

  if (ndx < 0 || (guint64)ndx > count)
    return luaL_error(L, "proxy.connection.backend_ndx = %d: there is no such backend (1 to %d, see "
                      "proxy.global.backends)", (int)ndx, (int)count);
  if (ls->running == TSR_HOOK_CONNECT_SERVER) {
    /* 0: no choice, tessera picks as without a script. */
    if (ndx > 0) tsr_session_set_backend_index(s, (guint)(ndx - 1));
    return 0;
  }
  if (ndx == 0) {
    tsr_session_release_server(s);
    return 0;
  }
  if (tsr_session_switch_backend(s, (guint)(ndx - 1), &error)) return 0;
  lua_pushfstring(L, "proxy.connection.backend_ndx = %d: %s", (int)ndx, error->message);
  g_error_free(error);
  return lua_error(L);
}

static int connection_newindex(lua_State *L) {
  TsrLuaHandle *h = luaL_checkudata(L, 1, TSR_LUA_CONNECTION_MT);
  const char *key = luaL_checkstring(L, 2);
  TsrLuaSession *ls = open_session(L, h, "proxy.connection");

  if (strcmp(key, "backend_ndx") == 0) return set_backend_ndx(L, ls);
  if (strcmp(key, "connection_close") == 0) {
    luaL_checktype(L, 3, LUA_TBOOLEAN);
    if (lua_toboolean(L, 3)) tsr_session_close_after_command(ls->session);
    return 0;
  }
  return luaL_error(L, "proxy.connection.%s is not writable", key);
}

TsrLuaHandle *tsr_lua_connection_push(lua_State *L, TsrLuaSession *ls) {
  TsrLuaHandle *h = lua_newuserdata(L, sizeof *h);
  h->ls = ls;
  luaL_getmetatable(L, TSR_LUA_CONNECTION_MT);
  lua_setmetatable(L, -2);
  return h;
}

void tsr_lua_new_metatable(lua_State *L, const char *name, const luaL_Reg *fields) {
  luaL_newmetatable(L, name);
  for (; fields->name; fields++) {
    lua_pushcfunction(L, fields->func);
    lua_setfield(L, -2, fields->name);
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

void tsr_lua_connection_register(lua_State *L) {
  static const luaL_Reg connection_fields[] = {
    { "__index", connection_index }, { "__newindex", connection_newindex }, { NULL, NULL } };
  static const luaL_Reg socket_fields[] = {
    { "__index", socket_index }, { "__newindex", socket_newindex }, { NULL, NULL } };
  tsr_lua_new_metatable(L, TSR_LUA_CONNECTION_MT, connection_fields);
  tsr_lua_new_metatable(L, TSR_LUA_SOCKET_MT, socket_fields);
}
