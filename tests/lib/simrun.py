"""simrun.py — the common part of the python3 suites that run the seed plans' rehearsal cases
against `rbk sim` over HTTP(S) (tests/transport/same_requests.py, tests/rbac/rbac_runs.py): the
cases of a plan's sidecar, their scenario, seed, parameters and secrets; `rbk test` and `rbk run`
command lines; a throwaway CA; `rbk sim` started and a kubeconfig naming it; a webhook sink; approvals answered "no"
on a pseudo-terminal; the cases run two at a time with ok/FAIL lines and a closing count.
Import it with sys.path.insert(0, "<tests>/lib")."""
import concurrent.futures, fcntl, http.server, json, os, pty, select, signal, struct, subprocess, sys, termios, \
    threading, time


class Sink(http.server.BaseHTTPRequestHandler):
    """The notification webhooks of a run over HTTP: every POST is answered 200."""
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


def load_scenario(src, s, base_dir):
    """Returns a scenario's path (or built-in name) and its document."""
    path = s if ("/" in s or s.endswith(".json")) else None
    if path and not path.startswith("/"):
        path = os.path.join(base_dir, path)
    return path or s, json.load(open(path or os.path.join(src, "sim/scenarios", s + ".json"), encoding="utf-8"))


def plan_secrets(src, doc, base_dir):
    """Returns the scenario's plan_secrets, its "extends" chain merged (the scenario wins)."""
    parent = {}
    if doc.get("extends"):
        _, pdoc = load_scenario(src, doc["extends"], base_dir)
        parent = plan_secrets(src, pdoc, base_dir)
    return {**parent, **doc.get("plan_secrets", {})}


def scenario_of(src, plan, m):
    """Returns a case's scenario argument, its seed (the case's, else the scenario's, else 1) and the
    scenario's plan secrets."""
    plan_dir = os.path.dirname(plan)
    arg, doc = load_scenario(src, m.get("scenario") or "bad-release", plan_dir)
    d = os.path.dirname(arg) if "/" in arg else plan_dir
    seed = m.get("seed", doc.get("seed") if doc.get("seed") is not None else 1)
    return arg, seed, plan_secrets(src, doc, d)


def param_args(m, approvals=True):
    """Returns the case's -p arguments, and with approvals its --yes and --approve ones."""
    out = []
    for k, v in m["params"].items():
        out += ["-p", "%s=%s" % (k, v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), ensure_ascii=False))]
    if approvals and m.get("yes"):
        out.append("--yes")
    for a in m.get("approve", []) if approvals else []:
        out += ["--approve", a]
    return out


def secret_args(secrets):
    """Returns --secret NAME=VALUE for each secret."""
    return [a for k, v in secrets.items() for a in ("--secret", "%s=%s" % (k, v))]


def test_argv(rbk, plan, scen, seed, m, extra=()):
    """Returns the `rbk test` command line of a case (the case's own secrets given with --secret)."""
    return [rbk, "test", plan, "--scenario", scen, "--seed", str(seed)] + list(extra) + param_args(m) + \
        secret_args(m.get("secrets", {}))


def run_secrets(sec, m, port):
    """Returns the secrets of a run over HTTP: the scenario's, the case's, and the webhook at the sink."""
    return {**sec, **m.get("secrets", {}), "SLACK_WEBHOOK_URL": "http://127.0.0.1:%d/hook" % port}


def clean_env(secrets):
    """Returns the environment without the secrets' names, KUBE_CONTEXT and KUBECONFIG."""
    return {k: v for k, v in os.environ.items() if k not in secrets and k not in ("KUBE_CONTEXT", "KUBECONFIG")}


def start_sim(rbk, scen, seed, log, err, extra=(), cwd=None, env=None):
    """Starts `rbk sim` (speed 20, quiet) with its request log; returns (process, its URL)."""
    sim = subprocess.Popen([rbk, "sim", "--scenario", scen, "--seed", str(seed), "--speed", "20", "--quiet"] +
                           list(extra) + ["--request-log", log], cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=open(err, "w"), text=True)
    return sim, sim.stdout.readline().strip()


def stop_sim(sim):
    """Stops `rbk sim` (SIGTERM) and waits for it."""
    sim.send_signal(signal.SIGTERM)
    sim.wait(timeout=30)


def certs(src, tmp):
    """Makes a throwaway CA and a server certificate for 127.0.0.1 in tmp (tests/lib/certs.sh);
    returns (ca.crt, srv.crt, srv.key) paths."""
    subprocess.run(["bash", os.path.join(src, "tests/lib/certs.sh"), tmp], check=True)
    return tuple(os.path.join(tmp, n) for n in ("ca.crt", "srv.crt", "srv.key"))


def kubeconfig(path, url, token=None, ca=None):
    """Writes a kubeconfig naming the simulator at url, with the token and CA file when given."""
    cluster = "{server: \"%s\"%s}" % (url, ", certificate-authority: \"%s\"" % ca if ca else "")
    user = "{token: \"%s\"}" % token if token else "{}"
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n  cluster: %s\n"
                "contexts:\n- name: sim\n  context: {cluster: sim, user: u}\nusers:\n- name: u\n  user: %s\n"
                % (cluster, user))


def pty_run(argv, timeout, react, cwd=None, env=None, cols=None):
    """Runs argv on a pseudo-terminal (cols columns when given) until it ends, or kills it when
    timeout seconds pass; react(fd, seen) runs after every wait of at most 0.1 s with the output so
    far and may type into fd. Returns (the exit code, or None when it was killed; the transcript)."""
    pid, fd = pty.fork()
    if pid == 0:
        if cwd:
            os.chdir(cwd)
        os.execvpe(argv[0], argv, env if env is not None else os.environ)
    if cols:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    seen, deadline = b"", time.time() + timeout
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
        react(fd, seen)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return None, seen.decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


def run_answering(argv, cwd, env, out, timeout):
    """Runs argv on a pseudo-terminal, answering "n" to every approval prompt
    ('approve "QUESTION" (from ROLE, 59s left) [y/N]', redrawn with the live status), as an
    operator who does not grant it; the transcript goes to out. Returns the exit code (-9 when it
    was killed at the timeout)."""
    state = {"scanned": 0, "last": 0.0}

    def react(fd, seen):
        if b'" (from ' in seen[state["scanned"]:] and time.time() - state["last"] > 1:
            state["scanned"], state["last"] = len(seen), time.time()
            os.write(fd, b"n\r")
    code, text = pty_run(argv, timeout, react, cwd, env)
    out.write(text)
    return -9 if code is None else code


def seed_plans(src, excluded, note):
    """Yields (base name, path) of every seed plan (plans/*.rbk) but the excluded ones, for which
    it prints "NOTE base: why" (never silent)."""
    for plan in sorted(p for p in os.listdir(os.path.join(src, "plans")) if p.endswith(".rbk")):
        base = plan[:-4]
        if base in excluded:
            print("%s %s: %s" % (note, base, excluded[base]))
            continue
        yield base, os.path.join(src, "plans", plan)


def run_all(jobs, check, label=""):
    """Runs check(index, port, *job) for every job, two at a time, with a webhook sink at port; each
    returns a list of (ok, line). Prints "ok   line" / "FAIL line" in job order, then
    "[label: ]N passed, M failed"; returns the exit status (1 when something failed or none passed)."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futs = [pool.submit(check, i, port, *job) for i, job in enumerate(jobs)]
        for f in futs:
            for ok, line in f.result():
                print(("ok   " if ok else "FAIL ") + line)
                passed, failed = passed + ok, failed + (not ok)
            sys.stdout.flush()
    srv.shutdown()
    print("%s%d passed, %d failed" % (label + ": " if label else "", passed, failed))
    return 1 if failed or not passed else 0
