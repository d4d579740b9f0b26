/* test_kube_https.c — actions_kube over libcurl against `rbk sim` served over HTTPS with a
 * throwaway CA (made with openssl in a temp dir) and a bearer token: kubeconfig with a CA file,
 * token, tokenFile (and its re-read after a 401) and an exec credential plugin; a wrong token; no
 * CA; mutual TLS with a client certificate (files and -data); notifications delivered over curl
 * to a local HTTP sink (a python3 http.server that fails its first answer). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "actions_kube.h"
#include "test_kube_fake.h"
#include "test_files.h"

static char dir[256];
static char url[128];
static pid_t sim_pid, sink_pid;
static int sink_port;

/* Runs a shell command in the temp dir; returns its exit status. */
static int sh(const char *fmt, ...) {
  char cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", dir);
  vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
  va_end(ap);
  return system(cmd);
}

/* Makes the CA and the server certificate, starts rbk sim over HTTPS. */
static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/rbk-https-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  if (sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=rbk-test-ca 2>/dev/null") ||
      sh("openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null") ||
      sh("printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf && openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key "
         "-CAcreateserial -out srv.crt -days 2 -extfile ext.cnf 2>/dev/null") ||
      sh("openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=runbook-operator 2>/dev/null") ||
      sh("openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 2>/dev/null"))
    return -1;
  char exe[512], rbk[600];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return -1;
  exe[n] = '\0';
  *strrchr(exe, '/') = '\0';
  snprintf(rbk, sizeof rbk, "%s/rbk", exe);
  int out[2];
  if (pipe(out)) return -1;
  sim_pid = fork();
  if (sim_pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    int null = open("/dev/null", 1);
    dup2(null, 2);
    char cert[300], key[300], ca[300];
    snprintf(cert, sizeof cert, "%s/srv.crt", dir), snprintf(key, sizeof key, "%s/srv.key", dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    execl(rbk, rbk, "sim", "--listen", "127.0.0.1:0", "--scenario", "bad-release", "--speed", "20", "--tls-cert", cert,
          "--tls-key", key, "--client-ca", ca, "--token", "good-token", (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  FILE *f = fdopen(out[0], "r");
  if (!f || !fgets(url, sizeof url, f)) return -1;
  url[strcspn(url, "\r\n")] = '\0';
  return strncmp(url, "https://", 8) == 0 ? 0 : -1;
}

/* Stops the simulator and removes the temp dir. */
static int teardown(void **state) {
  (void)state;
  if (sim_pid > 0) kill(sim_pid, SIGTERM), waitpid(sim_pid, NULL, 0);
  if (sink_pid > 0) kill(sink_pid, SIGTERM), waitpid(sink_pid, NULL, 0);
  sh("cd / && rm -rf '%s'", dir);
  return 0;
}

/* Writes kubeconfig NAME with the given user section and CA line. */
static void kubeconfig(const char *name, const char *ca_line, const char *user) {
  char text[4096];
  snprintf(text, sizeof text,
           "apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n  cluster:\n    server: %s\n%s"
           "contexts:\n- name: sim\n  context:\n    cluster: sim\n    user: u\n    namespace: greenlang\n"
           "users:\n- name: u\n  user:\n%s",
           url, ca_line, user);
  tf_write(dir, name, text);
}

/* Returns the outcome of get(deployment) through kubeconfig NAME. */
static tk_outcome get_via(const char *name) {
  char path[512], *err = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  actions_kube_config cfg = {.kubeconfig = path, .wall_base_ms = -1};
  rbk_actions *a = actions_kube_new(&cfg, &err);
  assert_non_null(a);
  tk_real = true, tk_real0 = tk_mono();
  rbk_value *cl = tk_make(a, FN_KUBE, NULL, 0, NULL, NULL, &err);
  assert_non_null(cl);
  const char *names[] = {"ref"};
  rbk_value *vals[] = {value_cstring("deployment/gl-001-process-heat-orchestrator")};
  tk_outcome o = tk_call(a, FN_K_GET, cl, 10000, 1, names, vals);
  value_unref(cl);
  a->free(a->self);
  return o;
}

/* Asserts that get(deployment) through kubeconfig NAME reads the Deployment. */
static void expect_reads(const char *name) {
  tk_outcome o = get_via(name);
  if (o.err) fail_msg("%s: %s", name, o.err);
  assert_string_equal(tk_str(o.res, "kind"), "Deployment");
  tk_clear(&o);
}

static void token__good__reads(void **state) {
  (void)state;
  kubeconfig("good.yaml", "    certificate-authority: ca.crt\n", "    token: good-token\n");
  expect_reads("good.yaml");
}

static void token__wrong__unauthorized(void **state) {
  (void)state;
  kubeconfig("bad.yaml", "    certificate-authority: ca.crt\n", "    token: wrong-token\n");
  tk_outcome o = get_via("bad.yaml");
  assert_string_equal(o.err, "You must be logged in to the server (Unauthorized)");
  assert_null(strstr(o.err, "wrong-token"));
  tk_clear(&o);
}

static void ca__missing__names_server(void **state) {
  (void)state;
  kubeconfig("noca.yaml", "", "    token: good-token\n");
  tk_outcome o = get_via("noca.yaml");
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "SSL certificate problem"));
  assert_non_null(strstr(o.err, url));
  tk_clear(&o);
}

static void token_file__reads(void **state) {
  (void)state;
  tf_write(dir, "token", "good-token\n");
  kubeconfig("tf.yaml", "    certificate-authority: ca.crt\n", "    tokenFile: token\n");
  expect_reads("tf.yaml");
}

static void exec_plugin__token__reads(void **state) {
  (void)state;
  tf_write(dir, "plugin.sh", "#!/bin/sh\ncase \"$KUBERNETES_EXEC_INFO\" in *ExecCredential*) ;; *) exit 3;; esac\n"
             "echo \"$1\" >> \"$(dirname \"$0\")/calls\"\n"
             "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\","
             "\"status\":{\"token\":\"%s\"}}' \"$PLUGIN_TOKEN\"\n");
  sh("chmod +x plugin.sh && rm -f calls");
  kubeconfig("exec.yaml", "    certificate-authority: ca.crt\n",
             "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugin.sh\n"
             "      args: [called]\n      env:\n      - name: PLUGIN_TOKEN\n        value: good-token\n");
  expect_reads("exec.yaml");
  assert_int_equal(sh("test \"$(wc -l < calls)\" -eq 1"), 0);
}

static void exec_plugin__failing__names_user(void **state) {
  (void)state;
  tf_write(dir, "fail.sh", "#!/bin/sh\necho 'no credentials here' >&2\nexit 1\n");
  sh("chmod +x fail.sh");
  kubeconfig("fail.yaml", "    certificate-authority: ca.crt\n", "    exec:\n      command: ./fail.sh\n");
  tk_outcome o = get_via("fail.yaml");
  assert_string_equal(o.err, "exec plugin for user \"u\" failed: exit status 1: no credentials here");
  tk_clear(&o);
}

static void mtls__client_cert_files__reads(void **state) {
  (void)state;
  kubeconfig("cert.yaml", "    certificate-authority: ca.crt\n",
             "    client-certificate: client.crt\n    client-key: client.key\n");
  expect_reads("cert.yaml");
}

static void mtls__client_cert_data__reads(void **state) {
  (void)state;
  assert_int_equal(sh("{ printf 'apiVersion: v1\\nkind: Config\\ncurrent-context: sim\\nclusters:\\n- name: sim\\n  cluster:\\n"
                      "    server: %s\\n    certificate-authority-data: %%s\\n' \"$(base64 -w0 ca.crt)\"; "
                      "printf 'contexts:\\n- name: sim\\n  context: {cluster: sim, user: u, namespace: greenlang}\\n"
                      "users:\\n- name: u\\n  user:\\n    client-certificate-data: %%s\\n    client-key-data: %%s\\n' "
                      "\"$(base64 -w0 client.crt)\" \"$(base64 -w0 client.key)\"; } > certdata.yaml",
                      url),
                   0);
  expect_reads("certdata.yaml");
}

static void mtls__untrusted_client_cert__unauthorized(void **state) {
  (void)state;
  assert_int_equal(sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.crt -days 1 "
                      "-subj /CN=intruder 2>/dev/null"),
                   0);
  kubeconfig("self.yaml", "    certificate-authority: ca.crt\n", "    client-certificate: self.crt\n    client-key: self.key\n");
  tk_outcome o = get_via("self.yaml");
  assert_string_equal(o.err, "You must be logged in to the server (Unauthorized)");
  tk_clear(&o);
}

/* Returns the outcome of get(deployment) on an existing handle. */
static tk_outcome get_on(rbk_actions *a, rbk_value *cl) {
  const char *names[] = {"ref"};
  rbk_value *vals[] = {value_cstring("deployment/gl-001-process-heat-orchestrator")};
  return tk_call(a, FN_K_GET, cl, 10000, 1, names, vals);
}

static void token_file__reread_after_401(void **state) {
  (void)state;
  tf_write(dir, "rotating", "old-token\n");
  kubeconfig("rot.yaml", "    certificate-authority: ca.crt\n", "    tokenFile: rotating\n");
  char path[512], *err = NULL;
  snprintf(path, sizeof path, "%s/rot.yaml", dir);
  actions_kube_config cfg = {.kubeconfig = path, .wall_base_ms = -1};
  rbk_actions *a = actions_kube_new(&cfg, &err);
  assert_non_null(a);
  tk_real = true, tk_real0 = tk_mono();
  rbk_value *cl = tk_make(a, FN_KUBE, NULL, 0, NULL, NULL, &err);
  assert_non_null(cl);
  tk_outcome o = get_on(a, cl);
  assert_string_equal(o.err, "You must be logged in to the server (Unauthorized)");
  tk_clear(&o);
  tf_write(dir, "rotating", "good-token\n"); /* the kubelet rotated the projected token */
  o = get_on(a, cl);
  assert_null(o.err);
  assert_string_equal(tk_str(o.res, "kind"), "Deployment");
  tk_clear(&o);
  value_unref(cl);
  a->free(a->self);
}

/* Starts the python3 sink: it answers 503 (Retry-After: 0) to its first POST, then 200, and
 * appends "PATH BODY" lines of what it accepted to DIR/received. */
static void start_sink(void) {
  tf_write(dir, "sink.py", "import http.server, sys\n"
             "fails = 1\n"
             "class H(http.server.BaseHTTPRequestHandler):\n"
             "    def do_POST(self):\n"
             "        global fails\n"
             "        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))\n"
             "        if fails > 0:\n"
             "            fails -= 1\n"
             "            self.send_response(503); self.send_header('Retry-After', '0'); self.end_headers(); return\n"
             "        with open(sys.argv[1], 'ab') as f:\n"
             "            f.write(self.path.encode() + b' ' + self.headers.get('Content-Type', '').encode() + b' ' + body + b'\\n')\n"
             "        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n"
             "    def log_message(self, *a): pass\n"
             "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
             "print(s.server_address[1], flush=True)\n"
             "s.serve_forever()\n");
  int out[2];
  assert_int_equal(pipe(out), 0);
  sink_pid = fork();
  if (sink_pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    char script[300], received[300];
    snprintf(script, sizeof script, "%s/sink.py", dir), snprintf(received, sizeof received, "%s/received", dir);
    execl("/usr/bin/python3", "python3", script, received, (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  FILE *f = fdopen(out[0], "r");
  char line[32] = "";
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof line, f));
  fclose(f);
  sink_port = atoi(line);
  assert_true(sink_port > 0);
}

/* Sends text to channel ch; returns the outcome. */
static tk_outcome notify_on(rbk_actions *a, rbk_value *ch, const char *text) {
  tk_outcome o = {0};
  char *err = NULL;
  if (!a->notify(a->self, ch, text, tk_clock(), tk_done, &o, &err)) o.done = true, o.err = err;
  else tk_drive(a, &o);
  return o;
}

static void notify__webhook_and_slack__delivered_over_http(void **state) {
  (void)state;
  start_sink();
  char *err = NULL, hook[128], slack_url[128];
  actions_kube_config cfg = {.wall_base_ms = -1};
  rbk_actions *a = actions_kube_new(&cfg, &err);
  assert_non_null(a);
  tk_real = true, tk_real0 = tk_mono();
  snprintf(hook, sizeof hook, "http://127.0.0.1:%d/hooks/incident", sink_port);
  snprintf(slack_url, sizeof slack_url, "http://127.0.0.1:%d/services/T0/B0/x", sink_port);
  const char *wn[] = {"url"};
  rbk_value *wv[] = {value_cstring(hook)};
  rbk_value *web = tk_make(a, FN_WEBHOOK, NULL, 1, wn, wv, &err);
  const char *sn[] = {"webhook", "channel"};
  rbk_value *sv[] = {value_cstring(slack_url), value_cstring("#gl-001-incidents")};
  rbk_value *slack = tk_make(a, FN_SLACK, NULL, 2, sn, sv, &err);
  assert_non_null(web);
  assert_non_null(slack);
  tk_outcome o = notify_on(a, web, "rollback started");
  assert_null(o.err); /* the first answer was a 503: retried */
  tk_clear(&o);
  o = notify_on(a, slack, "rollback done");
  assert_null(o.err);
  tk_clear(&o);
  assert_int_equal(sh("grep -qx '/hooks/incident application/json {\"text\": *\"rollback started\"}' received"), 0);
  assert_int_equal(sh("grep -q '^/services/T0/B0/x application/json .*\"channel\": *\"#gl-001-incidents\"' received && "
                      "grep -q '^/services/T0/B0/x .*\"text\": *\"rollback done\"' received"),
                   0);
  assert_int_equal(sh("test \"$(wc -l < received)\" -eq 2"), 0);
  value_unref(web);
  value_unref(slack);
  a->free(a->self);
}

static void run__process__captures_and_checks(void **state) {
  (void)state;
  char *err = NULL;
  actions_kube_config cfg = {.wall_base_ms = -1};
  rbk_actions *a = actions_kube_new(&cfg, &err);
  assert_non_null(a);
  tk_real = true, tk_real0 = tk_mono();
  const char *names[] = {"argv", "check"};
  rbk_value *argv = value_list(3);
  value_list_push(argv, value_cstring("sh"));
  value_list_push(argv, value_cstring("-c"));
  value_list_push(argv, value_cstring("echo hi; echo oops >&2; exit 3"));
  rbk_value *vals[] = {argv, value_bool(false)};
  tk_outcome o = tk_call(a, FN_RUN, NULL, 5000, 2, names, vals);
  assert_null(o.err);
  assert_int_equal(tk_int(o.res, "status"), 3);
  assert_string_equal(tk_str(o.res, "stdout"), "hi\n");
  assert_string_equal(tk_str(o.res, "stderr"), "oops\n");
  tk_clear(&o);
  rbk_value *argv2 = value_list(3);
  value_list_push(argv2, value_cstring("sh"));
  value_list_push(argv2, value_cstring("-c"));
  value_list_push(argv2, value_cstring("echo oops >&2; exit 3"));
  rbk_value *vals2[] = {argv2};
  o = tk_call(a, FN_RUN, NULL, 5000, 1, names, vals2);
  assert_string_equal(o.err, "run sh -c echo oops >&2; exit 3: exit status 3: oops");
  tk_clear(&o);
  rbk_value *argv3 = value_list(2);
  value_list_push(argv3, value_cstring("sleep"));
  value_list_push(argv3, value_cstring("30"));
  rbk_value *vals3[] = {argv3};
  o = tk_call(a, FN_RUN, NULL, 300, 1, names, vals3);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "sleep 30"));
  tk_clear(&o);
  a->free(a->self);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(token__good__reads),
      cmocka_unit_test(token__wrong__unauthorized),
      cmocka_unit_test(ca__missing__names_server),
      cmocka_unit_test(token_file__reads),
      cmocka_unit_test(exec_plugin__token__reads),
      cmocka_unit_test(exec_plugin__failing__names_user),
      cmocka_unit_test(mtls__client_cert_files__reads),
      cmocka_unit_test(mtls__client_cert_data__reads),
      cmocka_unit_test(mtls__untrusted_client_cert__unauthorized),
      cmocka_unit_test(token_file__reread_after_401),
      cmocka_unit_test(notify__webhook_and_slack__delivered_over_http),
      cmocka_unit_test(run__process__captures_and_checks),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
