import { resolve } from 'node:path';
import { explore as exploreCsv, type ColumnReport, type ExploreOptions as ProfileOptions, type ExploreReport } from '../ml/explore.js';
import { USER_OUTPUT, writeFileAtomic } from '../store/atomic.js';

export type { ColumnReport, ExploreReport };

export interface ExploreOptions extends Omit<ProfileOptions, 'label'> {
  /** Where relative paths start. */
  cwd: string;
  /** The CSV to profile; named in the report and messages as given. */
  csv: string;
  /** Also write the report as JSON here (atomically). */
  output?: string;
}

/**
 * Profile a CSV: types, missing values, statistics, histograms, correlations, warnings.
 * @example
 *   const report = await explore({ cwd, csv: 'data/bike.csv', target: 'rentals' });
 */
export async function explore(opts: ExploreOptions): Promise<ExploreReport> {
  const { cwd, csv, output, ...rest } = opts;
  const report = await exploreCsv(resolve(cwd, csv), { ...rest, label: csv });
  if (output) writeFileAtomic(resolve(cwd, output), JSON.stringify(report, null, 2) + '\n', USER_OUTPUT);
  return report;
}
