import type { Program } from '../program.js';
import { add, gitRootOrThrow } from '../../src/api/add.js';
import { join, relative } from 'node:path';
import { cwd, lockWaitLine, err, out, printJson, progressBar } from '../io.js';
import { formatBytes } from '../format.js';

export function register(program: Program): void {
  program
    .command('add')
    .description('store files or directories in the cache and write <path>.mlv pointers')
    .argument('<paths...>', 'files or directories')
    .option('--desc <text>', 'describe the data: how it was collected, what it is for')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], o: { desc?: string; json?: boolean }) => {
      const bar = progressBar('hashing');
      const r = await add({ cwd: cwd(), onLockWait: lockWaitLine, paths, desc: o.desc, onProgress: bar.onProgress }).finally(bar.done);
      for (const a of r) for (const s of a.skipped) err(`mlv: skipped ${s.path}: ${s.reason === 'symlink' ? 'symbolic link (not followed)' : 'not a regular file'}`);
      for (const a of r) if (a.keptNotPulled) err(`mlv: kept ${a.keptNotPulled.files} file(s) of ${a.path} not pulled here; mlv pull ${a.path} to get them`);
      if (o.json) return printJson(r);
      const root = gitRootOrThrow(cwd());
      for (const a of r) {
        const what = a.kind === 'dir' ? `${a.files} files, ${formatBytes(a.size)}` : formatBytes(a.size);
        out(`${a.changed ? 'added' : 'unchanged'} ${a.path} (${what}) → ${a.pointer}`);
      }
      // Paths as the user's shell sees them: relative to where mlv was run.
      const here = (repoPath: string) => relative(cwd(), join(root, repoPath)) || '.';
      const changed = r.filter((a) => a.changed);
      const files = [...new Set([...changed.map((a) => a.pointer), ...changed.map((a) => a.gitignore)])].map(here);
      if (files.length) out(`\nTo track the changes with git, run:\n  git add ${files.join(' ')}`);
    });
}
