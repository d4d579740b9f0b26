/* journal_meta.c — what a journal says about its run: run ids, the plan's hash, the git revision,
 * the host, timestamps (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "procid.h"

/* Returns the time as "2025-01-01T00:00:00.000Z" in buf. */
const char *journal_format_time(int64_t wall_ms, char *buf, size_t size) {
  time_t secs = (time_t)(wall_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char day[24];
  strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, size, "%s.%03dZ", day, (int)(wall_ms % 1000));
  return buf;
}

/* Returns 3 random bytes as an int (from /dev/urandom; the pid and time when it is missing). */
static unsigned random24(void) {
  unsigned char b[3];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  bool ok = fd >= 0 && read(fd, b, sizeof b) == (ssize_t)sizeof b;
  if (fd >= 0) close(fd);
  if (ok) return (unsigned)b[0] << 16 | (unsigned)b[1] << 8 | b[2];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ((unsigned)getpid() * 2654435761u ^ (unsigned)ts.tv_nsec) & 0xffffffu;
}

/* Returns a new run id (see journal.h). */
char *journal_new_run_id(int64_t wall_ms) {
  time_t secs = (time_t)(wall_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char stamp[24], *id = malloc(32);
  if (!id) return NULL;
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  snprintf(id, 32, "%s-%06x", stamp, random24());
  return id;
}

/* Returns "sha256:HEX" over the program's units (see journal.h). */
char *journal_plan_hash(const rbk_program *prog) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  bool ok = true;
  for (size_t i = 0; ok && i < prog->len; i++) {
    const rbk_source *src = prog->units[i].src;
    char head[32];
    int n = src ? snprintf(head, sizeof head, "%zu\n", src->len) : 0;
    ok = src != NULL;
    if (ok) sha256_update(&ctx, (size_t)n, (const uint8_t *)head), sha256_update(&ctx, src->len, (const uint8_t *)src->text);
  }
  uint8_t md[SHA256_DIGEST_SIZE];
  unsigned mdlen = sizeof md;
  sha256_digest(&ctx, sizeof md, md);
  char *hex = ok ? malloc(8 + 2 * mdlen) : NULL;
  if (!hex) return NULL;
  memcpy(hex, "sha256:", 7);
  for (unsigned i = 0; i < mdlen; i++) snprintf(hex + 7 + 2 * i, 3, "%02x", md[i]);
  return hex;
}

/* Returns the directory part of file ("." when it has none). Caller frees. */
static char *dir_of(const char *file) {
  const char *slash = strrchr(file, '/');
  if (!slash) return strdup(".");
  if (slash == file) return strdup("/");
  return strndup(file, (size_t)(slash - file));
}

/* Child side of journal_git_revision: runs git with stdout on fd `out`; never returns. */
static void exec_git(const char *dir, int out) {
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDERR_FILENO);
  }
  dup2(out, STDOUT_FILENO);
  execlp("git", "git", "-C", dir, "rev-parse", "HEAD", (char *)NULL);
  _exit(127);
}

/* Returns the text read from fd up to EOF (at most size-1 bytes) into buf. */
static void read_all(int fd, char *buf, size_t size) {
  size_t len = 0;
  ssize_t n;
  while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) != 0) {
    if (n > 0) len += (size_t)n;
    else if (errno != EINTR) break;
  }
  buf[len] = '\0';
}

/* Returns the git commit of the repository holding file, or NULL (see journal.h). */
char *journal_git_revision(const char *file) {
  char *dir = dir_of(file);
  int fds[2];
  if (!dir || pipe(fds) != 0) {
    free(dir);
    return NULL;
  }
  pid_t pid = fork();
  if (pid == 0) exec_git(dir, fds[1]);
  close(fds[1]);
  char buf[128] = "";
  if (pid > 0) read_all(fds[0], buf, sizeof buf);
  close(fds[0]);
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  free(dir);
  buf[strcspn(buf, "\r\n")] = '\0';
  bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && strlen(buf) >= 40 &&
            strspn(buf, "0123456789abcdef") == strlen(buf);
  return ok ? strdup(buf) : NULL;
}

/* Returns the host name, or NULL. */
char *journal_host(void) { return procid_host(); }
