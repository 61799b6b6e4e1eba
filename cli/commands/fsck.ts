import type { Program } from '../program.js';
import { fsck } from '../../src/api/fsck.js';
import { cwd, out, printJson, progressBar } from '../io.js';
import { color, formatBytes } from '../format.js';

export function register(program: Program): void {
  program
    .command('fsck')
    .description('re-hash every cached object and report damage (exit 1)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const bar = progressBar('checking');
      const r = await fsck({ cwd: cwd(), onProgress: bar.onProgress }).finally(bar.done);
      const code = r.problems.length ? 1 : 0;
      if (o.json) { printJson(r); return code; }
      for (const p of r.problems) out(`${color.red(p.problem)} ${p.hash}: ${p.detail}`);
      if (r.notPulled.length) out(`Not pulled (not damage; mlv pull fetches them): ${r.notPulled.map((n) => n.path).slice(0, 5).join(', ')}${r.notPulled.length > 5 ? ` and ${r.notPulled.length - 5} more` : ''}.`);
      out(`Checked ${r.checked} object(s), ${formatBytes(r.bytes)}: ${r.problems.length ? color.red(`${r.problems.length} problem(s)`) : 'no problems'}.`);
      const corrupt = r.problems.filter((p) => p.object);
      if (corrupt.length) {
        out(`To repair: delete the corrupt object file(s); mlv pull then fetches what the work tree needs from a remote (mlv fetch --all-commits: every version). Data edited in place through a hard link: mlv add it first (docs/FORMAT.md, "Hard links").`);
        for (const p of corrupt) out(`  rm -f ${p.object}`);
      }
      if (r.problems.some((p) => p.problem === 'missing')) out('Missing objects: mlv status says how to store each again (mlv add from the work tree, or mlv pull from a remote).');
      return code;
    });
}
