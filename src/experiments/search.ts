/**
 * Search spaces of `mlv exp search`: a small grid per algorithm (the default), or
 * random trials drawn from ranges. Names follow scikit-learn's hyperparameters.
 */
import { ALGORITHMS, findAlgorithm, TASK_ALGORITHMS, type Algorithm } from '../ml/models/index.js';
import { InputError } from '../errors/index.js';
import { gridPoints, parseOverride, randomPoints, type Point } from './overrides.js';

/** Where a search trial's spec and scores go in its experiment commit (small JSON, no model). */
export const SEARCH_FILE = 'mlv-search.json';

/** Algorithms whose descriptor gives a search space (each entry a `-S` spelling). */
export const SEARCHABLE: Algorithm[] = ALGORITHMS.filter((a) => a.search).map((a) => a.name);

/** The default of `--algorithms`, in words: "random_forest, decision_tree, and linear for regression". */
export function defaultSearchText(): string {
  const [cls, reg] = (['classification', 'regression'] as const).map((t) => TASK_ALGORITHMS[t].filter((a) => SEARCHABLE.includes(a)));
  const parts = [cls.filter((a) => reg.includes(a)).join(', ')];
  const only = (a: Algorithm[], b: Algorithm[], task: string) => {
    const own = a.filter((x) => !b.includes(x));
    if (own.length) parts.push(`${own.join(', ')} for ${task}`);
  };
  only(reg, cls, 'regression');
  only(cls, reg, 'classification');
  return parts.filter(Boolean).join(', and ');
}

/** Points to try for one algorithm: its grid, or `trials` random draws. */
export function searchPoints(algorithm: Algorithm, trials: number | undefined, seed: number): Point[] {
  const space = findAlgorithm(algorithm)?.search;
  if (!space) return [{}];
  if (trials === undefined) return gridPoints(space.grid.map(parseOverride));
  return randomPoints(space.random.map(parseOverride), trials, seed);
}

/**
 * `--budget`: `90s`, `10m`, `1.5h` or plain seconds, as seconds.
 * @example parseBudget('10m') // 600
 */
export function parseBudget(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(text);
  const n = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!(n > 0)) throw new InputError(`--budget ${text}: expected a time such as 90s, 10m or 1h`, { key: 'budget', value: text });
  return n;
}

/**
 * The order trials start in: the first point of every algorithm, then the second of
 * every algorithm, … — so a time budget that stops early has still tried each one.
 */
export function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]);
  return out;
}

/**
 * Indices of the Pareto front of quality against cost: the points that no other point
 * matches or beats on both (better quality per `direction`, lower cost) while beating
 * on one. Points equal on both are all on the front. Non-finite values are never on it.
 * @example paretoFront([{ quality: 0.9, cost: 5 }, { quality: 0.8, cost: 1 }, { quality: 0.7, cost: 2 }], 'max') // [0, 1]
 */
export function paretoFront(points: Array<{ quality: number; cost: number }>, direction: 'max' | 'min'): number[] {
  const better = (a: number, b: number) => (direction === 'max' ? a > b : a < b);
  const ok = points.map((p) => Number.isFinite(p.quality) && Number.isFinite(p.cost));
  const front: number[] = [];
  points.forEach((p, i) => {
    if (!ok[i]) return;
    const dominated = points.some((q, j) => j !== i && ok[j]
      && !better(p.quality, q.quality) && q.cost <= p.cost
      && (better(q.quality, p.quality) || q.cost < p.cost));
    if (!dominated) front.push(i);
  });
  return front;
}
