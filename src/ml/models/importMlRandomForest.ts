/**
 * Converts a forest trained with the `ml-random-forest` npm package (its `toJSON()`,
 * which is also what users save to disk) into an mlv random_forest model document, so
 * `mlv predict`, `mlv evaluate` and pipelines can use it.
 *
 * Routing is reproduced exactly: ml-cart sends a row left when `x < splitValue`, mlv
 * when `x <= threshold`, so threshold is the largest double below splitValue. Each tree
 * only saw a subset of the columns (`baseModel.indexes[i]`); its splitColumn is mapped
 * back through that subset to the full feature index.
 *
 * Classifier leaves become a one-hot vector of the class ml-cart predicts there (the
 * first largest entry of the leaf distribution), so mlv's mean of leaf distributions is
 * the vote share, and its argmax is ml-random-forest's majority vote. One difference:
 * on an exact tie of votes, ml-random-forest picks the class that reached the top count
 * first (in tree order), mlv the first class in label order.
 *
 * @example
 *   const doc = fromMlRandomForest(JSON.parse(text), { features: ['a', 'b'], labels: ['no', 'yes'] });
 *   await writeFile('model.json', saveModel(doc));
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../errors/index.js';
import { readCsvHeader } from '../csv.js';
import { USER_OUTPUT, writeFileAtomic } from '../../store/atomic.js';
import { MODEL_FORMAT, MODEL_VERSION, saveModelChunks, type Label, type ModelDoc } from './index.js';

export interface FromMlRandomForestOptions {
  /** Column names, in the order of the columns the forest was trained on. */
  features: string[];
  /** Classifiers: labels[k] is the name of ml-random-forest's class k (default: k itself). */
  labels?: Label[];
  target?: string;
}

/** The largest double below v (v finite): `x < v` ⇔ `x <= prevDouble(v)` for every double x. */
export function prevDouble(v: number): number {
  if (v === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  // Positive: one step down in magnitude; negative: one step up in magnitude.
  view.setBigUint64(0, v > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function fromMlRandomForest(json: unknown, opts: FromMlRandomForestOptions): ModelDoc {
  if (!isObj(json)) throw new InputError('not an ml-random-forest model: expected a JSON object', { key: '' });
  const name = json.name;
  if (name !== 'RFClassifier' && name !== 'RFRegression') {
    throw new InputError(`"name": expected "RFClassifier" or "RFRegression", got ${JSON.stringify(name)}`, { key: 'name' });
  }
  const classifier = name === 'RFClassifier';
  const base = json.baseModel;
  if (!isObj(base)) throw new InputError('"baseModel": expected an object', { key: 'baseModel' });
  if (base.isClassifier !== undefined && base.isClassifier !== classifier) {
    throw new InputError(`"baseModel.isClassifier" is ${String(base.isClassifier)} but "name" is ${name}`, { key: 'baseModel.isClassifier' });
  }
  if (!classifier && json.selectionMethod !== undefined && json.selectionMethod !== 'mean') {
    // mlv averages the trees; a median forest cannot be expressed as a mean.
    throw new InputError(`"selectionMethod": only "mean" can be imported, got ${JSON.stringify(json.selectionMethod)}`, { key: 'selectionMethod' });
  }
  const estimators = base.estimators;
  if (!Array.isArray(estimators) || estimators.length === 0) {
    throw new InputError('"baseModel.estimators": expected a non-empty array', { key: 'baseModel.estimators' });
  }
  if (base.nEstimators !== undefined && base.nEstimators !== estimators.length) {
    throw new InputError(`"baseModel.nEstimators" is ${JSON.stringify(base.nEstimators)} but there are ${estimators.length} estimators`, { key: 'baseModel.nEstimators' });
  }
  const indexes = base.indexes;
  if (!Array.isArray(indexes) || indexes.length !== estimators.length) {
    throw new InputError(`"baseModel.indexes": expected one array of column indexes per estimator (${estimators.length})`, { key: 'baseModel.indexes' });
  }
  const features = opts.features;
  if (!Array.isArray(features) || features.length === 0) throw new InputError('features: at least one feature name is needed');
  if (new Set(features).size !== features.length) throw new InputError(`features: duplicate names in ${features.join(', ')}`);
  const p = features.length;
  indexes.forEach((idx, i) => {
    const key = `baseModel.indexes[${i}]`;
    if (!Array.isArray(idx) || idx.some((c) => !Number.isInteger(c) || (c as number) < 0)) {
      throw new InputError(`"${key}": expected an array of column indexes`, { key });
    }
    const max = Math.max(-1, ...(idx as number[]));
    if (max >= p) {
      throw new InputError(`"${key}" uses column ${max}, but only ${p} features were given (${features.join(', ')}): the forest was trained on at least ${max + 1} columns`, { key });
    }
  });

  // First pass: the class each classifier leaf predicts, to know how many classes there are.
  const flat = estimators.map((est, i) => flatten(est, i, indexes[i] as number[], classifier));
  let K = 1;
  if (classifier) for (const t of flat) for (const c of t.leaves) K = Math.max(K, c + 1);

  let labels: Label[] | undefined;
  let order: number[] = [];
  if (classifier) {
    const given = opts.labels ?? Array.from({ length: K }, (_, k) => k);
    if (opts.labels) {
      if (given.length < K) throw new InputError(`labels: ${given.length} given, but the trees predict class ${K - 1} (${K} classes at least)`, { key: 'labels' });
      if (new Set(given).size !== given.length) throw new InputError(`labels: duplicate values in ${given.join(', ')}`, { key: 'labels' });
      K = given.length;
    }
    // Model files keep labels sorted (numbers ascending, strings by code unit).
    order = given.map((_, k) => k).sort((a, b) => compareLabels(given[a], given[b]));
    labels = order.map((k) => given[k]);
  }
  const column = new Int32Array(K);
  order.forEach((k, pos) => { column[k] = pos; });

  const trees = flat.map((t) => {
    const value = classifier ? new Array<number>(t.leaves.length * K).fill(0) : t.leaves;
    if (classifier) t.leaves.forEach((c, j) => { value[j * K + column[c]] = 1; });
    return { feature: t.feature, threshold: t.threshold, left: t.left, right: t.right, value };
  });

  const seed = Number.isSafeInteger(base.seed) ? (base.seed as number) : 0;
  const params: Record<string, unknown> = {
    imported_from: 'ml-random-forest',
    n_estimators: estimators.length,
    max_features: typeof base.maxFeatures === 'number' ? base.maxFeatures : null,
    replacement: typeof base.replacement === 'boolean' ? base.replacement : null,
    use_sample_bagging: typeof base.useSampleBagging === 'boolean' ? base.useSampleBagging : null,
  };
  const doc: ModelDoc = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    task: classifier ? 'classification' : 'regression',
    algorithm: 'random_forest',
    target: opts.target ?? null,
    features: [...features],
    params,
    seed,
    state: { trees },
  };
  if (labels) doc.labels = labels;
  return doc;
}

function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface FlatTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Per leaf: the class (classifier) or the value (regression). */
  leaves: number[];
}

/** Pre-order layout, so children come after their parent (treeFromJson checks this). */
function flatten(est: unknown, i: number, index: number[], classifier: boolean): FlatTree {
  const t: FlatTree = { feature: [], threshold: [], left: [], right: [], leaves: [] };
  if (!isObj(est) || !isObj(est.root)) {
    throw new InputError(`"baseModel.estimators[${i}].root": expected a tree node object`, { key: `baseModel.estimators[${i}].root` });
  }
  // An explicit stack: ml-cart trees have no depth limit by default.
  const stack: Array<{ node: unknown; key: string; parent: number; side: 'left' | 'right' | null }> = [
    { node: est.root, key: `baseModel.estimators[${i}].root`, parent: -1, side: null },
  ];
  while (stack.length > 0) {
    const { node, key, parent, side } = stack.pop()!;
    if (!isObj(node)) throw new InputError(`"${key}": expected a tree node object`, { key });
    const id = t.feature.length;
    if (side) t[side][parent] = id;
    if (node.distribution !== undefined) {
      // A leaf (ml-cart's load treats any node with a distribution as one).
      t.feature.push(-1);
      t.threshold.push(0);
      t.left.push(t.leaves.length);
      t.right.push(-1);
      t.leaves.push(classifier ? leafClass(node.distribution, key) : leafValue(node.distribution, key));
      continue;
    }
    const col = node.splitColumn;
    if (!Number.isInteger(col) || (col as number) < 0 || (col as number) >= index.length) {
      throw new InputError(`"${key}.splitColumn": expected an index below ${index.length} (the columns of this tree), got ${JSON.stringify(col)}`, { key: `${key}.splitColumn` });
    }
    const split = node.splitValue;
    if (typeof split !== 'number' || !Number.isFinite(split)) {
      throw new InputError(`"${key}.splitValue": expected a finite number, got ${JSON.stringify(split)}`, { key: `${key}.splitValue` });
    }
    const threshold = prevDouble(split);
    if (!Number.isFinite(threshold)) throw new InputError(`"${key}.splitValue": ${split} cannot be represented as an mlv threshold`, { key: `${key}.splitValue` });
    t.feature.push(index[col as number]);
    t.threshold.push(threshold);
    t.left.push(-1);
    t.right.push(-1);
    // Right pushed first so the left subtree is laid out first.
    stack.push({ node: node.right, key: `${key}.right`, parent: id, side: 'right' });
    stack.push({ node: node.left, key: `${key}.left`, parent: id, side: 'left' });
  }
  return t;
}

/** The class ml-cart predicts at a leaf: the first largest entry (ml-matrix maxRowIndex). */
function leafClass(d: unknown, key: string): number {
  const row = Array.isArray(d) && d.length === 1 && Array.isArray(d[0]) ? d[0] : d;
  if (!Array.isArray(row) || row.length === 0 || row.some((v) => typeof v !== 'number')) {
    throw new InputError(`"${key}.distribution": expected a row of class frequencies`, { key: `${key}.distribution` });
  }
  let best = 0;
  for (let k = 1; k < row.length; k++) if ((row[k] as number) > (row[best] as number)) best = k;
  return best;
}

function leafValue(d: unknown, key: string): number {
  if (typeof d !== 'number' || !Number.isFinite(d)) {
    throw new InputError(`"${key}.distribution": expected a number (the leaf's mean), got ${JSON.stringify(d)}`, { key: `${key}.distribution` });
  }
  return d;
}

export interface ImportFileOptions {
  /** Feature names; or take them from a CSV header (every column but the target). */
  features?: string[];
  featuresFrom?: string;
  labels?: Label[];
  target?: string;
  cwd: string;
}

export interface ImportFileResult {
  output: string;
  task: ModelDoc['task'];
  trees: number;
  features: string[];
  labels?: Label[];
  target: string | null;
}

/** Reads an ml-random-forest JSON file, writes the mlv model file. Errors name the file as given. */
export async function importMlRandomForestFile(input: string, output: string, o: ImportFileOptions): Promise<ImportFileResult> {
  const abs = (p: string) => resolve(o.cwd, p);
  let text: string;
  try {
    text = await readFile(abs(input), 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError(`${input}: ${missing ? 'no such file' : `cannot read (${(e as Error).message})`}`, { file: input });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${input}: not valid JSON (${(e as Error).message})`, { file: input });
  }
  let features = o.features;
  if (o.featuresFrom !== undefined) {
    const header = await readCsvHeader(abs(o.featuresFrom), o.featuresFrom);
    if (o.target !== undefined && !header.includes(o.target)) {
      throw new InputError(`${o.featuresFrom}: no column "${o.target}" (the target)`, { file: o.featuresFrom, column: o.target });
    }
    features = header.filter((c) => c !== o.target);
  }
  if (!features || features.length === 0) throw new InputError('the feature names are needed: --features a,b,c or --features-from <csv>');
  let doc: ModelDoc;
  try {
    doc = fromMlRandomForest(json, { features, labels: o.labels, target: o.target });
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${input}: ${e.message}`, { ...e.data, file: input });
    throw e;
  }
  writeFileAtomic(abs(output), saveModelChunks(doc), USER_OUTPUT);
  return {
    output,
    task: doc.task,
    trees: (doc.state.trees as unknown[]).length,
    features: doc.features,
    ...(doc.labels ? { labels: doc.labels } : {}),
    target: doc.target,
  };
}
