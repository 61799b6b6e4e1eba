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
import { headerNames, readTyped, scanColumns, TypedColumn } from './data/columns.js';
import { formatDate, formatNumber, hasTimeOfDay } from './data/values.js';

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

/** One column being read: its values so far, typed (strings only for categorical columns). */
class ColumnBuilder extends TypedColumn {
  nums: Float64Builder | null = null;
  strs: Array<string | null> | null = null;

  constructor(name: string, fixed: ColumnType | undefined, private readonly shared: boolean, private readonly sizer: Sizer) {
    super(name, fixed);
  }

  protected begin(type: ColumnType): void {
    if (type === 'categorical') this.strs = new Array<string | null>(this.leadingMissing).fill(null);
    else {
      this.nums = new Float64Builder(this.shared, this.sizer);
      this.nums.pushMany(NaN, this.leadingMissing);
    }
  }

  protected missing(): void {
    if (this.type === 'categorical') this.strs!.push(null);
    else this.nums!.push(NaN);
  }

  protected value(x: number): void {
    this.nums!.push(x);
  }

  protected text(s: string): void {
    this.strs!.push(s);
  }

  protected drop(): void {
    this.nums = null;
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

async function readPass(path: string, label: string, opts: ReadCsvOptions, columnTypes: Record<string, ColumnType> | undefined) {
  const size = await stat(path).then((s) => s.size, () => 0);
  const sizer: Sizer = { rows: 0 };
  const lines = new Float64Builder(false, sizer);
  const shared = opts.shared === true;
  const { columns, rows } = await scanColumns(path, {
    label,
    target: opts.target,
    columnTypes,
    onRow: (line) => lines.push(line),
    onProgress: ({ bytes }) => {
      if (bytes < size && lines.n > 0) sizer.rows = Math.ceil((lines.n * size / bytes) * (1 + 1 / 32)) + 64;
    },
  }, (name, fixed) => new ColumnBuilder(name, fixed, shared, sizer));
  return { columns, rows, lines };
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
  const pass = await readTyped(opts.columnTypes, (types) => readPass(path, label, opts, types));
  const frame: Frame = { columns: pass.columns.map((b) => b.finish()), nRows: pass.rows, source: label };
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
