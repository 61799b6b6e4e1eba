import { evaluatePredictions, type EvaluateTask } from '../ml/evaluate.js';
import type { ClassificationMetrics, RegressionMetrics } from '../ml/metrics.js';
import { readPredictionRecord } from '../ml/predictionRecord.js';

export type { ClassificationMetrics, EvaluateTask, RegressionMetrics };

export interface EvaluateOptions {
  /** A predictions CSV (y_true, y_pred, proba_<label>), as given. */
  predictions: string;
  task: EvaluateTask;
}

/**
 * The metrics, and where `mlv predict` left a record of the rows (docs/FORMAT.md): whether
 * they are the model's own training rows, with a warning when they are.
 */
export type EvaluateResult = (ClassificationMetrics | RegressionMetrics) & {
  /** Text, so it is no metric column: `training` (the model's own rows) or `other`. */
  evaluated_rows?: 'training' | 'other';
  /** Only when true: a metric column that shows up just for the runs scored on their training rows. */
  on_training_rows?: true;
  warnings?: string[];
};

/**
 * Metrics of a predictions CSV.
 * @example
 *   const m = await evaluate({ predictions: 'preds.csv', task: 'regression' });
 *   if (m.on_training_rows) report(m.warnings![0]);
 */
export async function evaluate(opts: EvaluateOptions): Promise<EvaluateResult> {
  const metrics = await evaluatePredictions(opts.predictions, opts.task);
  const rec = await readPredictionRecord(opts.predictions);
  if (!rec || rec.training_rows === null || !rec.trained_on) return metrics;
  const t = rec.trained_on;
  if (!rec.training_rows) return { ...metrics, evaluated_rows: 'other' };
  const warning = `${opts.predictions} holds predictions of the model's own training rows (${t.file}, ${t.rows} rows): these scores say how well it fits rows it has seen, not how it does on new ones; evaluate rows it was not trained on (mlv split)`;
  return { ...metrics, evaluated_rows: 'training', on_training_rows: true, warnings: [warning] };
}
