/**
 * scikit-learn as a test oracle: Debian's python3-sklearn (1.2.1) through
 * tests/helpers/sklearn_oracle.py, at test time only. `/usr/bin/python3`, not the
 * python3 on PATH (another interpreter without scikit-learn).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './repo.js';
import { folds, parseValidation } from '../../src/ml/validation.js';
import { compareLabels } from '../../src/ml/metrics.js';
import type { Frame } from '../../src/ml/frame.js';
import type { Label } from '../../src/ml/models/algorithm.js';

export interface OracleRequest {
  csv: string;
  target: string;
  model: 'logistic' | 'hgb_classifier' | 'hgb_regressor' | 'linear' | 'forest_classifier' | 'forest_regressor' | 'tree_classifier' | 'tree_regressor';
  params?: Record<string, unknown>;
  /** Fold id per row: the answer then holds a score per fold on exactly these folds. */
  folds?: number[];
  /** With folds: permutation_importance on each fold's test rows. */
  permutation?: { n_repeats: number; random_state: number };
}

export interface OracleAnswer {
  folds?: number[];
  proba?: number[][];
  pred?: number[];
  classes?: string[];
  coef?: number[][];
  intercept?: number[];
  n_iter?: number;
  /** Per fold, importances_mean per feature. */
  permutation?: number[][];
}

export function sklearn(req: OracleRequest): OracleAnswer {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'tests/helpers/sklearn_oracle.py')], {
    input: JSON.stringify(req),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`sklearn oracle failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as OracleAnswer;
}

/**
 * The fold id of each row as `mlv train --validation <scheme>` (seed 0) draws them, for
 * the oracle's `folds`: classification folds are stratified by the target's labels.
 */
export function trainFoldIds(frame: Frame, target: string, classify: boolean, scheme = 'kfold:5'): number[] {
  const col = frame.columns.find((c) => c.name === target)!;
  let yClass: Int32Array | undefined;
  if (classify) {
    const y = Array.from(col.values as ArrayLike<Label>);
    const labels = [...new Set(y)].sort(compareLabels);
    yClass = Int32Array.from(y, (v) => labels.indexOf(v));
  }
  const ids = new Array<number>(frame.nRows).fill(-1);
  let k = 0;
  for (const f of folds(parseValidation(scheme), frame.nRows, 0, yClass)) {
    for (const i of f.test) ids[i] = k;
    k++;
  }
  return ids;
}
