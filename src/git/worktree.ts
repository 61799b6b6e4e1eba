/**
 * Temporary linked worktrees under `.mlv/tmp/` (git-ignored by `mlv init`), for
 * `repro --rev` and experiments: runs never touch the workspace or HEAD, several can
 * run at once, and they share the main work tree's cache (repo/Repo.ts). Every worktree
 * made here is remembered until removed, so a signal handler can remove what is left
 * (`removeLiveWorktreesSync`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors/index.js';
import { HOOK_GUARD, sg } from './porcelain.js';
import { processAlive } from '../pid.js';
import { repairWorktrees, worktreeOwner } from './worktreeRepair.js';

const live = new Map<string, string>(); // worktree dir → main root
const repaired = new Set<string>();

export function worktreeParent(root: string): string {
  return join(root, '.mlv', 'tmp');
}

/**
 * A detached worktree of `commit`, made by the git binary through simple-git. An
 * installed post-checkout hook is kept out, so no data is restored into it behind
 * mlv's back.
 */
export async function addWorktree(root: string, commit: string, label: string): Promise<string> {
  const parent = worktreeParent(root);
  mkdirSync(parent, { recursive: true });
  // What a killed run left (a half-made record breaks git fsck and git gc): once per process.
  if (!repaired.has(root)) { repaired.add(root); repairWorktrees(root, parent, new Set(live.keys())); }
  const safe = label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const dir = join(parent, `${safe}-${process.pid}-${randomBytes(3).toString('hex')}`);
  live.set(dir, root);
  // One add at a time in this process, and no prune while one runs (see removeWorktreeSync).
  const turn = addQueue.then(async () => {
    adding++;
    try {
      await sg(root, { [HOOK_GUARD]: '1' }).raw(['worktree', 'add', '--detach', '-q', dir, commit]);
    } finally {
      adding--;
    }
  });
  addQueue = turn.catch(() => undefined);
  try {
    await turn;
  } catch (e) {
    removeWorktreeSync(dir);
    throw new InputError(`git worktree add ${commit.slice(0, 12)}: ${(e as Error).message.trim().split('\n').pop()}`, { commit });
  }
  return dir;
}

let addQueue: Promise<unknown> = Promise.resolve();
/** `git worktree add`s in flight: a prune meanwhile deletes their half-written records. */
let adding = 0;

/** Remove a worktree and git's record of it, even when it is half made. Synchronous: signal handlers call it. */
export function removeWorktreeSync(dir: string): void {
  const root = live.get(dir);
  live.delete(dir);
  if (root) spawnSync('git', ['worktree', 'remove', '--force', '--force', dir], { cwd: root, stdio: 'ignore' });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  // Prune clears what a half-made worktree left in .git/worktrees; while another add is
  // running its record is half-written too, and prune would delete it (`--jobs` runs
  // failed with "failed to read .git/worktrees/<name>/commondir"). Skip it then: the
  // next removal prunes.
  if (root && adding === 0) spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
}

/** For SIGINT/SIGTERM handlers and process exit: remove every worktree still alive. */
export function removeLiveWorktreesSync(): number {
  const dirs = [...live.keys()];
  for (const d of dirs) removeWorktreeSync(d);
  return dirs.length;
}

/** For gc: remove the worktrees of processes that are gone, and git's records of them. */
export function repairDeadWorktrees(root: string): string[] {
  return repairWorktrees(root, worktreeParent(root), new Set(live.keys()));
}

/** An mlv worktree whose process is alive, and when it was made (ms). */
export interface LiveWorktree {
  dir: string;
  madeMs: number;
}

/**
 * The mlv worktrees under `.mlv/tmp/` whose process is alive (this one's or another's:
 * `exp run`, a queue job, `repro --rev`), with when each was made: its `.git` file is
 * written once, by `git worktree add` (the directory's ctime while that runs).
 */
export function liveMlvWorktrees(root: string): LiveWorktree[] {
  const parent = worktreeParent(root);
  if (!existsSync(parent)) return [];
  const out: LiveWorktree[] = [];
  for (const name of readdirSync(parent)) {
    const pid = worktreeOwner(name);
    const dir = join(parent, name);
    if (pid === undefined || !(live.has(dir) || processAlive(pid))) continue;
    let t: number;
    try { t = statSync(join(dir, '.git')).mtimeMs; } catch {
      try { t = statSync(dir).ctimeMs; } catch { continue; } // being made, or removed meanwhile
    }
    out.push({ dir, madeMs: t });
  }
  return out;
}

/**
 * When the oldest live mlv worktree was made, less a minute of slack for clocks of
 * filesystems that round: what its run writes after that is not recorded by any ref yet.
 */
export function liveWorktreesSince(worktrees: LiveWorktree[]): number | undefined {
  return worktrees.length ? Math.min(...worktrees.map((w) => w.madeMs)) - 60_000 : undefined;
}

export function liveWorktrees(): string[] {
  return [...live.keys()];
}
