/* sharding-stmt.c: prepared statements and the other commands the router
 * does not see. */
#define G_LOG_DOMAIN "sharding"
#include "sharding-private.h"
#include "protocol/mysql-constants.h"

TsrHookAction tsr_sharding_stmt_command(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                        gsize len) {
  (void)w;
  (void)ss;
  (void)len;
  switch (packet[0]) {
  case TSR_COM_STMT_PREPARE:
  case TSR_COM_STMT_EXECUTE:
  case TSR_COM_STMT_SEND_LONG_DATA:
  case TSR_COM_STMT_RESET:
  case TSR_COM_STMT_FETCH:
    tsr_sharding_reply_error(s, 1235, "42000",
                             "tessera: prepared statements are not supported with sharding yet; use text queries");
    return TSR_HOOK_SEND_RESULT;
  default:
    return TSR_HOOK_DEFAULT;
  }
}
