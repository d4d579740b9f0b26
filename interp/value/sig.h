/* sig.h — the one list of every built-in function, handle constructor and action, with its
 * signature. The checker, the planner, the engine and the docs all read these tables.
 *
 * Parameter specs are comma-separated names. In `positional`, a trailing '?' marks an optional
 * parameter and a trailing "..." a variadic one (all remaining positional arguments). Every
 * positional parameter may also be passed by name. `named` lists the parameters that can only be
 * passed by name; all of them are optional unless listed in `required_named`.
 *
 * Ownership: every table, spec and name array is static; nothing here is freed.
 */
#ifndef RBK_SIG_H
#define RBK_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags of a signature. */
enum {
  SIG_PURE = 1 << 0,     /* no I/O, deterministic: the planner may fold it on known arguments */
  SIG_ACTION = 1 << 1,   /* I/O: a node of the action graph, journaled, runs through a transport */
  SIG_MUTATING = 1 << 2, /* ✎ changes the world: marked in the dry-run, listed by --mutating */
  SIG_CTOR = 1 << 3,     /* returns a handle; no I/O at construction */
  SIG_LAMBDA = 1 << 4,   /* its second positional argument is a lambda (filter, map, …) */
  SIG_RUNTIME = 1 << 5,  /* no I/O but its value is only known at run time (now, since) */
  SIG_ENV = 1 << 6,      /* reads the environment or a file: known at plan time on this machine */
};

/* What a call returns, as far as the checker and planner care. */
#define RBK_RETS(X)                                                                           \
  X(ANY, "any") X(NULL, "null") X(BOOL, "bool") X(INT, "int") X(FLOAT, "float")               \
  X(NUMBER, "number") X(STRING, "string") X(DURATION, "duration") X(TIME, "time")             \
  X(LIST, "list") X(OBJECT, "object") X(SECRET, "secret") X(CLUSTER, "cluster")               \
  X(ENDPOINT, "endpoint") X(CHANNEL, "channel")

typedef enum {
#define X(k, name) RET_##k,
  RBK_RETS(X)
#undef X
} sig_ret;

/* Receivers: RECV_NONE for global functions; the others are handle kinds. */
#define RBK_RECEIVERS(X) X(NONE, "global") X(CLUSTER, "cluster") X(ENDPOINT, "endpoint") X(CHANNEL, "channel")

typedef enum {
#define X(k, name) RECV_##k,
  RBK_RECEIVERS(X)
#undef X
} sig_recv;

/* X(ID, receiver, "name", "positional", "named", "required_named", flags, RET, "doc", timeout_ms)
 * timeout_ms: an action's default time limit when the call passes no timeout: (0 for non-actions). */
#define RBK_SIGNATURES(X)                                                                                          \
  /* pure built-ins */                                                                                             \
  X(LEN, NONE, "len", "x", "", "", SIG_PURE, INT, "elements of a list, keys of an object, characters of a string", 0) \
  X(COUNT, NONE, "count", "list,pred?", "", "", SIG_PURE | SIG_LAMBDA, INT, "elements (for which pred is true)", 0) \
  X(ALL, NONE, "all", "list,pred?", "", "", SIG_PURE | SIG_LAMBDA, BOOL, "true when pred (or the element) is true for every element", 0) \
  X(ANY, NONE, "any", "list,pred?", "", "", SIG_PURE | SIG_LAMBDA, BOOL, "true when pred (or the element) is true for some element", 0) \
  X(FILTER, NONE, "filter", "list,pred", "", "", SIG_PURE | SIG_LAMBDA, LIST, "the elements for which pred is true", 0) \
  X(MAP, NONE, "map", "list,fn", "", "", SIG_PURE | SIG_LAMBDA, LIST, "fn applied to every element", 0) \
  X(SUM, NONE, "sum", "list", "", "", SIG_PURE, NUMBER, "sum of numbers or durations", 0) \
  X(MIN, NONE, "min", "values...", "", "", SIG_PURE, ANY, "smallest of a list or of the arguments", 0) \
  X(MAX, NONE, "max", "values...", "", "", SIG_PURE, ANY, "largest of a list or of the arguments", 0) \
  X(SORT, NONE, "sort", "list", "", "", SIG_PURE, LIST, "the list sorted ascending", 0) \
  X(SORT_BY, NONE, "sort_by", "list,key", "", "", SIG_PURE | SIG_LAMBDA, LIST, "the list sorted by key(element), stable", 0) \
  X(RANGE, NONE, "range", "from,to?", "", "", SIG_PURE, LIST, "range(n): the ints 0 … n-1; range(from, to): from … to-1; at most 10000", 0) \
  X(KEYS, NONE, "keys", "object", "", "", SIG_PURE, LIST, "the object's keys in order", 0) \
  X(VALUES, NONE, "values", "object", "", "", SIG_PURE, LIST, "the object's values in order", 0) \
  X(MERGE, NONE, "merge", "a,b", "", "", SIG_PURE, OBJECT, "deep merge of two objects; b wins", 0) \
  X(CONTAINS, NONE, "contains", "haystack,needle", "", "", SIG_PURE, BOOL, "list membership, object key or substring", 0) \
  X(STARTSWITH, NONE, "startswith", "s,prefix", "", "", SIG_PURE, BOOL, "s begins with prefix", 0) \
  X(ENDSWITH, NONE, "endswith", "s,suffix", "", "", SIG_PURE, BOOL, "s ends with suffix", 0) \
  X(MATCHES, NONE, "matches", "s,regex", "", "", SIG_PURE, BOOL, "s matches the POSIX extended regex", 0) \
  X(SPLIT, NONE, "split", "s,sep", "", "", SIG_PURE, LIST, "s split at every sep", 0) \
  X(JOIN, NONE, "join", "list,sep", "", "", SIG_PURE, STRING, "the elements joined with sep", 0) \
  X(UPPER, NONE, "upper", "s", "", "", SIG_PURE, STRING, "s in upper case", 0) \
  X(LOWER, NONE, "lower", "s", "", "", SIG_PURE, STRING, "s in lower case", 0) \
  X(TRIM, NONE, "trim", "s", "", "", SIG_PURE, STRING, "s without leading and trailing white space", 0) \
  X(STR, NONE, "str", "x", "", "", SIG_PURE, STRING, "x as text", 0) \
  X(INT, NONE, "int", "x", "", "", SIG_PURE, INT, "x as an integer (from a number, a numeric string, or a duration in ms)", 0) \
  X(FLOAT, NONE, "float", "x", "", "", SIG_PURE, FLOAT, "x as a float", 0) \
  X(JSON, NONE, "json", "text", "", "", SIG_PURE, ANY, "the value a JSON text denotes", 0) \
  X(YAML, NONE, "yaml", "text", "", "", SIG_PURE, ANY, "the value a YAML text denotes", 0) \
  X(TO_JSON, NONE, "to_json", "x", "", "", SIG_PURE, STRING, "x as compact JSON", 0) \
  X(TO_YAML, NONE, "to_yaml", "x", "", "", SIG_PURE, STRING, "x as YAML", 0) \
  X(BASE64, NONE, "base64", "s", "", "", SIG_PURE, STRING, "s encoded as base64", 0) \
  X(UNBASE64, NONE, "unbase64", "s", "", "", SIG_PURE, STRING, "s decoded from base64", 0) \
  X(ENV, NONE, "env", "name,default?", "", "", SIG_ENV, STRING, "an environment variable (error when unset and no default)", 0) \
  X(SECRET, NONE, "secret", "name", "", "", SIG_ENV, SECRET, "an environment variable or --secret value, masked everywhere", 0) \
  X(FILE, NONE, "file", "path", "", "", SIG_ENV, STRING, "a file's text, path relative to the plan", 0) \
  X(NOW, NONE, "now", "", "", "", SIG_RUNTIME, TIME, "the current time", 0) \
  X(SINCE, NONE, "since", "time", "", "", SIG_RUNTIME, DURATION, "the duration from time to now", 0) \
  X(PARSE_TIME, NONE, "parse_time", "x", "", "", SIG_PURE, TIME, "a time from RFC 3339 text or epoch seconds", 0) \
  X(FORMAT_TIME, NONE, "format_time", "time,fmt", "", "", SIG_PURE, STRING, "the time formatted with strftime's fmt (UTC)", 0) \
  /* handle constructors */                                                                                        \
  X(KUBE, NONE, "kube", "", "context,namespace,kubeconfig", "", SIG_CTOR, CLUSTER, "a cluster from kubeconfig or in-cluster config", 0) \
  X(HTTP, NONE, "http", "base_url", "headers", "", SIG_CTOR, ENDPOINT, "an HTTP endpoint", 0) \
  X(SLACK, NONE, "slack", "", "webhook,channel", "webhook", SIG_CTOR, CHANNEL, "a Slack incoming-webhook channel", 0) \
  X(WEBHOOK, NONE, "webhook", "", "url", "url", SIG_CTOR, CHANNEL, "a generic JSON webhook channel", 0) \
  X(CONSOLE, NONE, "console", "", "", "", SIG_CTOR, CHANNEL, "the operator's terminal", 0) \
  X(LOGFILE, NONE, "logfile", "path", "", "", SIG_CTOR, CHANNEL, "a file that messages are appended to", 0) \
  /* local actions */                                                                                              \
  X(RUN, NONE, "run", "argv...", "check,timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "runs a process without a shell: {status, stdout, stderr}", 60000) \
  X(WRITE_FILE, NONE, "write_file", "path,text", "timeout", "", SIG_ACTION | SIG_MUTATING, NULL, "writes a file atomically", 10000) \
  /* cluster actions */                                                                                            \
  X(K_GET, CLUSTER, "get", "ref", "timeout", "", SIG_ACTION, OBJECT, "the object", 30000) \
  X(K_LIST, CLUSTER, "list", "kind", "selector,field,timeout", "", SIG_ACTION, LIST, "objects of a kind matching the selectors", 30000) \
  X(K_EXISTS, CLUSTER, "exists", "ref", "timeout", "", SIG_ACTION, BOOL, "whether the object exists", 30000) \
  X(K_HISTORY, CLUSTER, "history", "ref", "timeout", "", SIG_ACTION, LIST, "the rollout history: [{revision, change_cause, image}]", 30000) \
  X(K_ROLLOUT_STATUS, CLUSTER, "rollout_status", "ref", "timeout", "", SIG_ACTION, OBJECT, "waits until the rollout finishes", 300000) \
  X(K_WAIT_DELETED, CLUSTER, "wait_deleted", "kind", "selector,timeout", "", SIG_ACTION, NULL, "waits until no object matches", 300000) \
  X(K_WAIT_READY, CLUSTER, "wait_ready", "kind", "selector,timeout", "", SIG_ACTION, NULL, "waits until every matching object is Ready", 300000) \
  X(K_EVENTS, CLUSTER, "events", "", "selector,timeout", "", SIG_ACTION, LIST, "events, oldest first", 30000) \
  X(K_ROLLOUT_UNDO, CLUSTER, "rollout_undo", "ref", "to_revision,timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "rolls back to the previous or a given revision", 30000) \
  X(K_ROLLOUT_RESTART, CLUSTER, "rollout_restart", "ref", "timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "restarts the pods of a workload", 30000) \
  X(K_SCALE, CLUSTER, "scale", "ref,replicas", "timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "sets the replica count", 30000) \
  X(K_PATCH, CLUSTER, "patch", "ref,patch", "type,timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "patches an object (type: strategic, merge, json)", 30000) \
  X(K_APPLY, CLUSTER, "apply", "object", "timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "creates or updates an object", 30000) \
  X(K_CREATE, CLUSTER, "create", "object", "timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "creates an object", 30000) \
  X(K_DELETE, CLUSTER, "delete", "ref", "timeout", "", SIG_ACTION | SIG_MUTATING, NULL, "deletes an object", 30000) \
  X(K_JOB, CLUSTER, "job", "", "name,image,command,args,env,backoff_limit,active_deadline,ttl_after_finished,service_account,resources,timeout", "name,image,command", SIG_ACTION | SIG_MUTATING, STRING, "runs a Job (named name-xxxxx) to completion; its logs", 600000) \
  X(K_LOGS, CLUSTER, "logs", "ref", "container,tail,since,timeout", "", SIG_ACTION, STRING, "the log text of a pod, or of a Job's pods", 30000) \
  X(K_EXEC, CLUSTER, "exec", "ref,argv", "container,timeout", "", SIG_ACTION | SIG_MUTATING, OBJECT, "runs a command in a pod: {status, stdout, stderr}", 60000) \
  X(K_SERVICE, CLUSTER, "service", "name", "port", "", SIG_CTOR, ENDPOINT, "an endpoint through the API server's service proxy", 0) \
  /* endpoint actions */                                                                                           \
  X(E_GET, ENDPOINT, "get", "path", "timeout", "", SIG_ACTION, ANY, "GET path; JSON answer", 30000) \
  X(E_POST, ENDPOINT, "post", "path,body?", "timeout,idempotent,idempotency_key", "", SIG_ACTION | SIG_MUTATING, ANY, "POST body as JSON; sent once unless idempotent or keyed", 30000) \
  X(E_PUT, ENDPOINT, "put", "path,body", "timeout,idempotent,idempotency_key", "", SIG_ACTION | SIG_MUTATING, ANY, "PUT body as JSON; sent once unless idempotent or keyed", 30000) \
  X(E_DELETE, ENDPOINT, "delete", "path", "timeout,idempotent,idempotency_key", "", SIG_ACTION | SIG_MUTATING, ANY, "DELETE path; sent once unless idempotent or keyed", 30000)

typedef enum {
#define X(id, recv, name, pos, named, req, flags, ret, doc, tmo) FN_##id,
  RBK_SIGNATURES(X)
#undef X
  FN__COUNT /* ids are FN_<ID>: FN_LEN, FN_K_GET, FN_E_POST, …; FN__COUNT counts them */
} sig_id;

typedef struct {
  sig_id id;
  sig_recv recv;
  const char *name;
  const char *positional;
  const char *named;
  const char *required_named;
  unsigned flags;
  sig_ret ret;
  const char *doc;
  long timeout_ms;
} sig_info;

/* The fields of the built-in `run` object: X("name", RET, "doc"). */
#define RBK_RUN_FIELDS(X)                                                                     \
  X("id", STRING, "the run's id") X("operator", STRING, "who runs it")                        \
  X("elapsed", DURATION, "time since the run started")                                        \
  X("deadline_left", DURATION, "the runbook's deadline minus elapsed (null without one)")     \
  X("current_step", STRING, "title of the innermost running step")                            \
  X("completed_steps", LIST, "titles of completed steps")                                     \
  X("progress", INT, "0–100: completed steps over all steps of the plan")                     \
  X("failed_step", STRING, "title of the step that failed (in on failure/finally)")           \
  X("error", STRING, "the failure's message (in on failure/finally)")                         \
  X("warnings", LIST, "messages of the expects that failed so far")

/* The most elements range() makes: a longer range is an error, not a silent cut (everything in rbk
 * is bounded). */
enum { SIG_RANGE_MAX = 10000 };
/* Returns true with *n = the length of the range from … to-1 (0 when to <= from), or false when it
 * is longer than SIG_RANGE_MAX. */
bool sig_range_len(int64_t from, int64_t to, size_t *n);

/* Returns the table entry for `id`. */
const sig_info *sig_get(sig_id id);
/* Returns the function or method called `name` on `recv`, or NULL. */
const sig_info *sig_find(sig_recv recv, const char *name);
/* Returns a NULL-terminated array of the names callable on `recv` (static storage). */
const char *const *sig_names(sig_recv recv);
/* Returns the receiver's name ("cluster", …). */
const char *sig_recv_name(sig_recv recv);

/* One parameter of a parsed spec. */
typedef struct {
  char name[32];
  bool optional, variadic, named_only, required;
} sig_param;

/* Fills params (up to max) with the signature's parameters, positional first; returns the count. */
size_t sig_params(const sig_info *sig, sig_param *params, size_t max);
/* Returns the number of required positional parameters. */
size_t sig_min_positional(const sig_info *sig);
/* Returns the most positional arguments accepted, or SIZE_MAX when variadic. */
size_t sig_max_positional(const sig_info *sig);
/* Returns the index in params of `name`, or -1. */
int sig_param_index(const sig_param *params, size_t n, const char *name);

#endif
