import type { OnProgress } from '../progress.js';
import { existsSync } from 'node:fs';
import { parseManifest } from '../store/manifest.js';
import { fromRepoPath } from '../repo/paths.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace } from '../repo/tracked.js';

export interface FsckProblem {
  hash: string;
  problem: 'corrupt' | 'bad-manifest' | 'missing' | 'size-mismatch';
  detail: string;
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
    if (actual !== hash) problems.push({ hash, problem: 'corrupt', detail: `content hashes to ${actual}` });
  }
  for (const t of trackedInWorkspace(repo.root)) {
    if (!repo.store.has(t.hash)) {
      if (inTree(t.path)) problems.push({ hash: t.hash, problem: 'missing', detail: `${t.path} (${t.source.file}) needs it` });
      else notPulled.push({ path: t.path, file: t.source.file, files: t.files, bytes: t.size });
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
      const lacking = entries.filter((e) => !repo.store.has(e.hash));
      const absent = lacking.filter((e) => !inTree(`${t.path}/${e.path}`));
      for (const e of lacking) if (!absent.includes(e)) problems.push({ hash: e.hash, problem: 'missing', detail: `${t.path}/${e.path} needs it` });
      if (absent.length) notPulled.push({ path: t.path, file: t.source.file, files: absent.length, bytes: absent.reduce((a, e) => a + e.size, 0) });
    } catch (e) {
      problems.push({ hash: t.hash, problem: 'bad-manifest', detail: (e as Error).message });
    }
  }
  return { checked, bytes, problems, notPulled };
}
