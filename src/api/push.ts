import { CheckFailedError, checkCount } from '../errors/index.js';
import type { OnProgress } from '../progress.js';
import { objectsOfTracked, pushOrder, trackedInScope } from '../repo/reachable.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { openRemote } from '../remote/open.js';
import { pushInOrder, type TransferResult } from '../remote/transfer.js';

export interface PushOptions extends RepoOptions {
  remote?: string;
  jobs?: number;
  allCommits?: boolean;
  exps?: boolean;
  /**
   * Re-hash what the remote already holds of these versions and replace what is damaged
   * (reads every such object back). Without it, a push replaces only objects whose size
   * on the remote is wrong.
   */
  verify?: boolean;
  onProgress?: OnProgress;
  /** Told of each object once the remote holds it complete. */
  onObject?: (hash: string) => void;
}

export interface PushResult extends TransferResult {
  remote: string;
  /** Objects the remote held damaged (wrong size, or with `verify` wrong content), sent again. */
  repaired: string[];
  /** Objects the versions need that are not in the local cache (cannot be pushed). */
  notCached: string[];
}

/**
 * Send the objects the workspace (or every commit, or the experiments) refers to,
 * skipping what the remote has already, intact: an object there of the wrong size (or,
 * with `verify`, the wrong content) is sent again and replaces it.
 * @example
 *   await push({ cwd, remote: 'origin', allCommits: true })
 */
export async function push(opts: PushOptions): Promise<PushResult> {
  checkCount('--jobs', opts.jobs);
  const repo = openRepo(opts);
  const remote = await openRemote(repo.config, repo.root, opts.remote);
  try {
    const items = await trackedInScope(repo, { workspace: true, allCommits: opts.allCommits, exps: opts.exps });
    const of = objectsOfTracked(repo, items);
    const notCached = [...of.objects].filter((h) => !repo.store.has(h)).concat(of.unknownManifests);
    const r = await pushInOrder(repo.store, remote, pushOrder(of), { jobs: opts.jobs, verify: opts.verify, onProgress: opts.onProgress, onObject: opts.onObject });
    if (r.failed.length) {
      throw new CheckFailedError(`push to '${remote.name}': ${r.failed.length} object(s) failed: ${r.failed[0].error}`, { failed: r.failed }, 'EPUSH');
    }
    return { remote: remote.name, ...r, repaired: r.repaired ?? [], notCached: [...new Set(notCached)] };
  } finally {
    await remote.close();
  }
}
