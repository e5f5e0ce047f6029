// The same job as `session-lock hook` on PreToolUse, written the straightforward Node way (the seed's design):
// read the event, MD5 the resolved workspace path, read the record, deny a fresh foreign lease, else
// rewrite the record atomically (temp file + rename). No OS lock and no liveness probe: less work than the
// Java hook does.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';

const input = JSON.parse(readFileSync(0, 'utf8'));
const workspace = realpathSync(process.env.CLAUDE_PROJECT_DIR || input.cwd);
const hash = createHash('md5').update(workspace).digest('hex').slice(0, 12);
const dir = process.env.SESSION_LOCK_DIR || join(homedir(), '.claude', 'runtime');
mkdirSync(dir, { recursive: true, mode: 0o700 });
const file = join(dir, `session-lock-${hash}.json`);
let lock = null;
try { lock = JSON.parse(readFileSync(file, 'utf8')); } catch { lock = null; }
const now = Date.now();
if (lock && lock.session_id !== input.session_id && now < lock.acquired_at + lock.ttl_ms) {
  const reason = `parallel session lock held by ${lock.session_id} (pid ${lock.pid}) - wait or close that session first`;
  process.stdout.write(JSON.stringify({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
    permissionDecision: 'deny', permissionDecisionReason: reason }) + '\n');
  process.stderr.write(reason + '\n');
  process.exit(2);
}
const own = lock && lock.session_id === input.session_id;
const record = { schema_version: 1, session_id: input.session_id, pid: process.ppid, acquired_at: now,
  ttl_ms: 300000, held_since: own && lock.held_since ? lock.held_since : now };
const temp = `${file}.tmp-${process.pid}`;
writeFileSync(temp, JSON.stringify(record) + '\n', { mode: 0o600 });
renameSync(temp, file);
