import type { Program } from '../program.js';
import { cwd, out, printJson } from '../io.js';
import { EXACT_DELTA, formatDelta, formatValue, table } from '../format.js';

export function register(program: Program): void {
  const params = program.command('params').description('pipeline parameters');
  params
    .command('diff')
    .description('parameters that differ between two versions (default HEAD and the workspace)')
    .argument('[a]', 'old revision (default HEAD)')
    .argument('[b]', 'new revision (default: the workspace)')
    .option('--all', 'list unchanged parameters too')
    .option('--json', 'print the result as JSON')
    .action(async (a: string | undefined, b: string | undefined, o: { all?: boolean; json?: boolean }) => {
      const { paramsDiff } = await import('../../src/api/params.js');
      const r = await paramsDiff({ cwd: cwd(), a, b, all: o.all });
      if (o.json) return printJson(r);
      if (r.params.length === 0) return out(`No parameter changes between ${r.a} and ${r.b}.`);
      out(table(['param', r.a, r.b, 'change'], r.params.map((x) => [x.key, formatValue(x.a), formatValue(x.b), formatDelta(x.delta, EXACT_DELTA)])));
    });
}
