/* vm_resume.c — the engine's side of resuming: the journaled results of mutating actions that
 * completed inside steps that run again, and the values completed steps returned (see
 * engine_config.resume_results / resume_returns in engine.h). */
#include "engine_int.h"

#include <math.h>

/* Returns the journaled result of the next completed run of action `key` (consumed), or NULL. */
rbk_value *vm_resume_take_result(engine *e, const char *key) {
  json_t *list = key && e->cfg.resume_results ? json_object_get(e->cfg.resume_results, key) : NULL;
  if (!json_is_array(list) || !json_array_size(list)) return NULL;
  rbk_value *v = value_from_json(json_array_get(list, 0));
  if (v) json_array_remove(list, 0);
  return v;
}

/* Returns true with *value (new) when the completed step `key` returned a value earlier. */
bool vm_resume_step_return(const engine *e, const char *key, rbk_value **value) {
  const json_t *j = key && e->cfg.resume_returns ? json_object_get(e->cfg.resume_returns, key) : NULL;
  if (!j) return false;
  *value = value_from_json(j);
  return *value != NULL;
}

/* Returns true when v survives value_to_json / value_from_json unchanged. */
bool vm_resume_value_exact(const rbk_value *v) {
  switch (v->kind) {
    case VAL_NULL:
    case VAL_BOOL:
    case VAL_INT:
    case VAL_STRING: return true;
    case VAL_FLOAT: return isfinite(v->u.f);
    case VAL_LIST:
      for (size_t i = 0; i < v->u.list.len; i++)
        if (!vm_resume_value_exact(v->u.list.items[i])) return false;
      return true;
    case VAL_OBJECT:
      for (size_t i = 0; i < v->u.obj.len; i++)
        if (!vm_resume_value_exact(v->u.obj.vals[i])) return false;
      return true;
    default: return false;
  }
}
