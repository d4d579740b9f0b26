/* netmod_abi.c — the network module's build stamp (see netmod.h): built into rbk-net.so only,
 * so that the binary refuses a module of another rbk version. */
#include "netmod.h"

/* Returns the rbk version the module was built for (static). */
const char *netmod_abi(void) { return RBK_NET_ABI; }
