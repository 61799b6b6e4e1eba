/**
 * Pure operations on the version table that `mlv ui` shows: which columns exist,
 * filter expressions, sort orders, deltas against a baseline, hiding columns that
 * never change, and which rows/columns fit on screen. No I/O: everything works on
 * index arrays into one `VersionRow[]`, so 5,000 experiments are sorted or filtered
 * once and every cursor move only slices.
 */
import { InputError } from '../errors/index.js';
import type { MetricDirection, ParamValue, VersionRow } from './types.js';

export type ColumnKind = 'name' | 'date' | 'message' | 'param' | 'metric';

export interface Column {
  kind: ColumnKind;
  /** Param or metric key; 'name' / 'date' / 'message' for the fixed columns. */
  key: string;
}

export interface TableKeys {
  params: string[];
  metrics: string[];
}

/** Every param and metric key that appears in any row, sorted. */
export function collectKeys(rows: readonly VersionRow[]): TableKeys {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const row of rows) {
    for (const k in row.params) params.add(k);
    for (const k in row.metrics) metrics.add(k);
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}

// ---------------------------------------------------------------- column selection

const globRegex = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/**
 * The keys any glob matches, in their order. A glob matches the whole key
 * (`eval.json:acc*`) or the part after its file (`acc*`, `cost.*`); `*` is any text,
 * `?` one character. A glob that matches nothing is an error naming it.
 */
export function selectKeys(keys: readonly string[], globs: readonly string[], term: string): string[] {
  const res = globs.map((g) => ({ g, re: globRegex(g) }));
  const hit = new Set<string>();
  for (const { g, re } of res) {
    const found = keys.filter((k) => re.test(k) || re.test(k.slice(k.indexOf(':') + 1)));
    if (found.length === 0) {
      const some = keys.slice(0, 6).join(', ');
      throw new InputError(`${term} ${g}: matches no column${keys.length ? ` (there are ${keys.length}: ${some}${keys.length > 6 ? ', …' : ''})` : ' (there are none)'}`, { key: g });
    }
    for (const k of found) hit.add(k);
  }
  return keys.filter((k) => hit.has(k));
}

/** A cost column (`<file>:cost.model_bytes` …): what a run cost, not how well it did. */
export const isCostKey = (key: string): boolean => /(^|:)cost\./.test(key);
const TRAIN_TIME = /(^|:)cost\.(train_)?seconds$/;

/**
 * The metric columns of a default table: cost columns stay out except the first train
 * time, so a project's 30 metrics fit a terminal; `hidden` is what was left out.
 */
export function defaultMetricKeys(keys: readonly string[]): { shown: string[]; hidden: string[] } {
  const time = keys.find((k) => TRAIN_TIME.test(k));
  const hidden = keys.filter((k) => isCostKey(k) && k !== time);
  return { shown: keys.filter((k) => !hidden.includes(k)), hidden };
}

export function cellValue(row: VersionRow, col: Column): ParamValue | undefined {
  switch (col.kind) {
    case 'name': return row.name;
    case 'date': return row.date;
    case 'message': return row.message;
    case 'param': return row.params[col.key];
    case 'metric': return row.metrics[col.key];
  }
}

// ---------------------------------------------------------------- filtering

export type RowPredicate = (row: VersionRow) => boolean;

const OPERATORS = ['>=', '<=', '!=', '==', '=', '>', '<', '~'] as const;
type Operator = (typeof OPERATORS)[number];
const TERM = /^([A-Za-z_][\w.\-/]*?)(>=|<=|!=|==|=|>|<|~)(.*)$/;

/**
 * Compile a filter typed in the UI. Whitespace-separated terms must all match.
 * A term is either `key<op>value` (op: = == != > >= < <= ~, where ~ is "contains")
 * on a param or metric — `accuracy` finds `eval.accuracy` when that is the only key
 * ending in `.accuracy` — or free text, matched case-insensitively against the
 * row's name, rev and message. An empty filter matches everything.
 * @example
 * const keep = compileFilter('accuracy>0.9 train.trees=100', collectKeys(rows));
 * rows.filter(keep);
 * @throws InputError naming the term at fault (unknown or ambiguous key, a
 *   comparison with a non-number).
 */
export function compileFilter(text: string, keys: TableKeys): RowPredicate {
  const terms = text.trim().split(/\s+/).filter((t) => t.length > 0);
  const tests = terms.map((term) => compileTerm(term, keys));
  if (tests.length === 0) return () => true;
  return (row) => {
    for (const t of tests) if (!t(row)) return false;
    return true;
  };
}

function compileTerm(term: string, keys: TableKeys): RowPredicate {
  const m = TERM.exec(term);
  if (!m) {
    const needle = term.toLowerCase();
    return (row) =>
      row.name.toLowerCase().includes(needle) ||
      row.rev.toLowerCase().startsWith(needle) ||
      row.message.toLowerCase().includes(needle);
  }
  const [, rawKey, op, rawValue] = m as unknown as [string, string, Operator, string];
  const col = resolveKey(rawKey, keys, term);
  const value = rawValue.trim();
  if (value === '') throw new InputError(`filter "${term}": missing a value after "${op}"`, { term });
  const num = Number(value);
  const numeric = value !== '' && Number.isFinite(num);
  if ((op === '>' || op === '>=' || op === '<' || op === '<=') && !numeric) {
    throw new InputError(`filter "${term}": "${value}" is not a number`, { term });
  }
  const get = col.kind === 'metric'
    ? (row: VersionRow) => row.metrics[col.key]
    : (row: VersionRow) => row.params[col.key];
  const equals = (v: ParamValue | undefined): boolean => {
    if (v === undefined) return false;
    if (numeric && typeof v === 'number') return v === num;
    return String(v) === value;
  };
  switch (op) {
    case '=': case '==': return (row) => equals(get(row));
    case '!=': return (row) => get(row) !== undefined && !equals(get(row));
    case '~': {
      const needle = value.toLowerCase();
      return (row) => {
        const v = get(row);
        return v !== undefined && String(v).toLowerCase().includes(needle);
      };
    }
    default: {
      const cmp = op;
      return (row) => {
        const v = get(row);
        if (typeof v !== 'number') return false;
        return cmp === '>' ? v > num : cmp === '>=' ? v >= num : cmp === '<' ? v < num : v <= num;
      };
    }
  }
}

/** Exact key first (metrics before params), then a unique `.suffix` match. */
export function resolveKey(key: string, keys: TableKeys, term = key): Column {
  if (keys.metrics.includes(key)) return { kind: 'metric', key };
  if (keys.params.includes(key)) return { kind: 'param', key };
  // A suffix after a key separator: "accuracy" finds "eval.accuracy" and "eval.json:accuracy".
  const ends = (k: string) => k.endsWith('.' + key) || k.endsWith(':' + key);
  const found: Column[] = [
    ...keys.metrics.filter(ends).map((k) => ({ kind: 'metric' as const, key: k })),
    ...keys.params.filter(ends).map((k) => ({ kind: 'param' as const, key: k })),
  ];
  if (found.length === 1) return found[0];
  // `term` is what the user typed: a filter term, or an option such as "--sort-by x".
  const what = term.startsWith('--') ? term : `filter "${term}"`;
  if (found.length === 0) throw new InputError(`${what}: no param or metric named "${key}"`, { term, key });
  throw new InputError(
    `${what}: "${key}" is ambiguous; name one of: ${found.map((c) => c.key).join(', ')}`,
    { term, key, candidates: found.map((c) => c.key) },
  );
}

/** Indices of the rows that pass, in their original order. */
export function filterIndices(rows: readonly VersionRow[], keep: RowPredicate): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) if (keep(rows[i])) out.push(i);
  return out;
}

// ---------------------------------------------------------------- sorting

export interface SortSpec {
  column: Column;
  descending: boolean;
}

/**
 * How a column sorts: a metric best first by `direction` (default its usual one, see
 * defaultDirection), anything else ascending unless `descending` says otherwise. The one
 * order of `exp show --sort-by`, `exp best` and the UI: rows without a number go last,
 * and equal values keep the table's order (sortIndices), so `exp best` is the first
 * experiment row of `exp show --sort-by` with the same metric and direction.
 */
export function sortSpecFor(column: Column, opts: { direction?: MetricDirection; descending?: boolean } = {}): SortSpec {
  if (opts.descending !== undefined) return { column, descending: opts.descending };
  if (column.kind === 'metric') return { column, descending: (opts.direction ?? defaultDirection(column.key)) === 'max' };
  return { column, descending: false };
}

/**
 * The direction a first press of `s` sorts a column: best metric first, newest
 * date first, text and params ascending.
 */
export function defaultDescending(col: Column, direction: (metric: string) => MetricDirection): boolean {
  if (col.kind === 'metric') return direction(col.key) === 'max';
  return col.kind === 'date';
}

/**
 * A sorted copy of `indices`. Missing values always go last, whatever the
 * direction; numbers compare numerically, everything else as text; ties keep
 * the original order.
 */
export function sortIndices(rows: readonly VersionRow[], indices: readonly number[], spec: SortSpec): number[] {
  const sign = spec.descending ? -1 : 1;
  const col = spec.column;
  const keyOf = (row: VersionRow): number | string | undefined => {
    const v = cellValue(row, col);
    if (v === undefined || v === null) return undefined;
    if (col.kind === 'date') {
      const t = Date.parse(String(v));
      return Number.isNaN(t) ? String(v) : t;
    }
    if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
    return String(v);
  };
  // Decorate once: 5,000 rows × log n comparisons would otherwise re-read each cell.
  const decorated = indices.map((index) => ({ index, key: keyOf(rows[index]) }));
  decorated.sort((x, y) => {
    const a = x.key;
    const b = y.key;
    if (a === undefined || b === undefined) {
      if (a === b) return x.index - y.index;
      return a === undefined ? 1 : -1;
    }
    let c: number;
    if (typeof a === 'number' && typeof b === 'number') c = a - b;
    else if (typeof a === 'number') c = -1; // numbers before text in a mixed column
    else if (typeof b === 'number') c = 1;
    else c = a < b ? -1 : a > b ? 1 : 0;
    return c !== 0 ? sign * c : x.index - y.index;
  });
  return decorated.map((d) => d.index);
}

// ---------------------------------------------------------------- baseline deltas

export type Verdict = 'better' | 'worse' | 'same';

export interface MetricDelta {
  delta: number;
  verdict: Verdict;
}

/** `value - base`, judged by the metric's direction; undefined if either is missing. */
export function metricDelta(value: number | undefined, base: number | undefined, direction: MetricDirection): MetricDelta | undefined {
  if (value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base)) return undefined;
  const delta = value - base;
  if (delta === 0) return { delta: 0, verdict: 'same' };
  const up = delta > 0;
  return { delta, verdict: up === (direction === 'max') ? 'better' : 'worse' };
}

/** Deltas of every metric of `row` against `base`. */
export function rowDeltas(
  row: VersionRow,
  base: VersionRow,
  direction: (metric: string) => MetricDirection,
): Record<string, MetricDelta> {
  const out: Record<string, MetricDelta> = {};
  for (const key in row.metrics) {
    const d = metricDelta(row.metrics[key], base.metrics[key], direction(key));
    if (d) out[key] = d;
  }
  return out;
}

/** The default direction rule: losses and errors are minimised, everything else maximised. */
export function defaultDirection(metric: string): MetricDirection {
  const lower = metric.toLowerCase();
  const parts = lower.split(/[./:]/);
  // Costs (training time, model size) are better smaller, like losses and errors.
  if (parts.includes('cost')) return 'min';
  // Any segment may name the error: "metrics.mae.mean" is a mean absolute error.
  const errorish = /(^|_)(loss|error|err|mae|mse|rmse|mape|logloss|log_loss|bytes|seconds|secs|time|latency|memory)($|_)/;
  if (parts.some((p) => errorish.test(p))) return 'min';
  // A spread across folds is better small too.
  const last = parts[parts.length - 1];
  if (last === 'std' || last.endsWith('_std')) return 'min';
  // mlv train's gap between training and validation scores: smaller generalises better.
  if (last === 'gap') return 'min';
  return 'max';
}

// ---------------------------------------------------------------- hide unchanged

/**
 * The keys whose value differs between at least two of the given rows that have one.
 * A missing value is no data, not a difference: a metric one run did not record (a
 * failed run, an older commit) does not make a constant metric look changed. With
 * fewer than two rows every key is kept, since nothing can be compared.
 */
export function varyingKeys(
  rows: readonly VersionRow[],
  indices: readonly number[],
  keys: readonly string[],
  kind: 'param' | 'metric',
): string[] {
  if (indices.length < 2) return [...keys];
  return keys.filter((key) => {
    let first: ParamValue | undefined;
    for (const i of indices) {
      const v = kind === 'param' ? rows[i].params[key] : rows[i].metrics[key];
      if (v === undefined) continue;
      if (first === undefined) { first = v; continue; }
      if (v !== first && !(Number.isNaN(v) && Number.isNaN(first))) return true;
    }
    return false;
  });
}

// ---------------------------------------------------------------- visible window

/**
 * The first visible row so that `cursor` stays in a window of `height` rows,
 * moving the window as little as possible.
 */
export function scrollOffset(cursor: number, offset: number, height: number, total: number): number {
  const h = Math.max(1, height);
  let o = offset;
  if (cursor < o) o = cursor;
  else if (cursor >= o + h) o = cursor - h + 1;
  return Math.max(0, Math.min(o, Math.max(0, total - h)));
}

export function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/**
 * How many columns, starting at `first`, fit in `width` characters, given each
 * column's width and a separator of `gap` characters. At least one, so a column
 * wider than the screen is still shown (clipped).
 */
export function columnsThatFit(widths: readonly number[], first: number, width: number, gap = 1): number {
  let used = 0;
  let n = 0;
  for (let i = first; i < widths.length; i++) {
    const w = widths[i] + (n > 0 ? gap : 0);
    if (n > 0 && used + w > width) break;
    used += w;
    n++;
  }
  return n;
}

/** The first scrollable column to show so that column `cursor` is on screen. */
export function columnOffset(cursor: number, offset: number, widths: readonly number[], width: number, gap = 1): number {
  if (cursor < offset) return cursor;
  let o = Math.min(offset, cursor);
  while (o < cursor && o + columnsThatFit(widths, o, width, gap) <= cursor) o++;
  return o;
}
