/**
 * A kill during `git worktree add` leaves a locked record with HEAD 0000…, which breaks
 * `git fsck` and `git gc`; killed runs leave whole worktrees too. The next `exp run` and
 * `gc` remove those of processes that are gone, and keep a live process's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { git, makeRepo, mlvOk, removeDir } from '../helpers/repo.js';

const TRAIN = `node -e "const f=require('fs');const t=+/trees: *([0-9.]+)/.exec(f.readFileSync('params.yaml','utf8'))[1];f.writeFileSync('metrics.json',JSON.stringify({score:t}))"`;

const deadPid = () => spawnSync('true').pid!;

/** What `git worktree add` leaves when killed before it checks out: locked, HEAD all zeros. */
function halfMadeWorktree(dir: string, name: string): void {
  const wt = join(dir, '.mlv', 'tmp', name);
  git(dir, ['worktree', 'add', '--detach', '-q', wt, 'HEAD']);
  const rec = join(dir, '.git', 'worktrees', name);
  writeFileSync(join(rec, 'HEAD'), '0'.repeat(40) + '\n');
  writeFileSync(join(rec, 'locked'), 'initializing\n');
}

function fsck(dir: string): { code: number; stderr: string } {
  const r = spawnSync('git', ['fsck', '--no-progress'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

const records = (dir: string) => (existsSync(join(dir, '.git', 'worktrees')) ? readdirSync(join(dir, '.git', 'worktrees')) : []);

describe('worktrees left by killed runs', () => {
  let dir: string;
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'params.yaml'), 'train:\n  trees: 1\n');
    writeFileSync(join(dir, 'mlv.yaml'), `stages:\n  train:\n    cmd: ${JSON.stringify(TRAIN)}\n    params: [train.trees]\n    metrics:\n      - metrics.json:\n          cache: false\n`);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'baseline']);
  });
  after(() => removeDir(dir));

  test('the next exp run removes a half-made worktree of a dead process; git fsck and git gc pass again', () => {
    const broken = `exp-brisk-otter-042-${deadPid()}-abc123`;
    halfMadeWorktree(dir, broken);
    // A whole worktree a killed run left, record and all.
    const whole = `exp-calm-lynx-007-${deadPid()}-def456`;
    git(dir, ['worktree', 'add', '--detach', '-q', join(dir, '.mlv', 'tmp', whole), 'HEAD']);
    // A directory whose record is already gone.
    mkdirSync(join(dir, '.mlv', 'tmp', `rev-x-${deadPid()}-0a0b0c`, 'sub'), { recursive: true });
    assert.notEqual(fsck(dir).code, 0, 'the half-made record breaks git fsck');

    mlvOk(dir, ['exp', 'run', '-S', 'train.trees=5']);
    assert.deepEqual(records(dir), []);
    assert.deepEqual(readdirSync(join(dir, '.mlv', 'tmp')).filter((n) => /-\d+-[0-9a-f]{6}$/.test(n)), []);
    const f = fsck(dir);
    assert.equal(f.code, 0, f.stderr);
    git(dir, ['gc', '-q']);
  });

  test('gc removes them too, and keeps the worktree of a live process', () => {
    const broken = `exp-quick-wren-001-${deadPid()}-123abc`;
    halfMadeWorktree(dir, broken);
    // This test process is alive: its worktree is in use.
    const liveName = `exp-live-${process.pid}-fedcba`;
    git(dir, ['worktree', 'add', '--detach', '-q', join(dir, '.mlv', 'tmp', liveName), 'HEAD']);
    const r = JSON.parse(mlvOk(dir, ['gc', '--json']).stdout);
    assert.deepEqual(r.worktrees, [`.mlv/tmp/${broken}`]);
    assert.deepEqual(records(dir), [liveName]);
    assert.ok(existsSync(join(dir, '.mlv', 'tmp', liveName, 'params.yaml')));
    assert.equal(fsck(dir).code, 0);
    git(dir, ['worktree', 'remove', '--force', join(dir, '.mlv', 'tmp', liveName)]);
  });
});
