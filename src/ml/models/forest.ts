/**
 * Random forests and single decision trees (a forest of one tree without bootstrap),
 * grown by cart.ts, in worker threads when that pays off. The two descriptors
 * (randomForest.ts, decisionTree.ts) share their hyperparameters and trainer from here.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CartBuilder, sortFeatures, type CartData, type CartOptions, type CartTree } from './cart.js';
import { treeToJson, type TreeModel } from './treeModel.js';
import type { ParamSpec, Params, TrainData, Trainer } from './algorithm.js';
import { interval, none, options, resolveCount, resolveMaxFeatures } from './params.js';
import { deriveSeed } from '../rng.js';
import { startWorker } from './threads.js';

/** scikit-learn's tree hyperparameters (DecisionTree*, and the forests built on it). */
export const TREE_PARAMS: Record<string, ParamSpec> = {
  max_depth: { default: null, constraints: [interval('integer', 1, null, 'left'), none()] },
  min_samples_split: { default: 2, constraints: [interval('integer', 2, null, 'left'), interval('fraction', 0, 1, 'right')] },
  min_samples_leaf: { default: 1, constraints: [interval('integer', 1, null, 'left'), interval('fraction', 0, 1, 'neither')] },
  max_features: {
    default: null,
    // 1.0 reads as the integer 1 in YAML/JS, so a fraction is strictly below 1; null means all.
    constraints: [options('sqrt', 'log2'), interval('integer', 1, null, 'left'), interval('fraction', 0, 1, 'neither'), none('all features')],
  },
};

/**
 * Training of either tree algorithm: the data is sorted once and one worker pool serves
 * every fold's fit.
 */
export function treeTrainer(data: TrainData, params: Params, o: { nTrees: number; bootstrap: boolean }): Trainer {
  const { n, p } = data;
  const prepared = prepareData(data.columns, n, { K: data.labels?.length ?? 0, yClass: data.yClass, yReg: data.yReg });
  const maxFeatures = resolveMaxFeatures(params.max_features, p);
  let pool = worthParallel(prepared, o.nTrees, maxFeatures, data.jobs) ? TreePool.create(prepared, Math.min(data.jobs, o.nTrees)) : null;
  return {
    async fit(rows) {
      const minLeaf = resolveCount(params.min_samples_leaf, rows.length);
      const g = await grow(prepared, {
        nTrees: o.nTrees,
        maxDepth: params.max_depth === null ? Infinity : (params.max_depth as number),
        minSamplesSplit: Math.max(resolveCount(params.min_samples_split, rows.length), 2 * minLeaf),
        minSamplesLeaf: minLeaf,
        maxFeatures,
        bootstrap: o.bootstrap,
        seed: data.seed,
        rows: rows.length === n ? undefined : rows,
      }, pool);
      return { state: { trees: g.trees.map(treeToJson) }, importances: g.importances };
    },
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}

/** Data sorted once per `mlv train` run, shared by every fold's fit and every worker. */
export type PreparedData = CartData;

/**
 * Columns already in SharedArrayBuffers (`readCsv(..., { shared: true })`) are used as
 * they are, so the forest adds only the sort order to the data (4 bytes a cell, and a
 * bit for ties); other columns are copied into shared memory once.
 */
export function prepareData(
  columns: Float64Array[], n: number, target: { K: number; yClass?: Int32Array; yReg?: Float64Array },
): PreparedData {
  const cols = columns.map((c) => (c.buffer instanceof SharedArrayBuffer ? c.subarray(0, n) : share(c.subarray(0, n))));
  const { order, nUniq, tied } = sortFeatures(cols, n, true);
  return {
    n, p: columns.length, cols, order, nUniq, tied, K: target.K,
    yClass: target.yClass ? share(target.yClass) : null,
    yReg: target.yReg ? share(target.yReg) : null,
  };
}

function share<T extends Int32Array | Float64Array>(a: T): T {
  const s = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/** A tree's options for every tree, plus how many; `seed` is the forest's (tree i's is derived from it). */
export interface GrowOptions extends CartOptions {
  nTrees: number;
}

export interface Grown {
  trees: TreeModel[];
  /** scikit-learn's feature_importances_: per-tree normalised MDI, averaged, normalised. */
  importances: Float64Array;
}

/**
 * Below this much work (rows × trees × features) threads do not pay: each worker starts
 * cold and compiles the tree code itself (about 0.5 CPU-s per worker measured on
 * 10k × 20), which is more than a small forest takes in one thread.
 */
export const PARALLEL_MIN_WORK = 2_000_000;

export function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** Tree i's options: its own seed, so any thread can grow it. */
function treeOptions(o: GrowOptions, i: number): CartOptions {
  return {
    maxDepth: o.maxDepth,
    minSamplesSplit: o.minSamplesSplit,
    minSamplesLeaf: o.minSamplesLeaf,
    maxFeatures: o.maxFeatures,
    bootstrap: o.bootstrap,
    seed: deriveSeed(o.seed, i),
    rows: o.rows,
  };
}

export async function grow(data: PreparedData, o: GrowOptions, pool?: TreePool | null): Promise<Grown> {
  let raw: CartTree[];
  if (pool && o.nTrees > 1) {
    raw = await pool.growAll(Array.from({ length: o.nTrees }, (_, i) => treeOptions(o, i)));
  } else {
    const b = new CartBuilder(data);
    raw = [];
    for (let i = 0; i < o.nTrees; i++) raw.push(b.build(treeOptions(o, i)));
  }
  const importances = new Float64Array(data.p);
  for (const t of raw) {
    let s = 0;
    for (let f = 0; f < data.p; f++) s += t.importance[f];
    if (s > 0) for (let f = 0; f < data.p; f++) importances[f] += t.importance[f] / s;
  }
  let total = 0;
  for (let f = 0; f < data.p; f++) total += importances[f];
  if (total > 0) for (let f = 0; f < data.p; f++) importances[f] /= total;
  return { trees: raw.map((t) => ({ feature: t.feature, threshold: t.threshold, left: t.left, right: t.right, value: t.value })), importances };
}

/** Whether a fit of this size should use worker threads. */
export function worthParallel(data: PreparedData, nTrees: number, maxFeatures: number, jobs: number): boolean {
  return jobs > 1 && nTrees > 1 && data.n * nTrees * Math.max(maxFeatures, data.p / 2) >= PARALLEL_MIN_WORK;
}

/**
 * A few worker threads holding the same prepared data; trees are handed out one at a
 * time (the next free worker takes the next tree), results land by tree index.
 */
export class TreePool {
  private readonly workers: Worker[] = [];

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  static create(data: PreparedData, jobs: number): TreePool {
    const workers: Worker[] = [];
    for (let i = 0; i < jobs; i++) {
      const w = startWorker(import.meta.url, 'forestWorker', WORKER_LIMITS);
      w.postMessage({ type: 'data', data });
      workers.push(w);
    }
    return new TreePool(workers);
  }

  growAll(jobs: CartOptions[]): Promise<CartTree[]> {
    const out: CartTree[] = new Array(jobs.length);
    if (jobs.length === 0) return Promise.resolve(out);
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      const cleanups: Array<() => void> = [];
      const finish = (e?: unknown) => {
        for (const c of cleanups) c();
        if (e) reject(e);
        else resolve(out);
      };
      for (const w of this.workers) {
        const feed = () => {
          if (next < jobs.length) {
            const index = next++;
            w.postMessage({ type: 'tree', index, opts: jobs[index] });
          }
        };
        const onMessage = (m: { index: number; tree: CartTree }) => {
          out[m.index] = m.tree;
          done++;
          if (done === jobs.length) finish();
          else feed();
        };
        const onError = (e: unknown) => finish(e);
        w.on('message', onMessage);
        w.on('error', onError);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
        });
        feed();
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A small young generation: a tree's scratch is short-lived, and V8's default lets each
 * worker's heap grow long before collecting it. Measured on 100k × 20, 100 trees: peak
 * RSS growth during the fit 70 MB → 45 MB (data + model = 42 MB), for ~10-25% more
 * time (more scavenges).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };
