/* sharding-stmt.c: prepared statements over shards.
 *
 * tessera keeps the client's statements itself. COM_STMT_PREPARE is
 * described by one shard: the statement is routed as if its key parameters
 * placed it on shard 0, prepared there, and the answer (columns,
 * parameters) goes to the client under tessera's own statement id. Each
 * COM_STMT_EXECUTE is routed by its bound values; every step runs as
 * COM_STMT_PREPARE + COM_STMT_EXECUTE of statement -1 (the one just
 * prepared), so that the rows come back in the binary protocol the client
 * expects; those backend statements are closed before the next command. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-private.h"
#include "core/pump.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"
#include "protocol/mysql-stmt.h"
#include "sql/sql-parser.h"

#define MAX_PREPARE_PACKET (16u * 1024u * 1024u)
#define DESCRIBE_HINT "/* tessera: shard=0 */ "
#define MAX_CACHED_STATEMENTS 32u

void tsr_sharding_stmt_free(gpointer data) {
  ShardingStmt *st = data;
  if (!st) return;
  for (guint i = 0; st->long_data && i < st->n_params; i++)
    if (st->long_data[i]) g_byte_array_unref(st->long_data[i]);
  g_free(st->long_data);
  g_free(st->types);
  g_free(st->sql);
  g_free(st);
}

/* Drops the COM_STMT_SEND_LONG_DATA bytes of a statement. */
static void clear_long_data(ShardingStmt *st) {
  for (guint i = 0; st->long_data && i < st->n_params; i++) g_clear_pointer(&st->long_data[i], g_byte_array_unref);
}

static guint32 read_le32(const guint8 *p) {
  return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* The client statement a command names, or NULL (the client's error then
 * queued when the command has an answer). */
static ShardingStmt *find_stmt(TsrSession *s, ShardingSession *ss, const guint8 *packet, gsize len,
                               const char *what) {
  guint32 id = len >= 5 ? read_le32(packet + 1) : 0;
  ShardingStmt *st = g_hash_table_lookup(ss->stmts, GUINT_TO_POINTER(id));
  if (!st && what)
    tsr_sharding_reply_error(s, 1243, "HY000", "Unknown prepared statement handler (%u) given to %s", id, what);
  return st;
}

void tsr_sharding_queue_execute(TsrSession *s, guint backend, guint step, const char *sql, gsize len,
                                gboolean buffered) {
  static const guint8 execute_last[10] = {TSR_COM_STMT_EXECUTE, 0xFF, 0xFF, 0xFF, 0xFF, 0, 1, 0, 0, 0};
  tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_STEP_PREPARE, step), TSR_COM_STMT_PREPARE, sql, len,
                          TRUE);
  tsr_session_queue_add_on(s, backend, SHARDING_ID(SHARDING_Q_STEP, step), execute_last, sizeof execute_last,
                           buffered, FALSE);
  tsr_session_queue_pipeline_last(s); /* one round trip: the execute follows the prepare at once */
}

/* Reads the OK of a buffered COM_STMT_PREPARE answer. */
static gboolean take_prepare_ok(TsrInjection *inj, GByteArray *payload, TsrStmtPrepareOk *ok) {
  guint8 first, last;
  return inj->result &&
         tsr_evbuffer_take_packet(inj->result, MAX_PREPARE_PACKET, payload, &first, &last, NULL) == TSR_DECODE_OK &&
         payload->len > 0 && payload->data[0] == TSR_PACKET_OK &&
         tsr_stmt_prepare_ok_decode(payload->data, payload->len, ok, NULL) == TSR_DECODE_OK;
}

/* The cache key of backend statement `sql` on the connection to `backend`
 * with id `thread`. */
static char *cache_key(guint backend, guint32 thread, const char *sql) {
  return g_strdup_printf("%u:%u:%s", backend, thread, sql);
}

/* Keeps a step's backend statement for the next executes of the same SQL
 * on that connection; past MAX_CACHED_STATEMENTS the kept ones are closed. */
static void cache_statement(ShardingSession *ss, const ShardingClose *c, const char *sql) {
  if (g_hash_table_size(ss->prepared) >= MAX_CACHED_STATEMENTS) {
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, ss->prepared);
    while (g_hash_table_iter_next(&it, NULL, &value)) g_array_append_val(ss->to_close, *(ShardingClose *)value);
    g_hash_table_remove_all(ss->prepared);
  }
  g_hash_table_insert(ss->prepared, cache_key(c->backend, c->thread, sql), g_memdup2(c, sizeof *c));
}

void tsr_sharding_note_step_statement(TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  const TsrBackend *answered = tsr_session_backend(s);
  TsrStmtPrepareOk ok;
  ShardingClose c;
  if (!answered || !take_prepare_ok(inj, payload, &ok)) return;
  c.backend = answered->index;
  c.thread = tsr_session_server_thread_id(s);
  c.stmt_id = ok.stmt_id;
  if (ss->cmd.plan->steps[SHARDING_ID_INDEX(inj->id)].sql_params && ss->cmd.params &&
      (gint)answered->index == inj->backend)
    cache_statement(ss, &c, ss->cmd.plan->steps[SHARDING_ID_INDEX(inj->id)].sql_params);
  else
    g_array_append_val(ss->to_close, c);
}

void tsr_sharding_queue_cached_execute(TsrSession *s, ShardingSession *ss, guint backend, guint index,
                                       gboolean buffered) {
  ShardingCommand *cmd = &ss->cmd;
  const TsrRouteStep *step = &cmd->plan->steps[index];
  guint32 thread = tsr_session_backend_thread_id(s, backend);
  g_autofree char *key = cache_key(backend, thread, step->sql_params);
  const ShardingClose *kept = thread ? g_hash_table_lookup(ss->prepared, key) : NULL;
  g_autoptr(GByteArray) packet = g_byte_array_new();
  TsrStmtExecute ex = {kept ? kept->stmt_id : 0xFFFFFFFFu, 0, 1, TRUE};
  if (!kept) /* prepared now, executed right behind as statement -1, kept */
    tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_STEP_PREPARE, index), TSR_COM_STMT_PREPARE,
                            step->sql_params, step->sql_params_len, TRUE);
  tsr_stmt_execute_encode(packet, &ex, cmd->params, cmd->n_params);
  tsr_session_queue_add_on(s, backend, SHARDING_ID(SHARDING_Q_STEP, index), packet->data, packet->len, buffered,
                           FALSE);
  if (!kept) tsr_session_queue_pipeline_last(s);
}

void tsr_sharding_close_statements(TsrSession *s, ShardingSession *ss) {
  for (guint i = 0; i < ss->to_close->len; i++) {
    const ShardingClose *c = &g_array_index(ss->to_close, ShardingClose, i);
    g_autoptr(GByteArray) packet = g_byte_array_new();
    if (tsr_session_backend_thread_id(s, c->backend) != c->thread) continue; /* gone with its connection */
    tsr_stmt_id_command_encode(packet, TSR_COM_STMT_CLOSE, c->stmt_id);
    tsr_session_queue_add_on(s, c->backend, SHARDING_ID(SHARDING_Q_PROLOGUE, c->backend), packet->data, packet->len,
                             FALSE, TRUE);
  }
  g_array_set_size(ss->to_close, 0);
}

/* ---- COM_STMT_PREPARE ---- */

/* Answers a prepare locally (statements that run on no shard's rows:
 * SET, BEGIN...): no columns. */
static void reply_prepared(TsrSession *s, ShardingSession *ss, ShardingStmt *st, guint16 columns, guint16 warnings) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  TsrStmtPrepareOk ok = {0};
  st->id = ++ss->next_stmt_id;
  ok.stmt_id = st->id;
  ok.columns = columns;
  ok.params = (guint16)st->n_params;
  ok.warnings = warnings;
  tsr_stmt_prepare_ok_encode(payload, &ok);
  tsr_session_respond(s, payload->data, payload->len);
  g_hash_table_insert(ss->stmts, GUINT_TO_POINTER(st->id), st);
}

/* Appends an EOF after definitions when the client expects one. */
static void reply_definitions_end(TsrSession *s, guint count) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  if (count == 0 || (tsr_session_capabilities(s) & TSR_CLIENT_DEPRECATE_EOF)) return;
  tsr_eof_encode(payload, 0, tsr_session_server_status(s));
  tsr_session_respond(s, payload->data, payload->len);
}

/* Takes `count` definitions of the backend's answer (and the EOF after
 * them). Returns them (of GByteArray), or NULL when the answer is cut
 * short. */
static GPtrArray *take_definitions(TsrSession *s, struct evbuffer *in, guint count) {
  GPtrArray *defs = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
  guint8 first, last;
  guint n = count + (count > 0 && !(tsr_session_capabilities(s) & TSR_CLIENT_DEPRECATE_EOF) ? 1 : 0);
  for (guint i = 0; i < n; i++) {
    GByteArray *payload = g_byte_array_new();
    g_ptr_array_add(defs, payload);
    if (tsr_evbuffer_take_packet(in, MAX_PREPARE_PACKET, payload, &first, &last, NULL) != TSR_DECODE_OK) {
      g_ptr_array_unref(defs);
      return NULL;
    }
  }
  g_ptr_array_set_size(defs, count);
  return defs;
}

/* Sends definitions to the client. */
static void reply_definitions(TsrSession *s, const GPtrArray *defs) {
  for (guint i = 0; i < defs->len; i++) {
    const GByteArray *p = defs->pdata[i];
    tsr_session_respond(s, p->data, p->len);
  }
}

/* Parameter definitions when the shard's statement has another number of
 * parameters than the client's (the rewrite may repeat one). */
static void reply_generic_params(TsrSession *s, guint count) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  TsrColumnDef def = {0};
  def.catalog = (TsrSlice){(const guint8 *)"def", 3};
  def.name = (TsrSlice){(const guint8 *)"?", 1};
  def.charset = TSR_CHARSET_BINARY;
  def.type = TSR_TYPE_VAR_STRING;
  for (guint i = 0; i < count; i++) {
    g_byte_array_set_size(payload, 0);
    tsr_column_def_encode(payload, 0, &def);
    tsr_session_respond(s, payload->data, payload->len);
  }
}

TsrHookAction tsr_sharding_prepare_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj) {
  ShardingStmt *st = g_steal_pointer(&ss->cmd.preparing);
  g_autoptr(GByteArray) payload = g_byte_array_new();
  TsrStmtPrepareOk ok;

  tsr_session_queue_reset(s);
  if (!take_prepare_ok(inj, payload, &ok)) {
    tsr_sharding_stmt_free(st);
    if (payload->len > 0 && payload->data[0] == TSR_PACKET_ERR)
      tsr_sharding_reply_raw(s, payload);
    else
      tsr_sharding_reply_error(s, 9003, "08S01", "tessera: a shard's answer to COM_STMT_PREPARE cannot be read");
    return TSR_HOOK_SEND_RESULT;
  }
  if (inj->backend >= 0)
    g_array_append_val(ss->to_close, ((ShardingClose){(guint)inj->backend, tsr_session_server_thread_id(s), ok.stmt_id}));
  g_autoptr(GPtrArray) params = take_definitions(s, inj->result, ok.params);
  g_autoptr(GPtrArray) columns = params ? take_definitions(s, inj->result, ok.columns) : NULL;
  if (!columns) {
    tsr_sharding_stmt_free(st);
    tsr_sharding_reply_error(s, 9003, "08S01", "tessera: a shard's answer to COM_STMT_PREPARE was cut short");
    return TSR_HOOK_SEND_RESULT;
  }
  reply_prepared(s, ss, st, ok.columns, ok.warnings);
  if (ok.params == st->n_params)
    reply_definitions(s, params);
  else
    reply_generic_params(s, st->n_params);
  reply_definitions_end(s, st->n_params);
  reply_definitions(s, columns);
  reply_definitions_end(s, ok.columns);
  return TSR_HOOK_SEND_RESULT;
}

static TsrHookAction stmt_prepare(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                  gsize len) {
  const char *sql = (const char *)packet + 1;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrSqlScript) script = tsr_sql_parse(sql, len - 1, 0, NULL, &error);
  g_autofree char *described = NULL;
  ShardingStmt *st;
  ShardingCommand *cmd = &ss->cmd;

  if (!script) {
    tsr_sharding_reply_error(s, 1064, "42000", "tessera: %s", error->message);
    return TSR_HOOK_SEND_RESULT;
  }
  if (script->stmts.len != 1) {
    tsr_sharding_reply_error(s, 1235, "42000", "tessera: prepare one statement at a time (this holds %u)",
                             script->stmts.len);
    return TSR_HOOK_SEND_RESULT;
  }
  described = g_strdup_printf(DESCRIBE_HINT "%.*s", (int)(len - 1), sql);
  if (!tsr_sharding_route(w, s, ss, described, strlen(described), NULL, 0, TRUE)) return TSR_HOOK_SEND_RESULT;
  st = g_new0(ShardingStmt, 1);
  st->sql = g_strndup(sql, len - 1);
  st->len = len - 1;
  st->n_params = tsr_sql_script_stmt(script, 0)->n_params;
  st->types = g_new0(TsrValueType, MAX(st->n_params, 1));
  st->long_data = g_new0(GByteArray *, MAX(st->n_params, 1));
  if (cmd->plan->kind != TSR_ROUTE_SHARDS) {
    reply_prepared(s, ss, st, 0, 0);
    reply_generic_params(s, st->n_params);
    reply_definitions_end(s, st->n_params);
    return TSR_HOOK_SEND_RESULT;
  }
  const TsrRouteStep *step = &cmd->plan->steps[0];
  guint backend = cmd->group_backend[step->group];
  cmd->preparing = st;
  if (!tsr_sharding_prologue(s, ss, step->group, backend, FALSE)) return TSR_HOOK_SEND_RESULT;
  tsr_sharding_queue_text(s, backend, SHARDING_ID(SHARDING_Q_PREPARE, 0), TSR_COM_STMT_PREPARE, step->sql,
                          step->sql_len, TRUE);
  return TSR_HOOK_SEND_QUERY;
}

/* ---- COM_STMT_EXECUTE ---- */

/* Decodes the bound values; FALSE with the client's error queued. */
static gboolean bind_params(TsrSession *s, ShardingStmt *st, const guint8 *packet, gsize len, TsrValue *params) {
  g_autoptr(GError) error = NULL;
  g_autofree gboolean *long_data = g_new0(gboolean, MAX(st->n_params, 1));
  TsrStmtExecute ex;
  for (guint i = 0; i < st->n_params; i++) long_data[i] = st->long_data[i] != NULL;
  if (tsr_stmt_execute_decode(packet, len, st->n_params, st->has_types ? st->types : NULL, long_data, &ex, params,
                              &error) != TSR_DECODE_OK) {
    tsr_sharding_reply_error(s, 1210, "HY000", "Incorrect arguments to mysqld_stmt_execute (%s)", error->message);
    return FALSE;
  }
  /* A cursor type asks for rows by COM_STMT_FETCH; the answer carries them
   * whole instead, without SERVER_STATUS_CURSOR_EXISTS, which clients read
   * as a result without a cursor (as servers answer statements that cannot
   * have one). */
  for (guint i = 0; i < st->n_params; i++) {
    if (ex.new_params_bound) st->types[i] = params[i].type;
    if (!st->long_data[i]) continue;
    params[i].is_long_data = FALSE;
    params[i].is_null = FALSE;
    params[i].raw = (TsrSlice){st->long_data[i]->data, st->long_data[i]->len};
  }
  st->has_types = st->has_types || ex.new_params_bound;
  return TRUE;
}

static TsrHookAction stmt_execute(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                  gsize len) {
  ShardingStmt *st = find_stmt(s, ss, packet, len, "mysqld_stmt_execute");
  g_autofree TsrValue *params = NULL;
  TsrHookAction action = TSR_HOOK_SEND_RESULT;
  if (!st) return TSR_HOOK_SEND_RESULT;
  params = g_new0(TsrValue, MAX(st->n_params, 1));
  ss->cmd.binary = TRUE;
  ss->cmd.params = params;
  ss->cmd.n_params = st->n_params;
  if (bind_params(s, st, packet, len, params) &&
      tsr_sharding_route(w, s, ss, st->sql, st->len, params, st->n_params, FALSE))
    action = tsr_sharding_run_plan(s, ss);
  clear_long_data(st);
  return action;
}

/* ---- the other statement commands ---- */

static TsrHookAction stmt_long_data(TsrSession *s, ShardingSession *ss, const guint8 *packet, gsize len) {
  ShardingStmt *st = find_stmt(s, ss, packet, len, NULL);
  TsrStmtLongData ld;
  if (!st || tsr_stmt_send_long_data_decode(packet, len, &ld, NULL) != TSR_DECODE_OK || ld.param_id >= st->n_params)
    return TSR_HOOK_SEND_RESULT; /* no answer, as on a server: the execute reports it */
  if (!st->long_data[ld.param_id]) st->long_data[ld.param_id] = g_byte_array_new();
  g_byte_array_append(st->long_data[ld.param_id], ld.data.data, (guint)ld.data.len);
  return TSR_HOOK_SEND_RESULT;
}

static TsrHookAction stmt_reset(TsrSession *s, ShardingSession *ss, const guint8 *packet, gsize len) {
  ShardingStmt *st = find_stmt(s, ss, packet, len, "mysqld_stmt_reset");
  if (!st) return TSR_HOOK_SEND_RESULT;
  clear_long_data(st);
  tsr_sharding_reply_ok(s, 0, 0, 0, ss->in_trans, NULL);
  return TSR_HOOK_SEND_RESULT;
}

TsrHookAction tsr_sharding_stmt_command(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                        gsize len) {
  switch (packet[0]) {
  case TSR_COM_STMT_PREPARE:
    return stmt_prepare(w, s, ss, packet, len);
  case TSR_COM_STMT_EXECUTE:
    return stmt_execute(w, s, ss, packet, len);
  case TSR_COM_STMT_SEND_LONG_DATA:
    return stmt_long_data(s, ss, packet, len);
  case TSR_COM_STMT_RESET:
    return stmt_reset(s, ss, packet, len);
  case TSR_COM_STMT_CLOSE:
    if (len >= 5) g_hash_table_remove(ss->stmts, GUINT_TO_POINTER(read_le32(packet + 1)));
    return TSR_HOOK_SEND_RESULT;
  case TSR_COM_STMT_FETCH:
    tsr_sharding_reply_error(s, 1235, "42000",
                             "tessera: cursors (COM_STMT_FETCH) are not supported with sharding; execute without a "
                             "cursor type and read the whole result");
    return TSR_HOOK_SEND_RESULT;
  default:
    return TSR_HOOK_DEFAULT;
  }
}
