/* realfmt.h — the shortest decimal text of a double that reads back as the same double.
 *
 * Shared by the value printer (value_show, value_to_json) and the YAML emitter so that 85.3 prints as
 * 85.3 everywhere, never as 85.299999999999997.
 */
#ifndef RBK_REALFMT_H
#define RBK_REALFMT_H

#include <stddef.h>

/* Room for any text realfmt_shortest writes, with its NUL. */
#define REALFMT_SIZE 40

/* Writes the shortest "%.{p}g" text (p = 1..17) of d that strtod reads back as d into buf, with
 * ".0" added when the text would otherwise read as an integer ("2.0", "1.0e+300"); "inf", "-inf"
 * or "nan" for non-finite values. Returns the p used (17 at most; 0 for non-finite values). */
int realfmt_shortest(double d, char buf[REALFMT_SIZE]);

/* Returns the precision for "%.{p}g" that prints d both round-trip and, for decimal exponents
 * 0..16, without an exponent (1000.0 needs 4): what a JSON printer with one precision for every
 * real of a document should use at least for d. */
int realfmt_json_precision(double d);

#endif
