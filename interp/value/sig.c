/* sig.c — lookups over the signature table of sig.h. */
#include "sig.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

static const sig_info table[] = {
#define X(id, recv, name, pos, named, req, flags, ret, doc, tmo) \
  {FN_##id, RECV_##recv, name, pos, named, req, flags, RET_##ret, doc, tmo},
    RBK_SIGNATURES(X)
#undef X
};

static const char *const recv_names[] = {
#define X(k, name) name,
    RBK_RECEIVERS(X)
#undef X
};

/* Names per receiver, NULL-terminated; filled on first use. */
static const char *names_by_recv[sizeof recv_names / sizeof recv_names[0]][FN__COUNT + 1];

/* Returns the table entry for `id`. */
const sig_info *sig_get(sig_id id) { return id < FN__COUNT ? &table[id] : NULL; }

/* Returns the function or method called `name` on `recv`, or NULL. */
const sig_info *sig_find(sig_recv recv, const char *name) {
  for (size_t i = 0; i < FN__COUNT; i++)
    if (table[i].recv == recv && !strcmp(table[i].name, name)) return &table[i];
  return NULL;
}

/* Returns a NULL-terminated array of the names callable on `recv` (static storage). */
const char *const *sig_names(sig_recv recv) {
  const char **names = names_by_recv[recv];
  if (!names[0]) {
    size_t n = 0;
    for (size_t i = 0; i < FN__COUNT; i++)
      if (table[i].recv == recv) names[n++] = table[i].name;
    names[n] = NULL;
  }
  return names;
}

/* Returns the receiver's name ("cluster", …). */
const char *sig_recv_name(sig_recv recv) { return recv_names[recv]; }

/* Returns true when `name` occurs in the comma-separated list `list`. */
static bool in_list(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && !strncmp(p, name, n)) return true;
    p += len + (comma != NULL);
  }
  return false;
}

/* Appends the parameters of one comma-separated spec to params; returns the new count. */
static size_t parse_spec(const char *spec, bool named, const char *required, sig_param *params, size_t n,
                         size_t max) {
  for (const char *p = spec; *p && n < max;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    sig_param prm = {.named_only = named};
    if (len > 3 && !strncmp(p + len - 3, "...", 3)) {
      prm.variadic = true;
      len -= 3;
    } else if (len > 1 && p[len - 1] == '?') {
      prm.optional = true;
      len--;
    }
    if (len >= sizeof prm.name) len = sizeof prm.name - 1;
    memcpy(prm.name, p, len);
    prm.name[len] = '\0';
    if (named) {
      prm.required = in_list(required, prm.name);
      prm.optional = !prm.required;
    } else {
      prm.required = !prm.optional && !prm.variadic;
    }
    params[n++] = prm;
    p += (comma ? (size_t)(comma - p) + 1 : strlen(p));
  }
  return n;
}

/* Returns the parameters of `sig` parsed from its specs into params (up to max), positional first. */
static size_t parse_params(const sig_info *sig, sig_param *params, size_t max) {
  size_t n = parse_spec(sig->positional, false, "", params, 0, max);
  return parse_spec(sig->named, true, sig->required_named, params, n, max);
}

/* The table's parameters, parsed once (the checker and the VM ask at every call), one function's
 * after another in a pool: only the pages they fill are touched (a page fault each, costly at
 * start-up). A function whose parameters do not fit is parsed at each call. */
enum { CACHED_PARAMS = 16, POOL_PARAMS = 640 };
static sig_param pool[POOL_PARAMS];
static uint16_t first[FN__COUNT], ncached[FN__COUNT];
static bool uncached[FN__COUNT];
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* Fills the cache (once). */
static void fill_cache(void) {
  size_t used = 0;
  for (size_t i = 0; i < FN__COUNT; i++) {
    size_t room = POOL_PARAMS - used < CACHED_PARAMS ? POOL_PARAMS - used : CACHED_PARAMS;
    size_t n = parse_params(&table[i], pool + used, room);
    uncached[i] = n == room;
    first[i] = (uint16_t)used;
    ncached[i] = (uint16_t)n;
    used += uncached[i] ? 0 : n;
  }
}

/* Fills params (up to max) with the signature's parameters, positional first; returns the count. */
size_t sig_params(const sig_info *sig, sig_param *params, size_t max) {
  uintptr_t at = (uintptr_t)sig, from = (uintptr_t)table;
  if (at < from || at >= from + sizeof table || (at - from) % sizeof *table) return parse_params(sig, params, max);
  pthread_once(&cache_once, fill_cache);
  size_t i = (at - from) / sizeof *table;
  if (uncached[i]) return parse_params(sig, params, max); /* more than cached, or the pool is full */
  size_t n = ncached[i] < max ? ncached[i] : max;
  memcpy(params, pool + first[i], n * sizeof *params);
  return n;
}

/* Returns the number of required positional parameters. */
size_t sig_min_positional(const sig_info *sig) {
  sig_param params[16];
  size_t n = sig_params(sig, params, 16), min = 0;
  for (size_t i = 0; i < n; i++)
    if (!params[i].named_only && params[i].required) min++;
  return min;
}

/* Returns the most positional arguments accepted, or SIZE_MAX when variadic. */
size_t sig_max_positional(const sig_info *sig) {
  sig_param params[16];
  size_t n = sig_params(sig, params, 16), max = 0;
  for (size_t i = 0; i < n; i++) {
    if (params[i].named_only) continue;
    if (params[i].variadic) return SIZE_MAX;
    max++;
  }
  return max;
}

/* Returns the index in params of `name`, or -1. */
int sig_param_index(const sig_param *params, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(params[i].name, name)) return (int)i;
  return -1;
}

/* Returns true with *n = the length of from … to-1, or false when it passes SIG_RANGE_MAX. */
bool sig_range_len(int64_t from, int64_t to, size_t *n) {
  *n = 0;
  if (to <= from) return true;
  if (from < 0 ? to > from + SIG_RANGE_MAX : to - from > SIG_RANGE_MAX) return false;
  *n = (size_t)(to - from);
  return true;
}
