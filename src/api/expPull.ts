import { NotFoundError } from '../errors/index.js';
import { EXP_PREFIX, listExps } from '../experiments/refs.js';
import { transferRefs } from '../git/porcelain.js';
import { objectsOfTracked, trackedInScope } from '../repo/reachable.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { fetchMissing } from '../remote/fetch.js';

export interface ExpPullOptions extends RepoOptions {
  /** The git remote to fetch `refs/mlv/exps/*` from. */
  gitRemote: string;
  force?: boolean;
}

export interface ExpPullResult {
  gitRemote: string;
  /** Experiments known after the fetch. */
  refs: number;
  /** Objects brought from the mlv remote for them. */
  transferred: number;
  /** Objects the experiments need that are still not in the cache (no mlv remote, or not on it). */
  missing: number;
  warning?: string;
}

/**
 * Fetch experiments from a git remote, then the cached objects their commits need from
 * the default mlv remote (when one is configured).
 * @example
 *   await expPull({ cwd, gitRemote: 'origin' });
 */
export async function expPull(opts: ExpPullOptions): Promise<ExpPullResult> {
  const repo = openRepo(opts);
  await transferRefs(repo.root, 'fetch', opts.gitRemote, `${opts.force ? '+' : ''}${EXP_PREFIX}*:${EXP_PREFIX}*`);
  const refs = listExps(repo.root).length;
  const items = await trackedInScope(repo, { exps: true });
  let transferred = 0;
  let warning: string | undefined;
  try {
    transferred = await fetchMissing(repo, items);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    warning = e.message;
  }
  const { objects, unknownManifests } = objectsOfTracked(repo, items);
  const missing = [...objects].filter((h) => !repo.store.has(h)).length + unknownManifests.length;
  return { gitRemote: opts.gitRemote, refs, transferred, missing, ...(warning ? { warning } : {}) };
}
