#!/usr/bin/env python3
"""same_requests.py — every seed plan's rehearsal cases (plans/*.test.json), run once in-process
(`rbk test PLAN --request-log`) and once as `rbk run --kubeconfig` over HTTPS (a throwaway CA, a
bearer token) against `rbk sim --request-log`: the simulated API server must see the same
requests and both must exit alike (the rule is in docs/rehearsal.md, "One request path"). Usage:
same_requests.py RBK SOURCE_DIR TMPDIR [FILTER]. Prints one line per case and "N passed, M
failed"; exits 1 when a case differs. Needs openssl."""
import concurrent.futures, http.server, json, os, pty, re, select, signal, subprocess, sys, threading, time

RBK, SRC, TMP = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
FILTER = sys.argv[4] if len(sys.argv) > 4 else ""
SPEED = "20"  # rbk sim's virtual ms per real ms
TOKEN = "transport-token-%d" % os.getpid()
# Plans that cannot run over HTTPS today, with why (printed, never silent).
EXCLUDED = {}
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


class Sink(http.server.BaseHTTPRequestHandler):
    """The notification webhooks of the run over HTTPS (a local plain-HTTP sink): every POST is
    answered 200."""
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def case_list(sidecar):
    """Yields (name, merged case) of a sidecar, defaults merged as rbk test merges them."""
    doc = json.load(open(sidecar, encoding="utf-8"))
    d = doc.get("defaults", {})
    for c in doc["cases"]:
        m = dict(d)
        m.update(c)
        for k in ("params", "secrets"):
            m[k] = {**d.get(k, {}), **c.get(k, {})}
        yield c["name"], m


def load_scenario(s, base_dir):
    """Returns a scenario's path (or built-in name) and its document."""
    path = s if ("/" in s or s.endswith(".json")) else None
    if path and not path.startswith("/"):
        path = os.path.join(base_dir, path)
    return path or s, json.load(open(path or os.path.join(SRC, "sim/scenarios", s + ".json"), encoding="utf-8"))


def plan_secrets(doc, base_dir):
    """Returns the scenario's plan_secrets, its "extends" chain merged (the scenario wins)."""
    parent = {}
    if doc.get("extends"):
        _, pdoc = load_scenario(doc["extends"], base_dir)
        parent = plan_secrets(pdoc, base_dir)
    return {**parent, **doc.get("plan_secrets", {})}


def scenario_of(plan_dir, s):
    """Returns the scenario argument and its plan secrets."""
    arg, doc = load_scenario(s or "bad-release", plan_dir)
    d = os.path.dirname(arg) if "/" in arg else plan_dir
    return arg, {**plan_secrets(doc, d), "seed": doc.get("seed")}


def param_args(m):
    out = []
    for k, v in m["params"].items():
        out += ["-p", "%s=%s" % (k, v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), ensure_ascii=False))]
    if m.get("yes"):
        out.append("--yes")
    for a in m.get("approve", []):
        out += ["--approve", a]
    return out


def lines(path):
    return [l.rstrip("\n") for l in open(path, encoding="utf-8")] if os.path.exists(path) else []


def split(line):
    """Returns (method, path without query, the whole line)."""
    method, target, _ = line.split(" ")
    return method, target.split("?")[0], line


def compare(a, b):
    """Returns None when logs a (in-process) and b (over HTTPS) agree by the rule of
    docs/rehearsal.md, else why: every mutation identical (method, path, query, body hash) and in
    the same order per object; every read over HTTPS (a watch's resourceVersion and timeoutSeconds
    masked) also made in-process."""
    def mutations(log):
        per = {}
        for m, path, line in map(split, log):
            if m in MUTATING:
                per.setdefault(path, []).append(line)
        return per

    def reads(log):
        out = set()
        for m, _, line in map(split, log):
            if m not in MUTATING:
                out.add(re.sub(r"([?&])(resourceVersion|timeoutSeconds)=[^&]*", r"\1\2=*", line.split(" ")[1]))
        return out

    ma, mb = mutations(a), mutations(b)
    if ma != mb:
        why = []
        for path in sorted(set(ma) | set(mb)):
            if ma.get(path) != mb.get(path):
                why.append("mutations of %s differ:\n%s" % (path, diff(ma.get(path, []), mb.get(path, []))))
        return "\n".join(why)
    extra = sorted(reads(b) - reads(a))
    if extra:
        return "read over HTTPS, never in-process:\n  " + "\n  ".join(extra)
    return None


def run_answering(argv, cwd, env, out, timeout):
    """Runs argv on a pseudo-terminal, answering "n" to every approval prompt
    ('approve "QUESTION" (from ROLE, 59s left) [y/N]', redrawn with the live status), as an
    operator who does not grant it; the transcript goes to out."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execvpe(argv[0], argv, env)
    seen, scanned, last, deadline = b"", 0, 0.0, time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if b'" (from ' in seen[scanned:] and time.time() - last > 1:
            scanned, last = len(seen), time.time()
            os.write(fd, b"n\r")
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    out.write(seen.decode("utf-8", "replace"))
    return os.waitstatus_to_exitcode(status)


def diff(a, b):
    import difflib
    return "\n".join(list(difflib.unified_diff(a, b, "in-process", "over-https", lineterm="", n=2))[:40])


def make_certs():
    """Writes a throwaway CA and a server certificate for 127.0.0.1 signed by it into TMP; returns
    (ca, cert, key) paths."""
    ca, cert, key = (os.path.join(TMP, n) for n in ("ca.crt", "srv.crt", "srv.key"))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ext = os.path.join(TMP, "ext.cnf")
    open(ext, "w").write("subjectAltName=IP:127.0.0.1\n")
    for argv in (["req", "-x509"] + ec + ["-keyout", TMP + "/ca.key", "-out", ca, "-days", "1", "-subj", "/CN=transport-ca"],
                 ["req"] + ec + ["-keyout", key, "-out", TMP + "/srv.csr", "-subj", "/CN=127.0.0.1"],
                 ["x509", "-req", "-in", TMP + "/srv.csr", "-CA", ca, "-CAkey", TMP + "/ca.key", "-CAcreateserial",
                  "-out", cert, "-days", "1", "-extfile", ext]):
        subprocess.run(["openssl"] + argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return ca, cert, key


def run_case(plan, name, m, port, idx, tls):
    plan_dir = os.path.dirname(plan)
    scen, sec = scenario_of(plan_dir, m.get("scenario"))
    scen_seed = sec.pop("seed")
    d = os.path.join(TMP, "c%d" % idx)
    os.makedirs(d)
    common = param_args(m)
    secrets = {**sec, **m.get("secrets", {}), "SLACK_WEBHOOK_URL": "http://127.0.0.1:%d/hook" % port}
    seed = m.get("seed", scen_seed if scen_seed is not None else 1)
    env = dict(os.environ)
    for k in list(env):
        if k in secrets or k == "KUBE_CONTEXT":
            del env[k]
    # In-process rehearsal.
    t = [RBK, "test", plan, "--scenario", scen, "--seed", str(seed), "--request-log", d + "/inproc.log"] + common
    for k, v in m.get("secrets", {}).items():
        t += ["--secret", "%s=%s" % (k, v)]
    code_test = subprocess.run(t, cwd=d, env=env, stdout=open(d + "/test.out", "w"), stderr=subprocess.STDOUT,
                               timeout=300).returncode
    # Over HTTPS: the server's certificate signed by the CA the kubeconfig names, a bearer token.
    ca, cert, key = tls
    sim = subprocess.Popen([RBK, "sim", "--scenario", scen, "--seed", str(seed), "--speed", SPEED, "--quiet",
                            "--tls-cert", cert, "--tls-key", key, "--token", TOKEN,
                            "--request-log", d + "/http.log"], cwd=d, env=env, stdout=subprocess.PIPE,
                           stderr=open(d + "/sim.err", "w"), text=True)
    url = sim.stdout.readline().strip()
    if not url.startswith("https://"):
        sim.kill()
        sim.wait()
        return "rbk sim did not serve HTTPS (%r; see %s/sim.err)" % (url, d), 0.0, d
    with open(d + "/kubeconfig", "w") as f:
        f.write("apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n"
                "  cluster: {server: \"%s\", certificate-authority: \"%s\"}\n"
                "contexts:\n- name: sim\n  context: {cluster: sim, user: runner}\nusers:\n- name: runner\n"
                "  user: {token: \"%s\"}\n" % (url, ca, TOKEN))
    r = [RBK, "run", plan, "--kubeconfig", d + "/kubeconfig", "--no-lock", "--journal", d + "/run.jsonl"] + common
    for k, v in secrets.items():
        r += ["--secret", "%s=%s" % (k, v)]
    start = time.time()
    try:
        with open(d + "/run.out", "w") as out:
            code_run = run_answering(r, d, env, out, 600)
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(timeout=30)
    a, b = lines(d + "/inproc.log"), lines(d + "/http.log")
    if not a:
        return "the rehearsal sent no request (see %s/test.out)" % d, time.time() - start, d
    if code_test != code_run:
        return "exit codes differ: rbk test %d, rbk run %d" % (code_test, code_run), time.time() - start, d
    return compare(a, b), time.time() - start, d


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    tls = make_certs()
    jobs = []
    for plan in sorted(p for p in os.listdir(os.path.join(SRC, "plans")) if p.endswith(".rbk")):
        base = plan[:-4]
        if base in EXCLUDED:
            print("skip %s: %s" % (base, EXCLUDED[base]))
            continue
        path = os.path.join(SRC, "plans", plan)
        for name, m in case_list(path[:-4] + ".test.json"):
            full = "%s: %s" % (base, name)
            if not FILTER or FILTER in full:
                jobs.append((full, path, name, m))
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futs = [pool.submit(run_case, path, name, m, port, i + 1, tls) for i, (full, path, name, m) in enumerate(jobs)]
        for (full, _, _, _), f in zip(jobs, futs):
            why, secs, d = f.result()
            if why:
                failed += 1
                print("FAIL %s (%.1fs, %s)\n%s" % (full, secs, d, why))
            else:
                passed += 1
                print("ok   %s (%.1fs)" % (full, secs))
            sys.stdout.flush()
    srv.shutdown()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
