/* procid.c — host, pid and boot id of processes (see procid.h). */
#include "procid.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strutil.h"

/* Returns the host name, or NULL. */
char *procid_host(void) {
  char buf[256];
  if (gethostname(buf, sizeof buf) != 0) return NULL;
  buf[sizeof buf - 1] = '\0';
  return strdup(buf);
}

/* Returns the boot id, or NULL. */
char *procid_boot_id(void) {
  char buf[64] = "";
  int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  if (n <= 0) return NULL;
  buf[n] = '\0';
  buf[strcspn(buf, " \r\n")] = '\0';
  return buf[0] ? strdup(buf) : NULL;
}

/* Returns this process's holder identity (caller frees), or NULL. */
char *procid_holder_new(const char *operator_name, const char *run_id) {
  char *host = procid_host(), *boot = procid_boot_id();
  char *s = strutil_printf("%s@%s/%s pid=%ld boot=%s", operator_name, host ? host : "localhost", run_id,
                           (long)getpid(), boot ? boot : "unknown");
  free(host), free(boot);
  return s;
}

/* Parses a holder identity (see procid.h); returns false when it is not rbk's. */
bool procid_parse(const char *holder, procid_holder *out) {
  *out = (procid_holder){0};
  const char *at = holder ? strchr(holder, '@') : NULL, *slash = at ? strchr(at, '/') : NULL;
  if (!slash) return false;
  const char *sp = strchr(slash, ' ');
  out->host = strndup(at + 1, (size_t)(slash - at - 1));
  out->run_id = strndup(slash + 1, sp ? (size_t)(sp - slash - 1) : strlen(slash + 1));
  const char *pid = sp ? strstr(sp, " pid=") : NULL, *boot = sp ? strstr(sp, " boot=") : NULL;
  out->pid = pid ? strtol(pid + 5, NULL, 10) : 0;
  out->boot = boot ? strndup(boot + 6, strcspn(boot + 6, " ")) : strdup("");
  if (out->host && out->run_id && out->boot) return true;
  procid_holder_free(out);
  return false;
}

/* Frees a parsed holder. */
void procid_holder_free(procid_holder *h) {
  free(h->host), free(h->run_id), free(h->boot);
  *h = (procid_holder){0};
}

/* Returns whether the process still lives, as far as this host can tell (see procid.h). */
bool procid_alive(const char *host, long pid, const char *boot) {
  char *me = procid_host(), *my_boot = procid_boot_id();
  bool here = me && host && !strcmp(me, host);
  bool same_boot = !boot || !*boot || !strcmp(boot, "unknown") || !my_boot || !strcmp(boot, my_boot);
  free(me), free(my_boot);
  if (!here) return true;
  if (!same_boot) return false;
  if (pid <= 0) return true; /* an old holder without a pid: only expiry tells */
  return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}
