#!/usr/bin/env bash
# File locks at scale: with 1,000 and 10,000 file locks held in one lock directory (by 50 sessions, one of them
# holding 20), whole-process times of
#   - `session-lock files list`                      (every file lock, read and shown)
#   - `session-lock files release --session S`        (S's 20 locks, found by reading every lock record)
#   - the files-mode Stop hook of S                   (S's 20 locks, found through the holder index)
# against a Python script that opens and parses the same JSON records (the cost of reading the bytes), in the
# same run. Prints medians and ratios as a markdown table for BENCHMARKS.md.
# Usage: benchmarks/files-bench.sh [runs per size, default 7]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
command -v python3 >/dev/null || { echo "python3 is required for the anchor" >&2; exit 1; }
[ -f adapters-hook/target/session-lock.jar ] || mvn -B -q -ntp -DskipTests package -pl adapters-hook -am >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/ws/.git"
HOME="$work/home" SESSION_LOCK_HOME="$work/install" adapters-hook/target/session-lock install --dir "$work/ws" \
  --mode files >/dev/null
launcher="$work/install/bin/session-lock"
cat > "$work/anchor.py" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in os.listdir(d):
    if name.endswith(".json"):
        with open(os.path.join(d, name), "rb") as f:
            json.loads(f.read())
PY
# Writes N records (and S's index entries) the way the hook does: keys from the workspace and path hashes.
cat > "$work/make.py" <<'PY'
import hashlib, os, sys
d, n, now, ws = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
holder = os.path.join(d, "holders", md5("S")[:12])
os.makedirs(holder, exist_ok=True)
for i in range(n):
    session = "S" if i < 20 else "s%d" % (i % 49)
    path = "%s/src/file-%05d.java" % (ws, i)
    key = "file-%s-%s" % (md5(ws)[:12], md5(path)[:20])
    with open(os.path.join(d, key + ".json"), "w") as f:
        f.write('{"schema_version":1,"session_id":"%s","pid":0,"acquired_at":%s,"ttl_ms":86400000,'
                '"held_since":%s,"identity":"session","path":"%s","agent":"claude"}\n' % (session, now, now, path))
    if session == "S":
        open(os.path.join(holder, key), "w").close()
PY
ms() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1 < "${STDIN:-/dev/null}"; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '{"hook_event_name":"Stop","session_id":"S","cwd":"%s"}' "$work/ws" > "$work/stop.json"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $(python3 --version); $runs runs each"
echo
echo "| file locks | files list | files release --session (scan) | Stop hook (index) | python3 parse | list / python | Stop / python |"
echo "|---|---|---|---|---|---|---|"
now=$(date +%s%3N)
for n in 1000 10000; do
  dir="$work/locks-$n"
  mkdir -m 700 "$dir"
  python3 "$work/make.py" "$dir" "$n" "$now" "$work/ws"
  list=(); release=(); stop=(); anchor=()
  for r in $(seq "$runs"); do
    list+=("$(ms env SESSION_LOCK_DIR="$dir" "$launcher" files list)")
    anchor+=("$(ms python3 "$work/anchor.py" "$dir")")
    release+=("$(ms env SESSION_LOCK_DIR="$dir" "$launcher" files release --session S)")
    python3 "$work/make.py" "$dir" 20 "$now" "$work/ws"
    stop+=("$(STDIN="$work/stop.json" ms env SESSION_LOCK_DIR="$dir" "$launcher" hook --mode files)")
    left=$(find "$dir" -maxdepth 1 -name 'file-*.json' | wc -l)
    [ "$left" -eq $((n - 20)) ] || { echo "the Stop hook left $left of $n locks, expected $((n - 20))" >&2; exit 1; }
    python3 "$work/make.py" "$dir" 20 "$now" "$work/ws"
  done
  l=$(printf '%s\n' "${list[@]}" | median); rl=$(printf '%s\n' "${release[@]}" | median)
  s=$(printf '%s\n' "${stop[@]}" | median); a=$(printf '%s\n' "${anchor[@]}" | median)
  echo "| $n | $l ms | $rl ms | $s ms | $a ms | $(awk -v o="$l" -v a="$a" 'BEGIN {printf "%.2f", o / a}') | $(awk -v o="$s" -v a="$a" 'BEGIN {printf "%.2f", o / a}') |"
done
