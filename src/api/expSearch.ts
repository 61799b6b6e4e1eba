import { isAbsolute, relative, resolve, sep } from 'node:path';
import { defaultDirection } from '../compare/rows.js';
import type { MetricDirection } from '../compare/types.js';
import { checkCount, InputError } from '../errors/index.js';
import { gitIdentity, writeExpCommit } from '../experiments/commit.js';
import { recordExp } from '../experiments/record.js';
import { uniqueName } from '../experiments/names.js';
import { describePoint, type Point } from '../experiments/overrides.js';
import { expMessage, listExps } from '../experiments/refs.js';
import { interleave, paretoFront, SEARCH_FILE, searchPoints, SEARCHABLE } from '../experiments/search.js';
import { resolveRev } from '../git/porcelain.js';
import { readCsvWithLines } from '../ml/csv.js';
import { findAlgorithm, TASK_ALGORITHMS, type Algorithm } from '../ml/models/index.js';
import type { Params } from '../ml/models/params.js';
import { firstMissingFeature, inferTask, train } from '../ml/train.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';
import { hashFile } from '../store/hash.js';

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
  /** Start no trial once this many seconds have passed (a running one finishes). */
  budgetSeconds?: number;
  /** The cost axis of the Pareto front (default train_seconds). */
  cost?: CostAxis;
  signal?: AbortSignal;
  onTrial?: (t: Trial) => void;
  /** Called before the first trial when algorithms are left out (see `skipped` in the result). */
  onSkipped?: (s: NonNullable<ExpSearchResult['skipped']>) => void;
}

/** What a trial cost: the train call's seconds (cross-validation and final fit), the model file's bytes, the features it used. */
export interface TrialCost {
  train_seconds: number;
  model_bytes: number;
  n_features: number;
}
export type CostAxis = keyof TrialCost;
export const COST_AXES: CostAxis[] = ['train_seconds', 'model_bytes', 'n_features'];

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
  /** Wall seconds of the whole trial (training and recording). */
  seconds: number;
  cost?: TrialCost;
  /** On the Pareto front of the metric against the cost axis. */
  pareto?: boolean;
}

export interface ExpSearchResult {
  baseline: string;
  task: string;
  metric: string;
  direction: MetricDirection;
  validation: string;
  seed: number;
  /** The data as searched: its path from the repository root (absolute when outside it), and the SHA-256 of its bytes. */
  data: { path: string; sha256: string };
  /** Successful trials, best first. */
  leaderboard: Array<Trial & { score: number }>;
  best?: Trial & { score: number };
  trials: Trial[];
  /** Trials planned; `trials.length` of them ran. */
  planned: number;
  /** Algorithms left out because the data has a missing feature value they refuse (only when --algorithms is not given). */
  skipped?: { algorithms: Algorithm[]; reason: string };
  /** Set when the budget stopped the search: trials not started. */
  budget?: { seconds: number; notStarted: number };
  cost: CostAxis;
  /** Names of the successful trials on the Pareto front of the metric against `cost`, best metric first. */
  pareto: string[];
}

export { SEARCH_FILE };

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
  const { frame, lines } = await readCsvWithLines(dataPath, { label: opts.data, shared: true });
  if (!frame.columns.some((c) => c.name === opts.target)) throw new InputError(`${opts.data}: no column "${opts.target}"`, { key: opts.target });
  const task = opts.task ?? inferTask(frame, opts.target).task;
  if (task !== 'classification' && task !== 'regression') throw new InputError(`--task ${task}: search supports classification and regression`, { task });
  const allowed = TASK_ALGORITHMS[task].filter((a) => SEARCHABLE.includes(a));
  let algorithms = (opts.algorithms?.length ? opts.algorithms : allowed) as Algorithm[];
  // Left to choose, the search does not plan trials that would fail on a missing feature value.
  let skipped: ExpSearchResult['skipped'];
  const gap = opts.algorithms?.length ? undefined : firstMissingFeature(frame, opts.target, lines);
  if (gap) {
    const refuse = algorithms.filter((a) => !findAlgorithm(a)?.allowsMissing);
    if (refuse.length < algorithms.length) {
      skipped = { algorithms: refuse, reason: gap.message };
      algorithms = algorithms.filter((a) => !refuse.includes(a));
      opts.onSkipped?.(skipped);
    }
  }
  const wrong = algorithms.filter((a) => !TASK_ALGORITHMS[task].includes(a));
  if (wrong.length) throw new InputError(`--algorithms: ${wrong.join(', ')} cannot do ${task} (use ${TASK_ALGORITHMS[task].join(', ')})`, { algorithms: wrong });
  const costAxis = opts.cost ?? 'train_seconds';
  if (!COST_AXES.includes(costAxis)) throw new InputError(`--cost ${costAxis}: expected ${COST_AXES.join(', ')}`, { key: 'cost', value: costAxis });
  const metric = opts.metric ?? (task === 'classification' ? 'accuracy' : 'r2');
  const direction = defaultDirection(metric);
  const validation = opts.validation ?? 'kfold:5';
  const seed = opts.seed ?? 0;
  checkCount('--seed', seed, 0);
  checkCount('--trials', opts.trials);
  const identity = gitIdentity(root);
  const taken = new Set(listExps(root).map((e) => e.name));
  // The trial records which bytes it scored: `mlv exp apply` checks the pipeline trains on the same.
  const rel = relative(root, dataPath);
  const data = { path: rel.startsWith('..') || isAbsolute(rel) ? dataPath : rel.split(sep).join('/'), sha256: await hashFile(dataPath) };

  // Every algorithm's first point, then every second one…: a budget still tries each algorithm.
  const plan = interleave(algorithms.map((algorithm) => searchPoints(algorithm, opts.trials, seed).map((params, i) => ({ algorithm, params, i }))));
  const started = Date.now();
  const trials: Trial[] = [];
  let budget: ExpSearchResult['budget'];
  for (const { algorithm, params, i } of plan) {
    if (opts.signal?.aborted) break;
    if (opts.budgetSeconds !== undefined && (Date.now() - started) / 1000 >= opts.budgetSeconds) {
      budget = { seconds: opts.budgetSeconds, notStarted: plan.length - trials.length };
      break;
    }
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
      trial.cost = { train_seconds: r.cost.seconds, model_bytes: r.cost.model_bytes, n_features: r.cost.n_features };
      doc = { metrics: r.metrics, cost: { ...trial.cost, n_rows: r.cost.n_rows, n_fits: r.cost.n_fits } };
      if (r.feature_importances) doc.feature_importances = r.feature_importances;
      if (r.confusion_matrix) doc.confusion_matrix = r.confusion_matrix;
    } catch (e) {
      if (e instanceof InputError && e.data.metric) throw e;
      trial.status = 'failed';
      trial.error = (e as Error).message;
    }
    const overrides = { 'search.algorithm': algorithm, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`search.${k}`, v])) };
    const means = Object.fromEntries(Object.entries((doc.metrics ?? {}) as Record<string, { mean: number }>).map(([k, v]) => [`${SEARCH_FILE}:${k}`, v.mean]));
    if (trial.cost) for (const [k, v] of Object.entries(trial.cost)) means[`${SEARCH_FILE}:cost.${k}`] = v;
    const spec = { format: 1, data: data.path, data_sha256: data.sha256, target: opts.target, task, algorithm, params, validation, seed, status: trial.status, ...(trial.error ? { error: trial.error } : {}), ...doc };
    // Its params are the trial's own (`search.*`): the baseline's pipeline params played no part.
    const message = (n: string) => expMessage({ name: n, summary: `search ${algorithm} ${describePoint(params)}`.trim(), status: trial.status, overrides, error: trial.error, metrics: means, params: overrides });
    const recorded = await recordExp({ root, baseline, name, seed: nameSeed, commit: (n) => writeExpCommit(root, { baseline, changes: [{ path: SEARCH_FILE, content: Buffer.from(JSON.stringify(spec, null, 2) + '\n') }], message: message(n), identity }) });
    trial.name = recorded.name;
    trial.commit = recorded.commit;
    trial.ref = recorded.ref;
    trial.seconds = (Date.now() - t0) / 1000;
    trials.push(trial);
    opts.onTrial?.(trial);
  }
  const leaderboard = trials
    .filter((t): t is Trial & { score: number } => t.status === 'ok' && typeof t.score === 'number' && Number.isFinite(t.score))
    .sort((a, b) => (direction === 'max' ? b.score - a.score : a.score - b.score));
  const front = new Set(paretoFront(leaderboard.map((t) => ({ quality: t.score, cost: t.cost?.[costAxis] ?? NaN })), direction).map((i) => leaderboard[i].name));
  for (const t of leaderboard) t.pareto = front.has(t.name);
  return {
    baseline, task, metric, direction, validation, seed, data, leaderboard, best: leaderboard[0], trials,
    planned: plan.length, ...(skipped ? { skipped } : {}), ...(budget ? { budget } : {}), cost: costAxis, pareto: leaderboard.filter((t) => t.pareto).map((t) => t.name),
  };
}

export { defaultSearchText, parseBudget } from '../experiments/search.js';
