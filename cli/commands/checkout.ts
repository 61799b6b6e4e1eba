import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkout } from '../../src/api/checkout.js';
import { cwd, out, printJson, progressBar } from '../io.js';

export function register(program: Command): void {
  program
    .command('checkout')
    .description('make the workspace data match <rev> (default: the pointers in the work tree); with <rev> alone, git moves there too')
    .argument('[rev-and-paths...]', '[<rev>] [<path>...]: the first word is a revision unless it names an existing path')
    .option('-f, --force', 'overwrite data whose content is not in the cache')
    .option('--json', 'print the result as JSON')
    .action(async (args: string[], o: { force?: boolean; json?: boolean }) => {
      let rev: string | undefined;
      let paths = args;
      if (args.length && !existsSync(resolve(cwd(), args[0]))) [rev, ...paths] = args;
      const bar = progressBar('checkout');
      const r = await checkout({ cwd: cwd(), rev, paths, force: o.force, onProgress: bar.onProgress }).finally(bar.done);
      if (o.json) return printJson(r);
      if (r.changed.length === 0) out(rev ? `Data matches ${rev}.` : 'Data matches the pointers.');
      for (const c of r.changed) out(`  ${c.path}: ${c.written} written, ${c.removed} removed`);
    });
}
