#!/usr/bin/env python3
"""incluster.py — deploy/ applied with kubectl to `rbk sim` (stored; nothing runs it), then rbk run
exactly as the stored Job's container would: its command, its env (fieldRefs resolved against the
Job's pod), its volumes (the ConfigMap's items written at their paths, emptyDirs made) with every
mount path moved under a scratch root, no kubeconfig anywhere, and the in-cluster configuration:
KUBERNETES_SERVICE_HOST/PORT at the simulator, the ServiceAccount's token file, CA and namespace in
RBK_SERVICEACCOUNT_DIR. The token authenticates as the Job's ServiceAccount, under RBAC.
Usage: incluster.py RBK SOURCE_DIR TMPDIR. Prints ok/FAIL lines and "incluster: N passed, M failed"."""
import json, os, subprocess, sys, urllib.parse

RBK, SRC, TMP = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
ADMIN, SA_TOKEN = "admin-token", "job-sa-token"
results = []


def check(ok, line):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + line)


def kubectl(*args):
    return subprocess.run(["kubectl", "--kubeconfig", TMP + "/admin.kc", "--cache-dir", TMP + "/kcache"] + list(args),
                          capture_output=True, text=True, timeout=60)


def main():
    subprocess.run(["bash", os.path.join(SRC, "tests/lib/certs.sh"), TMP], check=True)
    # Stale generated files?
    gen = subprocess.run([RBK, "rbac", "plans/triage.rbk"], cwd=SRC, capture_output=True, text=True)
    check(gen.returncode == 0 and gen.stdout == open(SRC + "/deploy/rbac.yaml").read(),
          "deploy/rbac.yaml is `rbk rbac plans/triage.rbk` (else run deploy/gen.sh)")
    import yaml
    cm = yaml.safe_load(open(SRC + "/deploy/plan.yaml"))
    check(cm["data"] == {"triage.rbk": open(SRC + "/plans/triage.rbk").read(),
                         "lib-gl001.rbk": open(SRC + "/plans/lib/gl001.rbk").read()},
          "deploy/plan.yaml holds plans/triage.rbk and plans/lib/gl001.rbk (else run deploy/gen.sh)")
    job_docs = open(SRC + "/deploy/job.yaml").read()
    sa = job_docs.split("serviceAccountName: ")[1].split()[0]
    ns = "greenlang"
    sim = subprocess.Popen([RBK, "sim", "--scenario", "bad-release", "--speed", "20", "--quiet", "--tls-cert",
                            TMP + "/srv.crt", "--tls-key", TMP + "/srv.key", "--token", ADMIN, "--token-sa",
                            "%s=%s/%s" % (SA_TOKEN, ns, sa)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = sim.stdout.readline().strip()
        with open(TMP + "/admin.kc", "w") as f:
            f.write("apiVersion: v1\nkind: Config\ncurrent-context: sim\nclusters:\n- name: sim\n  cluster: {server: \"%s\", "
                    "certificate-authority: \"%s/ca.crt\"}\ncontexts:\n- name: sim\n  context: {cluster: sim, user: u}\n"
                    "users:\n- name: u\n  user: {token: \"%s\"}\n" % (url, TMP, ADMIN))
        ap = kubectl("apply", "-k", SRC + "/deploy")
        check(ap.returncode == 0, "kubectl apply -k deploy/: %s" % (ap.stdout.strip().replace("\n", ", ") or ap.stderr))
        job = json.loads(kubectl("get", "job", "rbk-triage", "-n", ns, "-o", "json").stdout)
        pod = job["spec"]["template"]["spec"]
        check(pod["serviceAccountName"] == sa and pod.get("automountServiceAccountToken", True),
              "the Job runs as ServiceAccount %s with its token mounted" % sa)
        c = pod["containers"][0]
        root = TMP + "/pod"
        mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
        for v in pod.get("volumes", []):
            where = root + mounts[v["name"]]
            os.makedirs(where, exist_ok=True)
            if "configMap" in v:
                cm = json.loads(kubectl("get", "configmap", v["configMap"]["name"], "-n", ns, "-o", "json").stdout)
                for it in v["configMap"]["items"]:
                    os.makedirs(os.path.dirname(os.path.join(where, it["path"])), exist_ok=True)
                    with open(os.path.join(where, it["path"]), "w") as f:
                        f.write(cm["data"][it["key"]])
        # The service-account volume the kubelet mounts, at an overridable path.
        sa_dir = root + "/var/run/secrets/kubernetes.io/serviceaccount"
        os.makedirs(sa_dir)
        for name, text in (("token", SA_TOKEN), ("ca.crt", open(TMP + "/ca.crt").read()), ("namespace", ns)):
            with open(os.path.join(sa_dir, name), "w") as f:
                f.write(text)
        u = urllib.parse.urlsplit(url)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": root + "/home", "LC_ALL": "C.UTF-8",
               "KUBERNETES_SERVICE_HOST": u.hostname, "KUBERNETES_SERVICE_PORT": str(u.port),
               "RBK_SERVICEACCOUNT_DIR": sa_dir}
        for e in c.get("env", []):
            if "value" in e:
                env[e["name"]] = e["value"]
            elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.namespace":
                env[e["name"]] = job["metadata"]["namespace"]
        argv = c.get("command", []) + c.get("args", [])
        argv = [RBK if i == 0 else (root + a if any(a.startswith(p) for p in mounts.values()) else a)
                for i, a in enumerate(argv)]
        r = subprocess.run(argv, env=env, cwd=root, capture_output=True, text=True, timeout=120)
        out = r.stdout + r.stderr
        check(r.returncode == 0 and "forbidden" not in out and "ROLLBACK IMMEDIATELY" in out,
              "rbk run as the Job's command, in-cluster config, bound to rbac.yaml: exit %d%s" % (
                  r.returncode, "" if r.returncode == 0 else ": " + out[-400:]))
        journal = [f for f in os.listdir(root + "/var/lib/rbk/journal")] if os.path.isdir(root + "/var/lib/rbk/journal") else []
        check(len(journal) == 1, "the journal is written to the Job's emptyDir (%s)" % journal)
        # Nothing else may be done with the token: the ServiceAccount cannot delete the Job.
        with open(TMP + "/sa.kc", "w") as f:
            f.write(open(TMP + "/admin.kc").read().replace(ADMIN, SA_TOKEN))
        d = subprocess.run(["kubectl", "--kubeconfig", TMP + "/sa.kc", "--cache-dir", TMP + "/kcache2", "delete", "job",
                            "rbk-triage", "-n", ns], capture_output=True, text=True, timeout=60)
        check(d.returncode != 0 and 'cannot delete resource "jobs" in API group "batch"' in d.stderr,
              "the Job's token cannot delete the Job: %s" % d.stderr.strip())
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    passed = sum(results)
    print("incluster: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) and results else 1


if __name__ == "__main__":
    sys.exit(main())
