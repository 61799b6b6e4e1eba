import { collectKeys, resolveKey, sortIndices, sortSpecFor } from '../compare/rows.js';
import type { MetricDirection } from '../compare/types.js';
import { InputError, NotFoundError } from '../errors/index.js';
import { loadVersions, type ExpVersionRow } from '../experiments/versions.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';

export interface ExpBestOptions extends RepoOptions {
  metric: string;
  /** Default: the metric's usual direction (losses and errors are minimised). */
  direction?: MetricDirection;
  /** Only experiments of this baseline commit. */
  baseline?: string;
}

export interface ExpBestResult {
  metric: string;
  direction: MetricDirection;
  value: number;
  best: ExpVersionRow;
  /** Experiments that had the metric. */
  considered: number;
  /** Other experiments with exactly the best value (the first in the table order is `best`, as in `exp show --sort-by`). */
  tied: string[];
}

/**
 * The successful experiment with the best value of a metric.
 * @example
 *   const { best, value } = await expBest({ cwd, metric: 'accuracy' });
 */
export async function expBest(opts: ExpBestOptions): Promise<ExpBestResult> {
  const root = gitRootOrThrow(opts.cwd);
  const { rows } = await loadVersions(root, { commits: 1, branchTips: false });
  const exps = rows.filter((r) => r.kind === 'exp' && r.status !== 'failed' && (!opts.baseline || r.baseline?.startsWith(opts.baseline)));
  if (exps.length === 0) throw new NotFoundError('experiment', 'no successful experiments to choose from (run mlv exp run first)');
  let key: string;
  try {
    key = resolveKey(opts.metric, { metrics: collectKeys(exps).metrics, params: [] }, `--metric ${opts.metric}`).key;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(e.message, { ...e.data, metric: opts.metric }, 'EMETRIC');
  }
  // exp show --sort-by's order (compare/rows.ts sortSpecFor): the best is its first
  // experiment, ties in table order, rows without a number last.
  const spec = sortSpecFor({ kind: 'metric', key }, { direction: opts.direction });
  const direction: MetricDirection = spec.descending ? 'max' : 'min';
  const ranked = sortIndices(exps, exps.map((_, i) => i), spec).map((i) => exps[i]).filter((r) => typeof r.metrics[key] === 'number' && !Number.isNaN(r.metrics[key]));
  const best = ranked[0];
  if (!best) throw new NotFoundError('metric', `${key}: no experiment recorded this metric`, { metric: key });
  const considered = ranked.length;
  const tied = ranked.slice(1).filter((r) => r.metrics[key] === best.metrics[key]).map((r) => r.name);
  return { metric: key, direction, value: best.metrics[key], best, considered, tied };
}
