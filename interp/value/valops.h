/* valops.h — rbk's operators on known values (language.md §5): the engine and the planner's
 * constant folding both call these, so an expression means the same everywhere.
 *
 * Ownership: operands are borrowed; the result is a new reference (caller unrefs). On failure the
 * result is NULL and *err is a one-line message (caller frees) naming the operator and the kinds,
 * e.g. "cannot apply + to string and int", "division by zero", "integer overflow in *".
 *
 * and / or / ?? short-circuit in the engine; these versions take both operands already known.
 */
#ifndef RBK_VALOPS_H
#define RBK_VALOPS_H

#include "ast.h"
#include "value.h"

/* Returns a op b for every binary operator of ast.h (OP_ADD … OP_COALESCE), or NULL with *err. */
rbk_value *valops_binary(ast_op op, const rbk_value *a, const rbk_value *b, char **err);

/* Returns op a for OP_NOT (bools) and OP_NEG (ints, floats, durations), or NULL with *err. */
rbk_value *valops_unary(ast_op op, const rbk_value *a, char **err);

#endif
