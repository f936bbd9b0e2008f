/* mysql-auth.c: mysql_native_password and scramble generation (see mysql-auth.h). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include "mysql-auth.h"

/* out = SHA1(a[0..a_len) + b[0..b_len)). */
static void sha1_two(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *a, gsize a_len, const guint8 *b, gsize b_len) {
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA1);
  gsize out_len = TSR_NATIVE_HASH_LEN;
  if (a_len) g_checksum_update(sum, a, (gssize)a_len);
  if (b_len) g_checksum_update(sum, b, (gssize)b_len);
  g_checksum_get_digest(sum, out, &out_len);
  g_checksum_free(sum);
}

static void xor_into(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *a, const guint8 *b) {
  for (guint i = 0; i < TSR_NATIVE_HASH_LEN; i++) out[i] = a[i] ^ b[i];
}

/* Compares two hashes in time independent of where they differ. */
static gboolean hash_equal(const guint8 *a, const guint8 *b) {
  guint8 diff = 0;
  for (guint i = 0; i < TSR_NATIVE_HASH_LEN; i++) diff |= (guint8)(a[i] ^ b[i]);
  return diff == 0;
}

void tsr_native_scramble_stage1(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *scramble, gsize scramble_len,
                                const guint8 stage1[TSR_NATIVE_HASH_LEN]) {
  guint8 stored[TSR_NATIVE_HASH_LEN], mask[TSR_NATIVE_HASH_LEN];
  sha1_two(stored, stage1, TSR_NATIVE_HASH_LEN, NULL, 0);
  sha1_two(mask, scramble, scramble_len, stored, TSR_NATIVE_HASH_LEN);
  xor_into(out, stage1, mask);
}

gsize tsr_native_scramble(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *scramble, gsize scramble_len,
                          const char *password, gsize password_len) {
  guint8 stage1[TSR_NATIVE_HASH_LEN];
  if (password_len == 0) return 0;
  sha1_two(stage1, (const guint8 *)password, password_len, NULL, 0);
  tsr_native_scramble_stage1(out, scramble, scramble_len, stage1);
  return TSR_NATIVE_HASH_LEN;
}

void tsr_native_hash(guint8 out[TSR_NATIVE_HASH_LEN], const char *password, gsize password_len) {
  guint8 stage1[TSR_NATIVE_HASH_LEN];
  sha1_two(stage1, (const guint8 *)password, password_len, NULL, 0);
  sha1_two(out, stage1, TSR_NATIVE_HASH_LEN, NULL, 0);
}

gchar *tsr_native_hash_format(const guint8 hash[TSR_NATIVE_HASH_LEN]) {
  static const char digits[] = "0123456789ABCDEF";
  gchar *text = g_malloc(TSR_NATIVE_HASH_TEXT_LEN + 1);
  text[0] = '*';
  for (guint i = 0; i < TSR_NATIVE_HASH_LEN; i++) {
    text[1 + 2 * i] = digits[hash[i] >> 4];
    text[2 + 2 * i] = digits[hash[i] & 0x0F];
  }
  text[TSR_NATIVE_HASH_TEXT_LEN] = '\0';
  return text;
}

gboolean tsr_native_hash_parse(const char *text, guint8 out[TSR_NATIVE_HASH_LEN], GError **error) {
  guint8 hash[TSR_NATIVE_HASH_LEN];
  if (!text || strlen(text) != TSR_NATIVE_HASH_TEXT_LEN || text[0] != '*') goto invalid;
  for (guint i = 0; i < TSR_NATIVE_HASH_LEN; i++) {
    int hi = g_ascii_xdigit_value(text[1 + 2 * i]), lo = g_ascii_xdigit_value(text[2 + 2 * i]);
    if (hi < 0 || lo < 0) goto invalid;
    hash[i] = (guint8)(hi << 4 | lo);
  }
  memcpy(out, hash, TSR_NATIVE_HASH_LEN);
  return TRUE;
invalid:
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID,
              "mysql_native_password hash: expected '*' and 40 hex digits");
  return FALSE;
}

gboolean tsr_native_recover_stage1(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *response, gsize response_len,
                                   const guint8 *scramble, gsize scramble_len,
                                   const guint8 stored_hash[TSR_NATIVE_HASH_LEN]) {
  guint8 mask[TSR_NATIVE_HASH_LEN], stage1[TSR_NATIVE_HASH_LEN], check[TSR_NATIVE_HASH_LEN];
  if (response_len != TSR_NATIVE_HASH_LEN) return FALSE;
  sha1_two(mask, scramble, scramble_len, stored_hash, TSR_NATIVE_HASH_LEN);
  xor_into(stage1, response, mask);
  sha1_two(check, stage1, TSR_NATIVE_HASH_LEN, NULL, 0);
  if (!hash_equal(check, stored_hash)) return FALSE;
  memcpy(out, stage1, TSR_NATIVE_HASH_LEN);
  return TRUE;
}

gboolean tsr_native_check(const guint8 *response, gsize response_len, const guint8 *scramble, gsize scramble_len,
                          const guint8 *stored_hash) {
  guint8 stage1[TSR_NATIVE_HASH_LEN];
  if (!stored_hash) return response_len == 0;
  return tsr_native_recover_stage1(stage1, response, response_len, scramble, scramble_len, stored_hash);
}

/* Fills buf with random bytes from the kernel; FALSE when it cannot. */
static gboolean system_random(guint8 *buf, gsize len) {
  gsize got = 0;
  while (got < len) {
    ssize_t n = getrandom(buf + got, len - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return FALSE;
    got += (gsize)n;
  }
  return TRUE;
}

void tsr_scramble_generate(guint8 *out, gsize len) {
  if (!system_random(out, len)) {
    for (gsize i = 0; i < len; i++) out[i] = (guint8)g_random_int();
  }
  for (gsize i = 0; i < len; i++) {
    out[i] &= 0x7F;
    if (out[i] == '\0' || out[i] == '$') out[i]++;
  }
}
