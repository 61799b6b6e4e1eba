/**
 * Bringing the objects of tracked data from a remote into the cache: the machinery under
 * `mlv pull`/`fetch`, and the fetch of what `get`, `repro --rev` and `exp pull` lack.
 */
import { NotFoundError } from '../errors/index.js';
import { objectsOfTracked } from '../repo/reachable.js';
import type { Repo } from '../repo/Repo.js';
import type { Tracked } from '../repo/tracked.js';
import { readManifest } from '../repo/workspace.js';
import { addObjectsOf } from '../store/chunked.js';
import { openRemote } from './open.js';
import { pullObjects, type TransferResult } from './transfer.js';

export const under = (rel: string, subs: string[]) => subs.some((s) => rel === s || rel.startsWith(s + '/'));

/** Objects of items, narrowed to the files under `subs` for directories pulled in part. */
function objectsOf(repo: Repo, items: Tracked[], subs: Map<Tracked, string[]>): { objects: Set<string>; unknownManifests: string[] } {
  const whole = objectsOfTracked(repo, items.filter((t) => !subs.has(t)));
  for (const [t, s] of subs) {
    whole.objects.add(t.hash);
    if (!repo.store.has(t.hash)) { whole.unknownManifests.push(t.hash); continue; }
    const entries = readManifest(repo, t.hash, t.path).filter((e) => under(e.path, s));
    if (entries.length === 0) throw new NotFoundError('path', `${s.map((x) => `${t.path}/${x}`).join(', ')}: not in tracked directory ${t.path}`);
    for (const e of entries) addObjectsOf(repo.store, e.hash, whole.objects, whole.unknownManifests);
  }
  return whole;
}

/** Pull in rounds: manifests and chunk lists first (they name the rest), then what they name. */
export async function transferFor(
  repo: Repo,
  items: Tracked[],
  move: (hashes: Iterable<string>, present: Set<string>) => Promise<TransferResult & { absent: string[] }>,
  list: () => Promise<Set<string>>,
  subs: Map<Tracked, string[]> = new Map(),
): Promise<TransferResult & { absent: string[] }> {
  const present = await list();
  const total: TransferResult & { absent: string[] } = { transferred: 0, bytes: 0, skipped: 0, failed: [], absent: [] };
  const add = (r: TransferResult & { absent: string[] }) => {
    total.transferred += r.transferred; total.bytes += r.bytes; total.skipped += r.skipped;
    total.failed.push(...r.failed); total.absent.push(...r.absent);
  };
  let round = objectsOf(repo, items, subs);
  add(await move([...round.objects, ...round.unknownManifests], present));
  // Manifests name chunk lists and lists name chunks: a round for what the last one made known.
  for (let i = 0; i < 2 && round.unknownManifests.some((h) => repo.store.has(h)); i++) {
    total.absent = [];
    round = objectsOf(repo, items, subs);
    add(await move([...round.objects, ...round.unknownManifests], present));
  }
  total.absent = [...new Set(total.absent)];
  return total;
}

/** For get/repro: make sure the objects of `items` are cached, pulling from the default remote if needed. */
export async function fetchMissing(repo: Repo, items: Tracked[]): Promise<number> {
  const { objects, unknownManifests } = objectsOfTracked(repo, items);
  const missing = [...objects].filter((h) => !repo.store.has(h));
  if (missing.length === 0 && unknownManifests.length === 0) return 0;
  // Name only the data whose objects are absent, not everything asked for.
  const lacking = (list: Tracked[]) => list.filter((t) => { const o = objectsOfTracked(repo, [t]); return o.unknownManifests.length > 0 || [...o.objects].some((h) => !repo.store.has(h)); });
  const names = lacking(items).map((t) => t.path).join(', ');
  if (Object.keys(repo.config.remotes).length === 0) {
    throw new NotFoundError('object', `${names}: data is not in the cache and no remote is configured to pull it from`, { paths: items.map((t) => t.path) });
  }
  const remote = await openRemote(repo.config, repo.root);
  try {
    const r = await transferFor(repo, items, (hashes, present) => pullObjects(repo.store, remote, hashes, { present }), remote.list.bind(remote));
    const still = objectsOfTracked(repo, items);
    const absent = [...still.objects].filter((h) => !repo.store.has(h));
    if (absent.length || still.unknownManifests.length) {
      throw new NotFoundError('object', `${lacking(items).map((t) => t.path).join(', ')}: ${absent.length + still.unknownManifests.length} object(s) are neither in the cache nor on remote '${remote.name}'${r.failed.length ? ` (${r.failed[0].error})` : ''}`, { absent });
    }
    return r.transferred;
  } finally {
    await remote.close();
  }
}
