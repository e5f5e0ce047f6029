#!/usr/bin/env bash
# Plan safety at scale, whole processes (build-tree launcher, JDK 17):
#   - `session-lock overlap` of one wave of 200 tasks x 20 globs: folders of their own (the literal-prefix filter
#     settles most pairs) and globs that all start with '**/' (every pair goes to the automata);
#   - `session-lock snapshot` and `check` of 10,000 files of 4 KiB, against `sha256sum` over the same files in
#     the same run (the limit is reading and hashing the bytes).
# Prints medians as markdown tables for BENCHMARKS.md.
# Usage: benchmarks/plan-bench.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -f adapters-hook/target/session-lock.jar ] || mvn -B -q -ntp -DskipTests package -pl adapters-hook -am >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
launcher=$PWD/adapters-hook/target/session-lock
export SESSION_LOCK_DIR="$work/locks"
mkdir -p "$work/repo/.git"
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
def plan(pattern):
    tasks = [{"id": "T%d" % t, "files": [pattern(t, g) for g in range(20)]} for t in range(200)]
    return {"waves": [{"name": "one", "tasks": tasks}]}
with open(os.path.join(work, "repo", "folders.json"), "w") as f:
    json.dump(plan(lambda t, g: "src/module%d/part%d/**/*.{ts,tsx}" % (t, g)), f)
with open(os.path.join(work, "repo", "anywhere.json"), "w") as f:
    json.dump(plan(lambda t, g: "**/t%dp%d*.{ts,tsx}" % (t, g)), f)
files = os.path.join(work, "repo", "files")
os.makedirs(files)
block = os.urandom(4096)
for i in range(10000):
    d = os.path.join(files, "d%02d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as out:
        out.write(block[: 4000] + i.to_bytes(4, "big") + block[4004:])
PY
ms() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cd "$work/repo"
find files -type f | sort > list.txt
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $runs runs each"
echo
echo "| plan (one wave, 200 tasks x 20 globs) | overlap, median ms |"
echo "|---|---|"
for plan in folders anywhere; do
  t=(); for r in $(seq "$runs"); do t+=("$(ms "$launcher" overlap "$plan.json")"); done
  echo "| $plan.json | $(printf '%s\n' "${t[@]}" | median) |"
done
echo
echo "| 10,000 files of 4 KiB | median ms | ratio to sha256sum |"
echo "|---|---|---|"
snap=(); check=(); anchor=()
for r in $(seq "$runs"); do
  rm -rf "$SESSION_LOCK_DIR/snapshots"
  snap+=("$(ms xargs -a list.txt "$launcher" snapshot --task bench)")
  check+=("$(ms "$launcher" check --task bench)")
  anchor+=("$(ms xargs -a list.txt sha256sum)")
done
a=$(printf '%s\n' "${anchor[@]}" | median)
s=$(printf '%s\n' "${snap[@]}" | median); c=$(printf '%s\n' "${check[@]}" | median)
echo "| session-lock snapshot --task T FILE... | $s | $(awk -v x="$s" -v a="$a" 'BEGIN {printf "%.2f", x / a}') |"
echo "| session-lock check --task T | $c | $(awk -v x="$c" -v a="$a" 'BEGIN {printf "%.2f", x / a}') |"
echo "| sha256sum FILE... (anchor) | $a | 1.00 |"
