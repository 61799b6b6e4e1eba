import { CheckFailedError, NotFoundError } from '../errors/index.js';
import type { OnProgress } from '../progress.js';
import { withLock } from '../repo/lock.js';
import { toRepoPath } from '../repo/paths.js';
import { objectsOfTracked, trackedInScope } from '../repo/reachable.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import type { Tracked } from '../repo/tracked.js';
import { openRemote } from '../remote/open.js';
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
  const repo = openRepo(opts);
  const remote = await openRemote(repo.config, repo.root, opts.remote);
  try {
    const result = await withLock(repo.mlvDir, 'pull', async () => {
      let items = await trackedInScope(repo, { workspace: true, allCommits: opts.allCommits });
      if (opts.paths?.length) {
        const filter = opts.paths.map((p) => toRepoPath(repo.root, opts.cwd, p).replace(/\.mlv$/, ''));
        items = items.filter((t) => filter.some((f) => t.path === f || t.path.startsWith(f + '/') || f.startsWith(t.path + '/')));
        if (items.length === 0) throw new NotFoundError('path', `${opts.paths.join(', ')}: not tracked by mlv`);
      }
      return transferFor(repo, items, (hashes, present) => pullObjects(repo.store, remote, hashes, { jobs: opts.jobs, onProgress: opts.onProgress, present }), remote.list.bind(remote));
    });
    const out: PullResult = { remote: remote.name, ...result };
    if (result.failed.length) {
      throw new CheckFailedError(`pull from '${remote.name}': ${result.failed.length} object(s) failed: ${result.failed[0].error}`, { failed: result.failed }, 'EPULL');
    }
    if (!opts.noCheckout) out.checkout = await checkout({ cwd: opts.cwd, paths: opts.paths, force: opts.force });
    return out;
  } finally {
    await remote.close();
  }
}

/** Pull in two rounds: manifests first (they name the rest), then blobs. */
async function transferFor(
  repo: Repo,
  items: Tracked[],
  move: (hashes: Iterable<string>, present: Set<string>) => Promise<TransferResult & { absent: string[] }>,
  list: () => Promise<Set<string>>,
): Promise<TransferResult & { absent: string[] }> {
  const present = await list();
  const total: TransferResult & { absent: string[] } = { transferred: 0, bytes: 0, skipped: 0, failed: [], absent: [] };
  const add = (r: TransferResult & { absent: string[] }) => {
    total.transferred += r.transferred; total.bytes += r.bytes; total.skipped += r.skipped;
    total.failed.push(...r.failed); total.absent.push(...r.absent);
  };
  const first = objectsOfTracked(repo, items);
  add(await move([...first.objects, ...first.unknownManifests], present));
  if (first.unknownManifests.length) {
    const second = objectsOfTracked(repo, items.filter((t) => t.kind === 'dir' && first.unknownManifests.includes(t.hash) && repo.store.has(t.hash)));
    add(await move(second.objects, present));
  }
  return total;
}

/** For get/repro: make sure the objects of `items` are cached, pulling from the default remote if needed. */
export async function fetchMissing(repo: Repo, items: Tracked[]): Promise<number> {
  const { objects, unknownManifests } = objectsOfTracked(repo, items);
  const missing = [...objects].filter((h) => !repo.store.has(h));
  if (missing.length === 0 && unknownManifests.length === 0) return 0;
  const names = items.map((t) => t.path).join(', ');
  if (Object.keys(repo.config.remotes).length === 0) {
    throw new NotFoundError('object', `${names}: data is not in the cache and no remote is configured to pull it from`, { paths: items.map((t) => t.path) });
  }
  const remote = await openRemote(repo.config, repo.root);
  try {
    const r = await transferFor(repo, items, (hashes, present) => pullObjects(repo.store, remote, hashes, { present }), remote.list.bind(remote));
    const still = objectsOfTracked(repo, items);
    const absent = [...still.objects].filter((h) => !repo.store.has(h));
    if (absent.length || still.unknownManifests.length) {
      throw new NotFoundError('object', `${names}: ${absent.length + still.unknownManifests.length} object(s) are neither in the cache nor on remote '${remote.name}'${r.failed.length ? ` (${r.failed[0].error})` : ''}`, { absent });
    }
    return r.transferred;
  } finally {
    await remote.close();
  }
}
