/* sim_util.h — small helpers shared by the simulator: a seeded PRNG, FNV hashing, wall-clock
 * text for virtual times, durations, growable strings and JSON path helpers.
 *
 * Ownership: functions returning `char *` return a new string the caller frees. JSON getters return
 * borrowed values. */
#ifndef RBK_SIM_UTIL_H
#define RBK_SIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "strutil.h" /* strutil_printf: how sim modules format new strings */
#include "valbuf.h"  /* valbuf: how sim modules build strings piece by piece */

/* The flags of every JSON text the simulator sends (answers, watch events): compact, and reals at 15
 * significant digits so that 37.9 prints as 37.9, never as 37.899999999999999. */
#define SIMU_JSON_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* splitmix64-seeded xorshift64* generator: deterministic, never rand(). */
typedef struct {
  uint64_t s;
} sim_rng;

/* Seeds the generator (any seed, 0 included, gives a usable stream). */
void sim_util_rng_seed(sim_rng *r, uint64_t seed);
/* Returns the next 64 random bits. */
uint64_t sim_util_rng_next(sim_rng *r);
/* Returns a uniform double in [0, 1). */
double sim_util_rng_unit(sim_rng *r);
/* Returns a uniform integer in [lo, hi] (hi >= lo). */
int64_t sim_util_rng_range(sim_rng *r, int64_t lo, int64_t hi);

/* Returns the 32-bit FNV-1a hash of the bytes. */
uint32_t sim_util_fnv32(const void *data, size_t len, uint32_t h);
#define SIMU_FNV32_INIT 2166136261u

/* Writes n characters of Kubernetes' "safe" alphabet (bcdfghjklmnpqrstvwxz2456789) encoding v into
 * out (n+1 bytes, NUL-terminated). */
void sim_util_safe_encode(uint64_t v, char *out, size_t n);

/* Formats epoch milliseconds as RFC 3339 seconds ("2025-11-17T16:00:00Z") into out[32]. */
void sim_util_time_rfc3339(int64_t epoch_ms, char out[32]);
/* Parses RFC 3339 text (fractions and offsets allowed) into epoch ms; false when malformed. */
bool sim_util_time_parse(const char *s, int64_t *epoch_ms);
/* The longest duration a scenario may give (a century, in ms): sums of a few cannot overflow. */
#define SIM_UTIL_DURATION_MAX_MS (INT64_C(100) * 366 * 86400000)
/* Returns s seconds in ms, saturated at ±SIM_UTIL_DURATION_MAX_MS (a query's or a body's count of
 * seconds can be any int64: multiplied as it is, it would overflow). */
int64_t sim_util_secs_to_ms(int64_t s);
/* Parses a duration ("90s", "2m", "1h30m", "500ms", or a bare number of ms; one leading '-') into
 * ms; false when malformed or longer than SIM_UTIL_DURATION_MAX_MS. */
bool sim_util_duration_parse(const char *s, int64_t *ms);
/* Returns a duration given as a JSON string or integer (ms), or dflt when absent, malformed or
 * longer than SIM_UTIL_DURATION_MAX_MS either way. */
int64_t sim_util_json_duration(const json_t *v, int64_t dflt);

/* Returns the value at a dotted path ("metadata.labels") in obj (borrowed), or NULL. */
json_t *sim_util_jpath(const json_t *obj, const char *dotted);
/* Returns the string at a dotted path, or dflt. */
const char *sim_util_jstr(const json_t *obj, const char *dotted, const char *dflt);
/* Returns the integer at a dotted path, or dflt. */
json_int_t sim_util_jint(const json_t *obj, const char *dotted, json_int_t dflt);
/* Returns the object at `key` in obj, creating an empty one when missing (borrowed). */
json_t *sim_util_jobj(json_t *obj, const char *key);
/* Sets obj[key] to a new string. */
void sim_util_jset_str(json_t *obj, const char *key, const char *val);

/* Returns a copy of the template with nulls, empty objects and empty arrays removed and the
 * pod-template-hash label dropped: the form in which templates are compared. */
json_t *sim_util_semantic(const json_t *v);
/* Returns true when the two pod templates are semantically equal (see sim_util_semantic). */
bool sim_util_template_equal(const json_t *a, const json_t *b);

/* Returns the canonical compact JSON text (sorted keys) of v (caller frees). */
char *sim_util_canonical(const json_t *v);

/* Returns the standard base64 encoding of len bytes (caller frees). */
char *sim_util_base64(const void *data, size_t len);

/* Percent-decodes len bytes of s ('+' becomes a space); returns a new string. */
char *sim_util_url_decode(const char *s, size_t len);
/* Returns the decoded value of query parameter `key` from a raw query string (caller frees), or
 * NULL when absent. */
char *sim_util_query_get(const char *query, const char *key);

#endif
