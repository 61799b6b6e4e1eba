/**
 * What a version tracks: every `<path>.mlv` pointer, and (through a registered reader)
 * every cached output recorded in `mlv.lock`, read from the work tree or from a commit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catBlobs, lsFiles, lsTree } from '../git/porcelain.js';
import { dataPathFor, parsePointer, POINTER_SUFFIX, type Pointer } from './pointer.js';

export interface Tracked extends Pointer {
  /** Repo-relative path of the data. */
  path: string;
  /** Where it is recorded: a pointer file, or a stage in mlv.lock. */
  source: { type: 'pointer'; file: string } | { type: 'lock'; file: string; stage: string };
}

/** Readers of other files that record tracked outputs (mlv.lock), keyed by file name. */
export type LockReader = (text: string, file: string) => Tracked[];
const lockReaders: Array<{ file: string; read: LockReader }> = [];

/** The reader for a path, if some registered reader owns files of that name. */
export function lockReadersFor(path: string): LockReader | undefined {
  return lockReaders.find((l) => path === l.file || path.endsWith('/' + l.file))?.read;
}

export function registerLockReader(file: string, read: LockReader): void {
  if (!lockReaders.some((r) => r.file === file)) lockReaders.push({ file, read });
}

function fromPointer(file: string, text: string): Tracked {
  return { ...parsePointer(text, file), path: dataPathFor(file), source: { type: 'pointer', file } };
}

export function trackedInWorkspace(root: string): Tracked[] {
  const out: Tracked[] = [];
  // One `git ls-files` for pointers and lock files alike: it runs on every status.
  const specs = [`*${POINTER_SUFFIX}`, ...lockReaders.flatMap((r) => [r.file, `*/${r.file}`])];
  for (const file of lsFiles(root, specs)) {
    if (file.startsWith('.mlv/')) continue;
    const reader = file.endsWith(POINTER_SUFFIX) ? undefined : lockReadersFor(file);
    if (!reader && !file.endsWith(POINTER_SUFFIX)) continue;
    let text: string;
    try { text = readFileSync(join(root, file), 'utf8'); } catch { continue; } // deleted but still in the index
    out.push(...(reader ? reader(text, file) : [fromPointer(file, text)]));
  }
  return sortTracked(out);
}

export async function trackedAtCommit(root: string, commit: string): Promise<Tracked[]> {
  const rows = lsTree(root, commit).filter(
    (r) => r.path.endsWith(POINTER_SUFFIX) || lockReaders.some((l) => r.path === l.file || r.path.endsWith('/' + l.file)),
  );
  const blobs = await catBlobs(root, rows.map((r) => r.oid));
  const out: Tracked[] = [];
  for (const r of rows) {
    const text = blobs.get(r.oid)?.toString('utf8') ?? '';
    if (r.path.endsWith(POINTER_SUFFIX)) { out.push(fromPointer(r.path, text)); continue; }
    const reader = lockReaders.find((l) => r.path === l.file || r.path.endsWith('/' + l.file));
    if (reader) out.push(...reader.read(text, r.path));
  }
  return sortTracked(out);
}

function sortTracked(list: Tracked[]): Tracked[] {
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
