import type { Program } from '../program.js';
import { featurize } from '../../src/api/featurize.js';
import { err, out, printJson } from '../io.js';

export function register(program: Program): void {
  program
    .command('featurize <csv>')
    .description('derive, join, encode, impute and scale features as a spec says; saves the fitted transform beside the output')
    .option('--spec <features.yaml>', 'the feature spec to fit')
    .option('--apply <state.json>', 'replay a fitted transform (<out>.featurize.json) instead of fitting: for test rows')
    .requiredOption('-o, --output <out.csv>', 'where to write the features')
    .option('--json', 'print a summary as JSON')
    .action(async (csv: string, opts: { spec?: string; apply?: string; output: string; json?: boolean }) => {
      const result = await featurize({ spec: opts.spec, apply: opts.apply, csv, output: opts.output });
      if (opts.json) {
        for (const d of result.row_steps ?? []) err(`${d.step}: dropped ${d.dropped} of ${d.of} rows`);
        printJson(result);
        return;
      }
      for (const d of result.row_steps ?? []) err(`${d.step}: dropped ${d.dropped} of ${d.of} rows${opts.apply ? ' (the label\'s part, replayed)' : ''}`);
      out(`${result.output}: ${result.rows} rows, ${result.outputs.length} columns`);
      out(`  ${result.outputs.join(', ')}`);
      if (opts.apply) err(`applied the fitted transform ${result.state_file}`);
      else err(`fitted transform saved to ${result.state_file}`);
    });
}
