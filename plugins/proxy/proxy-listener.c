/* proxy-listener.c: listening sockets and accept. */
#define G_LOG_DOMAIN "proxy"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>
#include <event2/event.h>

#include "proxy-listener.h"
#include "core/listen.h"

#define TSR_LISTEN_BACKLOG 4096
#define TSR_ACCEPT_BATCH 64
/* How long accepting pauses when tessera is out of file descriptors (the
 * listening socket stays readable: accepting at once again would spin). */
#define TSR_ACCEPT_PAUSE_USEC 100000

struct TsrListener {
  int fd;
  struct event *ev;
  struct event *resume_ev;    /* ends an accept pause */
  TsrSessionOwner *owner;
  gint64 last_full_warning;   /* monotonic µs of the last EMFILE warning */
};

static void on_resume(evutil_socket_t fd, short what, void *arg) {
  TsrListener *l = arg;
  event_add(l->ev, NULL);
}

/* Out of descriptors: stop accepting for a moment, say so now and then. */
static void pause_accepting(TsrListener *l) {
  const struct timeval pause = {0, TSR_ACCEPT_PAUSE_USEC};
  gint64 now = g_get_monotonic_time();
  if (now - l->last_full_warning > 10 * G_USEC_PER_SEC) {
    g_warning("cannot accept clients: %s (raise --max-open-files)", g_strerror(errno));
    l->last_full_warning = now;
  }
  event_del(l->ev);
  evtimer_add(l->resume_ev, &pause);
}

static void on_accept(evutil_socket_t fd, short what, void *arg) {
  TsrListener *l = arg;
  for (int i = 0; i < TSR_ACCEPT_BATCH; i++) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int client = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) pause_accepting(l);
      return;
    }
    if (l->owner->draining) {
      close(client);
      continue;
    }
    tsr_session_start(l->owner, client, (struct sockaddr *)&peer, len);
  }
}

TsrListener *tsr_listener_open(const char *address, TsrSessionOwner *owner, int shared_fd, gboolean first,
                               GError **error) {
  struct sockaddr_storage addr;
  socklen_t addr_len;
  TsrListener *l;
  int fd = shared_fd;

  if (fd < 0) {
    if (!tsr_address_parse(address, 4040, &addr, &addr_len, error)) return NULL;
    fd = tsr_listen_open("--proxy-address", address, &addr, addr_len,
                         first ? TSR_LISTEN_SHARED_FIRST : TSR_LISTEN_SHARED_MORE, TSR_LISTEN_BACKLOG, error);
    if (fd < 0) return NULL;
  }
  l = g_new0(TsrListener, 1);
  l->fd = fd;
  l->owner = owner;
  l->ev = event_new(owner->base, fd, EV_READ | EV_PERSIST, on_accept, l);
  l->resume_ev = evtimer_new(owner->base, on_resume, l);
  event_add(l->ev, NULL);
  return l;
}

int tsr_listener_fd(const TsrListener *l) {
  return l->fd;
}

void tsr_listener_close(TsrListener *l, gboolean close_fd) {
  if (!l) return;
  event_free(l->ev);
  event_free(l->resume_ev);
  if (close_fd) close(l->fd);
  g_free(l);
}
