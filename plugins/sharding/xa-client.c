/* xa-client.c: the blocking MySQL client of xa-client.h. The socket is
 * non-blocking underneath so that every wait goes through poll() with the
 * client's timeout; the codec is protocol/'s. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xa-client.h"
#include "core/backend.h"
#include "protocol/mysql-auth.h"
#include "protocol/mysql-command.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-handshake.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"

/* Largest response packet the client takes. */
#define MAX_PACKET (16u * 1024u * 1024u)
#define CLIENT_CAPS                                                                                                  \
  (TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_LONG_FLAG | TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_TRANSACTIONS |                \
   TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_PLUGIN_AUTH)

struct TsrXaClient {
  char *address;
  int fd;
  guint timeout_ms;
  guint32 caps;          /* capabilities both sides agreed on */
  GByteArray *in;        /* bytes read and not yet decoded */
  guint16 server_errno;
  char *server_version;
};

G_DEFINE_QUARK(tsr-xa-client-error-quark, tsr_xa_client_error)

static gboolean fail(TsrXaClient *c, GError **error, TsrXaClientErrorCode code, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

/* Sets *error to "tessera: backend ADDRESS: <message>". Returns FALSE. */
static gboolean fail(TsrXaClient *c, GError **error, TsrXaClientErrorCode code, const char *format, ...) {
  g_autofree char *message = NULL;
  va_list args;
  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, TSR_XA_CLIENT_ERROR, code, "tessera: backend %s: %s", c->address, message);
  return FALSE;
}

/* ---- socket ---- */

/* Waits until fd is ready for `events` or the deadline (monotonic µs)
 * passes. */
static gboolean wait_fd(TsrXaClient *c, short events, gint64 deadline, const char *what, GError **error) {
  for (;;) {
    struct pollfd p = {.fd = c->fd, .events = events};
    gint64 left = deadline - g_get_monotonic_time();
    int n;
    if (left <= 0)
      return fail(c, error, TSR_XA_CLIENT_ERROR_TIMEOUT, "no answer within %u ms while %s", c->timeout_ms, what);
    n = poll(&p, 1, (int)MIN((left + 999) / 1000, G_MAXINT));
    if (n > 0) return TRUE;
    if (n < 0 && errno != EINTR)
      return fail(c, error, TSR_XA_CLIENT_ERROR_IO, "poll failed while %s: %s", what, g_strerror(errno));
  }
}

static gint64 deadline_of(const TsrXaClient *c) {
  return g_get_monotonic_time() + (gint64)c->timeout_ms * 1000;
}

static gboolean open_socket(TsrXaClient *c, GError **error) {
  struct sockaddr_storage addr;
  socklen_t addr_len;
  GError *parse_error = NULL;
  int err = 0, one = 1;
  socklen_t err_len = sizeof err;

  if (!tsr_address_parse(c->address, 3306, &addr, &addr_len, &parse_error)) {
    g_set_error(error, TSR_XA_CLIENT_ERROR, TSR_XA_CLIENT_ERROR_ADDRESS, "tessera: %s", parse_error->message);
    g_error_free(parse_error);
    return FALSE;
  }
  c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) return fail(c, error, TSR_XA_CLIENT_ERROR_CONNECT, "cannot create a socket: %s", g_strerror(errno));
  if (addr.ss_family != AF_UNIX) setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(c->fd, (struct sockaddr *)&addr, addr_len) == 0) return TRUE;
  if (errno != EINPROGRESS)
    return fail(c, error, TSR_XA_CLIENT_ERROR_CONNECT, "cannot connect: %s", g_strerror(errno));
  if (!wait_fd(c, POLLOUT, deadline_of(c), "connecting", error)) return FALSE;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) err = errno;
  if (err != 0) return fail(c, error, TSR_XA_CLIENT_ERROR_CONNECT, "cannot connect: %s", g_strerror(err));
  return TRUE;
}

static gboolean write_all(TsrXaClient *c, const guint8 *data, gsize len, GError **error) {
  gint64 deadline = deadline_of(c);
  while (len > 0) {
    ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      len -= (gsize)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      if (!wait_fd(c, POLLOUT, deadline, "writing", error)) return FALSE;
    } else {
      return fail(c, error, TSR_XA_CLIENT_ERROR_IO, "cannot write: %s", g_strerror(errno));
    }
  }
  return TRUE;
}

/* Reads what the socket has into c->in, waiting until the deadline. */
static gboolean read_some(TsrXaClient *c, gint64 deadline, GError **error) {
  guint8 buf[16384];
  for (;;) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      g_byte_array_append(c->in, buf, (guint)n);
      return TRUE;
    }
    if (n == 0) return fail(c, error, TSR_XA_CLIENT_ERROR_IO, "the server closed the connection");
    if (errno == EINTR) continue;
    if (errno != EAGAIN)
      return fail(c, error, TSR_XA_CLIENT_ERROR_IO, "cannot read: %s", g_strerror(errno));
    if (!wait_fd(c, POLLIN, deadline, "reading", error)) return FALSE;
  }
}

/* ---- packets ---- */

/* Reads one packet into payload (replaced); *seq is the sequence id of its
 * last frame. Empty packets are a protocol error. */
static gboolean read_packet(TsrXaClient *c, GByteArray *payload, guint8 *seq, GError **error) {
  gint64 deadline = deadline_of(c);
  g_byte_array_set_size(payload, 0);
  for (;;) {
    GError *decode_error = NULL;
    gsize consumed;
    TsrDecodeStatus st = tsr_packet_decode(c->in->data, c->in->len, MAX_PACKET, payload, &consumed, seq, &decode_error);
    if (st == TSR_DECODE_OK) {
      g_byte_array_remove_range(c->in, 0, (guint)consumed);
      if (payload->len == 0) return fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "the server sent an empty packet");
      return TRUE;
    }
    if (st == TSR_DECODE_ERROR) {
      fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "%s", decode_error->message);
      g_error_free(decode_error);
      return FALSE;
    }
    if (!read_some(c, deadline, error)) return FALSE;
  }
}

static gboolean send_packet(TsrXaClient *c, guint8 seq, const GByteArray *payload, GError **error) {
  g_autoptr(GByteArray) packet = g_byte_array_sized_new(payload->len + 8);
  tsr_packet_encode(packet, seq, payload->data, payload->len);
  return write_all(c, packet->data, packet->len, error);
}

/* Turns an ERR packet into *error with `code`; remembers its errno. */
static gboolean server_error(TsrXaClient *c, const GByteArray *payload, TsrXaClientErrorCode code, const char *what,
                             GError **error) {
  TsrErrPacket err;
  GError *decode_error = NULL;
  if (tsr_err_decode(payload->data, payload->len, &err, &decode_error) != TSR_DECODE_OK) {
    fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "%s", decode_error->message);
    g_error_free(decode_error);
    return FALSE;
  }
  c->server_errno = err.code;
  return fail(c, error, code, "%s: %.*s (error %u, SQLSTATE %s)", what, (int)err.message.len,
              (const char *)err.message.data, err.code, err.sqlstate);
}

/* ---- login ---- */

static gboolean send_login(TsrXaClient *c, const TsrHandshakeV10 *hs, guint8 seq, const char *user,
                           const char *password, GError **error) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  guint8 answer[TSR_NATIVE_HASH_LEN];
  TsrHandshakeResponse r;
  memset(&r, 0, sizeof r);
  c->caps = CLIENT_CAPS & (hs->capabilities | TSR_CLIENT_LONG_PASSWORD);
  r.capabilities = c->caps;
  r.max_packet_size = MAX_PACKET;
  r.charset = TSR_CHARSET_UTF8MB4_GENERAL_CI;
  r.username.data = (const guint8 *)user;
  r.username.len = strlen(user);
  r.auth_response.data = answer;
  r.auth_response.len =
      tsr_native_scramble(answer, hs->scramble, MIN(hs->scramble_len, TSR_SCRAMBLE_LEN), password, strlen(password));
  r.auth_plugin_name.data = (const guint8 *)TSR_NATIVE_PLUGIN_NAME;
  r.auth_plugin_name.len = strlen(TSR_NATIVE_PLUGIN_NAME);
  tsr_handshake_response_encode(payload, &r);
  return send_packet(c, (guint8)(seq + 1), payload, error);
}

/* Answers an AuthSwitchRequest for mysql_native_password. */
static gboolean answer_switch(TsrXaClient *c, const GByteArray *payload, guint8 seq, const char *user,
                              const char *password, GError **error) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  guint8 answer[TSR_NATIVE_HASH_LEN];
  TsrAuthSwitchRequest req;
  if (tsr_auth_switch_request_decode(payload->data, payload->len, &req, NULL) != TSR_DECODE_OK ||
      req.plugin_name.len != strlen(TSR_NATIVE_PLUGIN_NAME) ||
      memcmp(req.plugin_name.data, TSR_NATIVE_PLUGIN_NAME, req.plugin_name.len) != 0 ||
      req.data.len < TSR_SCRAMBLE_LEN)
    return fail(c, error, TSR_XA_CLIENT_ERROR_AUTH,
                "user '%s' needs an authentication method other than mysql_native_password; give that account a "
                "mysql_native_password password",
                user);
  tsr_auth_switch_response_encode(
      out, answer, tsr_native_scramble(answer, req.data.data, TSR_SCRAMBLE_LEN, password, strlen(password)));
  return send_packet(c, (guint8)(seq + 1), out, error);
}

/* Reads the server's answers to the login until OK. */
static gboolean finish_login(TsrXaClient *c, const char *user, const char *password, GError **error) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  guint8 seq;
  for (;;) {
    if (!read_packet(c, payload, &seq, error)) return FALSE;
    switch (payload->data[0]) {
    case TSR_PACKET_OK:
      return TRUE;
    case TSR_PACKET_ERR:
      return server_error(c, payload, TSR_XA_CLIENT_ERROR_AUTH, "login refused", error);
    case TSR_PACKET_AUTH_SWITCH:
      if (!answer_switch(c, payload, seq, user, password, error)) return FALSE;
      break;
    case TSR_PACKET_AUTH_MORE:
      if (payload->len == 2 && payload->data[1] == 0x03) break; /* fast auth: an OK follows */
      /* fall through */
    default:
      return fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "unexpected packet 0x%02X during login", payload->data[0]);
    }
  }
}

static gboolean login(TsrXaClient *c, const char *user, const char *password, GError **error) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  GError *decode_error = NULL;
  TsrHandshakeV10 hs;
  guint8 seq;
  if (!read_packet(c, payload, &seq, error)) return FALSE;
  if (payload->data[0] == TSR_PACKET_ERR)
    return server_error(c, payload, TSR_XA_CLIENT_ERROR_CONNECT, "the server refused the connection", error);
  if (tsr_handshake_v10_decode(payload->data, payload->len, &hs, &decode_error) != TSR_DECODE_OK) {
    fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "unreadable greeting: %s", decode_error->message);
    g_error_free(decode_error);
    return FALSE;
  }
  if (!(hs.capabilities & TSR_CLIENT_PROTOCOL_41))
    return fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "the server does not speak protocol 4.1");
  c->server_version = g_strndup((const char *)hs.server_version.data, hs.server_version.len);
  return send_login(c, &hs, seq, user, password, error) && finish_login(c, user, password, error);
}

TsrXaClient *tsr_xa_client_connect(const char *address, const char *user, const char *password, guint timeout_ms,
                                   GError **error) {
  TsrXaClient *c = g_new0(TsrXaClient, 1);
  c->address = g_strdup(address);
  c->fd = -1;
  c->timeout_ms = timeout_ms ? timeout_ms : TSR_XA_CLIENT_TIMEOUT_MS;
  c->in = g_byte_array_new();
  if (!open_socket(c, error) || !login(c, user, password ? password : "", error)) {
    tsr_xa_client_close(c);
    return NULL;
  }
  c->server_errno = 0;
  return c;
}

void tsr_xa_client_close(TsrXaClient *c) {
  if (!c) return;
  if (c->fd >= 0) {
    static const guint8 quit[] = {1, 0, 0, 0, TSR_COM_QUIT};
    if (c->caps) (void)!send(c->fd, quit, sizeof quit, MSG_NOSIGNAL | MSG_DONTWAIT);
    close(c->fd);
  }
  g_free(c->address);
  g_free(c->server_version);
  g_byte_array_unref(c->in);
  g_free(c);
}

/* ---- statements ---- */

void tsr_xa_result_free(TsrXaResult *r) {
  if (!r) return;
  g_strfreev(r->names);
  g_ptr_array_unref(r->cells);
  g_array_unref(r->lengths);
  g_free(r);
}

static TsrXaResult *result_new(void) {
  TsrXaResult *r = g_new0(TsrXaResult, 1);
  r->cells = g_ptr_array_new_with_free_func(g_free);
  r->lengths = g_array_new(FALSE, FALSE, sizeof(gsize));
  return r;
}

/* Reads n column definitions and the EOF after them into r->names. */
static gboolean read_columns(TsrXaClient *c, TsrXaResult *r, GByteArray *payload, GError **error) {
  GError *decode_error = NULL;
  guint8 seq;
  r->names = g_new0(char *, r->n_columns + 1);
  for (guint i = 0; i < r->n_columns; i++) {
    TsrColumnDef col;
    if (!read_packet(c, payload, &seq, error)) return FALSE;
    if (tsr_column_def_decode(payload->data, payload->len, 0, &col, &decode_error) != TSR_DECODE_OK) {
      fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "%s", decode_error->message);
      g_error_free(decode_error);
      return FALSE;
    }
    r->names[i] = g_strndup((const char *)col.name.data, col.name.len);
  }
  if (!read_packet(c, payload, &seq, error)) return FALSE;
  if (!tsr_packet_is_eof(payload->data, payload->len))
    return fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "no EOF packet after the column definitions");
  return TRUE;
}

/* Appends the values of one text row to r->cells. */
static gboolean add_row(TsrXaClient *c, TsrXaResult *r, const GByteArray *payload, GError **error) {
  g_autofree TsrSlice *values = g_new(TsrSlice, r->n_columns);
  GError *decode_error = NULL;
  if (tsr_text_row_decode(payload->data, payload->len, r->n_columns, values, &decode_error) != TSR_DECODE_OK) {
    fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "%s", decode_error->message);
    g_error_free(decode_error);
    return FALSE;
  }
  for (guint i = 0; i < r->n_columns; i++) {
    char *copy = NULL;
    if (values[i].data) {
      copy = g_malloc(values[i].len + 1);
      memcpy(copy, values[i].data, values[i].len);
      copy[values[i].len] = '\0';
    }
    g_ptr_array_add(r->cells, copy);
    g_array_append_val(r->lengths, values[i].len);
  }
  r->n_rows++;
  return TRUE;
}

/* Reads the rows of a result set up to its EOF packet. */
static gboolean read_rows(TsrXaClient *c, TsrXaResult *r, GByteArray *payload, const char *sql, GError **error) {
  guint8 seq;
  for (;;) {
    if (!read_packet(c, payload, &seq, error)) return FALSE;
    if (tsr_packet_is_eof(payload->data, payload->len)) return TRUE;
    if (tsr_packet_is_err(payload->data, payload->len))
      return server_error(c, payload, TSR_XA_CLIENT_ERROR_SERVER, sql, error);
    if (!add_row(c, r, payload, error)) return FALSE;
  }
}

/* Reads the response to a statement whose first packet is in payload. */
static gboolean read_response(TsrXaClient *c, TsrXaResult *r, GByteArray *payload, const char *sql, GError **error) {
  GError *decode_error = NULL;
  guint64 count;
  gboolean metadata;
  if (payload->data[0] == TSR_PACKET_OK) {
    TsrOkPacket ok;
    if (tsr_ok_decode(payload->data, payload->len, c->caps, &ok, &decode_error) != TSR_DECODE_OK) goto bad;
    r->affected_rows = ok.affected_rows;
    r->warnings = ok.warnings;
    return TRUE;
  }
  if (payload->data[0] == TSR_PACKET_ERR) return server_error(c, payload, TSR_XA_CLIENT_ERROR_SERVER, sql, error);
  if (tsr_column_count_decode(payload->data, payload->len, &count, &metadata, &decode_error) != TSR_DECODE_OK)
    goto bad;
  if (count > 4096) return fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "%" G_GUINT64_FORMAT " columns", count);
  r->n_columns = (guint)count;
  return read_columns(c, r, payload, error) && read_rows(c, r, payload, sql, error);
bad:
  fail(c, error, TSR_XA_CLIENT_ERROR_PROTOCOL, "%s", decode_error->message);
  g_error_free(decode_error);
  return FALSE;
}

TsrXaResult *tsr_xa_client_query(TsrXaClient *c, const char *sql, GError **error) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(TsrXaResult) r = result_new();
  guint8 seq;
  c->server_errno = 0;
  tsr_com_query_encode(payload, sql);
  if (!send_packet(c, 0, payload, error) || !read_packet(c, payload, &seq, error) ||
      !read_response(c, r, payload, sql, error))
    return NULL;
  return g_steal_pointer(&r);
}

guint16 tsr_xa_client_server_errno(const TsrXaClient *c) { return c->server_errno; }

const char *tsr_xa_client_address(const TsrXaClient *c) { return c->address; }

const char *tsr_xa_client_server_version(const TsrXaClient *c) { return c->server_version; }

const char *tsr_xa_result_value(const TsrXaResult *r, guint row, guint column, gsize *len) {
  gsize i = (gsize)row * r->n_columns + column;
  g_return_val_if_fail(row < r->n_rows && column < r->n_columns, NULL);
  if (len) *len = g_array_index(r->lengths, gsize, i);
  return g_ptr_array_index(r->cells, i);
}
