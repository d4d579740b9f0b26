#!/usr/bin/env python3
"""bench/sim_scale.py — one `rbk sim` at one size: N Deployments of 2 replicas, then N concurrent
rollouts. Prints one JSON object of figures. Every request goes to 127.0.0.1; every phase is bounded
in count (N) and in time (--phase-limit seconds).

Usage: sim_scale.py RBK N [--speed 20] [--conns 8] [--phase-limit 120]
       sim_scale.py --table FILE   (medians and ratios of the JSON lines in FILE, bench/sim_scale.sh)
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

NS = "fanout"
TICK = os.sysconf("SC_CLK_TCK")


def sim_pid(proc):
    """Returns the pid of `rbk sim`: the process itself, or its child under a prefix command."""
    try:
        with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else proc.pid
    except OSError:
        return proc.pid


def cpu_s(pid):
    """Returns the process's user+system CPU seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kb(pid):
    """Returns the process's resident set in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def deployment(i):
    """Returns the manifest of Deployment i (2 replicas, image v1)."""
    name = f"app-{i:05d}"
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": "registry.local/app:v1"}]}}}}


class Client:
    """One keep-alive connection to the simulator on 127.0.0.1."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None, ctype="application/json"):
        """Returns (status, body bytes, seconds)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": ctype} if data is not None else {}
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            out = r.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, b"", time.perf_counter() - t0
        return r.status, out, time.perf_counter() - t0


def fan(port, n, conns, limit, fn):
    """Runs fn(client, i) for i < n over conns connections until done or limit seconds; returns
    (latencies, statuses, wall seconds)."""
    lat, statuses, lock, nxt = [], {}, threading.Lock(), [0]
    deadline = time.monotonic() + limit

    def worker():
        c = Client(port)
        while time.monotonic() < deadline:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= n:
                return
            st, _, dt = fn(c, i)
            with lock:
                lat.append(dt)
                statuses[st] = statuses.get(st, 0) + 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, statuses, time.perf_counter() - t0


def pct(xs, p):
    """Returns the p-th percentile of xs in ms (None when empty)."""
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p / 100 * len(xs)))] * 1000, 2)


def done_count(c):
    """Returns how many Deployments in NS run image v2 with 2 updated, available replicas."""
    st, body, _ = c.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments")
    if st != 200:
        return -1
    n = 0
    for d in json.loads(body)["items"]:
        s = d.get("status", {})
        img = d["spec"]["template"]["spec"]["containers"][0]["image"]
        if img.endswith(":v2") and s.get("updatedReplicas") == 2 and s.get("availableReplicas") == 2 \
                and s.get("replicas") == 2:
            n += 1
    return n


def table(path):
    """Prints a Markdown table of the medians (and after/before ratios) of the JSON lines in path."""
    rows = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    FIELDS = [("create N (s)", lambda r: r["create"]["wall_s"]),
              ("PATCH p50 (ms)", lambda r: r["patch"]["p50_ms"]),
              ("PATCH p99 (ms)", lambda r: r["patch"]["p99_ms"]),
              ("PATCHes done", lambda r: r["patch"]["done"]),
              ("rollouts done", lambda r: r["rollout"]["done"]),
              ("rollouts: wall (s)", lambda r: r["rollout"]["wall_s"]),
              ("rollouts: CPU (s)", lambda r: r["rollout"]["cpu_s"]),
              ("rollouts: virtual s until all done", lambda r: r["rollout"]["virtual_s"]),
              ("CPU per rollout (ms)", lambda r: round(r["rollout"]["cpu_s"] * 1000 / max(1, r["rollout"]["done"]), 2)),
              ("LIST all (ms)", lambda r: r["list_all_ms"]),
              ("LIST limit=1000 (ms)", lambda r: r["list_1000_ms"]),
              ("idle CPU (%)", lambda r: r["idle_cpu_pct"]),
              ("idle CPU, 20 watches (%)", lambda r: r["idle_watch_cpu_pct"]),
              ("RSS (MB)", lambda r: round(r["rss_kb"] / 1024, 1)),
              ("kB per object", lambda r: r["kb_per_object"])]
    def med(build, n, f):
        xs = []
        for r in rows:
            if r.get("build") == build and r.get("n") == n and "patch" in r:
                try:
                    v = f(r)
                except (KeyError, TypeError):
                    continue
                if v is not None:
                    xs.append(v)
        return statistics.median(xs) if xs else None
    sizes = sorted({r["n"] for r in rows if "n" in r})
    print()
    print("| figure | " + " | ".join(f"{n}: before | {n}: after | ratio" for n in sizes) + " |")
    print("| --- |" + " --- | --- | --- |" * len(sizes))
    for name, f in FIELDS:
        cells = []
        for n in sizes:
            b, a = med("before", n, f), med("after", n, f)
            ratio = f"{a / b:.3g}×" if a is not None and b not in (None, 0) else "–"
            cells += ["–" if b is None else f"{b:g}", "–" if a is None else f"{a:g}", ratio]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    if sys.argv[1] == "--table":
        return table(sys.argv[2])
    rbk, n = sys.argv[1], int(sys.argv[2])
    args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    speed = float(args.get("--speed", 20))
    conns = int(args.get("--conns", 8))
    limit = float(args.get("--phase-limit", 120))
    prefix = os.environ.get("SIM_SCALE_PREFIX", "").split()  # e.g. "perf record -g -o FILE --" (profiling)
    log = os.environ.get("SIM_SCALE_LOG")  # a file for the simulator's request log (one line a request)
    proc = subprocess.Popen(prefix + [rbk, "sim", "--scenario", "bad-release", "--speed", str(speed)] + ([] if log else ["--quiet"]),
                            stdout=subprocess.PIPE, stderr=open(log, "w") if log else subprocess.DEVNULL, text=True)
    out = {"n": n, "speed": speed}
    try:
        url = proc.stdout.readline().strip()
        pid = sim_pid(proc)
        port = int(url.rsplit(":", 1)[1])
        c = Client(port)
        out["rss_start_kb"] = rss_kb(pid)
        c.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        lat, sts, wall = fan(port, n, conns, limit,
                             lambda cl, i: cl.call("POST", f"/apis/apps/v1/namespaces/{NS}/deployments", deployment(i)))
        out["create"] = {"done": sts.get(201, 0), "wall_s": round(wall, 2), "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99)}
        time.sleep(max(1.0, 20 / speed))  # the first pods become Ready (about 5 s of virtual time)
        patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "registry.local/app:v2"}]}}}}
        cpu0, t0 = cpu_s(pid), time.perf_counter()
        lat, sts, wall = fan(port, n, conns, limit, lambda cl, i: cl.call(
            "PATCH", f"/apis/apps/v1/namespaces/{NS}/deployments/app-{i:05d}", patch,
            "application/strategic-merge-patch+json"))
        out["patch"] = {"done": sts.get(200, 0), "wall_s": round(wall, 2), "p50_ms": pct(lat, 50),
                        "p99_ms": pct(lat, 99), "max_ms": pct(lat, 100)}
        # rollouts: wait (bounded) until every Deployment runs v2 with 2 available replicas — first
        # for the last one patched (one GET a second), then a LIST of them all every 5 s
        deadline, done, last = time.monotonic() + limit, 0, max(0, sts.get(200, 0) - 1)
        while time.monotonic() < deadline:
            st, body, _ = c.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments/app-{last:05d}")
            s = json.loads(body).get("status", {}) if st == 200 else {}
            if s.get("updatedReplicas") == 2 and s.get("availableReplicas") == 2 and s.get("replicas") == 2:
                break
            time.sleep(0.2)
        while time.monotonic() < deadline:
            done = done_count(c)
            if done >= n:
                break
            time.sleep(5.0)
        wall, cpu = time.perf_counter() - t0, cpu_s(pid) - cpu0
        out["rollout"] = {"done": done, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                          "virtual_s": round(wall * speed, 1),
                          "virtual_s_per_cpu_s": round(wall * speed / cpu, 1) if cpu > 0 else None}
        # idle: no requests for 10 s
        cpu0 = cpu_s(pid)
        time.sleep(10)
        out["idle_cpu_pct"] = round((cpu_s(pid) - cpu0) / 10 * 100, 2)
        # idle with 20 watches open (as 20 `kubectl rollout status` would hold them)
        rv = json.loads(c.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments?limit=1")[1])["metadata"]["resourceVersion"]
        watches = []
        for _ in range(20):
            sk = socket.create_connection(("127.0.0.1", port), timeout=10)
            sk.sendall(f"GET /apis/apps/v1/namespaces/{NS}/deployments?watch=true&resourceVersion={rv} HTTP/1.1\r\n"
                       "Host: 127.0.0.1\r\n\r\n".encode())
            watches.append(sk)
        time.sleep(1)
        cpu0 = cpu_s(pid)
        time.sleep(10)
        out["idle_watch_cpu_pct"] = round((cpu_s(pid) - cpu0) / 10 * 100, 2)
        for sk in watches:
            sk.close()
        # LIST, once the world is quiet: every Deployment of the namespace, and a page of 1,000
        times = [c.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments")[2] for _ in range(5)]
        out["list_all_ms"] = round(statistics.median(times) * 1000, 1)
        times = [c.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments?limit=1000")[2] for _ in range(5)]
        out["list_1000_ms"] = round(statistics.median(times) * 1000, 1)
        out["rss_kb"] = rss_kb(pid)
        st, body, _ = c.call("GET", f"/api/v1/namespaces/{NS}/pods")
        pods = len(json.loads(body)["items"]) if st == 200 else 0
        st, body, _ = c.call("GET", f"/apis/apps/v1/namespaces/{NS}/replicasets")
        rss = len(json.loads(body)["items"]) if st == 200 else 0
        out["objects"] = n + pods + rss
        out["kb_per_object"] = round((out["rss_kb"] - out["rss_start_kb"]) / max(1, out["objects"]), 2)
    finally:
        os.kill(pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
