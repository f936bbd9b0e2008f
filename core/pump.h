/* pump.h: moves MySQL frames from one evbuffer to another without copying
 * them, stopping at each frame start to let the caller look at the frame's
 * header and first bytes and decide what to do with it.
 *
 * Bytes of a frame are moved as they arrive, so a frame larger than what is
 * buffered (a huge row, a LOAD DATA chunk) streams through; whole chains of
 * the source move to the destination, partial chains are copied. */
#ifndef TESSERA_CORE_PUMP_H
#define TESSERA_CORE_PUMP_H

#include <glib.h>
#include <event2/buffer.h>
#include "protocol/mysql-frame.h"
#include "protocol/mysql-wire.h"

/* What the frame callback asks for; TSR_PUMP_STOP may be or-ed in. */
typedef enum {
  TSR_PUMP_MOVE = 0,   /* move the frame to the destination */
  TSR_PUMP_DROP = 1,   /* drop the frame from the source */
  TSR_PUMP_STOP = 2,   /* stop once this frame is moved or dropped */
  TSR_PUMP_HOLD = 4,   /* leave this frame where it is and stop now */
  TSR_PUMP_FAIL = 8,   /* stop now: the frame is not acceptable */
} TsrPumpAction;

typedef enum {
  TSR_PUMP_NEED_MORE,  /* the source ran dry: call again when more arrives */
  TSR_PUMP_STOPPED,    /* a frame marked TSR_PUMP_STOP is done, or HOLD */
  TSR_PUMP_FAILED,     /* the callback returned TSR_PUMP_FAIL */
} TsrPumpResult;

/* Called at each frame start with its header and its first
 * min(payload_len, head_want) payload bytes. */
typedef guint (*TsrFrameFunc)(gpointer owner, const TsrFrameHeader *hdr, const guint8 *head, gsize head_len);

typedef struct {
  guint64 frame_left;  /* bytes of the current frame not yet moved/dropped */
  gboolean dropping;   /* the current frame is being dropped */
  gboolean stop_after; /* stop when the current frame is done */
  guint64 moved;       /* bytes moved to the destination in all */
} TsrPump;

/* Resets p to a frame boundary. */
static inline void tsr_pump_reset(TsrPump *p) { *p = (TsrPump){0}; }

/* Returns TRUE when p is between frames. */
static inline gboolean tsr_pump_at_boundary(const TsrPump *p) { return p->frame_left == 0; }

/* Runs the pump over src until it runs dry, stops or fails; see
 * TsrPumpResult. dst may be NULL when every frame is dropped. */
TsrPumpResult tsr_pump_run(TsrPump *p, struct evbuffer *src, struct evbuffer *dst, gsize head_want,
                           TsrFrameFunc on_frame, gpointer owner);

/* Takes one whole logical packet (all its frames) off the front of src into
 * `payload` (replaced). Returns NEED_MORE when it has not fully arrived
 * (src untouched), ERROR with *error set when it is larger than max_payload
 * or its frames are out of sequence. *first_seq is the sequence id of its
 * first frame, *last_seq of its last. */
TsrDecodeStatus tsr_evbuffer_take_packet(struct evbuffer *src, gsize max_payload, GByteArray *payload,
                                         guint8 *first_seq, guint8 *last_seq, GError **error);

#endif
