/**
 * Search spaces of `mlv exp search`: a small grid per algorithm (the default), or
 * random trials drawn from ranges. Names follow scikit-learn's hyperparameters.
 */
import type { Algorithm } from '../ml/models/index.js';
import { gridPoints, parseOverride, randomPoints, type Point } from './overrides.js';

/** Each entry is a `-S` spelling, so grids and ranges parse the same way as in exp run. */
const SPACES: Partial<Record<Algorithm, { grid: string[]; random: string[] }>> = {
  random_forest: {
    grid: ['n_estimators=25,75', 'max_depth=4,8,null'],
    random: ['n_estimators=range(10,150)', 'max_depth=range(2,16)', 'min_samples_leaf=range(1,10)', 'max_features=sqrt,log2,null'],
  },
  decision_tree: {
    grid: ['max_depth=2,4,8,null', 'min_samples_leaf=1,5'],
    random: ['max_depth=range(1,20)', 'min_samples_leaf=range(1,20)', 'min_samples_split=range(2,20)'],
  },
  linear: {
    grid: ['alpha=0,0.1,1,10'],
    random: ['alpha=range(0.0001,100,log)', 'fit_intercept=true,false'],
  },
};

export const SEARCHABLE = Object.keys(SPACES) as Algorithm[];

/** Points to try for one algorithm: its grid, or `trials` random draws. */
export function searchPoints(algorithm: Algorithm, trials: number | undefined, seed: number): Point[] {
  const space = SPACES[algorithm];
  if (!space) return [{}];
  if (trials === undefined) return gridPoints(space.grid.map(parseOverride));
  return randomPoints(space.random.map(parseOverride), trials, seed);
}
