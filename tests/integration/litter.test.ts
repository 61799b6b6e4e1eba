/**
 * Temp files go where git ignores them, and what killed commands left is removed by the
 * next command: `.mlv/tmp` and `.mlv` temp files, the cache's tmp, `stage-*` directories,
 * and a local remote's tmp on the next push.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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
