/**
 * Losses of gradient boosting, as scikit-learn names them: `squared_error` (regression;
 * half the squared error, identity link) and `log_loss` (classification: binary with a
 * logit link for two labels, multinomial with a softmax for more). Each gives the raw
 * score before any tree, what the per-row gradients and hessians derive from, and the
 * mean loss (early stopping's score).
 *
 * Gradients are not stored: with s the raw score (squared error) or the fitted
 * probability (log loss), a row's gradient is s − target and its hessian 1 or s(1 − s),
 * computed where a histogram or a sum needs them (splitter.ts: Gradients).
 *
 * Raw scores are `raw[k * n + i]` for tree class k of row i (k is 0 alone unless multinomial).
 */

export interface Loss {
  /** Raw scores per row: 1, or K for the multinomial loss. */
  dims: number;
  /** Hessians are 1 and gradients raw − y (squared error); else s(1 − s) and s − target, s the probabilities. */
  unitHessian: boolean;
  /** The best constant raw score(s) for targets y. */
  baseline(y: ArrayLike<number>): Float64Array;
  /** Fills s (dims * n) with the probabilities at raw (unless unitHessian: then s is raw itself). */
  probabilities(raw: Float64Array, s: Float64Array): void;
  /** Mean loss at raw. */
  mean(y: ArrayLike<number>, raw: Float64Array): number;
}

const EPS = 2.220446049250313e-16;

export const squaredError: Loss = {
  dims: 1,
  unitHessian: true,
  baseline(y) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    return Float64Array.of(s / y.length);
  },
  probabilities() {},
  mean(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += 0.5 * (raw[i] - y[i]) ** 2;
    return s / y.length;
  },
};

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + exp(z)) without overflow. */
function log1pexp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Two labels: y in {0, 1}, the raw score is the logit of P(y = 1). */
export const binaryLogLoss: Loss = {
  dims: 1,
  unitHessian: false,
  baseline(y) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    const p = Math.min(Math.max(s / y.length, EPS), 1 - EPS);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  probabilities(raw, s) {
    for (let i = 0; i < raw.length; i++) s[i] = sigmoid(raw[i]);
  },
  mean(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += log1pexp(raw[i]) - y[i] * raw[i];
    return s / y.length;
  },
};

/** K labels: y in 0..K-1, one raw score per label, probabilities by softmax. */
export function multinomialLogLoss(K: number): Loss {
  return {
    dims: K,
    unitHessian: false,
    baseline(y) {
      const n = y.length;
      const out = new Float64Array(K);
      for (let i = 0; i < n; i++) out[y[i]]++;
      let m = 0;
      for (let k = 0; k < K; k++) { out[k] = Math.log(Math.min(Math.max(out[k] / n, EPS), 1 - EPS)); m += out[k]; }
      for (let k = 0; k < K; k++) out[k] -= m / K;
      return out;
    },
    probabilities(raw, s) {
      const n = raw.length / K;
      const p = new Float64Array(K);
      for (let i = 0; i < n; i++) {
        softmaxAt(raw, n, i, K, p);
        for (let k = 0; k < K; k++) s[k * n + i] = p[k];
      }
    },
    mean(y, raw) {
      const n = y.length;
      let s = 0;
      for (let i = 0; i < n; i++) {
        let mx = -Infinity;
        for (let k = 0; k < K; k++) mx = Math.max(mx, raw[k * n + i]);
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp(raw[k * n + i] - mx);
        s += mx + Math.log(z) - raw[y[i] * n + i];
      }
      return s / n;
    },
  };
}

/** Softmax of row i's K raw scores (raw[k * n + i]) into p. */
export function softmaxAt(raw: Float64Array, n: number, i: number, K: number, p: Float64Array): void {
  let mx = -Infinity;
  for (let k = 0; k < K; k++) mx = Math.max(mx, raw[k * n + i]);
  let z = 0;
  for (let k = 0; k < K; k++) { p[k] = Math.exp(raw[k * n + i] - mx); z += p[k]; }
  for (let k = 0; k < K; k++) p[k] /= z;
}
