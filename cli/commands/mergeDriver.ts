import type { Program } from '../program.js';
import { mergeDriver } from '../../src/api/mergeDriver.js';
import { cwd, err, printJson } from '../io.js';

export function register(program: Program): void {
  program
    .command('merge-driver')
    .description('git merge driver for *.mlv and mlv.lock (git runs it: merge-driver %O %A %B %P)')
    .argument('<base>', "the merge base's version (%O)")
    .argument('<ours>', 'our version; the result is written here (%A)')
    .argument('<theirs>', 'their version (%B)')
    .argument('<path>', 'the path in the repository (%P)')
    .option('--json', 'print the result as JSON')
    .action(async (base: string, ours: string, theirs: string, path: string, o: { json?: boolean }) => {
      const r = await mergeDriver({ cwd: cwd(), base, ours, theirs, path });
      for (const m of r.messages) err(m.startsWith('  ') ? m : `mlv: ${m}`);
      if (o.json) printJson(r);
      // git treats any non-zero exit as "conflicted"; 1 is mlv's "a check failed".
      if (!r.clean) return 1;
    });
}
