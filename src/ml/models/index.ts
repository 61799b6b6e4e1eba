/**
 * The model file (`mlv train -o model.json`) and the one way to use it: loadModel.
 *
 * A model file is canonical JSON (models/json.ts): the same fit always gives the same
 * bytes, and load → save reproduces them. Top level:
 *   format "mlv-model", version 1, task, algorithm, target (null for unsupervised),
 *   features (numeric input columns, in the order predict() expects them),
 *   labels (classifiers: the classes, sorted — numbers ascending, strings by code unit),
 *   params (every hyperparameter, defaults filled in), seed, state (the fitted
 *   algorithm), feature_importances (trees; aligned with features), and an optional
 *   featurize object: opaque here, written by `mlv featurize` and applied by
 *   `mlv predict` before the features are looked up.
 *
 * @example
 *   const model = loadModel(JSON.parse(await readFile('model.json', 'utf8')));
 *   const labels = model.predict(rows); // rows: Float64Array per row, in model.features order
 */
import { InputError } from '../../errors/index.js';
import { canonicalChunks, canonicalJson } from './json.js';
import { ensembleMean, ensembleProba, treeFromJson, treeToJson } from './treeModel.js';
import { predictLinear, type LinearState } from './linear.js';
import { nearestCenter, type KMeansState } from './kmeans.js';
import { pcaTransform, type PcaState } from './pca.js';

export type Label = string | number;
export type Task = 'classification' | 'regression' | 'clustering' | 'reduction';
export type Algorithm = 'random_forest' | 'decision_tree' | 'linear' | 'kmeans' | 'pca';

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
  feature_importances?: number[];
  /** Written by `mlv featurize`; carried through untouched. */
  featurize?: unknown;
}

export interface LoadedModel {
  task: Task;
  algorithm: Algorithm;
  target?: string;
  features: string[];
  labels?: Label[];
  featurize?: unknown;
  /** The document it was loaded from (saveModel(doc) gives back the same bytes). */
  doc: ModelDoc;
  /** Classes (classification), values (regression) or cluster numbers (clustering). */
  predict(X: Float64Array[]): Label[] | Float64Array;
  /** Per row, one probability per entry of `labels` (summing to 1). */
  predictProba?(X: Float64Array[]): Float64Array[];
  /** Reduction: the component scores; clustering: the distance to each centre. */
  transform?(X: Float64Array[]): Float64Array[];
}

export const TASK_ALGORITHMS: Record<Task, Algorithm[]> = {
  classification: ['random_forest', 'decision_tree'],
  regression: ['random_forest', 'decision_tree', 'linear'],
  clustering: ['kmeans'],
  reduction: ['pca'],
};

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
  const base = {
    task: doc.task,
    algorithm: doc.algorithm,
    target: doc.target ?? undefined,
    features: doc.features,
    labels: doc.labels,
    featurize: doc.featurize,
    doc,
  };
  const p = doc.features.length;
  const check = (X: Float64Array[]) => {
    for (let i = 0; i < X.length; i++) {
      if (X[i].length !== p) throw new InputError(`row ${i + 1} has ${X[i].length} features; the model expects ${p} (${doc.features.join(', ')})`);
    }
  };

  if (doc.algorithm === 'random_forest' || doc.algorithm === 'decision_tree') {
    const raw = (doc.state as { trees?: unknown }).trees;
    if (!Array.isArray(raw) || raw.length === 0) throw new InputError('model: state.trees must be a non-empty array');
    if (doc.task === 'classification') {
      const labels = doc.labels;
      if (!Array.isArray(labels) || labels.length === 0) throw new InputError('model: a classifier needs "labels"');
      const K = labels.length;
      const trees = raw.map((t, i) => treeFromJson(t, `state.trees[${i}]`, K, p));
      const proba = ensembleProba(trees, K);
      return {
        ...base,
        predictProba: (X) => { check(X); return X.map(proba); },
        predict: (X) => { check(X); return X.map((x) => labels[argmax(proba(x))]); },
      };
    }
    const trees = raw.map((t, i) => treeFromJson(t, `state.trees[${i}]`, 1, p));
    return {
      ...base,
      predict: (X) => {
        check(X);
        const mean = ensembleMean(trees);
        return Float64Array.from(X, mean);
      },
    };
  }
  if (doc.algorithm === 'linear') {
    const s = doc.state as unknown as LinearState;
    if (!Array.isArray(s.coef) || s.coef.length !== p || typeof s.intercept !== 'number') {
      throw new InputError(`model: state.coef must have ${p} numbers and state.intercept be a number`);
    }
    return { ...base, predict: (X) => { check(X); return Float64Array.from(X, (x) => predictLinear(s, x)); } };
  }
  if (doc.algorithm === 'kmeans') {
    const s = doc.state as unknown as KMeansState;
    if (!Array.isArray(s.centers) || s.centers.length === 0 || s.centers.some((c) => !Array.isArray(c) || c.length !== p)) {
      throw new InputError(`model: state.centers must be rows of ${p} numbers`);
    }
    return {
      ...base,
      predict: (X) => { check(X); return X.map((x) => nearestCenter(s.centers, x).label); },
      transform: (X) => {
        check(X);
        return X.map((x) => Float64Array.from(s.centers, (c) => Math.sqrt(c.reduce((a, v, f) => a + (x[f] - v) ** 2, 0))));
      },
    };
  }
  const s = doc.state as unknown as PcaState;
  if (!Array.isArray(s.mean) || s.mean.length !== p || !Array.isArray(s.components) || s.components.some((c) => !Array.isArray(c) || c.length !== p)) {
    throw new InputError(`model: state.mean and each of state.components must have ${p} numbers`);
  }
  const transform = (X: Float64Array[]) => { check(X); return X.map((x) => pcaTransform(s, x)); };
  return {
    ...base,
    transform,
    predict: () => {
      throw new InputError('a pca model reduces dimensions and predicts nothing: use its transform (component scores)');
    },
  };
}

/** First index of the largest value (numpy's argmax tie rule). */
export function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

export { treeToJson };
