// The same job as `session-lock hook --mode files` on PreToolUse of an Edit, written the straightforward Node way:
// read the event, resolve the file (real path of its folder + name), MD5 the workspace and the path into a key,
// read that file's record, deny a fresh foreign lease, else rewrite the record atomically (temp file + rename).
// No OS lock, no liveness probe and no holder index: less work than the Java hook does.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, mkdirSync, realpathSync } from 'node:fs';
import { join, dirname, basename, resolve } from 'node:path';
import { homedir } from 'node:os';

const input = JSON.parse(readFileSync(0, 'utf8'));
const md5 = (text) => createHash('md5').update(text).digest('hex');
const workspace = realpathSync(process.env.CLAUDE_PROJECT_DIR || input.cwd);
const raw = resolve(input.cwd, input.tool_input.file_path);
const file = join(realpathSync(dirname(raw)), basename(raw));
const dir = process.env.SESSION_LOCK_DIR || join(homedir(), '.claude', 'runtime');
mkdirSync(dir, { recursive: true, mode: 0o700 });
const record = join(dir, `file-${md5(workspace).slice(0, 12)}-${md5(file).slice(0, 20)}.json`);
let lock = null;
try { lock = JSON.parse(readFileSync(record, 'utf8')); } catch { lock = null; }
const now = Date.now();
if (lock && lock.session_id !== input.session_id && now < lock.acquired_at + lock.ttl_ms) {
  const reason = `${file} is being edited by session ${lock.session_id} (pid ${lock.pid})`;
  process.stdout.write(JSON.stringify({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
    permissionDecision: 'deny', permissionDecisionReason: reason }) + '\n');
  process.stderr.write(reason + '\n');
  process.exit(2);
}
const own = lock && lock.session_id === input.session_id;
const next = { schema_version: 1, session_id: input.session_id, pid: process.ppid, acquired_at: now, ttl_ms: 300000,
  held_since: own && lock.held_since ? lock.held_since : now, path: file };
const temp = `${record}.tmp-${process.pid}`;
writeFileSync(temp, JSON.stringify(next) + '\n', { mode: 0o600 });
renameSync(temp, record);
