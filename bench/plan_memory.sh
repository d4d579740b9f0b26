#!/usr/bin/env bash
# bench/plan_memory.sh — peak memory of `rbk check` and `rbk plan` against the source size.
#
#   bash bench/plan_memory.sh <rbk binary> [MB=50]
#
# Four inputs: a list literal of strings ("item-0000001", …) and a list literal of one-digit
# numbers (one syntax-tree node per two bytes of source), each of about MB megabytes; a list of
# operator chains (1+1+…+1, 400 operators each: the worst case, two nodes per two bytes) of MB/10
# megabytes; and the generated plan of bench/gen_plan.py (MB/5 megabytes: steps and actions). Prints, per input
# and command, the peak RSS (/usr/bin/time %M), the time and RSS / source size (and the exit
# code when not 0: `rbk plan` refuses a plan that unrolls to more than 100,000 nodes).
set -u
rbk=$(realpath "$1")
mb=${2:-50}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" "$mb" <<'PY'
import sys
d, mb = sys.argv[1], float(sys.argv[2])
n = int(mb * 1024 * 1024)
head = 'runbook "big" {\n  title = "big"\n}\n\nlet xs = ['
tail = '"end"]\n\nstep "s" {\n  assert len(xs) > 0, "non-empty"\n}\n'
with open(f"{d}/strings.rbk", "w") as f:
    f.write(head)
    size, i = 0, 0
    while size < n:
        s = '"item-%07d", ' % i
        f.write(s)
        size, i = size + len(s), i + 1
    f.write(tail)
with open(f"{d}/digits.rbk", "w") as f:
    f.write(head + "1," * (n // 2) + tail)
item = "1" + "+1" * 400
with open(f"{d}/chains.rbk", "w") as f:
    f.write(head + (item + ", ") * (n // 10 // (len(item) + 2)) + tail)
PY
python3 "$here/gen_plan.py" "$(python3 -c "print($mb / 5)")" >"$tmp/generated.rbk"

printf '%-16s %-6s %10s %12s %8s %8s\n' input cmd "source MB" "peak RSS MB" "RSS/src" seconds
for f in strings digits chains generated; do
  src=$(stat -c %s "$tmp/$f.rbk")
  for cmd in check plan; do
    /usr/bin/time -f "%M %e" -o "$tmp/time" "$rbk" "$cmd" "$tmp/$f.rbk" >/dev/null 2>"$tmp/err"
    rc=$?
    read -r rss secs < <(tail -1 "$tmp/time")
    awk -v f="$f" -v c="$cmd" -v s="$src" -v r="$rss" -v t="$secs" -v rc="$rc" \
      'BEGIN { printf "%-16s %-6s %10.1f %12.1f %8.1f %8s%s\n", f, c, s / 1048576, r / 1024, r * 1024 / s, t,
               rc ? "  (exit " rc ")" : "" }'
  done
done
