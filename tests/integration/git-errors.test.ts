/**
 * A failing git command means what it says: a revision the user gave that is not a
 * commit is their input (exit 2, one line); a broken repository is internal (exit 3,
 * git's own message). Real repos, the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';
import { gitFailure, gitSync } from '../../src/git/porcelain.js';
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

// A user whose git speaks German: git's messages are translated unless mlv runs it in the C locale.
const GERMAN = { LANGUAGE: 'de', LC_ALL: 'C.UTF-8', LANG: 'de_DE.UTF-8' };
const gitSpeaksGerman = /Schwerwiegend|Kein Git/.test(spawnSync('git', ['rev-parse', '--git-dir'], { cwd: '/', env: { ...process.env, ...GERMAN }, encoding: 'utf8' }).stderr);

test('in a translated locale git failures mean the same: not a commit exit 2, a broken repository exit 3', { skip: !gitSpeaksGerman && 'git has no German messages here' }, () => {
  const dir = repoWithCommit();
  try {
    for (const args of [['diff', 'no-such-rev'], ['params', 'diff', 'no-such-rev']]) {
      const r = mlv(dir, args, { env: GERMAN });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /no-such-rev/);
    }
    // gitSync in this process, with the user's German environment.
    const saved = Object.fromEntries(Object.keys(GERMAN).map((k) => [k, process.env[k]]));
    Object.assign(process.env, GERMAN);
    try {
      assert.throws(() => gitSync(dir, ['branch', 'main', 'HEAD']), (e) => e instanceof InputError && /already exists/.test(e.message));
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    const tree = git(dir, ['rev-parse', 'HEAD^{tree}']).trim();
    rmSync(join(dir, '.git', 'objects', tree.slice(0, 2), tree.slice(2)));
    const r = mlv(dir, ['diff', 'HEAD', '--json'], { env: GERMAN });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(JSON.parse(r.stdout).error.code, 'EGIT');
    assert.match(r.stderr, /^mlv: git [a-z-]+: .*(tree|object)/);
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
