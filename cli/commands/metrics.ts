import type { Program } from '../program.js';
import { cwd, out, printJson } from '../io.js';
import { EXACT_DELTA, formatDelta, formatValue, table } from '../format.js';


export function register(program: Program): void {
  const metrics = program.command('metrics').description('pipeline metrics');
  metrics
    .command('show')
    .description('the metrics of a version (default: the workspace)')
    .argument('[rev]', 'a revision; its values come from its mlv.lock')
    .option('--json', 'print the result as JSON')
    .action(async (rev: string | undefined, o: { json?: boolean }) => {
      const { metricsShow } = await import('../../src/api/metrics.js');
      const r = await metricsShow({ cwd: cwd(), rev });
      if (o.json) return printJson(r);
      const rows = Object.entries(r.metrics).flatMap(([file, values]) => Object.entries(values).map(([k, v]) => [file, k, formatValue(v)]));
      if (rows.length === 0) return out(`No metrics in ${r.rev}.`);
      out(table(['file', 'metric', 'value'], rows));
    });
  metrics
    .command('diff')
    .description('metrics that differ between two versions (default HEAD and the workspace), with deltas')
    .argument('[a]', 'old revision (default HEAD)')
    .argument('[b]', 'new revision (default: the workspace)')
    .option('--all', 'list unchanged metrics too')
    .option('--json', 'print the result as JSON')
    .action(async (a: string | undefined, b: string | undefined, o: { all?: boolean; json?: boolean }) => {
      const { metricsDiff } = await import('../../src/api/metrics.js');
      const r = await metricsDiff({ cwd: cwd(), a, b, all: o.all });
      if (o.json) return printJson(r);
      if (r.metrics.length === 0) return out(`No metric changes between ${r.a} and ${r.b}.`);
      out(table(['metric', r.a, r.b, 'change'], r.metrics.map((x) => [x.key, formatValue(x.a), formatValue(x.b), formatDelta(x.delta, EXACT_DELTA)])));
    });
}
