/**
 * A fitted boosting tree and predicting with it, on raw feature values: at a split, a
 * missing value goes where `missingLeft` says, else left when x <= threshold (a threshold
 * of +Infinity, null in the model file, sends every present value left). Leaf values
 * already include the learning rate. Also the tree's model-file form and its check.
 */
import { InputError } from '../../../errors/index.js';

export interface Tree {
  /** -1 at a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** The leaf value row `x` reaches. */
export function treeValue(t: Tree, x: ArrayLike<number>): number {
  let i = 0;
  while (t.feature[i] >= 0) {
    const v = x[t.feature[i]];
    i = (Number.isNaN(v) ? t.missingLeft[i] === 1 : v <= t.threshold[i]) ? t.left[i] : t.right[i];
  }
  return t.value[i];
}

/**
 * Adds the tree's value for each of n rows binned with the training bins (`binned`: p
 * columns of `n` bytes, one after the other): a value is left of a split at bin b exactly
 * when its bin is <= b (its threshold is the value's bin's upper bound), and the missing
 * bin goes where `missingLeft` says, so the sums are the same to the bit. `bins` holds
 * each node's split bin (-1 at a leaf).
 */
export function addTreeBinned(t: Tree, bins: Int32Array, binned: Uint8Array, n: number, missingBin: number, out: Float64Array, offset: number): void {
  const { feature, missingLeft, left, right, value } = t;
  for (let r = 0; r < n; r++) {
    let i = 0;
    for (let f = feature[0]; f >= 0; f = feature[i]) {
      const b = binned[f * n + r];
      i = (b === missingBin ? missingLeft[i] === 1 : b <= bins[i]) ? left[i] : right[i];
    }
    out[offset + r] += value[i];
  }
}

export interface TreeState {
  feature: number[];
  threshold: Array<number | null>;
  missing_left: boolean[];
  left: number[];
  right: number[];
  value: number[];
}

export function treeToState(t: Tree): TreeState {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold, (v, i) => (t.feature[i] < 0 ? 0 : v === Infinity ? null : v)),
    missing_left: Array.from(t.missingLeft, (v) => v === 1),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
  };
}

/** A tree from a model file, checked: every array of one length, children after their parent, features in range. */
export function treeFromState(s: unknown, p: number, where: string): Tree {
  const o = s as Partial<TreeState>;
  const bad = (what: string) => new InputError(`model: gradient_boosting ${where}: ${what}`, { key: 'state' });
  if (!o || typeof o !== 'object') throw bad('not an object');
  const keys = ['feature', 'threshold', 'missing_left', 'left', 'right', 'value'] as const;
  for (const k of keys) if (!Array.isArray(o[k])) throw bad(`"${k}" must be an array`);
  const n = o.feature!.length;
  if (n === 0) throw bad('no nodes');
  for (const k of keys) if (o[k]!.length !== n) throw bad(`"${k}" has ${o[k]!.length} entries, "feature" ${n}`);
  const t: Tree = {
    feature: new Int32Array(n), threshold: new Float64Array(n), missingLeft: new Uint8Array(n),
    left: new Int32Array(n), right: new Int32Array(n), value: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const f = o.feature![i];
    if (!Number.isInteger(f) || f < -1 || f >= p) throw bad(`node ${i}: feature ${JSON.stringify(f)} is not -1 or a feature index below ${p}`);
    t.feature[i] = f;
    const v = o.value![i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`node ${i}: value must be a number`);
    t.value[i] = v;
    if (f < 0) continue;
    const th = o.threshold![i];
    if (th !== null && (typeof th !== 'number' || !Number.isFinite(th))) throw bad(`node ${i}: threshold must be a number or null`);
    t.threshold[i] = th === null ? Infinity : th;
    if (typeof o.missing_left![i] !== 'boolean') throw bad(`node ${i}: missing_left must be true or false`);
    t.missingLeft[i] = o.missing_left![i] ? 1 : 0;
    const l = o.left![i], r = o.right![i];
    if (!Number.isInteger(l) || !Number.isInteger(r) || l <= i || r <= i || l >= n || r >= n) throw bad(`node ${i}: children must be later nodes`);
    t.left[i] = l; t.right[i] = r;
  }
  return t;
}
