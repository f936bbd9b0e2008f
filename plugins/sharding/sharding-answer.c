/* sharding-answer.c: the buffered answer of one step of a plan, read packet
 * by packet: an OK goes into the write summary, a result set's rows into
 * the merger, an ERR becomes the command's error. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-private.h"
#include "core/pump.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"

#define MAX_RESULT_PACKET (1024u * 1024u * 1024u)

/* What one step's answer holds while it is read. */
typedef struct {
  TsrSession *s;
  ShardingCommand *cmd;
  struct evbuffer *in;
  guint step;
  GByteArray *payload;             /* the packet just taken */
} Answer;

void tsr_sharding_set_error(ShardingCommand *cmd, guint16 code, const char *sqlstate, const char *message) {
  if (cmd->error) return;
  cmd->error = g_byte_array_new();
  tsr_err_encode(cmd->error, code, sqlstate, message);
}

/* Takes the next packet of the answer. FALSE when it is cut short. */
static gboolean next_packet(Answer *a) {
  guint8 first, last;
  if (tsr_evbuffer_take_packet(a->in, MAX_RESULT_PACKET, a->payload, &first, &last, NULL) == TSR_DECODE_OK)
    return TRUE;
  tsr_sharding_set_error(a->cmd, 9003, "08S01", "tessera: a shard's answer was cut short");
  return FALSE;
}

/* TRUE for the packet that ends the rows (EOF, or OK with the EOF header). */
static gboolean is_end_of_rows(const GByteArray *p) {
  return p->len > 0 && p->data[0] == TSR_PACKET_EOF && p->len < 0xFFFFFF;
}

static gboolean is_error(Answer *a) {
  if (a->payload->len == 0 || a->payload->data[0] != TSR_PACKET_ERR) return FALSE;
  if (!a->cmd->error) a->cmd->error = g_byte_array_ref(a->payload);
  return TRUE;
}

/* The warnings of the packet that ends the rows. */
static guint16 end_warnings(Answer *a) {
  guint32 caps = tsr_session_capabilities(a->s);
  TsrOkPacket ok;
  TsrEofPacket eof;
  if (!(caps & TSR_CLIENT_DEPRECATE_EOF))
    return tsr_eof_decode(a->payload->data, a->payload->len, &eof, NULL) == TSR_DECODE_OK ? eof.warnings : 0;
  return tsr_ok_decode(a->payload->data, a->payload->len, caps, &ok, NULL) == TSR_DECODE_OK ? ok.warnings : 0;
}

static gboolean write_answer(Answer *a) {
  ShardingCommand *cmd = a->cmd;
  TsrOkPacket ok;
  if (tsr_ok_decode(a->payload->data, a->payload->len, tsr_session_capabilities(a->s), &ok, NULL) != TSR_DECODE_OK) {
    tsr_sharding_set_error(cmd, 9003, "08S01", "tessera: a shard sent an OK packet tessera cannot read");
    return TRUE;
  }
  if (!cmd->summing) {
    tsr_write_summary_init(&cmd->summary);
    cmd->summing = TRUE;
  }
  if (cmd->copies && a->step > 0) return FALSE; /* the same change on another copy */
  tsr_write_summary_add(&cmd->summary, &ok, cmd->plan->steps[a->step].first_row);
  return FALSE;
}

/* Starts the merger on the first shard's columns, or checks that a later
 * shard's columns are the same. */
static gboolean merger_columns(Answer *a, const TsrColumnDef *defs, guint n) {
  ShardingCommand *cmd = a->cmd;
  g_autoptr(GError) error = NULL;
  const TsrMergeSpec *spec;
  if (cmd->merger) {
    if (tsr_merger_check_columns(cmd->merger, a->step, defs, n, &error)) return TRUE;
  } else if (!cmd->plan->merge) {
    g_set_error(&error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED,
                "tessera: this statement returns rows from several groups that tessera cannot combine");
  } else if ((spec = tsr_route_plan_merge_spec(cmd->plan, n, &error))) {
    cmd->merger = tsr_merger_new(spec, cmd->plan->n_steps, cmd->binary ? TSR_MERGE_BINARY : TSR_MERGE_TEXT, defs,
                                 tsr_sharding_emit_row, cmd, &error);
    if (cmd->merger) return TRUE;
  }
  tsr_sharding_set_error(cmd, 1235, "42000", error->message);
  return FALSE;
}

/* Reads the column definitions of a result set of n columns. */
static gboolean read_columns(Answer *a, guint64 n) {
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
  g_autofree TsrColumnDef *defs = g_new0(TsrColumnDef, MAX(n, 1));
  for (guint64 i = 0; i < n; i++) {
    if (!next_packet(a)) return FALSE;
    g_ptr_array_add(packets, g_byte_array_ref(a->payload));
    /* The next packet replaces a->payload: keep this one's bytes. */
    g_byte_array_unref(a->payload);
    a->payload = g_byte_array_new();
    const GByteArray *p = packets->pdata[i];
    if (tsr_column_def_decode(p->data, p->len, 0, &defs[i], NULL) != TSR_DECODE_OK) {
      tsr_sharding_set_error(a->cmd, 9003, "08S01", "tessera: a shard sent a column definition tessera cannot read");
      return FALSE;
    }
  }
  if (!(tsr_session_capabilities(a->s) & TSR_CLIENT_DEPRECATE_EOF) && !next_packet(a)) return FALSE;
  return merger_columns(a, defs, (guint)n);
}

/* Feeds the rows; returns TRUE when the command ends now. */
static gboolean feed_rows(Answer *a) {
  ShardingCommand *cmd = a->cmd;
  g_autoptr(GError) error = NULL;
  TsrMergeStatus status;
  for (;;) {
    if (!next_packet(a) || is_error(a)) return TRUE;
    if (is_end_of_rows(a->payload)) break;
    status = tsr_merger_feed(cmd->merger, a->step, a->payload->data, a->payload->len, &error);
    if (status == TSR_MERGE_ENOUGH) return TRUE;
    if (status == TSR_MERGE_FAILED) goto failed;
  }
  cmd->warnings = tsr_merge_add_warnings(cmd->warnings, end_warnings(a));
  status = tsr_merger_shard_done(cmd->merger, a->step, &error);
  if (status != TSR_MERGE_FAILED) return status != TSR_MERGE_CONTINUE;
failed:
  tsr_sharding_set_error(cmd, 1235, "42000", error->message);
  return TRUE;
}

gboolean tsr_sharding_step_answer(TsrSession *s, ShardingCommand *cmd, TsrInjection *inj) {
  Answer a = {s, cmd, inj->result, SHARDING_ID_INDEX(inj->id), g_byte_array_new()};
  guint64 n_columns;
  gboolean metadata;
  gboolean stop;

  if (!a.in || !next_packet(&a) || is_error(&a)) {
    stop = TRUE;
  } else if (a.payload->data[0] == TSR_PACKET_OK) {
    stop = write_answer(&a);
  } else if (tsr_column_count_decode(a.payload->data, a.payload->len, &n_columns, &metadata, NULL) !=
             TSR_DECODE_OK) {
    tsr_sharding_set_error(cmd, 9003, "08S01", "tessera: a shard sent an answer tessera cannot read");
    stop = TRUE;
  } else {
    stop = !read_columns(&a, n_columns) || feed_rows(&a);
  }
  g_byte_array_unref(a.payload);
  return stop;
}
