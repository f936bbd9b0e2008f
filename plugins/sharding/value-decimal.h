/* value-decimal.h: exact DECIMAL arithmetic on the text MariaDB sends
 * ("-123.4500", in the text and the binary protocol alike): comparison,
 * hashing, sums of any length and the division AVG needs, with MariaDB's
 * rounding. No floating point anywhere.
 *
 * A decimal text is an optional '-', at least one digit, and optionally
 * '.' followed by at least one digit. */
#ifndef TESSERA_SHARDING_VALUE_DECIMAL_H
#define TESSERA_SHARDING_VALUE_DECIMAL_H

#include <glib.h>

/* Returns TRUE when s[0..len) is a decimal text. */
gboolean tsr_decimal_valid(const guint8 *s, gsize len);

/* Compares two decimal texts by value ("1.50" = "1.5", "-0" = "0");
 * returns <0, 0 or >0. Both must be valid. */
int tsr_decimal_compare(const guint8 *a, gsize alen, const guint8 *b, gsize blen);

/* Returns a hash of a decimal text's value: equal values hash equal. */
guint tsr_decimal_hash(const guint8 *s, gsize len);

/* An exact running sum. Zero-initialise, or tsr_decimal_sum_init(). */
typedef struct {
  GByteArray *digits;          /* magnitude, one digit per byte, least significant first,
                                  no leading zeros (empty for zero); NULL until first use */
  guint scale;                 /* digits after the decimal point */
  gboolean negative;
} TsrDecimalSum;

/* Sets *sum to zero. */
void tsr_decimal_sum_init(TsrDecimalSum *sum);

/* Frees what *sum holds and sets it to zero. */
void tsr_decimal_sum_clear(TsrDecimalSum *sum);

/* Adds the decimal text s[0..len). Returns FALSE (and adds nothing) when
 * it is not a decimal text. */
gboolean tsr_decimal_sum_add(TsrDecimalSum *sum, const guint8 *s, gsize len);

/* Appends the sum with exactly `decimals` digits after the point (none and
 * no point for 0), rounding half away from zero when it has more, as
 * MariaDB prints a DECIMAL(p, decimals). Zero is never negative. */
void tsr_decimal_sum_format(const TsrDecimalSum *sum, guint decimals, GString *out);

/* Appends sum / count as MariaDB's AVG prints it with `decimals` digits
 * after the point: the quotient is truncated to the next multiple of 9
 * digits at or after scale + 4 (div_precision_increment; MariaDB divides
 * in 9-digit words) and then rounded half away from zero to `decimals`.
 * Returns FALSE when count is 0 or too large (>= 2^59). */
gboolean tsr_decimal_sum_divide(const TsrDecimalSum *sum, guint64 count, guint decimals, GString *out);

#endif
