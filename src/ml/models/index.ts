/**
 * The model file (`mlv train -o model.json`) and the one way to use it: loadModel.
 *
 * A model file is canonical JSON (models/json.ts): the same fit always gives the same
 * bytes, and load → save reproduces them. Top level:
 *   format "mlv-model", version 1, task, algorithm, target (null for unsupervised),
 *   features (numeric input columns, in the order predict() expects them),
 *   labels (classifiers: the classes, sorted — numbers ascending, strings by code unit),
 *   params (every hyperparameter, defaults filled in), seed, state (the fitted
 *   algorithm), state_version (its layout's version, when not 1),
 *   feature_importances (native importances, aligned with features), and an optional
 *   featurize object: opaque here, written by `mlv featurize` and applied by
 *   `mlv predict` before the features are looked up.
 *
 * Which algorithms exist is the registry below, ALGORITHMS: each is one descriptor
 * (algorithm.ts) in its own file. Every list of algorithms (tasks and their defaults,
 * `--algorithm`, `mlv exp search`, what a model file may name) is derived from it.
 *
 * @example
 *   const model = loadModel(JSON.parse(await readFile('model.json', 'utf8')));
 *   const labels = model.predict(rows); // rows: Float64Array per row, in model.features order
 */
import { InputError } from '../../errors/index.js';
import { canonicalChunks, canonicalJson } from './json.js';
import { argmax, TASKS, type AlgorithmDescriptor, type Label, type Predictor, type Task } from './algorithm.js';
import { randomForest } from './randomForest.js';
import { decisionTree } from './decisionTree.js';
import { linear } from './linear.js';
import { logistic } from './logistic.js';
import { kmeans } from './kmeans.js';
import { pca } from './pca.js';
import { gradientBoosting } from './gradientBoosting.js';

export type { AlgorithmDescriptor, Label, Task } from './algorithm.js';
export { argmax, TASKS } from './algorithm.js';

/** The registry: every algorithm, in the order lists show them (the first for a task is its default). */
export const ALGORITHMS = [randomForest, decisionTree, linear, logistic, gradientBoosting, kmeans, pca] as const;

export type Algorithm = (typeof ALGORITHMS)[number]['name'];

export const MODEL_FORMAT = 'mlv-model';
export const MODEL_VERSION = 1;

export interface ModelDoc {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  task: Task;
  algorithm: Algorithm;
  target: string | null;
  features: string[];
  labels?: Label[];
  params: Record<string, unknown>;
  seed: number;
  state: Record<string, unknown>;
  /** The algorithm's state layout version; absent means 1 (docs/FORMAT.md). */
  state_version?: number;
  feature_importances?: number[];
  /** Written by `mlv featurize`; carried through untouched. */
  featurize?: unknown;
  /** The rows the model was fitted on (docs/FORMAT.md); absent in older models. */
  training_data?: TrainingData;
}

/** `sha256`: the rows as the model saw them (ml/rowsHash.ts), not the file's bytes. */
export interface TrainingData {
  file: string;
  rows: number;
  sha256: string;
}

export interface LoadedModel {
  task: Task;
  algorithm: Algorithm;
  target?: string;
  features: string[];
  labels?: Label[];
  featurize?: unknown;
  /** Rows may hold missing values (NaN). */
  allowsMissing: boolean;
  /** The document it was loaded from (saveModel(doc) gives back the same bytes). */
  doc: ModelDoc;
  /** Classes (classification), values (regression) or cluster numbers (clustering). */
  predict(X: Float64Array[]): Label[] | Float64Array;
  /** Per row, one probability per entry of `labels` (summing to 1). */
  predictProba?(X: Float64Array[]): Float64Array[];
  /** Reduction: the component scores; clustering: the distance to each centre. */
  transform?(X: Float64Array[]): Float64Array[];
}

/** The algorithm of this name, if there is one. */
export function findAlgorithm(name: string): AlgorithmDescriptor | undefined {
  return ALGORITHMS.find((a) => a.name === name);
}

/** Per task, the algorithms that serve it, in registry order (the first is the default). */
export const TASK_ALGORITHMS = Object.fromEntries(
  TASKS.map((t) => [t, ALGORITHMS.filter((a) => a.tasks.includes(t)).map((a) => a.name)]),
) as Record<Task, Algorithm[]>;

/** A new model document's fields that depend on its algorithm: its name, and the state layout version when not 1. */
export function algorithmFields(algorithm: Pick<AlgorithmDescriptor, 'name' | 'stateVersion'>): Pick<ModelDoc, 'algorithm' | 'state_version'> {
  const v = algorithm.stateVersion ?? 1;
  return v === 1 ? { algorithm: algorithm.name as Algorithm } : { algorithm: algorithm.name as Algorithm, state_version: v };
}

/** Canonical text of a model document (trailing newline included). */
export function saveModel(doc: ModelDoc): string {
  return canonicalJson(doc);
}

/** The same text as chunks, for writing a big forest without one giant string. */
export function saveModelChunks(doc: ModelDoc): string[] {
  return canonicalChunks(doc);
}

export function loadModel(json: unknown): LoadedModel {
  const doc = json as ModelDoc;
  if (!doc || typeof doc !== 'object' || doc.format !== MODEL_FORMAT) {
    throw new InputError(`not an mlv model: "format" must be "${MODEL_FORMAT}"`);
  }
  if (doc.version !== MODEL_VERSION) {
    throw new InputError(`unsupported model version ${JSON.stringify(doc.version)} (this mlv reads version ${MODEL_VERSION})`);
  }
  if (!(doc.task in TASK_ALGORITHMS)) throw new InputError(`model: unknown task ${JSON.stringify(doc.task)}`);
  if (!TASK_ALGORITHMS[doc.task].includes(doc.algorithm)) {
    throw new InputError(`model: algorithm ${JSON.stringify(doc.algorithm)} is not one for ${doc.task}`);
  }
  if (!Array.isArray(doc.features) || doc.features.some((f) => typeof f !== 'string')) {
    throw new InputError('model: "features" must be an array of column names');
  }
  if (!doc.state || typeof doc.state !== 'object') throw new InputError('model: "state" is missing');
  const algorithm = findAlgorithm(doc.algorithm)!;
  const newest = algorithm.stateVersion ?? 1;
  const version = doc.state_version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1 || version > newest) {
    throw new InputError(
      `model: ${doc.algorithm} "state_version" ${JSON.stringify(doc.state_version)} is not one this mlv reads (${newest === 1 ? '1' : `1 to ${newest}`})`,
      { key: 'state_version' },
    );
  }
  const labels = doc.labels;
  if (doc.task === 'classification' && (!Array.isArray(labels) || labels.length === 0)) {
    throw new InputError('model: a classifier needs "labels"');
  }
  const predictor: Predictor = algorithm.load(doc.state, { task: doc.task, features: doc.features, labels, version });

  const p = doc.features.length;
  const checked = <R>(f: ((X: Float64Array[]) => R) | undefined) => f && ((X: Float64Array[]): R => {
    for (let i = 0; i < X.length; i++) {
      if (X[i].length !== p) throw new InputError(`row ${i + 1} has ${X[i].length} features; the model expects ${p} (${doc.features.join(', ')})`);
    }
    return f(X);
  });
  const predictProba = checked(predictor.predictProba);
  const predict = checked(predictor.predict)
    ?? (predictProba && labels ? (X: Float64Array[]) => predictProba(X).map((r) => labels[argmax(r)]) : undefined)
    ?? (() => { throw new InputError(`a ${doc.algorithm} model predicts nothing: use its transform`); });
  return {
    task: doc.task,
    algorithm: doc.algorithm,
    target: doc.target ?? undefined,
    features: doc.features,
    labels,
    featurize: doc.featurize,
    allowsMissing: algorithm.allowsMissing === true,
    doc,
    predict,
    predictProba,
    transform: checked(predictor.transform),
  };
}
