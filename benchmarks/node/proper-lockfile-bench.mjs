// lock+unlock cycles per second of proper-lockfile, async (its default API) and sync, on one file.
// Usage: node proper-lockfile-bench.mjs <seconds>
import lockfile from 'proper-lockfile';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seconds = Number(process.argv[2] || 5);
const dir = mkdtempSync(join(tmpdir(), 'proper-lockfile-bench-'));
const file = join(dir, 'session-lock.json');
writeFileSync(file, '{}');

async function asyncRate() {
  const end = Date.now() + seconds * 1000;
  let cycles = 0;
  while (Date.now() < end) {
    const release = await lockfile.lock(file);
    await release();
    cycles++;
  }
  return cycles / seconds;
}

function syncRate() {
  const end = Date.now() + seconds * 1000;
  let cycles = 0;
  while (Date.now() < end) {
    const release = lockfile.lockSync(file);
    release();
    cycles++;
  }
  return cycles / seconds;
}

const asyncOps = await asyncRate();
const syncOps = syncRate();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ async: asyncOps, sync: syncOps }));
