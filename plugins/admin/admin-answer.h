/* admin-answer.h: what the admin endpoint answers (an OK, an EOF, an ERR or
 * a text result set) and its packets: a query's text is parsed
 * (admin-sql.h), answered from the admin tables (core/admin-tables.h) and
 * encoded as frames for the client. No sockets here. */
#ifndef TESSERA_ADMIN_ANSWER_H
#define TESSERA_ADMIN_ANSWER_H

#include <glib.h>
#include "core/admin-tables.h"

/* MySQL server error codes the admin endpoint answers with. */
#define TSR_ADMIN_ER_ACCESS_DENIED     1045  /* 28000 */
#define TSR_ADMIN_ER_TOO_MANY_CONNECTIONS 1040 /* 08004 */
#define TSR_ADMIN_ER_BAD_FIELD         1054  /* 42S22 */
#define TSR_ADMIN_ER_PARSE_ERROR       1064  /* 42000 */
#define TSR_ADMIN_ER_EMPTY_QUERY       1065  /* 42000 */
#define TSR_ADMIN_ER_NO_SUCH_TABLE     1146  /* 42S02 */

/* What the statements may ask about the session. */
typedef struct {
  const char *version;          /* @@version, VERSION() */
  const char *version_comment;  /* @@version_comment */
  const char *user;             /* USER(): "name@host" */
  const char *database;         /* DATABASE(): NULL when none was chosen */
  guint32 connection_id;
} TsrAdminSessionInfo;

typedef enum {
  TSR_ADMIN_ANSWER_OK,
  TSR_ADMIN_ANSWER_EOF,    /* a lone EOF packet (COM_SET_OPTION) */
  TSR_ADMIN_ANSWER_ERR,
  TSR_ADMIN_ANSWER_ROWS,
} TsrAdminAnswerKind;

typedef struct {
  TsrAdminAnswerKind kind;
  TsrAdminRows *rows;           /* ROWS: owned */
  guint16 code;                 /* ERR */
  const char *sqlstate;         /* ERR: static */
  char *message;                /* ERR: owned */
} TsrAdminAnswer;

/* Sets *a (cleared first) to an ERR answer with a printf-style message. */
void tsr_admin_answer_error(TsrAdminAnswer *a, guint16 code, const char *sqlstate, const char *format, ...)
  G_GNUC_PRINTF(4, 5);

/* Answers the COM_QUERY text sql[0..len) for the session `info` into *a
 * (which the caller clears with tsr_admin_answer_clear). */
void tsr_admin_answer_query(const char *sql, gsize len, const TsrAdminSessionInfo *info, TsrAdminAnswer *a);

/* Frees what *a holds and makes it an OK answer. */
void tsr_admin_answer_clear(TsrAdminAnswer *a);

/* Appends the answer's packets, framed, to `frames`, the first with
 * sequence id `seq`, under the capabilities `caps` agreed with the client
 * (text result sets end with EOF packets: CLIENT_DEPRECATE_EOF is never
 * agreed). Returns the sequence id after the last frame. */
guint8 tsr_admin_answer_encode(GByteArray *frames, const TsrAdminAnswer *a, guint32 caps, guint8 seq);

#endif
