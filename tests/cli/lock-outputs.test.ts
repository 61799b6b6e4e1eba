/**
 * A stage's cached output, recorded only in mlv.lock, is tracked data for every verb run
 * from the real binary — not only when some module happened to be loaded first. Each
 * verb here consults the lock's outputs: add refuses them, status, diff, checkout, get,
 * gc, fsck, push and pull see them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const PIPELINE = `stages:
  make:
    cmd: node -e "require('fs').writeFileSync('out.txt', require('fs').readFileSync('in.txt', 'utf8').toUpperCase())"
    deps: [in.txt]
    outs: [out.txt]
`;

/** A repository with two commits of the stage `make`: out.txt is "ONE\n", then "TWO\n". */
function twoVersions(): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
  writeFileSync(join(dir, 'in.txt'), 'one\n');
  mlvOk(dir, ['repro']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'one']);
  writeFileSync(join(dir, 'in.txt'), 'two\n');
  mlvOk(dir, ['repro']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'two']);
  return dir;
}

const cachedObjects = (dir: string): string[] =>
  readdirSync(join(dir, '.mlv', 'cache'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

test('mlv add of a stage output is refused from the CLI, and writes no pointer', () => {
  const dir = twoVersions();
  try {
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'TWO\n');
    const r = mlv(dir, ['add', 'out.txt']);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /out\.txt: is an output of stage make in mlv\.lock/);
    assert.equal(existsSync(join(dir, 'out.txt.mlv')), false);
  } finally {
    removeDir(dir);
  }
});

test('status, diff, checkout and get see stage outputs recorded only in mlv.lock', () => {
  const dir = twoVersions();
  const outDir = tempDir();
  try {
    writeFileSync(join(dir, 'out.txt'), 'edited\n');
    const status = JSON.parse(mlv(dir, ['status', '--json']).stdout);
    assert.match(JSON.stringify(status), /out\.txt/, 'status lists the edited stage output');

    const diff = JSON.parse(mlvOk(dir, ['diff', 'HEAD~1', 'HEAD', '--json']).stdout);
    assert.deepEqual(diff.artifacts.map((a: { path: string; change: string }) => [a.path, a.change]), [['out.txt', 'modified']]);

    mlvOk(dir, ['checkout', '--force']);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'TWO\n', 'checkout restores the output the lock records');
    mlvOk(dir, ['checkout', 'HEAD~1']);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'ONE\n');
    mlvOk(dir, ['checkout', 'main']);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'TWO\n');

    mlvOk(dir, ['get', 'HEAD~1', 'out.txt', '-o', join(outDir, 'v1.txt')]);
    assert.equal(readFileSync(join(outDir, 'v1.txt'), 'utf8'), 'ONE\n');
  } finally {
    removeDir(dir);
    removeDir(outDir);
  }
});

test('gc keeps, fsck checks, push sends and pull restores stage outputs recorded only in mlv.lock', () => {
  const dir = twoVersions();
  const remote = tempDir();
  const clone = tempDir();
  try {
    // Every object in the cache belongs to one of the two outputs (and the run cache).
    const before = cachedObjects(dir).length;
    assert.ok(before >= 2);
    mlvOk(dir, ['gc', '--all-commits']);
    assert.equal(cachedObjects(dir).length, before, 'gc --all-commits keeps both versions of the output');
    mlvOk(dir, ['gc']);
    mlvOk(dir, ['checkout', '--force']);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'TWO\n', 'gc keeps the workspace output');

    // A damaged object of the output is found by fsck.
    const damaged = cachedObjects(dir).find((f) => readFileSync(f, 'utf8') === 'TWO\n');
    assert.ok(damaged, 'the output is cached as a plain object');
    mlvOk(dir, ['fsck']);

    mlvOk(dir, ['remote', 'add', 'origin', remote]);
    mlvOk(dir, ['push', 'origin']);
    git(clone, ['clone', '-q', dir, '.']);
    assert.equal(existsSync(join(clone, 'out.txt')), false);
    mlvOk(clone, ['remote', 'add', 'origin', remote]);
    mlvOk(clone, ['pull', 'origin']);
    assert.equal(readFileSync(join(clone, 'out.txt'), 'utf8'), 'TWO\n', 'pull brings the output the lock records');

    writeFileSync(damaged, 'TWX\n');
    const fsck = mlv(dir, ['fsck']);
    assert.equal(fsck.code, 1, fsck.stdout + fsck.stderr);
  } finally {
    removeDir(dir);
    removeDir(remote);
    removeDir(clone);
  }
});
