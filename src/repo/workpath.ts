/**
 * The one gate for workspace paths that come from data: pointers, manifests, mlv.lock,
 * mlv.yaml, params files, a commit's tree. A cloned repository is untrusted input, so
 * before any read or write such a path must prove that it stays inside the work tree:
 * relative, without `.`, `..` or empty segments, outside `.git/`, and with no symbolic
 * link on the way (each existing parent directory is lstat-ed, from the root down).
 * Refusal is an UnsafePathError (exit 2) naming the file the path came from.
 *
 * Writes replace their target by rename (store/atomic.ts), which replaces a link
 * instead of following it, so only parents are checked for them; reads and files mlv
 * edits in place also refuse a link as the last component (`leaf: true`).
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UnsafePathError } from '../errors/index.js';

/** Why a `/`-separated repo-relative path is unsafe as text, or undefined when it is not. */
export function unsafeReason(p: string): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'is empty';
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return 'is absolute';
  if (p.includes('\\')) return "contains '\\' (paths use '/')";
  for (const seg of p.split('/')) {
    if (seg === '..') return "contains '..' and would leave the work tree";
    if (seg === '' || seg === '.') return "has an empty or '.' segment";
    if (seg.toLowerCase() === '.git') return 'is inside .git/';
  }
  return undefined;
}

/**
 * Text check alone, for paths read at a commit (no work tree to look at yet).
 * @example
 *   checkPathText('../ESCAPED', "mlv.lock: stage 'train'") // throws UnsafePathError
 */
export function checkPathText(p: string, file: string): string {
  const why = unsafeReason(p);
  if (why) throw new UnsafePathError(file, String(p), why);
  return p;
}

export interface WorkPathOptions {
  /** Refuse a symbolic link as the last component too (reads, in-place edits). */
  leaf?: boolean;
}

/**
 * Paths under one work tree, with the directories already proven real remembered, so a
 * checkout of many files lstat-s each directory once. Make one per operation: a
 * directory proven safe is not looked at again by the same instance.
 */
export class WorkTree {
  private readonly safeDirs = new Set<string>();

  constructor(readonly root: string) {}

  /**
   * The absolute path of `repoPath` once proven inside the work tree.
   * @example
   *   new WorkTree('/repo').path('data/x.csv', 'data.mlv') // '/repo/data/x.csv'
   */
  path(repoPath: string, file: string, opts: WorkPathOptions = {}): string {
    if (repoPath === '.' || repoPath === '') return this.root;
    checkPathText(repoPath, file);
    const parts = repoPath.split('/');
    let dir = '';
    for (let i = 0; i < parts.length; i++) {
      const rel = dir ? `${dir}/${parts[i]}` : parts[i];
      const last = i === parts.length - 1;
      if (last && !opts.leaf) break;
      if (!last && this.safeDirs.has(rel)) { dir = rel; continue; }
      const abs = join(this.root, ...rel.split('/'));
      let st;
      try { st = lstatSync(abs); } catch { break; } // absent: whatever is created below it is real
      if (st.isSymbolicLink()) {
        let to = '';
        try { to = ` -> ${readlinkSync(abs)}`; } catch { /* gone meanwhile */ }
        throw new UnsafePathError(file, repoPath, `goes through a symbolic link (${rel}${to})`);
      }
      if (!last) {
        if (!st.isDirectory()) break; // a file in the way: the I/O fails with ENOTDIR, inside the tree
        this.safeDirs.add(rel);
      }
      dir = rel;
    }
    return join(this.root, ...parts);
  }
}

/**
 * One path proven inside the work tree at `root` (see WorkTree.path).
 * @example
 *   workPath(root, 'params.yaml', 'mlv.yaml', { leaf: true })
 */
export function workPath(root: string, repoPath: string, file: string, opts: WorkPathOptions = {}): string {
  return new WorkTree(root).path(repoPath, file, opts);
}
