import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { workPath } from './workpath.js';
import { writeFileAtomic } from '../store/atomic.js';

/** Add `/<name>` to the .gitignore beside a tracked path (as DVC does); no duplicates. Returns that .gitignore. */
export function ignoreInGit(root: string, repoPath: string, source = 'path'): string {
  const dir = posix.dirname(repoPath);
  const name = posix.basename(repoPath);
  const file = workPath(root, dir === '.' ? '.gitignore' : `${dir}/.gitignore`, source, { leaf: true });
  const entry = '/' + name;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const rel = dir === '.' ? '.gitignore' : `${dir}/.gitignore`;
  if (text.split(/\r?\n/).includes(entry)) return rel;
  writeFileAtomic(file, (text && !text.endsWith('\n') ? text + '\n' : text) + entry + '\n');
  return rel;
}
