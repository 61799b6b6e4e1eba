/**
 * Metric files: the numbers in a JSON or YAML file, flattened to dotted keys, and how
 * two values are judged equal (relative tolerance).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors/index.js';
import { flatten, parseDataFile } from './params.js';
import type { MetricDef } from './types.js';

/** Every number (and boolean) in a metrics document; other values are not metrics. */
export function metricValues(text: string, file: string): Record<string, number> {
  const doc = parseDataFile(text, file, 'metrics');
  if (!doc || typeof doc !== 'object') throw new InputError(`${file}: a metrics file must hold a JSON or YAML mapping of names to numbers`, { file }, 'EMETRICS');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(flatten(doc))) {
    if (typeof v === 'number') out[k] = v;
    else if (typeof v === 'boolean') out[k] = v ? 1 : 0;
  }
  return out;
}

/** A training report written before metric names followed `mlv evaluate` (docs/FORMAT.md). */
const LEGACY_TRAIN_KEY = /^metrics\.([^.]+)\.(mean|std)$/;

/**
 * The current name of a metric key: `metrics.r2.mean` (old `mlv train` files) is
 * `r2` and `metrics.r2.std` is `r2_std`; other keys are unchanged (fold lists are not
 * metrics: flattening keeps numbers only).
 */
export function canonicalMetricKey(key: string): string {
  const m = LEGACY_TRAIN_KEY.exec(key);
  if (!m) return key;
  const [, name, part] = m;
  return part === 'mean' ? name : `${name}_std`;
}

/** `values` with every key under its current name (a current key wins over a legacy one). */
export function canonicalMetricValues(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    const c = canonicalMetricKey(k);
    if (c === k || !(c in values)) out[c] = v;
  }
  return out;
}

export function readMetricFile(abs: string, file: string): Record<string, number> {
  return metricValues(readFileSync(abs, 'utf8'), file);
}

export const DEFAULT_TOLERANCE = 1e-9;

export function toleranceFor(def: Pick<MetricDef, 'tolerance'> | undefined, key: string, fallback: number): number {
  const t = def?.tolerance;
  if (typeof t === 'number') return t;
  if (t && typeof t === 'object' && typeof t[key] === 'number') return t[key];
  return fallback;
}

/** Equal, or within `tol` relative to the larger magnitude (NaN matches NaN). */
export function withinTolerance(a: number | undefined, b: number | undefined, tol: number): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));
}
