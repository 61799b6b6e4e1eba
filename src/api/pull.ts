import { join } from 'node:path';
import { CheckFailedError, checkCount, NotFoundError } from '../errors/index.js';
import { applyRestore, conflictError, planRestore } from '../repo/workspace.js';
import type { OnProgress } from '../progress.js';
import { withRepoLock } from '../repo/lock.js';
import { toRepoPath } from '../repo/paths.js';
import { objectsOfTracked, trackedInScope } from '../repo/reachable.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import type { Tracked } from '../repo/tracked.js';
import { openRemote } from '../remote/open.js';
import { transferFor, under } from '../remote/fetch.js';
import { pullObjects, type TransferResult } from '../remote/transfer.js';
import { checkout, type CheckoutResult } from './checkout.js';

export interface PullOptions extends RepoOptions {
  remote?: string;
  paths?: string[];
  jobs?: number;
  allCommits?: boolean;
  /** Fetch only: leave the workspace alone (`mlv fetch`). */
  noCheckout?: boolean;
  force?: boolean;
  onProgress?: OnProgress;
}

export interface PullResult extends TransferResult {
  remote: string;
  absent: string[];
  checkout?: CheckoutResult;
}

/**
 * Bring the objects the workspace's pointers (or `paths`, or every commit) need from a
 * remote into the cache, verified, then check them out.
 * @example
 *   await pull({ cwd, remote: 'origin' })
 */
export async function pull(opts: PullOptions): Promise<PullResult> {
  checkCount('--jobs', opts.jobs);
  const repo = openRepo(opts);
  const remote = await openRemote(repo.config, repo.root, opts.remote);
  try {
    const sel = select(repo, await trackedInScope(repo, { workspace: true, allCommits: opts.allCommits }), opts);
    const result = await withRepoLock(repo, 'pull', () =>
      transferFor(repo, sel.items, (hashes, present) => pullObjects(repo.store, remote, hashes, { jobs: opts.jobs, onProgress: opts.onProgress, present }), remote.list.bind(remote), sel.subs));
    const out: PullResult = { remote: remote.name, ...result };
    // Name the data, not only hashes: which tracked paths cannot be restored.
    const pathsOf = (hashes: Set<string>) => [...new Set(sel.items.filter((t) => hashes.has(t.hash) || [...objectsOfTracked(repo, [t]).objects].some((h) => hashes.has(h))).map((t) => t.path))];
    const listed = (list: string[]) => `${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`;
    if (result.failed.length) {
      const damaged = result.failed.filter((f) => f.code === 'ECORRUPT').length;
      const fix = damaged ? `; ${damaged} damaged on the remote: 'mlv push --verify' from a clone that has them replaces them` : '';
      const list = pathsOf(new Set(result.failed.map((f) => f.hash)));
      throw new CheckFailedError(`pull from '${remote.name}': ${result.failed.length} object(s) failed${list.length ? ` (${listed(list)})` : ''}: ${result.failed[0].error}${fix}`, { failed: result.failed, paths: list }, 'EPULL');
    }
    if (result.absent.length) {
      const list = pathsOf(new Set(result.absent));
      throw new CheckFailedError(`pull from '${remote.name}': ${result.absent.length} object(s) are not on the remote (${listed(list)}); push them from a clone that has them`, { absent: result.absent, paths: list }, 'EABSENT');
    }
    if (!opts.noCheckout) {
      out.checkout = sel.wholePaths === undefined || sel.wholePaths.length
        ? await checkout({ cwd: opts.cwd, paths: sel.wholePaths, force: opts.force, onLockWait: opts.onLockWait })
        : { changed: [], notPulled: [] };
      out.checkout.changed.push(...(await restoreSubpaths(repo, sel.items, sel.subs, Boolean(opts.force))));
    }
    return out;
  } finally {
    await remote.close();
  }
}

/**
 * Which tracked items the paths name. A path inside a tracked directory selects only the
 * files under it (`subs`), so one folder of a large dataset moves alone.
 */
function select(repo: Repo, all: Tracked[], opts: PullOptions): { items: Tracked[]; subs: Map<Tracked, string[]>; wholePaths?: string[] } {
  const subs = new Map<Tracked, string[]>();
  if (!opts.paths?.length) return { items: all, subs };
  const filter = opts.paths.map((p) => toRepoPath(repo.root, opts.cwd, p).replace(/\.mlv$/, '').replace(/\/+$/, ''));
  const items: Tracked[] = [];
  const wholePaths: string[] = [];
  for (const t of all) {
    const whole = filter.filter((f) => t.path === f || t.path.startsWith(f + '/'));
    if (whole.length) { items.push(t); wholePaths.push(...whole); continue; }
    const inside = filter.filter((f) => f.startsWith(t.path + '/')).map((f) => f.slice(t.path.length + 1));
    if (!inside.length) continue;
    items.push(t);
    if (t.kind === 'dir') subs.set(t, inside);
    else wholePaths.push(t.path);
  }
  if (items.length === 0) throw new NotFoundError('path', `${opts.paths.join(', ')}: not tracked by mlv`);
  // Repo-relative paths made absolute, since checkout resolves them against cwd again.
  return { items, subs, wholePaths: [...new Set(wholePaths)].map((p) => join(repo.root, ...p.split('/'))) };
}

/** Write out the files under `subs` of directories pulled in part, leaving the rest of each directory alone. */
async function restoreSubpaths(repo: Repo, items: Tracked[], subs: Map<Tracked, string[]>, force: boolean): Promise<Array<{ path: string; written: number; removed: number }>> {
  if (subs.size === 0) return [];
  return withRepoLock(repo, 'pull', async () => {
    const changed: Array<{ path: string; written: number; removed: number }> = [];
    try {
      for (const t of items) {
        const s = subs.get(t);
        if (!s) continue;
        const plan = await planRestore(repo, t.path, t, force);
        const prefixes = s.map((x) => `${t.path}/${x}`);
        const conflicts = plan.conflicts.filter((c) => prefixes.some((p) => c === p || c.startsWith(p + '/')));
        if (conflicts.length) throw conflictError(conflicts, 'commit them (mlv add) first');
        const steps = plan.steps.filter((st) => st.rel !== '' && under(st.rel, s));
        if (steps.length) changed.push({ path: t.path, ...(await applyRestore(repo, t.path, steps)) });
      }
    } finally {
      repo.state().save();
    }
    return changed;
  });
}
