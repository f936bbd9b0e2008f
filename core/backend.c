/* backend.c: backend addresses, health states and least-clients order. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "backend.h"
#include "core-error.h"

static gboolean parse_unix(const char *text, struct sockaddr_storage *addr, socklen_t *addr_len, GError **error) {
  struct sockaddr_un *un = (struct sockaddr_un *)addr;
  if (strlen(text) >= sizeof un->sun_path) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_ADDRESS, "'%s': unix socket path is too long", text);
    return FALSE;
  }
  memset(addr, 0, sizeof *addr);
  un->sun_family = AF_UNIX;
  strcpy(un->sun_path, text);
  *addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(text) + 1);
  return TRUE;
}

/* Splits "host:port" / "[v6]:port" / "host" into host and port. */
static gboolean split_host_port(const char *text, guint default_port, char **host, guint *port, GError **error) {
  const char *colon;
  if (text[0] == '[') {
    const char *end = strchr(text, ']');
    if (!end) goto bad;
    *host = g_strndup(text + 1, (gsize)(end - text - 1));
    colon = end[1] == ':' ? end + 1 : NULL;
    if (end[1] && !colon) goto bad_free;
  } else {
    colon = strrchr(text, ':');
    if (colon && strchr(text, ':') != colon) colon = NULL; /* bare IPv6 */
    *host = colon ? g_strndup(text, (gsize)(colon - text)) : g_strdup(text);
  }
  *port = default_port;
  if (colon) {
    char *end = NULL;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || p == 0 || p > 65535) goto bad_free;
    *port = (guint)p;
  }
  if (!**host) {
    g_free(*host);
    *host = g_strdup("0.0.0.0");
  }
  return TRUE;
bad_free:
  g_free(*host);
  *host = NULL;
bad:
  g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_ADDRESS,
              "'%s' is not an address: use host:port, [ipv6]:port or /path/to/socket", text);
  return FALSE;
}

gboolean tsr_address_parse(const char *text, guint default_port, struct sockaddr_storage *addr,
                           socklen_t *addr_len, GError **error) {
  g_autofree char *host = NULL;
  guint port;
  struct addrinfo hints = {0}, *res = NULL;
  char port_text[8];
  int rc;

  if (text[0] == '/') return parse_unix(text, addr, addr_len, error);
  if (!split_host_port(text, default_port, &host, &port, error)) return FALSE;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  g_snprintf(port_text, sizeof port_text, "%u", port);
  rc = getaddrinfo(host, port_text, &hints, &res);
  if (rc != 0 || !res) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_ADDRESS, "'%s': cannot resolve host '%s': %s", text, host,
                gai_strerror(rc));
    return FALSE;
  }
  memcpy(addr, res->ai_addr, res->ai_addrlen);
  *addr_len = res->ai_addrlen;
  freeaddrinfo(res);
  return TRUE;
}

static void backend_free(gpointer p) {
  TsrBackend *b = p;
  g_free(b->name);
  g_free(b);
}

TsrBackendList *tsr_backend_list_new(void) {
  TsrBackendList *list = g_new0(TsrBackendList, 1);
  list->items = g_ptr_array_new_with_free_func(backend_free);
  return list;
}

void tsr_backend_list_free(TsrBackendList *list) {
  if (!list) return;
  g_ptr_array_unref(list->items);
  g_free(list);
}

gboolean tsr_backend_list_add(TsrBackendList *list, const char *address, TsrBackendType type, GError **error) {
  TsrBackend *b = g_new0(TsrBackend, 1);
  if (!tsr_address_parse(address, 3306, &b->addr, &b->addr_len, error)) {
    g_free(b);
    return FALSE;
  }
  b->name = g_strdup(address);
  b->type = type;
  b->index = list->items->len;
  g_ptr_array_add(list->items, b);
  return TRUE;
}

gboolean tsr_backend_resting(TsrBackend *b) {
  return g_atomic_int_get(&b->state) == TSR_BACKEND_STATE_DOWN &&
         g_get_monotonic_time() - b->down_since < TSR_BACKEND_RETRY_USEC;
}

/* Sort key: lower is tried first. */
static gint64 order_key(TsrBackend *b, gint64 now) {
  gint state = g_atomic_int_get(&b->state);
  gint64 clients = g_atomic_int_get(&b->connected_clients);
  if (state != TSR_BACKEND_STATE_DOWN) return clients;
  if (now - b->down_since >= TSR_BACKEND_RETRY_USEC) return ((gint64)1 << 40) + clients;
  return ((gint64)2 << 40) + clients;
}

guint tsr_backend_list_order(const TsrBackendList *list, TsrBackendType type, guint *order, guint max) {
  gint64 now = g_get_monotonic_time();
  gint64 keys[64];
  guint n = 0;
  gboolean any_of_type = FALSE;

  for (guint i = 0; i < list->items->len; i++)
    any_of_type |= tsr_backend_list_get(list, i)->type == type;
  max = MIN(max, G_N_ELEMENTS(keys));
  for (guint i = 0; i < list->items->len && n < max; i++) {
    TsrBackend *b = tsr_backend_list_get(list, i);
    gint64 key;
    guint j;
    if (any_of_type && b->type != type) continue;
    key = order_key(b, now);
    /* Insertion sort: lists are short. */
    for (j = n; j > 0 && keys[j - 1] > key; j--) {
      keys[j] = keys[j - 1];
      order[j] = order[j - 1];
    }
    keys[j] = key;
    order[j] = i;
    n++;
  }
  return n;
}

void tsr_backend_mark_up(TsrBackend *b) {
  g_atomic_int_set(&b->state, TSR_BACKEND_STATE_UP);
}

gboolean tsr_backend_mark_down(TsrBackend *b) {
  gint old = g_atomic_int_get(&b->state);
  b->down_since = g_get_monotonic_time();
  g_atomic_int_set(&b->state, TSR_BACKEND_STATE_DOWN);
  return old != TSR_BACKEND_STATE_DOWN;
}

const char *tsr_backend_state_name(TsrBackendState state) {
  switch (state) {
  case TSR_BACKEND_STATE_UP:
    return "up";
  case TSR_BACKEND_STATE_DOWN:
    return "down";
  case TSR_BACKEND_STATE_UNKNOWN:
  default:
    return "unknown";
  }
}

const char *tsr_backend_type_name(TsrBackendType type) {
  return type == TSR_BACKEND_TYPE_RO ? "ro" : "rw";
}
