/* merge-write.h: the one OK packet a client gets for a write (INSERT,
 * UPDATE, DELETE, REPLACE) the router sent to several shards, from the OK
 * packets of the shards.
 *
 * - affected rows: the sum.
 * - warnings: the sum (the packet field stops at 65535).
 * - info ("Records: 3  Duplicates: 0  Warnings: 0", "Rows matched: 2
 *   Changed: 2  Warnings: 0"): each number summed when every shard's info
 *   has the same labels; else empty (MariaDB sends no info for a one-row
 *   INSERT, so an INSERT split into one row here and two there gets none).
 * - status: IN_TRANS and the other flags when any shard has them,
 *   AUTOCOMMIT when all have it; MORE_RESULTS_EXISTS and
 *   SESSION_STATE_CHANGED are the caller's to set.
 * - LAST_INSERT_ID: MariaDB reports the id it generated for the first row
 *   of a multi-row INSERT that got one. Each shard reports the first id it
 *   generated for the rows it got (0: none); the router says for each shard
 *   where the first of its rows stands in the statement, and the merged
 *   packet reports the id of the shard whose rows come first among those
 *   that generated one: the id of the statement's first row with a
 *   generated id. Shards number their AUTO_INCREMENT independently, so the
 *   other rows' ids do not follow from it (as with auto_increment_increment
 *   > 1 on one server). */
#ifndef TESSERA_SHARDING_MERGE_WRITE_H
#define TESSERA_SHARDING_MERGE_WRITE_H

#include <glib.h>
#include "protocol/mysql-packets.h"

#define TSR_WRITE_INFO_FIELDS 4
#define TSR_WRITE_INFO_LABEL 24

typedef struct {
  guint n;                           /* OK packets added */
  guint64 affected_rows;
  guint64 last_insert_id;
  guint64 id_position;               /* statement position of the shard that gave last_insert_id */
  guint64 warnings;
  guint16 status_any, status_all;
  gboolean info_ok;                  /* every info so far had the same labels */
  guint n_info;                      /* fields of the info */
  char labels[TSR_WRITE_INFO_FIELDS][TSR_WRITE_INFO_LABEL];
  guint64 sums[TSR_WRITE_INFO_FIELDS];
  GString *info;                     /* tsr_write_summary_ok()'s info text */
} TsrWriteSummary;

/* Starts an empty summary. */
void tsr_write_summary_init(TsrWriteSummary *s);

/* Frees what the summary holds (the info text). */
void tsr_write_summary_clear(TsrWriteSummary *s);

/* Adds one shard's OK packet; first_row is the position in the statement
 * of the first row the router sent to that shard (for statements without
 * rows any order, e.g. the shard number). */
void tsr_write_summary_add(TsrWriteSummary *s, const TsrOkPacket *ok, guint64 first_row);

/* Fills *ok with the packet the client gets; ok->info points into s and is
 * valid until the next call or tsr_write_summary_clear(); session_state
 * is empty. */
void tsr_write_summary_ok(TsrWriteSummary *s, TsrOkPacket *ok);

/* Returns a + b, or 65535 when the sum does not fit the 16-bit warnings
 * field of OK and EOF packets. */
guint16 tsr_merge_add_warnings(guint16 a, guint16 b);

#endif
