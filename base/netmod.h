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
 * Ownership: netmod_sym returns a function of the module, which stays loaded until exit; *err
 * is a new string the caller frees. netmod_abi returns a static string.
 */
#ifndef RBK_NETMOD_H
#define RBK_NETMOD_H

/* A function of the module, cast by the caller to its real type. */
typedef void (*netmod_fn)(void);

/* Returns the module's function `name`, loading the module once; NULL with *err set (caller
 * frees; one line) when the module is missing, does not match this binary or lacks the symbol. */
netmod_fn netmod_sym(const char *name, char **err);

/* Defined in the module only (netmod_abi.c): returns the rbk version it was built for (static),
 * which must equal the binary's. */
const char *netmod_abi(void);

#endif
