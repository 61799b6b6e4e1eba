import { collectKeys, defaultMetricKeys, resolveKey, selectKeys, sortIndices, sortSpecFor, varyingKeys } from '../compare/rows.js';
import type { VersionRow } from '../compare/types.js';
import { checkCount } from '../errors/index.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';
import { loadVersions, type ExpVersionRow } from '../experiments/versions.js';
import { queueConfigured } from '../queue/settings.js';
import type { QueueRowsOptions, QueueRowsSummary } from './queueRows.js';

export interface ExpShowOptions extends RepoOptions {
  /** Commits of the current branch to show (default 10). */
  commits?: number;
  /** Sort every row (commits and experiments together) by this metric or param. */
  sortBy?: string;
  /** Force the sort order; default: the metric's direction (best first). */
  descending?: boolean;
  /** Only the params and metrics that differ between rows. */
  onlyChanged?: boolean;
  /** Hide commits without experiments (except HEAD). */
  onlyWithExps?: boolean;
  /** Only the metric columns these globs match (`acc*`, `eval.json:*`, `cost.*`). */
  metrics?: string[];
  /** Only the param columns these globs match (`train.*`). */
  params?: string[];
  /**
   * 'default': cost columns (`cost.*`) stay out of the metrics except one train time,
   * as `mlv exp show` prints them; 'all' (the default here, and --json): every column.
   * Ignored when `metrics` selects columns.
   */
  columns?: 'all' | 'default';
  /**
   * Also the jobs of the queue .mlv/config names (none: nothing is connected or loaded):
   * queued, running and failed experiments, and finished ones not fetched yet, as rows
   * of kind 'job'. Redis not answering within `timeoutMs` (2 s) is a warning, not an error.
   */
  queue?: QueueRowsOptions;
}

export interface ExpShowRow extends ExpVersionRow {
  /** For an experiment: the params whose value differs from its baseline's. */
  changedParams?: string[];
  /** For an experiment: metric − baseline's metric. */
  deltas?: Record<string, number>;
}

export interface ExpShowResult {
  head?: string;
  /** Column keys, sorted. */
  params: string[];
  metrics: string[];
  sortBy?: { kind: 'metric' | 'param'; key: string; descending: boolean };
  rows: ExpShowRow[];
  /** Metric columns the default table left out (cost columns); --metrics shows them. */
  hidden?: string[];
  /** With `queue`, when .mlv/config names one and Redis answered: its rows by state. */
  queue?: QueueRowsSummary;
  /** What could not be shown and why (Redis not reached, naming its URL without password). */
  warnings?: string[];
}

/** Params and metric deltas of each experiment (and queued job) against its baseline. */
export function withDeltas(rows: ExpVersionRow[]): ExpShowRow[] {
  const commits = new Map(rows.filter((r) => r.kind === 'commit').map((r) => [r.rev, r]));
  return rows.map((r) => {
    if (r.kind === 'commit' || !r.baseline) return r;
    const base = commits.get(r.baseline);
    if (!base) return r;
    const keys = new Set([...Object.keys(r.params), ...Object.keys(base.params)]);
    // A param the experiment does not have (a search trial has only its own) is no data, not a change.
    const changedParams = [...keys].filter((k) => k in r.params && r.params[k] !== base.params[k]).sort();
    const deltas: Record<string, number> = {};
    for (const [k, v] of Object.entries(r.metrics)) {
      const b = base.metrics[k];
      if (typeof b === 'number' && Number.isFinite(b) && Number.isFinite(v)) deltas[k] = v - b;
    }
    return { ...r, changedParams, deltas };
  });
}

/**
 * Baseline commits and their experiments in one table: params, metrics, and deltas
 * against the baseline; optionally sorted across all rows.
 * @example
 *   const { rows } = await expShow({ cwd, sortBy: 'accuracy' });
 */
export async function expShow(opts: ExpShowOptions): Promise<ExpShowResult> {
  const root = gitRootOrThrow(opts.cwd);
  checkCount('-n', opts.commits);
  // The queue's modules load only when .mlv/config names a queue.
  const queued = opts.queue && queueConfigured(root)
    ? import('./queueRows.js').then(async (m) => ({ ...(await m.queueRows(root, opts.queue!)), place: m.placeQueueRows }))
    : undefined;
  const loaded = await loadVersions(root, { commits: opts.commits });
  const q = await queued;
  let rows = withDeltas(q ? q.place(loaded.rows, q.rows) : loaded.rows);
  if (opts.onlyWithExps) {
    const withExps = new Set(rows.filter((r) => r.kind !== 'commit').map((r) => r.baseline));
    rows = rows.filter((r) => r.kind !== 'commit' || withExps.has(r.rev) || r.rev === loaded.head);
  }
  const keys = collectKeys(rows as VersionRow[]);
  const all = rows.map((_, i) => i);
  let paramKeys = opts.params?.length ? selectKeys(keys.params, opts.params, '--params') : keys.params;
  let metricKeys = opts.metrics?.length ? selectKeys(keys.metrics, opts.metrics, '--metrics') : keys.metrics;
  let hidden: string[] = [];
  if (!opts.metrics?.length && opts.columns === 'default') ({ shown: metricKeys, hidden } = defaultMetricKeys(metricKeys));
  if (opts.onlyChanged) {
    paramKeys = varyingKeys(rows, all, paramKeys, 'param');
    metricKeys = varyingKeys(rows, all, metricKeys, 'metric');
  }
  const result: ExpShowResult = {
    head: loaded.head, params: paramKeys, metrics: metricKeys, rows, ...(hidden.length ? { hidden } : {}),
    ...(q?.summary ? { queue: q.summary } : {}), ...(q?.warning ? { warnings: [q.warning] } : {}),
  };
  if (opts.sortBy) {
    const column = resolveKey(opts.sortBy, keys, `--sort-by ${opts.sortBy}`);
    const spec = sortSpecFor(column, { descending: opts.descending });
    result.rows = sortIndices(rows, all, spec).map((i) => rows[i]);
    result.sortBy = { kind: column.kind as 'metric' | 'param', key: column.key, descending: spec.descending };
  }
  return result;
}
