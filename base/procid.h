/* procid.h — who a process is, for the run journal and the run lock: host name, pid and boot id
 * (/proc/sys/kernel/random/boot_id), and whether the process a record or a Lease names still
 * lives.
 *
 * A run lock's holder identity is "OPERATOR@HOST/RUN_ID pid=PID boot=BOOT_ID" (procid_holder);
 * older holders without the pid and boot parts parse too (pid 0, boot "").
 *
 * Ownership: functions returning char * return a new string the caller frees; procid_parse fills
 * a procid_holder whose strings the caller frees with procid_holder_free. */
#ifndef RBK_PROCID_H
#define RBK_PROCID_H

#include <stdbool.h>

/* What a holder identity names. */
typedef struct {
  char *host, *run_id, *boot; /* "" when absent */
  long pid;                   /* 0 when absent */
} procid_holder;

/* Returns the host name, or NULL. */
char *procid_host(void);
/* Returns this boot's id (the kernel's boot_id, trimmed), or NULL when it cannot be read. */
char *procid_boot_id(void);
/* Returns "OPERATOR@HOST/RUN_ID pid=PID boot=BOOT" for this process (caller frees), or NULL. */
char *procid_holder_new(const char *operator_name, const char *run_id);
/* Parses a holder identity into *out; returns false when it is not one of rbk's. */
bool procid_parse(const char *holder, procid_holder *out);
/* Frees what procid_parse filled. */
void procid_holder_free(procid_holder *h);
/* Returns true when process `pid` of `host` booted as `boot` still lives, as far as this machine
 * can tell: a process of another host is taken as alive (only its Lease expiring says
 * otherwise); on this host it lives when its boot id is this boot's (or unknown) and the pid
 * exists. */
bool procid_alive(const char *host, long pid, const char *boot);

#endif
