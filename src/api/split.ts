import { resolve } from 'node:path';
import { UsageError } from '../errors/index.js';
import { splitCsv, type SplitMethod, type SplitReport, type SplitSide } from '../ml/split.js';

export type { SplitMethod, SplitReport, SplitSide };

export interface SplitOptions {
  /** Where relative paths start. */
  cwd: string;
  /** The CSV to split; named in the report and messages as given. */
  csv: string;
  /** The training rows go here. */
  train: string;
  /** The test rows go here. */
  test: string;
  /** Share of the rows in the test file, strictly between 0 and 1. */
  testSize: number;
  stratify?: string;
  group?: string;
  orderBy?: string;
  seed?: number;
}

/**
 * Split a CSV into training and test rows (random, stratified, grouped or ordered by time),
 * byte-identical for the same seed.
 * @example
 *   const r = await split({ cwd, csv: 'data.csv', train: 'train.csv', test: 'test.csv', testSize: 0.2, stratify: 'label' });
 */
export async function split(opts: SplitOptions): Promise<SplitReport> {
  const { cwd, csv, train, test, ...rest } = opts;
  const [inPath, trainPath, testPath] = [csv, train, test].map((p) => resolve(cwd, p));
  if (trainPath === testPath) throw new UsageError(`the training and test files must differ (both ${train})`);
  if (inPath === trainPath || inPath === testPath) throw new UsageError(`an output would overwrite the input ${csv}`);
  return splitCsv(inPath, trainPath, testPath, { ...rest, labels: { input: csv, train, test } });
}
