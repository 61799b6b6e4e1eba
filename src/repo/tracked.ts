/**
 * What a version tracks: every `<path>.mlv` pointer, and every cached output recorded in
 * an `mlv.lock`, read from the work tree or from a commit.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { catBlobs, lsFiles, lsTree } from '../git/porcelain.js';
import { UnsafePathError } from '../errors/index.js';
import { LOCK_FILE, readLock } from './lockfile.js';
import { checkPathText, workPath } from './workpath.js';
import { dataPathFor, parsePointer, POINTER_SUFFIX, type Pointer } from './pointer.js';

export interface Tracked extends Pointer {
  /** Repo-relative path of the data. */
  path: string;
  /** Where it is recorded: a pointer file, or a stage in mlv.lock. */
  source: { type: 'pointer'; file: string } | { type: 'lock'; file: string; stage: string };
  /** An output recorded with `cache: false` (committed to git): listed only when asked for. */
  uncached?: true;
}

/** An mlv.lock at the root or in a subdirectory (a pipeline of its own). */
export const isLockFile = (path: string): boolean => path === LOCK_FILE || path.endsWith('/' + LOCK_FILE);

/** Where a tracked path was recorded, as errors name it: `data.mlv`, `mlv.lock: stage 'train'`. */
export function sourceName(t: { source?: Tracked['source'] } | undefined): string {
  if (!t?.source) return 'path';
  return t.source.type === 'pointer' ? t.source.file : `${t.source.file}: stage '${t.source.stage}'`;
}

/** Cached outputs and metrics recorded in an mlv.lock, as tracked data (`uncached`: the `cache: false` ones too, marked). */
export function lockTracked(text: string, file: string, uncached = false): Tracked[] {
  const dir = posix.dirname(file);
  const prefix = dir === '.' ? '' : dir + '/';
  const out: Tracked[] = [];
  for (const [stage, s] of Object.entries(readLock(text, file).stages)) {
    for (const o of [...s.outs, ...s.metrics]) {
      if (!o.cache && !uncached) continue;
      out.push({ path: prefix + o.path, kind: o.kind, hash: o.hash, size: o.size, files: o.files, source: { type: 'lock', file, stage }, ...(o.cache ? {} : { uncached: true as const }) });
    }
  }
  return out;
}

function fromPointer(file: string, text: string): Tracked {
  return { ...parsePointer(text, file), path: checkPathText(dataPathFor(file), file), source: { type: 'pointer', file } };
}

export function trackedInWorkspace(root: string, uncached = false): Tracked[] {
  const out: Tracked[] = [];
  // One `git ls-files` for pointers and lock files alike: it runs on every status.
  const specs = [`*${POINTER_SUFFIX}`, LOCK_FILE, `*/${LOCK_FILE}`];
  for (const file of lsFiles(root, specs)) {
    if (file.startsWith('.mlv/')) continue;
    const pointer = file.endsWith(POINTER_SUFFIX);
    if (!pointer && !isLockFile(file)) continue;
    let text: string;
    const abs = workPath(root, file, file, { leaf: true });
    try { text = readFileSync(abs, 'utf8'); } catch { continue; } // deleted but still in the index
    out.push(...(pointer ? [fromPointer(file, text)] : lockTracked(text, file, uncached)));
  }
  return sortTracked(out);
}

export async function trackedAtCommit(root: string, commit: string): Promise<Tracked[]> {
  const rows = lsTree(root, commit).filter(
    (r) => r.path.endsWith(POINTER_SUFFIX) || isLockFile(r.path),
  );
  const blobs = await catBlobs(root, rows.map((r) => r.oid));
  const out: Tracked[] = [];
  for (const r of rows) {
    const text = blobs.get(r.oid)?.toString('utf8') ?? '';
    if (r.path.endsWith(POINTER_SUFFIX)) { out.push(fromPointer(r.path, text)); continue; }
    out.push(...lockTracked(text, r.path));
  }
  return sortTracked(out);
}

/**
 * Refuse tracked data that a commit's own symbolic links lead into or over (a link
 * committed at `d/sub` with data recorded at `d`): git makes the link when it checks the
 * commit out, and the data would then be written through it. Checked before git moves.
 */
export function refuseLinksAtCommit(root: string, commit: string, tracked: Tracked[]): void {
  const links = lsTree(root, commit).filter((r) => r.mode === '120000').map((r) => r.path);
  if (links.length === 0) return;
  for (const t of tracked) {
    const link = links.find((l) => l === t.path || t.path.startsWith(l + '/') || l.startsWith(t.path + '/'));
    if (link) throw new UnsafePathError(sourceName(t), t.path, `meets a symbolic link committed at ${link}`);
  }
}

function sortTracked(list: Tracked[]): Tracked[] {
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
