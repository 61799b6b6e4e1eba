/**
 * Permutation importance, as scikit-learn's `sklearn.inspection.permutation_importance`:
 * how much a fitted model's score on held-out rows drops when one feature's values are
 * shuffled among those rows, repeated `nRepeats` times. It needs nothing from the
 * model but its predictions, so every supervised algorithm gets the same measure.
 *
 * As in scikit-learn, every feature sees the same `nRepeats` shuffles (one random
 * stream per call), and the score is the estimator's default: accuracy for a
 * classifier, R² for a regressor. Seeded: the same rng gives the same numbers.
 *
 * @example
 *   const drops = permutationDrops({ columns, rows: fold.test, nRepeats: 5, rng: createRng(seed, 7, fold),
 *     predict: (X) => model.predict(X) as Float64Array, score: (pred) => r2(yTest, pred) });
 *   drops[f][r]; // base score − score with feature f shuffled (repeat r)
 */
import { shuffle, type Rng } from './rng.js';

export interface PermutationInput {
  /** The features, column-major (columns[f][row]). */
  columns: Float64Array[];
  /** The rows scored (a fold's test rows). */
  rows: Int32Array;
  nRepeats: number;
  rng: Rng;
  /** Predictions for a batch of rows (one Float64Array per row, in feature order): class indices or values. */
  predict(X: Float64Array[]): ArrayLike<number>;
  /** The score of predictions for all of `rows`, in their order (higher is better). */
  score(pred: Float64Array): number;
}

/** Rows handed to predict at a time (the batch is reused, so memory stays flat). */
const BATCH = 4096;

/** Per feature, per repeat: the score without shuffling minus the score with that feature shuffled. */
export function permutationDrops(o: PermutationInput): Float64Array[] {
  const { columns, rows } = o;
  const m = rows.length;
  const p = columns.length;
  const batch = Array.from({ length: Math.min(BATCH, m) }, () => new Float64Array(p));
  const pred = new Float64Array(m);
  // Rows' predictions with feature `f` read through `perm` (row j takes row perm[j]'s value).
  const predictAll = (f: number, perm: Int32Array | null): Float64Array => {
    for (let a = 0; a < m; a += BATCH) {
      const n = Math.min(BATCH, m - a);
      for (let j = 0; j < n; j++) {
        const x = batch[j];
        const r = rows[a + j];
        for (let g = 0; g < p; g++) x[g] = columns[g][r];
        if (perm) x[f] = columns[f][rows[perm[a + j]]];
      }
      const out = o.predict(n === batch.length ? batch : batch.slice(0, n));
      for (let j = 0; j < n; j++) pred[a + j] = out[j];
    }
    return pred;
  };
  const base = o.score(predictAll(0, null));
  const perms: Int32Array[] = [];
  for (let r = 0; r < o.nRepeats; r++) perms.push(shuffle(o.rng, Int32Array.from({ length: m }, (_, i) => i)));
  const drops: Float64Array[] = [];
  for (let f = 0; f < p; f++) {
    const d = new Float64Array(o.nRepeats);
    for (let r = 0; r < o.nRepeats; r++) d[r] = base - o.score(predictAll(f, perms[r]));
    drops.push(d);
  }
  return drops;
}

/** Mean and population std (numpy's, as scikit-learn reports importances_std) per feature, over all the values given. */
export function summarizeDrops(perFold: Float64Array[][], p: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  for (let f = 0; f < p; f++) {
    let s = 0;
    let n = 0;
    for (const fold of perFold) for (const v of fold[f]) { s += v; n++; }
    const mu = n ? s / n : 0;
    let v2 = 0;
    for (const fold of perFold) for (const v of fold[f]) v2 += (v - mu) ** 2;
    mean[f] = mu;
    std[f] = n ? Math.sqrt(v2 / n) : 0;
  }
  return { mean, std };
}
