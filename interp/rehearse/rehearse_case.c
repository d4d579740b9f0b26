/* rehearse_case.c — reading a plan's sidecar file of rehearsal cases and validating it (see
 * rehearse_case.h; docs/rehearsal.md). */
#include "rehearse_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "valbuf.h"
#include "yamljson.h"

/* The sidecar suffixes, in the order they are looked for. */
static const char *const sidecar_suffixes[] = {".test.json", ".test.yaml", ".test.yml"};

/* Returns the sidecar path of plan, or NULL (see rehearse_case.h). */
char *rehearse_case_sidecar_path(const char *plan) {
  size_t n = strlen(plan);
  if (n > 4 && !strcmp(plan + n - 4, ".rbk")) n -= 4;
  for (size_t i = 0; i < sizeof sidecar_suffixes / sizeof *sidecar_suffixes; i++) {
    char *p = strutil_printf("%.*s%s", (int)n, plan, sidecar_suffixes[i]);
    if (p && access(p, F_OK) == 0) return p;
    free(p);
  }
  return NULL;
}

/* Returns the file's document as JSON (YAML for .yaml/.yml), or NULL with *err set. */
static json_t *read_doc(const char *file, char **err) {
  size_t n = strlen(file);
  if (n > 5 && !strcmp(file + n - 5, ".json")) {
    json_error_t je;
    json_t *j = json_load_file(file, 0, &je);
    if (!j) *err = strutil_printf("%s:%d:%d: %s", file, je.line, je.column, je.text);
    return j;
  }
  size_t len;
  char *text = valbuf_read_file(file, &len), *why = NULL;
  if (!text) return *err = strutil_printf("%s: cannot read the file", file), NULL;
  json_t *j = yamljson_parse(text, len, &why);
  if (!j) *err = strutil_printf("%s: %s", file, why ? why : "out of memory");
  free(text), free(why);
  return j;
}

/* Returns NULL when every key of obj is in `allowed` (NULL-terminated), else an error. */
static char *unknown_key(const json_t *obj, const char *where, const char *const *allowed) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) {
    size_t i = 0;
    while (allowed[i] && strcmp(allowed[i], k)) i++;
    if (!allowed[i]) return strutil_printf("%s: unknown key \"%s\"", where, k);
  }
  return NULL;
}

/* Returns true when v is N ≥ 0 or {"min": N, "max": N} (either present). */
static bool is_count(const json_t *v) {
  if (json_is_integer(v)) return json_integer_value(v) >= 0;
  if (!json_is_object(v) || !json_object_size(v)) return false;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)v, k, x) if ((strcmp(k, "min") && strcmp(k, "max")) || !json_is_integer(x)) return false;
  return true;
}

/* Returns true when v is {"min": D, "max": D} (either present) with duration texts. */
static bool is_span(const json_t *v) {
  if (!json_is_object(v) || !json_object_size(v)) return false;
  const char *k;
  json_t *x;
  int64_t ms;
  json_object_foreach((json_t *)v, k, x)
    if ((strcmp(k, "min") && strcmp(k, "max")) || !json_is_string(x) || !rehearse_case_duration(json_string_value(x), &ms)) return false;
  return true;
}

/* Returns true when v is a string or a list of strings. */
static bool is_texts(const json_t *v) {
  if (json_is_string(v)) return true;
  if (!json_is_array(v)) return false;
  size_t i;
  json_t *x;
  json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
  return true;
}

/* Returns true when every value of object v satisfies ok (or is null when nulls). */
static bool is_map_of(const json_t *v, bool (*ok)(const json_t *), bool nulls) {
  if (!json_is_object(v)) return false;
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)v, k, x) if (!(nulls && json_is_null(x)) && !ok(x)) return false;
  return true;
}

/* Returns true when v is a string (is_map_of's predicate). */
static bool is_str(const json_t *v) { return json_is_string(v); }

/* Returns NULL when "final" is well-formed, else an error. */
static char *check_final(const json_t *f, const char *where) {
  static const char *const keys[] = {
#define X(k, name, doc) name,
      REHEARSE_FINAL_KEYS(X)
#undef X
      NULL};
  if (!json_is_object(f)) return strutil_printf("%s: \"final\" must be an object", where);
  char *e = unknown_key(f, where, keys);
  if (e) return e;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)f, k, v) {
    bool ok = !strcmp(k, "images") ? is_map_of(v, is_str, true) : !strcmp(k, "ready") ? is_map_of(v, is_count, false) : is_count(v);
    if (!ok) return strutil_printf("%s: final.%s has the wrong type (docs/rehearsal.md)", where, k);
  }
  return NULL;
}

/* Returns NULL when the expectation `k` = v is well-formed, else an error. */
static char *check_expect_value(const char *k, const json_t *v, const char *where) {
  bool ok;
  if (!strcmp(k, "exit")) ok = json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 3;
  else if (!strcmp(k, "failed_step") || !strcmp(k, "failed_gate")) ok = json_is_string(v) || json_is_null(v);
  else if (!strcmp(k, "final")) return check_final(v, where);
  else if (!strcmp(k, "elapsed")) ok = is_span(v);
  else if (strstr(k, "_include") || strstr(k, "_exclude")) ok = is_texts(v);
  else ok = is_count(v);
  return ok ? NULL : strutil_printf("%s: expect.%s has the wrong type (docs/rehearsal.md)", where, k);
}

/* Returns NULL when "expect" is well-formed, else an error. */
static char *check_expect(const json_t *x, const char *where) {
  static const char *const keys[] = {
#define X(k, name, doc) name,
      REHEARSE_EXPECT_KEYS(X)
#undef X
      NULL};
  if (!json_is_object(x)) return strutil_printf("%s: \"expect\" must be an object", where);
  char *e = unknown_key(x, where, keys);
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)x, k, v) if (!e) e = check_expect_value(k, v, where);
  return e;
}

/* Returns the -p text of a param value: strings as they are, others as compact JSON. */
static char *param_text(const char *name, const json_t *v) {
  if (json_is_string(v)) return strutil_printf("%s=%s", name, json_string_value(v));
  char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  char *s = j ? strutil_printf("%s=%s", name, j) : NULL;
  free(j);
  return s;
}

/* Returns a new NULL-terminated array of strings from a JSON list of strings. */
static char **string_list(const json_t *list) {
  char **out = calloc(json_array_size(list) + 1, sizeof *out);
  size_t i;
  json_t *x;
  json_array_foreach(list, i, x) if (out) out[i] = strdup(json_string_value(x));
  return out;
}

/* Fills c's params, secrets and approvals from the merged case object m. */
static void case_lists(rehearse_case *c, const json_t *m) {
  json_t *params = json_object_get(m, "params"), *secrets = json_object_get(m, "secrets"), *v;
  const char *k;
  c->assigns = calloc(json_object_size(params) + 1, sizeof *c->assigns);
  json_object_foreach(params, k, v) if (c->assigns) c->assigns[c->nassigns++] = param_text(k, v);
  c->secret_names = calloc(json_object_size(secrets) + 1, sizeof *c->secret_names);
  c->secret_values = calloc(json_object_size(secrets) + 1, sizeof *c->secret_values);
  json_object_foreach(secrets, k, v) if (c->secret_names && c->secret_values) {
    c->secret_names[c->nsecrets] = strdup(k);
    c->secret_values[c->nsecrets++] = strdup(json_string_value(v));
  }
  c->approve = string_list(json_object_get(m, "approve"));
}

/* Returns NULL when the merged case m is well-formed, else an error. */
static char *check_case(const json_t *m, const char *where) {
  static const char *const keys[] = {"name", "description", "scenario", "params", "seed", "yes", "approve",
                                     "secrets", "process_stubs", "expect", NULL};
  char *e = unknown_key(m, where, keys);
  if (e) return e;
  json_t *v;
  if ((v = json_object_get(m, "name")) && !json_is_string(v)) return strutil_printf("%s: \"name\" must be a string", where);
  if ((v = json_object_get(m, "scenario")) && !json_is_string(v)) return strutil_printf("%s: \"scenario\" must be a string", where);
  if ((v = json_object_get(m, "params")) && !json_is_object(v)) return strutil_printf("%s: \"params\" must be an object", where);
  if ((v = json_object_get(m, "seed")) && (!json_is_integer(v) || json_integer_value(v) < 0))
    return strutil_printf("%s: \"seed\" must be a non-negative integer", where);
  if ((v = json_object_get(m, "yes")) && !json_is_boolean(v)) return strutil_printf("%s: \"yes\" must be true or false", where);
  if ((v = json_object_get(m, "approve")) && (!json_is_array(v) || !is_texts(v))) return strutil_printf("%s: \"approve\" must be a list of texts", where);
  if ((v = json_object_get(m, "secrets")) && !is_map_of(v, is_str, false)) return strutil_printf("%s: \"secrets\" must map names to texts", where);
  if ((v = json_object_get(m, "process_stubs")) && !json_is_array(v)) return strutil_printf("%s: \"process_stubs\" must be a list", where);
  return (v = json_object_get(m, "expect")) ? check_expect(v, where) : NULL;
}

/* Returns the case object merged over the defaults (new): params and secrets merge. */
static json_t *merge_case(const json_t *defaults, const json_t *item) {
  json_t *m = json_is_object(defaults) ? json_deep_copy(defaults) : json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)item, k, v) {
    json_t *base = json_object_get(m, k);
    if ((!strcmp(k, "params") || !strcmp(k, "secrets")) && json_is_object(base) && json_is_object(v)) json_object_update(base, v);
    else json_object_set(m, k, v);
  }
  return m;
}

/* Returns the scenario as the simulator loads it (new): a built-in name as it is; a relative
 * file path (with '/' or ending in .json) relative to the sidecar's directory. */
static char *scenario_path(const char *sidecar, const char *scenario) {
  size_t n = strlen(scenario);
  bool file = strchr(scenario, '/') || (n > 5 && !strcmp(scenario + n - 5, ".json"));
  const char *slash = strrchr(sidecar, '/');
  if (!file || scenario[0] == '/' || !slash) return strdup(scenario);
  return strutil_printf("%.*s/%s", (int)(slash - sidecar), sidecar, scenario);
}

/* Builds case number i from the merged object m into c; returns NULL or an error. */
static char *build_case(rehearse_case *c, const json_t *m, const char *file, size_t i) {
  char *where = strutil_printf("%s: case %zu", file, i + 1);
  char *e = where ? check_case(m, where) : strutil_printf("out of memory");
  free(where);
  if (e) return e;
  const char *scenario = json_string_value(json_object_get(m, "scenario"));
  const char *name = json_string_value(json_object_get(m, "name"));
  c->scenario = scenario ? scenario_path(file, scenario) : NULL;
  c->name = strdup(name ? name : scenario ? scenario : REHEARSE_DEFAULT_SCENARIO);
  c->yes = json_is_true(json_object_get(m, "yes"));
  c->has_seed = json_object_get(m, "seed") != NULL;
  c->seed = (uint64_t)json_integer_value(json_object_get(m, "seed"));
  c->process_stubs = json_incref(json_object_get(m, "process_stubs"));
  c->expect = json_incref(json_object_get(m, "expect"));
  if (!c->expect) c->expect = json_object();
  case_lists(c, m);
  return c->name && c->expect && c->assigns && c->approve && c->secret_names && c->secret_values ? NULL : strutil_printf("out of memory");
}

/* Returns an error when two cases share a name, else NULL. */
static char *duplicate_name(const rehearse_cases *out) {
  for (size_t i = 0; i < out->len; i++)
    for (size_t j = i + 1; j < out->len; j++)
      if (!strcmp(out->items[i].name, out->items[j].name))
        return strutil_printf("%s: two cases are named \"%s\" (give each a \"name\")", out->file, out->items[i].name);
  return NULL;
}

/* Loads and validates a sidecar; returns false with *err (see rehearse_case.h). */
bool rehearse_case_load_all(const char *file, rehearse_cases *out, char **err) {
  *out = (rehearse_cases){.file = strdup(file)};
  json_t *doc = read_doc(file, err), *cases = json_object_get(doc, "cases"), *item;
  static const char *const top[] = {"description", "defaults", "cases", NULL};
  if (doc && !(*err = json_is_object(doc) ? unknown_key(doc, file, top) : strutil_printf("%s: the file must hold an object", file)) &&
      (!json_is_array(cases) || !json_array_size(cases)))
    *err = strutil_printf("%s: \"cases\" must be a non-empty list", file);
  if (!*err && json_object_get(doc, "defaults") && json_object_get(json_object_get(doc, "defaults"), "expect"))
    *err = strutil_printf("%s: \"defaults\" cannot hold \"expect\"", file);
  if (!*err) out->items = calloc(json_array_size(cases), sizeof *out->items);
  size_t i;
  json_array_foreach(cases, i, item) {
    if (*err || !out->items) break;
    json_t *m = json_is_object(item) ? merge_case(json_object_get(doc, "defaults"), item) : NULL;
    *err = m ? build_case(&out->items[out->len++], m, file, i) : strutil_printf("%s: case %zu must be an object", file, i + 1);
    json_decref(m);
  }
  if (!*err) *err = duplicate_name(out);
  json_decref(doc);
  if (!*err) return true;
  rehearse_case_free_all(out);
  return false;
}

/* Frees a NULL-terminated string array. */
static void free_strings(char **list) {
  for (size_t i = 0; list && list[i]; i++) free(list[i]);
  free(list);
}

/* Frees the cases. */
void rehearse_case_free_all(rehearse_cases *cs) {
  for (size_t i = 0; i < cs->len; i++) {
    rehearse_case *c = &cs->items[i];
    free(c->name), free(c->scenario);
    free_strings(c->assigns), free_strings(c->approve), free_strings(c->secret_names), free_strings(c->secret_values);
    json_decref(c->process_stubs), json_decref(c->expect);
  }
  free(cs->items);
  free(cs->file);
  *cs = (rehearse_cases){0};
}

/* Fills the run options of one case. */
void rehearse_case_opts(const rehearse_case *c, const char *plan, rehearse_opts *o) {
  o->plan = plan;
  o->scenario = c->scenario;
  o->assigns = c->assigns;
  o->nassigns = c->nassigns;
  o->approve = (const char *const *)c->approve;
  o->yes = c->yes;
  o->has_seed = c->has_seed;
  o->seed = c->seed;
  o->secret_names = (const char *const *)c->secret_names;
  o->secret_values = (const char *const *)c->secret_values;
  o->nsecrets = c->nsecrets;
  o->process_stubs = c->process_stubs;
}
