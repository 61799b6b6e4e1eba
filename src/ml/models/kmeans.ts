/**
 * k-means as scikit-learn runs it: greedy k-means++ seeding (2 + ⌊ln k⌋ candidates per
 * centre), Lloyd iterations until the squared centre shift is at most tol × the mean
 * feature variance, best of n_init restarts by inertia.
 */
import { InputError } from '../../errors/index.js';
import { createRng, type Rng } from '../rng.js';
import { defineAlgorithm } from './algorithm.js';
import { rowMajor, rowsOf } from './linalg.js';
import { interval } from './params.js';

export const kmeans = defineAlgorithm({
  name: 'kmeans',
  title: 'k-means',
  tasks: ['clustering'],
  params: {
    n_clusters: { default: 8, constraints: [interval('integer', 1, null, 'left')] },
    n_init: { default: 10, constraints: [interval('integer', 1, null, 'left')] },
    max_iter: { default: 300, constraints: [interval('integer', 1, null, 'left')] },
    tol: { default: 1e-4, constraints: [interval('real', 0, null, 'left')] },
  },
  trainer: (data, params) => ({
    async fit(rows) {
      const { p } = data;
      const { X, m } = rowMajor(data.columns, data.n, rows);
      const k = params.n_clusters as number;
      if (k > m) throw new InputError(`hyperparameter n_clusters: ${k} clusters need at least ${k} rows; fitting on ${m}`, { key: 'n_clusters' });
      const km = fitKMeans(X, m, p, { n_clusters: k, n_init: params.n_init as number, max_iter: params.max_iter as number, tol: params.tol as number }, data.seed);
      const centers: number[][] = [];
      for (let c = 0; c < k; c++) centers.push(Array.from(km.centers.subarray(c * p, c * p + p)));
      return { state: { centers } };
    },
  }),
  load(state, ctx) {
    const s = state as unknown as KMeansState;
    const p = ctx.features.length;
    if (!Array.isArray(s.centers) || s.centers.length === 0 || s.centers.some((c) => !Array.isArray(c) || c.length !== p)) {
      throw new InputError(`model: state.centers must be rows of ${p} numbers`);
    }
    return {
      predict: (X) => X.map((x) => nearestCenter(s.centers, x).label),
      transform: (X) => X.map((x) => Float64Array.from(s.centers, (c) => Math.sqrt(c.reduce((a, v, f) => a + (x[f] - v) ** 2, 0)))),
    };
  },
  /** inertia (sum of squared distances to the nearest centre) and the silhouette of the rows. */
  score(fit, data, rows) {
    const X = rowsOf(data.columns, rows);
    const centers = (fit.state as unknown as KMeansState).centers;
    const lab = new Int32Array(X.length);
    let inertia = 0;
    X.forEach((x, i) => { const r = nearestCenter(centers, x); lab[i] = r.label; inertia += r.dist; });
    const scores: Record<string, number> = { inertia };
    const { X: flat } = rowMajor(data.columns, data.n, rows);
    const s = silhouette(flat, X.length, data.p, lab, centers.length, data.seed);
    if (s !== null) scores.silhouette = s;
    return scores;
  },
});

export interface KMeansParams {
  n_clusters: number;
  n_init: number;
  max_iter: number;
  tol: number;
}

export interface KMeansState {
  centers: number[][];
}

export interface KMeansFit {
  centers: Float64Array; // k × p, row-major
  labels: Int32Array;
  inertia: number;
}

function sqDist(X: Float64Array, i: number, C: Float64Array, c: number, p: number): number {
  let s = 0;
  const a = i * p;
  const b = c * p;
  for (let f = 0; f < p; f++) {
    const d = X[a + f] - C[b + f];
    s += d * d;
  }
  return s;
}

function plusPlus(X: Float64Array, m: number, p: number, k: number, rng: Rng): Float64Array {
  const C = new Float64Array(k * p);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.floor(rng() * m);
  C.set(X.subarray(first * p, first * p + p), 0);
  const closest = new Float64Array(m);
  let pot = 0;
  for (let i = 0; i < m; i++) pot += closest[i] = sqDist(X, i, C, 0, p);
  for (let c = 1; c < k; c++) {
    let bestCand = -1;
    let bestPot = Infinity;
    let bestD: Float64Array | null = null;
    for (let t = 0; t < trials; t++) {
      // Sample a row with probability proportional to its current squared distance.
      let r = rng() * pot;
      let cand = m - 1;
      for (let i = 0; i < m; i++) {
        r -= closest[i];
        if (r < 0) { cand = i; break; }
      }
      const d = new Float64Array(m);
      let cp = 0;
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let f = 0; f < p; f++) {
          const v = X[i * p + f] - X[cand * p + f];
          s += v * v;
        }
        d[i] = Math.min(closest[i], s);
        cp += d[i];
      }
      if (cp < bestPot) { bestPot = cp; bestCand = cand; bestD = d; }
    }
    C.set(X.subarray(bestCand * p, bestCand * p + p), c * p);
    closest.set(bestD!);
    pot = bestPot;
  }
  return C;
}

function assign(X: Float64Array, m: number, p: number, C: Float64Array, k: number, labels: Int32Array): number {
  let inertia = 0;
  for (let i = 0; i < m; i++) {
    let best = Infinity;
    let bc = 0;
    for (let c = 0; c < k; c++) {
      const d = sqDist(X, i, C, c, p);
      if (d < best) { best = d; bc = c; }
    }
    labels[i] = bc;
    inertia += best;
  }
  return inertia;
}

export function fitKMeans(X: Float64Array, m: number, p: number, params: KMeansParams, seed: number): KMeansFit {
  const k = params.n_clusters;
  let varMean = 0;
  for (let f = 0; f < p; f++) {
    let s = 0;
    let q = 0;
    for (let i = 0; i < m; i++) { s += X[i * p + f]; q += X[i * p + f] ** 2; }
    varMean += q / m - (s / m) ** 2;
  }
  const tol = (Math.max(0, varMean) / p) * params.tol;
  let best: KMeansFit | null = null;
  for (let run = 0; run < params.n_init; run++) {
    const rng = createRng(seed, 0x6b6d, run);
    let C = plusPlus(X, m, p, k, rng);
    const labels = new Int32Array(m);
    for (let it = 0; it < params.max_iter; it++) {
      assign(X, m, p, C, k, labels);
      const next = new Float64Array(k * p);
      const size = new Float64Array(k);
      for (let i = 0; i < m; i++) {
        const c = labels[i];
        size[c]++;
        for (let f = 0; f < p; f++) next[c * p + f] += X[i * p + f];
      }
      for (let c = 0; c < k; c++) {
        if (size[c] === 0) { next.set(C.subarray(c * p, c * p + p), c * p); continue; }
        for (let f = 0; f < p; f++) next[c * p + f] /= size[c];
      }
      let shift = 0;
      for (let j = 0; j < k * p; j++) shift += (next[j] - C[j]) ** 2;
      C = next;
      if (shift <= tol) break;
    }
    const inertia = assign(X, m, p, C, k, labels);
    if (!best || inertia < best.inertia) best = { centers: C, labels, inertia };
  }
  return best!;
}

export function nearestCenter(centers: number[][], x: ArrayLike<number>): { label: number; dist: number } {
  let best = Infinity;
  let label = 0;
  for (let c = 0; c < centers.length; c++) {
    let s = 0;
    const ctr = centers[c];
    for (let f = 0; f < ctr.length; f++) s += (x[f] - ctr[f]) ** 2;
    if (s < best) { best = s; label = c; }
  }
  return { label, dist: best };
}

/**
 * Mean silhouette coefficient (scikit-learn's silhouette_score). Exact, O(m²·p); above
 * `maxRows` rows it is computed on a seeded sample of that many rows, as
 * silhouette_score(sample_size=...) does. Undefined (null) with fewer than 2 clusters.
 */
export function silhouette(X: Float64Array, m: number, p: number, labels: Int32Array, k: number, seed: number, maxRows = 4000): number | null {
  let idx = Array.from({ length: m }, (_, i) => i);
  if (m > maxRows) {
    const rng = createRng(seed, 0x5115);
    for (let i = m - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx = idx.slice(0, maxRows).sort((a, b) => a - b);
  }
  const present = new Set(idx.map((i) => labels[i]));
  if (present.size < 2 || present.size >= idx.length) return null;
  const size = new Float64Array(k);
  for (const i of idx) size[labels[i]]++;
  const sum = new Float64Array(k);
  let total = 0;
  for (const i of idx) {
    sum.fill(0);
    for (const j of idx) {
      if (i === j) continue;
      let s = 0;
      for (let f = 0; f < p; f++) s += (X[i * p + f] - X[j * p + f]) ** 2;
      sum[labels[j]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (size[own] <= 1) continue; // scikit-learn scores singletons 0
    const a = sum[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sum[c] / size[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / idx.length;
}
