/**
 * Splits one CSV into a training and a test file, so a model is scored on rows that no
 * fitted step (featurize, train) has seen. Cells are copied as text, never re-formatted:
 * the two outputs hold exactly the input's values, and each keeps the input's row order.
 * The same input, options and seed give byte-identical outputs.
 *
 * Four ways to choose the test rows:
 * - random (default): a seeded shuffle;
 * - stratified: each class of a column keeps its share on both sides (within one row of
 *   exact: the counts are rounded by largest remainder, ties by class name);
 * - grouped: every row of a group (a customer, a patient) lands on the same side, so the
 *   model is scored on groups it never saw;
 * - ordered: the rows with the largest values of a numeric or date column (the latest,
 *   for a time series) are the test set; no randomness.
 *
 * @example
 *   const r = await splitCsv('data.csv', 'train.csv', 'test.csv', { testSize: 0.2, stratify: 'label', seed: 1 });
 */
import { rmSync } from 'node:fs';
import { InputError, UsageError } from '../errors/index.js';
import { USER_OUTPUT, writeFileAtomic } from '../store/atomic.js';
import { headerNames, missingColumnError, raggedRowError } from './data/columns.js';
import { streamCsvRows } from './data/parser.js';
import { isMissing, parseDate, parseNumber } from './data/values.js';
import { createRng, shuffle } from './rng.js';

export type SplitMethod = 'random' | 'stratified' | 'group' | 'ordered';

export interface SplitOptions {
  /** Share of the rows that go to the test file, strictly between 0 and 1. */
  testSize: number;
  /** Keep the shares of this column's classes on both sides. */
  stratify?: string;
  /** Keep all rows with the same value of this column on one side. */
  group?: string;
  /** Put the rows with the largest values of this column (number or date) in the test file. */
  orderBy?: string;
  /** Seed of the shuffle (random, stratified, group); default 0. */
  seed?: number;
  /** Names used in reports and messages instead of the paths. */
  labels?: { input?: string; train?: string; test?: string };
}

export interface SplitSide {
  file: string;
  rows: number;
  /** Rows per class of the --stratify column (missing values count as the class ""). */
  classes?: Record<string, number>;
  /** Distinct values of the --group column on this side. */
  groups?: number;
  /** Smallest and largest value of the --order-by column, as written in the file. */
  range?: { min: string; max: string };
}

export interface SplitReport {
  file: string;
  rows: number;
  method: SplitMethod;
  column?: string;
  test_size: number;
  seed: number;
  train: SplitSide;
  test: SplitSide;
}

interface Table {
  header: string[];
  names: string[];
  rows: string[][];
  lines: number[];
}

async function readTable(path: string, label: string): Promise<Table> {
  let header: string[] | null = null;
  let names: string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  await streamCsvRows(path, (fields, line) => {
    if (header === null) {
      header = fields;
      names = headerNames(fields, label);
      return;
    }
    if (fields.length !== header.length) throw raggedRowError(label, line, header.length, fields.length);
    rows.push(fields);
    lines.push(line);
  }, { label });
  if (header === null) throw new InputError(`${label}: empty file (no header row)`, { file: label, line: 1 });
  return { header, names, rows, lines };
}

export async function splitCsv(input: string, trainPath: string, testPath: string, opts: SplitOptions): Promise<SplitReport> {
  const { testSize, seed = 0 } = opts;
  const label = opts.labels?.input ?? input;
  if (!(testSize > 0 && testSize < 1)) {
    throw new UsageError(`--test-size must be strictly between 0 and 1, not ${testSize}`, { test_size: testSize });
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, not ${seed}`);
  const chosen = (['stratify', 'group', 'orderBy'] as const).filter((k) => opts[k] !== undefined);
  if (chosen.length > 1) throw new UsageError('use at most one of --stratify, --group and --order-by');

  const t = await readTable(input, label);
  const n = t.rows.length;
  if (n < 2) throw new InputError(`${label}: ${n} data row${n === 1 ? '' : 's'}; a split needs at least 2`, { file: label, rows: n });
  const nTest = Math.min(n - 1, Math.max(1, Math.round(testSize * n)));
  const col = (name: string): number => {
    const k = t.names.indexOf(name);
    if (k < 0) throw missingColumnError(label, name, t.names);
    return k;
  };

  let method: SplitMethod = 'random';
  let column: string | undefined;
  let inTest: Uint8Array;
  if (opts.stratify !== undefined) {
    method = 'stratified';
    column = opts.stratify;
    inTest = stratified(t, col(column), column, label, testSize, seed);
  } else if (opts.group !== undefined) {
    method = 'group';
    column = opts.group;
    inTest = grouped(t, col(column), column, label, nTest, seed);
  } else if (opts.orderBy !== undefined) {
    method = 'ordered';
    column = opts.orderBy;
    inTest = ordered(t, col(column), column, label, nTest);
  } else {
    inTest = new Uint8Array(n);
    const order = shuffle(createRng(seed), Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < nTest; i++) inTest[order[i]] = 1;
  }

  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < n; i++) (inTest[i] ? testRows : trainRows).push(i);
  const side = (file: string, idx: number[]): SplitSide => describe(t, idx, file, method, column === undefined ? -1 : t.names.indexOf(column));
  const report: SplitReport = {
    file: label, rows: n, method, ...(column !== undefined ? { column } : {}), test_size: testSize, seed,
    train: side(opts.labels?.train ?? trainPath, trainRows),
    test: side(opts.labels?.test ?? testPath, testRows),
  };
  // Both files or neither: the test file is written last, and a failure removes the first.
  writeFileAtomic(trainPath, csvText(t, trainRows), USER_OUTPUT);
  try {
    writeFileAtomic(testPath, csvText(t, testRows), USER_OUTPUT);
  } catch (e) {
    rmSync(trainPath, { force: true });
    throw e;
  }
  return report;
}

function stratified(t: Table, k: number, name: string, label: string, testSize: number, seed: number): Uint8Array {
  const byClass = new Map<string, number[]>();
  t.rows.forEach((r, i) => {
    const c = isMissing(r[k]) ? '' : r[k];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  });
  const classes = [...byClass.keys()].sort();
  for (const c of classes) {
    const rows = byClass.get(c)!;
    if (rows.length < 2) {
      const what = c === '' ? 'missing values' : `class "${c}"`;
      throw new InputError(`${label}: column "${name}": ${what} has only 1 row (line ${t.lines[rows[0]]}); stratifying needs at least 2 per class`, {
        file: label, column: name, class: c, line: t.lines[rows[0]],
      });
    }
  }
  if (classes.length < 2) throw new InputError(`${label}: column "${name}" has a single class; nothing to stratify`, { file: label, column: name });
  // Largest remainder: every class gets floor or ceil of its exact share, the total is the
  // rounded total, and no class loses all of its training rows.
  const exact = classes.map((c) => byClass.get(c)!.length * testSize);
  const take = exact.map(Math.floor);
  const total = Math.min(t.rows.length - 1, Math.max(1, Math.round(exact.reduce((a, b) => a + b, 0))));
  let left = total - take.reduce((a, b) => a + b, 0);
  const byRemainder = classes.map((_, i) => i).sort((a, b) => (exact[b] - take[b]) - (exact[a] - take[a]) || a - b);
  for (const i of byRemainder) {
    if (left <= 0) break;
    if (take[i] + 1 < byClass.get(classes[i])!.length) {
      take[i]++;
      left--;
    }
  }
  const inTest = new Uint8Array(t.rows.length);
  classes.forEach((c, ci) => {
    const rows = shuffle(createRng(seed, ci), byClass.get(c)!.slice());
    for (let j = 0; j < take[ci]; j++) inTest[rows[j]] = 1;
  });
  return inTest;
}

function grouped(t: Table, k: number, name: string, label: string, nTest: number, seed: number): Uint8Array {
  const byGroup = new Map<string, number[]>();
  t.rows.forEach((r, i) => {
    let list = byGroup.get(r[k]);
    if (!list) byGroup.set(r[k], (list = []));
    list.push(i);
  });
  const groups = [...byGroup.values()];
  if (groups.length < 2) throw new InputError(`${label}: column "${name}" has a single group; a group split needs at least 2`, { file: label, column: name });
  // Groups in a seeded order; each joins the test set when that brings its size closer
  // to the target, and the last group standing always stays in training.
  const order = shuffle(createRng(seed), groups.map((_, i) => i));
  let size = 0;
  let taken = 0;
  const chosen: number[] = [];
  for (const g of order) {
    const len = groups[g].length;
    if (taken === groups.length - 1) break;
    if (Math.abs(size + len - nTest) < Math.abs(size - nTest)) {
      chosen.push(g);
      size += len;
      taken++;
    }
  }
  if (chosen.length === 0) chosen.push(order[0]);
  const inTest = new Uint8Array(t.rows.length);
  for (const g of chosen) for (const i of groups[g]) inTest[i] = 1;
  return inTest;
}

function ordered(t: Table, k: number, name: string, label: string, nTest: number): Uint8Array {
  const keys = new Float64Array(t.rows.length);
  let kind: 'number' | 'date' | undefined;
  t.rows.forEach((r, i) => {
    const s = r[k];
    const at = { file: label, line: t.lines[i], column: name, value: s };
    if (isMissing(s)) throw new InputError(`${label}: line ${t.lines[i]}, column "${name}": missing value; --order-by needs a value on every row`, at);
    if (kind === undefined) kind = Number.isNaN(parseNumber(s)) ? 'date' : 'number';
    const x = kind === 'number' ? parseNumber(s) : parseDate(s);
    if (Number.isNaN(x)) {
      throw new InputError(`${label}: line ${t.lines[i]}, column "${name}": "${s}" is not a ${kind === 'number' ? 'number' : 'date (YYYY-MM-DD[ HH:MM:SS])'}; --order-by needs numbers or dates`, at);
    }
    keys[i] = x;
  });
  // Stable: among equal values the later row in the file counts as later.
  const order = Array.from({ length: t.rows.length }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  const inTest = new Uint8Array(t.rows.length);
  for (let j = order.length - nTest; j < order.length; j++) inTest[order[j]] = 1;
  return inTest;
}

function describe(t: Table, idx: number[], file: string, method: SplitMethod, k: number): SplitSide {
  const side: SplitSide = { file, rows: idx.length };
  if (method === 'stratified') {
    const counts: Record<string, number> = {};
    const names = [...new Set(t.rows.map((r) => (isMissing(r[k]) ? '' : r[k])))].sort();
    for (const c of names) counts[c] = 0;
    for (const i of idx) counts[isMissing(t.rows[i][k]) ? '' : t.rows[i][k]]++;
    side.classes = counts;
  } else if (method === 'group') {
    side.groups = new Set(idx.map((i) => t.rows[i][k])).size;
  } else if (method === 'ordered' && idx.length) {
    const isDate = Number.isNaN(parseNumber(t.rows[idx[0]][k]));
    const key = (i: number) => (isDate ? parseDate(t.rows[i][k]) : parseNumber(t.rows[i][k]));
    let lo = idx[0], hi = idx[0];
    for (const i of idx) {
      if (key(i) < key(lo)) lo = i;
      if (key(i) > key(hi)) hi = i;
    }
    side.range = { min: t.rows[lo][k], max: t.rows[hi][k] };
  }
  return side;
}

function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return '"' + s.replace(/"/g, '""') + '"';
  }
  return s;
}

function* csvText(t: Table, idx: number[]): Generator<string> {
  yield t.header.map(quote).join(',') + '\n';
  for (const i of idx) yield t.rows[i].map(quote).join(',') + '\n';
}
