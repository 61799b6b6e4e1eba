import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The top of the git work tree containing `start`, or undefined. */
export function findGitRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
