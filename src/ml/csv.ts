/**
 * CSV files <-> Frames. Reading streams the file once and builds typed columns as it
 * goes (8 bytes per numeric cell, strings only for categorical columns); when a column
 * that looked numeric turns out to hold text, the file is read a second time with the
 * final types so no original text is lost.
 *
 * @example
 *   const frame = await readCsv('data/train.csv', { target: 'label' });
 *   await writeCsv('out.csv', frame);
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../errors/index.js';
import { USER_OUTPUT, writeFileAtomic } from '../store/atomic.js';
import type { Column, ColumnType, Frame } from './frame.js';
import { streamCsvRows } from './data/parser.js';
import { formatDate, formatNumber, hasTimeOfDay, isMissing, parseAs, sniff } from './data/values.js';

export { streamCsvRows, CsvTokenizer } from './data/parser.js';
export type { RowSink } from './data/parser.js';

export interface ReadCsvOptions {
  /** A column that must exist (error names the file and the columns it has). */
  target?: string;
  /** Fixed types: a cell that does not parse as its column's type is an error. */
  columnTypes?: Record<string, ColumnType>;
  /** Name used in error messages instead of the path. */
  label?: string;
  /**
   * Numeric columns in SharedArrayBuffers, so worker threads (`mlv train`'s forest) read
   * them without a copy.
   */
  shared?: boolean;
}

/**
 * Rows the whole file is expected to hold, from the rows per byte read so far (a little
 * over, so a file of alike rows does not outgrow it). Columns grow straight to it, one
 * copy early on, where doubling copied every column again and again: each copy holds
 * the old buffer until the collector frees it, twice the data at worst. Capacity that is
 * never written costs address space, not memory (the pages are never touched).
 */
interface Sizer { rows: number }

class Float64Builder {
  buf: Float64Array;
  n = 0;

  constructor(private readonly shared = false, private readonly sizer: Sizer = { rows: 0 }) {
    this.buf = this.alloc(1024);
  }

  private alloc(length: number): Float64Array {
    return new Float64Array(this.shared ? new SharedArrayBuffer(length * 8) : new ArrayBuffer(length * 8));
  }

  push(x: number): void {
    if (this.n === this.buf.length) {
      const len = this.buf.length;
      // An estimate is trusted up to 8x: a file whose first MiB has short rows must not
      // reserve gigabytes.
      const next = this.alloc(this.sizer.rows > len ? Math.min(this.sizer.rows, 8 * len) : 2 * len);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = x;
  }

  pushMany(x: number, count: number): void {
    for (let i = 0; i < count; i++) this.push(x);
  }

  /** The values; copied to a buffer of their own only when the spare exceeds them. */
  finish(): Float64Array {
    const { n, buf } = this;
    if (buf.length <= 2 * n) return n === buf.length ? buf : buf.subarray(0, n);
    const out = this.alloc(n);
    out.set(buf.subarray(0, n));
    return out;
  }
}

/** One column being read: its type (inferred or fixed) and its values so far. */
class ColumnBuilder {
  type: ColumnType | null;
  nums: Float64Builder | null = null;
  strs: Array<string | null> | null = null;
  leadingMissing = 0;
  /** Inference changed its mind: stored values are incomplete. */
  demoted = false;

  constructor(
    readonly name: string, readonly fixed: ColumnType | undefined, private readonly store: boolean,
    private readonly shared: boolean, private readonly sizer: Sizer,
  ) {
    this.type = fixed ?? null;
    if (fixed) this.allocate();
  }

  private allocate(): void {
    if (!this.store) return;
    if (this.type === 'categorical') this.strs = new Array<string | null>(this.leadingMissing).fill(null);
    else {
      this.nums = new Float64Builder(this.shared, this.sizer);
      this.nums.pushMany(NaN, this.leadingMissing);
    }
  }

  push(s: string, file: string, line: number, col: number): void {
    if (isMissing(s)) {
      if (this.type === null) this.leadingMissing++;
      else if (this.demoted) return;
      else if (this.type === 'categorical') this.strs?.push(null);
      else this.nums?.push(NaN);
      return;
    }
    if (this.type === null) {
      this.type = sniff(s);
      this.allocate();
    }
    if (this.type === 'categorical') {
      if (!this.demoted) this.strs?.push(s);
      return;
    }
    const x = parseAs(this.type, s);
    if (Number.isNaN(x)) {
      if (this.fixed) {
        throw new InputError(
          `${file}: line ${line}, column ${col} ("${this.name}"): cannot read ${JSON.stringify(s)} as ${this.type}`,
          { file, line, column: col, name: this.name, value: s, type: this.type },
        );
      }
      this.type = 'categorical';
      this.demoted = true;
      this.nums = null;
      return;
    }
    if (!this.demoted) this.nums?.push(x);
  }

  finish(): Column {
    const type = this.type ?? 'number';
    if (type === 'categorical') return { name: this.name, type, values: this.strs ?? [] };
    if (this.nums) return { name: this.name, type, values: this.nums.finish() };
    // No value at all: every row was missing.
    const bytes = 8 * this.leadingMissing;
    const values = new Float64Array(this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)).fill(NaN);
    return { name: this.name, type, values };
  }
}

/** Header cells to unique column names; empty names get `column_<n>`, duplicates are an error. */
export function headerNames(fields: string[], file: string): string[] {
  const seen = new Map<string, number>();
  return fields.map((raw, i) => {
    const name = raw.trim() === '' ? `column_${i + 1}` : raw;
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new InputError(`${file}: line 1: duplicate column name "${name}" (columns ${prev + 1} and ${i + 1})`, {
        file, line: 1, column: i + 1,
      });
    }
    seen.set(name, i);
    return name;
  });
}

export function raggedRowError(file: string, line: number, expected: number, found: number): InputError {
  return new InputError(`${file}: line ${line}: expected ${expected} fields (as in the header), found ${found}`, {
    file, line, expected, found,
  });
}

export function missingColumnError(file: string, name: string, have: string[], what = 'column'): InputError {
  const list = have.length > 12 ? have.slice(0, 12).join(', ') + ', …' : have.join(', ');
  return new InputError(`${file}: line 1: no ${what} "${name}" (columns: ${list})`, { file, line: 1, name });
}

async function readPass(path: string, label: string, opts: ReadCsvOptions, store: boolean): Promise<{ builders: ColumnBuilder[]; nRows: number; lines: Float64Builder }> {
  let builders: ColumnBuilder[] | null = null;
  let nRows = 0;
  const size = await stat(path).then((s) => s.size, () => 0);
  const sizer: Sizer = { rows: 0 };
  const lines = new Float64Builder(false, sizer);
  let width = 0;
  await streamCsvRows(path, (fields, line) => {
    if (builders === null) {
      const names = headerNames(fields, label);
      if (opts.target !== undefined && !names.includes(opts.target)) throw missingColumnError(label, opts.target, names, 'target column');
      for (const name of Object.keys(opts.columnTypes ?? {})) {
        if (!names.includes(name)) throw missingColumnError(label, name, names);
      }
      builders = names.map((n) => new ColumnBuilder(n, opts.columnTypes?.[n], store, opts.shared === true, sizer));
      width = names.length;
      return;
    }
    if (fields.length !== width) throw raggedRowError(label, line, width, fields.length);
    for (let k = 0; k < width; k++) builders[k].push(fields[k], label, line, k + 1);
    lines.push(line);
    nRows++;
  }, {
    label,
    onProgress: ({ bytes }) => {
      if (bytes < size && nRows > 0) sizer.rows = Math.ceil((nRows * size / bytes) * (1 + 1 / 32)) + 64;
    },
  });
  if (builders === null) throw new InputError(`${label}: empty file (no header row)`, { file: label, line: 1 });
  return { builders, nRows, lines };
}

/**
 * Reads a whole CSV into a column-major Frame, inferring number / boolean / date /
 * categorical per column unless `columnTypes` fixes them. Missing: empty, NA, NaN, null, …
 */
export async function readCsv(path: string, opts: ReadCsvOptions = {}): Promise<Frame> {
  return (await readCsvWithLines(path, opts)).frame;
}

/** readCsv, plus the physical line each row starts on (for error messages about a row). */
export async function readCsvWithLines(path: string, opts: ReadCsvOptions = {}): Promise<{ frame: Frame; lines: Float64Array }> {
  const label = opts.label ?? path;
  let pass = await readPass(path, label, opts, true);
  if (pass.builders.some((b) => b.demoted)) {
    const types: Record<string, ColumnType> = { ...opts.columnTypes };
    for (const b of pass.builders) types[b.name] = b.type ?? 'number';
    pass = await readPass(path, label, { ...opts, columnTypes: types }, true);
  }
  const frame: Frame = { columns: pass.builders.map((b) => b.finish()), nRows: pass.nRows, source: label };
  return { frame, lines: pass.lines.finish() };
}

/** Text of one cell as writeCsv writes it. */
export function cellText(col: Column, i: number, withTime = false): string {
  if (col.type === 'categorical') return col.values[i] ?? '';
  const x = col.values[i];
  if (Number.isNaN(x)) return '';
  if (col.type === 'boolean') return x ? 'true' : 'false';
  if (col.type === 'date') return formatDate(x, withTime);
  return formatNumber(x);
}

function quote(s: string): string {
  if (s === '') return s;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return '"' + s.replace(/"/g, '""') + '"';
  }
  // A value that reads back as missing would change meaning: quote it... it still reads as
  // missing (pandas does the same), so leave it.
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32) return '"' + s + '"';
  return s;
}

function* csvLines(frame: Frame): Generator<string> {
  const cols = frame.columns;
  const withTime = cols.map((c) => c.type === 'date' && hasTimeOfDay(c.values));
  yield cols.map((c) => quote(c.name)).join(',') + '\n';
  for (let i = 0; i < frame.nRows; i++) {
    let line = '';
    for (let k = 0; k < cols.length; k++) {
      if (k > 0) line += ',';
      line += quote(cellText(cols[k], i, withTime[k]));
    }
    yield line + '\n';
  }
}

/** Writes a Frame as CSV (LF line ends, RFC 4180 quoting), atomically. */
export async function writeCsv(path: string, frame: Frame): Promise<void> {
  writeFileAtomic(path, csvLines(frame), USER_OUTPUT);
}

/** The column names of a CSV file (reads only as far as the header row). */
export async function readCsvHeader(path: string, label = path): Promise<string[]> {
  let names: string[] | null = null;
  await streamCsvRows(path, (fields) => {
    names = headerNames(fields, label);
    return false;
  }, { label });
  if (names === null) throw new InputError(`${label}: empty file (no header row)`, { file: label, line: 1 });
  return names;
}
