import type { Program } from '../program.js';
import { get } from '../../src/api/get.js';
import { cwd, EXIT_CLOSED_PIPE, out, printJson } from '../io.js';
import { formatBytes } from '../format.js';

export function register(program: Program): void {
  program
    .command('get')
    .description('write one artifact as it was at <rev>, without touching HEAD or the workspace')
    .argument('<rev>', 'a commit, branch, tag or experiment ref')
    .argument('<path>', 'the tracked file or directory (its path in the repository)')
    .option('-o, --out <path>', 'where to write it (default: its base name here; - for stdout)')
    .option('-f, --force', 'replace <out> if it exists')
    .option('--json', 'print the result as JSON')
    .action(async (rev: string, path: string, o: { out?: string; force?: boolean; json?: boolean }) => {
      if (o.out === '-') {
        // stdout holds the artifact itself; a reader that goes away (| head -c 10) ends
        // it quietly, as everywhere else (io.ts).
        try {
          await get({ cwd: cwd(), rev, path, out: o.out, force: o.force });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_CLOSED_PIPE;
          throw e;
        }
        return;
      }
      const r = await get({ cwd: cwd(), rev, path, out: o.out, force: o.force });
      if (o.json) return printJson(r);
      out(`${r.path}@${rev} → ${r.out} (${r.kind === 'dir' ? `${r.files} files, ` : ''}${formatBytes(r.size)})`);
    });
}
