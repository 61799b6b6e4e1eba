import type { Command } from 'commander';
import { join } from 'node:path';
import { installHooks } from '../../src/api/installHooks.js';
import { mlvPackageRoot } from '../../src/api/installHooks.js';
import { cwd, err, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('install-hooks')
    .description('git hooks: post-checkout runs mlv checkout, pre-push runs mlv push')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const bin = join(mlvPackageRoot(), 'bin', 'mlv.js');
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      const r = await installHooks({ cwd: cwd(), mlvCommand: `${q(process.execPath)} ${q(bin)}` });
      if (o.json) return printJson(r);
      for (const h of r.installed) out(`installed .git/hooks/${h}`);
      for (const h of r.skipped) err(`mlv: kept your own .git/hooks/${h}; add the mlv call to it by hand`);
    });
}
