/* check.h — the static checker: names, calls and signatures, the types that literals reveal,
 * statement placement and reachability. `rbk check`, `rbk plan`, `rbk run` and `rbk test` call it
 * before anything runs. docs/checks.md lists every check with its message.
 *
 * Ownership: the program is borrowed; diagnostics are appended to the caller's list.
 */
#ifndef RBK_CHECK_H
#define RBK_CHECK_H

#include <stdbool.h>

#include "diag.h"
#include "program.h"

/* Checks every unit of `prog` (borrowed; units whose file could not be read are skipped) and adds
 * errors and warnings to `diags`. Returns true when `diags` then holds no error at all (loading
 * errors in the same list count too; warnings are allowed). The diagnostics borrow the program's
 * sources: keep `prog` alive while they are printed. */
bool check_program(const rbk_program *prog, diag_list *diags);

#endif
