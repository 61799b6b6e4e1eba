import { ALGORITHMS, type Algorithm, type Task } from '../ml/models/index.js';
import { parseScalar, type Params } from '../ml/models/params.js';
import { GAP_THRESHOLD, metricsDocument, trainFile, type ImportanceMethod, type TrainFileOptions, type TrainResult } from '../ml/train.js';

export type { Algorithm, ImportanceMethod, Params, Task, TrainResult };
export { GAP_THRESHOLD, metricsDocument, parseScalar };

export interface TrainOptions extends TrainFileOptions {
  /** The training CSV (relative to `cwd`). */
  csv: string;
}

export type TrainFileResult = TrainResult & { output?: string; metricsPath?: string; featurized?: string };

/** The algorithms `train` knows: name, title, tasks. */
export const algorithms = (): ReadonlyArray<{ name: Algorithm; title: string; tasks: readonly Task[] }> => ALGORITHMS;

/**
 * Fit a model on a CSV, validate it, and write the model and metrics files atomically.
 * @example
 *   const r = await train({ cwd, csv: 'features.csv', target: 'y', task: 'regression', output: 'model.json' });
 */
export async function train(opts: TrainOptions): Promise<TrainFileResult> {
  const { csv, ...rest } = opts;
  return trainFile(csv, rest);
}
