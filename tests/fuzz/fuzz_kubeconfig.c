/* fuzz_kubeconfig.c — libFuzzer target: arbitrary bytes as a kubeconfig document through the loader
 * (libyaml → JSON by base/yamljson, the merge, context/cluster/user resolution, base64 -data fields,
 * exec plugin settings) and the credentials built from it. The environment is empty (no KUBECONFIG,
 * HOME or in-cluster files), so only the document decides; the exec plugin is never run.
 * Nothing may crash, leak, hang or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "kubeconfig.h"
#include "scrub.h"

/* Returns NULL for every environment variable: the document alone decides. */
static const char *no_env(void *user, const char *name) {
  (void)user, (void)name;
  return NULL;
}

/* Loads the document with one context choice; returns nothing (crashes are the finding). */
static void load(const char *doc, const char *context) {
  kubeconfig_opts o = {.data = doc, .context = context, .getenv = no_env, .sa_dir = "/nonexistent/rbk-fuzz"};
  char *err = NULL;
  kubeconfig *kc = kubeconfig_load(&o, &err);
  if (kc) {
    kube_auth *a = kubeconfig_auth_new(kc);
    kubeconfig_auth_free(a);
    kubeconfig_free(kc);
  }
  free(err);
}

/* Returns 0 always (libFuzzer's contract). The first line may name a context to select ("#ctx NAME"). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *doc = fuzz_cstr((const char *)data, size);
  load(doc, NULL);
  if (size > 5 && !memcmp(doc, "#ctx ", 5)) {
    char *nl = strchr(doc + 5, '\n');
    char *ctx = fuzz_cstr(doc + 5, nl ? (size_t)(nl - doc - 5) : strlen(doc + 5));
    load(doc, ctx);
    free(ctx);
  }
  scrub_reset(); /* tokens and keys were registered as secrets: start every input clean */
  free(doc);
  return 0;
}
