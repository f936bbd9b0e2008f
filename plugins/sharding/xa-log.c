/* xa-log.c: the decision log of cross-shard XA transactions (xa-log.h).
 *
 * Writers queue their records in `pending` under the lock. One thread at a
 * time (the one that finds nobody flushing) takes everything queued, writes
 * it and, for decisions, calls fdatasync without the lock; the others wait
 * on `flushed` and find their decisions durable when it is done, so the
 * decisions that queued while one fdatasync ran share the next one.
 *
 * Decisions go through three sets on their way: pending (queued), unsynced
 * (written, not yet on disk), decided (on disk, not done). A compaction
 * rewrites decided and unsynced; records still pending follow it in the new
 * file. */
#define G_LOG_DOMAIN "sharding"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xa-log.h"
#include "shard-map-key.h"

#define XID_PREFIX "tsr-"
#define RECORD_HEAD 11u /* "C 0123abcd " */

typedef struct {
  char *gtrid;
  char **groups;
} XaDecision;

struct TsrXaLog {
  char *path;
  int fd;
  GMutex lock;
  GCond flushed;
  GHashTable *decided;          /* gtrid -> char **groups: on disk, not done */
  GString *pending;             /* records queued, not written */
  GPtrArray *pending_decisions; /* XaDecision*: the decisions among them */
  GPtrArray *unsynced;          /* XaDecision*: written, not yet on disk */
  guint64 queued;               /* decisions queued so far */
  guint64 written;              /* decisions 1..written are in the file */
  guint64 durable;              /* decisions 1..durable are on disk */
  gboolean flushing;            /* a thread writes without holding the lock */
  GError *broken;               /* why the log no longer takes decisions */
  gsize size;                   /* bytes in the file */
  gsize compact_size, next_compact;
  guint64 n_commits, n_syncs, n_compactions;
};

G_DEFINE_QUARK(tsr-xa-error-quark, tsr_xa_error)

/* ---- names ---- */

static gboolean valid_chars(const char *s, gsize len, const char *extra) {
  if (len == 0) return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum(s[i]) && !strchr(extra, s[i])) return FALSE;
  return TRUE;
}

static gboolean valid_gtrid(const char *s, gsize len) {
  return len <= TSR_XA_GTRID_MAX && valid_chars(s, len, "_-.:");
}

static gboolean valid_group(const char *s, gsize len) { return valid_chars(s, len, "_-."); }

char *tsr_xa_xid_new(guint32 proxy_id, guint64 counter) {
  return g_strdup_printf(XID_PREFIX "%08x-%" G_GUINT64_FORMAT, proxy_id, counter);
}

gboolean tsr_xa_xid_parse(const char *gtrid, guint32 *proxy_id, guint64 *counter) {
  const gsize prefix = strlen(XID_PREFIX);
  g_autofree char *again = NULL;
  guint64 id, n;
  char hex[9];
  if (!gtrid || strncmp(gtrid, XID_PREFIX, prefix) != 0 || strlen(gtrid) < prefix + 10 || gtrid[prefix + 8] != '-')
    return FALSE;
  memcpy(hex, gtrid + prefix, 8);
  hex[8] = '\0';
  if (!g_ascii_string_to_unsigned(hex, 16, 0, G_MAXUINT32, &id, NULL) ||
      !g_ascii_string_to_unsigned(gtrid + prefix + 9, 10, 0, G_MAXUINT64, &n, NULL))
    return FALSE;
  again = tsr_xa_xid_new((guint32)id, n);
  if (strcmp(again, gtrid) != 0) return FALSE; /* signs, spaces, upper case, leading zeros */
  if (proxy_id) *proxy_id = (guint32)id;
  if (counter) *counter = n;
  return TRUE;
}

gboolean tsr_xa_xid_is_ours(const char *gtrid) { return tsr_xa_xid_parse(gtrid, NULL, NULL); }

/* ---- records ---- */

static guint32 record_crc(char type, const char *body, gsize len) {
  g_autoptr(GString) text = g_string_sized_new(len + 2);
  g_string_append_c(text, type);
  g_string_append_c(text, ' ');
  g_string_append_len(text, body, (gssize)len);
  return tsr_shard_crc32((const guint8 *)text->str, text->len);
}

/* Appends the line of a record whose body is "gtrid" or "gtrid groups". */
static void append_record(GString *out, char type, const char *gtrid, const char *groups) {
  g_autofree char *body = groups ? g_strconcat(gtrid, " ", groups, NULL) : g_strdup(gtrid);
  g_string_append_printf(out, "%c %08x %s\n", type, record_crc(type, body, strlen(body)), body);
}

/* Returns "g1,g2" for a valid list of groups, else NULL with *error. */
static char *join_groups(const char *path, const char *const *groups, GError **error) {
  if (!groups || !groups[0]) {
    g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_INVALID, "tessera: XA decision log %s: a decision needs its groups",
                path);
    return NULL;
  }
  for (const char *const *g = groups; *g; g++)
    if (!valid_group(*g, strlen(*g))) {
      g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_INVALID,
                  "tessera: XA decision log %s: '%s' is not a group name (letters, digits, '_', '-' and '.')", path,
                  *g);
      return NULL;
    }
  return g_strjoinv(",", (char **)groups);
}

typedef struct {
  char type;
  char *gtrid;
  char **groups; /* NULL for a DONE record */
} XaRecord;

static void record_clear(XaRecord *r) {
  g_clear_pointer(&r->gtrid, g_free);
  g_clear_pointer(&r->groups, g_strfreev);
}

/* Splits the groups field "g1,g2" into *out; FALSE when one is not a name. */
static gboolean parse_groups(const char *s, gsize len, char ***out) {
  g_autofree char *text = g_strndup(s, len);
  g_auto(GStrv) groups = g_strsplit(text, ",", -1);
  if (!groups[0]) return FALSE;
  for (char **g = groups; *g; g++)
    if (!valid_group(*g, strlen(*g))) return FALSE;
  *out = g_steal_pointer(&groups);
  return TRUE;
}

/* Parses one line (without its newline) into *r. FALSE when it is not a
 * whole, valid record. */
static gboolean parse_record(const char *line, gsize len, XaRecord *r) {
  const char *body = line + RECORD_HEAD, *space;
  gsize body_len, gtrid_len;
  guint64 crc;
  char hex[9];
  if (len <= RECORD_HEAD || (line[0] != 'C' && line[0] != 'D') || line[1] != ' ' || line[10] != ' ') return FALSE;
  body_len = len - RECORD_HEAD;
  memcpy(hex, line + 2, 8);
  hex[8] = '\0';
  if (!g_ascii_string_to_unsigned(hex, 16, 0, G_MAXUINT32, &crc, NULL) ||
      record_crc(line[0], body, body_len) != (guint32)crc)
    return FALSE;
  space = memchr(body, ' ', body_len);
  gtrid_len = space ? (gsize)(space - body) : body_len;
  if (!valid_gtrid(body, gtrid_len) || (line[0] == 'C') != (space != NULL)) return FALSE;
  r->type = line[0];
  r->groups = NULL;
  if (space && !parse_groups(space + 1, body_len - gtrid_len - 1, &r->groups)) return FALSE;
  r->gtrid = g_strndup(body, gtrid_len);
  return TRUE;
}

static void apply_record(TsrXaLog *log, XaRecord *r) {
  if (r->type == 'C')
    g_hash_table_replace(log->decided, g_steal_pointer(&r->gtrid), g_steal_pointer(&r->groups));
  else
    g_hash_table_remove(log->decided, r->gtrid);
}

/* Reads the records of buf[0..len) into the log. *good_end is the length of
 * the valid records before the first damaged one (len when none is).
 * Records after a damaged one are dropped with it, unless a decision is
 * among them: then FALSE with *error (TSR_XA_ERROR_CORRUPT). */
static gboolean load_records(TsrXaLog *log, const char *buf, gsize len, gsize *good_end, GError **error) {
  gsize pos = 0;
  gboolean damaged = FALSE;
  *good_end = 0;
  while (pos < len) {
    const char *nl = memchr(buf + pos, '\n', len - pos);
    gsize end = nl ? (gsize)(nl - buf) : len;
    XaRecord r = {0};
    if (!nl || !parse_record(buf + pos, end - pos, &r)) {
      damaged = TRUE;
    } else if (damaged && r.type == 'C') {
      g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_CORRUPT,
                  "tessera: XA decision log %s: the record at byte %zu is damaged and a decision follows it "
                  "(at byte %zu); repair or move the file by hand",
                  log->path, *good_end, pos);
      record_clear(&r);
      return FALSE;
    } else if (!damaged) {
      apply_record(log, &r);
      *good_end = end + 1;
    }
    record_clear(&r);
    pos = end + 1;
  }
  return TRUE;
}

/* ---- files ---- */

static gboolean io_fail(GError **error, const char *path, const char *what) {
  int e = errno;
  g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_IO, "tessera: XA decision log %s: %s: %s", path, what,
              g_strerror(e));
  return FALSE;
}

static gboolean write_all(int fd, const char *data, gsize len, const char *path, GError **error) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_fail(error, path, "cannot write");
    data += n;
    len -= (gsize)n;
  }
  return TRUE;
}

static gboolean sync_fd(int fd, const char *path, GError **error) {
  if (fdatasync(fd) != 0) return io_fail(error, path, "fdatasync failed");
  return TRUE;
}

/* Makes the directory entries of path's directory durable. */
static gboolean sync_dir(const char *path, GError **error) {
  g_autofree char *dir = g_path_get_dirname(path);
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;
  if (fd < 0) return io_fail(error, dir, "cannot open the directory");
  ok = fsync(fd) == 0 || io_fail(error, dir, "fsync of the directory failed");
  close(fd);
  return ok;
}

/* Opens path for appending and takes its lock. Returns the descriptor or -1
 * with *error. */
static int open_locked(const char *path, int flags, GError **error) {
  int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | flags, 0600);
  if (fd < 0) {
    io_fail(error, path, "cannot open");
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_IO,
                  "tessera: XA decision log %s: in use by another process (each tessera needs its own log)", path);
    else
      io_fail(error, path, "cannot lock");
    close(fd);
    return -1;
  }
  return fd;
}

static gboolean read_all(int fd, const char *path, GString *out, GError **error) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_fail(error, path, "cannot read");
    if (n == 0) return TRUE;
    g_string_append_len(out, buf, n);
  }
}

/* ---- breaking, compaction ---- */

/* Takes `error`: the log takes no more decisions. The bytes written after
 * the last good size are cut off when possible. */
static void break_log(TsrXaLog *log, GError *error) {
  g_warning("%s; cross-shard transactions are refused until tessera restarts", error->message);
  if (ftruncate(log->fd, (off_t)log->size) != 0)
    g_warning("tessera: XA decision log %s: cannot truncate to %zu bytes: %s", log->path, log->size,
              g_strerror(errno));
  if (log->broken)
    g_error_free(error);
  else
    log->broken = error;
}

/* The unsynced decisions are on disk: they become decided. */
static void mark_durable(TsrXaLog *log) {
  for (guint i = 0; i < log->unsynced->len; i++) {
    XaDecision *d = log->unsynced->pdata[i];
    g_hash_table_replace(log->decided, g_steal_pointer(&d->gtrid), g_steal_pointer(&d->groups));
  }
  log->n_commits += log->unsynced->len;
  g_ptr_array_set_size(log->unsynced, 0);
  log->durable = log->written;
}

/* The records of the decided and unsynced decisions. */
static GString *live_records(TsrXaLog *log) {
  GString *out = g_string_new(NULL);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, log->decided);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    g_autofree char *groups = g_strjoinv(",", value);
    append_record(out, 'C', key, groups);
  }
  for (guint i = 0; i < log->unsynced->len; i++) {
    XaDecision *d = log->unsynced->pdata[i];
    g_autofree char *groups = g_strjoinv(",", d->groups);
    append_record(out, 'C', d->gtrid, groups);
  }
  return out;
}

/* Writes the live records to path.tmp and puts it in place of the log.
 * FALSE with *error when the old file stays; *dir_error is set when the
 * new file is in place but its directory entry may not be durable. */
static gboolean compact(TsrXaLog *log, GError **error, GError **dir_error) {
  g_autofree char *tmp = g_strconcat(log->path, ".tmp", NULL);
  g_autoptr(GString) text = live_records(log);
  int fd = open_locked(tmp, O_TRUNC, error);
  if (fd < 0) return FALSE;
  if (!write_all(fd, text->str, text->len, tmp, error) || !sync_fd(fd, tmp, error) ||
      (rename(tmp, log->path) != 0 && !io_fail(error, tmp, "cannot rename over the log"))) {
    close(fd);
    unlink(tmp);
    return FALSE;
  }
  close(log->fd);
  log->fd = fd;
  log->size = text->len;
  log->n_compactions++;
  mark_durable(log);
  sync_dir(log->path, dir_error);
  return TRUE;
}

/* Compacts the log when it has grown past next_compact. Called with the
 * lock held and nobody else writing. */
static void maybe_compact(TsrXaLog *log) {
  GError *error = NULL, *dir_error = NULL;
  if (log->size < log->next_compact || log->broken) return;
  if (!compact(log, &error, &dir_error)) {
    g_warning("%s; the log is compacted again when it has doubled", error->message);
    g_error_free(error);
    log->next_compact = log->size * 2;
    return;
  }
  log->next_compact = MAX(log->compact_size, log->size * 2);
  if (dir_error) break_log(log, dir_error);
}

/* ---- writing ---- */

static void decision_free(gpointer p) {
  XaDecision *d = p;
  g_free(d->gtrid);
  g_strfreev(d->groups);
  g_free(d);
}

/* Writes everything queued, then calls fdatasync when `sync`. Called with
 * the lock held and nobody flushing; the lock is released meanwhile. */
static void flush_locked(TsrXaLog *log, gboolean sync) {
  g_autoptr(GString) batch = g_steal_pointer(&log->pending);
  g_autoptr(GPtrArray) decisions = g_steal_pointer(&log->pending_decisions);
  guint64 last = log->queued;
  GError *error = NULL;
  gboolean ok;

  log->pending = g_string_new(NULL);
  log->pending_decisions = g_ptr_array_new_with_free_func(decision_free);
  log->flushing = TRUE;
  g_mutex_unlock(&log->lock);
  ok = write_all(log->fd, batch->str, batch->len, log->path, &error) && (!sync || sync_fd(log->fd, log->path, &error));
  g_mutex_lock(&log->lock);
  if (ok) {
    log->size += batch->len;
    log->written = last;
    g_ptr_array_extend_and_steal(log->unsynced, g_steal_pointer(&decisions));
    if (sync) {
      log->n_syncs++;
      mark_durable(log);
    }
    maybe_compact(log);
  } else {
    break_log(log, error);
  }
  log->flushing = FALSE;
  g_cond_broadcast(&log->flushed);
}

static gboolean broken_error(TsrXaLog *log, GError **error) {
  g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_BROKEN, "%s (earlier); restart tessera to use the log again",
              log->broken->message);
  return FALSE;
}

/* Queues the decision and waits until it is on disk. Called with the lock. */
static gboolean commit_locked(TsrXaLog *log, const char *gtrid, const char *const *groups, const char *groups_text,
                              GError **error) {
  XaDecision *d;
  guint64 seq;
  if (log->broken) return broken_error(log, error);
  if (g_hash_table_contains(log->decided, gtrid)) {
    g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_INVALID, "tessera: XA decision log %s: '%s' is already decided",
                log->path, gtrid);
    return FALSE;
  }
  append_record(log->pending, 'C', gtrid, groups_text);
  d = g_new(XaDecision, 1);
  d->gtrid = g_strdup(gtrid);
  d->groups = g_strdupv((char **)groups);
  g_ptr_array_add(log->pending_decisions, d);
  seq = ++log->queued;
  while (log->durable < seq && !log->broken) {
    if (log->flushing)
      g_cond_wait(&log->flushed, &log->lock);
    else
      flush_locked(log, TRUE);
  }
  return log->durable >= seq || broken_error(log, error);
}

gboolean tsr_xa_log_commit(TsrXaLog *log, const char *gtrid, const char *const *groups, GError **error) {
  g_autofree char *groups_text = NULL;
  gboolean ok;
  if (!gtrid || !valid_gtrid(gtrid, strlen(gtrid))) {
    g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_INVALID,
                "tessera: XA decision log %s: '%s' is not a gtrid (1 to %u letters, digits, '_', '-', '.' and ':')",
                log->path, gtrid ? gtrid : "(null)", TSR_XA_GTRID_MAX);
    return FALSE;
  }
  if (!(groups_text = join_groups(log->path, groups, error))) return FALSE;
  g_mutex_lock(&log->lock);
  ok = commit_locked(log, gtrid, groups, groups_text, error);
  g_mutex_unlock(&log->lock);
  return ok;
}

void tsr_xa_log_done(TsrXaLog *log, const char *gtrid) {
  g_mutex_lock(&log->lock);
  if (g_hash_table_remove(log->decided, gtrid) && !log->broken) {
    append_record(log->pending, 'D', gtrid, NULL);
    if (!log->flushing) flush_locked(log, FALSE);
  }
  g_mutex_unlock(&log->lock);
}

/* ---- opening, reading ---- */

static TsrXaLog *log_new(const char *path) {
  TsrXaLog *log = g_new0(TsrXaLog, 1);
  log->path = g_strdup(path);
  log->fd = -1;
  g_mutex_init(&log->lock);
  g_cond_init(&log->flushed);
  log->decided = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
  log->pending = g_string_new(NULL);
  log->pending_decisions = g_ptr_array_new_with_free_func(decision_free);
  log->unsynced = g_ptr_array_new_with_free_func(decision_free);
  log->compact_size = log->next_compact = TSR_XA_LOG_COMPACT_SIZE;
  return log;
}

static void log_free(TsrXaLog *log) {
  if (log->fd >= 0) close(log->fd);
  g_free(log->path);
  g_mutex_clear(&log->lock);
  g_cond_clear(&log->flushed);
  g_hash_table_unref(log->decided);
  g_string_free(log->pending, TRUE);
  g_ptr_array_unref(log->pending_decisions);
  g_ptr_array_unref(log->unsynced);
  g_clear_error(&log->broken);
  g_free(log);
}

/* Reads the file, cuts a torn tail off and makes the file's name durable. */
static gboolean load_file(TsrXaLog *log, GError **error) {
  g_autoptr(GString) text = g_string_new(NULL);
  gsize good_end;
  if (!read_all(log->fd, log->path, text, error) || !load_records(log, text->str, text->len, &good_end, error))
    return FALSE;
  if (good_end < text->len) {
    g_warning("tessera: XA decision log %s: dropped %zu bytes of a record torn by a crash at byte %zu", log->path,
              text->len - good_end, good_end);
    if (ftruncate(log->fd, (off_t)good_end) != 0) return io_fail(error, log->path, "cannot truncate a torn record");
    if (!sync_fd(log->fd, log->path, error)) return FALSE;
  }
  log->size = good_end;
  return sync_dir(log->path, error);
}

TsrXaLog *tsr_xa_log_open(const char *path, GError **error) {
  TsrXaLog *log = log_new(path);
  log->fd = open_locked(path, 0, error);
  if (log->fd < 0 || !load_file(log, error)) {
    log_free(log);
    return NULL;
  }
  g_mutex_lock(&log->lock);
  maybe_compact(log);
  g_mutex_unlock(&log->lock);
  return log;
}

void tsr_xa_log_close(TsrXaLog *log) {
  if (!log) return;
  g_mutex_lock(&log->lock);
  if (log->pending->len > 0 && !log->broken) flush_locked(log, TRUE);
  g_mutex_unlock(&log->lock);
  log_free(log);
}

gboolean tsr_xa_log_decided(TsrXaLog *log, const char *gtrid) {
  gboolean found;
  g_mutex_lock(&log->lock);
  found = g_hash_table_contains(log->decided, gtrid);
  g_mutex_unlock(&log->lock);
  return found;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **tsr_xa_log_list(TsrXaLog *log) {
  g_autoptr(GPtrArray) out = g_ptr_array_new();
  GHashTableIter it;
  gpointer key;
  g_mutex_lock(&log->lock);
  g_hash_table_iter_init(&it, log->decided);
  while (g_hash_table_iter_next(&it, &key, NULL)) g_ptr_array_add(out, g_strdup(key));
  g_mutex_unlock(&log->lock);
  g_ptr_array_sort(out, compare_names);
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

char **tsr_xa_log_groups(TsrXaLog *log, const char *gtrid) {
  char **groups;
  g_mutex_lock(&log->lock);
  groups = g_strdupv(g_hash_table_lookup(log->decided, gtrid));
  g_mutex_unlock(&log->lock);
  return groups;
}

void tsr_xa_log_set_compact_size(TsrXaLog *log, gsize bytes) {
  g_mutex_lock(&log->lock);
  log->compact_size = log->next_compact = bytes ? bytes : TSR_XA_LOG_COMPACT_SIZE;
  g_mutex_unlock(&log->lock);
}

void tsr_xa_log_stats(TsrXaLog *log, guint64 *commits, guint64 *syncs, guint64 *compactions) {
  g_mutex_lock(&log->lock);
  if (commits) *commits = log->n_commits;
  if (syncs) *syncs = log->n_syncs;
  if (compactions) *compactions = log->n_compactions;
  g_mutex_unlock(&log->lock);
}

const char *tsr_xa_log_path(const TsrXaLog *log) { return log->path; }
