#!/usr/bin/env bash
# The JDBC store, measured two ways, with a throwaway PostgreSQL server from Debian's packages:
#   - in process (JMH): acquire + release cycles/s on SQLite and on PostgreSQL, against ShedLock's JDBC provider
#     (lock + unlock of one name) on the same database in the same run;
#   - whole process: one PreToolUse hook call (installed launcher, CDS archive) with the lock directory, with
#     SQLite and with PostgreSQL, 20 runs each, alternated.
# Prints markdown tables for BENCHMARKS.md. Usage: benchmarks/jdbc-bench.sh [seconds per measurement, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-2}
mvn -B -q -ntp -DskipTests install -pl benchmarks -am >/dev/null
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
work=$(mktemp -d)
as_pg=""; if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work"; chmod 755 "$work"; as_pg="runuser -u postgres --"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$as_pg "$bin/initdb" -D "$work/data" -A trust -U postgres --no-sync >/dev/null
$as_pg "$bin/pg_ctl" -D "$work/data" -w -l "$work/log" -o "-p $port -c listen_addresses=127.0.0.1 -k $work" start >/dev/null
trap '$as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1; rm -rf "$work"' EXIT
url="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
results="$work/jmh.json"
java -jar benchmarks/target/benchmarks.jar JdbcStoreBenchmark -f 1 -wi 2 -w "${seconds}s" -i 5 -r "${seconds}s" \
  -jvmArgs "-Dpg.url=$url" -rf json -rff "$results" >/dev/null
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $("$bin/postgres" --version)"
echo
echo "| database | session-lock acquire+release /s | ShedLock JDBC statements lock+unlock /s | ratio |"
echo "|---|---|---|---|"
python3 - "$results" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
by = {}
for r in rows:
    by[(r["params"]["database"], r["benchmark"].split(".")[-1])] = r["primaryMetric"]["score"]
for db in ("sqlite", "postgres"):
    ours = by[(db, "sessionLockAcquireRelease")]
    peer = by[(db, "shedlockLockUnlock")]
    print("| %s | %s | %s | %.2f |" % (db, format(round(ours), ","), format(round(peer), ","), ours / peer))
PY
mkdir -p "$work/ws/src" "$work/home" "$work/locks"
chmod 700 "$work/locks"
HOME="$work/home" SESSION_LOCK_HOME="$work/install" adapters-hook/target/session-lock install --dir "$work/ws" >/dev/null
launcher="$work/install/bin/session-lock"
printf '{"session_id":"mine","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"%s/src/App.java"}}' "$work/ws" "$work/ws" > "$work/event.json"
declare -A env=([directory]="SESSION_LOCK_DIR=$work/locks" [sqlite]="SESSION_LOCK_STORE=jdbc:sqlite:$work/locks.db" [postgres]="SESSION_LOCK_STORE=$url")
declare -A samples
for store in directory sqlite postgres; do env ${env[$store]} SESSION_LOCK_DIR="$work/locks" "$launcher" hook < "$work/event.json" >/dev/null; done
for i in $(seq 20); do
  for store in directory sqlite postgres; do
    s=$(date +%s%N); env ${env[$store]} SESSION_LOCK_DIR="$work/locks" "$launcher" hook < "$work/event.json" >/dev/null 2>&1; e=$(date +%s%N)
    samples[$store]+="$(( (e - s) / 1000 )) "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'; }
echo
echo "| store | hook PreToolUse (renew), median ms | ratio to the lock directory |"
echo "|---|---|---|"
d=$(echo "${samples[directory]}" | median)
for store in directory sqlite postgres; do
  m=$(echo "${samples[$store]}" | median)
  echo "| $store | $m | $(awk -v m="$m" -v d="$d" 'BEGIN {printf "%.2f", m / d}') |"
done
