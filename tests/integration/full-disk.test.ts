/**
 * A full or read-only disk (issue 11, item 5): exit 2, one line naming the path and
 * the cause, nothing half-done; a checkout that cannot fit does not move HEAD.
 * Uses a real small tmpfs, which needs root: skipped (and says so) elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { git, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const KiB = 1024;

/** A fresh tmpfs of `size` at a temp dir, or the reason there is none. */
function tmpfs(size: string): { dir: string; done: () => void } | string {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const dir = tempDir('mlv-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) { removeDir(dir); return `cannot mount a tmpfs: ${r.stderr.trim()}`; }
  return { dir, done: () => { spawnSync('umount', [dir]); removeDir(dir); } };
}

function repoIn(dir: string): string {
  const repo = join(dir, 'r');
  spawnSync('mkdir', [repo]);
  git(repo, ['init', '-q', '-b', 'main']);
  mlvOk(repo, ['init']);
  return repo;
}

function oneLine(r: { code: number; stderr: string }, cause: RegExp): string {
  assert.equal(r.code, 2, `exit 2 expected: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], cause);
  return lines[0];
}

test('mlv add on a full disk: exit 2 naming the path and the cause, no pointer written', (t) => {
  const fs = tmpfs('3m');
  if (typeof fs === 'string') return t.skip(fs);
  try {
    const repo = repoIn(fs.dir);
    writeFileSync(join(repo, 'big'), randomBytes(1800 * KiB));
    const line = oneLine(mlv(repo, ['add', 'big']), /^mlv: \/\S+: no space left on device; free some space and run the command again$/);
    assert.ok(line.includes(fs.dir), line);
    assert.ok(!existsSync(join(repo, 'big.mlv')), 'no pointer to data that is not stored');
  } finally {
    fs.done();
  }
});

test('checkout <rev> that cannot fit is refused before HEAD moves; it works once there is room', (t) => {
  const fs = tmpfs('12m');
  if (typeof fs === 'string') return t.skip(fs);
  try {
    const repo = repoIn(fs.dir);
    const v1 = randomBytes(2048 * KiB);
    writeFileSync(join(repo, 'd'), v1);
    mlvOk(repo, ['add', 'd']);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-qm', 'v1']);
    const v2 = randomBytes(2048 * KiB);
    writeFileSync(join(repo, 'd'), v2);
    mlvOk(repo, ['add', 'd']);
    git(repo, ['commit', '-qam', 'v2']);
    const head = git(repo, ['rev-parse', 'HEAD']).trim();
    // Leave about 1 MiB free: less than the 2 MiB the checkout writes.
    const free = Number(spawnSync('df', ['-B1', '--output=avail', fs.dir], { encoding: 'utf8' }).stdout.trim().split('\n')[1]);
    writeFileSync(join(fs.dir, 'filler'), Buffer.alloc(Math.max(0, free - 1024 * KiB)));
    oneLine(mlv(repo, ['checkout', 'HEAD~1']), /no space left on device for checkout: it writes 2\.0 MiB, .* are free; nothing was changed/);
    assert.equal(git(repo, ['rev-parse', 'HEAD']).trim(), head, 'HEAD did not move');
    assert.ok(readFileSync(join(repo, 'd')).equals(v2), 'the data is untouched');
    assert.equal(mlv(repo, ['status', '--check']).code, 0, 'status agrees: nothing to add');
    rmSync(join(fs.dir, 'filler'));
    mlvOk(repo, ['checkout', 'HEAD~1']);
    assert.ok(readFileSync(join(repo, 'd')).equals(v1));
  } finally {
    fs.done();
  }
});

test('a read-only file system: exit 2 naming the path and the cause', (t) => {
  const fs = tmpfs('4m');
  if (typeof fs === 'string') return t.skip(fs);
  try {
    const repo = repoIn(fs.dir);
    writeFileSync(join(repo, 'f'), 'data\n');
    const ro = spawnSync('mount', ['-o', 'remount,ro', fs.dir], { encoding: 'utf8' });
    if (ro.status !== 0) return t.skip(`cannot remount read-only: ${ro.stderr.trim()}`);
    oneLine(mlv(repo, ['add', 'f']), /^mlv: \/\S+: read-only file system$/);
    assert.ok(!existsSync(join(repo, 'f.mlv')));
  } finally {
    fs.done();
  }
});
