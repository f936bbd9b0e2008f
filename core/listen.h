/* listen.h: opening a listening socket for an address option. */
#ifndef TESSERA_CORE_LISTEN_H
#define TESSERA_CORE_LISTEN_H

#include <glib.h>
#include <sys/socket.h>

/* Creates a non-blocking socket listening on addr (a stale unix socket file
 * is removed first; TCP sockets get SO_REUSEADDR, and SO_REUSEPORT when
 * reuse_port is TRUE so that each worker can have its own). Returns the fd,
 * or -1 with *error (TSR_CORE_ERROR_SOCKET) naming `option` and `address`,
 * as in "--proxy-address=:4040: cannot listen: Address in use". */
int tsr_listen_open(const char *option, const char *address, const struct sockaddr_storage *addr,
                    socklen_t addr_len, gboolean reuse_port, int backlog, GError **error);

#endif
