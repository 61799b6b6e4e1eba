/**
 * `mlv explore`: a one-pass, streaming profile of a CSV file. Memory is 8 bytes per
 * numeric or date cell (exact quartiles, distinct counts and correlations need the
 * values) plus, per categorical column, counts of up to 100,000 distinct values. No row
 * objects or strings are kept, so a 1 GB file fits well under 1 GB of heap.
 *
 * @example
 *   const report = await explore('data/bike.csv', { target: 'busy' });
 *   report.columns.find((c) => c.name === 'temp')?.mean;
 */
import { stat } from 'node:fs/promises';
import type { ColumnType } from './frame.js';
import type { OnProgress } from '../progress.js';
import { readTyped, scanColumns, TypedColumn } from './data/columns.js';
import { formatDate, parseNumber } from './data/values.js';
import { MOSTLY_NUMERIC } from './data/strays.js';
import { ChunkedF64, fsum, histogram, pearson, summarize } from './data/columnstats.js';
import { cutCell } from './data/cut.js';
import { detectPersonal, PERSONAL_DESCRIPTION, type PersonalKind } from './data/personal.js';

export interface ExploreOptions {
  target?: string;
  /** Name for messages and the report (default: the path). */
  label?: string;
  onProgress?: OnProgress;
  bins?: number;
  top?: number;
}

export interface ColumnReport {
  name: string;
  type: 'number' | 'boolean' | 'date' | 'datetime' | 'categorical';
  count: number;
  missing: number;
  missing_share: number;
  distinct: number;
  /** false when a categorical column had more distinct values than explore counts. */
  distinct_exact: boolean;
  /** Numbers for number columns; ISO text for dates (std omitted, as pandas does). */
  mean?: number | string;
  std?: number;
  min?: number | string;
  q25?: number | string;
  q50?: number | string;
  q75?: number | string;
  max?: number | string;
  top?: Array<{ value: string; count: number }>;
  histogram?: { edges: number[]; counts: number[] };
  personal?: PersonalKind;
}

/**
 * `correlation_truncated` says the correlation matrix covers only the first 60 number
 * columns; reports written before it called that `high_correlation` with no columns.
 */
export type WarningKind = 'text_in_numbers' | 'constant' | 'id_like' | 'high_correlation' | 'high_missing' | 'imbalanced_target' | 'missing_target' | 'personal_data' | 'empty' | 'correlation_truncated';

export interface ExploreWarning {
  kind: WarningKind;
  columns: string[];
  message: string;
}

export interface ExploreReport {
  file: string;
  rows: number;
  target?: string;
  columns: ColumnReport[];
  /** Pearson r of the number columns over pairwise-complete rows; null where undefined. */
  correlation: { columns: string[]; matrix: Array<Array<number | null>> };
  warnings: ExploreWarning[];
}

const MAX_CATEGORIES = 100_000;
const SAMPLE = 1000;
const MAX_CORR_COLUMNS = 60;

/** What explore keeps of a column: values of numbers and dates, counts of the rest, a sample. */
class Profile extends TypedColumn {
  nums: ChunkedF64 | null = null;
  counts: Map<string, number> | null = null;
  overflow = false;
  trues = 0;
  falses = 0;
  sample: string[] = [];
  /** Of a text column: values that read as numbers, the rest, and the first of the rest. */
  numberCells = 0;
  textCells = 0;
  firstText: { line: number; value: string } | null = null;
  private line = 0;

  push(s: string, file: string, line: number, col: number): void {
    this.line = line;
    super.push(s, file, line, col);
  }

  protected begin(type: ColumnType): void {
    if (type === 'number' || type === 'date') {
      this.nums = new ChunkedF64();
      for (let i = 0; i < this.leadingMissing; i++) this.nums.push(NaN);
    } else if (type === 'categorical') this.counts = new Map();
  }

  protected missing(): void {
    this.nums?.push(NaN);
  }

  protected value(x: number, raw: string): void {
    if (this.sample.length < SAMPLE) this.sample.push(cutCell(raw));
    if (this.type === 'boolean') {
      if (x === 1) this.trues++;
      else this.falses++;
    } else this.nums!.push(x);
  }

  protected text(cell: string): void {
    const s = cutCell(cell);
    if (this.sample.length < SAMPLE) this.sample.push(s);
    if (Number.isNaN(parseNumber(cell))) {
      this.textCells++;
      if (this.firstText === null) this.firstText = { line: this.line, value: s };
    } else this.numberCells++;
    const counts = this.counts!;
    const c = counts.get(s);
    if (c !== undefined) counts.set(s, c + 1);
    else if (counts.size < MAX_CATEGORIES) counts.set(s, 1);
    else this.overflow = true;
  }

  protected drop(): void {
    this.nums = null;
  }
}

async function scan(path: string, label: string, opts: ExploreOptions, columnTypes?: Record<string, ColumnType>): Promise<{ columns: Profile[]; rows: number }> {
  const total = opts.onProgress ? (await stat(path).catch(() => undefined))?.size : undefined;
  return scanColumns(path, {
    label,
    target: opts.target,
    columnTypes,
    total,
    onProgress: opts.onProgress ? (p) => opts.onProgress!({ unit: 'bytes', done: p.bytes, total: p.total }) : undefined,
  }, (name, fixed) => new Profile(name, fixed));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function topOf(counts: Map<string, number>, k: number): Array<{ value: string; count: number }> {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, k)
    .map(([value, count]) => ({ value, count }));
}

function report(p: Profile, rows: number, opts: ExploreOptions): { col: ColumnReport; classCounts?: number[] } {
  const type = p.type ?? 'number';
  const count = rows - p.nMissing;
  const base = { name: cutCell(p.name), count, missing: p.nMissing, missing_share: rows ? p.nMissing / rows : 0, distinct_exact: true };
  const k = opts.top ?? 5;
  if (type === 'categorical') {
    const counts = p.counts ?? new Map<string, number>();
    const col: ColumnReport = { ...base, type, distinct: counts.size, distinct_exact: !p.overflow, top: topOf(counts, k) };
    col.personal = detectPersonal(p.name, type, p.sample, count ? counts.size / count : 0);
    return { col, classCounts: [...counts.values()] };
  }
  if (type === 'boolean') {
    const counts = new Map<string, number>();
    if (p.trues) counts.set('true', p.trues);
    if (p.falses) counts.set('false', p.falses);
    const col: ColumnReport = { ...base, type, distinct: counts.size, top: topOf(counts, k) };
    if (count) col.mean = p.trues / count;
    return { col, classCounts: [...counts.values()] };
  }
  const values = p.nums ? p.nums.present() : new Float64Array(0);
  const s = summarize(values);
  const hist = histogram(values, opts.bins ?? 10);
  let classCounts: number[] | undefined;
  if (s.distinct <= 20) {
    classCounts = [];
    for (let i = 0; i < values.length; ) {
      let j = i;
      while (j < values.length && values[j] === values[i]) j++;
      classCounts.push(j - i);
      i = j;
    }
  }
  if (type === 'date') {
    let withTime = false;
    for (let i = 0; i < values.length && !withTime; i++) if (values[i] % 86400000 !== 0) withTime = true;
    const f = (x: number) => (Number.isNaN(x) ? undefined : formatDate(Math.round(x), withTime));
    const col: ColumnReport = {
      ...base, type: withTime ? 'datetime' : 'date', distinct: s.distinct,
      mean: f(s.mean), min: f(s.min), q25: f(s.q25), q50: f(s.q50), q75: f(s.q75), max: f(s.max), histogram: hist,
    };
    col.personal = detectPersonal(p.name, col.type, p.sample);
    return { col };
  }
  const num = (x: number) => (Number.isNaN(x) ? undefined : x);
  const col: ColumnReport = {
    ...base, type, distinct: s.distinct,
    mean: num(s.mean), std: num(s.std), min: num(s.min), q25: num(s.q25), q50: num(s.q50), q75: num(s.q75), max: num(s.max),
    histogram: hist,
  };
  col.personal = detectPersonal(p.name, type, p.sample);
  return { col, classCounts };
}

const ID_NAME = /(^|[_\s-])id$|^id([_\s-]|$)|uuid|guid|(^|[_\s-])key$/i;

export async function explore(path: string, opts: ExploreOptions = {}): Promise<ExploreReport> {
  const label = opts.label ?? path;
  const { columns: profiles, rows } = await readTyped(undefined, (types) => scan(path, label, opts, types));

  // Correlations first: they need the row-aligned values, which summaries then sort.
  const numeric = profiles.filter((p) => p.type === 'number' && p.nums).slice(0, MAX_CORR_COLUMNS);
  const matrix = numeric.map((a, i) => numeric.map((b, j) => (i === j ? 1 : NaN)));
  for (let i = 0; i < numeric.length; i++) {
    for (let j = i + 1; j < numeric.length; j++) {
      const r = pearson(numeric[i].nums!, numeric[j].nums!);
      matrix[i][j] = matrix[j][i] = r;
    }
  }
  for (let i = 0; i < numeric.length; i++) {
    // A constant or empty column correlates with nothing, itself included (pandas: NaN).
    if (numeric[i].nums && isConstant(numeric[i].nums!)) matrix[i][i] = NaN;
  }

  const warnings: ExploreWarning[] = [];
  const columns: ColumnReport[] = [];
  let targetCounts: number[] | undefined;
  for (const p of profiles) {
    const { col, classCounts } = report(p, rows, opts);
    p.nums = null; // free as we go
    p.counts = null;
    columns.push(col);
    if (p.name === opts.target) targetCounts = classCounts;
    const integral = col.type === 'number' && typeof col.min === 'number' && Number.isInteger(col.min) && Number.isInteger(col.max as number);
    if (col.count === 0) {
      warnings.push({ kind: 'empty', columns: [col.name], message: `${col.name}: every value is missing` });
    } else if (col.distinct <= 1) {
      warnings.push({ kind: 'constant', columns: [col.name], message: `${col.name}: constant (only value ${JSON.stringify(col.top?.[0]?.value ?? col.min)})` });
    }
    const allUnique = col.count >= 10 && col.distinct === col.count && col.distinct_exact && col.missing === 0;
    if ((allUnique && (col.type === 'categorical' || (integral && isConsecutive(col)))) || (ID_NAME.test(col.name) && col.count >= 10 && col.distinct >= 0.95 * col.count)) {
      warnings.push({ kind: 'id_like', columns: [col.name], message: `${col.name}: looks like an identifier (${col.distinct} distinct values in ${col.count} rows); it carries no signal a model can generalise from` });
    }
    if (col.name === opts.target && col.missing > 0 && col.count > 0) {
      // train refuses a row without its target: say so here, before it stops there.
      warnings.push({
        kind: 'missing_target', columns: [col.name],
        message: `${col.name}: the target is missing in ${col.missing} row${col.missing === 1 ? '' : 's'} (${pct(col.missing_share)}); mlv train stops at them: drop them first (featurize drop_missing: [${col.name}])`,
      });
    } else if (col.missing_share > 0.2 && col.count > 0) {
      // An empty column has its one warning (empty) above.
      warnings.push({ kind: 'high_missing', columns: [col.name], message: `${col.name}: ${pct(col.missing_share)} of values are missing` });
    }
    if (col.type === 'categorical' && p.firstText && p.numberCells >= MOSTLY_NUMERIC * (p.numberCells + p.textCells)) {
      const { line, value } = p.firstText;
      warnings.push({
        kind: 'text_in_numbers', columns: [col.name],
        message: `${col.name}: mostly numbers, but ${p.textCells} text value${p.textCells === 1 ? '' : 's'} make${p.textCells === 1 ? 's' : ''} it categorical (first: ${JSON.stringify(value)} at line ${line}); fix or blank ${p.textCells === 1 ? 'it' : 'them'}`,
      });
    }
    if (col.personal) {
      warnings.push({ kind: 'personal_data', columns: [col.name], message: `${col.name}: looks like personal data (${PERSONAL_DESCRIPTION[col.personal]})` });
    }
  }
  for (let i = 0; i < numeric.length; i++) {
    for (let j = i + 1; j < numeric.length; j++) {
      const r = matrix[i][j];
      // Two features that say the same thing are a problem; a feature that predicts the target is not.
      const target = numeric[i].name === opts.target || numeric[j].name === opts.target;
      if (Math.abs(r) >= 0.9 && !target) {
        warnings.push({
          kind: 'high_correlation', columns: [cutCell(numeric[i].name), cutCell(numeric[j].name)],
          message: `${cutCell(numeric[i].name)} and ${cutCell(numeric[j].name)} are highly correlated (r = ${r.toFixed(3)})`,
        });
      }
    }
  }
  if (opts.target !== undefined && targetCounts && targetCounts.length >= 2) {
    const total = fsum(targetCounts);
    const max = Math.max(...targetCounts);
    const min = Math.min(...targetCounts);
    if (min / max < 0.25) {
      warnings.push({
        kind: 'imbalanced_target', columns: [opts.target],
        message: `${opts.target}: imbalanced target: the rarest class has ${pct(min / total)} of rows, the most common ${pct(max / total)}`,
      });
    }
  }
  if (numeric.length < profiles.filter((p) => p.type === 'number').length) {
    warnings.push({ kind: 'correlation_truncated', columns: [], message: `correlation computed for the first ${MAX_CORR_COLUMNS} number columns only` });
  }

  return {
    file: label,
    rows,
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    columns,
    correlation: {
      columns: numeric.map((p) => cutCell(p.name)),
      matrix: matrix.map((row) => row.map((r) => (Number.isNaN(r) ? null : r))),
    },
    warnings,
  };
}

function isConstant(c: ChunkedF64): boolean {
  let first = NaN;
  let constant = true;
  c.forEach((x) => {
    if (x !== x || !constant) return;
    if (first !== first) first = x;
    else if (x !== first) constant = false;
  });
  return constant;
}

function isConsecutive(col: ColumnReport): boolean {
  return (col.max as number) - (col.min as number) + 1 === col.count;
}
