import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPathText, unsafeReason, WorkTree, workPath } from '../../../src/repo/workpath.js';
import { UnsafePathError } from '../../../src/errors/index.js';

test('text rules: relative, no . or .. or empty segments, nothing in .git, no backslash or NUL', () => {
  for (const ok of ['a', 'a/b.csv', 'data/.gitignore', '.github/x', 'x.git', '..a', 'a..']) assert.equal(unsafeReason(ok), undefined, ok);
  const bad: Array<[string, RegExp]> = [
    ['', /empty/], ['/etc/passwd', /absolute/], ['C:/x', /absolute/], ['../x', /\.\./], ['a/../../x', /\.\./],
    ['a//b', /empty/], ['./a', /'\.'/], ['a/', /empty/], ['.git/hooks/pre-commit', /\.git/], ['sub/.GIT/config', /\.git/],
    ['a\\b', /'\\'/], ['a\0b', /NUL/],
  ];
  for (const [p, why] of bad) assert.match(unsafeReason(p) ?? '', why, JSON.stringify(p));
  assert.throws(() => checkPathText('../x', 'mlv.lock'), (e: unknown) => e instanceof UnsafePathError && e.exitCode === 2 && e.code === 'EUNSAFEPATH' && /^mlv\.lock: path '\.\.\/x'/.test(e.message));
});

test('a link as a parent is refused, as the last component only with leaf; absent parts are fine', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlv-workpath-'));
  const outside = mkdtempSync(join(tmpdir(), 'mlv-outside-'));
  try {
    mkdirSync(join(root, 'real/deep'), { recursive: true });
    symlinkSync(outside, join(root, 'real/lnk'));
    writeFileSync(join(root, 'file'), 'x');
    assert.equal(workPath(root, 'real/deep/x', 'f'), join(root, 'real/deep/x'));
    assert.equal(workPath(root, 'not/yet/there', 'f'), join(root, 'not/yet/there'));
    assert.equal(workPath(root, 'file/under', 'f'), join(root, 'file/under'), 'ENOTDIR is left to the I/O, inside the tree');
    assert.equal(workPath(root, '.', 'f'), root);
    assert.throws(() => workPath(root, 'real/lnk/victim', 'd.mlv'), /^UnsafePathError: d\.mlv: path 'real\/lnk\/victim' goes through a symbolic link \(real\/lnk -> /);
    assert.equal(workPath(root, 'real/lnk', 'f'), join(root, 'real/lnk'), 'a write replaces the link by rename');
    assert.throws(() => workPath(root, 'real/lnk', 'f', { leaf: true }), UnsafePathError);
    // One WorkTree remembers proven directories; a fresh one looks again.
    const tree = new WorkTree(root);
    tree.path('real/deep/a', 'f');
    rmSync(join(root, 'real/deep'), { recursive: true });
    symlinkSync(outside, join(root, 'real/deep'));
    assert.doesNotThrow(() => tree.path('real/deep/b', 'f'));
    assert.throws(() => new WorkTree(root).path('real/deep/b', 'f'), UnsafePathError);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
