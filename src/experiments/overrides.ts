/**
 * `-S key=value` overrides: parsing, grids (comma lists) and random search over
 * ranges. Pure: no I/O, so sweeps can be planned and tested before anything runs.
 */
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors/index.js';
import { createRng } from '../ml/rng.js';

export type OverrideValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

/** One `-S` argument: a key (optionally `file.yaml:key`) and what it may take. */
export type OverrideSpec =
  | { key: string; kind: 'values'; values: OverrideValue[] }
  | { key: string; kind: 'range'; low: number; high: number; scale: 'linear' | 'log'; integer: boolean };

/** One point of a sweep: key → value, in the order the keys were given. */
export type Point = Record<string, OverrideValue>;

const RANGE = /^range\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*(?:,\s*(log|linear|lin)\s*)?\)$/;

/** YAML scalar semantics: `200` is a number, `true` a boolean, `abc` a string. */
export function parseScalar(text: string): OverrideValue {
  if (text === '') return '';
  try {
    return parseYaml(text) as OverrideValue;
  } catch {
    return text;
  }
}

/**
 * Parse one `-S` argument.
 * @example
 *   parseOverride('train.trees=50,100')        // values [50, 100]
 *   parseOverride('params.yaml:lr=range(0.01,0.3,log)')
 */
export function parseOverride(arg: string): OverrideSpec {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new InputError(`-S ${arg}: expected key=value (e.g. -S train.trees=200)`, { arg }, 'EOVERRIDE');
  const key = arg.slice(0, eq).trim();
  const raw = arg.slice(eq + 1).trim();
  validateKey(key, arg);
  const range = RANGE.exec(raw);
  if (range) {
    const low = Number(range[1]);
    const high = Number(range[2]);
    if (!Number.isFinite(low) || !Number.isFinite(high)) throw new InputError(`-S ${arg}: range bounds must be numbers`, { arg }, 'EOVERRIDE');
    if (!(high > low)) throw new InputError(`-S ${arg}: range(a,b) needs a < b`, { arg }, 'EOVERRIDE');
    const scale = range[3] === 'log' ? 'log' : 'linear';
    if (scale === 'log' && low <= 0) throw new InputError(`-S ${arg}: a log range needs positive bounds`, { arg }, 'EOVERRIDE');
    const integer = /^[+-]?\d+$/.test(range[1]) && /^[+-]?\d+$/.test(range[2]);
    return { key, kind: 'range', low, high, scale, integer };
  }
  if (raw.startsWith('range(')) throw new InputError(`-S ${arg}: expected range(low,high) or range(low,high,log)`, { arg }, 'EOVERRIDE');
  // A flow list or map is one value, not a grid: -S model.layers=[64,32].
  if (raw.startsWith('[') || raw.startsWith('{')) return { key, kind: 'values', values: [parseScalar(raw)] };
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length > 1 && parts.some((p) => p === '')) throw new InputError(`-S ${arg}: empty value in a comma list`, { arg }, 'EOVERRIDE');
  return { key, kind: 'values', values: parts.map(parseScalar) };
}

function validateKey(key: string, arg: string): void {
  const colon = key.lastIndexOf(':');
  const param = colon >= 0 ? key.slice(colon + 1) : key;
  const file = colon >= 0 ? key.slice(0, colon) : undefined;
  if (file !== undefined && (file === '' || file.startsWith('/') || file.split('/').includes('..'))) {
    throw new InputError(`-S ${arg}: '${file}' must be a params file inside the repository`, { arg }, 'EOVERRIDE');
  }
  if (!/^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$/.test(param)) {
    throw new InputError(`-S ${arg}: '${param}' is not a parameter name (dotted keys such as train.trees)`, { arg }, 'EOVERRIDE');
  }
}

/** Most points a single `exp run` will plan; beyond it a typo (an extra comma list) is likelier than intent. */
export const MAX_POINTS = 10_000;

/**
 * Every combination of the comma lists, in row-major order of the keys as given
 * (the last key varies fastest). A key given twice: the later one wins.
 */
export function gridPoints(specs: OverrideSpec[]): Point[] {
  const merged = mergeSpecs(specs);
  for (const s of merged) {
    if (s.kind === 'range') throw new InputError(`-S ${s.key}=range(...): ranges are sampled; add --random N`, { key: s.key }, 'EOVERRIDE');
  }
  const lists = merged as Array<Extract<OverrideSpec, { kind: 'values' }>>;
  const total = lists.reduce((n, s) => n * s.values.length, 1);
  if (total > MAX_POINTS) throw new InputError(`the grid has ${total} points (more than ${MAX_POINTS}); narrow the comma lists or use --random N`, { total }, 'EOVERRIDE');
  let points: Point[] = [{}];
  for (const s of lists) points = points.flatMap((p) => s.values.map((v) => ({ ...p, [s.key]: v })));
  return points;
}

/**
 * `n` points drawn independently: ranges uniformly (log-uniformly for `log`; integers
 * when both bounds are integers), comma lists by uniform choice. Same seed, same points.
 */
export function randomPoints(specs: OverrideSpec[], n: number, seed: number): Point[] {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--random ${n}: expected a positive whole number`, { n }, 'EOVERRIDE');
  if (n > MAX_POINTS) throw new InputError(`--random ${n}: at most ${MAX_POINTS} points`, { n }, 'EOVERRIDE');
  const merged = mergeSpecs(specs);
  const rng = createRng(seed, 0x5eed);
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const p: Point = {};
    for (const s of merged) p[s.key] = s.kind === 'values' ? s.values[Math.floor(rng() * s.values.length)] : sampleRange(s, rng());
    points.push(p);
  }
  return points;
}

function sampleRange(s: Extract<OverrideSpec, { kind: 'range' }>, u: number): number {
  if (s.integer) {
    if (s.scale === 'log') {
      const v = Math.floor(Math.exp(Math.log(s.low) + u * (Math.log(s.high + 1) - Math.log(s.low))));
      return Math.min(s.high, Math.max(s.low, v));
    }
    return s.low + Math.floor(u * (s.high - s.low + 1));
  }
  const v = s.scale === 'log' ? Math.exp(Math.log(s.low) + u * (Math.log(s.high) - Math.log(s.low))) : s.low + u * (s.high - s.low);
  // Twelve significant digits keep params.yaml readable without changing the sample.
  return Number(v.toPrecision(12));
}

function mergeSpecs(specs: OverrideSpec[]): OverrideSpec[] {
  const byKey = new Map<string, OverrideSpec>();
  for (const s of specs) { byKey.delete(s.key); byKey.set(s.key, s); }
  return [...byKey.values()];
}

/** `train.trees=200 train.depth=8`, for names and commit messages. */
export function describePoint(p: Point): string {
  return Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}
