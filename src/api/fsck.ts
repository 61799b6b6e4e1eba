import type { OnProgress } from '../progress.js';
import { parseManifest } from '../store/manifest.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace } from '../repo/tracked.js';

export interface FsckProblem {
  hash: string;
  problem: 'corrupt' | 'bad-manifest' | 'missing' | 'size-mismatch';
  detail: string;
}

export interface FsckResult {
  checked: number;
  bytes: number;
  problems: FsckProblem[];
}

/**
 * Re-hash every cached object; report each whose bytes do not match its name, each
 * directory manifest that does not parse, and each object the workspace needs that is
 * absent.
 * @example
 *   const { problems } = await fsck({ cwd }); // problems.length > 0 → exit 1
 */
export async function fsck(opts: RepoOptions & { onProgress?: OnProgress }): Promise<FsckResult> {
  const repo = openRepo(opts);
  const problems: FsckProblem[] = [];
  let checked = 0;
  let bytes = 0;
  const hashes = [...repo.store.list()];
  for (const hash of hashes) {
    const actual = await repo.store.rehash(hash, (n) => { bytes += n; opts.onProgress?.({ unit: 'bytes', done: bytes }); });
    checked++;
    if (actual !== hash) problems.push({ hash, problem: 'corrupt', detail: `content hashes to ${actual}` });
  }
  for (const t of trackedInWorkspace(repo.root)) {
    if (!repo.store.has(t.hash)) { problems.push({ hash: t.hash, problem: 'missing', detail: `${t.path} (${t.source.file}) needs it` }); continue; }
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
      for (const e of entries) if (!repo.store.has(e.hash)) problems.push({ hash: e.hash, problem: 'missing', detail: `${t.path}/${e.path} needs it` });
    } catch (e) {
      problems.push({ hash: t.hash, problem: 'bad-manifest', detail: (e as Error).message });
    }
  }
  return { checked, bytes, problems };
}
