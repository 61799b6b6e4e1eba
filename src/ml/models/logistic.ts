/**
 * `logistic`: scikit-learn's LogisticRegression (lbfgs solver) behind a StandardScaler,
 * as `make_pipeline(StandardScaler(), LogisticRegression())`: features are standardised
 * inside the fit (mean 0, population std 1; a constant feature is only centred), the
 * penalty applies to the standardised coefficients, and the model file holds the
 * coefficients mapped back to the original scale, so predicting needs no scaler.
 *
 * Two classes: one coefficient vector, P(labels[1]) = sigmoid(z) (scikit-learn's binary
 * case). More: one vector per class, probabilities by softmax (multinomial). The
 * objective is scikit-learn's, sum_i w_i loss_i + ||W||^2 / (2C), minimised by L-BFGS
 * (lbfgs.ts) with its stopping rules, from zero. Single-threaded, so `--jobs` cannot
 * change a bit.
 */
import { InputError } from '../../errors/index.js';
import { defineAlgorithm, type TrainData } from './algorithm.js';
import { lbfgs } from './lbfgs.js';
import { BOOLEAN, interval, none, options } from './params.js';

export const logistic = defineAlgorithm({
  name: 'logistic',
  title: 'logistic regression',
  tasks: ['classification'],
  params: {
    C: { default: 1, constraints: [interval('real', 0, null, 'neither')] },
    penalty: { default: 'l2', constraints: [options('l2', 'none'), none('no penalty')] },
    fit_intercept: { default: true, constraints: [BOOLEAN] },
    max_iter: { default: 100, constraints: [interval('integer', 0, null, 'left')] },
    tol: { default: 0.0001, constraints: [interval('real', 0, null, 'left')] },
    class_weight: { default: null, constraints: [none('every row weighs 1'), options('balanced')] },
  },
  trainer: (data, params) => ({
    fit: async (rows) => {
      const r = fitLogistic(data, rows, {
        C: params.C as number,
        penalty: params.penalty === 'l2' ? 'l2' : 'none',
        fit_intercept: params.fit_intercept as boolean,
        max_iter: params.max_iter as number,
        tol: params.tol as number,
        class_weight: params.class_weight === 'balanced' ? 'balanced' : null,
      });
      return { state: { ...r.state }, importances: r.importances };
    },
  }),
  load(state, ctx) {
    const s = checkLogistic(state, ctx.features.length, ctx.labels!.length);
    return { predictProba: (X) => X.map((x) => probaLogistic(s, x)) };
  },
  search: {
    grid: ['C=0.01,0.1,1,10'],
    random: ['C=range(0.001,100,log)', 'class_weight=null,balanced'],
  },
});

export interface LogisticParams {
  C: number;
  penalty: 'l2' | 'none';
  fit_intercept: boolean;
  max_iter: number;
  tol: number;
  class_weight: 'balanced' | null;
}

export interface LogisticState {
  /** One row (two classes: the coefficients of labels[1]) or one per label; original feature scale. */
  coef: number[][];
  /** One per coef row. */
  intercept: number[];
  /** L-BFGS iterations of the fit (max_iter when it did not converge). */
  n_iter: number;
}

export interface LogisticFit {
  state: LogisticState;
  /** |standardised coefficient| summed over the coef rows, normalised to sum 1 (all 0 when every coefficient is 0). */
  importances: Float64Array;
}

export function fitLogistic(data: Pick<TrainData, 'columns' | 'p' | 'labels' | 'yClass'>, rows: Int32Array, o: LogisticParams): LogisticFit {
  const { columns, p } = data;
  const y = data.yClass!;
  const K = data.labels!.length;
  const m = rows.length;
  // Standardised columns of the fit's rows: every pass of an objective evaluation is a
  // long loop over one column, which V8 compiles to tight code (row-major, p-long inner
  // loops, was 2x slower on 100k x 20).
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  const X: Float64Array[] = [];
  for (let f = 0; f < p; f++) {
    const c = columns[f];
    const x = new Float64Array(m);
    let s = 0;
    for (let i = 0; i < m; i++) { x[i] = c[rows[i]]; s += x[i]; }
    const mu = s / m;
    let v = 0;
    for (let i = 0; i < m; i++) v += (x[i] - mu) ** 2;
    const sd = Math.sqrt(v / m);
    mean[f] = mu;
    scale[f] = sd > 0 ? sd : 1;
    for (let i = 0; i < m; i++) x[i] = (x[i] - mu) / scale[f];
    X.push(x);
  }
  const yy = Int32Array.from(rows, (r) => y[r]);
  // Class weights: balanced is n / (K * count), over the classes the fit saw.
  const cw = new Float64Array(K).fill(1);
  if (o.class_weight === 'balanced') {
    const count = new Float64Array(K);
    for (let i = 0; i < m; i++) count[yy[i]]++;
    let present = 0;
    for (let k = 0; k < K; k++) if (count[k] > 0) present++;
    for (let k = 0; k < K; k++) cw[k] = count[k] > 0 ? m / (present * count[k]) : 1;
  }
  const sw = Float64Array.from(yy, (k) => cw[k]);
  const R = K === 2 ? 1 : K; // coefficient rows
  const icpt = o.fit_intercept ? R : 0;
  const nw = R * p;
  const lambda = o.penalty === 'l2' ? 1 / o.C : 0;
  // Per coefficient row, the rows' linear predictors, then their loss derivatives.
  const Z = Array.from({ length: R }, () => new Float64Array(m));

  const objective = (w: Float64Array, g: Float64Array): number => {
    for (let k = 0; k < R; k++) {
      const z = Z[k];
      z.fill(icpt ? w[nw + k] : 0);
      for (let f = 0; f < p; f++) axpy(w[k * p + f], X[f], z);
    }
    const loss = R === 1 ? binomialResiduals(Z[0], yy, sw) : multinomialResiduals(Z, yy, sw);
    for (let k = 0; k < R; k++) {
      const r = Z[k];
      for (let f = 0; f < p; f++) g[k * p + f] = dot(r, X[f]);
      if (icpt) {
        let s = 0;
        for (let i = 0; i < m; i++) s += r[i];
        g[nw + k] = s;
      }
    }
    if (lambda === 0) return loss;
    let sq = 0;
    for (let j = 0; j < nw; j++) { sq += w[j] * w[j]; g[j] += lambda * w[j]; }
    return loss + 0.5 * lambda * sq;
  };

  const r = lbfgs(objective, new Float64Array(nw + icpt), { maxIter: o.max_iter, gtol: o.tol });
  const w = r.x;
  const coef: number[][] = [];
  const intercept: number[] = [];
  const importances = new Float64Array(p);
  for (let k = 0; k < R; k++) {
    const row: number[] = [];
    let b = icpt ? w[nw + k] : 0;
    for (let f = 0; f < p; f++) {
      const ws = w[k * p + f];
      importances[f] += Math.abs(ws);
      row.push(ws / scale[f]);
      b -= (ws * mean[f]) / scale[f];
    }
    coef.push(row);
    intercept.push(b);
  }
  let total = 0;
  for (let f = 0; f < p; f++) total += importances[f];
  if (total > 0) for (let f = 0; f < p; f++) importances[f] /= total;
  return { state: { coef, intercept, n_iter: r.nIter }, importances };
}

/** z += a x */
function axpy(a: number, x: Float64Array, z: Float64Array): void {
  if (a === 0) return;
  for (let i = 0; i < z.length; i++) z[i] += a * x[i];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Sum of w_i (log(1 + e^z_i) - y_i z_i) over the rows (y_i = 1 for the second label),
 * computed without overflow; z is replaced by the derivatives w_i (sigmoid(z_i) - y_i).
 */
function binomialResiduals(z: Float64Array, y: Int32Array, w: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < z.length; i++) {
    const t = z[i];
    const yi = y[i] === 1 ? 1 : 0;
    const e = Math.exp(-Math.abs(t));
    loss += w[i] * ((t > 0 ? t : 0) + Math.log1p(e) - yi * t);
    const sg = t >= 0 ? 1 / (1 + e) : e / (1 + e);
    z[i] = w[i] * (sg - yi);
  }
  return loss;
}

/**
 * Sum of w_i (logsumexp(z_i) - z_i,y_i) over the rows, with each z_i shifted by its
 * maximum; Z is replaced by the derivatives w_i (softmax(z_i)_k - [k = y_i]).
 */
function multinomialResiduals(Z: Float64Array[], y: Int32Array, w: Float64Array): number {
  const R = Z.length;
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    let zmax = Z[0][i];
    for (let k = 1; k < R; k++) if (Z[k][i] > zmax) zmax = Z[k][i];
    const yi = y[i];
    const zy = Z[yi][i];
    let se = 0;
    for (let k = 0; k < R; k++) { const e = Math.exp(Z[k][i] - zmax); Z[k][i] = e; se += e; }
    loss += w[i] * (Math.log(se) + zmax - zy);
    const wi = w[i];
    for (let k = 0; k < R; k++) Z[k][i] = wi * (Z[k][i] / se - (k === yi ? 1 : 0));
  }
  return loss;
}

export function checkLogistic(state: Record<string, unknown>, p: number, nLabels: number): LogisticState {
  const s = state as unknown as LogisticState;
  const rows = nLabels === 2 ? 1 : nLabels;
  const numbers = (a: unknown, len: number) => Array.isArray(a) && a.length === len && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!Array.isArray(s.coef) || s.coef.length !== rows || !s.coef.every((r) => numbers(r, p))) {
    throw new InputError(`model: state.coef must be ${rows} row${rows === 1 ? '' : 's'} of ${p} numbers (logistic, ${nLabels} labels)`, { key: 'state.coef' });
  }
  if (!numbers(s.intercept, rows)) throw new InputError(`model: state.intercept must be ${rows} number${rows === 1 ? '' : 's'}`, { key: 'state.intercept' });
  return s;
}

/** Class probabilities of one row (in label order). */
export function probaLogistic(s: LogisticState, x: ArrayLike<number>): Float64Array {
  const R = s.coef.length;
  const z = new Float64Array(R);
  for (let k = 0; k < R; k++) {
    let v = s.intercept[k];
    const c = s.coef[k];
    for (let f = 0; f < c.length; f++) v += c[f] * x[f];
    z[k] = v;
  }
  if (R === 1) {
    const t = z[0];
    const p1 = t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
    return Float64Array.of(1 - p1, p1);
  }
  let zmax = z[0];
  for (let k = 1; k < R; k++) if (z[k] > zmax) zmax = z[k];
  let se = 0;
  for (let k = 0; k < R; k++) { z[k] = Math.exp(z[k] - zmax); se += z[k]; }
  for (let k = 0; k < R; k++) z[k] /= se;
  return z;
}
