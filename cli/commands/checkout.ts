import type { Program } from '../program.js';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkout } from '../../src/api/checkout.js';
import { cwd, lockWaitLine, out, printJson, progressBar } from '../io.js';

export function register(program: Program): void {
  program
    .command('checkout')
    .description('make the workspace data match <rev> (default: the pointers in the work tree); with <rev> alone, git moves there too')
    .argument('[rev-and-paths...]', '[<rev>] [<path>...]: the first word is a revision unless it names an existing path or data a pointer tracks')
    .option('-f, --force', 'overwrite data whose content is not in the cache')
    .addHelpText('after', [
      '',
      'Data in neither the work tree nor the cache (not pulled: a fresh clone, or the rest of a',
      'partial mlv pull <path>) is skipped and listed, and the exit code stays 0; mlv pull <path>',
      'fetches it. Nothing is deleted for it. Where the work tree holds another version of data',
      'whose wanted version is not cached, the checkout stops before changing anything (exit 2).',
    ].join('\n'))
    .option('--json', 'print the result as JSON')
    .action(async (args: string[], o: { force?: boolean; json?: boolean }) => {
      let rev: string | undefined;
      let paths = args;
      if (args.length && !namesPath(resolve(cwd(), args[0]))) [rev, ...paths] = args;
      const bar = progressBar('checkout');
      // What was never pulled is skipped and listed, not an error: status calls it `not pulled`.
      const r = await checkout({ cwd: cwd(), onLockWait: lockWaitLine, rev, paths, force: o.force, skipNotPulled: true, onProgress: bar.onProgress }).finally(bar.done);
      if (o.json) return printJson(r);
      if (r.changed.length === 0) out(`Data matches ${rev ?? 'the pointers'}${r.notPulled.length ? ', except what is not pulled' : ''}.`);
      for (const c of r.changed) out(`  ${c.path}: ${c.written} written, ${c.removed} removed`);
      if (r.notPulled.length === 0) return;
      out(`Skipped ${r.notPulled.length} path(s) whose data is not pulled (in neither the work tree nor the cache; mlv pull <path> fetches it):`);
      for (const p of r.notPulled.slice(0, 20)) out(`  not pulled ${p}`);
      if (r.notPulled.length > 20) out(`  … ${r.notPulled.length - 20} more`);
    });
}

/** An existing path, or one inside data tracked by a `<path>.mlv` pointer (so a missing file can be restored by name). */
function namesPath(abs: string): boolean {
  if (existsSync(abs)) return true;
  for (let p = abs.replace(/\/+$/, ''); p !== dirname(p); p = dirname(p)) if (existsSync(p + '.mlv')) return true;
  return false;
}
