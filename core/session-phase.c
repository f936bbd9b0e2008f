/* session-phase.c: the script hooks of the login phases: connect_server,
 * read_handshake, read_auth and read_auth_result. Each may let the login go
 * on, or answer the client itself (proxy.response), which ends the
 * session once the answer is written. */
#define G_LOG_DOMAIN "core"
#include "session-private.h"
#include "core-error.h"

static const char *const phase_names[TSR_HOOK_MAX] = {
  [TSR_HOOK_CONNECT_SERVER] = "connect_server",
  [TSR_HOOK_READ_HANDSHAKE] = "read_handshake",
  [TSR_HOOK_READ_AUTH] = "read_auth",
  [TSR_HOOK_READ_AUTH_RESULT] = "read_auth_result",
  [TSR_HOOK_READ_QUERY] = "read_query",
  [TSR_HOOK_READ_QUERY_RESULT] = "read_query_result",
  [TSR_HOOK_DISCONNECT_CLIENT] = "disconnect_client",
  [TSR_HOOK_READ_ROUTE] = "read_route",
};

gboolean tsr_session_run_phase(TsrSession *s, TsrHookId id, const guint8 *packet, gsize len, guint8 seq) {
  const TsrSessionHooks *h = s->owner->hooks;
  g_autoptr(GError) error = NULL;
  TsrHookAction action;

  if (!tsr_session_has_hook(s, id)) return TRUE;
  tsr_session_response_reset(s, seq);
  action = h->phase(s->owner->hooks_data, s, s->hook_state, id, packet, len, &error);
  switch (action) {
  case TSR_HOOK_SEND_RESULT:
    if (s->response && s->response->len) {
      tsr_session_send_response(s);
      tsr_session_set_state(s, TSR_SESSION_CLOSING);
      return FALSE;
    }
    g_set_error(&error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "%s returned proxy.PROXY_SEND_RESULT without a "
                "proxy.response", phase_names[id]);
    /* fall through */
  case TSR_HOOK_ERROR:
    tsr_session_fail(s, (guint8)(seq + 1), TSR_ER_SCRIPT_ERROR, "HY000", "tessera: the proxy script failed in %s: %s",
                     phase_names[id], error ? error->message : "unknown error");
    return FALSE;
  case TSR_HOOK_DEFAULT:
  case TSR_HOOK_SEND_QUERY:
  case TSR_HOOK_IGNORE_RESULT:
  default:
    return TRUE;
  }
}
