import type { Command } from 'commander';
import { featurize } from '../../src/api/featurize.js';
import { err, out, printJson } from '../io.js';

export function register(program: Command): void {
  program
    .command('featurize <csv>')
    .description('derive, join, encode, impute and scale features as a spec says; saves the fitted transform beside the output')
    .requiredOption('--spec <features.yaml>', 'the feature spec')
    .requiredOption('-o, --output <out.csv>', 'where to write the features')
    .option('--json', 'print a summary as JSON')
    .action(async (csv: string, opts: { spec: string; output: string; json?: boolean }) => {
      const result = await featurize({ spec: opts.spec, csv, output: opts.output });
      if (opts.json) {
        printJson(result);
        return;
      }
      out(`${result.output}: ${result.rows} rows, ${result.outputs.length} columns`);
      out(`  ${result.outputs.join(', ')}`);
      err(`fitted transform saved to ${result.state_file}`);
    });
}
