/* proxy-listener.h: the proxy's listening sockets, one per worker (TCP with
 * SO_REUSEPORT so that the kernel spreads clients over the workers), or one
 * shared by all workers for a unix socket path. Accepted clients become
 * sessions on the worker that accepted them. */
#ifndef TESSERA_PROXY_LISTENER_H
#define TESSERA_PROXY_LISTENER_H

#include <glib.h>
#include <sys/socket.h>
#include "core/session.h"

typedef struct TsrListener TsrListener;

/* Opens a listener for `address` ("host:port", ":port", "/path.sock") whose
 * clients become sessions of `owner`. `shared_fd` >= 0 reuses an already
 * listening unix socket. `first`: the process's first listener for the
 * address, which refuses an address another process listens on. Returns NULL with *error set when the address
 * cannot be bound. The listener starts accepting at once. */
TsrListener *tsr_listener_open(const char *address, TsrSessionOwner *owner, int shared_fd, gboolean first,
                               GError **error);

/* Returns the listening socket (to share a unix socket between workers). */
int tsr_listener_fd(const TsrListener *l);

/* Stops accepting and frees the listener; closes the socket unless it was
 * shared (`close_fd` FALSE). Call on the owner's worker thread. */
void tsr_listener_close(TsrListener *l, gboolean close_fd);

#endif
