/**
 * Stage commands run in their own process group, which dies with mlv even when mlv is
 * killed with SIGKILL (no handler runs then).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, makeRepo, MLV_BIN, mlvOk, removeDir } from '../helpers/repo.js';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 of mlv repro stops the running stage and its children within seconds', async () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    // The stage starts a child of its own, then waits: both must die with mlv.
    writeFileSync(join(dir, 'mlv.yaml'), 'stages:\n  slow:\n    cmd: "sleep 120 & echo $$ $! > pids; wait"\n    outs: [never.txt]\n');
    const p = spawn(process.execPath, [MLV_BIN, 'repro'], { cwd: dir, env: env(), stdio: 'ignore' });
    const exited = new Promise((r) => p.on('exit', r));
    for (let i = 0; i < 200 && !existsSync(join(dir, 'pids')); i++) await sleep(50);
    await sleep(100);
    const pids = readFileSync(join(dir, 'pids'), 'utf8').trim().split(' ').map(Number);
    assert.equal(pids.length, 2);
    assert.ok(pids.every(alive), 'the stage runs');
    p.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(100);
    assert.deepEqual(pids.filter(alive), [], 'the stage and its child died with mlv');
  } finally {
    removeDir(dir);
  }
});
