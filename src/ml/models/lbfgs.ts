/**
 * Limited-memory BFGS for smooth convex objectives (logistic regression's): the two-loop
 * recursion over the last `m` steps and a backtracking line search on the Armijo
 * condition. Stops as scipy's L-BFGS-B does when scikit-learn calls it: the largest
 * gradient component at most `gtol`, or a relative decrease of the objective at most
 * `ftol`, or `maxIter` iterations. Every loop runs in a fixed order, so the same input
 * gives the same bits.
 *
 * @example
 *   // f(x) = (x0 - 3)^2 + 2 x1^2
 *   const r = lbfgs((x, g) => { g[0] = 2 * (x[0] - 3); g[1] = 4 * x[1]; return (x[0] - 3) ** 2 + 2 * x[1] ** 2; },
 *     new Float64Array(2), { maxIter: 100, gtol: 1e-8 });
 *   r.x; // ≈ [3, 0]
 */

/** Writes the gradient at x into g and returns the objective at x. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  /** Stop when max |g_i| <= gtol. */
  gtol: number;
  /** Stop when (f_k - f_k+1) / max(|f_k|, |f_k+1|, 1) <= ftol (scipy's default factr 1e7 times machine epsilon). */
  ftol?: number;
  /** Steps remembered (scipy's default, 10). */
  m?: number;
  /** Objective evaluations per line search (scipy's maxls, 20). */
  maxLineSearch?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** Iterations taken. */
  nIter: number;
  /** False when maxIter ran out before a stopping test held. */
  converged: boolean;
}

const EPS = 2.220446049250313e-16;

export function lbfgs(fg: Objective, x0: Float64Array, o: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = o.m ?? 10;
  const ftol = o.ftol ?? 1e7 * EPS;
  const maxLs = o.maxLineSearch ?? 20;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);

  const gmax = (v: Float64Array) => {
    let a = 0;
    for (let i = 0; i < n; i++) a = Math.max(a, Math.abs(v[i]));
    return a;
  };
  if (!(gmax(g) > o.gtol)) return { x, f, nIter: 0, converged: true };

  for (let it = 1; it <= o.maxIter; it++) {
    // Direction: d = -H g by the two-loop recursion (newest pair last in S, Y).
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      let s = 0;
      for (let i = 0; i < n; i++) s += S[j][i] * d[i];
      alpha[j] = rho[j] * s;
      for (let i = 0; i < n; i++) d[i] -= alpha[j] * Y[j][i];
    }
    if (k > 0) {
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) { sy += S[k - 1][i] * Y[k - 1][i]; yy += Y[k - 1][i] * Y[k - 1][i]; }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Y[j][i] * d[i];
      const beta = rho[j] * s;
      for (let i = 0; i < n; i++) d[i] += (alpha[j] - beta) * S[j][i];
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      slope = 0;
      for (let i = 0; i < n; i++) { d[i] = -g[i]; slope -= g[i] * g[i]; }
    }
    // First step without curvature information: a unit-length move, as scipy takes.
    let t = k === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let fNew = NaN;
    let accepted = false;
    for (let ls = 0; ls < maxLs; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + t * d[i];
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * t * slope) { accepted = true; break; }
      t *= 0.5;
    }
    if (!accepted) return { x, f, nIter: it - 1, converged: true };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    let yy = 0;
    for (let i = 0; i < n; i++) yy += y[i] * y[i];
    // Keep only pairs with positive curvature, so H stays positive definite.
    if (sy > EPS * yy) {
      if (S.length === m) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(y); rho.push(1 / sy);
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (gmax(g) <= o.gtol) return { x, f, nIter: it, converged: true };
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) return { x, f, nIter: it, converged: true };
  }
  return { x, f, nIter: o.maxIter, converged: false };
}
