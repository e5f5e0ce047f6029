#!/usr/bin/env bash
# In-process lock throughput: FileLockStore acquire+release (JMH) against proper-lockfile lock+unlock (Node),
# measured in the same run on the same disk. Prints a markdown table for BENCHMARKS.md.
# Usage: benchmarks/store-bench.sh [seconds per measurement, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-2}
command -v node >/dev/null || { echo "node is required for the peer" >&2; exit 1; }

mvn -B -q -ntp -DskipTests package -pl benchmarks -am >/dev/null
(cd benchmarks/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)

results=$(mktemp)
# One fork, short iterations: enough on 2 cores for a ratio; raise -i/-r for tighter errors.
java -jar benchmarks/target/benchmarks.jar FileLockStoreBenchmark -f 1 -wi 2 -w "${seconds}s" -i 5 -r "${seconds}s" \
  -rf json -rff "$results" >/dev/null

plain=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([x for x in r if x["params"]["durable"]=="false"][0]["primaryMetric"]["score"])' "$results")
durable=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([x for x in r if x["params"]["durable"]=="true"][0]["primaryMetric"]["score"])' "$results")
peer=$(node benchmarks/node/proper-lockfile-bench.mjs "$((seconds * 3))")
async=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["async"])' "$peer")
sync=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sync"])' "$peer")

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(df -T . | awk 'NR==2{print $2}') filesystem"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); node $(node --version)"
echo
echo "| lock + unlock cycles/s | rate | ratio to proper-lockfile async |"
echo "|---|---|---|"
python3 - "$plain" "$durable" "$async" "$sync" <<'PY'
import sys
plain, durable, a, s = map(float, sys.argv[1:])
for name, rate in [("FileLockStore (parallel-session-lock)", plain), ("FileLockStore, durable (fsync)", durable),
                   ("proper-lockfile 4.1.2 `lock` (async, default)", a), ("proper-lockfile 4.1.2 `lockSync`", s)]:
    print(f"| {name} | {rate:,.0f} | {rate / a:.2f} |")
PY
rm -f "$results"
