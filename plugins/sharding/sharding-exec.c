/* sharding-exec.c: runs what the router decided for a client's command.
 *
 * Every query goes to the session's connection to the primary of its
 * group. Before the first query on a connection, the session state (SET
 * statements) is replayed on it, and inside a transaction the transaction
 * is started on it. A plan of one step is streamed to the client as the
 * backend answers; the answers of several steps are merged (reads) or
 * summed (writes) into one. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-private.h"
#include "core/core-error.h"
#include "core/pump.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"

#define MAX_RESULT_PACKET (1024u * 1024u * 1024u)

void tsr_sharding_command_clear(ShardingCommand *cmd) {
  g_clear_pointer(&cmd->plan, tsr_route_plan_free);
  g_clear_pointer(&cmd->map, tsr_shard_map_unref);
  g_clear_pointer(&cmd->error, g_byte_array_unref);
  g_clear_pointer(&cmd->merger, tsr_merger_free);
  g_clear_pointer(&cmd->columns, g_ptr_array_unref);
  g_clear_pointer(&cmd->rows, g_byte_array_unref);
  if (cmd->summing) tsr_write_summary_clear(&cmd->summary);
  g_clear_pointer(&cmd->preparing, tsr_sharding_stmt_free);
  tsr_sharding_xa_clear(cmd);
  g_free(cmd->xa_xid);
  memset(cmd, 0, sizeof *cmd);
}

void tsr_sharding_queue_text(TsrSession *s, guint backend, gint id, guint8 command, const char *text, gsize len,
                       gboolean buffered) {
  g_autoptr(GByteArray) packet = g_byte_array_sized_new((guint)len + 1);
  g_byte_array_append(packet, &command, 1);
  g_byte_array_append(packet, (const guint8 *)text, (guint)len);
  tsr_session_queue_add_on(s, backend, id, packet->data, packet->len, buffered, FALSE);
}

gboolean tsr_sharding_prologue(TsrSession *s, ShardingSession *ss, guint group, guint backend, gboolean join) {
  guint32 thread = tsr_session_backend_thread_id(s, backend);
  guint64 bit = G_GUINT64_CONSTANT(1) << group;
  if (thread == 0 || ss->replayed[backend] != thread)
    for (guint i = 0; i < ss->replay->len; i++) {
      const char *sql = ss->replay->pdata[i];
      tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_PROLOGUE, backend), TSR_COM_QUERY, sql, strlen(sql), TRUE);
    }
  if (!ss->in_trans || !join) return TRUE;
  if (ss->trans_groups & bit) {
    /* trans_thread is 0 until the start on the group is answered. */
    if (ss->trans_thread[group] == 0 || thread == ss->trans_thread[group]) return TRUE;
    tsr_session_queue_reset(s);
    tsr_sharding_reply_error(s, TSR_ER_BACKEND_LOST, "08S01",
                             "tessera: the connection to backend group %u was lost inside the transaction, which "
                             "was rolled back there; send ROLLBACK and run the transaction again",
                             group + 1);
    return FALSE;
  }
  ss->trans_groups |= bit;
  ss->trans_thread[group] = 0;
  tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_PROLOGUE, backend), TSR_COM_QUERY, ss->begin_sql,
             strlen(ss->begin_sql), TRUE);
  return TRUE;
}

/* ---- statements on shards ---- */

static TsrHookAction run_steps(TsrSession *s, ShardingSession *ss) {
  ShardingCommand *cmd = &ss->cmd;
  const TsrRoutePlan *plan = cmd->plan;
  gboolean single = plan->n_steps == 1;
  for (guint i = 0; i < plan->n_steps; i++) {
    const TsrRouteStep *step = &plan->steps[i];
    guint backend = tsr_sharding_step_backend(s, ss, step->group);
    if (!tsr_sharding_prologue(s, ss, step->group, backend, TRUE)) return TSR_HOOK_SEND_RESULT;
    if (plan->write) ss->wrote_groups |= G_GUINT64_CONSTANT(1) << step->group;
    if (i == 0) ss->last_backend = (gint)backend;
    if (cmd->binary && step->sql_params && cmd->params)
      tsr_sharding_queue_cached_execute(s, ss, backend, i, !single);
    else if (cmd->binary)
      tsr_sharding_queue_execute(s, backend, i, step->sql, step->sql_len, !single);
    else
      tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_STEP, i), TSR_COM_QUERY, step->sql, step->sql_len,
                              !single);
    g_atomic_pointer_add(&cmd->counters[step->group].queries, 1);
  }
  cmd->pending = plan->n_steps;
  /* Steps without a shard are copies (broadcast tables): one counts. */
  cmd->copies = plan->n_steps > 1 && plan->steps[0].shard < 0;
  if (!single && !plan->merge) {
    tsr_write_summary_init(&cmd->summary);
    cmd->summing = TRUE;
  }
  ss->last_group = (gint)plan->steps[0].group;
  return TSR_HOOK_SEND_QUERY;
}

/* SHOW WARNINGS and the like: where the previous statement ran. */
static TsrHookAction run_last(TsrSession *s, ShardingSession *ss, const guint *group_backend) {
  ShardingCommand *cmd = &ss->cmd;
  guint group = ss->last_group >= 0 ? (guint)ss->last_group : tsr_shard_map_default_group(cmd->map);
  guint backend = ss->last_backend >= 0 ? (guint)ss->last_backend : group_backend[group];
  if (tsr_sharding_answer_last(s, ss)) return TSR_HOOK_SEND_RESULT;
  if (!tsr_sharding_prologue(s, ss, group, backend, TRUE)) return TSR_HOOK_SEND_RESULT;
  if (cmd->binary)
    tsr_sharding_queue_execute(s, backend, 0, cmd->plan->sql, cmd->plan->sql_len, FALSE);
  else
    tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_STEP, 0), TSR_COM_QUERY, cmd->plan->sql,
                            cmd->plan->sql_len, FALSE);
  cmd->pending = 1;
  return TSR_HOOK_SEND_QUERY;
}

/* ---- session state ---- */

/* Returns what a SET statement makes autocommit: 0 (off), 1 (on), or -1
 * when it does not set it. */
static gint autocommit_value(const char *sql, gsize len) {
  g_autofree char *lower = g_ascii_strdown(sql, (gssize)len);
  const char *p = strstr(lower, "autocommit");
  if (!p) return -1;
  p += strlen("autocommit");
  while (g_ascii_isspace(*p)) p++;
  if (*p == ':') p++;
  if (*p != '=') return -1;
  p++;
  while (g_ascii_isspace(*p) || *p == '\'' || *p == '"') p++;
  if (*p == '0' || g_str_has_prefix(p, "off") || g_str_has_prefix(p, "false")) return 0;
  if (*p == '1' || g_str_has_prefix(p, "on") || g_str_has_prefix(p, "true")) return 1;
  return -1;
}

/* Starts the transaction that autocommit = 0 keeps open. */
static void begin_implicit(ShardingSession *ss) {
  ss->in_trans = TRUE;
  ss->trans_groups = 0;
  g_free(ss->begin_sql);
  ss->begin_sql = g_strdup("BEGIN");
  tsr_sharding_xa_begin(ss, ss->begin_sql);
}

/* SET and USE go to every connection the session holds (the default
 * group's when it holds none); the first answer is the client's. */
static TsrHookAction run_session(TsrSession *s, ShardingSession *ss, const guint *group_backend) {
  ShardingCommand *cmd = &ss->cmd;
  guint n = 0;
  if (autocommit_value(cmd->plan->sql, cmd->plan->sql_len) == 1 && ss->autocommit_off && ss->trans_groups) {
    tsr_sharding_reply_error(s, 1235, "42000",
                             "tessera: end the transaction with COMMIT or ROLLBACK before SET autocommit = 1 "
                             "(it spans several groups)");
    return TSR_HOOK_SEND_RESULT;
  }
  for (guint g = 0; g < tsr_shard_map_n_groups(cmd->map); g++) {
    guint backend = group_backend[g];
    if (tsr_session_backend_thread_id(s, backend) == 0 && !(n == 0 && g == tsr_shard_map_default_group(cmd->map)))
      continue;
    if (!tsr_sharding_prologue(s, ss, g, backend, FALSE)) return TSR_HOOK_SEND_RESULT;
    tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_SESSION, n), TSR_COM_QUERY, cmd->plan->sql, cmd->plan->sql_len,
               TRUE);
    n++;
  }
  if (n == 0) {
    guint g = tsr_shard_map_default_group(cmd->map);
    tsr_sharding_queue_text(s, group_backend[g], SHARDING_ID(SHARDING_Q_SESSION, 0), TSR_COM_QUERY, cmd->plan->sql,
               cmd->plan->sql_len, TRUE);
    n = 1;
  }
  cmd->pending = n;
  return TSR_HOOK_SEND_QUERY;
}

/* ---- transactions ---- */

typedef enum { TRANS_BEGIN, TRANS_END, TRANS_OTHER } TransVerb;

/* Tells BEGIN / START TRANSACTION, COMMIT / ROLLBACK, and the rest
 * (SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO) apart. */
static TransVerb trans_verb(const char *sql) {
  g_auto(GStrv) words = g_strsplit_set(sql, " \t\r\n", 4);
  guint n = 0;
  const char *w[3] = {"", "", ""};
  for (char **p = words; *p && n < 3; p++)
    if (**p) w[n++] = *p;
  if (g_ascii_strcasecmp(w[0], "BEGIN") == 0 || g_ascii_strcasecmp(w[0], "START") == 0) return TRANS_BEGIN;
  if (g_ascii_strcasecmp(w[0], "COMMIT") == 0) return TRANS_END;
  if (g_ascii_strcasecmp(w[0], "ROLLBACK") == 0) {
    const char *next = g_ascii_strcasecmp(w[1], "WORK") == 0 ? w[2] : w[1];
    return g_ascii_strcasecmp(next, "TO") == 0 ? TRANS_OTHER : TRANS_END;
  }
  return TRANS_OTHER;
}

/* Sends sql to every group the transaction reached; END answers are
 * summed into one OK (the first error wins). Returns how many. */
static guint queue_on_trans_groups(TsrSession *s, ShardingSession *ss, const guint *group_backend, const char *sql,
                                   gsize len) {
  guint n = 0;
  for (guint g = 0; g < tsr_shard_map_n_groups(ss->cmd.map); g++)
    if (ss->trans_groups & (G_GUINT64_CONSTANT(1) << g)) {
      tsr_sharding_queue_text(s, group_backend[g], SHARDING_ID(SHARDING_Q_END, n), TSR_COM_QUERY, sql, len, TRUE);
      tsr_session_queue_pin_last(s);
      n++;
    }
  return n;
}

/* Ends the transaction under way: COMMIT (commit TRUE) or ROLLBACK on every
 * group it reached, with XA when it is an XA one. Returns the queries
 * queued. */
static guint end_transaction(TsrSession *s, ShardingSession *ss, const guint *group_backend, gboolean commit,
                             const char *sql, gsize len) {
  guint n = ss->xid ? tsr_sharding_xa_end(s, ss, commit)
                    : queue_on_trans_groups(s, ss, group_backend, sql ? sql : "COMMIT", sql ? len : 6);
  ss->in_trans = FALSE;
  ss->trans_groups = 0;
  g_clear_pointer(&ss->xid, g_free);
  if (ss->autocommit_off) begin_implicit(ss);
  return n;
}

static TsrHookAction run_transaction(TsrSession *s, ShardingSession *ss, const guint *group_backend) {
  ShardingCommand *cmd = &ss->cmd;
  TransVerb verb = trans_verb(cmd->plan->sql);
  guint n = 0;
  if (verb == TRANS_BEGIN) {
    /* A BEGIN inside a transaction commits it first, as on one server. */
    if (ss->in_trans) n = end_transaction(s, ss, group_backend, TRUE, NULL, 0);
    ss->in_trans = TRUE;
    ss->trans_groups = 0;
    g_free(ss->begin_sql);
    ss->begin_sql = g_strndup(cmd->plan->sql, cmd->plan->sql_len);
    tsr_sharding_xa_begin(ss, ss->begin_sql);
  } else if (verb == TRANS_END) {
    gboolean commit = g_ascii_strncasecmp(cmd->plan->sql, "COMMIT", 6) == 0;
    n = end_transaction(s, ss, group_backend, commit, cmd->plan->sql, cmd->plan->sql_len);
  } else {
    if (ss->in_trans && ss->trans_groups == 0) {
      guint g = tsr_shard_map_default_group(cmd->map);
      if (!tsr_sharding_prologue(s, ss, g, group_backend[g], TRUE)) return TSR_HOOK_SEND_RESULT;
    }
    n = queue_on_trans_groups(s, ss, group_backend, cmd->plan->sql, cmd->plan->sql_len);
  }
  if (n == 0) return tsr_sharding_finish(s, ss); /* an OK, or why the transaction was rolled back */
  if (!cmd->xa_phase) cmd->pending = n;
  return TSR_HOOK_SEND_QUERY;
}

TsrHookAction tsr_sharding_run_plan(TsrSession *s, ShardingSession *ss) {
  ShardingCommand *cmd = &ss->cmd;
  switch (cmd->plan->kind) {
  case TSR_ROUTE_SHARDS:
    return run_steps(s, ss);
  case TSR_ROUTE_SESSION:
    return run_session(s, ss, cmd->group_backend);
  case TSR_ROUTE_TRANSACTION:
    return run_transaction(s, ss, cmd->group_backend);
  case TSR_ROUTE_LAST:
    return run_last(s, ss, cmd->group_backend);
  case TSR_ROUTE_LOCAL:
  default:
    tsr_sharding_reply_error(s, 1235, "42000",
                             "tessera: %.*s is not supported with sharding yet; close the connection instead",
                             (int)MIN(cmd->plan->sql_len, 64), cmd->plan->sql);
    return TSR_HOOK_SEND_RESULT;
  }
}

gboolean tsr_sharding_route(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const char *sql, gsize len,
                            const TsrValue *params, guint n_params, gboolean describe) {
  ShardingCommand *cmd = &ss->cmd;
  g_autoptr(GError) error = NULL;
  TsrRouteInput in = {0};
  guint16 code;
  const char *sqlstate;

  cmd->map = tsr_sharding_map(w->plugin, &cmd->group_backend, &cmd->counters);
  cmd->n_groups = tsr_shard_map_n_groups(cmd->map);
  in.map = cmd->map;
  in.default_db = tsr_session_default_db(s);
  in.prefer_group = -1;
  in.params = params;
  in.n_params = n_params;
  in.describe = describe;
  cmd->plan = tsr_route_query(&in, sql, len, &error);
  if (cmd->plan) return describe || tsr_sharding_read_route(w, s, ss, sql, len, params ? (gint)n_params : -1);
  tsr_router_error_code(error, &code, &sqlstate);
  tsr_sharding_reply_error(s, code, sqlstate, "%s", error->message);
  return FALSE;
}

static TsrHookAction run_query(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const char *sql, gsize len) {
  if (!tsr_sharding_route(w, s, ss, sql, len, NULL, 0, FALSE)) return TSR_HOOK_SEND_RESULT;
  return tsr_sharding_run_plan(s, ss);
}

/* COM_INIT_DB is USE `db`. */
static TsrHookAction run_init_db(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *db, gsize len) {
  GString *sql = g_string_new("USE `");
  for (gsize i = 0; i < len; i++) {
    if (db[i] == '`') g_string_append_c(sql, '`');
    g_string_append_c(sql, (char)db[i]);
  }
  g_string_append_c(sql, '`');
  TsrHookAction action = run_query(w, s, ss, sql->str, sql->len);
  g_string_free(sql, TRUE);
  return action;
}

static TsrHookAction dispatch(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                              gsize len) {
  switch (packet[0]) {
  case TSR_COM_QUERY:
    return run_query(w, s, ss, (const char *)packet + 1, len - 1);
  case TSR_COM_INIT_DB:
    return run_init_db(w, s, ss, packet + 1, len - 1);
  case TSR_COM_PING:
    tsr_sharding_reply_ok(s, 0, 0, 0, ss->in_trans, NULL);
    return TSR_HOOK_SEND_RESULT;
  case TSR_COM_QUIT:
    return TSR_HOOK_DEFAULT;
  case TSR_COM_CHANGE_USER:
    tsr_sharding_reply_error(s, 1235, "42000",
                             "tessera: COM_CHANGE_USER is not supported with sharding; open a new connection as "
                             "the other user");
    return TSR_HOOK_SEND_RESULT;
  default:
    return tsr_sharding_stmt_command(w, s, ss, packet, len);
  }
}

TsrHookAction tsr_sharding_command(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                   gsize len) {
  TsrHookAction action;
  tsr_sharding_command_clear(&ss->cmd);
  action = dispatch(w, s, ss, packet, len);
  if (action == TSR_HOOK_SEND_QUERY) tsr_sharding_close_statements(s, ss);
  return action;
}

/* ---- answers ---- */

/* Notes which connection answered: it has the session's state, and inside
 * a transaction it is the one the transaction runs on. */
static void note_connection(TsrSession *s, ShardingSession *ss, const TsrInjection *inj) {
  guint32 thread = tsr_session_server_thread_id(s);
  const TsrBackend *b = tsr_session_backend(s);
  if (!b || b->index >= ss->n_backends) return;
  ss->replayed[b->index] = thread;
  for (guint g = 0; ss->in_trans && g < ss->cmd.n_groups; g++)
    if (ss->cmd.group_backend[g] == b->index && (ss->trans_groups & (G_GUINT64_CONSTANT(1) << g)) &&
        ss->trans_thread[g] == 0 && !inj->tracker.error_seen)
      ss->trans_thread[g] = thread;
}

/* Takes the first packet of a buffered answer (an ERR's payload). */
static GByteArray *first_packet(TsrInjection *inj) {
  GByteArray *payload = g_byte_array_new();
  guint8 first, last;
  if (!inj->result ||
      tsr_evbuffer_take_packet(inj->result, MAX_RESULT_PACKET, payload, &first, &last, NULL) != TSR_DECODE_OK)
    g_byte_array_set_size(payload, 0);
  return payload;
}

TsrHookAction tsr_sharding_finish(TsrSession *s, ShardingSession *ss) {
  ShardingCommand *cmd = &ss->cmd;
  TsrOkPacket ok;
  tsr_session_queue_reset(s);
  if (cmd->error && cmd->error->len) {
    ss->row_count = -1;
    tsr_sharding_reply_raw(s, cmd->error);
  } else if (cmd->merger) {
    ss->row_count = -1;
    tsr_sharding_reply_resultset(s, cmd, ss->in_trans);
  } else if (cmd->summing) {
    tsr_write_summary_ok(&cmd->summary, &ok);
    tsr_sharding_note_ok(ss, ok.affected_rows, ok.last_insert_id);
    g_autofree char *info = g_strndup((const char *)ok.info.data, ok.info.len);
    tsr_sharding_reply_ok(s, ok.affected_rows, ok.last_insert_id, ok.warnings, ss->in_trans, info);
  } else {
    tsr_sharding_reply_ok(s, 0, 0, 0, ss->in_trans, NULL);
  }
  tsr_sharding_command_clear(cmd);
  return TSR_HOOK_SEND_RESULT;
}

void tsr_sharding_keep_error(ShardingCommand *cmd, TsrInjection *inj) {
  if (inj->lost) {
    tsr_sharding_set_error(cmd, TSR_ER_BACKEND_LOST, "08S01",
                           "tessera: lost the connection to a backend during the statement; it may or may not have "
                           "run there: check before retrying");
    return;
  }
  GByteArray *payload = first_packet(inj);
  if (cmd->error || payload->len == 0 || payload->data[0] != TSR_PACKET_ERR)
    g_byte_array_unref(payload);
  else
    cmd->error = payload;
}

static TsrHookAction prologue_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  if (!inj->tracker.error_seen) return TSR_HOOK_IGNORE_RESULT;
  tsr_sharding_keep_error(&ss->cmd, inj);
  return tsr_sharding_finish(s, ss);
}

static TsrHookAction session_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  ShardingCommand *cmd = &ss->cmd;
  gboolean first = SHARDING_ID_INDEX(inj->id) == 0;
  if (first && !inj->tracker.error_seen) {
    gint autocommit = autocommit_value(cmd->plan->sql, cmd->plan->sql_len);
    if (autocommit == 0 && !ss->autocommit_off) {
      ss->autocommit_off = TRUE;
      if (!ss->in_trans) begin_implicit(ss);
    } else if (autocommit == 1 && ss->autocommit_off) {
      ss->autocommit_off = FALSE;
      ss->in_trans = FALSE;
      g_clear_pointer(&ss->xid, g_free);
    }
    if (cmd->plan->use_db)
      tsr_session_set_default_db(s, cmd->plan->use_db);
    else if (ss->replay->len < SHARDING_MAX_REPLAY)
      g_ptr_array_add(ss->replay, g_strndup(cmd->plan->sql, cmd->plan->sql_len));
    else
      g_warning("client %s: more than %u SET statements in one session; later connections will miss some",
                tsr_session_client_name(s), SHARDING_MAX_REPLAY);
  }
  if (--cmd->pending == 0 && !first) {
    tsr_sharding_command_clear(cmd);
    return TSR_HOOK_IGNORE_RESULT;
  }
  return first ? TSR_HOOK_DEFAULT : TSR_HOOK_IGNORE_RESULT;
}

static TsrHookAction end_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  if (inj->tracker.error_seen) tsr_sharding_keep_error(&ss->cmd, inj);
  if (--ss->cmd.pending > 0) return TSR_HOOK_IGNORE_RESULT;
  return tsr_sharding_finish(s, ss);
}

TsrHookAction tsr_sharding_result(ShardingWorker *w, TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  (void)w;
  note_connection(s, ss, inj);
  if (!ss->cmd.plan) return TSR_HOOK_IGNORE_RESULT; /* the command ended: an answer that was on the wire */
  switch (SHARDING_ID_KIND(inj->id)) {
  case SHARDING_Q_PROLOGUE:
    return prologue_result(s, ss, inj);
  case SHARDING_Q_SESSION:
    return session_result(s, ss, inj);
  case SHARDING_Q_END:
    return end_result(s, ss, inj);
  case SHARDING_Q_PREPARE:
    return tsr_sharding_prepare_result(s, ss, inj);
  case SHARDING_Q_XA:
    return tsr_sharding_xa_result(s, ss, inj);
  case SHARDING_Q_STEP_PREPARE:
    if (!inj->tracker.error_seen) {
      tsr_sharding_note_step_statement(s, ss, inj);
      return TSR_HOOK_IGNORE_RESULT;
    }
    tsr_sharding_keep_error(&ss->cmd, inj);
    return tsr_sharding_finish(s, ss);
  case SHARDING_Q_STEP:
  default:
    if (inj->lost) {
      tsr_sharding_keep_error(&ss->cmd, inj);
      return tsr_sharding_finish(s, ss);
    }
    if (inj->tracker.error_seen && ss->cmd.plan && ss->cmd.plan->kind == TSR_ROUTE_SHARDS)
      g_atomic_pointer_add(&ss->cmd.counters[ss->cmd.plan->steps[SHARDING_ID_INDEX(inj->id)].group].errors, 1);
    if (inj->streamed) {
      if (ss->cmd.plan->kind == TSR_ROUTE_SHARDS) tsr_sharding_note_answer(ss, inj);
      return TSR_HOOK_DEFAULT;
    }
    if (tsr_sharding_step_answer(s, &ss->cmd, inj) || --ss->cmd.pending == 0) return tsr_sharding_finish(s, ss);
    return TSR_HOOK_IGNORE_RESULT;
  }
}
