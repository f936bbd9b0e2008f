/* netconn.h: one non-blocking socket with its libevent events and its input
 * and output buffers. Reading is level-triggered; writing is attempted at
 * once and an EV_WRITE event is armed only while data is left over.
 *
 * A TsrConn is embedded in its owner (a session); the owner gets every event
 * through one callback. Buffers are evbuffers so that bytes move between
 * connections by passing chains, not by copying. */
#ifndef TESSERA_CORE_NETCONN_H
#define TESSERA_CORE_NETCONN_H

#include <glib.h>
#include <sys/socket.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/buffer.h>

/* Output above this many bytes pauses reading from the peer that fills it. */
#define TSR_CONN_HIGH_WATER (1024u * 1024u)
/* Reading from the peer resumes when the output drains below this. */
#define TSR_CONN_LOW_WATER (256u * 1024u)

typedef enum {
  TSR_IO_READ = 1,     /* bytes were read into c->in */
  TSR_IO_DRAINED,      /* the output buffer fell below TSR_CONN_LOW_WATER */
  TSR_IO_CONNECTED,    /* a non-blocking connect finished successfully */
  TSR_IO_EOF,          /* the peer closed its side */
  TSR_IO_ERROR,        /* a socket error; c->error holds errno */
  TSR_IO_TIMEOUT,      /* no progress within the timeout */
} TsrIoEvent;

typedef struct TsrConn TsrConn;
typedef void (*TsrConnFunc)(TsrConn *c, TsrIoEvent what, gpointer owner);

struct TsrConn {
  int fd;                       /* -1 when closed */
  struct event ev_read;
  struct event ev_write;
  struct evbuffer *in;          /* bytes read, not yet consumed */
  struct evbuffer *out;         /* bytes waiting to be written */
  TsrConnFunc func;
  gpointer owner;
  const struct timeval *read_timeout;   /* NULL: none */
  const struct timeval *write_timeout;  /* NULL: none */
  int error;                    /* errno of the last TSR_IO_ERROR */
  guint32 read_hint;            /* bytes to ask for at the next read (0: the minimum) */
  guint8 reading : 1;           /* the read event is armed */
  guint8 writing : 1;           /* the write event is armed */
  guint8 connecting : 1;        /* a non-blocking connect is in progress */
  guint8 read_eof : 1;          /* the peer closed its side */
  char name[64];                /* "address:port" of the peer, for logs */
};

/* Initialises c around the connected or connecting socket fd (which c now
 * owns) on `base`. Events go to func(c, what, owner). Returns FALSE when the
 * buffers cannot be allocated (fd is then closed). */
gboolean tsr_conn_init(TsrConn *c, struct event_base *base, int fd, TsrConnFunc func, gpointer owner);

/* Closes the socket and frees the buffers and events. Safe to call twice. */
void tsr_conn_close(TsrConn *c);

/* Starts a non-blocking connect of a new socket to addr; the result arrives
 * as TSR_IO_CONNECTED or TSR_IO_ERROR / TSR_IO_TIMEOUT (after `timeout`).
 * Returns FALSE with errno set when the connect fails at once (c is then
 * closed). */
gboolean tsr_conn_connect(TsrConn *c, struct event_base *base, const struct sockaddr *addr, socklen_t addr_len,
                          const struct timeval *timeout, TsrConnFunc func, gpointer owner);

/* Arms (on = TRUE) or disarms reading. */
void tsr_conn_set_reading(TsrConn *c, gboolean on);

/* Writes as much of c->out as the socket takes now and arms the write event
 * for the rest. Returns FALSE on a write error (c->error is set). */
gboolean tsr_conn_flush(TsrConn *c);

/* Returns the number of bytes waiting in c->out. */
static inline gsize tsr_conn_pending(const TsrConn *c) { return evbuffer_get_length(c->out); }

/* Returns TRUE when c->out holds more than the high-water mark. */
static inline gboolean tsr_conn_is_full(const TsrConn *c) { return evbuffer_get_length(c->out) > TSR_CONN_HIGH_WATER; }

/* Formats the peer address of fd into buf (e.g. "127.0.0.1:4040"). */
void tsr_sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, gsize buf_len);

#endif
