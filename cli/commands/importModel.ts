import type { Program } from '../program.js';
import { UsageError } from '../../src/errors/index.js';
import { importMlRandomForestFile } from '../../src/api/importModel.js';
import { cwd, out, printJson } from '../io.js';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

export function register(program: Program): void {
  program
    .command('import-model <ml-rf.json>')
    .description('convert a model saved by the ml-random-forest npm package (rf.toJSON()) into an mlv model file')
    .requiredOption('-o, --output <model.json>', 'where to write the mlv model')
    .option('--features <a,b,c>', 'the column names, in the order the forest was trained on')
    .option('--features-from <csv>', 'take the column names from this CSV header (every column but --target)')
    .option('--labels <x,y,z>', 'classifiers: the name of class 0, 1, 2, ... (default: the class numbers)')
    .option('--target <col>', 'the column the model predicts (recorded in the model, for evaluate)')
    .option('--json', 'print a summary as JSON')
    .action(async (input: string, opts: { output: string; features?: string; featuresFrom?: string; labels?: string; target?: string; json?: boolean }) => {
      if ((opts.features === undefined) === (opts.featuresFrom === undefined)) {
        throw new UsageError('give the feature names with exactly one of --features a,b,c or --features-from <csv>');
      }
      const names = opts.labels === undefined ? undefined : list(opts.labels);
      // Numeric names become numbers, so they compare equal to a numeric target column.
      const labels = names && names.every((s) => Number.isFinite(Number(s))) ? names.map(Number) : names;
      const r = await importMlRandomForestFile(input, opts.output, {
        features: opts.features === undefined ? undefined : list(opts.features),
        featuresFrom: opts.featuresFrom,
        labels,
        target: opts.target,
        cwd: cwd(),
      });
      if (opts.json) printJson(r);
      else out(`${r.output}: ${r.task} random forest of ${r.trees} trees imported from ${input} (features: ${r.features.join(', ')}${r.labels ? `; labels: ${r.labels.join(', ')}` : ''})`);
    });
}
