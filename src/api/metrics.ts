import { resolveRev } from '../git/porcelain.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { metricsDiffRows, readMetrics, type DiffRow } from '../pipeline/compare.js';

export interface MetricsShowResult { rev: string; metrics: Record<string, Record<string, number>> }

/**
 * The metrics of a version: the workspace's metrics files, or what a commit's mlv.lock recorded.
 * @example
 *   const { metrics } = await metricsShow({ cwd, rev: 'HEAD' }); // { 'metrics.json': { accuracy: 0.93 } }
 */
export async function metricsShow(opts: RepoOptions & { rev?: string }): Promise<MetricsShowResult> {
  const repo = openRepo(opts);
  const commit = opts.rev ? resolveRev(repo.root, opts.rev) : undefined;
  return { rev: opts.rev ?? 'workspace', metrics: await readMetrics(repo.root, commit) };
}

export interface MetricsDiffResult { a: string; b: string; metrics: DiffRow[] }

/**
 * Metrics that differ between two versions (default HEAD and the workspace), with deltas.
 * Keys are `file:key`.
 * @example
 *   const { metrics } = await metricsDiff({ cwd, a: 'HEAD~1', b: 'HEAD' });
 */
export async function metricsDiff(opts: RepoOptions & { a?: string; b?: string; all?: boolean }): Promise<MetricsDiffResult> {
  const repo = openRepo(opts);
  const a = resolveRev(repo.root, opts.a ?? 'HEAD');
  const b = opts.b ? resolveRev(repo.root, opts.b) : undefined;
  return { a: opts.a ?? 'HEAD', b: opts.b ?? 'workspace', metrics: await metricsDiffRows(repo.root, a, b, opts.all) };
}
