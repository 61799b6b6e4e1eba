import type { Command } from 'commander';
import { init } from '../../src/api/init.js';
import { cwd, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('make this git repository an mlv workspace (idempotent)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await init({ cwd: cwd() });
      if (o.json) return printJson(r);
      if (r.created.length === 0) out(`mlv: already initialised in ${r.root}`);
      else out(`Initialised mlv in ${r.root}\n  created ${r.created.join(', ')}\nCommit .mlv/config, .mlv/.gitignore and .mlvignore.`);
    });
}
