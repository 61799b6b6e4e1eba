import { runCacheObjects } from '../pipeline/runCache.js';
import { repairDeadWorktrees } from '../git/worktree.js';
import { withRepoLock } from '../repo/lock.js';
import { objectsOfTracked, trackedInScope } from '../repo/reachable.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { expandIds } from '../store/chunked.js';

export interface GcOptions extends RepoOptions {
  dryRun?: boolean;
  allCommits?: boolean;
  keepExps?: boolean;
}

export interface GcResult {
  removed: Array<{ hash: string; size: number }>;
  bytes: number;
  kept: number;
  dryRun: boolean;
  /** Of the removed, how many older commits (or experiments) still refer to: those versions can then only come back from a remote. */
  fromHistory: number;
  /** Worktrees of killed `exp run`/`repro --rev` removed, with git's records of them. */
  worktrees: string[];
}


/**
 * Delete cached objects that nothing in scope refers to: the workspace by default;
 * every branch, tag and refs/mlv/* commit with `allCommits`; experiments with `keepExps`.
 * @example
 *   const { removed, bytes } = await gc({ cwd, dryRun: true });
 */
export async function gc(opts: GcOptions): Promise<GcResult> {
  const repo = openRepo(opts);
  return withRepoLock(repo, 'gc', async () => {
    const items = await trackedInScope(repo, { workspace: true, allCommits: opts.allCommits, exps: opts.keepExps });
    const { objects: keep } = objectsOfTracked(repo, items);
    // Run-cache entries may name chunked files: their lists and chunks are kept.
    for (const h of expandIds(repo.store, runCacheObjects(repo))) keep.add(h);
    const removed: GcResult['removed'] = [];
    let bytes = 0;
    let kept = 0;
    for (const hash of repo.store.list()) {
      if (keep.has(hash)) { kept++; continue; }
      const size = repo.store.size(hash);
      removed.push({ hash, size });
      bytes += size;
      if (!opts.dryRun) repo.store.remove(hash);
    }
    if (!opts.dryRun) repo.store.sweepTemp();
    const worktrees = opts.dryRun ? [] : repairDeadWorktrees(repo.root);
    let fromHistory = 0;
    if (removed.length && !opts.allCommits) {
      const history = objectsOfTracked(repo, await trackedInScope(repo, { allCommits: true })).objects;
      fromHistory = removed.filter((r) => history.has(r.hash)).length;
    }
    return { removed, bytes, kept, dryRun: Boolean(opts.dryRun), fromHistory, worktrees };
  });
}
