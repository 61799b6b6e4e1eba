/**
 * `mlv train` as a library call: fit one of the algorithms on a Frame, score it with a
 * validation scheme (metrics from ml/metrics.ts, the same code as `mlv evaluate`),
 * then refit on all rows for the model file. The algorithm is a descriptor from the
 * registry (models/index.ts): this file knows tasks and validation, not algorithms.
 *
 * @example
 *   const frame = await readCsv('data/train.csv');
 *   const r = await train(frame, { target: 'label', validation: 'kfold:5', seed: 0 });
 *   writeFileAtomic('model.json', r.modelChunks);
 *   r.metrics.accuracy; // { mean, std, folds: [...] }
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { checkCount, InputError, UsageError } from '../errors/index.js';
import { readCsvWithLines } from './csv.js';
import { strayMessage, strayText } from './data/strays.js';
import { USER_OUTPUT, writeFileAtomic } from '../store/atomic.js';
import { readFeaturizeState } from './featurize/index.js';
import { canonicalJson } from './models/json.js';
import type { Frame, NumericColumn } from './frame.js';
import type { OnProgress } from '../progress.js';
import { classificationMetrics, compareLabels, regressionMetrics, type ConfusionMatrix } from './metrics.js';
import {
  algorithmFields, argmax, findAlgorithm, loadModel, saveModelChunks, TASK_ALGORITHMS, TASKS, MODEL_FORMAT, MODEL_VERSION,
  type Algorithm, type Label, type ModelDoc, type Task,
} from './models/index.js';
import type { Fit, TrainData, Trainer } from './models/algorithm.js';
import type { LoadedModel } from './models/index.js';
import { permutationDrops, summarizeDrops, type PermutationInput } from './importance.js';
import { createRng, type Rng } from './rng.js';
import { resolveParams, type Params } from './models/params.js';
import { defaultJobs } from './models/forest.js';
import { folds, foldCount, parseValidation, schemeText, type Scheme } from './validation.js';
import { hashRows } from './rowsHash.js';

export interface TrainOptions {
  /** Column to predict; required for classification and regression. */
  target?: string;
  /** Inferred from the target when omitted (see inferTask). */
  task?: Task;
  algorithm?: Algorithm;
  /** Hyperparameters by scikit-learn name; unknown names are an InputError. */
  params?: Params;
  /** "holdout:0.2" (default for supervised tasks), "kfold:5", "leave-p-out:1", "none". */
  validation?: string;
  seed?: number;
  /** Worker threads an algorithm may use (default: the cores, up to 8); 1 = none. */
  jobs?: number;
  /** Physical CSV line of each row, for error messages (readCsvWithLines). */
  lines?: ArrayLike<number>;
  /** Carried into the model file untouched (written by `mlv featurize`). */
  featurize?: unknown;
  onProgress?: OnProgress;
  /** Milliseconds; injected so tests can pin it. */
  clock?: () => number;
  /**
   * `native` (the default): the model's own importances. `permutation`: the drop in
   * score (accuracy, R²) when one feature is shuffled among the validation rows, for
   * every supervised algorithm (scikit-learn's permutation_importance).
   */
  importance?: ImportanceMethod;
  /** Shuffles per feature and fold for permutation importance (scikit-learn's n_repeats, default 5). */
  importanceRepeats?: number;
}

export type ImportanceMethod = 'native' | 'permutation';
export const IMPORTANCE_METHODS: readonly ImportanceMethod[] = ['native', 'permutation'];
/** scikit-learn's permutation_importance default. */
export const DEFAULT_REPEATS = 5;

export interface MetricSummary {
  mean: number;
  /** Population standard deviation over folds (numpy's default, ddof = 0). */
  std: number;
  folds: number[];
}

export interface TrainResult {
  task: Task;
  algorithm: Algorithm;
  /** Why the task was chosen, when it was inferred. */
  taskInferred?: string;
  validation: string;
  model: ModelDoc;
  metrics: Record<string, MetricSummary>;
  /** Classification: summed over the folds' test rows. */
  confusion_matrix?: ConfusionMatrix;
  /**
   * Per feature name: native importances of the final fit (trees: MDI, sum 1), or with
   * `importance: 'permutation'` the mean drop in score over folds and repeats.
   */
  feature_importances?: Record<string, number>;
  /** How feature_importances were measured, when asked for (`--importance`) or not native. */
  importance?: ImportanceReport;
  /**
   * The importances are shown (output, --json) but kept out of the metrics file: linear's
   * native ones when --importance was not given, as its files predate them and
   * `repro --rev` of an old commit must rebuild the same metrics.
   */
  importancesUnsaved?: boolean;
  /** PCA: per component, from the final fit. */
  explained_variance_ratio?: number[];
  cost: { seconds: number; model_bytes: number; n_features: number; n_rows: number; n_fits: number };
  /**
   * Classification and regression with a validation scheme: the headline metric on each
   * fold model's own training rows, and how much better than on its test rows.
   */
  fit_gap?: FitGap;
  /** The model file's text, in chunks (computed once). */
  modelChunks: string[];
}

export interface ImportanceReport {
  method: ImportanceMethod;
  /** Permutation: the score whose drop is measured (scikit-learn's default score). */
  scoring?: 'accuracy' | 'r2';
  n_repeats?: number;
  /** Permutation: population std of the drops over folds and repeats, per feature name. */
  std?: Record<string, number>;
}

export interface FitGap {
  /** `accuracy` (classification) or `r2` (regression). */
  metric: string;
  /** On each fold model's training rows. */
  train: MetricSummary;
  /** train.mean − the validation mean: positive when seen rows score better. */
  gap: number;
  /** gap > GAP_THRESHOLD. */
  large: boolean;
}

/**
 * A gap above this (10 points of accuracy, 0.1 of r2) is reported as overfitting: the
 * model is markedly better on rows it has seen than on rows it has not. Below it is the
 * usual case for flexible models (a forest fits its training rows almost perfectly and
 * still validates well), so a warning there would be noise (docs/ml-train.md).
 */
export const GAP_THRESHOLD = 0.1;

/** The metric compared between training and validation rows, per task. */
const HEADLINE: Partial<Record<Task, string>> = { classification: 'accuracy', regression: 'r2' };

/** Test rows handed to a supervised model at a time while scoring. */
const SCORE_BATCH = 4096;

/** Distinct integer values up to which a numeric target counts as classes. */
export const CLASS_LIMIT = 20;

/**
 * Task from the target column: text or boolean → classification; numbers that are all
 * integers with at most 20 distinct values → classification; other numbers → regression.
 */
export function inferTask(frame: Frame, target: string): { task: Task; reason: string } {
  const col = frame.columns.find((c) => c.name === target)!;
  if (col.type === 'categorical') return { task: 'classification', reason: `target "${target}" is text` };
  if (col.type === 'boolean') return { task: 'classification', reason: `target "${target}" is boolean` };
  const seen = new Set<number>();
  let integers = true;
  for (const v of col.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) { integers = false; break; }
    seen.add(v);
    if (seen.size > CLASS_LIMIT) break;
  }
  if (integers && seen.size <= CLASS_LIMIT && col.type === 'number') {
    return { task: 'classification', reason: `target "${target}" has ${seen.size} distinct integer values (at most ${CLASS_LIMIT})` };
  }
  return { task: 'regression', reason: `target "${target}" is numeric` };
}

/** A numeric column's first missing value, as `<file>:<line>: column "<name>" has a missing value`. */
function missingCell(src: string, c: NumericColumn, lines?: ArrayLike<number>): { line: number; message: string } | undefined {
  const i = c.values.findIndex((v) => Number.isNaN(v));
  if (i < 0) return undefined;
  const line = lines ? lines[i] : i + 2;
  return { line, message: `${src}:${line}: column "${c.name}" has a missing value` };
}

/**
 * The first missing value among the numeric features (every column but the target),
 * or undefined: only algorithms that declare `allowsMissing` train on such data.
 */
export function firstMissingFeature(frame: Frame, target: string, lines?: ArrayLike<number>): { column: string; line: number; message: string } | undefined {
  for (const c of frame.columns) {
    if (c.name === target || c.type === 'categorical') continue;
    const gap = missingCell(frame.source ?? 'data', c, lines);
    if (gap) return { column: c.name, ...gap };
  }
  return undefined;
}

export async function train(frame: Frame, opts: TrainOptions = {}): Promise<TrainResult> {
  const clock = opts.clock ?? (() => performance.now());
  const t0 = clock();
  const src = frame.source ?? 'data';
  const seed = opts.seed ?? 0;
  checkCount('--seed', seed, 0);
  checkCount('--jobs', opts.jobs);
  const lineOf = (row: number) => (opts.lines ? opts.lines[row] : row + 2);

  // Task and algorithm.
  const target = opts.target;
  if (target !== undefined && !frame.columns.some((c) => c.name === target)) {
    throw new InputError(`${src}: no column "${target}" (columns: ${frame.columns.map((c) => c.name).join(', ')})`, { key: target });
  }
  let task = opts.task;
  let taskInferred: string | undefined;
  if (!task) {
    if (target === undefined) throw new UsageError('--target is required (or pass --task clustering or --task reduction)');
    const inf = inferTask(frame, target);
    task = inf.task;
    taskInferred = inf.reason;
  }
  if (!(task in TASK_ALGORITHMS)) throw new UsageError(`unknown task "${task}" (use ${TASKS.slice(0, -1).join(', ')} or ${TASKS[TASKS.length - 1]})`);
  const supervised = task === 'classification' || task === 'regression';
  if (supervised && target === undefined) throw new UsageError(`--target is required for ${task}`);
  const algorithm = opts.algorithm ?? TASK_ALGORITHMS[task][0];
  if (!TASK_ALGORITHMS[task].includes(algorithm)) {
    const owners = (Object.keys(TASK_ALGORITHMS) as Task[]).filter((t) => TASK_ALGORITHMS[t].includes(algorithm));
    throw new InputError(
      owners.length
        ? `algorithm ${algorithm} does ${owners.join('/')}, not ${task} (for ${task}: ${TASK_ALGORITHMS[task].join(', ')})`
        : `unknown algorithm "${algorithm}" (for ${task}: ${TASK_ALGORITHMS[task].join(', ')})`,
      { key: 'algorithm' },
    );
  }
  const descriptor = findAlgorithm(algorithm)!;
  const params = resolveParams(descriptor, task, opts.params ?? {});

  // Features: every other column, numeric, and complete unless the algorithm takes missing values.
  const featureCols = frame.columns.filter((c) => c.name !== target);
  if (featureCols.length === 0) throw new InputError(`${src}: no feature columns besides the target "${target}"`);
  for (const c of featureCols) {
    if (c.type === 'categorical') {
      const stray = strayText(c.values);
      if (stray) {
        const line = lineOf(stray.row);
        throw new InputError(`${strayMessage(src, line, c.name, stray)}; fix or blank the cell`, { file: src, line, key: c.name, value: stray.value });
      }
      throw new InputError(
        `${src}: column "${c.name}" is not numeric; encode it with \`mlv featurize\` (one-hot or ordinal) or drop it`,
        { file: src, key: c.name },
      );
    }
    const gap = descriptor.allowsMissing ? undefined : missingCell(src, c, opts.lines);
    if (gap) throw new InputError(`${gap.message}; impute it with \`mlv featurize\` or drop the row`, { file: src, line: gap.line, key: c.name });
  }
  const features = featureCols.map((c) => c.name);
  const columns = (featureCols as NumericColumn[]).map((c) => c.values);
  const n = frame.nRows;
  const p = columns.length;
  if (n < 2) throw new InputError(`${src}: ${n} data row${n === 1 ? '' : 's'}; training needs at least 2`);

  // Target.
  let labels: Label[] | undefined;
  let yClass: Int32Array | undefined;
  let yReg: Float64Array | undefined;
  let yLabels: Label[] = [];
  if (supervised) {
    const col = frame.columns.find((c) => c.name === target)!;
    const missing = col.type === 'categorical' ? col.values.findIndex((v) => v === null) : col.values.findIndex((v) => Number.isNaN(v));
    if (missing >= 0) {
      throw new InputError(`${src}:${lineOf(missing)}: the target "${target}" is missing; drop such rows first (a featurize step \`drop_missing: [${target}]\`)`, { file: src, line: lineOf(missing), key: target });
    }
    if (task === 'classification') {
      yLabels = col.type === 'categorical'
        ? (col.values as string[])
        : col.type === 'boolean' ? Array.from(col.values, (v) => (v ? 'true' : 'false')) : Array.from(col.values);
      const distinct = new Map<string, Label>();
      for (const v of yLabels) distinct.set(typeof v + ':' + v, v);
      labels = [...distinct.values()].sort(compareLabels);
      if (labels.length < 2) {
        throw new InputError(`${src}: the target "${target}" has a single class (${JSON.stringify(labels[0])}); classification needs at least two`, { key: target });
      }
      const code = new Map(labels.map((l, i) => [typeof l + ':' + l, i]));
      yClass = Int32Array.from(yLabels, (v) => code.get(typeof v + ':' + v)!);
    } else {
      if (col.type === 'categorical') {
        throw new InputError(`${src}: regression needs a numeric target; "${target}" holds text (use --task classification)`, { key: target });
      }
      yReg = Float64Array.from(col.values);
    }
  }

  const scheme: Scheme = parseValidation(opts.validation ?? (supervised ? 'holdout:0.2' : 'none'));
  const nFits = foldCount(scheme, n);
  const importance = opts.importance;
  if (importance !== undefined && !IMPORTANCE_METHODS.includes(importance)) {
    throw new UsageError(`--importance must be ${IMPORTANCE_METHODS.join(' or ')}, got "${importance}"`);
  }
  const repeats = opts.importanceRepeats ?? DEFAULT_REPEATS;
  checkCount('--importance-repeats', repeats);
  const permutation = importance === 'permutation';
  if (permutation && !supervised) throw new UsageError(`--importance permutation measures a score's drop: it needs classification or regression, not ${task}`);
  if (permutation && (scheme.kind === 'none' || scheme.kind === 'leave-p-out')) {
    throw new UsageError(`--importance permutation shuffles features among the validation rows: use --validation holdout or kfold, not ${schemeText(scheme)}`);
  }

  const data: TrainData = { task, columns, n, p, labels, yClass, yReg, seed, jobs: opts.jobs ?? defaultJobs() };
  // What folds share (a sort of the data, worker threads) is set up once, here.
  let trainer: Trainer | null = descriptor.trainer(data, params);

  const fit = async (rows: Int32Array): Promise<{ doc: ModelDoc; fit: Fit }> => {
    const f = await trainer!.fit(rows);
    const doc: ModelDoc = {
      format: MODEL_FORMAT, version: MODEL_VERSION, task: task!, ...algorithmFields(descriptor), target: supervised ? target! : null,
      features, labels, params, seed, state: f.state, featurize: opts.featurize,
    };
    if (f.importances) doc.feature_importances = Array.from(f.importances);
    return { doc, fit: f };
  };

  // Supervised models score the test rows a batch at a time, in the same row arrays: a
  // Float64Array per test row, all at once, took more memory than the data itself
  // (400k × 20, 10 trees, --validation none: peak RSS 632 MiB, 435 in batches).
  let batchRows: Float64Array[] = [];
  function* batches(idx: Int32Array): Generator<Float64Array[]> {
    if (batchRows.length === 0) batchRows = Array.from({ length: Math.min(SCORE_BATCH, n) }, () => new Float64Array(p));
    for (let a = 0; a < idx.length; a += SCORE_BATCH) {
      const m = Math.min(SCORE_BATCH, idx.length - a);
      for (let r = 0; r < m; r++) {
        const row = batchRows[r];
        const i = idx[a + r];
        for (let f = 0; f < p; f++) row[f] = columns[f][i];
      }
      yield m === batchRows.length ? batchRows : batchRows.slice(0, m);
    }
  }
  const perFold: Array<Record<string, number>> = [];
  const drops: Float64Array[][] = [];
  const onTrain: number[] = [];
  const headline = scheme.kind === 'none' ? undefined : HEADLINE[task];
  const confusion: number[][] | undefined = labels ? labels.map(() => labels!.map(() => 0)) : undefined;
  const predictLabels = (model: ReturnType<typeof loadModel>, idx: Int32Array): { yPred: Label[]; proba: Float64Array[] } => {
    const proba: Float64Array[] = [];
    for (const X of batches(idx)) for (const r of model.predictProba!(X)) proba.push(r);
    return { yPred: proba.map((r) => labels![argmax(r)]), proba };
  };
  const predictValues = (model: ReturnType<typeof loadModel>, idx: Int32Array): Float64Array => {
    const yPred = new Float64Array(idx.length);
    let o = 0;
    for (const X of batches(idx)) {
      const part = model.predict(X) as Float64Array;
      yPred.set(part, o);
      o += part.length;
    }
    return yPred;
  };
  const total = Number(nFits);
  try {
    let done = 0;
    let foldNo = 0;
    for (const fold of folds(scheme, n, seed, task === 'classification' ? yClass : undefined)) {
      const { doc, fit: f } = await fit(fold.train);
      const model = loadModel(doc);
      const scores: Record<string, number> = {};
      if (task === 'classification') {
        const yTrue = Array.from(fold.test, (i) => yLabels[i]);
        const { yPred, proba } = predictLabels(model, fold.test);
        const m = classificationMetrics(yTrue, yPred, { labels: labels!, rows: proba });
        for (const [k, v] of Object.entries(m)) if (typeof v === 'number') scores[k] = v;
        const at = new Map(labels!.map((l, i) => [typeof l + ':' + l, i]));
        const cm = m.confusion_matrix;
        cm.labels.forEach((a, i) => cm.labels.forEach((b, j) => {
          confusion![at.get(typeof a + ':' + a)!][at.get(typeof b + ':' + b)!] += cm.matrix[i][j];
        }));
      } else if (task === 'regression') {
        const yTrue = Float64Array.from(fold.test, (i) => yReg![i]);
        const m = regressionMetrics(yTrue, predictValues(model, fold.test));
        for (const [k, v] of Object.entries(m)) if (typeof v === 'number') scores[k] = v;
      } else {
        Object.assign(scores, descriptor.score!(f, data, fold.test));
      }
      if (permutation) drops.push(permutationDrops(permutationInput(model, fold.test, createRng(seed, PERMUTATION_STREAM, foldNo))));
      foldNo++;
      // The same metric on the rows this fold model was fitted on (the other side of the gap).
      if (headline === 'accuracy') {
        onTrain.push(classificationMetrics(Array.from(fold.train, (i) => yLabels[i]), predictLabels(model, fold.train).yPred).accuracy);
      } else if (headline === 'r2') {
        onTrain.push(regressionMetrics(Float64Array.from(fold.train, (i) => yReg![i]), predictValues(model, fold.train)).r2);
      }
      perFold.push(scores);
      opts.onProgress?.({ unit: 'runs', done: ++done, total: total + 1, phase: schemeText(scheme) });
    }

    const final = await fit(Int32Array.from({ length: n }, (_, i) => i));
    final.doc.training_data = {
      file: src,
      rows: n,
      sha256: hashRows(p, (i, f) => columns[f][i], n, supervised ? (i) => String(task === 'classification' ? yLabels[i] : yReg![i]) : undefined),
    };
    // Worker isolates and their buffers go before the model text is built.
    await trainer.close?.();
    trainer = null;
    opts.onProgress?.({ unit: 'runs', done: total + 1, total: total + 1, phase: 'final fit' });
    const modelChunks = saveModelChunks(final.doc);
    let bytes = 0;
    for (const c of modelChunks) bytes += Buffer.byteLength(c);

    const result: TrainResult = {
      task, algorithm, taskInferred, validation: schemeText(scheme), model: final.doc,
      metrics: summarize(perFold),
      cost: { seconds: (clock() - t0) / 1000, model_bytes: bytes, n_features: p, n_rows: n, n_fits: total + 1 },
      modelChunks,
    };
    if (confusion) result.confusion_matrix = { labels: labels!, matrix: confusion };
    const validated = headline ? result.metrics[headline] : undefined;
    if (headline && validated && onTrain.length === perFold.length && onTrain.every(Number.isFinite)) {
      const [train] = Object.values(summarize(onTrain.map((v) => ({ [headline]: v }))));
      const gap = train.mean - validated.mean;
      result.fit_gap = { metric: headline, train, gap, large: gap > GAP_THRESHOLD };
    }
    const named = (v: ArrayLike<number>) => Object.fromEntries(features.map((f, i) => [f, v[i]]));
    if (permutation) {
      const { mean, std } = summarizeDrops(drops, p);
      result.feature_importances = named(mean);
      result.importance = { method: 'permutation', scoring: task === 'classification' ? 'accuracy' : 'r2', n_repeats: repeats, std: named(std) };
    } else if (final.fit.importances) {
      result.feature_importances = named(final.fit.importances);
      if (importance) result.importance = { method: 'native' };
    } else if (final.fit.reportedImportances) {
      result.feature_importances = named(final.fit.reportedImportances);
      if (importance) result.importance = { method: 'native' };
      else result.importancesUnsaved = true;
    }
    if (final.fit.report?.explained_variance_ratio) result.explained_variance_ratio = final.fit.report.explained_variance_ratio;
    return result;
  } finally {
    await trainer?.close?.();
  }

  /** What permutationDrops needs to score `model` on `rows`: class indices and accuracy, or values and R². */
  function permutationInput(model: LoadedModel, rows: Int32Array, rng: Rng): PermutationInput {
    if (task === 'classification') {
      const yt = Int32Array.from(rows, (i) => yClass![i]);
      return {
        columns, rows, nRepeats: repeats, rng,
        predict: (X) => Float64Array.from(model.predictProba!(X), (r) => argmax(r)),
        score: (pred) => {
          let hit = 0;
          for (let j = 0; j < yt.length; j++) if (pred[j] === yt[j]) hit++;
          return hit / yt.length;
        },
      };
    }
    const yt = Float64Array.from(rows, (i) => yReg![i]);
    return { columns, rows, nRepeats: repeats, rng, predict: (X) => model.predict(X) as Float64Array, score: (pred) => regressionMetrics(yt, pred).r2 };
  }
}

/** deriveSeed stream of permutation importance's shuffles (apart from the folds' and the algorithms'). */
const PERMUTATION_STREAM = 0x5045524d;

/**
 * Mean and population std of each metric over folds. A metric some fold cannot define
 * (roc_auc on a one-class test set, f1 when a fold's labels are not binary) is left out.
 */
function summarize(perFold: Array<Record<string, number>>): Record<string, MetricSummary> {
  const names = new Set<string>();
  for (const f of perFold) for (const k of Object.keys(f)) names.add(k);
  const out: Record<string, MetricSummary> = {};
  for (const name of [...names].sort()) {
    const vals = perFold.map((f) => f[name]);
    if (vals.some((v) => typeof v !== 'number' || !Number.isFinite(v))) continue;
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
    out[name] = { mean, std, folds: vals };
  }
  return out;
}

/**
 * The metrics file: everything measured except wall-clock time, so `mlv repro` can
 * compare it number by number (seconds go to `--json` output only).
 */
/**
 * The `--metrics` file: each metric's mean under the name `mlv evaluate` gives it
 * (`accuracy`), its spread as `<name>_std` and its folds under `folds` (docs/FORMAT.md).
 */
export function metricsDocument(r: TrainResult): Record<string, unknown> {
  const values: Record<string, number> = {};
  const folds: Record<string, number[]> = {};
  for (const [name, m] of Object.entries(r.metrics)) {
    values[name] = m.mean;
    values[`${name}_std`] = m.std;
    folds[name] = m.folds;
  }
  if (r.fit_gap) {
    values[`train_${r.fit_gap.metric}`] = r.fit_gap.train.mean;
    values.gap = r.fit_gap.gap;
    folds[`train_${r.fit_gap.metric}`] = r.fit_gap.train.folds;
  }
  return {
    ...values,
    task: r.task,
    algorithm: r.algorithm,
    validation: r.validation,
    folds,
    confusion_matrix: r.confusion_matrix,
    feature_importances: r.importancesUnsaved ? undefined : r.feature_importances,
    importance: r.importance,
    explained_variance_ratio: r.explained_variance_ratio,
    cost: { model_bytes: r.cost.model_bytes, n_features: r.cost.n_features, n_rows: r.cost.n_rows, n_fits: r.cost.n_fits },
  };
}


export interface TrainFileOptions extends Omit<TrainOptions, 'lines' | 'featurize' | 'params'> {
  /** Hyperparameters from the command line (win over the params file). */
  params?: Params;
  /** Where relative paths start (the CLI passes its working directory). */
  cwd: string;
  /** `--params-section train`: take hyperparameters from this section of the params file. */
  paramsSection?: string;
  /** Default params.yaml in cwd. */
  paramsFile?: string;
  /**
   * A featurize state to embed in the model (so `mlv predict` can take raw columns):
   * a path, false for none, or undefined to pick up `<csv>.featurize.json` when
   * `mlv featurize` wrote one beside the CSV.
   */
  featurize?: string | false;
  output?: string;
  metricsPath?: string;
}

/** Keys of a params section that set options rather than hyperparameters. */
export const SECTION_OPTIONS = ['task', 'algorithm', 'validation', 'seed', 'target'] as const;

/**
 * Reads the CSV (and params file, featurize state), trains, writes the model and the
 * metrics file atomically. Paths in errors are as the user gave them.
 */
export async function trainFile(csv: string, o: TrainFileOptions): Promise<TrainResult & { output?: string; metricsPath?: string; featurized?: string }> {
  const abs = (p: string) => resolve(o.cwd, p);

  let fromFile: Record<string, unknown> = {};
  if (o.paramsSection !== undefined) fromFile = await readParamsSection(abs(o.paramsFile ?? 'params.yaml'), o.paramsFile ?? 'params.yaml', o.paramsSection);
  const opt: Record<string, unknown> = {};
  const hyper: Params = {};
  for (const [k, v] of Object.entries(fromFile)) {
    if ((SECTION_OPTIONS as readonly string[]).includes(k)) opt[k] = v;
    else if (v !== null && typeof v === 'object') {
      throw new InputError(`${o.paramsFile ?? 'params.yaml'}: ${o.paramsSection}.${k} must be a single value`, { key: `${o.paramsSection}.${k}` });
    } else hyper[k] = v as Params[string];
  }
  const target = o.target ?? (opt.target as string | undefined);
  // Shared columns: the forest's worker threads read them in place.
  const { frame, lines } = await readCsvWithLines(abs(csv), { target, label: csv, shared: true });

  let featurize: unknown;
  let featurized: string | undefined;
  const statePath = o.featurize === false ? undefined : o.featurize ?? (existsSync(abs(`${csv}.featurize.json`)) ? `${csv}.featurize.json` : undefined);
  if (statePath) {
    featurize = await readFeaturizeState(abs(statePath));
    featurized = statePath;
  }

  const result = await train(frame, {
    ...o,
    target,
    task: o.task ?? (opt.task as Task | undefined),
    algorithm: o.algorithm ?? (opt.algorithm as Algorithm | undefined),
    validation: o.validation ?? (opt.validation as string | undefined),
    seed: o.seed ?? (opt.seed as number | undefined),
    params: { ...hyper, ...(o.params ?? {}) },
    lines,
    featurize,
  });
  if (o.output) writeFileAtomic(abs(o.output), result.modelChunks, USER_OUTPUT);
  if (o.metricsPath) {
    writeFileAtomic(abs(o.metricsPath), canonicalJson(metricsDocument(result)), USER_OUTPUT);
  }
  return { ...result, output: o.output, metricsPath: o.metricsPath, featurized };
}

async function readParamsSection(path: string, shown: string, section: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(`${shown}: cannot read the params file (needed by --params-section ${section})`, { file: shown });
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new InputError(`${shown}: not valid YAML (${(e as Error).message.split('\n')[0]})`, { file: shown });
  }
  let node: unknown = doc;
  for (const part of section.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (node === undefined) throw new InputError(`${shown}: no section "${section}"`, { file: shown, key: section });
  if (node === null) return {};
  if (typeof node !== 'object' || Array.isArray(node)) throw new InputError(`${shown}: "${section}" must be a mapping of hyperparameters`, { file: shown, key: section });
  return node as Record<string, unknown>;
}
