import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, removeDir, tempDir } from '../../helpers/repo.js';
import { addWorktree, liveWorktrees, removeWorktreeSync } from '../../../src/git/worktree.js';

test('mlv worktrees keep an installed post-checkout hook out, and leave no record behind', async () => {
  const dir = makeRepo();
  writeFileSync(join(dir, 'a.txt'), 'a');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'a']);
  const marker = join(dir, 'hook-ran');
  const hook = join(dir, '.git', 'hooks', 'post-checkout');
  writeFileSync(hook, `#!/bin/sh\n[ -n "$MLV_IN_CHECKOUT" ] && exit 0\necho ran >> '${marker}'\n`);
  chmodSync(hook, 0o755);
  // The hook does fire for a plain worktree add: the check below can fail.
  const plain = join(tempDir(), 'plain');
  git(dir, ['worktree', 'add', '--detach', '-q', plain, 'HEAD']);
  assert.ok(existsSync(marker));
  git(dir, ['worktree', 'remove', '--force', plain]);
  removeDir(marker);

  const wt = await addWorktree(dir, git(dir, ['rev-parse', 'HEAD']).trim(), 'test');
  assert.ok(existsSync(join(wt, 'a.txt')));
  assert.equal(existsSync(marker), false, 'post-checkout did not run');
  assert.deepEqual(liveWorktrees(), [wt]);
  removeWorktreeSync(wt);
  assert.equal(existsSync(wt), false);
  assert.equal(git(dir, ['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
  removeDir(dir);
});
