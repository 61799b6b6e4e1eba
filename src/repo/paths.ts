import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors/index.js';
import { workPath, type WorkPathOptions } from './workpath.js';

/** A user-given path as a `/`-separated path relative to the repo root; refuses paths outside it. */
export function toRepoPath(root: string, cwd: string, userPath: string): string {
  const abs = resolve(cwd, userPath);
  const rel = relative(root, abs);
  if (rel === '' ) throw new UsageError(`${userPath}: is the repository root itself; name a file or directory inside it`);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new UsageError(`${userPath}: is outside the repository (${root})`, { path: userPath });
  }
  const posix = rel.split(sep).join('/').replace(/\/+$/, '');
  if (posix === '.mlv' || posix.startsWith('.mlv/') || posix === '.git' || posix.startsWith('.git/')) {
    throw new UsageError(`${userPath}: is inside mlv's or git's own directory`, { path: userPath });
  }
  return posix;
}

/**
 * A repo-relative path as an absolute one, through the gate of workpath.ts: refused
 * (exit 2, naming `file`) when it would leave the work tree, enter `.git/` or pass a link.
 */
export function fromRepoPath(root: string, repoPath: string, file = 'path', opts: WorkPathOptions = {}): string {
  return workPath(root, repoPath, file, opts);
}
