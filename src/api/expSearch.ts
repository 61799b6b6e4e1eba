import { resolve } from 'node:path';
import { defaultDirection } from '../compare/rows.js';
import type { MetricDirection } from '../compare/types.js';
import { InputError } from '../errors/index.js';
import { gitIdentity, writeExpCommit } from '../experiments/commit.js';
import { recordExp } from '../experiments/record.js';
import { uniqueName } from '../experiments/names.js';
import { describePoint, type Point } from '../experiments/overrides.js';
import { expMessage, listExps } from '../experiments/refs.js';
import { searchPoints, SEARCHABLE } from '../experiments/search.js';
import { resolveRev } from '../git/porcelain.js';
import { readCsvWithLines } from '../ml/csv.js';
import { TASK_ALGORITHMS, type Algorithm } from '../ml/models/index.js';
import type { Params } from '../ml/models/params.js';
import { inferTask, train } from '../ml/train.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';

export interface ExpSearchOptions extends RepoOptions {
  /** Training CSV, relative to cwd. */
  data: string;
  target: string;
  task?: 'classification' | 'regression';
  /** Default: every searchable algorithm for the task. */
  algorithms?: string[];
  /** Random trials per algorithm; default: each algorithm's small grid. */
  trials?: number;
  /** Cross-validation scheme (default kfold:5). */
  validation?: string;
  /** Metric to optimise (default accuracy, or r2 for regression). */
  metric?: string;
  seed?: number;
  signal?: AbortSignal;
  onTrial?: (t: Trial) => void;
}

export interface Trial {
  name: string;
  algorithm: Algorithm;
  params: Point;
  status: 'ok' | 'failed';
  metric: string;
  score?: number;
  std?: number;
  error?: string;
  ref?: string;
  commit?: string;
  seconds: number;
}

export interface ExpSearchResult {
  baseline: string;
  task: string;
  metric: string;
  direction: MetricDirection;
  validation: string;
  /** Successful trials, best first. */
  leaderboard: Array<Trial & { score: number }>;
  best?: Trial & { score: number };
  trials: Trial[];
}

/** Where a search trial's spec and scores go in its experiment commit (small JSON, no model). */
export const SEARCH_FILE = 'mlv-search.json';

/**
 * AutoML-style search: every algorithm with a grid (or random trials) of its
 * hyperparameters, each scored by cross-validation with `mlv train`'s library and
 * recorded as an experiment commit on HEAD (`mlv-search.json` holds the trial; the
 * scores are also in the message, so `mlv exp show` lists them).
 * @example
 *   const r = await expSearch({ cwd, data: 'data/train.csv', target: 'label' });
 *   r.best // { algorithm: 'random_forest', params: {...}, score: 0.95 }
 */
export async function expSearch(opts: ExpSearchOptions): Promise<ExpSearchResult> {
  const root = gitRootOrThrow(opts.cwd);
  const baseline = resolveRev(root, 'HEAD');
  const dataPath = resolve(opts.cwd, opts.data);
  const { frame, lines } = await readCsvWithLines(dataPath, { label: opts.data });
  if (!frame.columns.some((c) => c.name === opts.target)) throw new InputError(`${opts.data}: no column "${opts.target}"`, { key: opts.target });
  const task = opts.task ?? inferTask(frame, opts.target).task;
  if (task !== 'classification' && task !== 'regression') throw new InputError(`--task ${task}: search supports classification and regression`, { task });
  const allowed = TASK_ALGORITHMS[task].filter((a) => SEARCHABLE.includes(a));
  const algorithms = (opts.algorithms?.length ? opts.algorithms : allowed) as Algorithm[];
  const wrong = algorithms.filter((a) => !TASK_ALGORITHMS[task].includes(a));
  if (wrong.length) throw new InputError(`--algorithms: ${wrong.join(', ')} cannot do ${task} (use ${TASK_ALGORITHMS[task].join(', ')})`, { algorithms: wrong });
  const metric = opts.metric ?? (task === 'classification' ? 'accuracy' : 'r2');
  const direction = defaultDirection(metric);
  const validation = opts.validation ?? 'kfold:5';
  const seed = opts.seed ?? 0;
  const identity = gitIdentity(root);
  const taken = new Set(listExps(root).map((e) => e.name));

  const trials: Trial[] = [];
  for (const algorithm of algorithms) {
    const points = searchPoints(algorithm, opts.trials, seed);
    for (let i = 0; i < points.length && !opts.signal?.aborted; i++) {
      const params = points[i];
      const t0 = Date.now();
      const nameSeed = `${baseline}\0search\0${algorithm}\0${JSON.stringify(params)}\0${i}`;
      const name = uniqueName(nameSeed, taken);
      const trial: Trial = { name, algorithm, params, status: 'ok', metric, seconds: 0 };
      let doc: Record<string, unknown> = {};
      try {
        const r = await train(frame, { target: opts.target, task, algorithm, params: params as Params, validation, seed, lines });
        const m = r.metrics[metric];
        if (!m) throw new InputError(`metric ${metric}: not measured for ${task} (measured: ${Object.keys(r.metrics).join(', ')})`, { metric });
        trial.score = m.mean;
        trial.std = m.std;
        doc = { metrics: r.metrics, cost: { model_bytes: r.cost.model_bytes, n_features: r.cost.n_features, n_rows: r.cost.n_rows, n_fits: r.cost.n_fits } };
        if (r.feature_importances) doc.feature_importances = r.feature_importances;
        if (r.confusion_matrix) doc.confusion_matrix = r.confusion_matrix;
      } catch (e) {
        if (e instanceof InputError && e.data.metric) throw e;
        trial.status = 'failed';
        trial.error = (e as Error).message;
      }
      trial.seconds = (Date.now() - t0) / 1000;
      const overrides = { 'search.algorithm': algorithm, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`search.${k}`, v])) };
      const means = Object.fromEntries(Object.entries((doc.metrics ?? {}) as Record<string, { mean: number }>).map(([k, v]) => [`${SEARCH_FILE}:${k}`, v.mean]));
      const spec = { format: 1, data: opts.data, target: opts.target, task, algorithm, params, validation, seed, status: trial.status, ...(trial.error ? { error: trial.error } : {}), ...doc };
      const message = (n: string) => expMessage({ name: n, summary: `search ${algorithm} ${describePoint(params)}`.trim(), status: trial.status, overrides, error: trial.error, metrics: means });
      const recorded = await recordExp({ root, baseline, name, seed: nameSeed, commit: (n) => writeExpCommit(root, { baseline, changes: [{ path: SEARCH_FILE, content: Buffer.from(JSON.stringify(spec, null, 2) + '\n') }], message: message(n), identity }) });
      trial.name = recorded.name;
      trial.commit = recorded.commit;
      trial.ref = recorded.ref;
      trials.push(trial);
      opts.onTrial?.(trial);
    }
  }
  const leaderboard = trials
    .filter((t): t is Trial & { score: number } => t.status === 'ok' && typeof t.score === 'number' && Number.isFinite(t.score))
    .sort((a, b) => (direction === 'max' ? b.score - a.score : a.score - b.score));
  return { baseline, task, metric, direction, validation, leaderboard, best: leaderboard[0], trials };
}

export { defaultSearchText } from '../experiments/search.js';
