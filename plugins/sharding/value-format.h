/* value-format.h: the text MariaDB writes for a value, for values the
 * merger computes (SUM and AVG of DOUBLE) and for binary protocol values
 * that must be shown as text (HAVING is evaluated over text).
 *
 * Floating point follows MariaDB's my_gcvt/my_fcvt: with decimals 31
 * ("not fixed") the shortest digits that read back as the same double (6
 * significant digits at most for FLOAT), written plainly when the decimal
 * exponent is within -14..15 or the digits reach past the point, else as
 * "1.5e20" / "1e-300"; with fixed decimals, exactly that many digits after
 * the point. Negative zero is written as 0. */
#ifndef TESSERA_SHARDING_VALUE_FORMAT_H
#define TESSERA_SHARDING_VALUE_FORMAT_H

#include <glib.h>
#include "value.h"

/* decimals of a FLOAT/DOUBLE column whose digits are not fixed */
#define TSR_NOT_FIXED_DEC 31u

/* Appends the text of a DOUBLE value with `decimals` (TSR_NOT_FIXED_DEC or
 * less). */
void tsr_format_double(GString *out, gdouble v, guint decimals);

/* Appends the text of a FLOAT value with `decimals`. */
void tsr_format_float(GString *out, gfloat v, guint decimals);

/* Appends the text form of v, a value of class cls as the binary protocol
 * carries it (or as tsr_value_from_text() read it): what the text protocol
 * would carry for the same value. NULL appends nothing. */
void tsr_value_format_text(GString *out, const TsrValueClass *cls, const TsrValue *v);

#endif
