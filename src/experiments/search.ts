/**
 * Search spaces of `mlv exp search`: a small grid per algorithm (the default), or
 * random trials drawn from ranges. Names follow scikit-learn's hyperparameters.
 */
import { ALGORITHMS, findAlgorithm, TASK_ALGORITHMS, type Algorithm } from '../ml/models/index.js';
import { gridPoints, parseOverride, randomPoints, type Point } from './overrides.js';

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
