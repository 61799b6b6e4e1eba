import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import { gitSync } from '../git/porcelain.js';
import type { OnProgress } from '../progress.js';
import { writeFileAtomic } from '../store/atomic.js';
import { ignoreInGit } from '../repo/gitignore.js';
import { withLock } from '../repo/lock.js';
import { toRepoPath, fromRepoPath } from '../repo/paths.js';
import { parsePointer, pointerPathFor, renderPointer, type Pointer } from '../repo/pointer.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace } from '../repo/tracked.js';
import { hashPath } from '../repo/workspace.js';
import type { Skipped } from '../repo/walk.js';

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
}

/**
 * Store files or directories in the cache and write their `<path>.mlv` pointers.
 * Objects are written before the pointer that names them.
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
  return withLock(repo.mlvDir, 'add', async () => {
    const results: AddedPath[] = [];
    try {
      for (const p of paths) {
        const hashed = await hashPath(repo, p, { store: true, onProgress: opts.onProgress });
        if (!hashed) throw new NotFoundError('path', `${p}: disappeared while adding`, { path: p });
        const pointerRel = pointerPathFor(p);
        const pointerAbs = join(repo.root, ...pointerRel.split('/'));
        let previous: Pointer | undefined;
        if (existsSync(pointerAbs)) {
          try { previous = parsePointer(readFileSync(pointerAbs, 'utf8'), pointerRel); } catch { previous = undefined; }
        }
        const pointer: Pointer = { kind: hashed.kind, hash: hashed.hash, size: hashed.size, files: hashed.files, desc: opts.desc ?? previous?.desc };
        const text = renderPointer(pointer);
        const changed = !existsSync(pointerAbs) || readFileSync(pointerAbs, 'utf8') !== text;
        if (changed) writeFileAtomic(pointerAbs, text);
        const gitignore = ignoreInGit(repo.root, p);
        results.push({ ...pointer, path: p, pointer: pointerRel, changed, skipped: hashed.skipped, gitignore });
      }
    } finally {
      repo.state().save();
    }
    return results;
  });
}

