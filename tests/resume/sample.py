"""sample.py JOURNAL K — the record counts after which the crash matrix stops a run: the first
record, every K-th, the last but one (after the last the run has ended), and each mutating
action's start and end with the records on either side."""
import json
import sys

recs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
k = int(sys.argv[2])
n = len(recs)
picks = {1, n - 1} | (set(range(k, n, k)) if k > 0 else set())
for i, r in enumerate(recs, 1):
    if r.get("event", "").startswith("action_") and r.get("mutating"):
        picks |= {i - 1, i, i + 1}
print(" ".join(str(p) for p in sorted(p for p in picks if 1 <= p < n)))
