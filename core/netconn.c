/* netconn.c: non-blocking sockets on libevent with evbuffers. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netconn.h"

/* Bytes asked for per read: small first, more while reads fill it. */
#define READ_CHUNK_MIN (16u * 1024u)
#define READ_CHUNK_MAX (256u * 1024u)

static void on_read_event(evutil_socket_t fd, short what, void *arg);
static void on_write_event(evutil_socket_t fd, short what, void *arg);

void tsr_sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, gsize buf_len) {
  char host[INET6_ADDRSTRLEN] = "?";
  switch (sa->sa_family) {
  case AF_INET: {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    g_snprintf(buf, buf_len, "%s:%u", host, ntohs(in->sin_port));
    return;
  }
  case AF_INET6: {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    g_snprintf(buf, buf_len, "[%s]:%u", host, ntohs(in6->sin6_port));
    return;
  }
  case AF_UNIX: {
    const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
    g_snprintf(buf, buf_len, "%s", len > offsetof(struct sockaddr_un, sun_path) && un->sun_path[0] ? un->sun_path : "unix");
    return;
  }
  default:
    g_snprintf(buf, buf_len, "unknown");
  }
}

static void set_socket_options(int fd) {
  int one = 1;
  evutil_make_socket_nonblocking(fd);
  evutil_make_socket_closeonexec(fd);
  /* Fails harmlessly on unix sockets. */
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

gboolean tsr_conn_init(TsrConn *c, struct event_base *base, int fd, TsrConnFunc func, gpointer owner) {
  memset(c, 0, sizeof *c);
  c->fd = fd;
  c->func = func;
  c->owner = owner;
  c->in = evbuffer_new();
  c->out = evbuffer_new();
  if (!c->in || !c->out) {
    tsr_conn_close(c);
    return FALSE;
  }
  set_socket_options(fd);
  event_assign(&c->ev_read, base, fd, EV_READ | EV_PERSIST, on_read_event, c);
  event_assign(&c->ev_write, base, fd, EV_WRITE | EV_PERSIST, on_write_event, c);
  return TRUE;
}

void tsr_conn_close(TsrConn *c) {
  if (c->fd >= 0 && (c->in || c->out)) {
    event_del(&c->ev_read);
    event_del(&c->ev_write);
  }
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  g_clear_pointer(&c->in, evbuffer_free);
  g_clear_pointer(&c->out, evbuffer_free);
  c->reading = c->writing = c->connecting = 0;
}

gboolean tsr_conn_connect(TsrConn *c, struct event_base *base, const struct sockaddr *addr, socklen_t addr_len,
                          const struct timeval *timeout, TsrConnFunc func, gpointer owner) {
  int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return FALSE;
  if (!tsr_conn_init(c, base, fd, func, owner)) {
    errno = ENOMEM;
    return FALSE;
  }
  tsr_sockaddr_format(addr, addr_len, c->name, sizeof c->name);
  if (connect(fd, addr, addr_len) == 0) {
    /* Loopback and unix sockets may connect at once; report it from the loop. */
    c->connecting = 1;
    event_active(&c->ev_write, EV_WRITE, 0);
    c->writing = 1;
    event_add(&c->ev_write, timeout);
    return TRUE;
  }
  if (errno != EINPROGRESS && errno != EAGAIN) {
    int saved = errno;
    tsr_conn_close(c);
    errno = saved;
    return FALSE;
  }
  c->connecting = 1;
  c->writing = 1;
  event_add(&c->ev_write, timeout);
  return TRUE;
}

void tsr_conn_set_reading(TsrConn *c, gboolean on) {
  if (c->fd < 0 || (gboolean)c->reading == on) return;
  c->reading = on ? 1 : 0;
  if (on)
    event_add(&c->ev_read, c->read_timeout);
  else
    event_del(&c->ev_read);
}

/* Reads what the socket has into c->in. Returns bytes read, 0 at EOF, -1 on
 * error (errno), -2 when nothing was there. */
static gssize read_some(TsrConn *c) {
  gssize total = 0;
  gsize want = c->read_hint ? c->read_hint : READ_CHUNK_MIN;
  for (;;) {
    struct evbuffer_iovec vec[2];
    struct iovec iov[2];
    int n = evbuffer_reserve_space(c->in, (ev_ssize_t)want, vec, 2);
    gssize got;
    if (n <= 0) {
      errno = ENOMEM;
      return -1;
    }
    for (int i = 0; i < n; i++) {
      iov[i].iov_base = vec[i].iov_base;
      iov[i].iov_len = vec[i].iov_len;
    }
    got = readv(c->fd, iov, n);
    if (got <= 0) {
      evbuffer_commit_space(c->in, vec, 0);
      if (got == 0) return total ? total : 0;
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return total ? total : -2;
      return total ? total : -1;
    }
    if ((gsize)got <= vec[0].iov_len) {
      vec[0].iov_len = (gsize)got;
      n = 1;
    } else {
      vec[1].iov_len = (gsize)got - vec[0].iov_len;
    }
    evbuffer_commit_space(c->in, vec, n);
    total += got;
    if ((gsize)got < want) {
      /* Next time, ask for about what this stream delivers at once. */
      c->read_hint = (guint32)MAX((gsize)READ_CHUNK_MIN, MIN(want, (gsize)got * 2));
      return total;
    }
    /* The read filled what was asked: the socket may hold more. */
    if (want < READ_CHUNK_MAX) want *= 2;
    c->read_hint = (guint32)want;
    if ((gsize)total >= READ_CHUNK_MAX) return total;
  }
}

static void on_read_event(evutil_socket_t fd, short what, void *arg) {
  TsrConn *c = arg;
  gssize n;
  if (what & EV_TIMEOUT) {
    c->func(c, TSR_IO_TIMEOUT, c->owner);
    return;
  }
  n = read_some(c);
  if (n == -2) return;
  if (n < 0) {
    c->error = errno;
    c->func(c, TSR_IO_ERROR, c->owner);
    return;
  }
  if (n == 0) {
    c->read_eof = 1;
    tsr_conn_set_reading(c, FALSE);
    c->func(c, TSR_IO_EOF, c->owner);
    return;
  }
  c->func(c, TSR_IO_READ, c->owner);
}

static void finish_connect(TsrConn *c, short what) {
  int err = 0;
  socklen_t len = sizeof err;
  c->connecting = 0;
  c->writing = 0;
  event_del(&c->ev_write);
  if (what & EV_TIMEOUT) {
    c->error = ETIMEDOUT;
    c->func(c, TSR_IO_TIMEOUT, c->owner);
    return;
  }
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err) {
    c->error = err;
    c->func(c, TSR_IO_ERROR, c->owner);
    return;
  }
  c->func(c, TSR_IO_CONNECTED, c->owner);
}

static void on_write_event(evutil_socket_t fd, short what, void *arg) {
  TsrConn *c = arg;
  if (c->connecting) {
    finish_connect(c, what);
    return;
  }
  if (what & EV_TIMEOUT) {
    c->error = ETIMEDOUT;
    c->func(c, TSR_IO_TIMEOUT, c->owner);
    return;
  }
  if (!tsr_conn_flush(c)) {
    c->func(c, TSR_IO_ERROR, c->owner);
    return;
  }
  if (evbuffer_get_length(c->out) < TSR_CONN_LOW_WATER) c->func(c, TSR_IO_DRAINED, c->owner);
}

gboolean tsr_conn_flush(TsrConn *c) {
  while (evbuffer_get_length(c->out) > 0) {
    int n = evbuffer_write(c->out, c->fd);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN)) break;
    c->error = n < 0 ? errno : EPIPE;
    return FALSE;
  }
  if (evbuffer_get_length(c->out) > 0) {
    if (!c->writing) {
      c->writing = 1;
      event_add(&c->ev_write, c->write_timeout);
    }
  } else if (c->writing) {
    c->writing = 0;
    event_del(&c->ev_write);
  }
  return TRUE;
}
