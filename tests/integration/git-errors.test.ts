/**
 * A failing git command means what it says: a revision the user gave that is not a
 * commit is their input (exit 2, one line); a broken repository is internal (exit 3,
 * git's own message). Real repos, the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';
import { gitFailure } from '../../src/git/porcelain.js';
import { GitError, InputError } from '../../src/errors/index.js';

function repoWithCommit(): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  writeFileSync(join(dir, 'd.txt'), 'hello\n');
  mlvOk(dir, ['add', 'd.txt']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'one']);
  return dir;
}

test('a revision that is not a commit: exit 2, one line naming it', () => {
  const dir = repoWithCommit();
  try {
    for (const args of [['diff', 'no-such-rev'], ['checkout', 'no-such-rev'], ['params', 'diff', 'no-such-rev']]) {
      const r = mlv(dir, args);
      assert.equal(r.code, 2, args.join(' '));
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0], /no-such-rev/);
    }
  } finally {
    removeDir(dir);
  }
});

test('a repository with a missing tree object: exit 3 with git\'s message, code EGIT', () => {
  const dir = repoWithCommit();
  try {
    const tree = git(dir, ['rev-parse', 'HEAD^{tree}']).trim();
    rmSync(join(dir, '.git', 'objects', tree.slice(0, 2), tree.slice(2)));
    for (const args of [['diff', 'HEAD'], ['gc', '--all-commits']]) {
      const r = mlv(dir, [...args, '--json']);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^mlv: git [a-z-]+: .*(tree|object)/);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.equal(JSON.parse(r.stdout).error.code, 'EGIT');
    }
  } finally {
    removeDir(dir);
  }
});

test('gitFailure: the user\'s names are input, the rest is git\'s fault', () => {
  assert.ok(gitFailure(['branch'], "fatal: a branch named 'main' already exists\n") instanceof InputError);
  assert.ok(gitFailure(['log'], "fatal: ambiguous argument 'x': unknown revision or path not in the working tree.\n") instanceof InputError);
  const broken = gitFailure(['rev-list'], 'error: Could not read 8c02\nfatal: bad tree object 8c02\n');
  assert.ok(broken instanceof GitError);
  assert.equal(broken.exitCode, 3);
  assert.match(broken.message, /^git rev-list: .*bad tree object 8c02$/);
});
