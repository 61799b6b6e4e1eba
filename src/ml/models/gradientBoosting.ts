/**
 * `gradient_boosting`: scikit-learn's HistGradientBoostingClassifier / Regressor, with
 * its hyperparameter names and defaults (models/hgb/: binning, splitter, grower, loss,
 * predictor, boost). The one algorithm that takes missing feature values: each split
 * learns where they go.
 */
import { InputError } from '../../errors/index.js';
import { defineAlgorithm } from './algorithm.js';
import { fitBoosting, type BoostParams } from './hgb/boost.js';
import { HistogramThreads, MAX_THREADS, worthThreads } from './hgb/histThreads.js';
import { sigmoid } from './hgb/loss.js';
import { treeFromState, treeValue, type Tree } from './hgb/predictor.js';
import { BOOLEAN, interval, none, options } from './params.js';

export const gradientBoosting = defineAlgorithm({
  name: 'gradient_boosting',
  title: 'histogram gradient boosting',
  tasks: ['classification', 'regression'],
  allowsMissing: true,
  params: {
    loss: { default: (task) => (task === 'classification' ? 'log_loss' : 'squared_error'), constraints: [options('log_loss', 'squared_error')] },
    learning_rate: { default: 0.1, constraints: [interval('real', 0, null, 'neither')] },
    max_iter: { default: 100, constraints: [interval('integer', 1, null, 'left')] },
    max_leaf_nodes: { default: 31, constraints: [interval('integer', 2, null, 'left'), none('no limit')] },
    max_depth: { default: null, constraints: [interval('integer', 1, null, 'left'), none('no limit')] },
    min_samples_leaf: { default: 20, constraints: [interval('integer', 1, null, 'left')] },
    l2_regularization: { default: 0, constraints: [interval('real', 0, null, 'left')] },
    max_bins: { default: 255, constraints: [interval('integer', 2, 255, 'both')] },
    early_stopping: { default: 'auto', constraints: [options('auto'), BOOLEAN] },
    validation_fraction: { default: 0.1, constraints: [interval('real', 0, 1, 'neither'), interval('integer', 1, null, 'left'), none('score on the training rows')] },
    n_iter_no_change: { default: 10, constraints: [interval('integer', 1, null, 'left')] },
    tol: { default: 1e-7, constraints: [interval('real', 0, null, 'left')] },
  },
  trainer(data, params) {
    const want = data.task === 'classification' ? 'log_loss' : 'squared_error';
    if (params.loss !== want) {
      throw new InputError(`hyperparameter loss: expected "${want}" for ${data.task}, got ${JSON.stringify(params.loss)}`, { key: 'loss' });
    }
    const o = params as unknown as BoostParams;
    // Started by the first fit large enough to pay for them, serving every later fit (folds, final).
    let threads: HistogramThreads | null = null;
    return {
      fit: async (rows) => {
        if (!threads && worthThreads(rows.length, data.columns.length, o.max_iter, data.jobs)) threads = HistogramThreads.start(Math.min(data.jobs, MAX_THREADS) - 1);
        const r = await fitBoosting({ columns: data.columns, yClass: data.yClass, K: data.labels?.length, yReg: data.yReg, seed: data.seed }, rows, o, threads);
        return { state: { ...r.state }, importances: r.importances };
      },
      close: async () => {
        await threads?.close();
        threads = null;
      },
    };
  },
  load(state, ctx) {
    const s = checkState(state, ctx.features.length, ctx.task === 'classification' ? ctx.labels!.length : 0);
    const rawOf = (x: Float64Array): Float64Array => {
      const raw = Float64Array.from(s.baseline);
      for (let t = 0; t < s.trees.length; t++) raw[t % s.D] += treeValue(s.trees[t], x);
      return raw;
    };
    if (ctx.task === 'regression') return { predict: (X) => Float64Array.from(X, (x) => rawOf(x)[0]) };
    const K = ctx.labels!.length;
    return {
      predictProba: (X) => X.map((x) => {
        const raw = rawOf(x);
        if (K === 1) return Float64Array.of(1);
        if (K === 2) { const q = sigmoid(raw[0]); return Float64Array.of(1 - q, q); }
        const mx = Math.max(...raw);
        const e = raw.map((v) => Math.exp(v - mx));
        const z = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / z);
      }),
    };
  },
  search: {
    grid: ['learning_rate=0.05,0.1,0.2', 'max_leaf_nodes=15,31,63'],
    random: ['learning_rate=range(0.01,0.3,log)', 'max_leaf_nodes=7,15,31,63', 'l2_regularization=range(0.001,10,log)', 'min_samples_leaf=5,10,20,50'],
  },
});

function checkState(state: Record<string, unknown>, p: number, K: number): { baseline: number[]; D: number; trees: Tree[] } {
  const bad = (what: string) => new InputError(`model: gradient_boosting state: ${what}`, { key: 'state' });
  const D = K > 2 ? K : 1;
  const { baseline, n_trees_per_iteration: nt, trees } = state as { baseline?: unknown; n_trees_per_iteration?: unknown; trees?: unknown };
  if (nt !== D) throw bad(`"n_trees_per_iteration" must be ${D}, got ${JSON.stringify(nt)}`);
  if (!Array.isArray(baseline) || baseline.length !== D || baseline.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw bad(`"baseline" must be ${D} number${D === 1 ? '' : 's'}`);
  }
  if (!Array.isArray(trees) || trees.length % D !== 0) throw bad(`"trees" must be an array of a multiple of ${D} trees`);
  return { baseline: baseline as number[], D, trees: trees.map((t, i) => treeFromState(t, p, `tree ${i}`)) };
}
