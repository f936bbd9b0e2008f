/* fuzz-handshake.c: HandshakeV10, HandshakeResponse, SSLRequest and the
 * authentication exchange packets. What decodes must encode and decode again. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-handshake.h"

static void fuzz_v10(const uint8_t *data, size_t size) {
  TsrHandshakeV10 hs, again;
  g_autoptr(GByteArray) out = g_byte_array_new();
  GError *error = NULL;

  if (tsr_handshake_v10_decode(data, size, &hs, &error) != TSR_DECODE_OK) {
    g_assert(error != NULL);
    g_clear_error(&error);
    return;
  }
  g_assert(hs.scramble_len <= TSR_SCRAMBLE_MAX);
  tsr_handshake_v10_encode(out, &hs);
  g_assert(tsr_handshake_v10_decode(out->data, out->len, &again, NULL) == TSR_DECODE_OK);
}

static void fuzz_response(const uint8_t *data, size_t size) {
  TsrHandshakeResponse r, again;
  g_autoptr(GByteArray) out = g_byte_array_new();
  GError *error = NULL;

  (void)tsr_handshake_response_is_ssl_request(data, size);
  if (tsr_handshake_response_decode(data, size, &r, &error) != TSR_DECODE_OK) {
    g_assert(error != NULL);
    g_clear_error(&error);
    return;
  }
  if (!(r.capabilities & TSR_CLIENT_PROTOCOL_41) || r.auth_response.len > 255) return;
  tsr_handshake_response_encode(out, &r);
  g_assert(tsr_handshake_response_decode(out->data, out->len, &again, NULL) == TSR_DECODE_OK);
}

static void fuzz_auth(const uint8_t *data, size_t size) {
  TsrAuthSwitchRequest req;
  TsrSlice s;
  GError *error = NULL;

  if (tsr_auth_switch_request_decode(data, size, &req, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (tsr_auth_more_data_decode(data, size, &s, &error) != TSR_DECODE_OK) g_clear_error(&error);
  tsr_auth_switch_response_decode(data, size, &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_v10(data, size);
  fuzz_response(data, size);
  fuzz_auth(data, size);
  return 0;
}
