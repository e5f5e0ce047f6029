#!/usr/bin/env bash
# Whole-process time of `session-lock list` over 1,000 / 10,000 / 30,000 lock records, against a Python script
# that opens and parses the same JSON files (the cost of reading the bytes), alternated in the same run.
# Prints medians and ratios as a markdown table for BENCHMARKS.md.
# Usage: benchmarks/list-bench.sh [runs per size, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v python3 >/dev/null || { echo "python3 is required for the anchor" >&2; exit 1; }
[ -f adapters-hook/target/session-lock.jar ] || mvn -B -q -ntp -DskipTests package -pl adapters-hook -am >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
launcher=adapters-hook/target/session-lock
cat > "$work/anchor.py" <<'PY'
import json, os, sys
d = sys.argv[1]
n = 0
for name in os.listdir(d):
    if name.endswith(".json"):
        with open(os.path.join(d, name), "rb") as f:
            json.loads(f.read())
        n += 1
print(n)
PY
ms() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $(python3 --version); $runs runs each, alternated"
echo
echo "| records | session-lock list, median ms | python3 parse, median ms | ratio |"
echo "|---|---|---|---|"
pid=$$
now=$(date +%s%3N)
for n in 1000 10000 30000; do
  dir="$work/locks-$n"
  mkdir -m 700 "$dir"
  python3 - "$dir" "$n" "$pid" "$now" <<'PY'
import os, sys
d, n, pid, now = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
for i in range(n):
    with open(os.path.join(d, "session-lock-%012x.json" % i), "w") as f:
        f.write('{"schema_version":1,"session_id":"s%d","pid":%s,"acquired_at":%s,"ttl_ms":300000,'
                '"held_since":%s,"path":"/home/dev/project-%d"}\n' % (i, pid, now, now, i))
PY
  ours=(); anchor=()
  for r in $(seq "$runs"); do
    ours+=("$(ms env SESSION_LOCK_DIR="$dir" "$launcher" list)")
    anchor+=("$(ms python3 "$work/anchor.py" "$dir")")
  done
  o=$(printf '%s\n' "${ours[@]}" | median); a=$(printf '%s\n' "${anchor[@]}" | median)
  echo "| $n | $o | $a | $(awk -v o="$o" -v a="$a" 'BEGIN {printf "%.2f", o / a}') |"
done
