#!/usr/bin/env bash
# The hook with a database store, as the agents run it (sh -c of the installed launcher, the event on stdin), against
# the lock directory in the same run, with a throwaway PostgreSQL server from Debian's packages. "sqlite" and
# "postgres" go through the store's resident helper (started by the first call, waited for before measuring);
# "sqlite-direct" and "postgres-direct" open the database in every call (SESSION_LOCK_HELPER=off):
#   - one call at a time: PreToolUse (renew) with the lock directory, SQLite and PostgreSQL, alternated, N runs each;
#   - under contention: rounds of 8 and 16 sessions sending a PreToolUse Edit of one fresh workspace at once, per
#     store: winners, denials and fail-opens per round, and the whole-process times of all calls.
# Needs the packaged executable (mvn -B -ntp -pl adapters-hook -am package -DskipTests). Prints markdown tables.
# Usage: benchmarks/db-hook-bench.sh [runs, default 30] [rounds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
rounds=${2:-10}
built=${SESSION_LOCK_BUILT:-adapters-hook/target/session-lock}
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
work=$(mktemp -d)
as_pg=""; if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work"; chmod 755 "$work"; as_pg="runuser -u postgres --"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$as_pg "$bin/initdb" -D "$work/data" -A trust -U postgres --no-sync >/dev/null
$as_pg "$bin/pg_ctl" -D "$work/data" -w -l "$work/log" -o "-p $port -c listen_addresses=127.0.0.1 -k $work" start >/dev/null
trap '$as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1; rm -rf "$work"' EXIT
url="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
mkdir -p "$work/ws/src" "$work/home" "$work/locks"
chmod 700 "$work/locks"
HOME="$work/home" SESSION_LOCK_HOME="$work/install" "$built" install --dir "$work/ws" >/dev/null
launcher="$work/install/bin/session-lock"
declare -A env=([directory]="" [sqlite]="SESSION_LOCK_STORE=jdbc:sqlite:$work/locks.db" [postgres]="SESSION_LOCK_STORE=$url"
  [sqlite-direct]="SESSION_LOCK_HELPER=off SESSION_LOCK_STORE=jdbc:sqlite:$work/locks.db"
  [postgres-direct]="SESSION_LOCK_HELPER=off SESSION_LOCK_STORE=$url")
stores=${STORES:-directory sqlite postgres sqlite-direct postgres-direct}
# The helpers stop 20 s after the last call.
export XDG_RUNTIME_DIR="$work/run" SESSION_LOCK_HELPER_IDLE_SECONDS=20
event() { # workspace session
  printf '{"session_id":"%s","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"%s/src/App.java"}}' "$2" "$1" "$1"
}
call() { # store workspace session -> "ms rc failopen"
  local s e rc out
  s=$(date +%s%N)
  out=$(event "$2" "$3" | env SESSION_LOCK_OWNER=session SESSION_LOCK_DIR="$work/locks" ${env[$1]} sh -c "'$launcher' hook" 2>&1 >/dev/null) && rc=0 || rc=$?
  e=$(date +%s%N)
  case $out in *allowing*) echo "$(( (e - s) / 1000 )) $rc 1" ;; *) echo "$(( (e - s) / 1000 )) $rc 0" ;; esac
}
stats() { # microseconds on stdin -> "median p99" in ms
  sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; i = int(NR * 0.99 + 0.999); if (i > NR) i = NR; printf "%.1f %.1f\n", m / 1000, a[i] / 1000}'
}
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $("$bin/postgres" --version)"
declare -A samples
for store in $stores; do call $store "$work/ws" mine >/dev/null; done
for store in sqlite postgres; do # until the helpers the first calls started answer
  for i in $(seq 100); do
    env ${env[$store]} "$launcher" doctor 2>/dev/null | grep -q "store helper: running" && break
    sleep 0.2
  done
done
for i in $(seq "$runs"); do
  for store in $stores; do
    read -r us rc fo < <(call $store "$work/ws" mine)
    samples[$store]+="$us"$'\n'
  done
done
echo
echo "| store | hook PreToolUse (renew), median ms | p99 ms | median ratio to the lock directory | p99 ratio |"
echo "|---|---|---|---|---|"
read -r dm dp < <(printf '%s' "${samples[directory]}" | grep -v '^$' | stats)
for store in $stores; do
  read -r m p < <(printf '%s' "${samples[$store]}" | grep -v '^$' | stats)
  echo "| $store | $m | $p | $(awk -v a="$m" -v b="$dm" 'BEGIN {printf "%.2f", a / b}') | $(awk -v a="$p" -v b="$dp" 'BEGIN {printf "%.2f", a / b}') |"
done
echo
echo "| store | sessions at once | rounds | rounds with one winner | fail-opens | median ms | p99 ms |"
echo "|---|---|---|---|---|---|---|"
for sessions in 8 16; do
  for store in $stores; do
    good=0; failopens=0; times=""
    for r in $(seq "$rounds"); do
      ws="$work/race-$store-$sessions-$r"; mkdir -p "$ws/src"
      for i in $(seq "$sessions"); do call $store "$ws" "s$i" > "$work/out.$i" & done
      wait
      winners=0
      for i in $(seq "$sessions"); do
        read -r us rc fo < "$work/out.$i"
        times+="$us"$'\n'
        failopens=$((failopens + fo))
        if [ "$rc" = 0 ] && [ "$fo" = 0 ]; then winners=$((winners + 1)); fi
      done
      if [ "$winners" = 1 ]; then good=$((good + 1)); fi
    done
    read -r m p < <(printf '%s' "$times" | grep -v '^$' | stats)
    echo "| $store | $sessions | $rounds | $good | $failopens | $m | $p |"
  done
done
