/* listen.c: listening sockets. */
#include <errno.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "core-error.h"

/* Returns FALSE (errno set) when another socket holds addr: a bind without
 * SO_REUSEPORT fails then, even against SO_REUSEPORT listeners. */
static gboolean address_is_free(const struct sockaddr_storage *addr, socklen_t addr_len) {
  int one = 1, saved;
  int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;
  if (fd < 0) return FALSE;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ok = bind(fd, (const struct sockaddr *)addr, addr_len) == 0;
  saved = errno;
  close(fd);
  errno = saved;
  return ok;
}

int tsr_listen_open(const char *option, const char *address, const struct sockaddr_storage *addr,
                    socklen_t addr_len, TsrListenMode mode, int backlog, GError **error) {
  int one = 1;
  gboolean reuse_port = mode != TSR_LISTEN_ALONE;
  int fd = -1;
  if (mode == TSR_LISTEN_SHARED_FIRST && addr->ss_family != AF_UNIX && !address_is_free(addr, addr_len)) goto fail;
  fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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
