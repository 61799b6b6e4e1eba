/**
 * Principal component analysis from the covariance matrix (n − 1 denominator, as
 * scikit-learn's explained_variance_). Component signs are fixed so that each
 * component's largest-magnitude loading is positive: deterministic bytes on every run.
 */
import { InputError } from '../../errors/index.js';
import { defineAlgorithm } from './algorithm.js';
import { rowMajor, rowsOf, symmetricEigen } from './linalg.js';
import { interval, none } from './params.js';

export const pca = defineAlgorithm({
  name: 'pca',
  title: 'PCA',
  tasks: ['reduction'],
  params: {
    n_components: {
      default: null,
      constraints: [interval('integer', 1, null, 'left'), interval('fraction', 0, 1, 'neither', 'a variance fraction'), none()],
    },
  },
  trainer: (data, params) => ({
    async fit(rows) {
      const { p } = data;
      const { X, m } = rowMajor(data.columns, data.n, rows);
      const nc = params.n_components as number | null;
      if (nc !== null && Number.isInteger(nc) && nc > Math.min(m, p)) {
        throw new InputError(`hyperparameter n_components: ${nc} is more than min(rows, features) = ${Math.min(m, p)}`, { key: 'n_components' });
      }
      const state = fitPca(X, m, p, nc);
      return { state: { ...state }, report: { explained_variance_ratio: state.explained_variance_ratio } };
    },
  }),
  load(state, ctx) {
    const s = state as unknown as PcaState;
    const p = ctx.features.length;
    if (!Array.isArray(s.mean) || s.mean.length !== p || !Array.isArray(s.components) || s.components.some((c) => !Array.isArray(c) || c.length !== p)) {
      throw new InputError(`model: state.mean and each of state.components must have ${p} numbers`);
    }
    return {
      transform: (X) => X.map((x) => pcaTransform(s, x)),
      predict: () => {
        throw new InputError('a pca model reduces dimensions and predicts nothing: use its transform (component scores)');
      },
    };
  },
  score: (fit, data, rows) => reductionScores(fit.state as unknown as PcaState, rowsOf(data.columns, rows)),
});

export interface PcaState {
  mean: number[];
  components: number[][];
  explained_variance: number[];
  explained_variance_ratio: number[];
}

/** `nComponents`: an int, a variance fraction in (0, 1), or null for all. */
export function fitPca(X: Float64Array, m: number, p: number, nComponents: number | null): PcaState {
  const mean = new Float64Array(p);
  for (let i = 0; i < m; i++) for (let f = 0; f < p; f++) mean[f] += X[i * p + f];
  for (let f = 0; f < p; f++) mean[f] /= m;
  const C = new Float64Array(p * p);
  const xc = new Float64Array(p);
  for (let i = 0; i < m; i++) {
    for (let f = 0; f < p; f++) xc[f] = X[i * p + f] - mean[f];
    for (let f = 0; f < p; f++) for (let g = f; g < p; g++) C[f * p + g] += xc[f] * xc[g];
  }
  const denom = Math.max(1, m - 1);
  for (let f = 0; f < p; f++) for (let g = f; g < p; g++) C[g * p + f] = C[f * p + g] = C[f * p + g] / denom;
  const { values, vectors } = symmetricEigen(C, p);
  const ev = Array.from(values, (v) => Math.max(0, v));
  const total = ev.reduce((a, b) => a + b, 0);
  const ratio = ev.map((v) => (total > 0 ? v / total : 0));
  const maxK = Math.min(m, p);
  let k = maxK;
  if (nComponents !== null && nComponents < 1) {
    let cum = 0;
    k = 0;
    while (k < maxK && cum <= nComponents) cum += ratio[k++];
  } else if (nComponents !== null) {
    k = nComponents;
  }
  const components = vectors.slice(0, k).map((v) => {
    let big = 0;
    for (let f = 1; f < p; f++) if (Math.abs(v[f]) > Math.abs(v[big])) big = f;
    const sign = v[big] < 0 ? -1 : 1;
    return Array.from(v, (x) => x * sign + 0);
  });
  return {
    mean: Array.from(mean),
    components,
    explained_variance: ev.slice(0, k),
    explained_variance_ratio: ratio.slice(0, k),
  };
}

export function pcaTransform(s: PcaState, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.components.length);
  for (let c = 0; c < s.components.length; c++) {
    const v = s.components[c];
    let t = 0;
    for (let f = 0; f < v.length; f++) t += (x[f] - s.mean[f]) * v[f];
    out[c] = t;
  }
  return out;
}

/**
 * PCA on scored rows: the share of their variance (around the fitted mean) that each
 * kept component captures, and in total. On the training rows these are
 * explained_variance_ratio_ and its sum.
 */
function reductionScores(s: PcaState, X: Float64Array[]): Record<string, number> {
  let totalSS = 0;
  for (const x of X) for (let f = 0; f < x.length; f++) totalSS += (x[f] - s.mean[f]) ** 2;
  const per = new Float64Array(s.components.length);
  for (const x of X) {
    const z = pcaTransform(s, x);
    for (let c = 0; c < z.length; c++) per[c] += z[c] * z[c];
  }
  const out: Record<string, number> = {};
  let sum = 0;
  per.forEach((v, c) => {
    const r = totalSS > 0 ? v / totalSS : 0;
    out[`explained_variance_ratio_${c + 1}`] = r;
    sum += r;
  });
  out.explained_variance = sum;
  return out;
}
