/**
 * Temp files go where git ignores them, and what killed commands left is removed by the
 * next command: `.mlv/tmp` and `.mlv` temp files, the cache's tmp, `stage-*` directories,
 * a local remote's tmp on the next push, and the git dir's loose-object temp files a
 * killed experiment commit left.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { git, makeRepo, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const deadPid = () => spawnSync('true').pid!;

/** Every path under `dir` (not .git, not .mlv) whose name looks like a temp file. */
function tempsInWorkTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (!rel && (e.name === '.git' || e.name === '.mlv')) continue;
    if (/\.tmp$/.test(e.name)) out.push(p);
    if (e.isDirectory()) out.push(...tempsInWorkTree(dir, p));
  }
  return out;
}

test('the next locked command removes what dead processes left, and keeps a live one\'s', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    const tmp = join(dir, '.mlv', 'tmp');
    mkdirSync(join(tmp, 'stage-train-1a2b3c4d'), { recursive: true });
    writeFileSync(join(tmp, 'stage-train-1a2b3c4d', '0'), 'previous output');
    const dead = [
      join(tmp, `.x.mlv.${deadPid()}.0a1b2c3d.0.tmp`),
      join(dir, '.mlv', `.state.${deadPid()}.deadbeef.1.tmp`),
      join(dir, '.mlv', 'cache', 'tmp', `.add.${deadPid()}.12345678.2.tmp`),
    ];
    for (const f of dead) writeFileSync(f, 'left by a kill');
    const live = join(dir, '.mlv', 'cache', 'tmp', `.add.${process.pid}.12345678.3.tmp`);
    writeFileSync(live, 'being written');

    writeFileSync(join(dir, 'a.txt'), 'a\n');
    mlvOk(dir, ['add', 'a.txt']);
    for (const f of dead) assert.equal(existsSync(f), false, `${f} is removed`);
    assert.equal(existsSync(join(tmp, 'stage-train-1a2b3c4d')), false);
    assert.ok(existsSync(live), 'a live process\'s temp file stays');
    assert.deepEqual(tempsInWorkTree(dir), []);
    // Nothing mlv wrote shows up for git.
    assert.deepEqual(git(dir, ['status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean).sort(), ['?? .gitattributes', '?? .gitignore', '?? .mlv/.gitignore', '?? .mlv/config', '?? .mlvignore', '?? a.txt.mlv']);
  } finally {
    removeDir(dir);
  }
});

test('a push removes what a killed push left in the remote\'s tmp/', () => {
  const dir = makeRepo();
  const remote = tempDir('mlv-remote-');
  try {
    mlvOk(dir, ['init']);
    mlvOk(dir, ['remote', 'add', 'origin', remote]);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    mlvOk(dir, ['add', 'a.txt']);
    mkdirSync(join(remote, 'tmp'), { recursive: true });
    const h = 'ab'.repeat(32);
    const left = join(remote, 'tmp', `.${h}.${hostname()}.${deadPid()}.0a1b2c3d.0.tmp`);
    const otherHost = join(remote, 'tmp', `.${h}.elsewhere.${deadPid()}.0a1b2c3d.1.tmp`);
    writeFileSync(left, 'partial');
    writeFileSync(otherHost, 'another machine may still write this');
    mlvOk(dir, ['push']);
    assert.equal(existsSync(left), false);
    assert.ok(existsSync(otherHost), 'another host\'s upload is not ours to judge');
    assert.deepEqual(readdirSync(join(remote, 'tmp')), [otherHost.split('/').pop()]);
  } finally {
    removeDir(dir);
    removeDir(remote);
  }
});

test('the next locked command removes a loose-object temp file a killed exp run left in .git, and keeps a fresh or live one', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    const gitDir = join(dir, '.git');
    const plant = (name: string, ageMin: number) => {
      const f = join(gitDir, name);
      writeFileSync(f, 'x\u0001compressed object bytes');
      const t = (Date.now() - ageMin * 60_000) / 1000;
      utimesSync(f, t, t);
      return f;
    };
    const old = plant(`mlv-tmp-obj-${deadPid()}-0a1b2c3d4e5f`, 10);
    const fresh = plant(`mlv-tmp-obj-${deadPid()}-1a1b2c3d4e5f`, 0);
    const live = plant(`mlv-tmp-obj-${process.pid}-2a1b2c3d4e5f`, 10);
    const abandoned = plant(`mlv-tmp-obj-${process.pid}-3a1b2c3d4e5f`, 120);
    const notOurs = plant('mlv-tmp-obj-notes', 120);

    writeFileSync(join(dir, 'a.txt'), 'a\n');
    mlvOk(dir, ['add', 'a.txt']);
    assert.equal(existsSync(old), false, 'an old one of a dead process is removed');
    assert.equal(existsSync(abandoned), false, 'one older than any object write is removed even if its pid runs again');
    assert.ok(existsSync(fresh), 'a fresh one is kept: the git dir may be shared with another machine');
    assert.ok(existsSync(live), 'a live process may still rename it into place');
    assert.ok(existsSync(notOurs), 'a name isoFs does not make is not ours');
    git(dir, ['fsck', '--no-dangling']);
  } finally {
    removeDir(dir);
  }
});

test('a command in a linked worktree sweeps the shared git dir', () => {
  const dir = makeRepo();
  const wt = tempDir('mlv-wt-');
  try {
    mlvOk(dir, ['init']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'init']);
    removeDir(wt);
    git(dir, ['worktree', 'add', '-q', '--detach', wt]);
    const f = join(dir, '.git', `mlv-tmp-obj-${deadPid()}-0a1b2c3d4e5f`);
    writeFileSync(f, 'partial');
    const t = (Date.now() - 10 * 60_000) / 1000;
    utimesSync(f, t, t);
    writeFileSync(join(wt, 'b.txt'), 'b\n');
    mlvOk(wt, ['add', 'b.txt']);
    assert.equal(existsSync(f), false);
  } finally {
    removeDir(dir);
    removeDir(wt);
  }
});
