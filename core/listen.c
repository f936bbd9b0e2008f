/* listen.c: listening sockets. */
#include <errno.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "core-error.h"

int tsr_listen_open(const char *option, const char *address, const struct sockaddr_storage *addr,
                    socklen_t addr_len, gboolean reuse_port, int backlog, GError **error) {
  int one = 1;
  int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) goto fail;
  if (addr->ss_family == AF_UNIX) {
    unlink(((const struct sockaddr_un *)addr)->sun_path);
  } else {
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) goto fail;
  }
  if (bind(fd, (const struct sockaddr *)addr, addr_len) < 0 || listen(fd, backlog) < 0) goto fail;
  return fd;
fail:
  g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_SOCKET, "%s=%s: cannot listen: %s", option, address,
              g_strerror(errno));
  if (fd >= 0) close(fd);
  return -1;
}
