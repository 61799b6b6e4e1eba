import type { Program } from '../program.js';
import { init } from '../../src/api/init.js';
import { cwd, out, printJson } from '../io.js';
import { mlvCommand } from '../mlvCommand.js';

export function register(program: Program): void {
  program
    .command('init')
    .description('make this git repository an mlv workspace (idempotent)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await init({ cwd: cwd(), mlvCommand: mlvCommand() });
      if (o.json) return printJson(r);
      const attrs = r.mergeDriver.attributes.length ? ' and .gitattributes' : '';
      if (r.created.length === 0) out(`mlv: already initialised in ${r.root}${attrs ? `\n  added the mlv merge driver to .gitattributes (commit it)` : ''}`);
      else out(`Initialised mlv in ${r.root}\n  created ${r.created.join(', ')}\nCommit .mlv/config, .mlv/.gitignore, .mlvignore${attrs}.`);
    });
}
