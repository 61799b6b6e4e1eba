import { objectsOfTracked, trackedInScope } from '../repo/reachable.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { openRemote } from '../remote/open.js';

export interface RemoteStatusRow {
  /** The tracked path (file or directory) the objects belong to. */
  path: string;
  kind: 'file' | 'dir';
  objects: number;
  bytes: number;
}

export interface RemoteStatusResult {
  remote: string;
  /** In the local cache, not on the remote: what `mlv push` would send. */
  notPushed: RemoteStatusRow[];
  /** On the remote, not in the local cache: what `mlv pull` would fetch. */
  notLocal: RemoteStatusRow[];
  /** Neither here nor there: lost unless someone else still has them. */
  missing: RemoteStatusRow[];
  /** Directories whose listing is on neither side, so their files cannot be counted. */
  unknown: string[];
  clean: boolean;
}

/**
 * Compare the objects the workspace's pointers (or every commit's) need with what the
 * local cache and a remote hold: one listing of the remote, no transfer.
 * @example
 *   const { notPushed, notLocal } = await remoteStatus({ cwd, remote: 'origin' })
 */
export async function remoteStatus(opts: RepoOptions & { remote?: string; allCommits?: boolean }): Promise<RemoteStatusResult> {
  const repo = openRepo(opts);
  const remote = await openRemote(repo.config, repo.root, opts.remote);
  try {
    const sizes = remote.listSizes ? await remote.listSizes() : new Map([...(await remote.list())].map((h) => [h, -1] as const));
    const onRemote = (h: string) => sizes.has(h) && (!repo.store.has(h) || sizes.get(h) === -1 || sizes.get(h) === repo.store.size(h));
    const items = await trackedInScope(repo, { workspace: true, allCommits: opts.allCommits });
    const result: RemoteStatusResult = { remote: remote.name, notPushed: [], notLocal: [], missing: [], unknown: [], clean: true };
    // An object shared by two paths is counted once, under the first.
    const seen = new Set<string>();
    for (const t of items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      const { objects, unknownManifests } = objectsOfTracked(repo, [t]);
      if (unknownManifests.length && !unknownManifests.every((h) => sizes.has(h))) result.unknown.push(t.path);
      const rows = {
        notPushed: { path: t.path, kind: t.kind, objects: 0, bytes: 0 },
        notLocal: { path: t.path, kind: t.kind, objects: 0, bytes: 0 },
        missing: { path: t.path, kind: t.kind, objects: 0, bytes: 0 },
      };
      for (const h of objects) {
        if (seen.has(h)) continue;
        seen.add(h);
        const here = repo.store.has(h);
        const there = onRemote(h);
        if (here && !there) { rows.notPushed.objects++; rows.notPushed.bytes += repo.store.size(h); }
        else if (!here && there) { rows.notLocal.objects++; rows.notLocal.bytes += Math.max(0, sizes.get(h) ?? 0); }
        else if (!here && !there) rows.missing.objects++;
      }
      for (const k of ['notPushed', 'notLocal', 'missing'] as const) if (rows[k].objects) result[k].push(rows[k]);
    }
    result.clean = !result.notPushed.length && !result.notLocal.length && !result.missing.length && !result.unknown.length;
    return result;
  } finally {
    await remote.close();
  }
}
