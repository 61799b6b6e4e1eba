import type { Program } from '../program.js';
import { UsageError } from '../../src/errors/index.js';
import { evaluate, type ClassificationMetrics, type EvaluateTask, type RegressionMetrics } from '../../src/api/evaluate.js';
import { err, out, printJson } from '../io.js';
import { color, table } from '../format.js';

const TASKS = ['classification', 'regression'];

export function register(program: Program): void {
  program
    .command('evaluate <predictions>')
    .description('metrics of a predictions CSV (y_true, y_pred, proba_<label>)')
    .requiredOption('--task <task>', 'classification | regression')
    .option('--json', 'print the metrics as JSON')
    .action(async (file: string, opts: { task: string; json?: boolean }) => {
      if (!TASKS.includes(opts.task)) throw new UsageError(`--task must be classification or regression, not "${opts.task}"`);
      const result = await evaluate({ predictions: file, task: opts.task as EvaluateTask });
      for (const w of result.warnings ?? []) err(`warning: ${w}`);
      if (opts.json) {
        printJson(result);
        return;
      }
      const { evaluated_rows: _rows, on_training_rows: _on, warnings: _w, ...metrics } = result;
      out(opts.task === 'regression' ? renderRegression(metrics as RegressionMetrics) : renderClassification(metrics as ClassificationMetrics));
    });
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(4));

function renderRegression(m: RegressionMetrics): string {
  return table(['metric', 'value'], Object.entries(m).map(([k, v]) => [k, num(v)]));
}

function renderClassification(m: ClassificationMetrics): string {
  const { confusion_matrix: cm, ...scalars } = m;
  const rows = Object.entries(scalars).map(([k, v]) => [k, num(v as number)]);
  const lines = [table(['metric', 'value'], rows), '', color.bold('confusion matrix (rows: true, columns: predicted)')];
  const labels = cm.labels.map(String);
  const grid = table(['', ...labels], cm.matrix.map((r, i) => [
    color.bold(labels[i]),
    ...r.map((c, j) => (i === j ? color.green(String(c)) : c ? color.red(String(c)) : color.dim('0'))),
  ]));
  lines.push(grid);
  return lines.join('\n');
}
