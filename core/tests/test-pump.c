/* test-pump.c: moving responses between evbuffers with the response
 * tracker deciding where each response ends, whatever the read sizes. */
#include <string.h>
#include "core/pump.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-response.h"

typedef struct {
  TsrResponseTracker tracker;
  guint frames;
} Ctx;

static guint on_frame(gpointer owner, const TsrFrameHeader *hdr, const guint8 *head, gsize head_len) {
  Ctx *ctx = owner;
  TsrTrackResult r = tsr_response_feed(&ctx->tracker, hdr->payload_len, head, head_len, NULL);
  ctx->frames++;
  if (r == TSR_TRACK_ERROR) return TSR_PUMP_FAIL;
  return r == TSR_TRACK_CONTINUE ? TSR_PUMP_MOVE : TSR_PUMP_MOVE | TSR_PUMP_STOP;
}

static guint8 seq;

static void add_packet(GByteArray *out, const void *payload, gsize len) {
  tsr_packet_encode(out, seq++, payload, len);
}

static void add_eof(GByteArray *out, guint16 status) {
  guint8 eof[5] = {0xFE, 0, 0, (guint8)status, (guint8)(status >> 8)};
  add_packet(out, eof, sizeof eof);
}

/* A text result set: 2 columns, `rows` rows, one of which starts with 0xFE
 * (a long string's length prefix) but is not an EOF. */
static void add_result_set(GByteArray *out, guint rows, guint16 final_status) {
  guint8 count = 2;
  guint8 coldef[] = {3, 'd', 'e', 'f', 0, 0, 0, 1, 'a', 0, 0x0c, 0x21, 0, 10, 0, 0, 0, 0xFD, 0, 0, 0, 0, 0};
  add_packet(out, &count, 1);
  add_packet(out, coldef, sizeof coldef);
  add_packet(out, coldef, sizeof coldef);
  add_eof(out, 0);
  for (guint i = 0; i < rows; i++) {
    guint8 row[] = {1, '1', 2, 'a', 'b'};
    add_packet(out, row, sizeof row);
  }
  {
    guint8 fe_row[12] = {0xFE};
    add_packet(out, fe_row, sizeof fe_row);
  }
  add_eof(out, final_status);
}

/* Feeds `stream` (one response followed by `tail` other bytes) in chunks
 * of `chunk` bytes; checks the pump stops right after the response. */
static void run_split(const GByteArray *stream, gsize response_len, gsize chunk, guint command, guint32 caps) {
  struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
  TsrPump pump;
  Ctx ctx = {0};
  gsize fed = 0;
  TsrPumpResult r = TSR_PUMP_NEED_MORE;

  tsr_pump_reset(&pump);
  tsr_response_start(&ctx.tracker, command, caps);
  while (fed < stream->len) {
    gsize n = MIN(chunk, stream->len - fed);
    evbuffer_add(src, stream->data + fed, n);
    fed += n;
    r = tsr_pump_run(&pump, src, dst, TSR_RESPONSE_HEAD, on_frame, &ctx);
    g_assert_cmpint(r, !=, TSR_PUMP_FAILED);
    if (r == TSR_PUMP_STOPPED) break;
  }
  g_assert_cmpint(r, ==, TSR_PUMP_STOPPED);
  g_assert_true(tsr_response_done(&ctx.tracker));
  g_assert_cmpuint(evbuffer_get_length(dst), ==, response_len);
  g_assert_cmpuint(evbuffer_get_length(src), ==, fed - response_len);
  g_assert_cmpmem(evbuffer_pullup(dst, -1), response_len, stream->data, response_len);
  evbuffer_free(src);
  evbuffer_free(dst);
}

static void test_result_set_any_split(void) {
  g_autoptr(GByteArray) stream = g_byte_array_new();
  gsize response_len;
  seq = 1;
  add_result_set(stream, 3, TSR_SERVER_STATUS_AUTOCOMMIT);
  response_len = stream->len;
  add_eof(stream, 0); /* bytes of something else that must stay behind */
  for (gsize chunk = 1; chunk <= stream->len; chunk++)
    run_split(stream, response_len, chunk, TSR_COM_QUERY, TSR_CLIENT_PROTOCOL_41);
}

static void test_multi_results(void) {
  g_autoptr(GByteArray) stream = g_byte_array_new();
  guint8 ok_more[] = {0x00, 1, 0, (guint8)TSR_SERVER_MORE_RESULTS_EXISTS, 0, 0, 0};
  guint8 ok_last[] = {0x00, 0, 0, 0x02, 0, 0, 0};
  gsize response_len;
  seq = 1;
  add_result_set(stream, 2, TSR_SERVER_MORE_RESULTS_EXISTS);
  add_packet(stream, ok_more, sizeof ok_more);
  add_result_set(stream, 1, TSR_SERVER_MORE_RESULTS_EXISTS);
  add_packet(stream, ok_last, sizeof ok_last);
  response_len = stream->len;
  add_packet(stream, ok_last, sizeof ok_last);
  for (gsize chunk = 1; chunk <= stream->len; chunk += 3)
    run_split(stream, response_len, chunk, TSR_COM_QUERY, TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_MULTI_RESULTS);
}

static void test_large_row_streams(void) {
  /* A row of 20 MiB spans two frames; it must stream through. */
  g_autoptr(GByteArray) stream = g_byte_array_new();
  gsize big = 20u * 1024 * 1024;
  guint8 *row = g_malloc0(big);
  gsize response_len;
  guint8 count = 1;
  guint8 coldef[] = {3, 'd', 'e', 'f', 0, 0, 0, 1, 'a', 0, 0x0c, 0x21, 0, 10, 0, 0, 0, 0xFD, 0, 0, 0, 0, 0};
  seq = 1;
  row[0] = 0xFE; /* 8-byte length follows: a long string, not an EOF */
  add_packet(stream, &count, 1);
  add_packet(stream, coldef, sizeof coldef);
  add_eof(stream, 0);
  seq = tsr_packet_encode(stream, seq, row, big);
  add_eof(stream, 0);
  response_len = stream->len;
  run_split(stream, response_len, 1u << 20, TSR_COM_QUERY, TSR_CLIENT_PROTOCOL_41);
  g_free(row);
}

static void test_prepare_response(void) {
  g_autoptr(GByteArray) stream = g_byte_array_new();
  guint8 prepare_ok[12] = {0x00, 1, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0}; /* 1 column, 2 params */
  guint8 def[] = {3, 'd', 'e', 'f', 0, 0, 0, 1, '?', 0, 0x0c, 0x3f, 0, 0, 0, 0, 0, 0xFD, 0x80, 0, 0, 0, 0};
  gsize response_len;
  seq = 1;
  add_packet(stream, prepare_ok, sizeof prepare_ok);
  add_packet(stream, def, sizeof def);
  add_packet(stream, def, sizeof def);
  add_eof(stream, 0);
  add_packet(stream, def, sizeof def);
  add_eof(stream, 0);
  response_len = stream->len;
  for (gsize chunk = 1; chunk <= stream->len; chunk++)
    run_split(stream, response_len, chunk, TSR_COM_STMT_PREPARE, TSR_CLIENT_PROTOCOL_41);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pump/result-set/any-split", test_result_set_any_split);
  g_test_add_func("/pump/result-set/multi-results", test_multi_results);
  g_test_add_func("/pump/result-set/large-row", test_large_row_streams);
  g_test_add_func("/pump/prepare", test_prepare_response);
  return g_test_run();
}
