import type { Program } from '../program.js';
import { predict } from '../../src/api/predict.js';
import { err, out, printJson } from '../io.js';

export function register(program: Program): void {
  program
    .command('predict <model> <csv>')
    .description('apply a model to a CSV: writes y_pred (and proba_<label>, y_true when known)')
    .requiredOption('-o, --output <preds.csv>', 'where to write the predictions')
    .option('--featurize <state.json>', 'apply this fitted feature transform first (default: the one stored in the model, if any)')
    .option('--no-featurize', 'the CSV already holds the features: apply no feature transform')
    .option('--json', 'print a summary as JSON')
    .action(async (model: string, csv: string, opts: { output: string; featurize?: string | false; json?: boolean }) => {
      const result = await predict({
        model,
        csv,
        output: opts.output,
        featurize: typeof opts.featurize === 'string' ? opts.featurize : undefined,
        noFeaturize: opts.featurize === false,
      });
      for (const d of result.row_steps ?? []) err(`${d.step}: dropped ${d.dropped} of ${d.of} rows (their label is rejected by the transform)`);
      if (opts.json) printJson(result);
      else out(`${result.output}: ${result.rows} predictions (${result.columns.join(', ')})${result.featurized ? ', features derived from raw columns' : ''}`);
    });
}
