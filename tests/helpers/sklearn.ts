/**
 * scikit-learn as a test oracle: Debian's python3-sklearn (1.2.1) through
 * tests/helpers/sklearn_oracle.py, at test time only. `/usr/bin/python3`, not the
 * python3 on PATH (another interpreter without scikit-learn).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './repo.js';

export interface OracleRequest {
  csv: string;
  target: string;
  model: 'logistic' | 'hgb_classifier' | 'hgb_regressor';
  params?: Record<string, unknown>;
  /** Fold id per row: the answer then holds a score per fold on exactly these folds. */
  folds?: number[];
}

export interface OracleAnswer {
  folds?: number[];
  proba?: number[][];
  pred?: number[];
  classes?: string[];
  coef?: number[][];
  intercept?: number[];
  n_iter?: number;
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
