/* backend.h: the MySQL servers tessera forwards to, their health and load.
 *
 * A TsrBackendList is built once at start from the configured addresses and
 * shared read-only by every worker; the mutable fields of a backend (state,
 * client count) are atomics, so any thread may pick and update them. */
#ifndef TESSERA_CORE_BACKEND_H
#define TESSERA_CORE_BACKEND_H

#include <glib.h>
#include <sys/socket.h>

typedef enum {
  TSR_BACKEND_TYPE_RW = 1,  /* read-write (primary) */
  TSR_BACKEND_TYPE_RO = 2,  /* read-only (replica) */
} TsrBackendType;

typedef enum {
  TSR_BACKEND_STATE_UNKNOWN = 0,  /* not tried yet */
  TSR_BACKEND_STATE_UP = 1,       /* the last connect worked */
  TSR_BACKEND_STATE_DOWN = 2,     /* the last connect failed */
} TsrBackendState;

/* How long a down backend is skipped before clients try it again. */
#define TSR_BACKEND_RETRY_USEC (5 * G_USEC_PER_SEC)

typedef struct {
  char *name;                      /* the address as configured */
  struct sockaddr_storage addr;
  socklen_t addr_len;
  TsrBackendType type;
  guint index;                     /* position in the list, 0-based */
  gint state;                      /* TsrBackendState, atomic */
  gint connected_clients;          /* atomic */
  gint64 down_since;               /* monotonic µs of the last failure, atomic */
} TsrBackend;

typedef struct {
  GPtrArray *items;                /* of TsrBackend*, owned */
} TsrBackendList;

/* Parses "host:port", "[v6]:port", "host" (port 3306) or "/path/to.sock"
 * into addr. Host names are resolved now. Returns FALSE with *error set
 * (TSR_CORE_ERROR) naming the address when it cannot be used. */
gboolean tsr_address_parse(const char *text, guint default_port, struct sockaddr_storage *addr,
                           socklen_t *addr_len, GError **error);

/* Returns a new empty list, freed with tsr_backend_list_free(). */
TsrBackendList *tsr_backend_list_new(void);
void tsr_backend_list_free(TsrBackendList *list);

/* Appends a backend at `address`. Returns FALSE with *error set when the
 * address cannot be parsed. */
gboolean tsr_backend_list_add(TsrBackendList *list, const char *address, TsrBackendType type, GError **error);

/* Returns the number of backends. */
static inline guint tsr_backend_list_size(const TsrBackendList *list) { return list->items->len; }

/* Returns backend i (borrowed). */
static inline TsrBackend *tsr_backend_list_get(const TsrBackendList *list, guint i) {
  return g_ptr_array_index(list->items, i);
}

/* Fills order[0..n) with the indexes of the backends of `type` to try, best
 * first: up or untried backends by fewest clients, then down ones whose
 * retry time has come, then the other down ones. Falls back to every
 * backend when none has that type. Returns n (<= max). */
guint tsr_backend_list_order(const TsrBackendList *list, TsrBackendType type, guint *order, guint max);

/* Returns TRUE while a down backend is skipped (TSR_BACKEND_RETRY_USEC
 * after its last failed connect); FALSE when it may be tried. */
gboolean tsr_backend_resting(TsrBackend *b);
/* Records a successful connect (state UP). */
void tsr_backend_mark_up(TsrBackend *b);
/* Records a failed connect (state DOWN); returns TRUE when it was not
 * already down, so that the caller logs the change once. */
gboolean tsr_backend_mark_down(TsrBackend *b);

/* Returns the name of a state or type, as the Lua API and admin show it. */
const char *tsr_backend_state_name(TsrBackendState state);
const char *tsr_backend_type_name(TsrBackendType type);

#endif
