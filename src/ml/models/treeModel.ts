/**
 * A fitted tree: what is predicted with and what goes into the model JSON. Layout
 * follows scikit-learn's `tree_` arrays, except that leaves keep only their own row of
 * values: feature[i] = -1 marks a leaf and left[i] is then its row in `value` (K class
 * weights, or one mean).
 */
import { InputError } from '../../errors/index.js';
import type { LoadContext, Predictor } from './algorithm.js';

export interface TreeModel {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** The leaf a row ends in; NaN goes right (x <= t is false), as ml-cart does. */
export function leafOf(t: TreeModel, x: ArrayLike<number>): number {
  let i = 0;
  const { feature, threshold, left, right } = t;
  while (feature[i] >= 0) i = x[feature[i]] <= threshold[i] ? left[i] : right[i];
  return left[i];
}

/** The tree as it goes into state.trees (typed arrays print like number arrays). */
export function treeToJson(t: TreeModel): Record<string, ArrayLike<number>> {
  return { feature: t.feature, threshold: t.threshold, left: t.left, right: t.right, value: t.value };
}

export function treeFromJson(raw: unknown, where: string, width: number, nFeatures: number): TreeModel {
  const o = raw as Record<string, unknown>;
  // Typed arrays too: a model fitted in this process is used without a JSON round trip.
  const arr = (k: string): ArrayLike<number> => {
    const v = o?.[k];
    if (ArrayBuffer.isView(v)) return v as unknown as ArrayLike<number>;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new InputError(`${where}.${k}: expected an array of numbers`);
    return v as number[];
  };
  const i32 = (k: string) => { const v = arr(k); return v instanceof Int32Array ? v : Int32Array.from(v); };
  const f64 = (k: string) => { const v = arr(k); return v instanceof Float64Array ? v : Float64Array.from(v); };
  const t: TreeModel = { feature: i32('feature'), threshold: f64('threshold'), left: i32('left'), right: i32('right'), value: f64('value') };
  const m = t.feature.length;
  if (m === 0 || t.threshold.length !== m || t.left.length !== m || t.right.length !== m) {
    throw new InputError(`${where}: node arrays must be non-empty and of equal length`);
  }
  const leaves = t.value.length / width;
  for (let i = 0; i < m; i++) {
    const f = t.feature[i];
    const ok = f < 0
      ? t.left[i] >= 0 && t.left[i] < leaves
      : f < nFeatures && t.left[i] > i && t.left[i] < m && t.right[i] > i && t.right[i] < m;
    if (!ok) throw new InputError(`${where}: node ${i} is malformed`);
  }
  return t;
}

/** Mean over trees of each leaf's class distribution (scikit-learn's predict_proba). */
export function ensembleProba(trees: TreeModel[], K: number): (x: ArrayLike<number>) => Float64Array {
  // Normalise every leaf once, so prediction is a sum.
  const norm = trees.map((t) => {
    const v = Float64Array.from(t.value);
    for (let o = 0; o < v.length; o += K) {
      let s = 0;
      for (let k = 0; k < K; k++) s += v[o + k];
      if (s > 0) for (let k = 0; k < K; k++) v[o + k] /= s;
    }
    return v;
  });
  return (x) => {
    const out = new Float64Array(K);
    for (let i = 0; i < trees.length; i++) {
      const o = leafOf(trees[i], x) * K;
      const v = norm[i];
      for (let k = 0; k < K; k++) out[k] += v[o + k];
    }
    for (let k = 0; k < K; k++) out[k] /= trees.length;
    return out;
  };
}

/** Mean over trees of the leaf values (regression). */
export function ensembleMean(trees: TreeModel[]): (x: ArrayLike<number>) => number {
  return (x) => {
    let s = 0;
    for (const t of trees) s += t.value[leafOf(t, x)];
    return s / trees.length;
  };
}

/** A tree ensemble's state (`trees`: one or more) as a predictor: class probabilities, or values. */
export function loadTrees(state: Record<string, unknown>, ctx: LoadContext): Predictor {
  const raw = state.trees;
  if (!Array.isArray(raw) || raw.length === 0) throw new InputError('model: state.trees must be a non-empty array');
  const p = ctx.features.length;
  if (ctx.task === 'classification') {
    const K = ctx.labels!.length;
    const proba = ensembleProba(raw.map((t, i) => treeFromJson(t, `state.trees[${i}]`, K, p)), K);
    return { predictProba: (X) => X.map(proba) };
  }
  const mean = ensembleMean(raw.map((t, i) => treeFromJson(t, `state.trees[${i}]`, 1, p)));
  return { predict: (X) => Float64Array.from(X, mean) };
}
