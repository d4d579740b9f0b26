/* netmod.h — the network module: libcurl's HTTP transport and the simulator's HTTP(S) front door
 * (libmicrohttpd, GnuTLS) live in a shared module, rbk-net.so, loaded with dlopen by the commands
 * that talk to a network (run, resume, sim; version to print the libraries' versions), so that
 * check, fmt, plan, ast and test never map a network or TLS library (docs/architecture.md
 * "The network module"; git's git-remote-http is the model).
 *
 * The module is looked up, in order, at <dir of the executable>/RBK_NET_RELDIR/rbk-net.so (the
 * installed layout, bin/ → libexec/rbk/) and <dir of the executable>/rbk-net.so (the build tree).
 * Its undefined symbols resolve against the executable (built with ENABLE_EXPORTS).
 *
 * Ownership: netmod_sym returns a function of the module, which stays loaded until exit; *err
 * is a new string the caller frees.
 */
#ifndef RBK_NETMOD_H
#define RBK_NETMOD_H

/* A function of the module, cast by the caller to its real type. */
typedef void (*netmod_fn)(void);

/* Returns the module's function `name`, loading the module once; NULL with *err set (caller
 * frees) when the module is missing or lacks the symbol. */
netmod_fn netmod_sym(const char *name, char **err);

#endif
