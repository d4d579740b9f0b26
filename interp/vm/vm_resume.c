/* vm_resume.c — the engine's side of resuming: the journaled results of mutating actions that
 * completed inside steps that run again, and the values completed steps returned (see
 * engine_config.resume_results / resume_returns in engine.h). */
#include "engine_int.h"

#include "value_typed.h"

/* Returns the journaled result of the next completed run of action `key` (consumed), or NULL. */
rbk_value *vm_resume_take_result(engine *e, const char *key) {
  json_t *list = key && e->cfg.resume_results ? json_object_get(e->cfg.resume_results, key) : NULL;
  if (!json_is_array(list) || !json_array_size(list)) return NULL;
  rbk_value *v = value_typed_decode(json_array_get(list, 0));
  if (v) json_array_remove(list, 0);
  return v;
}

/* Returns true with *value (new) when the completed step `key` returned a value earlier. */
bool vm_resume_step_return(const engine *e, const char *key, rbk_value **value) {
  const json_t *j = key && e->cfg.resume_returns ? json_object_get(e->cfg.resume_returns, key) : NULL;
  if (!j) return false;
  *value = value_typed_decode(j);
  return *value != NULL;
}

/* Returns true when v holds no secret, lambda or handle: the journal keeps it with its kind. */
bool vm_resume_value_journalable(const rbk_value *v) {
  switch (v->kind) {
    case VAL_SECRET:
    case VAL_LAMBDA:
    case VAL_HANDLE: return false;
    case VAL_LIST:
      for (size_t i = 0; i < v->u.list.len; i++)
        if (!vm_resume_value_journalable(v->u.list.items[i])) return false;
      return true;
    case VAL_OBJECT:
      for (size_t i = 0; i < v->u.obj.len; i++)
        if (!vm_resume_value_journalable(v->u.obj.vals[i])) return false;
      return true;
    default: return true;
  }
}
