/* cli_eval.c — `rbk eval EXPR`: a developer command that evaluates one expression with the engine
 * (no checker: the built-ins' own run-time errors show) and prints its kind and value as rbk
 * source. The golden driver runs the tests/golden/builtins files through it.
 *
 * The expression runs as the argument of a run() action that this command's own action table
 * catches (a marker tells it from any run() inside the expression); nothing else reaches the
 * world: constructors, other actions and notifications fail. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "engine.h"
#include "program.h"
#include "strutil.h"

/* The first argument of the wrapping run() call. */
#define EVAL_MARKER "rbk-eval-result"
/* The name the expression's source is loaded under (error locations start with it). */
#define EVAL_PATH "<expr>"

typedef struct {
  rbk_value *result; /* the value caught (owned) */
  bool pending;
  bool refuse; /* the pending operation is not the wrapper: it fails */
  act_done_fn done;
  void *user;
} eval_actions;

/* Constructors are not evaluated: returns NULL with *err set. */
static rbk_value *ev_construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  (void)self, (void)recv, (void)args;
  *err = strutil_printf("rbk eval evaluates built-ins only, not %s()", sig->name);
  return NULL;
}

/* Returns "eval" (caller frees). */
static char *ev_describe(void *self, const rbk_action_req *req) {
  (void)self, (void)req;
  return strdup("eval");
}

/* Catches the wrapper's value; returns operation 1 (any other action fails when it completes). */
static uint64_t ev_start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  (void)err;
  eval_actions *a = self;
  const rbk_value *argv = req->nargs ? req->args[0] : NULL;
  bool wrapper = req->sig->id == FN_RUN && argv && argv->kind == VAL_LIST && argv->u.list.len == 2 &&
                 argv->u.list.items[0]->kind == VAL_STRING && !strcmp(argv->u.list.items[0]->u.str.s, EVAL_MARKER);
  if (wrapper) {
    value_unref(a->result);
    a->result = value_ref(argv->u.list.items[1]);
  }
  a->refuse = !wrapper;
  a->pending = true;
  a->done = done;
  a->user = user;
  return 1;
}

/* Notifications are not sent: returns 0 with *err set. */
static uint64_t ev_notify(void *self, rbk_value *channel, const char *text, int64_t now_ms, act_done_fn done,
                          void *user, char **err) {
  (void)self, (void)channel, (void)text, (void)now_ms, (void)done, (void)user;
  *err = strdup("rbk eval sends no notifications");
  return 0;
}

/* Drops the pending completion. */
static void ev_cancel(void *self, uint64_t op) {
  (void)op;
  ((eval_actions *)self)->pending = false;
}

/* Returns now while the wrapper's completion is pending, else INT64_MAX. */
static int64_t ev_next_event(void *self, int64_t now_ms) { return ((eval_actions *)self)->pending ? now_ms : INT64_MAX; }

/* Completes the pending call: the wrapper's with null, any other with an error. */
static void ev_poll(void *self, int64_t now_ms, int64_t max_wait_ms) {
  (void)now_ms, (void)max_wait_ms;
  eval_actions *a = self;
  if (!a->pending) return;
  a->pending = false;
  a->done(a->user, NULL, a->refuse ? "rbk eval evaluates built-ins only, not actions" : NULL);
}

typedef struct {
  char *names[64], *values[64];
  size_t n;
} eval_secrets;

/* engine_lookup_fn over --secret: returns the override's value or NULL. */
static const char *ev_secret(void *user, const char *name) {
  const eval_secrets *s = user;
  for (size_t i = s->n; i-- > 0;)
    if (!strcmp(s->names[i], name)) return s->values[i];
  return NULL;
}

/* Prints the value (or secret) line for v. */
static void print_value(const rbk_value *v, bool reveal) {
  if (v->kind == VAL_SECRET && reveal) {
    rbk_value *plain = value_cstring(v->u.secret.plain);
    char *p = plain ? value_repr(plain) : NULL;
    printf("secret %s %s\n", v->u.secret.name, p ? p : "?");
    free(p);
    value_unref(plain);
    return;
  }
  char *r = value_repr(v);
  printf("%s %s\n", value_kind_name(v->kind), r ? r : "?");
  free(r);
}

/* Returns the length of a "<expr>:LINE:COL: " location at s, or 0. */
static size_t location_len(const char *s) {
  size_t n = strlen(EVAL_PATH ":");
  if (strncmp(s, EVAL_PATH ":", n)) return 0;
  for (int part = 0; part < 2; part++) {
    size_t digits = strspn(s + n, "0123456789");
    if (!digits || s[n + digits] != ':') return 0;
    n += digits + 1;
  }
  return s[n] == ' ' ? n + 1 : 0;
}

/* Prints "error: MSG" without the "<expr>:L:C: " locations (the expression is all there is). */
static void print_error(const char *msg) {
  const char *m = msg ? msg : "unknown error";
  fputs("error: ", stderr);
  while (*m) {
    size_t skip = location_len(m);
    if (skip) m += skip;
    else fputc(*m++, stderr);
  }
  fputc('\n', stderr);
}

/* Runs the wrapped expression; returns the exit code. */
static int eval_run(const char *expr, int64_t epoch, eval_secrets *secrets, bool reveal) {
  char *text = strutil_printf("run(\"%s\",\n%s\n)\n", EVAL_MARKER, expr);
  diag_list diags = {0};
  rbk_program *prog = text ? program_load_string(EVAL_PATH, text, strlen(text), &diags) : NULL;
  free(text);
  if (!prog || diags.errors) {
    diag_print(&diags, stderr, isatty(STDERR_FILENO) && !getenv("NO_COLOR"));
    if (!prog) fprintf(stderr, "rbk eval: out of memory\n");
    program_free(prog);
    diag_free(&diags);
    return RBK_EXIT_USAGE;
  }
  diag_free(&diags);
  eval_actions state = {0};
  rbk_actions act = {&state, ev_construct, ev_describe, ev_start, ev_notify, ev_cancel, ev_next_event, ev_poll, NULL};
  param_set params = {0};
  rbk_clock *clock = clock_virtual(epoch);
  engine_config cfg = {.params = &params, .clock = clock, .actions = &act, .getsecret = ev_secret,
                       .lookup_user = secrets, .base_dir = "."};
  char *err = NULL;
  engine *e = clock ? engine_new(prog, &cfg, &err) : NULL;
  int code = RBK_EXIT_USAGE;
  if (!e) {
    fprintf(stderr, "rbk eval: %s\n", err ? err : "out of memory");
  } else if (engine_run(e) == RBK_EXIT_OK && state.result) {
    print_value(state.result, reveal);
    code = RBK_EXIT_OK;
  } else {
    print_error(engine_error(e));
    code = RBK_EXIT_FAILED;
  }
  free(err);
  engine_free(e);
  clock_free(clock);
  value_unref(state.result);
  program_free(prog);
  return code;
}

#define EVAL_OPTS(X)                                                                              \
  X(EVAL_EPOCH, "epoch", 0, "MS", "the virtual clock's start, ms since 1970 (default 2025-01-01)")         \
  X(EVAL_SECRET, "secret", 0, "NAME=VALUE|NAME=@FILE", "a secret for secret(NAME) (repeatable)")           \
  X(EVAL_REVEAL, "reveal", 0, NULL, "print a secret's name and plain text instead of ***")

enum { EVAL_OPTS(CLI_OPTS_ENUM) };
static const cli_opt eval_opts[] = {EVAL_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_eval_spec = {
    .name = "eval",
    .operands = "EXPR",
    .about = "Developer command: evaluates one expression (built-ins, operators, lambdas; no checker,\n"
             "no actions) on a virtual clock starting at --epoch, with env() reading the environment\n"
             "and file() the current directory. Prints the value's kind and its rbk source text\n"
             "(\"int 3\", \"list [1, \\\"a\\\"]\"); a secret prints as \"secret ***\", or with --reveal as its\n"
             "name and plain text. An error prints \"error: MESSAGE\" on stderr.",
    .footer = "Exit status: 0 a value, 1 an error, 2 usage or syntax errors.",
    .opts = eval_opts,
    .nopts = sizeof eval_opts / sizeof *eval_opts,
};

/* The command line. */
typedef struct {
  int64_t epoch;
  eval_secrets secrets;
  bool reveal;
  const char *expr;
} eval_args;

/* Takes one option or the expression (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  eval_args *a = ctx;
  char *end;
  switch (id) {
  case CLI_OPERAND:
    if (a->expr) return cli_usage_error("rbk eval takes one expression; unexpected", v);
    a->expr = v;
    return CLI_GO_ON;
  case EVAL_EPOCH:
    a->epoch = strtoll(v, &end, 10);
    return !*v || *end ? cli_usage_error("--epoch expects milliseconds since 1970, got", v) : CLI_GO_ON;
  case EVAL_SECRET:
    if (a->secrets.n == sizeof a->secrets.names / sizeof a->secrets.names[0])
      return cli_usage_error("too many --secret options", NULL);
    return cli_add_secret(v, a->secrets.names, a->secrets.values, &a->secrets.n);
  case EVAL_REVEAL:
    a->reveal = true;
    return CLI_GO_ON;
  }
  return CLI_GO_ON;
}

/* Entry point of `rbk eval`. */
int cli_eval(int argc, char **argv) {
  eval_args a = {.epoch = CLOCK_VIRTUAL_EPOCH_MS};
  int code = cli_opts_parse(&cli_eval_spec, argc, argv, take_arg, &a);
  if (code == CLI_GO_ON && !a.expr) code = cli_opts_usage_error(&cli_eval_spec);
  if (code == CLI_GO_ON) code = eval_run(a.expr, a.epoch, &a.secrets, a.reveal);
  for (size_t i = 0; i < a.secrets.n; i++) {
    free(a.secrets.names[i]);
    free(a.secrets.values[i]);
  }
  return code;
}
