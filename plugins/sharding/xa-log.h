/* xa-log.h: the decision log of cross-shard XA transactions, and the
 * global transaction ids (gtrids) tessera gives them.
 *
 * A transaction that writes to several groups runs as XA on each of them:
 * XA START, the statements, XA END, XA PREPARE everywhere; then the
 * decision to commit is written here and made durable (fdatasync) before
 * the first XA COMMIT is sent; once every group has committed, the
 * transaction is marked done. After a crash, recovery (xa-recover.h)
 * commits the prepared branches of every decided transaction and rolls
 * back the others: a transaction without a decision was never committed
 * anywhere.
 *
 * The file is append-only text, one record a line:
 *
 *   C <crc> <gtrid> <group>,<group>...     the decision to commit
 *   D <crc> <gtrid>                        every group committed
 *
 * <crc> is the CRC32 (8 lowercase hex digits) of the line without the
 * " <crc>" field and the newline. Opening reads every record: a record that
 * is cut short or fails its CRC, and everything after it, is a torn tail
 * left by a crash and is truncated away, unless a valid decision follows it
 * (a decision is written with fdatasync, which would have made the bytes
 * before it whole): then the file is corrupt and opening fails. When the
 * file has grown past a threshold, the decisions not done yet are rewritten
 * to a new file that replaces it (temporary file, fsync, rename, fsync of
 * the directory).
 *
 * A log is used by one process at a time (an flock on the file) and by any
 * number of its threads: every function but tsr_xa_log_close() is
 * thread-safe. Decisions of several threads that wait for the disk at the
 * same time share one fdatasync.
 *
 * When a write or an fdatasync fails, the log is broken: every later
 * tsr_xa_log_commit() fails (the caller rolls back) until the process
 * opens the log again. */
#ifndef TESSERA_SHARDING_XA_LOG_H
#define TESSERA_SHARDING_XA_LOG_H

#include <glib.h>

#define TSR_XA_ERROR (tsr_xa_error_quark())

typedef enum {
  TSR_XA_ERROR_IO,       /* a file operation failed */
  TSR_XA_ERROR_CORRUPT,  /* the log holds a damaged record before a valid decision */
  TSR_XA_ERROR_INVALID,  /* a gtrid or group name the log cannot hold, or a gtrid decided twice */
  TSR_XA_ERROR_BROKEN,   /* an earlier write or fdatasync failed */
  TSR_XA_ERROR_RECOVER,  /* recovery could not resolve a group (xa-recover.h) */
} TsrXaErrorCode;

/* Returns the GQuark of the TSR_XA_ERROR domain. */
GQuark tsr_xa_error_quark(void);

/* Longest gtrid MySQL and MariaDB accept (XA START 'gtrid'). */
#define TSR_XA_GTRID_MAX 64u

/* Default size past which the log is compacted (tsr_xa_log_set_compact_size). */
#define TSR_XA_LOG_COMPACT_SIZE (4u * 1024u * 1024u)

typedef struct TsrXaLog TsrXaLog;

/* Opens the log at path, creating it (mode 0600) when it does not exist,
 * reads its records and truncates a torn tail away. Returns a new log
 * (tsr_xa_log_close), or NULL with *error (TSR_XA_ERROR_IO when the file
 * cannot be opened, read, locked or truncated, or is in use by another
 * process; TSR_XA_ERROR_CORRUPT) naming the path. */
TsrXaLog *tsr_xa_log_open(const char *path, GError **error);

/* Writes the remaining records, closes the file and frees the log. NULL is
 * allowed. No other thread may use the log any more. */
void tsr_xa_log_close(TsrXaLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrXaLog, tsr_xa_log_close)

/* Records the decision to commit gtrid, a transaction prepared on the
 * groups named in `groups` (NULL-terminated, at least one; names of
 * letters, digits, '_', '-' and '.', as in the shard map). Returns TRUE
 * once the record is on disk (fdatasync), FALSE with *error when it is not
 * (TSR_XA_ERROR_INVALID: a bad gtrid or group name, or gtrid is decided and
 * not done; TSR_XA_ERROR_IO; TSR_XA_ERROR_BROKEN): the caller must then
 * roll the transaction back. gtrid is 1..TSR_XA_GTRID_MAX letters, digits,
 * '_', '-', '.' and ':'. The log keeps copies. */
gboolean tsr_xa_log_commit(TsrXaLog *log, const char *gtrid, const char *const *groups, GError **error);

/* Records that every group of the decided transaction gtrid committed: it
 * is no longer decided. The record is written without fdatasync (losing it
 * makes recovery look for branches that are no longer there). Does nothing
 * when gtrid is not decided. A failed write is logged and breaks the log. */
void tsr_xa_log_done(TsrXaLog *log, const char *gtrid);

/* Returns TRUE when gtrid has a durable decision to commit and is not done. */
gboolean tsr_xa_log_decided(TsrXaLog *log, const char *gtrid);

/* Returns the gtrids decided and not done, sorted: a new NULL-terminated
 * array (g_strfreev). */
char **tsr_xa_log_list(TsrXaLog *log);

/* Returns the groups of the decided gtrid: a new NULL-terminated array
 * (g_strfreev), or NULL when gtrid is not decided. */
char **tsr_xa_log_groups(TsrXaLog *log, const char *gtrid);

/* Sets the file size past which the log is compacted (0: the default,
 * TSR_XA_LOG_COMPACT_SIZE). After a compaction the next one waits until
 * the file is twice what the compaction left, if that is more. */
void tsr_xa_log_set_compact_size(TsrXaLog *log, gsize bytes);

/* Counters since opening, for metrics and tests: decisions made durable,
 * fdatasyncs they took, and compactions. Any pointer may be NULL. */
void tsr_xa_log_stats(TsrXaLog *log, guint64 *commits, guint64 *syncs, guint64 *compactions);

/* Returns the path the log was opened with (owned by the log). */
const char *tsr_xa_log_path(const TsrXaLog *log);

/* ---- gtrids ---- */

/* Returns a new gtrid (g_free) for transaction `counter` of the tessera
 * identified by proxy_id: "tsr-" + proxy_id as 8 lowercase hex digits + "-"
 * + counter in decimal, at most 33 characters, safe inside '...' in SQL.
 * Each tessera sharing backends needs its own proxy_id, and a counter that
 * does not repeat across restarts (start it from the wall clock in µs). */
char *tsr_xa_xid_new(guint32 proxy_id, guint64 counter);

/* Returns TRUE when gtrid has the form tsr_xa_xid_new() writes; then
 * *proxy_id and *counter (either may be NULL) are set from it. */
gboolean tsr_xa_xid_parse(const char *gtrid, guint32 *proxy_id, guint64 *counter);

/* Returns TRUE when gtrid has the form tsr_xa_xid_new() writes (a
 * transaction of some tessera). */
gboolean tsr_xa_xid_is_ours(const char *gtrid);

#endif
