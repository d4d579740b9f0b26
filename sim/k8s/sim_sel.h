/* sim_sel.h — label selectors (=, ==, !=, in, notin, exists, !key) and field selectors.
 *
 * Ownership: a simsel owns its requirements; release it with sim_sel_free(). Parsers return false
 * with *err set (caller frees) for malformed text. */
#ifndef RBK_SIM_SEL_H
#define RBK_SIM_SEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "sim_res.h"

#define SIMSEL_OPS(X) X(EQ, "=") X(NEQ, "!=") X(IN, "in") X(NOTIN, "notin") X(EXISTS, "exists") X(NOTEXISTS, "!")

typedef enum {
#define X(e, s) SIMSEL_##e,
  SIMSEL_OPS(X)
#undef X
} simsel_op;

typedef struct {
  char *key;
  simsel_op op;
  char **values;
  size_t n, cap;
} simsel_req;

/* A conjunction of requirements; the empty selector matches everything. */
typedef struct {
  simsel_req *reqs;
  size_t n, cap;
} simsel;

/* Parses a label selector ("app=web,tier in (a,b),!canary"). */
bool sim_sel_parse_labels(const char *text, simsel *out, char **err);
/* Parses a field selector ("metadata.name=x,status.phase!=Running"), checking that the resource
 * supports each field as the real API server does. */
bool sim_sel_parse_fields(const char *text, simr_kind res, simsel *out, char **err);
/* Builds a selector from a LabelSelector object (matchLabels, matchExpressions) or from a plain
 * label map (a Service's spec.selector). NULL gives the empty selector. */
bool sim_sel_from_json(const json_t *selector, simsel *out, char **err);

/* Returns true when the labels (an object, may be NULL) satisfy the selector. */
bool sim_sel_match_labels(const simsel *s, const json_t *labels);
/* Returns true when the object's fields satisfy a field selector. */
bool sim_sel_match_fields(const simsel *s, const json_t *obj);
/* Returns true when the object's labels satisfy the selector given as JSON (see sim_sel_from_json);
 * an invalid selector matches nothing. */
bool sim_sel_json_matches(const json_t *selector, const json_t *obj);

/* Returns the selector in text form ("app=x,tier in (a,b)") (caller frees). */
char *sim_sel_format(const simsel *s);

/* Releases what the selector owns and empties it. */
void sim_sel_free(simsel *s);

#endif
