/* sharding-xa.c: transactions over several groups, committed with XA.
 *
 * A transaction that starts with BEGIN or START TRANSACTION starts on each
 * group it reaches as XA START 'gtrid'. COMMIT then ends it:
 *   - one group:  XA END, XA COMMIT ... ONE PHASE (no log, no prepare);
 *   - several:    XA END and XA PREPARE on each; when all are prepared the
 *                 decision is written to the decision log (durable), then
 *                 XA COMMIT on each. A failed PREPARE rolls back every
 *                 branch. A group that does not confirm its COMMIT keeps
 *                 the decision in the log; the resolver commits its branch
 *                 when it answers again, and tessera's start-up recovery
 *                 (xa-recover.h) settles what a crash left prepared.
 * ROLLBACK is XA END and XA ROLLBACK on each group. */
#define G_LOG_DOMAIN "sharding"
#include <stdlib.h>
#include <string.h>

#include "sharding-private.h"
#include "core/core-error.h"
#include "protocol/mysql-constants.h"
#include "xa-log.h"

typedef enum {
  XA_PHASE_NONE = 0,
  XA_PHASE_PREPARE,    /* XA END + XA PREPARE on every group */
  XA_PHASE_COMMIT,     /* XA COMMIT on every group, after the decision */
  XA_PHASE_ONE,        /* XA END + XA COMMIT ONE PHASE on the only group */
  XA_PHASE_ROLLBACK,   /* XA ROLLBACK (after XA END) on every group */
} XaPhase;

/* Test failpoints, from TESSERA_XA_FAILPOINT: stop tessera right after
 * every branch is prepared, or right after the decision is written, or
 * pause there for some milliseconds. */
static void failpoint(const char *where) {
  const char *fp = g_getenv("TESSERA_XA_FAILPOINT");
  gsize n = strlen(where);
  if (!fp || strncmp(fp, where, n) != 0) return;
  if (fp[n] == '\0') {
    g_warning("TESSERA_XA_FAILPOINT=%s: stopping tessera now", fp);
    _exit(99);
  }
  if (fp[n] == ':') g_usleep((gulong)g_ascii_strtoull(fp + n + 1, NULL, 10) * 1000);
}

gboolean tsr_sharding_xa_begin(ShardingSession *ss, const char *begin_sql) {
  ShardingPlugin *p = ss->worker->plugin;
  g_autofree char *plain = g_ascii_strdown(begin_sql, -1);
  g_strstrip(plain);
  g_clear_pointer(&ss->xid, g_free);
  if (!p->xa_log || ss->cmd.n_groups < 2) return FALSE;
  if (strcmp(plain, "begin") != 0 && strcmp(plain, "begin work") != 0 && strcmp(plain, "start transaction") != 0)
    return FALSE; /* READ ONLY, WITH CONSISTENT SNAPSHOT: plain transactions */
  ss->xid = tsr_xa_xid_new(p->proxy_id, (guint64)g_atomic_pointer_add(&p->xa_counter, 1));
  g_free(ss->begin_sql);
  ss->begin_sql = g_strdup_printf("XA START '%s'", ss->xid);
  return TRUE;
}

/* Takes out of cmd->xa_groups the groups whose connection of the
 * transaction is gone (the server then dropped its branch, or keeps it
 * prepared for the resolver). Returns the names of those groups, or NULL. */
static char *drop_lost_groups(TsrSession *s, ShardingSession *ss) {
  ShardingCommand *cmd = &ss->cmd;
  GString *lost = NULL;
  for (guint g = 0; g < cmd->n_groups; g++) {
    guint64 bit = G_GUINT64_CONSTANT(1) << g;
    guint32 thread = tsr_session_backend_thread_id(s, cmd->group_backend[g]);
    if (!(cmd->xa_groups & bit) || (thread != 0 && (!ss->trans_thread[g] || thread == ss->trans_thread[g])))
      continue;
    cmd->xa_groups &= ~bit;
    if (!lost) lost = g_string_new(NULL);
    g_string_append_printf(lost, "%s%s", lost->len ? ", " : "", tsr_shard_map_group(cmd->map, g)->name);
  }
  return lost ? g_string_free(lost, FALSE) : NULL;
}

/* Queues `verb` (with `suffix`) for the transaction's xid on each of its
 * groups, each right behind XA END on the same connection (one round trip)
 * when `after_end`. Returns how many statements. */
static guint queue_xa_on_groups(TsrSession *s, ShardingSession *ss, gboolean after_end, const char *verb,
                                const char *suffix) {
  ShardingCommand *cmd = &ss->cmd;
  guint n = 0;
  for (guint g = 0; g < cmd->n_groups; g++) {
    if (!(cmd->xa_groups & (G_GUINT64_CONSTANT(1) << g))) continue;
    for (guint k = after_end ? 0 : 1; k < 2; k++) {
      g_autofree char *sql = g_strdup_printf("XA %s '%s'%s", k == 0 ? "END" : verb, cmd->xa_xid, k == 0 ? "" : suffix);
      tsr_sharding_queue_text(s, cmd->group_backend[g], SHARDING_ID(SHARDING_Q_XA, g), TSR_COM_QUERY, sql,
                              strlen(sql), TRUE);
      tsr_session_queue_pin_last(s); /* a branch lives on its connection */
      if (k == 1 && after_end) tsr_session_queue_pipeline_last(s);
      n++;
    }
  }
  return n;
}

/* The same without XA END. */
static guint queue_xa(TsrSession *s, ShardingSession *ss, const char *verb, const char *suffix) {
  return queue_xa_on_groups(s, ss, FALSE, verb, suffix);
}

guint tsr_sharding_xa_end(TsrSession *s, ShardingSession *ss, gboolean commit) {
  ShardingCommand *cmd = &ss->cmd;
  g_autofree char *lost = NULL;
  guint groups;
  g_free(cmd->xa_xid);
  cmd->xa_xid = g_steal_pointer(&ss->xid);
  cmd->xa_groups = ss->trans_groups;
  lost = drop_lost_groups(s, ss);
  if (lost && commit) {
    g_autofree char *message = g_strdup_printf(
      "tessera: the connection to group %s was lost during the transaction, which the server rolled back there; "
      "the whole transaction is rolled back: run it again",
      lost);
    tsr_sharding_set_error(cmd, TSR_ER_BACKEND_LOST, "08S01", message);
    commit = FALSE;
  }
  groups = (guint)__builtin_popcountll(cmd->xa_groups);
  if (groups == 0) return 0;
  if (!commit) {
    cmd->xa_phase = XA_PHASE_ROLLBACK;
    cmd->pending = queue_xa_on_groups(s, ss, TRUE, "ROLLBACK", "");
  } else if (groups == 1) {
    cmd->xa_phase = XA_PHASE_ONE;
    cmd->pending = queue_xa_on_groups(s, ss, TRUE, "COMMIT", " ONE PHASE");
  } else {
    cmd->xa_phase = XA_PHASE_PREPARE;
    cmd->pending = queue_xa_on_groups(s, ss, TRUE, "PREPARE", "");
  }
  return cmd->pending;
}

/* The resolver leaves alone the decisions sessions are still carrying out. */
static void set_inflight(ShardingCommand *cmd, ShardingPlugin *p, gboolean on) {
  g_mutex_lock(&p->lock);
  if (on)
    g_hash_table_add(p->xa_inflight, g_strdup(cmd->xa_xid));
  else
    g_hash_table_remove(p->xa_inflight, cmd->xa_xid);
  g_mutex_unlock(&p->lock);
  cmd->xa_plugin = on ? p : NULL;
}

void tsr_sharding_xa_clear(ShardingCommand *cmd) {
  if (cmd->xa_plugin) set_inflight(cmd, cmd->xa_plugin, FALSE);
}

/* Writes the decision; FALSE (the client's error kept) when it cannot. */
static gboolean write_decision(ShardingSession *ss) {
  ShardingCommand *cmd = &ss->cmd;
  ShardingPlugin *p = ss->worker->plugin;
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  for (guint g = 0; g < cmd->n_groups; g++)
    if (cmd->xa_groups & (G_GUINT64_CONSTANT(1) << g))
      g_ptr_array_add(names, (gpointer)tsr_shard_map_group(cmd->map, g)->name);
  g_ptr_array_add(names, NULL);
  if (tsr_xa_log_commit(p->xa_log, cmd->xa_xid, (const char *const *)names->pdata, &error)) return TRUE;
  g_warning("XA %s: %s", cmd->xa_xid, error->message);
  g_autofree char *message = g_strdup_printf(
    "tessera: the commit decision could not be written to the XA log (%s); the transaction was rolled back",
    error->message);
  tsr_sharding_set_error(cmd, TSR_ER_XA_LOG, "HY000", message);
  return FALSE;
}

/* Every branch answered its XA END and XA PREPARE: commit or roll back.
 * Returns FALSE when no group is left to tell. */
static gboolean prepared(TsrSession *s, ShardingSession *ss) {
  ShardingCommand *cmd = &ss->cmd;
  if (!cmd->error) {
    failpoint("crash-after-prepare");
    set_inflight(cmd, ss->worker->plugin, TRUE);
    if (write_decision(ss)) {
      g_autofree char *lost = NULL;
      failpoint("crash-after-decision");
      failpoint("pause-after-decision");
      cmd->xa_phase = XA_PHASE_COMMIT;
      if ((lost = drop_lost_groups(s, ss))) {
        g_warning("client %s: XA %s is decided committed but the connection to group %s is gone; its branch is "
                  "committed when the group answers again",
                  tsr_session_client_name(s), cmd->xa_xid, lost);
        cmd->xa_failed = TRUE;
      }
      cmd->pending = queue_xa(s, ss, "COMMIT", "");
      return cmd->pending > 0;
    }
    set_inflight(cmd, ss->worker->plugin, FALSE);
  }
  cmd->xa_phase = XA_PHASE_ROLLBACK;
  cmd->pending = queue_xa(s, ss, "ROLLBACK", "");
  return cmd->pending > 0;
}

TsrHookAction tsr_sharding_xa_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  ShardingCommand *cmd = &ss->cmd;
  gboolean failed = inj->tracker.error_seen;
  if (failed && cmd->xa_phase != XA_PHASE_COMMIT) tsr_sharding_keep_error(cmd, inj);
  if (failed && cmd->xa_phase == XA_PHASE_COMMIT)
    g_warning("client %s: XA %s is decided committed but group %s did not confirm its COMMIT; it is committed "
              "when the group answers again",
              tsr_session_client_name(s), cmd->xa_xid, tsr_shard_map_group(cmd->map, SHARDING_ID_INDEX(inj->id))->name);
  if (failed) cmd->xa_failed = TRUE;
  if (--cmd->pending > 0) return TSR_HOOK_IGNORE_RESULT;
  if (cmd->xa_phase == XA_PHASE_PREPARE && prepared(s, ss)) return TSR_HOOK_IGNORE_RESULT;
  if (cmd->xa_phase == XA_PHASE_COMMIT && !cmd->xa_failed) tsr_xa_log_done(ss->worker->plugin->xa_log, cmd->xa_xid);
  tsr_sharding_xa_clear(cmd);
  return tsr_sharding_finish(s, ss);
}
