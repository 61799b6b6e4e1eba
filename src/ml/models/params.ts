/**
 * Hyperparameters: the accepted forms a descriptor declares them with (scikit-learn's
 * constraint objects), and their resolution: defaults overlaid with given values, each
 * checked. Values arrive as YAML scalars (`-p max_depth=8`, params.yaml), so
 * "null"/"None" is null, numbers are numbers and booleans are booleans.
 */
import { InputError } from '../../errors/index.js';
import type { AlgorithmDescriptor, Constraint, ParamValue, Params, Task } from './algorithm.js';

export type { ParamValue, Params } from './algorithm.js';

type Closed = 'left' | 'right' | 'both' | 'neither';

const NOUN = { integer: 'an integer', real: 'a number', fraction: 'a fraction' };

/**
 * Numbers between bounds (scikit-learn's Interval): `integer`s, finite `real`s, or
 * `fraction`s (reals that are not integers: 0.5 of the rows, where 1 means one row).
 * A null bound is open-ended; `closed` says which bounds are included.
 */
export function interval(kind: 'integer' | 'real' | 'fraction', lo: number | null, hi: number | null, closed: Closed, noun = NOUN[kind]): Constraint {
  const withLo = closed === 'left' || closed === 'both';
  const withHi = closed === 'right' || closed === 'both';
  let text = noun;
  if (lo !== null && hi !== null) text += ` in ${withLo ? '[' : '('}${lo}, ${hi}${withHi ? ']' : ')'}`;
  else if (lo !== null) text += ` ${withLo ? '>=' : '>'} ${lo}`;
  else if (hi !== null) text += ` ${withHi ? '<=' : '<'} ${hi}`;
  return {
    text,
    test: (v) => typeof v === 'number' && Number.isFinite(v)
      && (kind === 'integer' ? Number.isInteger(v) : kind === 'fraction' ? !Number.isInteger(v) : true)
      && (lo === null || (withLo ? v >= lo : v > lo))
      && (hi === null || (withHi ? v <= hi : v < hi)),
  };
}

/** Fixed strings (scikit-learn's StrOptions). */
export function options(...values: string[]): Constraint {
  return { text: values.map((v) => JSON.stringify(v)).join(', '), test: (v) => typeof v === 'string' && values.includes(v) };
}

export const BOOLEAN: Constraint = { text: 'true or false', test: (v) => typeof v === 'boolean' };

/** null (scikit-learn's None), with what it means when that is not obvious. */
export function none(meaning?: string): Constraint {
  return { text: meaning ? `null (${meaning})` : 'null', test: (v) => v === null };
}

/** "a, b or c": what a parameter accepts, in messages and in the docs. */
export function describe(constraints: Constraint[]): string {
  const t = constraints.map((c) => c.text);
  return t.length > 1 ? `${t.slice(0, -1).join(', ')} or ${t[t.length - 1]}` : t.join('');
}

/** The defaults of an algorithm for a task. */
export function defaults(algorithm: Pick<AlgorithmDescriptor, 'params'>, task: Task): Params {
  const out: Params = {};
  for (const [k, spec] of Object.entries(algorithm.params)) out[k] = typeof spec.default === 'function' ? spec.default(task) : spec.default;
  return out;
}

/** Defaults overlaid with the given values; an unknown key or a bad value is an InputError. */
export function resolveParams(algorithm: Pick<AlgorithmDescriptor, 'name' | 'params'>, task: Task, given: Params): Params {
  const out = defaults(algorithm, task);
  for (const [k, v] of Object.entries(given)) {
    const spec = Object.hasOwn(algorithm.params, k) ? algorithm.params[k] : undefined;
    if (!spec) {
      const known = Object.keys(algorithm.params).sort().join(', ');
      throw new InputError(`unknown hyperparameter "${k}" for ${algorithm.name} (known: ${known})`, { key: k });
    }
    if (!spec.constraints.some((c) => c.test(v))) {
      throw new InputError(`hyperparameter ${k}: expected ${describe(spec.constraints)}, got ${JSON.stringify(v)}`, { key: k });
    }
    out[k] = v;
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
