/* fuzz-command.c: COM_CHANGE_USER under several capability sets, text
 * commands, the LOCAL INFILE request and command names. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const guint32 caps[] = { 0, TSR_CLIENT_SECURE_CONNECTION,
                                  TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_PLUGIN_AUTH | TSR_CLIENT_CONNECT_ATTRS };
  TsrSlice s;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(caps); i++) {
    TsrChangeUser cu;
    if (tsr_change_user_decode(data, size, caps[i], &cu, &error) == TSR_DECODE_OK) {
      g_autoptr(GByteArray) out = g_byte_array_new();
      tsr_change_user_encode(out, caps[i], &cu);
    } else {
      g_clear_error(&error);
    }
  }
  if (tsr_command_text_decode(data, size, TSR_COM_QUERY, &s, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (tsr_local_infile_request_decode(data, size, &s, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (size > 0) g_assert(tsr_command_name(data[0]) != NULL);
  return 0;
}
