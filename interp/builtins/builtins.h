/* builtins.h — the built-in functions (builtins*.c), called by the engine and the planner.
 *
 * Ownership: arguments are borrowed; the result is a new reference.
 */
#ifndef RBK_BUILTINS_H
#define RBK_BUILTINS_H

#include <stddef.h>

#include "sig.h"
#include "value.h"

/* Calls the built-in `id` (a SIG_PURE, SIG_ENV or SIG_RUNTIME entry of sig.h) with positional
 * `args` (n of them) and `named`, an array indexed like sig_params() of the signature with NULL
 * for absent ones. Returns the result, or NULL with *err set to a one-line message (caller frees). */
rbk_value *builtins_call(sig_id id, rbk_value *const *args, size_t n, rbk_value *const *named,
                         const builtin_ctx *ctx, char **err);

#endif
