#!/usr/bin/env bash
# The fair line's grant latency: from the holder's release to the head waiter's grant, through the built launcher.
# Each run: a holder session takes a file in files mode (the registered hook, PreToolUse of an Edit); a second
# session's PreToolUse of the same file starts and waits in line (its ticket is on disk); then the holder's lock
# record is removed (what a release does: one unlink), and the clock runs until the waiter's hook process has exited 0
# (the moment its agent would run the tool). Both sessions name the same agent process (this script's python3), so
# SESSION_LOCK_OWNER=session tells them apart. The lock directory is watched (inotify); the safety net polls every
# 200 ms, so latencies spread evenly over 0-200 ms would mean the watch did not work. The anchor, in the same run:
# the holder's own PreToolUse (uncontended, a whole hook process), which every grant's tool call costs anyway.
# Usage: benchmarks/wait-bench.sh [runs, default 21]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
[ -x adapters-hook/target/session-lock ] || mvn -B -q -ntp -DskipTests package -pl adapters-hook -am >/dev/null
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); $(java -version 2>&1 | head -1); $runs runs"
python3 - "$PWD/adapters-hook/target/session-lock" "$runs" <<'PY'
import json, os, subprocess, sys, tempfile, time
launcher, runs = sys.argv[1], int(sys.argv[2])
work = tempfile.mkdtemp()
ws = os.path.join(work, "ws"); os.makedirs(os.path.join(ws, ".git"))
env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE", "SESSION_LOCK", "CODEX", "GEMINI", "COPILOT"))}
env.update({"SESSION_LOCK_OWNER": "session", "SESSION_LOCK_WAIT_MS": "20000", "HOME": work})
def pre(session):
    return json.dumps({"hook_event_name": "PreToolUse", "session_id": session, "cwd": ws, "tool_name": "Edit",
                       "tool_input": {"file_path": ws + "/a.txt", "old_string": "a", "new_string": "b"}})
latencies = []
anchors = []  # the holder's own PreToolUse, uncontended, whole process: the anchor of the same run
for run in range(runs):
    locks = os.path.join(work, "locks-%d" % run)
    env["SESSION_LOCK_DIR"] = locks
    cmd = [launcher, "hook", "--mode", "files", "--agent", "claude"]
    t = time.monotonic_ns()
    held = subprocess.run(cmd, input=pre("holder").encode(), env=env, capture_output=True)
    anchors.append((time.monotonic_ns() - t) / 1e6)
    assert held.returncode == 0, held
    record = [n for n in os.listdir(locks) if n.startswith("file-") and n.endswith(".json")]
    assert len(record) == 1, record
    waiter = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    waiter.stdin.write(pre("waiter").encode()); waiter.stdin.close()
    while not any(n.startswith("wait-") for n in os.listdir(locks)):
        time.sleep(0.002)
    time.sleep(0.3)  # well inside its wait: the watch is open, between two tries
    start = time.monotonic_ns()
    os.unlink(os.path.join(locks, record[0]))
    waiter.wait()
    end = time.monotonic_ns()
    out, err = waiter.stdout.read(), waiter.stderr.read()
    assert waiter.returncode == 0, (waiter.returncode, out, err)
    latencies.append((end - start) / 1e6)
latencies.sort(); anchors.sort()
median = latencies[len(latencies) // 2]
anchor = anchors[len(anchors) // 2]
print()
print("| runs | release to grant: min | median | p90 | max | one uncontended hook call (median) | median / hook call |")
print("|---|---|---|---|---|---|---|")
print("| %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f |" % (runs, latencies[0], median,
      latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))], latencies[-1], anchor, median / anchor))
PY
