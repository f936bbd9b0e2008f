/* test-wire-frame.c: basic types, frames, and packets of 16 MiB and more. */
#include <string.h>
#include "protocol/mysql-wire.h"
#include "protocol/mysql-frame.h"
#include "captured-vectors.h"

static void test_lenenc(void) {
  static const guint64 values[] = { 0, 1, 250, 251, 252, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000,
                                    G_GUINT64_CONSTANT(0xFFFFFFFFFFFFFFFF) };
  static const guint sizes[] = { 1, 1, 1, 3, 3, 3, 4, 4, 9, 9 };
  for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
    g_autoptr(GByteArray) out = g_byte_array_new();
    TsrReader r;
    guint64 v;
    tsr_write_lenenc(out, values[i]);
    g_assert_cmpuint(out->len, ==, sizes[i]);
    g_assert_cmpuint(tsr_lenenc_size(values[i]), ==, sizes[i]);
    tsr_reader_init(&r, out->data, out->len);
    g_assert_true(tsr_reader_lenenc(&r, &v, NULL, "v", NULL));
    g_assert_cmpuint(v, ==, values[i]);
    g_assert_cmpuint(tsr_reader_left(&r), ==, 0);
    /* Every truncation fails and leaves the reader where it was. */
    for (guint n = 0; n < out->len; n++) {
      GError *error = NULL;
      tsr_reader_init(&r, out->data, n);
      g_assert_false(tsr_reader_lenenc(&r, &v, NULL, "v", &error));
      g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
      g_assert_cmpuint(r.pos, ==, 0);
      g_clear_error(&error);
    }
  }
}

static void test_lenenc_special(void) {
  TsrReader r;
  guint64 v;
  gboolean is_null;
  GError *error = NULL;

  tsr_reader_init(&r, (const guint8 *)"\xfb", 1);
  g_assert_true(tsr_reader_lenenc(&r, &v, &is_null, "value", NULL));
  g_assert_true(is_null);
  tsr_reader_init(&r, (const guint8 *)"\xfb", 1);
  g_assert_false(tsr_reader_lenenc(&r, &v, NULL, "value", &error));
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "value"));
  g_clear_error(&error);
  tsr_reader_init(&r, (const guint8 *)"\xff", 1);
  g_assert_false(tsr_reader_lenenc(&r, &v, &is_null, "value", &error));
  g_clear_error(&error);
  /* A string longer than what is left: the reader does not move. */
  tsr_reader_init(&r, (const guint8 *)"\x05" "abc", 4);
  g_assert_false(tsr_reader_lenenc_str(&r, &(TsrSlice){ 0 }, "s", &error));
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_assert_cmpuint(r.pos, ==, 0);
  g_clear_error(&error);
  /* An 8-byte length beyond any buffer. */
  tsr_reader_init(&r, (const guint8 *)"\xfe\xff\xff\xff\xff\xff\xff\xff\xff", 9);
  g_assert_false(tsr_reader_lenenc_str(&r, &(TsrSlice){ 0 }, "s", &error));
  g_clear_error(&error);
}

static void test_strings_and_ints(void) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  TsrReader r;
  TsrSlice s;
  guint64 v;
  guint32 v24;
  GError *error = NULL;

  tsr_write_nulstr(out, "abc");
  tsr_write_uint(out, 3, 0x123456);
  tsr_write_uint(out, 8, G_GUINT64_CONSTANT(0x0102030405060708));
  tsr_write_zeros(out, 2);
  tsr_write_lenenc_str(out, "xy", 2);
  tsr_reader_init(&r, out->data, out->len);
  g_assert_true(tsr_reader_nulstr(&r, &s, "s", NULL));
  tsr_assert_slice(s, "abc");
  g_assert_true(tsr_reader_u24(&r, &v24, "i", NULL));
  g_assert_cmpuint(v24, ==, 0x123456);
  g_assert_true(tsr_reader_uint(&r, 8, &v, "i", NULL));
  g_assert_cmpuint(v, ==, G_GUINT64_CONSTANT(0x0102030405060708));
  g_assert_true(tsr_reader_skip(&r, 2, "z", NULL));
  g_assert_true(tsr_reader_lenenc_str(&r, &s, "s", NULL));
  tsr_assert_slice(s, "xy");
  g_assert_false(tsr_reader_skip(&r, 1, "z", &error));
  g_clear_error(&error);
  tsr_reader_rest(&r, &s);
  g_assert_cmpuint(s.len, ==, 0);
  tsr_reader_init(&r, (const guint8 *)"abc", 3);
  g_assert_false(tsr_reader_nulstr(&r, &s, "name", &error));
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_assert_nonnull(strstr(error->message, "name"));
  g_clear_error(&error);
}

/* Appends every frame of a captured exchange (header and payload) to out. */
static void append_stream(GByteArray *out, const TsrCapExchange *ex) {
  for (gsize i = 0; i < ex->n_frames; i++) {
    guint8 hdr[TSR_FRAME_HEADER_LEN];
    g_assert_cmpuint(ex->frames[i].data_len, ==, ex->frames[i].len);
    tsr_frame_header_write(hdr, ex->frames[i].len, ex->frames[i].seq);
    g_byte_array_append(out, hdr, sizeof hdr);
    tsr_write_bytes(out, ex->frames[i].data, ex->frames[i].len);
  }
}

static void test_frames_captured(void) {
  const TsrCapExchange *ex = tsr_cap_get("classic/text-resultset-all-types");
  g_autoptr(GByteArray) stream = g_byte_array_new();
  gsize pos = 0;

  append_stream(stream, ex);
  for (gsize i = 0; i < ex->n_frames; i++) {
    TsrFrameHeader hdr;
    TsrSlice payload;
    gsize frame_len = TSR_FRAME_HEADER_LEN + ex->frames[i].len;
    /* Every prefix of the frame is NEED_MORE. */
    for (gsize n = 0; n < frame_len; n++) {
      guint8 *copy = g_memdup2(stream->data + pos, n ? n : 1);
      g_assert_cmpint(tsr_frame_decode(copy, n, &hdr, &payload), ==, TSR_DECODE_NEED_MORE);
      g_free(copy);
    }
    g_assert_cmpint(tsr_frame_decode(stream->data + pos, stream->len - pos, &hdr, &payload), ==, TSR_DECODE_OK);
    g_assert_cmpuint(hdr.seq, ==, ex->frames[i].seq);
    g_assert_cmpmem(payload.data, payload.len, ex->frames[i].data, ex->frames[i].len);
    pos += frame_len;
  }
  g_assert_cmpuint(pos, ==, stream->len);
}

/* Encodes a payload of `len` bytes, checks the frame layout and decodes it back. */
static void check_large_packet(gsize len, guint n_frames) {
  guint8 *payload = g_malloc(len ? len : 1);
  g_autoptr(GByteArray) wire = g_byte_array_new();
  g_autoptr(GByteArray) back = g_byte_array_new();
  gsize consumed = 0, pos = 0, last_frame_at = 0;
  guint8 last_seq = 0, next;
  GError *error = NULL;

  for (gsize i = 0; i < len; i++) payload[i] = (guint8)(i * 7 + (i >> 16));
  next = tsr_packet_encode(wire, 5, payload, len);
  g_assert_cmpuint(next, ==, 5 + n_frames);
  g_assert_cmpuint(wire->len, ==, len + TSR_FRAME_HEADER_LEN * n_frames);
  for (guint f = 0; f < n_frames; f++) {
    TsrFrameHeader hdr;
    g_assert_cmpint(tsr_frame_header_decode(wire->data + pos, wire->len - pos, &hdr), ==, TSR_DECODE_OK);
    g_assert_cmpuint(hdr.seq, ==, 5 + f);
    g_assert_cmpuint(hdr.payload_len, ==, f + 1 < n_frames ? TSR_FRAME_MAX_PAYLOAD : len % TSR_FRAME_MAX_PAYLOAD);
    last_frame_at = pos;
    pos += TSR_FRAME_HEADER_LEN + hdr.payload_len;
  }
  g_assert_cmpint(tsr_packet_decode(wire->data, wire->len, 0, back, &consumed, &last_seq, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  g_assert_cmpuint(consumed, ==, wire->len);
  g_assert_cmpuint(last_seq, ==, 5 + n_frames - 1);
  g_assert_true(back->len == len && memcmp(back->data, payload, len) == 0);
  /* Cut inside the last frame, at its header, and one byte short: NEED_MORE, nothing appended. */
  g_byte_array_set_size(back, 0);
  g_assert_cmpint(tsr_packet_decode(wire->data, wire->len - 1, 0, back, &consumed, &last_seq, NULL), ==,
                  TSR_DECODE_NEED_MORE);
  g_assert_cmpint(tsr_packet_decode(wire->data, last_frame_at + 3, 0, back, &consumed, &last_seq, NULL), ==,
                  TSR_DECODE_NEED_MORE);
  g_assert_cmpuint(back->len, ==, 0);
  /* A limit below the size. */
  g_assert_cmpint(tsr_packet_decode(wire->data, wire->len, len - 1, back, &consumed, &last_seq, &error), ==,
                  TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TOO_LARGE);
  g_clear_error(&error);
  g_assert_cmpuint(back->len, ==, 0);
  /* A continuation frame with the wrong sequence id. */
  wire->data[TSR_FRAME_HEADER_LEN + TSR_FRAME_MAX_PAYLOAD + 3] = 0x42;
  g_assert_cmpint(tsr_packet_decode(wire->data, wire->len, 0, back, &consumed, &last_seq, &error), ==,
                  TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_SEQUENCE);
  g_clear_error(&error);
  g_assert_cmpuint(back->len, ==, 0);
  g_free(payload);
}

static void test_large_packets(void) {
  /* The row MariaDB sent for REPEAT('x', 16777225): 0xFFFFFF + 21 bytes. */
  const TsrCapExchange *ex = tsr_cap_get("big-classic/big-rows");
  g_assert_cmpuint(ex->frames[5].len, ==, TSR_FRAME_MAX_PAYLOAD);
  g_assert_cmpuint(ex->frames[6].len, ==, 21);
  check_large_packet(TSR_FRAME_MAX_PAYLOAD + 21, 2);
  /* Exactly 0xFFFFFF bytes: an empty frame follows. */
  check_large_packet(TSR_FRAME_MAX_PAYLOAD, 2);
  check_large_packet(2 * (gsize)TSR_FRAME_MAX_PAYLOAD + 1, 3);
}

static void test_small_packets(void) {
  g_autoptr(GByteArray) wire = g_byte_array_new();
  g_autoptr(GByteArray) back = g_byte_array_new();
  gsize consumed;
  guint8 seq;

  g_assert_cmpuint(tsr_packet_encode(wire, 255, (const guint8 *)"", 0), ==, 0);
  tsr_assert_bytes(wire, "\x00\x00\x00\xff", 4);
  g_assert_cmpint(tsr_packet_decode(wire->data, wire->len, 0, back, &consumed, &seq, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(consumed, ==, 4);
  g_assert_cmpuint(seq, ==, 255);
  g_assert_cmpuint(back->len, ==, 0);
  g_assert_cmpint(tsr_packet_decode(wire->data, 0, 0, back, &consumed, &seq, NULL), ==, TSR_DECODE_NEED_MORE);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/wire/lenenc", test_lenenc);
  g_test_add_func("/wire/lenenc-special", test_lenenc_special);
  g_test_add_func("/wire/strings-and-ints", test_strings_and_ints);
  g_test_add_func("/frame/captured-stream", test_frames_captured);
  g_test_add_func("/frame/large-packets", test_large_packets);
  g_test_add_func("/frame/small-packets", test_small_packets);
  return g_test_run();
}
