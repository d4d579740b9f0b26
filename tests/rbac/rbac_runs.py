#!/usr/bin/env python3
"""rbac_runs.py — least privilege, proved on the seed plans: `rbk rbac PLAN` is applied with
kubectl to `rbk sim` over HTTPS, and the plan is run with a ServiceAccount token bound to exactly
those rules; it must end as its rehearsal does (`rbk test`), with no 403. Then, for rules the run
exercised, one rule at a time is removed (RBK_RBAC_ALL=1: every one; else a rotating sample that
keeps the suite under a minute, plus every pods/exec and pods/log rule) and the run must fail with
a 403 that names one of the rule's verbs and resources. Usage: rbac_runs.py RBK SOURCE_DIR TMPDIR [FILTER]."""
import json, os, re, subprocess, sys, time, urllib.parse

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from simrun import (case_list, certs, clean_env, kubeconfig, param_args, run_all, run_answering, run_secrets,  # noqa: E402
                    scenario_of, secret_args, seed_plans, start_sim, stop_sim, test_argv)

RBK, SRC, TMP = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
FILTER = sys.argv[4] if len(sys.argv) > 4 else ""
ADMIN, SA_TOKEN, SA_NS, SA = "admin-token", "runner-token", "greenlang", "runner"
# Plans that cannot run over HTTP (as in tests/transport), with why (printed, never silent).
EXCLUDED = {}
SAMPLE = 1  # removals per plan unless RBK_RBAC_ALL=1


def attrs(line):
    """Returns (verb, group, resource with subresource, namespace, name) of a request-log line."""
    method, target, _ = line.split(" ")
    u = urllib.parse.urlsplit(target)
    s = [urllib.parse.unquote(x) for x in u.path.strip("/").split("/")]
    if s[0] == "api" and len(s) > 2:
        group, s = "", s[2:]
    elif s[0] == "apis" and len(s) > 3:
        group, s = s[1], s[3:]
    else:
        return None
    ns = None
    if len(s) >= 3 and s[0] == "namespaces":
        ns, s = s[1], s[2:]
    res, name, sub = s[0], s[1] if len(s) > 1 else None, s[2] if len(s) > 2 else None
    watch = "watch=true" in (u.query or "")
    verb = {"GET": "get" if name else ("watch" if watch else "list"), "POST": "create", "PUT": "update",
            "PATCH": "patch", "DELETE": "delete"}.get(method, method.lower())
    return verb, group, res + ("/" + sub if sub else ""), ns, name


def matches(rule, a):
    verb, group, res, _, name = a
    names = rule.get("resourceNames") or []
    return group in rule["apiGroups"] and res in rule["resources"] and verb in rule["verbs"] and (not names or name in names)


def run(plan, m, docs, d, port):
    """Starts a simulator, applies docs with the admin token, runs the plan with the ServiceAccount's;
    returns (exit code, output, request-log lines)."""
    scen, seed, sec = scenario_of(SRC, plan, m)
    os.makedirs(d)
    sim, url = start_sim(RBK, scen, seed, d + "/http.log", d + "/sim.err",
                         ["--tls-cert", TMP + "/srv.crt", "--tls-key", TMP + "/srv.key", "--token", ADMIN,
                          "--token-sa", "%s=%s/%s" % (SA_TOKEN, SA_NS, SA)])
    skip = 0
    try:
        kubeconfig(d + "/admin.kc", url, ADMIN, TMP + "/ca.crt")
        kubeconfig(d + "/sa.kc", url, SA_TOKEN, TMP + "/ca.crt")
        with open(d + "/rbac.yaml", "w") as f:
            yaml.safe_dump_all(docs, f)
        ap = subprocess.run(["kubectl", "--kubeconfig", d + "/admin.kc", "--cache-dir", d + "/kcache", "apply", "-f",
                             d + "/rbac.yaml"], capture_output=True, text=True, timeout=60)
        if ap.returncode:
            return -1, "kubectl apply failed: " + ap.stderr, []
        time.sleep(0.1)
        skip = len(open(d + "/http.log", encoding="utf-8", errors="replace").readlines())  # kubectl's requests
        secrets = run_secrets(sec, m, port)
        r = [RBK, "run", plan, "--kubeconfig", d + "/sa.kc", "--journal", d + "/run.jsonl"] + param_args(m) + \
            secret_args(secrets)
        with open(d + "/run.out", "w") as out:
            code = run_answering(r, d, clean_env(secrets), out, 300)
    finally:
        stop_sim(sim)
    log = [l.rstrip("\n") for l in open(d + "/http.log", encoding="utf-8", errors="replace")][skip:]
    return code, open(d + "/run.out").read(), log


def rehearsal_code(plan, m, d):
    scen, seed, _ = scenario_of(SRC, plan, m)
    return subprocess.run(test_argv(RBK, plan, scen, seed, m), cwd=d, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=300).returncode


def check_plan(idx, port, base, plan, m):
    """Returns a list of (ok, line) results for one plan."""
    d = os.path.join(TMP, "p%d" % idx)
    os.makedirs(d)
    g = subprocess.run([RBK, "rbac", plan, "--name", SA, "-n", SA_NS] + param_args(m, approvals=False),
                       capture_output=True, text=True)
    if g.returncode:
        return [(False, "%s: rbk rbac failed: %s" % (base, g.stderr.strip()))]
    if "*" in re.sub(r"#.*", "", g.stdout):
        return [(False, "%s: the generated RBAC grants *" % base)]
    docs = list(yaml.safe_load_all(g.stdout))
    want = rehearsal_code(plan, m, d)
    code, out, log = run(plan, m, docs, d + "/full", port)
    res = []
    forbidden = re.findall(r"is forbidden: .*", out)
    ok = code == want and not forbidden
    res.append((ok, "%s: bound to exactly the generated rules, exit %d as rehearsed%s" % (
        base, code, "" if ok else " (wanted %d; %s; see %s/full)" % (want, forbidden[:1] or out[-300:], d))))
    # The rules the run exercised: (document index, rule index).
    rules = [(i, k) for i, doc in enumerate(docs) if doc["kind"] in ("Role", "ClusterRole")
             for k, _ in enumerate(doc["rules"])]
    reqs = [a for a in map(attrs, log) if a]
    used = [(i, k) for i, k in rules if any(matches(docs[i]["rules"][k], a) for a in reqs)]
    unused = [docs[i]["rules"][k] for i, k in rules if (i, k) not in used]
    if unused:
        res.append((True, "%s: %d of %d rules not exercised in this scenario: %s" % (
            base, len(unused), len(rules), "; ".join("%s %s" % (",".join(r["resources"]), ",".join(r["verbs"]))
                                                     for r in unused))))
    pick = used if os.environ.get("RBK_RBAC_ALL") else [used[(idx + j) % len(used)] for j in range(min(SAMPLE, len(used)))]
    # The rules read through another path than the HTTP transport's (exec's WebSocket upgrade, a
    # Job's log after it ran) are always removed too: their refusals are the easiest to lose.
    pick += [u for u in used if u not in pick and set(docs[u[0]]["rules"][u[1]]["resources"]) & {"pods/exec", "pods/log"}]
    for n, (i, k) in enumerate(pick):
        rule = docs[i]["rules"][k]
        cut = json.loads(json.dumps(docs))
        del cut[i]["rules"][k]
        code, out, _ = run(plan, m, cut, "%s/cut%d" % (d, n), port)
        named = any('cannot %s resource "%s"' % (v, r) in out for v in rule["verbs"] for r in rule["resources"])
        what = "%s %s" % (",".join(rule["resources"]), ",".join(rule["verbs"]))
        # The run lock's release (GET + DELETE of the Lease) comes after the plan: refused, it is a
        # warning that names the 403 and the run keeps its exit code (docs/run.md).
        release = rule["resources"] == ["leases"] and "delete" in rule["verbs"] and code == want and \
            re.search(r"warning: .*leases.* is forbidden", out) is not None
        ok = named and (release or code not in (0, -1))
        res.append((ok, "%s: without rule [%s]: exit %d, %s naming it%s" % (
            base, what, code, "the lock release's warning" if release else "403", "" if ok else
            " MISSING (see %s/cut%d)" % (d, n))))
    return res


def main():
    certs(SRC, TMP)
    jobs = []
    for base, path in seed_plans(SRC, EXCLUDED, "note"):
        if FILTER and FILTER not in base:
            continue
        name, m = next(case_list(path[:-4] + ".test.json"))
        jobs.append((base + ": " + name, path, m))
    return run_all(jobs, check_plan, "rbac")


if __name__ == "__main__":
    sys.exit(main())
