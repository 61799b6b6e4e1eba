/**
 * Hyperparameters: scikit-learn's names and defaults, checked per algorithm. Values
 * arrive as YAML scalars (`-p max_depth=8`, params.yaml), so "null"/"None" is null,
 * numbers are numbers and booleans are booleans.
 */
import { InputError } from '../../errors/index.js';
import type { Algorithm, Task } from './index.js';

export type ParamValue = string | number | boolean | null;
export type Params = Record<string, ParamValue>;

type Check = (v: ParamValue, key: string) => ParamValue;

const fail = (key: string, want: string, v: ParamValue): never => {
  throw new InputError(`hyperparameter ${key}: expected ${want}, got ${JSON.stringify(v)}`, { key });
};
const int = (min: number, orNull = false): Check => (v, k) => {
  if (v === null && orNull) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
  return fail(k, `an integer >= ${min}${orNull ? ' or null' : ''}`, v);
};
const num = (min: number): Check => (v, k) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fail(k, `a number >= ${min}`, v));
const bool: Check = (v, k) => (typeof v === 'boolean' ? v : fail(k, 'true or false', v));
/** An integer count, or (scikit-learn) a float fraction of the rows. */
const countOrFraction = (min: number, maxFraction: number, inclusive: boolean): Check => (v, k) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
  if (typeof v === 'number' && !Number.isInteger(v) && v > 0 && (inclusive ? v <= maxFraction : v < maxFraction)) return v;
  return fail(k, `an integer >= ${min} or a fraction in (0, ${maxFraction}${inclusive ? ']' : ')'}`, v);
};
const maxFeatures: Check = (v, k) => {
  if (v === null || v === 'sqrt' || v === 'log2') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  // 1.0 reads as the integer 1 in YAML/JS, so a fraction is strictly below 1; null means all.
  if (typeof v === 'number' && v > 0 && v < 1) return v;
  return fail(k, '"sqrt", "log2", an integer >= 1, a fraction in (0, 1) or null (all features)', v);
};
const components: Check = (v, k) => {
  if (v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  if (typeof v === 'number' && v > 0 && v < 1) return v;
  return fail(k, 'an integer >= 1, a variance fraction in (0, 1) or null', v);
};

const TREE: Record<string, Check> = {
  max_depth: int(1, true),
  max_features: maxFeatures,
  min_samples_split: countOrFraction(2, 1, true),
  min_samples_leaf: countOrFraction(1, 1, false),
};

const SPECS: Record<Algorithm, Record<string, Check>> = {
  random_forest: { n_estimators: int(1), bootstrap: bool, ...TREE },
  decision_tree: TREE,
  linear: { alpha: num(0), fit_intercept: bool },
  kmeans: { n_clusters: int(1), n_init: int(1), max_iter: int(1), tol: num(0) },
  pca: { n_components: components },
};

export function defaults(algorithm: Algorithm, task: Task): Params {
  switch (algorithm) {
    case 'random_forest':
      return {
        n_estimators: 100, max_depth: null, min_samples_split: 2, min_samples_leaf: 1, bootstrap: true,
        // scikit-learn 1.2: sqrt for classifiers, all features (1.0) for regressors.
        max_features: task === 'classification' ? 'sqrt' : null,
      };
    case 'decision_tree':
      return { max_depth: null, max_features: null, min_samples_split: 2, min_samples_leaf: 1 };
    case 'linear':
      return { alpha: 0, fit_intercept: true };
    case 'kmeans':
      return { n_clusters: 8, n_init: 10, max_iter: 300, tol: 1e-4 };
    case 'pca':
      return { n_components: null };
  }
}

/** Defaults overlaid with the given values; an unknown key or a bad value is an InputError. */
export function resolveParams(algorithm: Algorithm, task: Task, given: Params, where = 'hyperparameter'): Params {
  const spec = SPECS[algorithm];
  const out = defaults(algorithm, task);
  for (const [k, v] of Object.entries(given)) {
    if (!(k in spec)) {
      const known = Object.keys(spec).sort().join(', ');
      throw new InputError(`unknown ${where} "${k}" for ${algorithm} (known: ${known})`, { key: k });
    }
    out[k] = spec[k](v, k);
  }
  return out;
}

/** A `-p` value as YAML would read it; "None" is accepted for null, as in Python. */
export function parseScalar(text: string): ParamValue {
  const t = text.trim();
  if (t === 'null' || t === 'None' || t === '~' || t === '') return null;
  if (t === 'true' || t === 'True') return true;
  if (t === 'false' || t === 'False') return false;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t.replace(/^(['"])(.*)\1$/, '$2');
}

/** max_features resolved to a count in 1..p. */
export function resolveMaxFeatures(v: ParamValue, p: number): number {
  if (v === null) return p;
  if (v === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(p)));
  if (v === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (v > p) throw new InputError(`hyperparameter max_features: ${v} is more than the ${p} features`, { key: 'max_features' });
    return v;
  }
  return Math.max(1, Math.floor((v as number) * p));
}

/** min_samples_* resolved to a row count (fractions of the training rows round up). */
export function resolveCount(v: ParamValue, rows: number): number {
  const x = v as number;
  return Number.isInteger(x) ? x : Math.ceil(x * rows);
}
