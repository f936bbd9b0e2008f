/* mysql-response.h: tells where a server's response to one command ends,
 * from the frames' lengths and first bytes only, so that a response can be
 * relayed without being decoded or buffered.
 *
 * Usage: tsr_response_start() when a command is sent; then for every frame
 * the server sends, tsr_response_feed() with the frame's payload length and
 * its first min(payload_len, TSR_RESPONSE_HEAD) bytes. When it returns
 * TSR_TRACK_WAIT_CLIENT the server waits for the client (LOCAL INFILE data,
 * a step of an authentication exchange): pass every client frame to
 * tsr_response_client_frame() until it returns TRUE.
 *
 * A packet of 0xFFFFFF bytes or more spans several frames: the tracker
 * classifies a packet by its first frame and lets the continuation frames
 * through; when the last packet of a response spans frames, DONE comes with
 * its last frame. MariaDB progress reports (ERR packets with code 0xFFFF,
 * sent to clients with MARIADB_CLIENT_PROGRESS) do not end a response. Under
 * MARIADB_CLIENT_CACHE_METADATA a column count packet carries one more byte:
 * 0 says no column definitions follow. */
#ifndef TESSERA_MYSQL_RESPONSE_H
#define TESSERA_MYSQL_RESPONSE_H

#include <glib.h>
#include "protocol-types.h"

/* Bytes of a payload's start that tsr_response_feed() may look at. */
#define TSR_RESPONSE_HEAD 24u

/* Pseudo command: the authentication exchange after HandshakeResponse41 or
 * COM_CHANGE_USER (OK, ERR, AuthSwitchRequest, AuthMoreData). */
#define TSR_RESPONSE_AUTH 0x100u

typedef enum {
  TSR_TRACK_CONTINUE,    /* the response goes on */
  TSR_TRACK_DONE,        /* this frame ends the response */
  TSR_TRACK_WAIT_CLIENT, /* this frame asks the client for data first */
  TSR_TRACK_ERROR,       /* the frame cannot occur here; *error says why */
} TsrTrackResult;

typedef enum {
  TSR_TRK_IDLE = 0,
  TSR_TRK_FIRST,           /* OK, ERR, LOCAL INFILE request or column count */
  TSR_TRK_COLUMNS,         /* column definitions */
  TSR_TRK_COLUMNS_EOF,     /* EOF after the column definitions */
  TSR_TRK_ROWS,            /* rows up to EOF/OK/ERR */
  TSR_TRK_INFILE,          /* the client sends the file */
  TSR_TRK_INFILE_RESULT,   /* OK or ERR after the file */
  TSR_TRK_PREPARE_FIRST,   /* COM_STMT_PREPARE_OK or ERR */
  TSR_TRK_PREPARE_PARAMS,  /* parameter definitions */
  TSR_TRK_PREPARE_PARAMS_EOF,
  TSR_TRK_PREPARE_COLUMNS, /* column definitions */
  TSR_TRK_PREPARE_COLUMNS_EOF,
  TSR_TRK_FIELD_LIST,      /* column definitions up to EOF or ERR */
  TSR_TRK_SINGLE,          /* any one packet */
  TSR_TRK_AUTH,            /* OK, ERR, auth switch, more data */
  TSR_TRK_AUTH_CLIENT,     /* the client answers an auth step */
  TSR_TRK_DONE,
  TSR_TRK_MAX
} TsrTrackState;

typedef struct {
  TsrTrackState state;
  guint command;           /* TsrCommand or TSR_RESPONSE_AUTH */
  guint32 caps;            /* capabilities both sides agreed on */
  guint64 left;            /* definitions still to come */
  guint16 columns;         /* prepare: column definitions after the parameters */
  guint16 status;          /* server status of the last OK/EOF seen */
  guint16 warnings;        /* warnings of the last OK/EOF seen */
  guint32 result_sets;     /* result sets (or OKs) seen so far */
  gboolean continuation;   /* the previous server frame was 0xFFFFFF bytes long */
  gboolean client_continuation; /* the previous client frame was 0xFFFFFF bytes long */
  gboolean done_pending;   /* the last packet has begun but continues in more frames */
  gboolean error_seen;     /* the response carried an ERR packet */
} TsrResponseTracker;

/* Returns the name of a tracker state, for logs and errors. */
const char *tsr_track_state_name(TsrTrackState state);

/* Returns TRUE when the command `command` gets a response from the server
 * (FALSE for COM_QUIT, COM_STMT_CLOSE and COM_STMT_SEND_LONG_DATA). */
gboolean tsr_command_has_response(guint command);

/* Prepares t for the response to `command` under capabilities `caps`. */
void tsr_response_start(TsrResponseTracker *t, guint command, guint32 caps);

/* Feeds one server frame: payload_len is its length, head its first
 * min(payload_len, TSR_RESPONSE_HEAD) bytes. Returns what comes next. */
TsrTrackResult tsr_response_feed(TsrResponseTracker *t, guint32 payload_len, const guint8 *head,
                                 gsize head_len, GError **error);

/* Feeds one client frame sent while the tracker waits for the client.
 * Returns TRUE when the client's part is over and the server speaks next. */
gboolean tsr_response_client_frame(TsrResponseTracker *t, guint32 payload_len);

/* Returns TRUE when the whole response has been seen. */
static inline gboolean tsr_response_done(const TsrResponseTracker *t) {
  return t->state == TSR_TRK_DONE && !t->done_pending;
}

#endif
