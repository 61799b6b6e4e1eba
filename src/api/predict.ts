import { predictFile, type PredictOptions as ApplyOptions, type PredictResult } from '../ml/predict.js';

export type { PredictResult };

export interface PredictOptions extends ApplyOptions {
  /** The model file `train` wrote. Paths are as given (relative to the process's directory). */
  model: string;
  csv: string;
  /** Where to write the predictions CSV. */
  output: string;
}

/**
 * Apply a model to a CSV: writes y_pred (and proba_<label>, y_true when known).
 * @example
 *   await predict({ model: 'model.json', csv: 'test.csv', output: 'preds.csv' });
 */
export async function predict(opts: PredictOptions): Promise<PredictResult> {
  const { model, csv, output, ...rest } = opts;
  return predictFile(model, csv, output, rest);
}
