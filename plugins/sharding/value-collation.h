/* value-collation.h: how MariaDB orders and matches strings under the
 * collations the sharding merger reproduces:
 *
 *   TSR_STRING_BINARY      the `binary` character set: bytes, NO PAD
 *                          (BINARY, VARBINARY, BLOB, BIT);
 *   TSR_STRING_BINARY_PAD  a _bin collation: bytes (UTF-8 byte order is
 *                          code point order), PAD SPACE;
 *   TSR_STRING_GENERAL_CI  utf8mb4_general_ci / utf8mb3_general_ci: one
 *                          16-bit weight per character from MariaDB's table
 *                          (case and most accents folded, characters above
 *                          U+FFFF all weigh U+FFFD), PAD SPACE;
 *   TSR_STRING_LATIN1_CI   latin1_swedish_ci: one weight per byte, PAD SPACE.
 *
 * PAD SPACE compares as if the shorter string were padded with spaces:
 * "a" = "a  ", and "a\t" < "a" because TAB sorts before the padding space.
 * A byte sequence that is not valid UTF-8 makes the rest of both strings
 * compare as bytes, as MariaDB does. Nothing here allocates. */
#ifndef TESSERA_SHARDING_VALUE_COLLATION_H
#define TESSERA_SHARDING_VALUE_COLLATION_H

#include <glib.h>

typedef enum {
  TSR_STRING_BINARY,
  TSR_STRING_BINARY_PAD,
  TSR_STRING_GENERAL_CI,
  TSR_STRING_LATIN1_CI,
} TsrStringOrder;

/* MariaDB's utf8mb4_general_ci weights of U+0000..U+FFFF by page (high
 * byte); a NULL page weighs each character as itself. Generated from
 * MariaDB 10.11 into value-collation-table.c. */
extern const guint16 *const tsr_general_ci_pages[256];

/* latin1_swedish_ci weight of each byte (value-collation-table.c). */
extern const guint8 tsr_latin1_ci_weights[256];

/* Returns the utf8mb4_general_ci weight of code point c. */
static inline guint tsr_general_ci_weight(gunichar c) {
  const guint16 *page;
  if (c > 0xFFFF) return 0xFFFD;
  page = tsr_general_ci_pages[c >> 8];
  return page ? page[c & 0xFF] : c;
}

/* Compares a[0..alen) with b[0..blen) under `order`; returns <0, 0 or >0. */
int tsr_collate_compare(TsrStringOrder order, const guint8 *a, gsize alen, const guint8 *b, gsize blen);

/* Returns a hash of s[0..len) under `order`: strings that compare equal
 * hash equal. */
guint tsr_collate_hash(TsrStringOrder order, const guint8 *s, gsize len);

/* Decodes one UTF-8 character of s[*pos..len) into *c and advances *pos.
 * Returns FALSE (leaving *pos) on a sequence MariaDB's utf8mb4 rejects:
 * bad lead or continuation bytes, overlong forms, surrogates, past
 * U+10FFFF, truncation. */
gboolean tsr_utf8_next(const guint8 *s, gsize len, gsize *pos, gunichar *c);

#endif
