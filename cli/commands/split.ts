import type { Program } from '../program.js';
import { UsageError } from '../../src/errors/index.js';
import { split, type SplitReport, type SplitSide } from '../../src/api/split.js';
import { cwd, out, printJson } from '../io.js';
import { table } from '../format.js';

interface Flags { output?: string[]; testSize: string; stratify?: string; group?: string; orderBy?: string; seed: string; json?: boolean }

export function register(program: Program): void {
  program
    .command('split <csv>')
    .description('split a CSV into training and test rows (random, stratified, grouped or latest-last)')
    .requiredOption('-o, --output <files...>', 'the training file, then the test file')
    .option('--test-size <share>', 'share of the rows in the test file, in (0, 1)', '0.2')
    .option('--stratify <column>', 'keep each class of <column> in the same share on both sides')
    .option('--group <column>', 'keep all rows of a value of <column> on one side')
    .option('--order-by <column>', 'the rows with the largest (latest) values of <column> are the test set')
    .option('--seed <n>', 'seed of the shuffle', '0')
    .option('--json', 'print the report as JSON')
    .action(async (csv: string, opts: Flags) => {
      if (!opts.output || opts.output.length !== 2) {
        throw new UsageError(`-o takes two files, the training file then the test file (got ${opts.output?.length ?? 0})`);
      }
      const testSize = Number(opts.testSize);
      if (opts.testSize.trim() === '' || Number.isNaN(testSize)) throw new UsageError(`--test-size must be a number between 0 and 1, not "${opts.testSize}"`);
      const seed = Number(opts.seed);
      if (!/^\d+$/.test(opts.seed)) throw new UsageError(`--seed must be a non-negative integer, not "${opts.seed}"`);
      const report = await split({
        cwd: cwd(), csv, train: opts.output[0], test: opts.output[1], testSize, seed,
        stratify: opts.stratify, group: opts.group, orderBy: opts.orderBy,
      });
      if (opts.json) printJson(report);
      else out(render(report));
    });
}

const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '-');

function render(r: SplitReport): string {
  const how = r.method === 'random' ? `random, seed ${r.seed}`
    : r.method === 'ordered' ? `ordered by ${r.column}, latest rows in test`
    : `${r.method === 'group' ? 'grouped' : 'stratified'} by ${r.column}, seed ${r.seed}`;
  const lines = [`${r.file}: ${r.rows} rows → ${r.train.file} ${r.train.rows} (${pct(r.train.rows, r.rows)}), ${r.test.file} ${r.test.rows} (${pct(r.test.rows, r.rows)}) [${how}]`];
  const sides: Array<[string, SplitSide]> = [['train', r.train], ['test', r.test]];
  if (r.method === 'stratified') {
    const classes = Object.keys(r.train.classes ?? {});
    lines.push('', table(['class', 'train', 'test'], classes.map((c) => [
      c === '' ? '(missing)' : c,
      ...sides.map(([, s]) => `${s.classes![c]} (${pct(s.classes![c], s.rows)})`),
    ])));
  } else if (r.method === 'group') {
    lines.push(sides.map(([n, s]) => `${n}: ${s.groups} groups`).join(', '));
  } else if (r.method === 'ordered') {
    lines.push(sides.map(([n, s]) => `${n}: ${r.column} ${s.range?.min} … ${s.range?.max}`).join('\n'));
  }
  return lines.join('\n');
}
