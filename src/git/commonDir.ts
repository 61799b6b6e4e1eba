/**
 * Where a work tree's git objects and refs live, read from the files git writes (no
 * spawn): `<root>/.git` for a main work tree; for a linked one (`git worktree add`, as
 * repro --rev and experiments make), its `.git` file names its own git dir, whose
 * `commondir` names the shared one.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The shared git dir of the work tree at `root`, or undefined when `root/.git` is
 * neither a directory nor a readable `gitdir:` file.
 * @example
 *   gitCommonDir('/repo/.mlv/tmp/exp-a-4711-a1b2c3') // '/repo/.git'
 */
export function gitCommonDir(root: string): string | undefined {
  const dotGit = join(root, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    const gitdir = resolve(root, m[1].trim());
    const commondirFile = join(gitdir, 'commondir');
    return existsSync(commondirFile) ? resolve(gitdir, readFileSync(commondirFile, 'utf8').trim()) : dirname(dirname(gitdir));
  } catch {
    return undefined;
  }
}
