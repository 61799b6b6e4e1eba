/**
 * The regression baseline: ordinary least squares, or ridge with `alpha` > 0
 * (scikit-learn's LinearRegression / Ridge). Solved through the eigen-decomposition of
 * the centred Gram matrix, so collinear features give the minimum-norm solution (as
 * lstsq does) instead of failing.
 */
import { InputError } from '../../errors/index.js';
import { defineAlgorithm } from './algorithm.js';
import { symmetricEigen } from './linalg.js';
import { BOOLEAN, interval } from './params.js';

export const linear = defineAlgorithm({
  name: 'linear',
  title: 'linear',
  tasks: ['regression'],
  params: {
    alpha: { default: 0, constraints: [interval('real', 0, null, 'left')] },
    fit_intercept: { default: true, constraints: [BOOLEAN] },
  },
  trainer: (data, params) => ({
    fit: async (rows) => {
      const state = fitLinear(data.columns, data.yReg!, rows, { alpha: params.alpha as number, fit_intercept: params.fit_intercept as boolean });
      return { state: { ...state }, reportedImportances: standardisedImportances(state.coef, data.columns, rows) };
    },
  }),
  load(state, ctx) {
    const s = state as unknown as LinearState;
    const p = ctx.features.length;
    if (!Array.isArray(s.coef) || s.coef.length !== p || typeof s.intercept !== 'number') {
      throw new InputError(`model: state.coef must have ${p} numbers and state.intercept be a number`);
    }
    return { predict: (X) => Float64Array.from(X, (x) => predictLinear(s, x)) };
  },
  search: {
    grid: ['alpha=0,0.1,1,10'],
    random: ['alpha=range(0.0001,100,log)', 'fit_intercept=true,false'],
  },
});

export interface LinearParams {
  alpha: number;
  fit_intercept: boolean;
}

export interface LinearState {
  coef: number[];
  intercept: number;
}

export function fitLinear(columns: Float64Array[], y: Float64Array, rows: ArrayLike<number>, params: LinearParams): LinearState {
  const p = columns.length;
  const m = rows.length;
  const mean = new Float64Array(p);
  let yMean = 0;
  if (params.fit_intercept) {
    for (let f = 0; f < p; f++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += columns[f][rows[i]];
      mean[f] = s / m;
    }
    for (let i = 0; i < m; i++) yMean += y[rows[i]];
    yMean /= m;
  }
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  const xc = new Float64Array(p);
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    for (let f = 0; f < p; f++) xc[f] = columns[f][r] - mean[f];
    const yc = y[r] - yMean;
    for (let f = 0; f < p; f++) {
      const v = xc[f];
      if (v === 0) continue;
      b[f] += v * yc;
      for (let g = f; g < p; g++) G[f * p + g] += v * xc[g];
    }
  }
  for (let f = 0; f < p; f++) {
    G[f * p + f] += params.alpha;
    for (let g = 0; g < f; g++) G[f * p + g] = G[g * p + f];
  }
  const { values, vectors } = symmetricEigen(G, p);
  const tol = Math.max(values[0] ?? 0, 0) * p * 2.220446049250313e-16;
  const coef = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    if (!(values[k] > tol)) continue;
    const v = vectors[k];
    let dot = 0;
    for (let f = 0; f < p; f++) dot += v[f] * b[f];
    const s = dot / values[k];
    for (let f = 0; f < p; f++) coef[f] += s * v[f];
  }
  let intercept = yMean;
  for (let f = 0; f < p; f++) intercept -= coef[f] * mean[f];
  return { coef: Array.from(coef), intercept: params.fit_intercept ? intercept : 0 };
}

/**
 * |coef × the feature's std over the fit's rows| (the coefficient of the standardised
 * feature, as logistic reports), normalised to sum 1 (all 0 when every one is 0).
 */
export function standardisedImportances(coef: ArrayLike<number>, columns: Float64Array[], rows: ArrayLike<number>): Float64Array {
  const m = rows.length;
  const out = new Float64Array(coef.length);
  let total = 0;
  for (let f = 0; f < coef.length; f++) {
    const c = columns[f];
    let s = 0;
    for (let i = 0; i < m; i++) s += c[rows[i]];
    const mu = s / m;
    let v = 0;
    for (let i = 0; i < m; i++) v += (c[rows[i]] - mu) ** 2;
    out[f] = Math.abs(coef[f] * Math.sqrt(v / m));
    total += out[f];
  }
  if (total > 0) for (let f = 0; f < out.length; f++) out[f] /= total;
  return out;
}

export function predictLinear(s: LinearState, x: ArrayLike<number>): number {
  let v = s.intercept;
  for (let f = 0; f < s.coef.length; f++) v += s.coef[f] * x[f];
  return v;
}
