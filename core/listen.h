/* listen.h: opening a listening socket for an address option. */
#ifndef TESSERA_CORE_LISTEN_H
#define TESSERA_CORE_LISTEN_H

#include <glib.h>
#include <sys/socket.h>

typedef enum {
  TSR_LISTEN_ALONE,          /* one socket for the address */
  TSR_LISTEN_SHARED_FIRST,   /* the first of several SO_REUSEPORT sockets: the
                                address must not be in use by anyone else */
  TSR_LISTEN_SHARED_MORE,    /* another SO_REUSEPORT socket of this process */
} TsrListenMode;

/* Creates a non-blocking socket listening on addr (a stale unix socket file
 * is removed first; TCP sockets get SO_REUSEADDR, and SO_REUSEPORT in the
 * shared modes so that each worker can have its own; TSR_LISTEN_SHARED_FIRST
 * first checks that no other process listens there). Returns the fd,
 * or -1 with *error (TSR_CORE_ERROR_SOCKET) naming `option` and `address`,
 * as in "--proxy-address=:4040: cannot listen: Address in use". */
int tsr_listen_open(const char *option, const char *address, const struct sockaddr_storage *addr,
                    socklen_t addr_len, TsrListenMode mode, int backlog, GError **error);

#endif
