/* params.h — binding `-p name=value` to a plan's top-level `param` declarations, by declared type.
 *
 * Used by `rbk plan`, `rbk run` and `rbk test`. A value given on the command line is parsed by the
 * declared type: string as is; int; float; bool (true/false); duration (`90s`, `1h30m`, `500ms`,
 * `2d`); list/object as JSON, else as YAML flow (`[a, b]`, `{k: v}`). An untyped param takes the
 * type of its default (when the default is a literal, or when the caller's `eval` can compute it),
 * else string. Defaults are not computed here: a binding without a given value has value NULL and
 * the caller evaluates the declaration's default in its own environment.
 *
 * Ownership: a param_set owns its values; declarations are borrowed from the AST, which must
 * outlive the set. Error strings returned through `err` are one line without the "rbk: " prefix,
 * and the caller frees them.
 */
#ifndef RBK_PARAMS_H
#define RBK_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "value.h"

typedef struct {
  const ast_node *decl; /* the PARAM declaration (borrowed) */
  rbk_value *value;     /* owned: the parsed -p value; NULL when not given (use the default) */
  bool given;           /* set from the command line */
} param_binding;

typedef struct {
  param_binding *items; /* one per top-level PARAM of the main file, in declaration order */
  size_t len;
} param_set;

/* Computes a default expression for type inference: returns a new value, or NULL when it cannot
 * be known now (then the param is read as a string). */
typedef rbk_value *(*param_eval_fn)(void *user, const ast_node *expr);

/* Returns the value of `text` parsed as `type` (TYPE_ANY: a string), or NULL with *err set to a
 * message like `"x" is not an int`. Caller owns the value. */
rbk_value *params_parse_value(ast_type type, const char *text, char **err);

/* Returns the type by which a given value of `decl` is parsed: the declared type; for an untyped
 * param the kind of its default (literal, or via `eval` when not NULL), else TYPE_STRING. */
ast_type params_effective_type(const ast_node *decl, param_eval_fn eval, void *user);

/* Binds the assignments `assigns` ("name=value", n of them) to the top-level PARAM declarations
 * of `file`. Returns true and fills *out (caller frees with params_free), or false with *err set:
 * `-p expects name=value, got "x"`, `unknown param 'replcas'; did you mean 'replicas'?`,
 * `param 'x' is given twice`, `param 'replicas': "x" is not an int`, or — when `require` is set —
 * `param 'reason' is required (declared at plan.rbk:7:1)` for a param without default or value.
 * `eval` may be NULL (see params_effective_type). */
bool params_bind(const ast_file *file, char *const *assigns, size_t n, bool require,
                 param_eval_fn eval, void *user, param_set *out, char **err);

/* Returns the binding of `name`, or NULL. Borrowed. */
const param_binding *params_find(const param_set *set, const char *name);

/* Frees the set's values and array and leaves it empty. */
void params_free(param_set *set);

#endif
