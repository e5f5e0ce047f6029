#!/usr/bin/env bash
# Whole-process time of one PreToolUse hook call, the installed session-lock (launcher + JVM + CDS archive)
# against benchmarks/node/hook-peer.mjs doing the same job, alternated in the same run.
# Scenarios: "renew" (the common path: the session already holds the lock; read it, rewrite it) and "deny"
# (another live session holds it), in workspace mode against hook-peer.mjs and in files mode (`hook --mode files`,
# an Edit of one file) against hook-peer-files.mjs. Prints medians and ratios as a markdown table for BENCHMARKS.md.
# SESSION_LOCK_OWNER=session: every run descends from this script's shell, which the hook would otherwise take
# for one agent process owning both sessions (and renew instead of denying).
# With a JDK 25+ under /usr/lib/jvm (or BENCH_JAVA25=/path/to/java) a third variant runs the hook on it with
# an AOT cache.
# Every run also times an empty JVM main (a class whose main returns) with a CDS archive of its own, started by a
# sh launcher with the hook's JVM options: the floor any Java hook pays here. The hook's ratio to it is the
# machine-independent figure of what the hook adds.
# BENCH_BEFORE=/path/to/another/checkout (with adapters-hook/target/session-lock built) adds that build's hook as
# variant "before", installed and timed the same way in the same run, for before/after figures.
# Usage: benchmarks/hook-startup.sh [runs per variant, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
command -v node >/dev/null || { echo "node is required for the peer" >&2; exit 1; }

[ -f adapters-hook/target/session-lock.jar ] || mvn -B -q -ntp -DskipTests package -pl adapters-hook -am >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws/src" "$work/home"
HOME="$work/home" SESSION_LOCK_HOME="$work/install" adapters-hook/target/session-lock install --dir "$work/ws" >/dev/null
launcher="$work/install/bin/session-lock"
[ -f "$work/install/lib/session-lock.jsa" ] || echo "warning: no CDS archive was built" >&2
java25=${BENCH_JAVA25:-}
if [ -z "$java25" ]; then
  for candidate in /usr/lib/jvm/*/bin/java; do
    release="$(dirname "$(dirname "$candidate")")/release"
    if [ -f "$release" ] && grep -qE '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' "$release"; then java25=$candidate; break; fi
  done
fi
impls="java node"
if [ -n "${BENCH_BEFORE:-}" ]; then
  HOME="$work/home" SESSION_LOCK_HOME="$work/install-before" \
    "$BENCH_BEFORE/adapters-hook/target/session-lock" install --dir "$work/ws" >/dev/null
  impls="java before node"
fi
# The empty main: same JVM options as the launcher's hook path, its own CDS archive, started through sh.
mkdir -p "$work/empty/src"
printf 'public final class Empty { public static void main(String[] args) {} }\n' > "$work/empty/src/Empty.java"
javac -d "$work/empty/classes" "$work/empty/src/Empty.java"
jar --create --file "$work/empty/empty.jar" -C "$work/empty/classes" .
java -XX:ArchiveClassesAtExit="$work/empty/empty.jsa" -Xlog:disable -cp "$work/empty/empty.jar" Empty
printf '#!/bin/sh\nexec java -XX:SharedArchiveFile=%s -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xmx64m -Xss512k -Xlog:disable -cp %s Empty "$@"\n' \
  "$work/empty/empty.jsa" "$work/empty/empty.jar" > "$work/empty/launcher"
chmod +x "$work/empty/launcher"
if [ -n "$java25" ]; then
  HOME="$work/home" SESSION_LOCK_HOME="$work/install25" SESSION_LOCK_JAVA="$java25" \
    adapters-hook/target/session-lock install --dir "$work/ws" >/dev/null
  impls="$impls java25"
fi

event() { printf '{"session_id":"%s","transcript_path":"/tmp/t.jsonl","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"%s/src/App.java","old_string":"a","new_string":"b"},"tool_use_id":"toolu_01"}' "$1" "$work/ws" "$work/ws"; }
event mine > "$work/mine.json"
event rival > "$work/rival.json"

# Each variant has its own lock directory, prepared so that "mine" already holds it (renew) or that a live
# session, this script's shell, holds it (deny).
export SESSION_LOCK_OWNER=session
# The deny scenarios time the hook's answer, not a wait in line: with waiting on, a rival's hook waits up to its budget
# (20 s) and then, once the holder's lease ran out, takes it over and renews. Waiting is timed by wait-bench.sh.
export SESSION_LOCK_WAIT_MS=0
scenarios="renew deny files-renew files-deny"
for impl in $impls; do
  for scenario in $scenarios; do mkdir -p "$work/locks-$impl-$scenario"; done
done
for scenario in $scenarios; do
  mode=""; peer=benchmarks/node/hook-peer.mjs
  case $scenario in files-*) mode="--mode files"; peer=benchmarks/node/hook-peer-files.mjs;; esac
  SESSION_LOCK_DIR="$work/locks-java-$scenario" sh -c "exec '$launcher' hook $mode < '$work/mine.json'"
  if [ -n "$java25" ]; then
    SESSION_LOCK_DIR="$work/locks-java25-$scenario" sh -c "exec '$work/install25/bin/session-lock' hook $mode < '$work/mine.json'"
  fi
  if [ -n "${BENCH_BEFORE:-}" ]; then
    SESSION_LOCK_DIR="$work/locks-before-$scenario" sh -c "exec '$work/install-before/bin/session-lock' hook $mode < '$work/mine.json'"
  fi
  SESSION_LOCK_DIR="$work/locks-node-$scenario" node "$peer" < "$work/mine.json"
done

time_ms() { # dir, event file, command...
  local dir=$1 input=$2; shift 2
  local start end
  start=$(date +%s%N)
  SESSION_LOCK_DIR="$dir" sh -c 'exec "$@" < "$0"' "$input" "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}

# The deny scenarios must deny: checked once before timing.
for scenario in deny files-deny; do
  mode=""; [ "$scenario" = files-deny ] && mode="--mode files"
  if SESSION_LOCK_DIR="$work/locks-java-$scenario" sh -c "exec '$launcher' hook $mode < '$work/rival.json'" >/dev/null 2>&1; then
    echo "the $scenario scenario did not deny" >&2; exit 1
  fi
done

declare -A samples
for scenario in $scenarios; do
  input="$work/mine.json"; case $scenario in *deny) input="$work/rival.json";; esac
  mode=""; peer=benchmarks/node/hook-peer.mjs
  case $scenario in files-*) mode="--mode files"; peer=benchmarks/node/hook-peer-files.mjs;; esac
  for ((i = 0; i < runs; i++)); do
    samples[java-$scenario]+="$(time_ms "$work/locks-java-$scenario" "$input" "$launcher" hook $mode) "
    samples[node-$scenario]+="$(time_ms "$work/locks-node-$scenario" "$input" node "$peer") "
    samples[empty-$scenario]+="$(time_ms "$work/locks-node-$scenario" "$input" "$work/empty/launcher") "
    if [ -n "${BENCH_BEFORE:-}" ]; then
      samples[before-$scenario]+="$(time_ms "$work/locks-before-$scenario" "$input" "$work/install-before/bin/session-lock" hook $mode) "
    fi
    if [ -n "$java25" ]; then
      samples[java25-$scenario]+="$(time_ms "$work/locks-java25-$scenario" "$input" "$work/install25/bin/session-lock" hook $mode) "
    fi
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'; }
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); node $(node --version); $runs runs each, alternated"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "| scenario | variant | median ms | ratio to Node peer | ratio to empty main |"
echo "|---|---|---|---|---|"
for scenario in $scenarios; do
  peer=benchmarks/node/hook-peer.mjs; case $scenario in files-*) peer=benchmarks/node/hook-peer-files.mjs;; esac
  n=$(echo "${samples[node-$scenario]}" | median)
  e=$(echo "${samples[empty-$scenario]}" | median)
  j=$(echo "${samples[java-$scenario]}" | median)
  echo "| $scenario | session-lock, $(java -version 2>&1 | head -1 | cut -d'"' -f2), CDS archive | $j | $(ratio "$j" "$n") | $(ratio "$j" "$e") |"
  if [ -n "${BENCH_BEFORE:-}" ]; then
    b=$(echo "${samples[before-$scenario]}" | median)
    echo "| $scenario | before: $(git -C "$BENCH_BEFORE" log -1 --format=%h), CDS archive | $b | $(ratio "$b" "$n") | $(ratio "$b" "$e") |"
  fi
  if [ -n "$java25" ]; then
    k=$(echo "${samples[java25-$scenario]}" | median)
    echo "| $scenario | session-lock, $("$java25" -version 2>&1 | head -1 | cut -d'"' -f2), AOT cache | $k | $(ratio "$k" "$n") | $(ratio "$k" "$e") |"
  fi
  echo "| $scenario | empty JVM main, CDS archive | $e | $(ratio "$e" "$n") | 1.00 |"
  echo "| $scenario | Node peer ($peer) | $n | 1.00 | $(ratio "$n" "$e") |"
done
