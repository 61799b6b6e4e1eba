/**
 * Moving objects between the cache and a remote: only what is missing, in parallel,
 * verified on arrival (uploads by the remote, downloads by re-hashing before the
 * object enters the cache).
 */
import { rmSync } from 'node:fs';
import { MlvError } from '../errors/index.js';
import type { OnProgress } from '../progress.js';
import { hashFile } from '../store/hash.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import type { Remote } from './Remote.js';

export interface TransferResult {
  transferred: number;
  bytes: number;
  skipped: number; // already there
  /** `code`: the MlvError code, when there is one (`ECORRUPT`: the remote's copy is damaged). */
  failed: Array<{ hash: string; error: string; code?: string }>;
  /** Of the transferred, objects the remote held damaged and that were replaced (push only). */
  repaired?: string[];
}

/**
 * Run `fn` over items with at most `jobs` at once. Items whose `fn` resolves carry on
 * regardless; once one throws, no new item starts and the first error is rethrown.
 */
export async function pool<T>(items: T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (next < items.length && !stopped) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        stopped = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

export interface TransferOptions {
  jobs?: number;
  onProgress?: OnProgress;
  /** Told of each object once it is complete on the other side (tests, logs). */
  onObject?: (hash: string) => void;
}

export interface PushTransferOptions extends TransferOptions {
  /**
   * Re-hash every object the remote already has that the push would skip (`push
   * --verify`), and replace the damaged ones. Without it only the size is compared.
   */
  verify?: boolean;
}

/** What the remote holds intact, as far as a listing tells: with sizes, an object of the wrong size is damaged. */
interface Survey { present: Set<string>; damaged: Set<string> }

/** Sizes are read and compared only for `wanted`, the objects the push would send. */
async function survey(store: ObjectStore, remote: Remote, wanted: ReadonlySet<string>): Promise<Survey> {
  const damaged = new Set<string>();
  if (!remote.listSizes) return { present: await remote.list(), damaged };
  const present = new Set<string>();
  for (const [h, size] of await remote.listSizes((x) => wanted.has(x))) {
    if (!wanted.has(h) || size === -1 || !store.has(h) || store.size(h) === size) present.add(h);
    else damaged.add(h);
  }
  return { present, damaged };
}

/** The remote's copy hashes to its name: re-hashed in place where the remote can, else downloaded and hashed. */
async function intactOn(store: ObjectStore, remote: Remote, hash: string): Promise<boolean> {
  if (remote.rehash) return (await remote.rehash(hash)) === hash;
  const tmp = store.tempPath('verify');
  try {
    const got = await remote.download(hash, tmp);
    return (got ?? (await hashFile(tmp))) === hash;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Push groups of objects in order (data before what names it: docs/FORMAT.md, "Remotes"),
 * listing the remote once. A group with a failure stops the push before the next group.
 */
export async function pushInOrder(store: ObjectStore, remote: Remote, groups: Iterable<string>[], opts: PushTransferOptions = {}): Promise<TransferResult> {
  const lists = groups.map((g) => [...g]);
  const known = await survey(store, remote, new Set(lists.flat()));
  const total: TransferResult = { transferred: 0, bytes: 0, skipped: 0, failed: [], repaired: [] };
  for (const g of lists) {
    const r = await pushObjects(store, remote, g, { ...opts, known });
    total.transferred += r.transferred;
    total.bytes += r.bytes;
    total.skipped += r.skipped;
    total.failed.push(...r.failed);
    total.repaired!.push(...(r.repaired ?? []));
    if (r.failed.length) break;
  }
  return total;
}

export async function pushObjects(store: ObjectStore, remote: Remote, hashes: Iterable<string>, opts: PushTransferOptions & { known?: Survey } = {}): Promise<TransferResult> {
  const wanted = [...new Set(hashes)].filter((h) => store.has(h));
  const { present, damaged } = opts.known ?? (await survey(store, remote, new Set(wanted)));
  const jobs = opts.jobs ?? remote.defaultJobs;
  const suspect = new Set(wanted.filter((h) => damaged.has(h)));
  if (opts.verify) {
    await pool(wanted.filter((h) => present.has(h)), jobs, async (h) => { if (!(await intactOn(store, remote, h))) suspect.add(h); });
  }
  const todo = wanted.filter((h) => !present.has(h) || suspect.has(h));
  const result: TransferResult = { transferred: 0, bytes: 0, skipped: wanted.length - todo.length, failed: [], repaired: [] };
  const total = todo.reduce((s, h) => s + store.size(h), 0);
  let done = 0;
  await pool(todo, jobs, async (hash) => {
    const size = store.size(hash);
    try {
      await remote.upload(hash, store.path(hash), size, (n) => { done += n; opts.onProgress?.({ unit: 'bytes', done, total }); });
      result.transferred++;
      result.bytes += size;
      if (suspect.has(hash)) result.repaired!.push(hash);
      opts.onObject?.(hash);
    } catch (e) {
      // Errors that no retry of another object can escape (credentials, missing bucket) stop the push.
      if (e instanceof MlvError && e.data.fatal) throw e;
      result.failed.push({ hash, error: (e as Error).message });
    }
  });
  return result;
}

export async function pullObjects(store: ObjectStore, remote: Remote, hashes: Iterable<string>, opts: TransferOptions & { present?: Set<string> } = {}): Promise<TransferResult & { absent: string[] }> {
  const wanted = [...new Set(hashes)].filter((h) => !store.has(h));
  const present = opts.present ?? (await remote.list());
  const absent = wanted.filter((h) => !present.has(h));
  const todo = wanted.filter((h) => present.has(h));
  const result = { transferred: 0, bytes: 0, skipped: 0, failed: [] as TransferResult['failed'], absent };
  let done = 0;
  await pool(todo, opts.jobs ?? remote.defaultJobs, async (hash) => {
    const tmp = store.tempPath('pull');
    try {
      const hashed = await remote.download(hash, tmp, (n) => { done += n; opts.onProgress?.({ unit: 'bytes', done }); });
      await store.adoptTemp(tmp, hash, `remote '${remote.name}'`, hashed || undefined);
      result.transferred++;
      result.bytes += store.size(hash);
      opts.onObject?.(hash);
    } catch (e) {
      rmSync(tmp, { force: true });
      if (e instanceof MlvError && e.data.fatal) throw e;
      result.failed.push({ hash, error: (e as Error).message, ...(e instanceof MlvError ? { code: e.code } : {}) });
    }
  });
  return result;
}
