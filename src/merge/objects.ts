/**
 * The few objects a merge reads (manifests), taken from the cache or, when missing,
 * fetched from the default remote: a teammate's branch names manifests this clone has
 * never seen.
 */
import { NotFoundError } from '../errors/index.js';
import type { Repo } from '../repo/Repo.js';
import { openRemote } from '../remote/open.js';
import { pullObjects } from '../remote/transfer.js';

export async function ensureObjects(repo: Repo, hashes: string[], what: string): Promise<number> {
  const missing = [...new Set(hashes)].filter((h) => !repo.store.has(h));
  if (missing.length === 0) return 0;
  if (Object.keys(repo.config.remotes).length === 0) {
    throw new NotFoundError('object', `${what}: manifest ${missing[0].slice(0, 12)} is not in the cache and no remote is configured to fetch it from (mlv pull on the other branch, or mlv remote add)`, { missing });
  }
  const remote = await openRemote(repo.config, repo.root);
  try {
    const r = await pullObjects(repo.store, remote, missing);
    const still = missing.filter((h) => !repo.store.has(h));
    if (still.length) {
      throw new NotFoundError('object', `${what}: manifest ${still[0].slice(0, 12)} is neither in the cache nor on remote '${remote.name}'${r.failed.length ? ` (${r.failed[0].error})` : ''}`, { missing: still });
    }
    return r.transferred;
  } finally {
    await remote.close();
  }
}
