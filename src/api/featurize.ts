import { UsageError } from '../errors/index.js';
import { applyFeaturizeFile, featurizeFile, type FeaturizeResult } from '../ml/featurize/index.js';

export type { FeaturizeResult };

export interface FeaturizeOptions {
  /** The feature spec (features.yaml). Paths are as given (relative to the process's directory). */
  spec?: string;
  /**
   * Instead of a spec: a fitted transform (`<out>.featurize.json`) to replay on `csv`
   * without fitting anything (the test rows of a split).
   */
  apply?: string;
  csv: string;
  /** Where to write the features; the fitted transform goes beside it (`<output>.featurize.json`). */
  output: string;
}

/**
 * Derive, join, encode, impute and scale features as a spec says, and save the fitted
 * transform beside the output.
 * @example
 *   const r = await featurize({ spec: 'features.yaml', csv: 'data/raw.csv', output: 'build/features.csv' });
 */
export async function featurize(opts: FeaturizeOptions): Promise<FeaturizeResult> {
  if ((opts.spec === undefined) === (opts.apply === undefined)) throw new UsageError('give either --spec <features.yaml> (fit) or --apply <state.json> (replay), not both or neither');
  if (opts.apply !== undefined) return applyFeaturizeFile(opts.apply, opts.csv, opts.output);
  const { state: _state, ...result } = await featurizeFile(opts.spec!, opts.csv, opts.output);
  return result;
}
