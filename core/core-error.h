/* core-error.h: the GError domain of core/ and the MySQL error codes that
 * tessera itself sends to clients.
 *
 * tessera's own codes live in 9001..9099 (MySQL servers do not use them and
 * clients do not reserve them: 2000-2999 and 5000-5999 are never used).
 * Where a MySQL server code says the same thing, that code is used. */
#ifndef TESSERA_CORE_ERROR_H
#define TESSERA_CORE_ERROR_H

#include <glib.h>

#define TSR_CORE_ERROR (tsr_core_error_quark())

typedef enum {
  TSR_CORE_ERROR_ADDRESS,   /* an address cannot be parsed or resolved */
  TSR_CORE_ERROR_SOCKET,    /* a socket call failed */
  TSR_CORE_ERROR_CONFIG,    /* a configuration value is not usable */
} TsrCoreErrorCode;

/* Returns the GQuark of the TSR_CORE_ERROR domain. */
GQuark tsr_core_error_quark(void);

/* MySQL server codes used with their MySQL meaning. */
#define TSR_ER_CON_COUNT_ERROR        1040  /* 08004 Too many connections */
#define TSR_ER_HANDSHAKE_ERROR        1043  /* 08S01 Bad handshake */
#define TSR_ER_UNKNOWN_COM_ERROR      1047  /* 08S01 Unknown command */
#define TSR_ER_NET_PACKET_TOO_LARGE   1153  /* 08S01 */
#define TSR_ER_NET_PACKETS_OUT_OF_ORDER 1156 /* 08S01 */
#define TSR_ER_MALFORMED_PACKET       1835  /* HY000 */

/* tessera's own codes. */
#define TSR_ER_BACKEND_UNAVAILABLE    9001  /* 08S01 no backend could be reached */
#define TSR_ER_BACKEND_LOST           9002  /* 08S01 the backend went away during a command */
#define TSR_ER_BACKEND_PROTOCOL       9003  /* 08S01 the backend sent what the protocol forbids */
#define TSR_ER_TLS_UNSUPPORTED        9004  /* 08004 the client asked for TLS */
#define TSR_ER_SHUTTING_DOWN          9005  /* 08S01 tessera is stopping */
#define TSR_ER_TIMEOUT                9006  /* 08S01 a read or write timeout expired */
#define TSR_ER_SCRIPT_ERROR           9010  /* HY000 the proxy script failed; the command was not sent */
#define TSR_ER_XA_LOG                 9011  /* HY000 the XA decision could not be written: rolled back */

#endif
