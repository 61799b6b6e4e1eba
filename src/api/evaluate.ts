import { evaluatePredictions, type EvaluateTask } from '../ml/evaluate.js';
import type { ClassificationMetrics, RegressionMetrics } from '../ml/metrics.js';

export type { ClassificationMetrics, EvaluateTask, RegressionMetrics };

export interface EvaluateOptions {
  /** A predictions CSV (y_true, y_pred, proba_<label>), as given. */
  predictions: string;
  task: EvaluateTask;
}

/**
 * Metrics of a predictions CSV.
 * @example
 *   const m = await evaluate({ predictions: 'preds.csv', task: 'regression' });
 */
export async function evaluate(opts: EvaluateOptions): Promise<ClassificationMetrics | RegressionMetrics> {
  return evaluatePredictions(opts.predictions, opts.task);
}
