#!/usr/bin/env bash
# The merge queue's own cost and its validation count, whole processes (build-tree launcher, JDK 17), real git:
#   - 16 clean branches processed with a `true` validation: time per entry (the queue's overhead: preflight,
#     candidate commit, scratch worktree, landing), against `git merge --no-ff` of the same 16 branches in a copy
#     of the repository (the plain merges a person would do, without validation);
#   - 16 branches of which one breaks the check: validation runs FIFO (--batch 1) against --batch 8.
# Prints markdown tables for BENCHMARKS.md.
# Usage: benchmarks/queue-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f adapters-hook/target/session-lock.jar ] || mvn -B -q -ntp -DskipTests package -pl adapters-hook -am >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
launcher=$PWD/adapters-hook/target/session-lock
export SESSION_LOCK_DIR="$work/locks"
make_repo() { # dir, bad branch number (0: none)
  git init -q -b main "$1"
  (cd "$1" && git config user.email b@example.com && git config user.name bench && echo base > base.txt \
    && git add -A && git commit -qm base
   for i in $(seq 1 16); do
     git checkout -q -b "b$i" main
     if [ "$i" = "$2" ]; then echo broken > BROKEN; else echo "$i" > "f$i.txt"; fi
     git add -A && git commit -qm "b$i"
   done
   git checkout -q --detach main)
}
ms() { local start end; start=$(date +%s%N); "$@" > "$work/out" 2>&1 || true; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $(git --version)"
echo
make_repo "$work/clean" 0
cp -r "$work/clean" "$work/plain"
for i in $(seq 1 16); do (cd "$work/clean" && "$launcher" queue enqueue "b$i" >/dev/null); done
queue_ms=$(ms sh -c "cd '$work/clean' && '$launcher' queue process --validate true")
grep -q "landed 16" "$work/out" || { cat "$work/out" >&2; exit 1; }
plain_ms=$(ms sh -c "cd '$work/plain' && git checkout -q main && for i in \$(seq 1 16); do git merge -q --no-ff --no-edit b\$i; done")
echo "| 16 clean branches, validation \`true\` | total ms | per entry ms | ratio |"
echo "|---|---|---|---|"
echo "| session-lock queue process | $queue_ms | $((queue_ms / 16)) | $(awk -v q="$queue_ms" -v p="$plain_ms" 'BEGIN {printf "%.1f", q / p}') |"
echo "| git merge --no-ff, one after the other (no validation) | $plain_ms | $((plain_ms / 16)) | 1.0 |"
echo
echo "| 16 branches, one bad (b11) | validation runs | landed | rejected | total ms |"
echo "|---|---|---|---|---|"
for batch in 1 8; do
  rm -rf "$work/bad"
  make_repo "$work/bad" 11
  for i in $(seq 1 16); do (cd "$work/bad" && "$launcher" queue enqueue "b$i" >/dev/null); done
  t=$(ms sh -c "cd '$work/bad' && '$launcher' queue process --validate 'test ! -f BROKEN' --batch $batch")
  line=$(grep -E '^landed [0-9]+, rejected' "$work/out")
  runs=$(echo "$line" | sed -E 's/.* ([0-9]+) validation runs/\1/')
  landed=$(echo "$line" | sed -E 's/landed ([0-9]+),.*/\1/')
  rejected=$(echo "$line" | sed -E 's/.*rejected ([0-9]+),.*/\1/')
  echo "| --batch $batch | $runs | $landed | $rejected | $t |"
done
