/**
 * Validation schemes for `mlv train --validation`: which rows each fit trains on and
 * which it is scored on. All seeded; classification splits are stratified.
 *
 *   holdout:F      one split, ⌈F·n⌉ test rows (scikit-learn's test_size rounding);
 *                  stratified: each class gets its share by largest remainder.
 *   kfold:K        K folds of ⌊n/K⌋ or ⌈n/K⌉ rows; stratified: every class is dealt
 *                  round-robin across folds, so each fold holds ⌊n_c/K⌋ or ⌈n_c/K⌉ of it.
 *   leave-p-out:P  every set of P rows is a test set once (C(n, P) fits, refused above
 *                  100,000); enumerated lazily, in lexicographic order.
 *   none           fit and score on all rows (the unsupervised default).
 */
import { InputError } from '../errors/index.js';
import { createRng, shuffle } from './rng.js';

export type Scheme =
  | { kind: 'holdout'; fraction: number }
  | { kind: 'kfold'; k: number }
  | { kind: 'leave-p-out'; p: number }
  | { kind: 'none' };

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export const LEAVE_P_OUT_LIMIT = 100_000;

export function parseValidation(text: string): Scheme {
  const m = /^\s*([a-z-]+)\s*(?::\s*([^\s]+))?\s*$/i.exec(text);
  const kind = m?.[1].toLowerCase();
  const arg = m?.[2];
  const bad = (why: string) => new InputError(`--validation ${text}: ${why} (use holdout:0.2, kfold:5, leave-p-out:1 or none)`, { key: 'validation' });
  if (!m) throw bad('not a validation scheme');
  if (kind === 'none' && arg === undefined) return { kind: 'none' };
  if (kind === 'holdout') {
    const f = arg === undefined ? 0.2 : Number(arg);
    if (!(f > 0 && f < 1)) throw bad('the holdout fraction must be between 0 and 1');
    return { kind: 'holdout', fraction: f };
  }
  if (kind === 'kfold') {
    const k = arg === undefined ? 5 : Number(arg);
    if (!Number.isInteger(k) || k < 2) throw bad('k must be an integer of at least 2');
    return { kind: 'kfold', k };
  }
  if (kind === 'leave-p-out' || kind === 'lpo') {
    const p = arg === undefined ? 1 : Number(arg);
    if (!Number.isInteger(p) || p < 1) throw bad('p must be an integer of at least 1');
    return { kind: 'leave-p-out', p };
  }
  throw bad(`unknown scheme "${kind}"`);
}

export function schemeText(s: Scheme): string {
  switch (s.kind) {
    case 'holdout': return `holdout:${s.fraction}`;
    case 'kfold': return `kfold:${s.k}`;
    case 'leave-p-out': return `leave-p-out:${s.p}`;
    case 'none': return 'none';
  }
}

/** C(n, k) exactly. */
export function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  k = Math.min(k, n - k);
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** How many fits a scheme makes on n rows (bigint: leave-p-out counts get huge). */
export function foldCount(s: Scheme, n: number): bigint {
  switch (s.kind) {
    case 'holdout':
    case 'none': return 1n;
    case 'kfold': return BigInt(s.k);
    case 'leave-p-out': return binomial(n, s.p);
  }
}

/**
 * The folds for n rows. `strata` (class codes per row) makes holdout and k-fold
 * stratified. Throws InputError when the scheme cannot work on n rows.
 */
export function* folds(s: Scheme, n: number, seed: number, strata?: Int32Array): Generator<Fold> {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (s.kind === 'none') {
    yield { train: all, test: all };
    return;
  }
  if (s.kind === 'holdout') {
    const nTest = Math.ceil(s.fraction * n);
    if (nTest < 1 || n - nTest < 1) {
      throw new InputError(`--validation holdout:${s.fraction} leaves no rows to ${nTest < 1 ? 'test' : 'train'} on (${n} rows)`, { key: 'validation' });
    }
    const rng = createRng(seed, 0x401d);
    const isTest = new Uint8Array(n);
    if (strata) {
      const groups = byClass(strata);
      const share = groups.map((g) => (g.length * nTest) / n);
      const take = share.map(Math.floor);
      let left = nTest - take.reduce((a, b) => a + b, 0);
      // Largest remainder; ties go to the bigger class, then the lower class code.
      const order = groups.map((_, c) => c).sort((a, b) => share[b] - take[b] - (share[a] - take[a]) || groups[b].length - groups[a].length || a - b);
      for (const c of order) if (left > 0 && take[c] < groups[c].length) { take[c]++; left--; }
      groups.forEach((g, c) => {
        shuffle(rng, g);
        for (let i = 0; i < take[c]; i++) isTest[g[i]] = 1;
      });
    } else {
      const perm = shuffle(rng, Int32Array.from(all));
      for (let i = 0; i < nTest; i++) isTest[perm[i]] = 1;
    }
    yield split(isTest, n);
    return;
  }
  if (s.kind === 'kfold') {
    if (s.k > n) throw new InputError(`--validation kfold:${s.k}: k is larger than the number of rows (${n})`, { key: 'validation' });
    const rng = createRng(seed, 0xf01d);
    // Rows in dealing order: class by class (each shuffled), or one shuffled list.
    const deal: number[] = [];
    if (strata) for (const g of byClass(strata)) deal.push(...shuffle(rng, g));
    else deal.push(...shuffle(rng, Array.from(all)));
    const fold = new Int32Array(n);
    deal.forEach((row, i) => { fold[row] = i % s.k; });
    for (let f = 0; f < s.k; f++) yield split(Uint8Array.from(fold, (x) => (x === f ? 1 : 0)), n);
    return;
  }
  if (s.p >= n) throw new InputError(`--validation leave-p-out:${s.p}: p must be smaller than the number of rows (${n})`, { key: 'validation' });
  const count = binomial(n, s.p);
  if (count > BigInt(LEAVE_P_OUT_LIMIT)) {
    throw new InputError(
      `--validation leave-p-out:${s.p} on ${n} rows means ${count.toLocaleString('en-US')} fits, more than the limit of ${LEAVE_P_OUT_LIMIT.toLocaleString('en-US')}; use kfold:K instead`,
      { key: 'validation', fits: count.toString() },
    );
  }
  const c = Array.from({ length: s.p }, (_, i) => i);
  for (;;) {
    const isTest = new Uint8Array(n);
    for (const i of c) isTest[i] = 1;
    yield split(isTest, n);
    let i = s.p - 1;
    while (i >= 0 && c[i] === n - s.p + i) i--;
    if (i < 0) return;
    c[i]++;
    for (let j = i + 1; j < s.p; j++) c[j] = c[j - 1] + 1;
  }
}

function byClass(strata: Int32Array): number[][] {
  let K = 0;
  for (const c of strata) K = Math.max(K, c + 1);
  const groups: number[][] = Array.from({ length: K }, () => []);
  strata.forEach((c, i) => groups[c].push(i));
  return groups.filter((g) => g.length > 0);
}

function split(isTest: Uint8Array, n: number): Fold {
  let t = 0;
  for (let i = 0; i < n; i++) t += isTest[i];
  const train = new Int32Array(n - t);
  const test = new Int32Array(t);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (isTest[i]) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}
