/* lua-session.h: MySQL Proxy 0.8 scripts driving sessions. A TsrLuaWorker
 * is one worker thread's scripting: a VM (lua-vm.h) and the session hooks
 * (core/session-hooks.h) that run the script's hooks in each client
 * connection's own environment (lua-env.h):
 *
 *   owner->hooks = tsr_lua_session_hooks();
 *   owner->hooks_data = tsr_lua_worker_new(&settings, backends, owner, &error);
 *
 * What a script sees, with 0.8's names (docs/lua-api.md):
 *   - hooks connect_server(), read_handshake(), read_auth(),
 *     read_auth_result({ packet = ... }), read_query(packet),
 *     read_query_result(inj), disconnect_client(), and what their return
 *     values (proxy.PROXY_SEND_QUERY, _SEND_RESULT, _IGNORE_RESULT) do;
 *   - proxy.queries (lua-queries.c), proxy.response (lua-response.c),
 *     proxy.connection (lua-connection.c), inj (lua-resultset.c).
 *
 * A worker and everything made from it belong to the worker's thread. */
#ifndef TESSERA_LUA_SESSION_H
#define TESSERA_LUA_SESSION_H

#include <glib.h>
#include "core/session.h"
#include "lua/lua-vm.h"

typedef struct TsrLuaWorker TsrLuaWorker;

/* Creates one worker's scripting: a VM made with *settings (copied), whose
 * proxy.global.backends shows `backends` (borrowed: it must outlive the
 * worker; NULL: no backends; settings->backends is ignored) and the pool of
 * `owner` (the worker's sessions, borrowed; NULL: pools show nothing).
 * Returns NULL with *error set (TSR_LUA_ERROR, the script's message) when
 * the VM cannot be made or the script does not load. */
TsrLuaWorker *tsr_lua_worker_new(const TsrLuaSettings *settings, const TsrBackendList *backends,
                                 TsrSessionOwner *owner, GError **error);

/* Frees the worker and its VM. Sessions still using it must be gone (or
 * never touch it again). NULL is allowed. */
void tsr_lua_worker_free(TsrLuaWorker *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrLuaWorker, tsr_lua_worker_free)

/* Returns the worker's VM (owned by the worker). */
TsrLuaVm *tsr_lua_worker_vm(TsrLuaWorker *w);

/* Returns the session hooks that run scripts (static storage); their
 * hooks_data must be a TsrLuaWorker. */
const TsrSessionHooks *tsr_lua_session_hooks(void);

#endif
