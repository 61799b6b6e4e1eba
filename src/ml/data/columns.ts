/**
 * The typed-column reader under both readCsv (ml/csv.ts: keeps the values) and explore
 * (ml/explore.ts: keeps statistics). One pass streams the file and hands every cell to
 * its column, which infers a type from its first present value (number, boolean, date,
 * else categorical) and parses each cell by it. A column whose later cells do not fit
 * its type turns categorical and stops taking cells: its early values were parsed as the
 * wrong type, so readTyped reads the file again with every column's final type fixed.
 *
 * What a reader keeps is up to its subclass of TypedColumn; the inference, the errors
 * and the second pass are written once, here.
 */
import { InputError } from '../../errors/index.js';
import type { ColumnType } from '../frame.js';
import { streamCsvRows, type ParseProgress } from './parser.js';
import { isMissing, parseAs, sniff } from './values.js';

/** One column of a pass: the type inference; subclasses decide what to keep of the cells. */
export abstract class TypedColumn {
  /** null until the first present value (or, when the type is fixed, the first cell). */
  type: ColumnType | null = null;
  /** Missing cells before the type was known (begin() then accounts for them). */
  leadingMissing = 0;
  /** Missing cells in all. */
  nMissing = 0;
  /** A cell did not fit the inferred type: this pass's values are incomplete. */
  demoted = false;

  constructor(readonly name: string, readonly fixed: ColumnType | undefined) {}

  /** The type is known; `leadingMissing` missing cells came before the first cell handed on. */
  protected abstract begin(type: ColumnType): void;
  protected abstract missing(): void;
  /** A number, a boolean as 1/0 or a date as epoch milliseconds; `raw` is the cell's text. */
  protected abstract value(x: number, raw: string): void;
  /** A categorical cell. */
  protected abstract text(s: string): void;
  /** Demoted: what was kept is void (the pass is read again), so it can go now. */
  protected abstract drop(): void;

  push(s: string, file: string, line: number, col: number): void {
    if (this.demoted) return;
    let type = this.type;
    if (isMissing(s)) {
      this.nMissing++;
      if (type === null) {
        if (this.fixed === undefined) {
          this.leadingMissing++;
          return;
        }
        this.start(this.fixed);
      }
      this.missing();
      return;
    }
    if (type === null) type = this.start(this.fixed ?? sniff(s));
    if (type === 'categorical') {
      this.text(s);
      return;
    }
    const x = parseAs(type, s);
    if (x !== x) {
      if (this.fixed !== undefined) {
        throw new InputError(
          `${file}: line ${line}, column ${col} ("${this.name}"): cannot read ${JSON.stringify(s)} as ${type}`,
          { file, line, column: col, name: this.name, value: s, type },
        );
      }
      this.type = 'categorical';
      this.demoted = true;
      this.drop();
      return;
    }
    this.value(x, s);
  }

  private start(type: ColumnType): ColumnType {
    this.type = type;
    this.begin(type);
    return type;
  }
}

export interface ScanOptions {
  /** Name used in error messages instead of the path. */
  label: string;
  /** A column that must exist (the error names the file and the columns it has). */
  target?: string;
  /** Fixed types: the column must exist, and a cell that does not parse as its type is an error. */
  columnTypes?: Record<string, ColumnType>;
  /** Each data row's physical line (where it starts), in order. */
  onRow?: (line: number) => void;
  onProgress?: (p: ParseProgress) => void;
  /** File size, passed on to onProgress. */
  total?: number;
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

/** One pass over a CSV: a column per header cell (made by `make`), fed every cell. */
export async function scanColumns<C extends TypedColumn>(
  path: string, opts: ScanOptions, make: (name: string, fixed: ColumnType | undefined) => C,
): Promise<{ columns: C[]; rows: number }> {
  const { label, onRow } = opts;
  let columns: C[] | null = null;
  let rows = 0;
  let width = 0;
  await streamCsvRows(path, (fields, line) => {
    if (columns === null) {
      const names = headerNames(fields, label);
      if (opts.target !== undefined && !names.includes(opts.target)) throw missingColumnError(label, opts.target, names, 'target column');
      for (const name of Object.keys(opts.columnTypes ?? {})) {
        if (!names.includes(name)) throw missingColumnError(label, name, names);
      }
      columns = names.map((n) => make(n, opts.columnTypes?.[n]));
      width = names.length;
      return;
    }
    if (fields.length !== width) throw raggedRowError(label, line, width, fields.length);
    for (let k = 0; k < width; k++) columns[k].push(fields[k], label, line, k + 1);
    onRow?.(line);
    rows++;
  }, { label, total: opts.total, onProgress: opts.onProgress });
  if (columns === null) throw new InputError(`${label}: empty file (no header row)`, { file: label, line: 1 });
  return { columns, rows };
}

/**
 * Runs a pass (scanColumns, with what the reader keeps beside it) and, when a column
 * turned categorical midway, runs it again with every column's final type fixed.
 */
export async function readTyped<R extends { columns: TypedColumn[] }>(
  columnTypes: Record<string, ColumnType> | undefined, pass: (columnTypes: Record<string, ColumnType> | undefined) => Promise<R>,
): Promise<R> {
  const first = await pass(columnTypes);
  if (!first.columns.some((c) => c.demoted)) return first;
  const types: Record<string, ColumnType> = { ...columnTypes };
  for (const c of first.columns) types[c.name] = c.type ?? 'number';
  return pass(types);
}
