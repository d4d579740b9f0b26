"""journal_check.py JOURNAL — exits 1 naming the problem unless every line is a complete JSON
object and `seq` runs 1, 2, 3… without a gap or a repeat (one writer)."""
import json
import sys

want = 1
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not line.endswith("\n"):
        sys.exit(f"line {n} is incomplete")
    rec = json.loads(line)
    if rec.get("seq") != want:
        sys.exit(f"line {n}: seq {rec.get('seq')}, wanted {want}")
    want += 1
