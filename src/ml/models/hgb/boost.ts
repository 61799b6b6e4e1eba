/**
 * The boosting loop, as scikit-learn's BaseHistGradientBoosting.fit: bin the training
 * rows once; start every row at the loss's baseline; per iteration, take the gradients
 * and hessians at the current raw scores and grow one tree per raw score (one, or one per
 * label for the multinomial loss), adding its leaves to the raw scores.
 *
 * Early stopping ("auto": on above 10,000 rows) holds out `validation_fraction` of the
 * rows (seeded, per label for classification) and stops once the validation loss has not
 * improved by more than `tol` in `n_iter_no_change` iterations.
 *
 * Seeded: the same rows and seed give the same bytes, whatever --jobs. With threads
 * (histThreads.ts), the larger histograms are built by several at once, each feature by
 * one thread in the usual order; everything else runs on the calling thread.
 */
import { createRng, randInt } from '../../rng.js';
import { binColumns, fitBins, type Bins } from './binning.js';
import { growTree } from './grower.js';
import { binaryLogLoss, multinomialLogLoss, squaredError, type Loss } from './loss.js';
import { addTreeBinned, treeToState, type Tree, type TreeState } from './predictor.js';
import { CHUNK, type Gradients, type SplitContext } from './splitter.js';
import type { HistogramThreads } from './histThreads.js';

export interface BoostParams {
  learning_rate: number;
  max_iter: number;
  max_leaf_nodes: number | null;
  max_depth: number | null;
  min_samples_leaf: number;
  l2_regularization: number;
  max_bins: number;
  early_stopping: 'auto' | boolean;
  validation_fraction: number | null;
  n_iter_no_change: number;
  tol: number;
}

export interface BoostState {
  /** The raw score(s) before any tree. */
  baseline: number[];
  n_iter: number;
  n_trees_per_iteration: number;
  trees: TreeState[];
}

export interface BoostData {
  columns: Float64Array[];
  /** Classification: label index per row, with K labels; regression: the target. */
  yClass?: Int32Array;
  K?: number;
  yReg?: Float64Array;
  seed: number;
}

/**
 * Rows split into training and validation rows (both ascending): per label in ascending
 * order (one group for regression), its rows in row order are shuffled (Fisher-Yates from
 * the end) and the first round(nVal × share) of them held out. The groups live in one
 * Int32Array, each in its own segment.
 */
function holdOut(rows: Int32Array, fraction: number, y: Int32Array | undefined, seed: number): [Int32Array, Int32Array] {
  const rng = createRng(seed, 0xe5);
  let K = 1;
  if (y) for (let i = 0; i < rows.length; i++) K = Math.max(K, y[rows[i]] + 1);
  const at = new Int32Array(K + 1);
  if (y) for (let i = 0; i < rows.length; i++) at[y[rows[i]] + 1]++;
  else at[1] = rows.length;
  for (let k = 0; k < K; k++) at[k + 1] += at[k];
  const grouped = new Int32Array(rows.length);
  const fill = at.slice(0, K);
  for (let i = 0; i < rows.length; i++) grouped[fill[y ? y[rows[i]] : 0]++] = rows[i];
  const nVal = fraction >= 1 ? fraction : Math.ceil(fraction * rows.length);
  let total = 0;
  const take = new Int32Array(K);
  for (let k = 0; k < K; k++) { take[k] = Math.round((nVal * (at[k + 1] - at[k])) / rows.length); total += take[k]; }
  const sorted = new Int32Array(total);
  for (let k = 0, v = 0; k < K; k++) {
    const base = at[k];
    for (let i = at[k + 1] - base - 1; i > 0; i--) {
      const j = randInt(rng, i + 1);
      const t = grouped[base + i]; grouped[base + i] = grouped[base + j]; grouped[base + j] = t;
    }
    for (let i = 0; i < take[k]; i++) sorted[v++] = grouped[base + i];
  }
  sorted.sort();
  // Rows ascend, so the training rows are a merge against the sorted validation rows (no Set, no filter callback).
  const train = new Int32Array(rows.length - sorted.length);
  for (let i = 0, j = 0, k = 0; i < rows.length; i++) {
    const r = rows[i];
    while (j < sorted.length && sorted[j] < r) j++;
    if (j < sorted.length && sorted[j] === r) continue;
    train[k++] = r;
  }
  return [train, sorted];
}

/** Fits; `threads`, when given, build the larger histograms with the calling thread (and are detached again at the end). */
export async function fitBoosting(data: BoostData, rows: Int32Array, o: BoostParams, threads?: HistogramThreads | null): Promise<{ state: BoostState; importances: Float64Array }> {
  const { columns } = data;
  const p = columns.length;
  const classify = data.yClass !== undefined;
  const K = data.K ?? 1;
  const loss: Loss = !classify ? squaredError : K <= 2 ? binaryLogLoss : multinomialLogLoss(K);
  const early = o.early_stopping === 'auto' ? rows.length > 10_000 : o.early_stopping;
  // Arrays the histogram threads read are shared (not copied) with them.
  const shared = !!threads;
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  // Labels as bytes when they fit (the same values, a quarter of the memory).
  const target = (rs: Int32Array, share = false) => {
    const n = rs.length;
    const b = (bytes: number) => (share ? buffer(bytes) : new ArrayBuffer(bytes));
    const out = classify ? (K <= 256 ? new Uint8Array(b(n)) : new Int32Array(b(4 * n))) : new Float64Array(b(8 * n));
    const from = classify ? data.yClass! : data.yReg!;
    for (let i = 0; i < rs.length; i++) out[i] = from[rs[i]];
    return out;
  };
  // The training rows' indices are needed only to bin them and take their labels: a
  // function of its own lets them go before the trees grow (4 bytes a row).
  const { m, y, val, valBinned, bins, binned } = ((): { m: number; y: Uint8Array | Int32Array | Float64Array; val?: Int32Array; valBinned?: Uint8Array; bins: Bins; binned: Uint8Array[] } => {
    let train = rows;
    let held: Int32Array | undefined;
    if (early && o.validation_fraction !== null) [train, held] = holdOut(rows, o.validation_fraction, data.yClass, data.seed);
    const fitted = fitBins(columns, train, o.max_bins, data.seed);
    // The validation rows binned too (as scikit-learn scores them): a tree's split compares bytes.
    const valBinned = held && held.length > 0 ? binColumns(fitted, columns, held)[0] : undefined;
    const all = valBinned ? new Uint8Array(valBinned.buffer, 0, p * held!.length) : undefined;
    return { m: train.length, y: target(train, true), val: held, valBinned: all, bins: fitted, binned: binColumns(fitted, columns, train, shared) };
  })();
  const hasMissing = new Uint8Array(p);
  for (let f = 0; f < p; f++) hasMissing[f] = binned[f].includes(bins.missingBin) ? 1 : 0;
  const ctx: SplitContext = {
    binned,
    nonMissing: Int32Array.from(bins.thresholds, (t) => t.length + 1),
    hasMissing,
    missingBin: bins.missingBin,
    minSamplesLeaf: o.min_samples_leaf,
    l2: o.l2_regularization,
  };
  const D = loss.dims;
  const baseline = loss.baseline(y);
  const raw = new Float64Array(buffer(8 * D * m));
  for (let k = 0; k < D; k++) raw.fill(baseline[k], k * m, (k + 1) * m);
  // What the gradients derive from (no stored gradients or hessians): the raw scores themselves for squared error.
  const probs = loss.unitHessian ? raw : new Float64Array(buffer(8 * D * m));
  // The smaller side of a split, in tmp, has at most m/2 rows (and partition writes one past it).
  const idx = new Int32Array(buffer(4 * m)), tmp = new Int32Array((m >> 1) + 1), og = new Float64Array(CHUNK), oh = new Float64Array(CHUNK);
  const gains = new Float64Array(p);
  const pool: Float64Array[] = [];
  const grow = {
    maxLeafNodes: o.max_leaf_nodes ?? Infinity,
    maxDepth: o.max_depth ?? Infinity,
    minSamplesLeaf: o.min_samples_leaf,
    learningRate: o.learning_rate,
  };

  // Early stopping's scores (higher is better): on the validation rows, or the training rows.
  const yScore = val ? target(val) : y;
  const rawScore = val ? new Float64Array(D * val.length) : raw;
  if (val) for (let k = 0; k < D; k++) rawScore.fill(baseline[k], k * val.length, (k + 1) * val.length);
  const scores: number[] = early ? [-loss.mean(yScore, rawScore)] : [];

  const trees: Tree[] = [];
  let iter = 0;
  if (threads) await threads.attach({ binned: new Uint8Array(binned[0].buffer, 0, p * m), p, m, s: probs, y, unitHessian: loss.unitHessian, idx });
  try {
    while (iter < o.max_iter) {
      loss.probabilities(raw, probs);
      for (let k = 0; k < D; k++) {
        const gr: Gradients = { s: probs.subarray(k * m, (k + 1) * m), y, k: D > 1 ? k : -1, unitHessian: loss.unitHessian };
        const grown = growTree(ctx, idx, gr, grow, gains, tmp, og, oh, pool, threads);
        const t = grown.tree;
        for (let i = 0; i < t.feature.length; i++) {
          const f = t.feature[i];
          if (f >= 0) t.threshold[i] = grown.bins[i] === ctx.nonMissing[f] - 1 ? Infinity : bins.thresholds[f][grown.bins[i]];
        }
        for (const leaf of grown.leaves) for (let j = leaf.start; j < leaf.end; j++) raw[k * m + idx[j]] += leaf.value;
        if (valBinned) addTreeBinned(t, grown.bins, valBinned, val!.length, bins.missingBin, rawScore, k * val!.length);
        trees.push(t);
      }
      iter++;
      if (early) {
        scores.push(-loss.mean(yScore, rawScore));
        if (shouldStop(scores, o.n_iter_no_change, o.tol)) break;
      }
    }
  } finally {
    threads?.detach();
  }
  let total = 0;
  for (let f = 0; f < p; f++) total += gains[f];
  const importances = Float64Array.from(gains, (v) => (total > 0 ? v / total : 0));
  return {
    state: { baseline: Array.from(baseline), n_iter: iter, n_trees_per_iteration: D, trees: trees.map(treeToState) },
    importances,
  };
}

/** scikit-learn's _should_stop: no score of the last n_iter_no_change beats the one before them by more than tol. */
function shouldStop(scores: number[], n: number, tol: number): boolean {
  if (scores.length < n + 1) return false;
  const reference = scores[scores.length - n - 1] + tol;
  for (let i = scores.length - n; i < scores.length; i++) if (scores[i] > reference) return false;
  return true;
}
