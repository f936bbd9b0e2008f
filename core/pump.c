/* pump.c: frame-aware moving between evbuffers (see pump.h).
 *
 * Consecutive bytes to move are collected and moved with one
 * evbuffer_remove_buffer() call, so that whole chains change hands instead
 * of being copied frame by frame. */
#include "pump.h"

#define HEAD_MAX 64u

typedef struct {
  TsrPump *p;
  struct evbuffer *src, *dst;
  gsize pending;             /* bytes at the front of src to move to dst */
  struct evbuffer_ptr at;    /* position of src just after `pending` */
} PumpRun;

/* Moves the collected bytes to dst; positions in src start over. */
static void flush_pending(PumpRun *r) {
  if (r->pending) {
    evbuffer_remove_buffer(r->src, r->dst, r->pending);
    r->p->moved += r->pending;
    r->pending = 0;
  }
  evbuffer_ptr_set(r->src, &r->at, 0, EVBUFFER_PTR_SET);
}

/* Moves (or drops) as much of the current frame as src holds. Returns TRUE
 * when the frame is complete. */
static gboolean continue_frame(PumpRun *r) {
  gsize avail = evbuffer_get_length(r->src) - r->pending;
  gsize n = (gsize)MIN((guint64)avail, r->p->frame_left);
  if (r->p->dropping) {
    flush_pending(r);
    evbuffer_drain(r->src, n);
  } else if (n) {
    r->pending += n;
    evbuffer_ptr_set(r->src, &r->at, n, EVBUFFER_PTR_ADD);
  }
  r->p->frame_left -= n;
  return r->p->frame_left == 0;
}

/* Returns the result after moving what was collected. */
static TsrPumpResult finish(PumpRun *r, TsrPumpResult result) {
  flush_pending(r);
  return result;
}

TsrPumpResult tsr_pump_run(TsrPump *p, struct evbuffer *src, struct evbuffer *dst, gsize head_want,
                           TsrFrameFunc on_frame, gpointer owner) {
  guint8 buf[TSR_FRAME_HEADER_LEN + HEAD_MAX];
  PumpRun r = {.p = p, .src = src, .dst = dst};
  evbuffer_ptr_set(src, &r.at, 0, EVBUFFER_PTR_SET);
  head_want = MIN(head_want, (gsize)HEAD_MAX);

  for (;;) {
    TsrFrameHeader hdr;
    gsize have, head_len;
    guint action;

    if (p->frame_left) {
      if (!continue_frame(&r)) return finish(&r, TSR_PUMP_NEED_MORE);
      if (p->stop_after) {
        p->stop_after = FALSE;
        return finish(&r, TSR_PUMP_STOPPED);
      }
      continue;
    }
    have = evbuffer_get_length(src) - r.pending;
    if (have < TSR_FRAME_HEADER_LEN) return finish(&r, TSR_PUMP_NEED_MORE);
    evbuffer_copyout_from(src, &r.at, buf, TSR_FRAME_HEADER_LEN);
    tsr_frame_header_decode(buf, TSR_FRAME_HEADER_LEN, &hdr);
    head_len = MIN((gsize)hdr.payload_len, head_want);
    if (have < TSR_FRAME_HEADER_LEN + head_len) return finish(&r, TSR_PUMP_NEED_MORE);
    if (head_len) evbuffer_copyout_from(src, &r.at, buf, TSR_FRAME_HEADER_LEN + head_len);
    action = on_frame(owner, &hdr, buf + TSR_FRAME_HEADER_LEN, head_len);
    if (action & TSR_PUMP_FAIL) return finish(&r, TSR_PUMP_FAILED);
    if (action & TSR_PUMP_HOLD) return finish(&r, TSR_PUMP_STOPPED);
    p->frame_left = TSR_FRAME_HEADER_LEN + (guint64)hdr.payload_len;
    p->dropping = (action & TSR_PUMP_DROP) != 0;
    p->stop_after = (action & TSR_PUMP_STOP) != 0;
  }
}

TsrDecodeStatus tsr_evbuffer_take_packet(struct evbuffer *src, gsize max_payload, GByteArray *payload,
                                         guint8 *first_seq, guint8 *last_seq, GError **error) {
  gsize have = evbuffer_get_length(src), consumed = 0;
  guint8 header[TSR_FRAME_HEADER_LEN];
  TsrDecodeStatus st;
  const guint8 *flat;

  if (have < TSR_FRAME_HEADER_LEN) return TSR_DECODE_NEED_MORE;
  evbuffer_copyout(src, header, sizeof header);
  if (max_payload && tsr_le24(header) > max_payload) {
    g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TOO_LARGE,
                "packet of %u bytes, at most %" G_GSIZE_FORMAT " allowed here", tsr_le24(header), max_payload);
    return TSR_DECODE_ERROR;
  }
  if (have < TSR_FRAME_HEADER_LEN + tsr_le24(header)) return TSR_DECODE_NEED_MORE;
  flat = evbuffer_pullup(src, -1);
  g_byte_array_set_size(payload, 0);
  st = tsr_packet_decode(flat, have, max_payload, payload, &consumed, last_seq, error);
  if (st != TSR_DECODE_OK) return st;
  *first_seq = header[3];
  evbuffer_drain(src, consumed);
  return TSR_DECODE_OK;
}
