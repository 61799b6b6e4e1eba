import type { OnProgress } from '../progress.js';
import { existsSync } from 'node:fs';
import { parseManifest } from '../store/manifest.js';
import { fromRepoPath } from '../repo/paths.js';
import { readChunkList } from '../store/chunked.js';
import { isChunkedId, objectOf } from '../store/chunklist.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace } from '../repo/tracked.js';
import { objectFile } from '../repo/workspace.js';

export interface FsckProblem {
  hash: string;
  problem: 'corrupt' | 'bad-manifest' | 'bad-chunk-list' | 'missing' | 'size-mismatch';
  detail: string;
  /** A corrupt object's file, from the repository root: deleting it lets a pull fetch it again. */
  object?: string;
}

/** Data recorded but neither in the cache nor in the work tree: never fetched, not damage. */
export interface FsckNotPulled {
  path: string;
  /** The pointer or `mlv.lock` that records it. */
  file: string;
  files: number;
  bytes: number;
}

export interface FsckResult {
  checked: number;
  bytes: number;
  problems: FsckProblem[];
  /** What `mlv pull` would fetch; `status --check` passes on it, and so does fsck. */
  notPulled: FsckNotPulled[];
}

/**
 * Re-hash every cached object; report each whose bytes do not match its name, each
 * directory manifest that does not parse, and each object the workspace needs that is
 * absent while its data is in the work tree. Data absent from both (a fresh clone, a
 * partial pull) is listed apart as not pulled, as `status` does: it is not damage.
 * @example
 *   const { problems } = await fsck({ cwd }); // problems.length > 0 → exit 1
 */
export async function fsck(opts: RepoOptions & { onProgress?: OnProgress }): Promise<FsckResult> {
  const repo = openRepo(opts);
  const problems: FsckProblem[] = [];
  const notPulled: FsckNotPulled[] = [];
  const inTree = (path: string) => existsSync(fromRepoPath(repo.root, path));
  let checked = 0;
  let bytes = 0;
  const hashes = [...repo.store.list()];
  for (const hash of hashes) {
    const actual = await repo.store.rehash(hash, (n) => { bytes += n; opts.onProgress?.({ unit: 'bytes', done: bytes }); });
    checked++;
    if (actual !== hash) problems.push({ hash, problem: 'corrupt', detail: `content hashes to ${actual}`, object: objectFile(repo, hash) });
  }
  const corrupt = new Map(problems.map((p) => [p.hash, p]));
  for (const t of trackedInWorkspace(repo.root)) {
    if (t.kind === 'file' && isChunkedId(t.hash) && (repo.store.has(objectOf(t.hash)) || inTree(t.path))) { checkChunked(repo.store, t.hash, t.size, `${t.path} (${t.source.file})`, problems, corrupt); continue; }
    if (!repo.store.has(t.hash)) {
      if (inTree(t.path)) problems.push({ hash: t.hash, problem: 'missing', detail: `${t.path} (${t.source.file}) needs it` });
      else notPulled.push({ path: t.path, file: t.source.file, files: t.files, bytes: t.size });
      continue;
    }
    if (corrupt.has(t.hash)) {
      if (t.kind === 'file') corrupt.get(t.hash)!.detail += `; it is ${t.path} (${t.source.file})`;
      continue;
    }
    if (problems.some((p) => p.hash === t.hash)) continue;
    if (t.kind === 'file') {
      const size = repo.store.size(t.hash);
      if (size !== t.size) problems.push({ hash: t.hash, problem: 'size-mismatch', detail: `${t.source.file} says size ${t.size}, the object has ${size} bytes` });
      continue;
    }
    try {
      const entries = parseManifest(repo.store.readVerified(t.hash), t.path);
      const total = entries.reduce((a, e) => a + e.size, 0);
      if (total !== t.size || entries.length !== t.files) problems.push({ hash: t.hash, problem: 'size-mismatch', detail: `${t.source.file} says ${t.files} files, ${t.size} bytes; the manifest has ${entries.length} files, ${total} bytes` });
      for (const e of entries) if (corrupt.has(e.hash)) corrupt.get(e.hash)!.detail += `; it is ${t.path}/${e.path} (${t.source.file})`;
      const lacking = entries.filter((e) => !repo.store.has(e.hash));
      const absent = lacking.filter((e) => !inTree(`${t.path}/${e.path}`));
      for (const e of lacking) {
        if (absent.includes(e)) continue;
        if (isChunkedId(e.hash)) checkChunked(repo.store, e.hash, e.size, `${t.path}/${e.path}`, problems, corrupt);
        else problems.push({ hash: e.hash, problem: 'missing', detail: `${t.path}/${e.path} needs it` });
      }
      if (absent.length) notPulled.push({ path: t.path, file: t.source.file, files: absent.length, bytes: absent.reduce((a, e) => a + e.size, 0) });
    } catch (e) {
      problems.push({ hash: t.hash, problem: 'bad-manifest', detail: (e as Error).message });
    }
  }
  return { checked, bytes, problems, notPulled };
}

/**
 * A chunked file: its list must be cached, parse and add up to the recorded size, and
 * every chunk must be cached. A chunk found corrupt above is named with the file it
 * belongs to.
 */
function checkChunked(store: ObjectStore, id: string, size: number, who: string, problems: FsckProblem[], corrupt: Map<string, FsckProblem>): void {
  const listHash = objectOf(id);
  if (!store.has(listHash)) { problems.push({ hash: listHash, problem: 'missing', detail: `${who} needs this chunk list` }); return; }
  if (corrupt.has(listHash)) { corrupt.get(listHash)!.detail += `; it is the chunk list of ${who}`; return; }
  let chunks;
  try {
    ({ chunks } = readChunkList(store, id, who));
  } catch (e) {
    problems.push({ hash: listHash, problem: 'bad-chunk-list', detail: (e as Error).message });
    return;
  }
  const total = chunks.reduce((a, c) => a + c.size, 0);
  if (total !== size) problems.push({ hash: listHash, problem: 'size-mismatch', detail: `${who} says size ${size}, its chunk list has ${total} bytes` });
  chunks.forEach((c, i) => {
    const which = `chunk ${i + 1} of ${chunks.length} of ${who}`;
    if (corrupt.has(c.hash)) corrupt.get(c.hash)!.detail += `; it is ${which}`;
    else if (!store.has(c.hash)) problems.push({ hash: c.hash, problem: 'missing', detail: `${which} needs it` });
  });
}
