/**
 * The featurize steps. Each has `fit` (learn state from the training frame) and `apply`
 * (transform any frame with that state); fitting always ends by applying, so training
 * output and prediction input go through the same code.
 */
import { InputError } from '../../errors/index.js';
import { strayMessage, strayText } from '../data/strays.js';
import type { Column, ColumnType } from '../frame.js';
import { formatDate, formatNumber, parseAs } from '../data/values.js';
import { compareLabels } from '../metrics.js';
import { columnsOf, compile, parseExpr } from './expr.js';
import type { At, DatePart } from './spec.js';

/** A mutable, ordered set of columns that the steps work on. */
export class Work {
  cols: Column[];
  readonly reads = new Set<string>();
  /** `lines`: the physical line of each row, for messages about one cell. */
  constructor(cols: Column[], public nRows: number, readonly label: string, public lines?: ArrayLike<number>) {
    this.cols = [...cols];
  }
  /** Original row number of each row still here (null while none was dropped). */
  rows: Int32Array | null = null;
  /** Keeps the rows whose `keep` is 1 (row steps); returns how many went. */
  keepRows(keep: Uint8Array): number {
    const idx: number[] = [];
    for (let i = 0; i < this.nRows; i++) if (keep[i]) idx.push(i);
    const dropped = this.nRows - idx.length;
    if (!dropped) return 0;
    this.cols = this.cols.map((c): Column => (c.type === 'categorical'
      ? { ...c, values: idx.map((i) => c.values[i]) }
      : { ...c, values: Float64Array.from(idx, (i) => c.values[i]) }));
    const lines = this.lines;
    this.lines = Float64Array.from(idx, (i) => (lines ? lines[i] : i + 2));
    const rows = this.rows;
    this.rows = Int32Array.from(idx, (i) => (rows ? rows[i] : i));
    this.nRows = idx.length;
    return dropped;
  }
  has(name: string): boolean {
    return this.cols.some((c) => c.name === name);
  }
  get(name: string, at?: At): Column {
    const c = this.cols.find((col) => col.name === name);
    if (!c) {
      const have = this.cols.map((col) => col.name).join(', ');
      if (at) throw new InputError(`${at.where}: no column "${name}" at this step (columns: ${have})`, { key: at.where, line: at.line, name });
      throw new InputError(`${this.label}: no column "${name}" (columns: ${have})`, { file: this.label, name });
    }
    this.reads.add(name);
    return c;
  }
  add(col: Column, at?: At): void {
    if (this.has(col.name)) {
      throw new InputError(`${at?.where ?? this.label}: column "${col.name}" already exists; choose another name`, { key: at?.where, name: col.name });
    }
    this.cols.push(col);
  }
  replace(name: string, cols: Column[]): void {
    const i = this.cols.findIndex((c) => c.name === name);
    this.cols.splice(i, 1, ...cols);
  }
  remove(name: string): void {
    this.cols = this.cols.filter((c) => c.name !== name);
  }
}

/** The text a cell stands for as a category (or join key); null when missing. */
export function keyText(col: Column, i: number): string | null {
  if (col.type === 'categorical') return col.values[i];
  const x = col.values[i];
  if (Number.isNaN(x)) return null;
  if (col.type === 'boolean') return x ? 'true' : 'false';
  if (col.type === 'date') return formatDate(x, x % 86400000 !== 0);
  return formatNumber(x);
}

export function categoricalOf(col: Column, n: number): Array<string | null> {
  return Array.from({ length: n }, (_, i) => keyText(col, i));
}

/** Converts a column to `type` (prediction-time CSVs may infer a different type). */
export function coerce(col: Column, type: ColumnType, label: string): Column {
  if (col.type === type) return col;
  const n = col.values.length;
  if (type === 'categorical') return { name: col.name, type, values: categoricalOf(col, n) };
  if (col.type === 'number' && type === 'boolean') return { name: col.name, type, values: col.values };
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = keyText(col, i);
    if (t === null) { values[i] = NaN; continue; }
    const x = parseAs(type, t);
    if (Number.isNaN(x)) {
      throw new InputError(`${label}: column "${col.name}", row ${i + 1}: cannot read ${JSON.stringify(t)} as ${type} (as when the features were fitted)`, {
        file: label, row: i + 1, column: col.name,
      });
    }
    values[i] = x;
  }
  return { name: col.name, type, values };
}

function numeric(col: Column, at: At, what: string, w?: Work): Float64Array {
  if (col.type === 'categorical') {
    const stray = strayText(col.values);
    if (stray && w) {
      const line = w.lines ? w.lines[stray.row] : stray.row + 2;
      throw new InputError(`${strayMessage(w.label, line, col.name, stray)}, and ${at.where} (${what}) needs numbers; fix or blank the cell`, {
        file: w.label, line, column: col.name, value: stray.value, key: at.where,
      });
    }
    throw new InputError(`${at.where}: ${what} needs a number, boolean or date column; "${col.name}" is categorical`, { key: at.where, line: at.line });
  }
  return col.values;
}

// ---- derive ----------------------------------------------------------------------------

export type DeriveState =
  | { name: string; date_part: DatePart; of: string }
  | { name: string; expr: string }
  | { name: string; bucket: string; edges: number[]; labels: string[] };

const DAY = 86400000;

function datePart(part: DatePart, ms: number): number {
  if (Number.isNaN(ms)) return NaN;
  const d = new Date(ms);
  switch (part) {
    case 'year': return d.getUTCFullYear();
    case 'month': return d.getUTCMonth() + 1;
    case 'day': return d.getUTCDate();
    case 'hour': return d.getUTCHours();
    case 'minute': return d.getUTCMinutes();
    case 'dayofweek': return (d.getUTCDay() + 6) % 7; // Monday = 0, as pandas
    case 'dayofyear': return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
    case 'weekend': return d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 1 : 0;
    case 'date': return Math.floor(ms / DAY) * DAY;
  }
}

export function applyDerive(w: Work, items: DeriveState[], at: (name: string) => At): void {
  for (const item of items) {
    const a = at(item.name);
    const n = w.nRows;
    if ('date_part' in item) {
      const src = w.get(item.of, a);
      if (src.type !== 'date') {
        throw new InputError(`${a.where}: date_part needs a date column; "${src.name}" is ${src.type}`, { key: a.where, line: a.line });
      }
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = datePart(item.date_part, src.values[i]);
      const type = item.date_part === 'weekend' ? 'boolean' : item.date_part === 'date' ? 'date' : 'number';
      w.add({ name: item.name, type, values }, a);
    } else if ('expr' in item) {
      const tree = parseExprCached(item.expr);
      const cols = new Map<string, Float64Array>();
      for (const name of columnsOf(tree)) cols.set(name, numeric(w.get(name, a), a, `expression ${JSON.stringify(item.expr)}`, w));
      const f = compile(tree, (name) => cols.get(name)!);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = f(i);
        values[i] = Number.isFinite(x) ? x : NaN;
      }
      w.add({ name: item.name, type: 'number', values }, a);
    } else {
      const src = numeric(w.get(item.bucket, a), a, 'bucket', w);
      const values = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const x = src[i];
        if (Number.isNaN(x)) { values[i] = null; continue; }
        let b = 0;
        while (b < item.edges.length && x >= item.edges[b]) b++;
        values[i] = item.labels[b];
      }
      w.add({ name: item.name, type: 'categorical', values }, a);
    }
  }
}

const exprCache = new Map<string, ReturnType<typeof parseExpr>>();
function parseExprCached(src: string) {
  let t = exprCache.get(src);
  if (!t) { t = parseExpr(src); exprCache.set(src, t); }
  return t;
}

// ---- join ------------------------------------------------------------------------------

export interface JoinState {
  file: string;
  on: string;
  right_on: string;
  keys: string[];
  columns: Array<{ name: string; type: ColumnType; values: Array<number | string | null> }>;
}

export function applyJoin(w: Work, s: JoinState, a: At): void {
  const key = w.get(s.on, a);
  const index = new Map(s.keys.map((k, i) => [k, i]));
  const n = w.nRows;
  const rowOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keyText(key, i);
    const r = k === null ? undefined : index.get(k);
    rowOf[i] = r === undefined ? -1 : r;
  }
  for (const c of s.columns) {
    if (c.type === 'categorical') {
      const values = Array.from(rowOf, (r) => (r < 0 ? null : (c.values[r] as string | null)));
      w.add({ name: c.name, type: 'categorical', values }, a);
    } else {
      const values = Float64Array.from(rowOf, (r) => (r < 0 || c.values[r] === null ? NaN : (c.values[r] as number)));
      w.add({ name: c.name, type: c.type, values }, a);
    }
  }
}

// ---- cross -----------------------------------------------------------------------------

export interface CrossState { name: string; columns: string[]; sep: string }

export function applyCross(w: Work, items: CrossState[], at: (name: string) => At): void {
  for (const item of items) {
    const a = at(item.name);
    const parts = item.columns.map((c) => w.get(c, a));
    const values = new Array<string | null>(w.nRows);
    for (let i = 0; i < w.nRows; i++) {
      let s: string | null = '';
      for (let p = 0; p < parts.length; p++) {
        const t = keyText(parts[p], i);
        if (t === null) { s = null; break; }
        s += (p ? item.sep : '') + t;
      }
      values[i] = s;
    }
    w.add({ name: item.name, type: 'categorical', values }, a);
  }
}

// ---- impute ----------------------------------------------------------------------------

export interface ImputeState { column: string; strategy: string; value: number | string }

function modeOf(col: Column, n: number): string | number | undefined {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = keyText(col, i);
    if (t !== null) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = -1;
  // Ties go to the smallest value, as sklearn's SimpleImputer(strategy="most_frequent").
  const asLabel = (t: string) => (col.type === 'categorical' ? t : Number(parseAs(col.type === 'number' ? 'number' : col.type, t)));
  for (const [t, c] of counts) {
    if (c > bestCount || (c === bestCount && compareLabels(asLabel(t), asLabel(best!)) < 0)) {
      best = t;
      bestCount = c;
    }
  }
  if (best === undefined) return undefined;
  return col.type === 'categorical' ? best : parseAs(col.type, best);
}

export function fitImpute(w: Work, column: string, strategy: string, constant: string | number | undefined, a: At): ImputeState {
  const col = w.get(column, a);
  const present: number[] = [];
  if (strategy === 'mean' || strategy === 'median') {
    const v = numeric(col, a, strategy, w);
    for (let i = 0; i < w.nRows; i++) if (!Number.isNaN(v[i])) present.push(v[i]);
    if (!present.length) throw new InputError(`${a.where}: column "${column}" has no values to take the ${strategy} of`, { key: a.where, line: a.line });
    present.sort((x, y) => x - y);
    const m = present.length;
    const value = strategy === 'mean'
      ? present.reduce((s, x) => s + x, 0) / m
      : m % 2 ? present[(m - 1) / 2] : (present[m / 2 - 1] + present[m / 2]) / 2;
    return { column, strategy, value };
  }
  if (strategy === 'mode') {
    const value = modeOf(col, w.nRows);
    if (value === undefined) throw new InputError(`${a.where}: column "${column}" has no values to take the mode of`, { key: a.where, line: a.line });
    return { column, strategy, value };
  }
  if (col.type !== 'categorical') {
    const x = typeof constant === 'number' ? constant : parseAs(col.type, String(constant));
    if (Number.isNaN(x)) throw new InputError(`${a.where}: constant ${JSON.stringify(constant)} is not a ${col.type}`, { key: a.where, line: a.line });
    return { column, strategy, value: x };
  }
  return { column, strategy, value: String(constant) };
}

export function applyImpute(w: Work, s: ImputeState, a: At): void {
  const col = w.get(s.column, a);
  if (col.type === 'categorical') {
    const values = col.values.map((v) => (v === null ? String(s.value) : v));
    w.replace(col.name, [{ ...col, values }]);
  } else {
    const x = typeof s.value === 'number' ? s.value : parseAs(col.type, s.value);
    const values = col.values.map((v) => (Number.isNaN(v) ? x : v));
    w.replace(col.name, [{ ...col, values }]);
  }
}

import { bucketer } from './hashing.js';

// ---- encode ----------------------------------------------------------------------------

export type EncodeState =
  | { column: string; method: 'onehot'; categories: string[]; unknown: 'ignore' | 'error' }
  | { column: string; method: 'ordinal'; categories: string[]; unknown: 'ignore' | 'error' }
  | { column: string; method: 'frequency'; frequencies: Record<string, number> }
  | { column: string; method: 'hash'; buckets: number };

export function fitEncode(w: Work, column: string, method: string, categories: string[] | undefined, unknown: 'ignore' | 'error', a: At, buckets = 16): EncodeState {
  // Hashing needs no fitted state: its buckets are fixed by the hash alone.
  if (method === 'hash') { w.get(column, a); return { column, method: 'hash', buckets }; }
  const col = w.get(column, a);
  const counts = new Map<string, number>();
  for (let i = 0; i < w.nRows; i++) {
    const t = keyText(col, i);
    if (t !== null) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  if (method === 'frequency') {
    const frequencies: Record<string, number> = {};
    for (const [t, c] of [...counts].sort((x, y) => compareLabels(x[0], y[0]))) frequencies[t] = c / w.nRows;
    return { column, method, frequencies };
  }
  const numericCol = col.type === 'number';
  const cats = categories ?? [...counts.keys()].sort((x, y) => (numericCol ? Number(x) - Number(y) : compareLabels(x, y)));
  return { column, method: method as 'onehot' | 'ordinal', categories: cats, unknown };
}

export function applyEncode(w: Work, s: EncodeState, a: At): void {
  const col = w.get(s.column, a);
  const n = w.nRows;
  if (s.method === 'frequency') {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = keyText(col, i);
      values[i] = t === null ? 0 : s.frequencies[t] ?? 0;
    }
    w.replace(col.name, [{ name: col.name, type: 'number', values }]);
    return;
  }
  if (s.method === 'hash') {
    const bucket = bucketer(s.buckets);
    const out: Column[] = Array.from({ length: s.buckets }, (_, k) => ({ name: `${col.name}_h${k}`, type: 'number' as const, values: new Float64Array(n) }));
    for (let i = 0; i < n; i++) {
      const t = keyText(col, i);
      if (t !== null) (out[bucket(t)] as { values: Float64Array }).values[i] = 1;
    }
    w.replace(col.name, out);
    return;
  }
  const index = new Map(s.categories.map((c, i) => [c, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = keyText(col, i);
    const k = t === null ? -1 : index.get(t);
    if (k === undefined) {
      if (s.unknown === 'error') {
        throw new InputError(`${w.label}: column "${col.name}", row ${i + 1}: unknown category ${JSON.stringify(t)} (known: ${s.categories.join(', ')})`, {
          file: w.label, row: i + 1, column: col.name,
        });
      }
      codes[i] = -1;
    } else codes[i] = k;
  }
  if (s.method === 'ordinal') {
    w.replace(col.name, [{ name: col.name, type: 'number', values: Float64Array.from(codes) }]);
    return;
  }
  const out: Column[] = s.categories.map((c, k) => ({
    name: `${col.name}_${c}`,
    type: 'number',
    values: Float64Array.from(codes, (code) => (code === k ? 1 : 0)),
  }));
  w.replace(col.name, out);
}

// ---- scale -----------------------------------------------------------------------------

export interface ScaleState { column: string; method: 'standard' | 'minmax'; offset: number; scale: number }

export function fitScale(w: Work, column: string, method: 'standard' | 'minmax', a: At): ScaleState {
  const v = numeric(w.get(column, a), a, `${method} scaling`, w);
  let n = 0, sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Number.isNaN(x)) continue;
    n++; sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!n) throw new InputError(`${a.where}: column "${column}" has no values to scale by`, { key: a.where, line: a.line });
  if (method === 'minmax') return { column, method, offset: min, scale: max - min || 1 };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) ss += (v[i] - mean) ** 2;
  // Population std, as sklearn's StandardScaler; a constant column is left unscaled.
  return { column, method, offset: mean, scale: Math.sqrt(ss / n) || 1 };
}

export function applyScale(w: Work, s: ScaleState, a: At): void {
  const col = w.get(s.column, a);
  const v = numeric(col, a, `${s.method} scaling`, w);
  const values = v.map((x) => (x - s.offset) / s.scale);
  w.replace(col.name, [{ name: col.name, type: 'number', values }]);
}

// ---- rows ------------------------------------------------------------------------------

/** Row steps' fitted state: what each dropped when fitted (docs/FORMAT.md). */
export interface FilterState { expr: string; dropped: number }
export interface DropMissingState { columns: string[] | 'all'; dropped: number }

const isMissing = (c: Column, i: number) => (c.type === 'categorical' ? c.values[i] === null : Number.isNaN(c.values[i]));

/**
 * Keeps the rows where `expr` is true (non-zero); false and missing rows go. Reading the
 * columns does not make them inputs of the transform: row steps are not replayed on rows
 * to predict (only on the label).
 */
export function applyFilter(w: Work, expr: string, a: At): number {
  const tree = parseExprCached(expr);
  const cols = new Map<string, Float64Array>();
  for (const name of columnsOf(tree)) {
    if (!w.has(name)) w.get(name, a);
    cols.set(name, numeric(w.cols.find((c) => c.name === name)!, a, `filter ${JSON.stringify(expr)}`, w));
  }
  const f = compile(tree, (name) => cols.get(name)!);
  const keep = new Uint8Array(w.nRows);
  for (let i = 0; i < w.nRows; i++) {
    const x = f(i);
    keep[i] = !Number.isNaN(x) && x !== 0 ? 1 : 0;
  }
  return w.keepRows(keep);
}

/** Drops the rows with a missing value in any of `columns` (all columns: every one present). */
export function applyDropMissing(w: Work, columns: string[] | 'all', a: At): number {
  const cols = columns === 'all' ? w.cols : columns.map((name) => (w.has(name) ? w.cols.find((c) => c.name === name)! : w.get(name, a)));
  const keep = new Uint8Array(w.nRows).fill(1);
  for (const c of cols) for (let i = 0; i < w.nRows; i++) if (keep[i] && isMissing(c, i)) keep[i] = 0;
  return w.keepRows(keep);
}
