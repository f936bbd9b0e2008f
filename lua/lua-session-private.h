/* lua-session-private.h: what the files behind lua-session.h share
 * (lua-session.c, lua-connection.c, lua-queries.c, lua-resultset.c,
 * lua-response.c, lua-session-backends.c); not for use outside lua/. */
#ifndef TESSERA_LUA_SESSION_PRIVATE_H
#define TESSERA_LUA_SESSION_PRIVATE_H

#include <netinet/in.h>
#include "lua-private.h"
#include "lua-session.h"
#include "protocol/mysql-resultset.h"
#include "protocol/mysql-packets.h"

/* Metatables (registry names) of the userdata scripts get. */
#define TSR_LUA_CONNECTION_MT "tessera.connection"
#define TSR_LUA_SOCKET_MT "tessera.connection.socket"
#define TSR_LUA_QUERIES_MT "tessera.queries"
#define TSR_LUA_INJECTION_MT "tessera.injection"
#define TSR_LUA_RESULTSET_MT "tessera.resultset"
#define TSR_LUA_FIELDS_MT "tessera.resultset.fields"
#define TSR_LUA_ROWS_MT "tessera.resultset.rows"

typedef struct TsrLuaSession TsrLuaSession;

/* What the userdata of proxy.connection and proxy.queries hold: the
 * connection's scripting state, NULL once the connection is closed. */
typedef struct {
  TsrLuaSession *ls;
} TsrLuaHandle;

/* The response read_query_result is looking at, split and decoded only as
 * far as the script asks (see lua-resultset.c). */
typedef struct {
  TsrInjection *inj;            /* NULL outside read_query_result */
  TsrSession *session;
  guint64 serial;               /* one more per call: older handles are stale */
  gboolean split;               /* packets is filled */
  GArray *packets;              /* of TsrSlice: the response's packets, in order */
  GPtrArray *joined;            /* GByteArray payloads of packets that spanned frames */
  gboolean decoded;             /* the columns below are filled */
  gboolean has_columns;         /* the response starts with a result set */
  gboolean binary;              /* its rows are binary (COM_STMT_EXECUTE) */
  TsrColumnDef *columns;        /* n_columns column definitions, or NULL */
  guint n_columns;
  guint first_row;              /* index in packets of the first row */
  TsrSlice *text_values;        /* n_columns values of the row being read */
  TsrValue *binary_values;
  TsrValueType *types;
} TsrLuaInjView;

struct TsrLuaWorker {
  TsrLuaVm *vm;
  const TsrBackendList *backends;     /* borrowed */
  TsrSessionOwner *owner;             /* the worker's sessions and pool, or NULL */
  char address[256];                  /* proxy.global.backends' dst.address, per call */
  TsrLuaInjView view;
};

struct TsrLuaSession {
  TsrLuaWorker *worker;
  TsrSession *session;
  TsrLuaEnv *env;
  TsrLuaHandle *connection;     /* proxy.connection's userdata, kept by connection_ref */
  int connection_ref;
  TsrLuaHandle *queries;        /* proxy.queries' userdata, kept by queries_ref */
  int queries_ref;
  TsrHookId running;            /* the hook being called; TSR_HOOK_MAX between calls */
};

/* lua-connection.c: registers the metatables of proxy.connection and its
 * client / server objects in L's registry. Raises a Lua error on failure. */
void tsr_lua_connection_register(lua_State *L);
/* Pushes a new proxy.connection userdata for ls and returns its handle. */
TsrLuaHandle *tsr_lua_connection_push(lua_State *L, TsrLuaSession *ls);

/* lua-connection.c: creates metatable `name` in the registry with the
 * metamethods `fields` (a NULL-terminated list) and a hidden metatable
 * (getmetatable() gives false: the metatable is shared by the worker's
 * connections). Raises a Lua error on failure. */
void tsr_lua_new_metatable(lua_State *L, const char *name, const luaL_Reg *fields);

/* lua-connection.c: writes the address of sa (without the port; the path
 * of a unix socket) to buf and returns its port (0 for a unix socket). */
guint16 tsr_lua_sockaddr_host(const struct sockaddr *sa, socklen_t len, char *buf, gsize buf_len);

/* lua-queries.c: the same for proxy.queries. */
void tsr_lua_queries_register(lua_State *L);
TsrLuaHandle *tsr_lua_queries_push(lua_State *L, TsrLuaSession *ls);

/* lua-resultset.c: registers the metatables of inj and its resultset. */
void tsr_lua_injection_register(lua_State *L);
/* Points w's view at inj (the response to one queued query of session s)
 * for one read_query_result call; tsr_lua_inj_view_end ends it: the inj
 * userdata of that call raise an error from then on. */
void tsr_lua_inj_view_begin(TsrLuaWorker *w, TsrSession *s, TsrInjection *inj);
void tsr_lua_inj_view_end(TsrLuaWorker *w);
/* Pushes the inj userdata of the current view. */
void tsr_lua_injection_push(lua_State *L, TsrLuaWorker *w);

/* lua-response.c: encodes the connection's proxy.response (type OK with or
 * without a resultset, ERR, RAW) as the packets of the client's answer
 * (tsr_session_respond). Runs in protected mode. Returns FALSE with *error
 * set, and nothing given to the session, when proxy.response cannot be
 * encoded. */
gboolean tsr_lua_response_send(TsrLuaSession *ls, GError **error);

/* lua-session-backends.c: fills *p with the provider of
 * proxy.global.backends over w->backends. */
void tsr_lua_backend_provider_init(TsrLuaBackendProvider *p, TsrLuaWorker *w);

#endif
