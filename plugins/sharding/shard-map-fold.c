/* shard-map-fold.c: CRC32 and the folding of string keys under their
 * collation (shard-map-key.h). general_ci weights come from MariaDB's own
 * table (value-collation.h), so strings the server calls equal fold equal. */
#include <string.h>
#include "shard-map-key.h"
#include "value-collation.h"

static guint32 crc_table[256];

static gpointer make_crc_table(gpointer unused) {
  for (guint32 n = 0; n < 256; n++) {
    guint32 c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
  return NULL;
}

guint32 tsr_shard_crc32(const guint8 *p, gsize len) {
  static GOnce once = G_ONCE_INIT;
  g_once(&once, make_crc_table, NULL);
  guint32 c = 0xFFFFFFFFu;
  for (gsize i = 0; i < len; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

gunichar tsr_shard_fold_general_ci(gunichar c) {
  return tsr_general_ci_weight(c);
}

/* Length of s[0..len) without its trailing spaces (PAD SPACE collations). */
static gsize unpadded(const char *s, gsize len) {
  while (len > 0 && s[len - 1] == ' ') len--;
  return len;
}

/* Appends the general_ci weights of s[0..len) as UTF-8, without the
 * trailing weights of a space. FALSE on a sequence utf8mb4 rejects. */
static gboolean fold_general_ci(const char *s, gsize len, GString *out) {
  gsize pos = 0, keep = out->len;
  while (pos < len) {
    gunichar c;
    if (!tsr_utf8_next((const guint8 *)s, len, &pos, &c)) {
      g_string_truncate(out, keep);
      return FALSE;
    }
    gunichar w = tsr_general_ci_weight(c);
    g_string_append_unichar(out, w);
  }
  gsize end = out->len;
  /* a weight of U+0020 is the byte 0x20, which ends no other UTF-8 sequence */
  while (end > keep && out->str[end - 1] == ' ') end--;
  g_string_truncate(out, end);
  return TRUE;
}

gboolean tsr_shard_fold(TsrShardCollation collation, const char *s, gsize len, GString *out) {
  switch (collation) {
  case TSR_SHARD_COLLATION_BINARY: g_string_append_len(out, s, (gssize)len); return TRUE;
  case TSR_SHARD_COLLATION_BIN: g_string_append_len(out, s, (gssize)unpadded(s, len)); return TRUE;
  case TSR_SHARD_COLLATION_GENERAL_CI: return fold_general_ci(s, len, out);
  }
  return FALSE;
}
