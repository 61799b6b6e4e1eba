import type { Program } from '../program.js';
import { installHooks } from '../../src/api/installHooks.js';
import { cwd, err, out, printJson } from '../io.js';
import { mlvCommand } from '../mlvCommand.js';

export function register(program: Program): void {
  program
    .command('install-hooks')
    .description('git hooks (post-checkout: mlv checkout, pre-push: mlv push) and the mlv merge driver')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await installHooks({ cwd: cwd(), mlvCommand: mlvCommand() });
      if (o.json) return printJson(r);
      for (const h of r.installed) out(`installed .git/hooks/${h}`);
      for (const h of r.skipped) err(`mlv: kept your own .git/hooks/${h}; add the mlv call to it by hand`);
      if (r.mergeDriver.config) out('registered the mlv merge driver in .git/config');
      if (r.mergeDriver.attributes.length) out(`added to .gitattributes: ${r.mergeDriver.attributes.join(', ')} (commit it)`);
    });
}
