/* test-util.c: helpers shared by the protocol tests (see captured-vectors.h). */
#include <string.h>
#include "captured-vectors.h"

const TsrCapExchange *tsr_cap_get(const char *name) {
  for (gsize i = 0; i < tsr_cap_n_exchanges; i++)
    if (strcmp(tsr_cap_exchanges[i].name, name) == 0) return &tsr_cap_exchanges[i];
  g_error("no captured exchange '%s'", name);
  return NULL;
}

const TsrCapFrame *tsr_cap_frame(const char *name, guint index) {
  const TsrCapExchange *ex = tsr_cap_get(name);
  g_assert_cmpuint(index, <, ex->n_frames);
  g_assert_cmpuint(ex->frames[index].data_len, ==, ex->frames[index].len);
  return &ex->frames[index];
}

TsrDecodeStatus tsr_test_decode_copy(TsrTestDecodeFn fn, gpointer ctx, const guint8 *payload, gsize len,
                                     GError **error) {
  guint8 *copy = g_memdup2(payload, len ? len : 1);
  TsrDecodeStatus st = fn(copy, len, ctx, error);
  g_free(copy);
  return st;
}

guint tsr_test_truncations(TsrTestDecodeFn fn, gpointer ctx, const guint8 *payload, gsize len, gsize ok_from) {
  guint ok = 0;
  for (gsize n = 0; n < len; n++) {
    GError *error = NULL;
    guint8 *copy = g_malloc(n ? n : 1);
    TsrDecodeStatus st;
    memcpy(copy, payload, n);
    st = fn(copy, n, ctx, &error);
    g_free(copy);
    g_assert_cmpint(st, !=, TSR_DECODE_NEED_MORE);
    if (st == TSR_DECODE_OK) {
      if (n < ok_from) g_error("prefix of %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes decoded OK", n, len);
      g_assert_no_error(error);
      ok++;
      continue;
    }
    g_assert_nonnull(error);
    g_assert_true(error->domain == TSR_PROTOCOL_ERROR);
    g_assert_nonnull(error->message);
    g_clear_error(&error);
  }
  return ok;
}
