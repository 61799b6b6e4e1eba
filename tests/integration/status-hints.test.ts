/**
 * What `status` tells to run when the work tree holds another version mlv already has:
 * after a checkout killed once git had moved, or a `git checkout` without mlv's hook,
 * `mlv checkout <path>` (which loses nothing), never `mlv add`, which would record the
 * other version's data under this commit. Real repos, the real CLI.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, git, makeRepo, MLV_BIN, mlvOk, removeDir } from '../helpers/repo.js';

interface Row { path: string; state: string; hint: string }
const rows = (dir: string): Row[] => JSON.parse(mlvOk(dir, ['status', '--json']).stdout).data;

function twoVersions(write: (dir: string, v: number) => void, path: string): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  for (const v of [1, 2]) {
    write(dir, v);
    mlvOk(dir, ['add', path]);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', `v${v}`]);
  }
  return dir;
}

test('a file or directory of another cached version: mlv checkout <path>; an edit of it: mlv add', () => {
  const file = twoVersions((d, v) => writeFileSync(join(d, 'model.bin'), `model ${v}\n`), 'model.bin');
  const folder = twoVersions((d, v) => {
    mkdirSync(join(d, 'data'), { recursive: true });
    writeFileSync(join(d, 'data', 'a.txt'), 'same\n');
    writeFileSync(join(d, 'data', 'b.txt'), `b ${v}\n`);
  }, 'data');
  try {
    for (const [dir, path, content] of [[file, 'model.bin', 'model 1\n'], [folder, 'data', 'b 1\n']] as const) {
      git(dir, ['checkout', '-q', 'HEAD~1']); // git moves; the data stays at v2
      assert.deepEqual(rows(dir).map((r) => [r.path, r.state, r.hint]), [[path, 'modified', `mlv checkout ${path}`]]);
      mlvOk(dir, ['checkout', path]);
      assert.deepEqual(rows(dir), []);
      assert.equal(readFileSync(join(dir, path === 'data' ? 'data/b.txt' : path), 'utf8'), content);
      // A real edit is not a version mlv has: recording it is the fix.
      writeFileSync(join(dir, path === 'data' ? 'data/b.txt' : path), 'edited\n');
      assert.deepEqual(rows(dir).map((r) => r.hint), [`mlv add ${path}`]);
    }
  } finally {
    removeDir(file);
    removeDir(folder);
  }
});

test('kill -9 during checkout of a big file once git has moved: status says mlv checkout, which finishes it', async () => {
  const big = randomBytes(8 << 20);
  const dir = twoVersions((d, v) => writeFileSync(join(d, 'big.bin'), Buffer.concat(Array.from({ length: 8 }, (_, i) => (i === 0 ? Buffer.from(`v${v}`) : big)))), 'big.bin');
  try {
    const head = () => readFileSync(join(dir, '.git', 'HEAD'), 'utf8');
    const before = head();
    const child = spawn(process.execPath, [MLV_BIN, 'checkout', 'HEAD~1'], { cwd: dir, env: env(), stdio: 'ignore' });
    const exited = new Promise((r) => child.on('close', r));
    let done = false;
    void exited.then(() => { done = true; });
    while (!done && head() === before) await new Promise((r) => setImmediate(r));
    child.kill('SIGKILL');
    await exited;
    const left = rows(dir);
    assert.notEqual(head(), before, 'git had moved');
    // Killed before the data was renamed into place: the whole v2 file is still there.
    for (const r of left) assert.deepEqual([r.path, r.state, r.hint], ['big.bin', 'modified', 'mlv checkout big.bin']);
    mlvOk(dir, ['checkout', 'big.bin']);
    assert.deepEqual(rows(dir), []);
    assert.equal(readFileSync(join(dir, 'big.bin')).subarray(0, 2).toString(), 'v1');
  } finally {
    removeDir(dir);
  }
});
