/* test-response.c: the response boundary tracker over every captured MariaDB
 * 10.11 exchange (text and binary result sets, multi-results, LOCAL INFILE
 * with a progress report, prepares, cursors, field lists, authentication,
 * rows of 16 MiB and more, classic EOF and CLIENT_DEPRECATE_EOF), plus cases
 * the captures cannot show. */
#include <string.h>
#include "protocol/mysql-response.h"
#include "protocol/mysql-constants.h"
#include "captured-vectors.h"

/* Feeds one captured server frame. */
static TsrTrackResult feed(TsrResponseTracker *t, const TsrCapFrame *f, GError **error) {
  return tsr_response_feed(t, f->len, f->data, MIN(f->data_len, (gsize)TSR_RESPONSE_HEAD), error);
}

/* Runs the tracker over an exchange and checks it sees every boundary:
 * CONTINUE inside the response, WAIT_CLIENT where the client speaks next,
 * DONE on the last frame. Returns the tracker in *t. */
static void walk_exchange(const TsrCapExchange *ex, TsrResponseTracker *t) {
  gboolean login = g_str_has_suffix(ex->name, "/login");
  gsize first = login ? 2 : 1;
  guint command = login ? TSR_RESPONSE_AUTH : ex->frames[0].data[0];

  tsr_response_start(t, command, ex->caps);
  if (!tsr_command_has_response(command)) {
    g_assert_cmpuint(ex->n_frames, ==, 1);
    g_assert_true(tsr_response_done(t));
    return;
  }
  for (gsize i = first; i < ex->n_frames; i++) {
    const TsrCapFrame *f = &ex->frames[i];
    gboolean last = i + 1 == ex->n_frames;
    gboolean client_next = !last && ex->frames[i + 1].from_client;
    GError *error = NULL;
    if (f->from_client) {
      gboolean server_next = !last && !ex->frames[i + 1].from_client;
      g_assert_cmpint(tsr_response_client_frame(t, f->len), ==, server_next);
      continue;
    }
    TsrTrackResult res = feed(t, f, &error);
    g_assert_no_error(error);
    if (last)
      g_assert_cmpint(res, ==, TSR_TRACK_DONE);
    else if (client_next)
      g_assert_cmpint(res, ==, TSR_TRACK_WAIT_CLIENT);
    else
      g_assert_cmpint(res, ==, TSR_TRACK_CONTINUE);
  }
  g_assert_true(tsr_response_done(t));
}

static void test_all_captured(void) {
  for (gsize i = 0; i < tsr_cap_n_exchanges; i++) {
    TsrResponseTracker t;
    if (g_test_verbose()) g_test_message("exchange %s", tsr_cap_exchanges[i].name);
    walk_exchange(&tsr_cap_exchanges[i], &t);
  }
}

static void check(const char *exchange, guint32 result_sets, gboolean error_seen, guint16 status) {
  TsrResponseTracker t;
  walk_exchange(tsr_cap_get(exchange), &t);
  g_assert_cmpuint(t.result_sets, ==, result_sets);
  g_assert_cmpint(t.error_seen, ==, error_seen);
  g_assert_cmpuint(t.status, ==, status);
}

static void test_details(void) {
  static const char *const modes[] = { "classic", "deprecate-eof" };
  for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
    g_autofree char *multi = g_strdup_printf("%s/multi-result-call", modes[m]);
    g_autofree char *stmts = g_strdup_printf("%s/multi-statements", modes[m]);
    g_autofree char *err = g_strdup_printf("%s/err-1146", modes[m]);
    g_autofree char *infile = g_strdup_printf("%s/local-infile", modes[m]);
    g_autofree char *cursor = g_strdup_printf("%s/execute-cursor", modes[m]);
    g_autofree char *out_params = g_strdup_printf("%s/execute-call-out-params", modes[m]);
    /* CALL: two result sets and the OK of the CALL itself. */
    check(multi, 3, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT);
    check(stmts, 2, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT);
    check(err, 0, TRUE, 0);
    /* The progress report before the OK does not end the response. */
    check(infile, 1, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT);
    /* A cursor: the response ends after the definitions. */
    check(cursor, 1, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT | TSR_SERVER_STATUS_CURSOR_EXISTS);
    /* A result set, the OUT parameters (SERVER_PS_OUT_PARAMS), the OK. */
    check(out_params, 3, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT);
  }
  check("cli/load-data-local-infile", 1, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT);
  check("wrong-password/login", 0, TRUE, 0);
  check("cli-wrong-password/login", 0, TRUE, 0);
  /* libmariadb's COM_STMT_EXECUTE: no definitions resent (cache metadata). */
  check("sysbench/com-stmt-execute", 1, FALSE, TSR_SERVER_STATUS_AUTOCOMMIT);
}

static void test_change_user(void) {
  const TsrCapExchange *ex = tsr_cap_get("change-user-classic/change-user");
  TsrResponseTracker t;
  tsr_response_start(&t, TSR_COM_CHANGE_USER, ex->caps);
  g_assert_cmpint(feed(&t, &ex->frames[1], NULL), ==, TSR_TRACK_WAIT_CLIENT);
  g_assert_cmpint(t.state, ==, TSR_TRK_AUTH_CLIENT);
  g_assert_false(tsr_response_done(&t));
  g_assert_true(tsr_response_client_frame(&t, ex->frames[2].len));
  g_assert_cmpint(feed(&t, &ex->frames[3], NULL), ==, TSR_TRACK_DONE);
  g_assert_false(t.error_seen);
}

static void test_big_rows(void) {
  /* The first frame of the 16 MiB row starts with 0xFE (an 8-byte length):
   * under DEPRECATE_EOF that must not read as the terminating OK. */
  const TsrCapExchange *ex = tsr_cap_get("big-deprecate-eof/big-rows");
  TsrResponseTracker t;
  g_assert_cmpuint(ex->frames[4].data[0], ==, 0xFE);
  g_assert_cmpuint(ex->frames[4].len, ==, TSR_FRAME_MAX_PAYLOAD);
  walk_exchange(ex, &t);
  g_assert_cmpuint(t.result_sets, ==, 2);
}

static void test_final_packet_spans_frames(void) {
  TsrResponseTracker t;
  static const guint8 text[] = "Uptime: 1";
  /* A single-packet response of 0xFFFFFF + 0 bytes: DONE with the empty frame. */
  tsr_response_start(&t, TSR_COM_STATISTICS, 0);
  g_assert_cmpint(tsr_response_feed(&t, TSR_FRAME_MAX_PAYLOAD, text, 9, NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_false(tsr_response_done(&t));
  g_assert_cmpint(tsr_response_feed(&t, TSR_FRAME_MAX_PAYLOAD, text, 9, NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_cmpint(tsr_response_feed(&t, 0, text, 0, NULL), ==, TSR_TRACK_DONE);
  g_assert_true(tsr_response_done(&t));
}

static void test_infile_client_frames(void) {
  TsrResponseTracker t;
  static const guint8 request[] = { 0xFB, 'f' };
  tsr_response_start(&t, TSR_COM_QUERY, TSR_CLIENT_PROTOCOL_41);
  g_assert_cmpint(tsr_response_feed(&t, sizeof request, request, sizeof request, NULL), ==, TSR_TRACK_WAIT_CLIENT);
  g_assert_false(tsr_response_client_frame(&t, 100));
  /* A data packet of exactly 0xFFFFFF bytes ends with an empty frame: not the end of the file. */
  g_assert_false(tsr_response_client_frame(&t, TSR_FRAME_MAX_PAYLOAD));
  g_assert_false(tsr_response_client_frame(&t, 0));
  g_assert_true(tsr_response_client_frame(&t, 0));
  g_assert_cmpint(t.state, ==, TSR_TRK_INFILE_RESULT);
}

static void test_infile_only_for_query(void) {
  TsrResponseTracker t;
  GError *error = NULL;
  static const guint8 request[] = { 0xFB, 'f' };
  tsr_response_start(&t, TSR_COM_STMT_EXECUTE, TSR_CLIENT_PROTOCOL_41);
  g_assert_cmpint(tsr_response_feed(&t, sizeof request, request, sizeof request, &error), ==, TSR_TRACK_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_UNEXPECTED);
  g_clear_error(&error);
}

static void test_unexpected(void) {
  const TsrCapExchange *ex = tsr_cap_get("classic/text-resultset-all-types");
  TsrResponseTracker t;
  GError *error = NULL;

  /* A row where the EOF after the definitions belongs. */
  tsr_response_start(&t, TSR_COM_QUERY, ex->caps);
  for (guint i = 1; i <= 21; i++) g_assert_cmpint(feed(&t, &ex->frames[i], NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_cmpint(feed(&t, &ex->frames[23], &error), ==, TSR_TRACK_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_UNEXPECTED);
  g_assert_nonnull(strstr(error->message, "EOF after columns"));
  g_clear_error(&error);
  /* Anything after the end. */
  tsr_response_start(&t, TSR_COM_PING, ex->caps);
  g_assert_cmpint(tsr_response_feed(&t, 7, (const guint8 *)"\0\0\0\2\0\0\0", 7, NULL), ==, TSR_TRACK_DONE);
  g_assert_cmpint(tsr_response_feed(&t, 7, (const guint8 *)"\0\0\0\2\0\0\0", 7, &error), ==, TSR_TRACK_ERROR);
  g_clear_error(&error);
  /* An empty first packet. */
  tsr_response_start(&t, TSR_COM_QUERY, ex->caps);
  g_assert_cmpint(tsr_response_feed(&t, 0, NULL, 0, &error), ==, TSR_TRACK_ERROR);
  g_clear_error(&error);
  g_assert_cmpstr(tsr_track_state_name(TSR_TRK_MAX), ==, "invalid");
  for (guint s = 0; s < TSR_TRK_MAX; s++) g_assert_nonnull(tsr_track_state_name((TsrTrackState)s));
}

static void test_auth_steps(void) {
  TsrResponseTracker t;
  static const guint8 fast_ok[] = { 0x01, 0x03 }, full_auth[] = { 0x01, 0x04 };
  static const guint8 ok[] = { 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00 };
  /* caching_sha2_password: "fast auth success" and the OK after it. */
  tsr_response_start(&t, TSR_RESPONSE_AUTH, TSR_CLIENT_PROTOCOL_41);
  g_assert_cmpint(tsr_response_feed(&t, 2, fast_ok, 2, NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_cmpint(tsr_response_feed(&t, sizeof ok, ok, sizeof ok, NULL), ==, TSR_TRACK_DONE);
  /* "perform full authentication": the client sends the password next. */
  tsr_response_start(&t, TSR_RESPONSE_AUTH, TSR_CLIENT_PROTOCOL_41);
  g_assert_cmpint(tsr_response_feed(&t, 2, full_auth, 2, NULL), ==, TSR_TRACK_WAIT_CLIENT);
  g_assert_true(tsr_response_client_frame(&t, 7));
  g_assert_cmpint(tsr_response_feed(&t, sizeof ok, ok, sizeof ok, NULL), ==, TSR_TRACK_DONE);
}

static void test_progress_before_result(void) {
  TsrResponseTracker t;
  /* ALTER TABLE with progress reports (stage 1 of 2, 50.000%), then its OK. */
  static const guint8 progress[] = { 0xff, 0xff, 0xff, 0x01, 0x01, 0x02, 0x50, 0xc3, 0x00, 0x04, 'c', 'o', 'p', 'y' };
  static const guint8 ok[] = { 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00 };
  static const guint8 err[] = { 0xff, 0x7a, 0x04, '#', '4', '2', 'S', '0', '2', 'x' };
  tsr_response_start(&t, TSR_COM_QUERY, TSR_CLIENT_PROTOCOL_41);
  g_assert_cmpint(tsr_response_feed(&t, sizeof progress, progress, sizeof progress, NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_cmpint(tsr_response_feed(&t, sizeof progress, progress, sizeof progress, NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_cmpint(tsr_response_feed(&t, sizeof ok, ok, sizeof ok, NULL), ==, TSR_TRACK_DONE);
  g_assert_false(t.error_seen);
  tsr_response_start(&t, TSR_COM_QUERY, TSR_CLIENT_PROTOCOL_41);
  g_assert_cmpint(tsr_response_feed(&t, sizeof progress, progress, sizeof progress, NULL), ==, TSR_TRACK_CONTINUE);
  g_assert_cmpint(tsr_response_feed(&t, sizeof err, err, sizeof err, NULL), ==, TSR_TRACK_DONE);
  g_assert_true(t.error_seen);
}

static void test_no_response_commands(void) {
  g_assert_false(tsr_command_has_response(TSR_COM_QUIT));
  g_assert_false(tsr_command_has_response(TSR_COM_STMT_CLOSE));
  g_assert_false(tsr_command_has_response(TSR_COM_STMT_SEND_LONG_DATA));
  g_assert_true(tsr_command_has_response(TSR_COM_STMT_RESET));
  g_assert_true(tsr_command_has_response(TSR_RESPONSE_AUTH));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/response/all-captured-exchanges", test_all_captured);
  g_test_add_func("/response/details", test_details);
  g_test_add_func("/response/change-user", test_change_user);
  g_test_add_func("/response/big-rows", test_big_rows);
  g_test_add_func("/response/final-packet-spans-frames", test_final_packet_spans_frames);
  g_test_add_func("/response/infile-client-frames", test_infile_client_frames);
  g_test_add_func("/response/infile-only-for-query", test_infile_only_for_query);
  g_test_add_func("/response/unexpected", test_unexpected);
  g_test_add_func("/response/auth-steps", test_auth_steps);
  g_test_add_func("/response/progress-before-result", test_progress_before_result);
  g_test_add_func("/response/no-response-commands", test_no_response_commands);
  return g_test_run();
}
