import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import { gitSync } from '../git/porcelain.js';
import type { OnProgress } from '../progress.js';
import { writeFileAtomic } from '../store/atomic.js';
import { ignoreInGit } from '../repo/gitignore.js';
import { withRepoLock } from '../repo/lock.js';
import { toRepoPath, fromRepoPath } from '../repo/paths.js';
import { parsePointer, pointerPathFor, renderPointer, type Pointer } from '../repo/pointer.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace } from '../repo/tracked.js';
import { hashPath, readManifest, type HashedPath } from '../repo/workspace.js';
import { excludedFromWalk, type Skipped } from '../repo/walk.js';
import { serializeManifest } from '../store/manifest.js';

export interface AddOptions extends RepoOptions {
  paths: string[];
  desc?: string;
  onProgress?: OnProgress;
}

export interface AddedPath extends Pointer {
  path: string;
  pointer: string;
  changed: boolean;
  skipped: Skipped[];
  /** The .gitignore that ignores the data (repo-relative). */
  gitignore: string;
  /**
   * Files of the directory's previous record that were never pulled here (neither in the
   * work tree nor in the cache), kept as recorded rather than recorded as deleted.
   */
  keptNotPulled?: { files: number; bytes: number };
}

/**
 * Store files or directories in the cache and write their `<path>.mlv` pointers.
 * Objects are written before the pointer that names them. Re-adding a directory pulled
 * only in part keeps the files it never pulled (see keepNotPulled); one of which nothing
 * was pulled (its manifest is not cached) is refused.
 * @example
 *   await add({ cwd, paths: ['data/raw.csv', 'data/images'], desc: 'June scrape' })
 */
export async function add(opts: AddOptions): Promise<AddedPath[]> {
  const repo = openRepo(opts);
  if (opts.paths.length === 0) throw new InputError('mlv add: name at least one file or directory');
  const paths = opts.paths.map((p) => toRepoPath(repo.root, opts.cwd, p));
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i];
    if (!existsSync(fromRepoPath(repo.root, p))) throw new NotFoundError('path', `${opts.paths[i]}: no such file or directory`, { path: p });
    if (p.endsWith('.mlv')) throw new InputError(`${opts.paths[i]}: is a pointer file; add the data it points to instead`, { path: p });
  }
  const inGit = gitSync(repo.root, ['ls-files', '-z', '--cached', '--', ...paths]).split('\0').filter((f) => f && !f.endsWith('.mlv') && !f.endsWith('.gitignore'));
  if (inGit.length) {
    const owner = paths.find((p) => inGit[0] === p || inGit[0].startsWith(p + '/')) ?? inGit[0];
    throw new InputError(`${owner}: is tracked by git (${inGit[0]}); run 'git rm -r --cached ${owner}' first, then mlv add it`, { path: owner });
  }
  const tracked = trackedInWorkspace(repo.root);
  for (const p of paths) {
    const outer = tracked.find((t) => p.startsWith(t.path + '/'));
    if (outer) throw new InputError(`${p}: is inside ${outer.path}, which is tracked as a whole; add ${outer.path} again instead`, { path: p });
    const inner = tracked.find((t) => t.path.startsWith(p + '/'));
    if (inner) throw new InputError(`${p}: contains ${inner.path}, which is tracked on its own (${inner.source.file}); remove that pointer first (git rm ${inner.source.file}) or add a different path`, { path: p });
    const lockOwned = tracked.find((t) => t.path === p && t.source.type === 'lock');
    if (lockOwned) throw new InputError(`${p}: is an output of stage ${(lockOwned.source as { stage: string }).stage} in mlv.lock; mlv repro tracks it`, { path: p });
  }
  const previous = new Map(paths.map((p) => [p, previousPointer(repo.root, p)]));
  for (const p of paths) {
    const was = previous.get(p);
    if (was?.kind !== 'dir' || repo.store.has(was.hash) || !statSync(fromRepoPath(repo.root, p)).isDirectory()) continue;
    // Its file list is unknown here: adding would record the local files as the whole directory.
    throw new InputError(`${p}: nothing of it is pulled here (its file list is not in the cache), so mlv add would drop every file not present; run mlv pull ${p} first (or remove ${pointerPathFor(p)} to record only the local files)`, { path: p, manifest: was.hash }, 'ENOTPULLED');
  }
  return withRepoLock(repo, 'add', async () => {
    const results: AddedPath[] = [];
    try {
      for (const p of paths) {
        let hashed = await hashPath(repo, p, { store: true, onProgress: opts.onProgress });
        if (!hashed) throw new NotFoundError('path', `${p}: disappeared while adding`, { path: p });
        const pointerRel = pointerPathFor(p);
        const pointerAbs = join(repo.root, ...pointerRel.split('/'));
        const was = previous.get(p);
        let keptNotPulled: AddedPath['keptNotPulled'];
        if (was?.kind === 'dir' && hashed.kind === 'dir') ({ hashed, kept: keptNotPulled } = keepNotPulled(repo, p, was, hashed));
        const pointer: Pointer = { kind: hashed.kind, hash: hashed.hash, size: hashed.size, files: hashed.files, desc: opts.desc ?? was?.desc };
        const text = renderPointer(pointer);
        const changed = !existsSync(pointerAbs) || readFileSync(pointerAbs, 'utf8') !== text;
        if (changed) writeFileAtomic(pointerAbs, text);
        const gitignore = ignoreInGit(repo.root, p);
        results.push({ ...pointer, path: p, pointer: pointerRel, changed, skipped: hashed.skipped, gitignore, ...(keptNotPulled ? { keptNotPulled } : {}) });
      }
    } finally {
      repo.state().save();
    }
    return results;
  });
}

function previousPointer(root: string, p: string): Pointer | undefined {
  const rel = pointerPathFor(p);
  const abs = join(root, ...rel.split('/'));
  if (!existsSync(abs)) return undefined;
  try { return parsePointer(readFileSync(abs, 'utf8'), rel); } catch { return undefined; }
}

/**
 * A file the previous record lists that is absent from the work tree and whose object is
 * not in the cache was never pulled here: the user cannot have deleted it, so it stays,
 * as recorded. One pulled (cached) and then removed is recorded as deleted, as is one
 * that `.mlvignore` now excludes (as in a clone that has it: the result does not depend
 * on what was pulled) or whose place a local file or directory took.
 */
function keepNotPulled(repo: Repo, p: string, was: Pointer, hashed: HashedPath): { hashed: HashedPath; kept?: { files: number; bytes: number } } {
  if (hashed.hash === was.hash) return { hashed };
  const present = hashed.entries ?? [];
  const files = new Set(present.map((e) => e.path));
  const absent = readManifest(repo, was.hash, p).filter((e) => !files.has(e.path) && !repo.store.has(e.hash));
  if (absent.length === 0) return { hashed };
  const dirs = new Set(present.flatMap((e) => parentsOf(e.path)));
  const excluded = excludedFromWalk(repo.root, p);
  const kept = absent.filter((e) => !dirs.has(e.path) && !parentsOf(e.path).some((d) => files.has(d)) && !excluded(e.path));
  if (kept.length === 0) return { hashed };
  const entries = [...present, ...kept];
  const bytes = kept.reduce((s, e) => s + e.size, 0);
  const hash = repo.store.addBytes(serializeManifest(entries)).hash;
  return { hashed: { ...hashed, hash, size: hashed.size + bytes, files: entries.length, entries }, kept: { files: kept.length, bytes } };
}

const parentsOf = (rel: string): string[] => {
  const out: string[] = [];
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i));
  return out;
};

/** The root of the git work tree that holds `cwd` (the CLI prints paths relative to it). */
export { gitRootOrThrow } from '../repo/Repo.js';
