/* session.h: one client connection and the backend connections it uses,
 * driven through the phases connect -> auth -> command* -> disconnect.
 *
 * Sessions live on one worker thread for their whole life: every function
 * here must be called on the thread that runs the owner's event base. */
#ifndef TESSERA_CORE_SESSION_H
#define TESSERA_CORE_SESSION_H

#include <glib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <event2/event.h>

#include "backend.h"

/* Settings every session of a proxy shares; read-only once sessions run. */
typedef struct {
  struct timeval connect_timeout;   /* per backend connect attempt */
  struct timeval read_timeout;      /* a client may stay silent this long */
  struct timeval write_timeout;     /* a peer may refuse our bytes this long */
  TsrBackendList *backends;         /* borrowed */
} TsrProxyConfig;

/* The sessions of one worker. Created by the plugin, one per worker. */
typedef struct {
  struct event_base *base;          /* the worker's base (borrowed) */
  const TsrProxyConfig *config;     /* borrowed */
  GQueue sessions;                  /* of TsrSession*, not owned by the queue */
  gint open;                        /* atomic: sessions open on this worker */
  gint busy;                        /* atomic: sessions running a command */
  gboolean draining;                /* no new work: close sessions when idle */
} TsrSessionOwner;

typedef struct TsrSession TsrSession;

/* Starts a session for the accepted client socket fd (ownership passes to
 * the session, which closes it) on owner's worker. The session frees itself
 * when the client goes away. Returns FALSE when it could not be started (fd
 * is closed then). */
gboolean tsr_session_start(TsrSessionOwner *owner, int fd, const struct sockaddr *peer, socklen_t peer_len);

/* Closes every idle session of owner now and makes busy ones close when
 * their command ends. Call on owner's worker thread. */
void tsr_session_owner_drain(TsrSessionOwner *owner);

#endif
