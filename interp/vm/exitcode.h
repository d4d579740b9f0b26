/* exitcode.h — the process exit codes of every command (docs/cli.md), once: the engine, the
 * rehearsals and the commands all return these. */
#ifndef RBK_EXITCODE_H
#define RBK_EXITCODE_H

/* Exit codes, once: X(ENUM_SUFFIX, value, "meaning"). */
#define RBK_EXIT_CODES(X)                                                                     \
  X(OK, 0, "success")                                                                         \
  X(FAILED, 1, "the plan failed (or fmt --check found files to reformat)")                    \
  X(USAGE, 2, "usage or plan errors: nothing ran")                                            \
  X(ABORTED, 3, "aborted: SIGINT, approval denied or timed out")

enum {
#define X(k, v, doc) RBK_EXIT_##k = v,
  RBK_EXIT_CODES(X)
#undef X
};

#endif
