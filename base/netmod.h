/* netmod.h — the network module: libcurl's HTTP transport, the WebSocket exec client
 * (libwebsockets) and the simulator's HTTP(S) front door (libmicrohttpd, GnuTLS) live in a shared
 * module, rbk-net.so, loaded with dlopen by the commands that talk to a network (run, resume,
 * sim; version to print the libraries' versions), so that check, fmt, plan, ast and test never
 * map a network or TLS library (docs/architecture.md "The network module"; git's
 * git-remote-http is the model).
 *
 * Where it is looked up: the file named by the environment variable RBK_NET_MODULE when it is
 * set (and only there); else <dir of the executable>/RBK_NET_RELDIR/rbk-net.so (the installed
 * layout, bin/ → lib/<triplet>/rbk/, compiled in) and <dir of the executable>/rbk-net.so (the
 * build tree). Its undefined symbols resolve against the executable (built with
 * ENABLE_EXPORTS). A module whose netmod_abi() differs from the binary's is refused.
 *
 * The static front (docs/architecture.md "The static front"): where rbk is built static
 * (RBK_STATIC_FRONT), bin/rbk cannot dlopen; it is linked with netmod_front.c instead of netmod.c,
 * runs the commands that never talk to a network itself and hands the others, with the same
 * arguments, to the dynamic `rbk-full` (netmod_handoff), which loads the module as above. The
 * front looks for rbk-full where the module is looked for, under the variable RBK_FULL.
 *
 * Ownership: netmod_sym returns a function of the module, which stays loaded until exit; *err
 * is a new string the caller frees. netmod_abi returns a static string; netmod_set_argv keeps
 * the pointer it is given (main's argv, which lives until exit).
 */
#ifndef RBK_NETMOD_H
#define RBK_NETMOD_H

/* A function of the module, cast by the caller to its real type. */
typedef void (*netmod_fn)(void);

/* Returns the module's function `name`, loading the module once; NULL with *err set (caller
 * frees; one line) when the module is missing, does not match this binary or lacks the symbol. */
netmod_fn netmod_sym(const char *name, char **err);

/* Records the process's arguments (main's argv, NULL-terminated) for netmod_handoff. */
void netmod_set_argv(char **argv);

/* Returns 0 in the full rbk (netmod.c: this process may load the module). In the static front
 * (netmod_front.c), runs rbk-full in this process's place with the arguments of netmod_set_argv
 * and returns -1 with *err set (caller frees; one line) only when it cannot. */
int netmod_handoff(char **err);

/* Returns the path of `file` (new string): the path in the environment variable `env` when that is
 * set (and only there), else <dir of the executable>/RBK_NET_RELDIR/file, else <dir of the
 * executable>/file; NULL with *err set to "WHAT is missing: …" + `needed` when there is none. */
char *netmod_find(const char *file, const char *env, const char *what, const char *needed, char **err);

/* Defined in the module only (netmod_abi.c): returns the rbk version it was built for (static),
 * which must equal the binary's. */
const char *netmod_abi(void);

#endif
