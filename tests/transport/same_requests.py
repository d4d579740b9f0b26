#!/usr/bin/env python3
"""same_requests.py — every seed plan's rehearsal cases (plans/*.test.json), run once in-process
(`rbk test PLAN --request-log`) and once as `rbk run --kubeconfig` over HTTPS (a throwaway CA, a
bearer token) against `rbk sim --request-log`: the simulated API server must see the same
requests and both must exit alike (the rule is in docs/rehearsal.md, "One request path"). Usage:
same_requests.py RBK SOURCE_DIR TMPDIR [FILTER]. Prints one line per case and "N passed, M
failed"; exits 1 when a case differs. Needs openssl."""
import os, re, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from simrun import (certs, clean_env, case_list, kubeconfig, param_args, run_all, run_answering, run_secrets,  # noqa: E402
                    secret_args, scenario_of, seed_plans, start_sim, stop_sim, test_argv)

RBK, SRC, TMP = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
FILTER = sys.argv[4] if len(sys.argv) > 4 else ""
TOKEN = "transport-token-%d" % os.getpid()
TLS = None  # (ca, cert, key), made once by main()
# Plans that cannot run over HTTPS today, with why (printed, never silent).
EXCLUDED = {}
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def lines(path):
    return [l.rstrip("\n") for l in open(path, encoding="utf-8")] if os.path.exists(path) else []


def split(line):
    """Returns (method, path without query, the whole line)."""
    method, target, _ = line.split(" ")
    return method, target.split("?")[0], line


def compare(a, b):
    """Returns None when logs a (in-process) and b (over HTTP) agree by the rule of
    docs/rehearsal.md, else why: every mutation identical (method, path, query, body hash) and in
    the same order per object; every read over HTTP (a watch's resourceVersion and timeoutSeconds
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
        return "read over HTTP, never in-process:\n  " + "\n  ".join(extra)
    return None


def diff(a, b):
    import difflib
    return "\n".join(list(difflib.unified_diff(a, b, "in-process", "over-https", lineterm="", n=2))[:40])


def run_case(idx, port, full, plan, m):
    """Returns [(ok, line)] of one case: its rehearsal and its run over HTTPS compared."""
    scen, seed, sec = scenario_of(SRC, plan, m)
    d = os.path.join(TMP, "c%d" % (idx + 1))
    os.makedirs(d)
    secrets = run_secrets(sec, m, port)
    env = clean_env(secrets)
    # In-process rehearsal.
    t = test_argv(RBK, plan, scen, seed, m, ["--request-log", d + "/inproc.log"])
    code_test = subprocess.run(t, cwd=d, env=env, stdout=open(d + "/test.out", "w"), stderr=subprocess.STDOUT,
                               timeout=300).returncode
    # Over HTTPS, with a bearer token (rbk never sends credentials over plain http://).
    ca, cert, key = TLS
    sim, url = start_sim(RBK, scen, seed, d + "/http.log", d + "/sim.err",
                         ["--tls-cert", cert, "--tls-key", key, "--token", TOKEN], cwd=d, env=env)
    if not url.startswith("https://"):
        stop_sim(sim)
        return [(False, "%s (%s)\nrbk sim did not serve HTTPS (%r; see %s/sim.err)" % (full, d, url, d))]
    kubeconfig(d + "/kubeconfig", url, TOKEN, ca)
    r = [RBK, "run", plan, "--kubeconfig", d + "/kubeconfig", "--no-lock", "--journal", d + "/run.jsonl"] + \
        param_args(m) + secret_args(secrets)
    start = time.time()
    try:
        with open(d + "/run.out", "w") as out:
            code_run = run_answering(r, d, env, out, 600)
    finally:
        stop_sim(sim)
    a, b = lines(d + "/inproc.log"), lines(d + "/http.log")
    if not a:
        why = "the rehearsal sent no request (see %s/test.out)" % d
    elif code_test != code_run:
        why = "exit codes differ: rbk test %d, rbk run %d" % (code_test, code_run)
    else:
        why = compare(a, b)
    secs = time.time() - start
    return [(False, "%s (%.1fs, %s)\n%s" % (full, secs, d, why)) if why else (True, "%s (%.1fs)" % (full, secs))]


def main():
    global TLS
    TLS = certs(SRC, TMP)
    jobs = []
    for base, path in seed_plans(SRC, EXCLUDED, "skip"):
        for name, m in case_list(path[:-4] + ".test.json"):
            full = "%s: %s" % (base, name)
            if not FILTER or FILTER in full:
                jobs.append((full, path, m))
    return run_all(jobs, run_case)


if __name__ == "__main__":
    sys.exit(main())
