/**
 * Temporary linked worktrees under `.mlv/tmp/` (git-ignored by `mlv init`): one per
 * experiment, so runs never touch the workspace or HEAD and several can run at once.
 * They share the main work tree's cache (repo/Repo.ts). Every worktree made here is
 * remembered until removed, so a signal handler can remove what is left
 * (`removeLiveWorktreesSync`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gitSync } from '../git/porcelain.js';

/** Keeps an installed post-checkout hook from restoring data into the fresh worktree. */
const HOOK_GUARD = { MLV_IN_CHECKOUT: '1' };

const live = new Map<string, string>(); // worktree dir → main root

export function worktreeParent(root: string): string {
  return join(root, '.mlv', 'tmp');
}

export function addWorktree(root: string, commit: string, label: string): string {
  const parent = worktreeParent(root);
  mkdirSync(parent, { recursive: true });
  const safe = label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const dir = join(parent, `exp-${safe}-${process.pid}-${randomBytes(3).toString('hex')}`);
  live.set(dir, root);
  try {
    gitSync(root, ['worktree', 'add', '--detach', '-q', dir, commit], { env: HOOK_GUARD });
  } catch (e) {
    removeWorktreeSync(dir);
    throw e;
  }
  return dir;
}

/** Remove a worktree and git's record of it, even when it is half made. */
export function removeWorktreeSync(dir: string): void {
  const root = live.get(dir);
  live.delete(dir);
  if (root) spawnSync('git', ['worktree', 'remove', '--force', '--force', dir], { cwd: root, stdio: 'ignore' });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  if (root) spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
}

/** For SIGINT/SIGTERM handlers and process exit: remove every worktree still alive. */
export function removeLiveWorktreesSync(): number {
  const dirs = [...live.keys()];
  for (const d of dirs) removeWorktreeSync(d);
  return dirs.length;
}

export function liveWorktrees(): string[] {
  return [...live.keys()];
}

export async function withWorktree<T>(root: string, commit: string, label: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = addWorktree(root, commit, label);
  try {
    return await fn(dir);
  } finally {
    removeWorktreeSync(dir);
  }
}
