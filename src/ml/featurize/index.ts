/**
 * `mlv featurize`: fit a features.yaml spec on a CSV, write the transformed CSV and the
 * fitted state (`<out>.featurize.json`), and re-apply that state to new data at
 * prediction time (`applyFeaturize`), so both see exactly the same transform.
 *
 * @example
 *   const { state } = await featurizeFile('features.yaml', 'bike.csv', 'features.csv');
 *   const X = applyFeaturize(state, await readCsv('new.csv'));
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { InputError } from '../../errors/index.js';
import type { Column, ColumnType, Frame } from '../frame.js';
import { readCsv, readCsvHeader, readCsvWithLines, writeCsv } from '../csv.js';
import { USER_OUTPUT, writeFileAtomic } from '../../store/atomic.js';
import { detectPersonal, PERSONAL_DESCRIPTION, type PersonalKind } from '../data/personal.js';
import { readSpec, type At, type FeaturizeSpec, type Step } from './spec.js';
import { columnsOf, parseExpr } from './expr.js';
import { prepareFeatureHashing } from './hashing.js';
import {
  Work, applyCross, applyDerive, applyDropMissing, applyEncode, applyFilter, applyImpute, applyJoin, applyScale, coerce, fitEncode, fitImpute,
  fitScale, keyText,
  type CrossState, type DeriveState, type DropMissingState, type EncodeState, type FilterState, type ImputeState, type JoinState, type ScaleState,
} from './steps.js';
import type { Derive } from './spec.js';

export { readSpec, parseSpecText } from './spec.js';
export type { FeaturizeSpec } from './spec.js';

export type StepState =
  | { derive: DeriveState[] }
  | { join: JoinState }
  | { cross: CrossState[] }
  | { impute: ImputeState[] }
  | { encode: EncodeState[] }
  | { scale: ScaleState[] }
  | { drop: string[] }
  | { keep: string[] }
  | { filter: FilterState }
  | { drop_missing: DropMissingState };

type RowStepState = Extract<StepState, { filter: FilterState } | { drop_missing: DropMissingState }>;
const isRowStep = (s: StepState): s is RowStepState => 'filter' in s || 'drop_missing' in s;

/** What one row step dropped: when fitting, or when replayed on the label. */
export interface RowDrop {
  /** `filter "x > 0"`, `drop_missing [co2]` */
  step: string;
  dropped: number;
  /** Rows the step was given. */
  of: number;
}

export interface FeaturizeState {
  format: 'mlv-featurize';
  /** 2 when the state holds a row step or a `target_derive` (docs/FORMAT.md), else 1. */
  version: 1 | 2;
  target: string | null;
  /** A derived target's expression over source columns (docs/FORMAT.md); absent otherwise. */
  target_expr?: string;
  /** A target derived by another `derive` form (`{date_part, of}`, `{bucket, edges, labels}`). */
  target_derive?: Omit<Extract<DeriveState, { of: string }>, 'name'> | Omit<Extract<DeriveState, { bucket: string }>, 'name'>;
  /** Raw columns the transform reads, with the types they were read as. */
  inputs: Record<string, ColumnType>;
  /** Columns it produces, in order (the target included where it was). */
  outputs: string[];
  steps: StepState[];
}

/** Booleans leave featurize as 0/1 numbers: that is what models and other tools read. */
const modelReady = (c: Column): Column => (c.type === 'boolean' && c.name !== '' ? { name: c.name, type: 'number', values: c.values } : c);

const noAt = (where: string): At => ({ where, line: 0 });

function runStep(w: Work, s: StepState, at: (name: string) => At): void {
  if ('derive' in s) applyDerive(w, s.derive, at);
  else if ('join' in s) applyJoin(w, s.join, at(''));
  else if ('cross' in s) applyCross(w, s.cross, at);
  else if ('impute' in s) for (const x of s.impute) applyImpute(w, x, at(x.column));
  else if ('encode' in s) for (const x of s.encode) applyEncode(w, x, at(x.column));
  else if ('scale' in s) for (const x of s.scale) applyScale(w, x, at(x.column));
  // Dropped columns are not required at prediction time, so absent ones are fine.
  else if ('drop' in s) for (const c of s.drop) w.remove(c);
  else if ('keep' in s) {
    for (const c of s.keep) w.get(c, at(c));
    w.cols = w.cols.filter((c) => s.keep.includes(c.name));
  }
  // Row steps are run by fitFeaturize (all of them) and replayLabelRows (the label's part).
}

const rowStepText = (s: RowStepState): string => ('filter' in s
  ? `filter ${JSON.stringify(s.filter.expr)}`
  : `drop_missing ${s.drop_missing.columns === 'all' ? 'all' : `[${s.drop_missing.columns.join(', ')}]`}`);

/**
 * Replays the part of a row step that concerns the label, when the rows hold it: a
 * filter that reads the target and nothing else, and a drop_missing of the target (listed,
 * or `all`). Other row steps are not replayed: every row to predict gets a prediction.
 */
function replayLabelRows(w: Work, s: RowStepState, target: string | null): RowDrop | undefined {
  if (target === null || !w.has(target)) return undefined;
  const of = w.nRows;
  let dropped: number;
  if ('filter' in s) {
    const reads = columnsOf(parseExpr(s.filter.expr));
    if (reads.size !== 1 || !reads.has(target)) return undefined;
    dropped = applyFilter(w, s.filter.expr, noAt(rowStepText(s)));
  } else {
    const cols = s.drop_missing.columns;
    if (cols !== 'all' && !cols.includes(target)) return undefined;
    dropped = applyDropMissing(w, [target], noAt(rowStepText(s)));
  }
  return { step: rowStepText(s), dropped, of };
}

/** The step state of a derived column (as a `derive` step records it). */
function deriveState(d: Derive): DeriveState {
  if (d.kind === 'date_part') return { name: d.name, date_part: d.part, of: d.of };
  if (d.kind === 'expr') return { name: d.name, expr: d.expr };
  return { name: d.name, bucket: d.of, edges: d.edges, labels: d.labels };
}

/** A derived target's recipe in a state, as a derive item, and the columns it reads. */
function targetRecipe(state: FeaturizeState): { item: DeriveState; sources: Set<string> } | undefined {
  if (!state.target) return undefined;
  if (state.target_expr !== undefined) {
    return { item: { name: state.target, expr: state.target_expr }, sources: columnsOf(parseExpr(state.target_expr)) };
  }
  const d = state.target_derive;
  if (!d) return undefined;
  return { item: { name: state.target, ...d } as DeriveState, sources: new Set(['of' in d ? d.of : d.bucket]) };
}

/** Columns a step reads (for the target and personal-data checks). */
function stepReads(step: Step): string[] {
  switch (step.kind) {
    case 'derive': return step.items.flatMap((d) => (d.kind === 'expr' ? [...columnsOf(d.tree)] : [d.of]));
    case 'join': return [step.on];
    case 'cross': return step.items.flatMap((c) => c.columns);
    case 'impute': case 'encode': case 'scale': return step.items.map((x) => x.column);
    case 'drop': return [];
    case 'keep': return step.columns;
    case 'filter': return [...columnsOf(step.tree)];
    case 'drop_missing': return step.columns === 'all' ? [] : step.columns;
  }
}

function sampleText(col: Column, n: number): { sample: string[]; distinctShare: number } {
  const sample: string[] = [];
  for (let i = 0; i < n && sample.length < 1000; i++) {
    const t = keyText(col, i);
    if (t !== null) sample.push(t);
  }
  return { sample, distinctShare: sample.length ? new Set(sample).size / sample.length : 0 };
}

function personalColumns(cols: Column[], n: number): Map<string, PersonalKind> {
  const out = new Map<string, PersonalKind>();
  for (const c of cols) {
    const { sample, distinctShare } = sampleText(c, n);
    const kind = detectPersonal(c.name, c.type, sample, distinctShare);
    if (kind) out.set(c.name, kind);
  }
  return out;
}

function specError(spec: FeaturizeSpec, at: At, msg: string): InputError {
  return new InputError(`${spec.file}:${at.line}: ${at.where}: ${msg}`, { file: spec.file, line: at.line, key: at.where });
}

/** Step errors carry a key path but no file: name the spec file and line. */
function inSpec(spec: FeaturizeSpec, at: At, e: unknown): unknown {
  if (e instanceof InputError && e.data.key && !e.data.file) {
    return new InputError(`${spec.file}:${(e.data.line as number) || at.line}: ${e.message}`, { ...e.data, file: spec.file });
  }
  return e;
}

/** Fits `spec` on `frame`: returns the transformed frame and the state to replay it. */
export async function fitFeaturize(spec: FeaturizeSpec, frame: Frame, lines?: ArrayLike<number>): Promise<{ frame: Frame; state: FeaturizeState; rowDrops: RowDrop[] }> {
  await prepareFeatureHashing();
  const label = frame.source ?? 'input';
  const w = new Work(frame.columns, frame.nRows, label, lines);
  const personal = personalColumns(frame.columns, frame.nRows);
  const allowed = new Set(spec.allowPersonal);
  const refuse = (name: string, kind: PersonalKind, at: At) =>
    specError(spec, at, `column "${name}" looks like personal data (${PERSONAL_DESCRIPTION[kind]}); drop it, or list it under allow_personal if using it is intended`);

  // A derived target is made first, from source columns that then leave the table: they
  // describe the label, so a feature built from them would leak it.
  const td = spec.targetDerive;
  const sources = new Set(td ? (td.kind === 'expr' ? columnsOf(td.tree) : [td.of]) : []);
  const targetKey = td?.kind === 'expr' ? 'target.expr' : `target.${td?.kind}`;
  if (td && spec.target !== undefined) {
    try {
      applyDerive(w, [deriveState(td)], () => td.at);
    } catch (e) {
      throw inSpec(spec, td.at, e);
    }
    for (const c of sources) w.remove(c);
  }
  const states: StepState[] = [];
  const rowDrops: RowDrop[] = [];
  for (const step of spec.steps) {
    const atOf = (name: string): At => {
      const item = 'items' in step ? (step.items as Array<{ name?: string; column?: string; at: At }>).find((x) => (x.name ?? x.column) === name) : undefined;
      return item?.at ?? step.at;
    };
    for (const name of stepReads(step)) {
      if (sources.has(name) && (step.kind === 'filter' || step.kind === 'drop_missing')) {
        throw specError(spec, atOf(name), `column "${name}" is read only to make the target "${spec.target}" (${targetKey}) and has left the table; select rows by the target "${spec.target}" instead`);
      }
      if (sources.has(name)) {
        throw specError(spec, atOf(name), `column "${name}" is read only to make the target "${spec.target}" (${targetKey}); a step cannot use it: it would leak the label into the features, and rows to predict may not have it`);
      }
      // A row step may read the label: dropping rows by it makes no feature of it.
      if (spec.target !== undefined && name === spec.target && step.kind !== 'filter' && step.kind !== 'drop_missing') throw specError(spec, atOf(name), `the target column "${name}" cannot be used in a step (prediction data may not have it)`);
      const kind = personal.get(name);
      if (kind && !allowed.has(name)) throw refuse(name, kind, atOf(name));
    }
    if (step.kind === 'drop' && spec.target !== undefined && step.columns.includes(spec.target)) throw specError(spec, step.at, `the target column "${spec.target}" cannot be dropped`);
    try {
      if (step.kind === 'filter' || step.kind === 'drop_missing') {
        const of = w.nRows;
        const state: RowStepState = step.kind === 'filter'
          ? { filter: { expr: step.expr, dropped: applyFilter(w, step.expr, step.at) } }
          : { drop_missing: { columns: step.columns, dropped: applyDropMissing(w, step.columns, step.at) } };
        const dropped = 'filter' in state ? state.filter.dropped : state.drop_missing.dropped;
        // Nothing left to fit on: every later step, and any model, would get an empty table.
        if (of > 0 && w.nRows === 0) throw specError(spec, step.at, `${rowStepText(state)} drops every row (${of} of ${of} in ${label}); nothing is left to fit on`);
        rowDrops.push({ step: rowStepText(state), dropped, of });
        states.push(state);
        continue;
      }
      // Dropping a label source is allowed, and a no-op: it has already left the table.
      const fit = step.kind === 'drop' ? { ...step, columns: step.columns.filter((c) => !sources.has(c)) } : step;
      const state = await fitStep(spec, fit, w, atOf);
      runStep(w, state, atOf);
      states.push(state);
    } catch (e) {
      throw inSpec(spec, step.at, e);
    }
  }
  if (spec.target !== undefined && !w.has(spec.target)) throw new InputError(`${label}: no target column "${spec.target}"`, { file: label });
  for (const c of w.cols) {
    const kind = personal.get(c.name);
    if (kind && !allowed.has(c.name)) {
      throw new InputError(`${spec.file}: column "${c.name}" looks like personal data (${PERSONAL_DESCRIPTION[kind]}) and would be a feature; add a "drop: [${c.name}]" step, or list it under allow_personal`, {
        file: spec.file, column: c.name,
      });
    }
  }
  w.cols = w.cols.map(modelReady);
  const outputs = w.cols.map((c) => c.name);
  const inputs: Record<string, ColumnType> = {};
  for (const c of frame.columns) {
    if (c.name === spec.target || sources.has(c.name)) continue;
    if (w.reads.has(c.name) || outputs.includes(c.name)) inputs[c.name] = c.type;
  }
  let targetFields: Pick<FeaturizeState, 'target_expr' | 'target_derive'> = {};
  if (td) {
    const { name: _name, ...recipe } = deriveState(td);
    targetFields = 'expr' in recipe ? { target_expr: recipe.expr } : { target_derive: recipe };
  }
  // Version 2 only where a version-1 reader would replay the state wrongly (docs/FORMAT.md).
  const version = states.some(isRowStep) || targetFields.target_derive ? 2 : 1;
  const state: FeaturizeState = {
    format: 'mlv-featurize', version, target: spec.target ?? null, ...targetFields, inputs, outputs, steps: states,
  };
  return { frame: { columns: w.cols, nRows: w.nRows, source: label }, state, rowDrops };
}

async function fitStep(spec: FeaturizeSpec, step: Step, w: Work, atOf: (name: string) => At): Promise<StepState> {
  switch (step.kind) {
    case 'derive':
      return {
        derive: step.items.map((d): DeriveState => {
          if (d.kind === 'date_part') return { name: d.name, date_part: d.part, of: d.of };
          if (d.kind === 'expr') return { name: d.name, expr: d.expr };
          return { name: d.name, bucket: d.of, edges: d.edges, labels: d.labels };
        }),
      };
    case 'join': {
      const path = isAbsolute(step.file) ? step.file : join(spec.baseDir, step.file);
      const { frame: right, lines } = await readCsvWithLines(path, { label: path });
      const keyCol = right.columns.find((c) => c.name === step.right_on);
      if (!keyCol) throw specError(spec, step.at, `${path} has no column "${step.right_on}" (columns: ${right.columns.map((c) => c.name).join(', ')})`);
      const wanted = step.columns ?? right.columns.map((c) => c.name).filter((n) => n !== step.right_on);
      const keys: string[] = [];
      const seen = new Map<string, number>();
      for (let i = 0; i < right.nRows; i++) {
        const k = keyText(keyCol, i);
        if (k === null) continue;
        if (seen.has(k)) throw new InputError(`${path}: line ${lines[i]}: duplicate key ${JSON.stringify(k)} in join column "${step.right_on}" (first on line ${lines[seen.get(k)!]})`, { file: path, line: lines[i] });
        seen.set(k, i);
        keys.push(k);
      }
      const rows = [...seen.values()];
      const rightPersonal = personalColumns(right.columns, right.nRows);
      const columns = wanted.map((name) => {
        const c = right.columns.find((x) => x.name === name);
        if (!c) throw specError(spec, step.at, `${path} has no column "${name}"`);
        const kind = rightPersonal.get(name);
        if (kind && !spec.allowPersonal.includes(step.prefix + name)) throw specError(spec, step.at, `column "${name}" of ${path} looks like personal data (${PERSONAL_DESCRIPTION[kind]}); leave it out of "columns", or list "${step.prefix + name}" under allow_personal`);
        const values = rows.map((i) => (c.type === 'categorical' ? c.values[i] : Number.isNaN(c.values[i]) ? null : c.values[i]));
        return { name: step.prefix + name, type: c.type, values };
      });
      const key = w.get(step.on, step.at);
      const rightKeyType = keyCol.type;
      if (key.type !== rightKeyType) throw specError(spec, step.at, `key "${step.on}" is ${key.type} but "${step.right_on}" in ${path} is ${rightKeyType}`);
      return { join: { file: relative(spec.baseDir, path) || path, on: step.on, right_on: step.right_on, keys, columns } };
    }
    case 'cross':
      return { cross: step.items.map((c) => ({ name: c.name, columns: c.columns, sep: c.sep })) };
    case 'impute':
      return { impute: step.items.map((x) => fitImpute(w, x.column, x.strategy, x.value, x.at)) };
    case 'encode': {
      const out: EncodeState[] = [];
      for (const x of step.items) out.push(fitEncode(w, x.column, x.method, x.categories, x.unknown, x.at, x.buckets));
      return { encode: out };
    }
    case 'scale':
      return { scale: step.items.map((x) => fitScale(w, x.column, x.method, x.at)) };
    case 'drop':
      for (const c of step.columns) if (!w.has(c)) w.get(c, atOf(c));
      return { drop: step.columns };
    case 'filter':
    case 'drop_missing':
      throw new Error('row steps are run by fitFeaturize, not fitted here');
    case 'keep': {
      const keep = [...step.columns];
      if (spec.target !== undefined && !keep.includes(spec.target)) keep.push(spec.target);
      return { keep };
    }
  }
}

/** Checks a parsed JSON value is a featurize state. */
export function loadFeaturizeState(json: unknown, where = 'featurize state'): FeaturizeState {
  const s = json as FeaturizeState;
  if (!s || typeof s !== 'object' || s.format !== 'mlv-featurize' || (s.version !== 1 && s.version !== 2) || !Array.isArray(s.steps) || !Array.isArray(s.outputs)) {
    throw new InputError(`${where}: not an mlv featurize state (format "mlv-featurize", version 1 or 2)`, { file: where });
  }
  return s;
}

/**
 * Applies a fitted state to new rows. The target column, when present, passes through;
 * columns the state does not know are dropped.
 */
export function applyFeaturize(state: FeaturizeState, frame: Frame): Frame {
  return applyFeaturizeRows(state, frame).frame;
}

/**
 * applyFeaturize, saying which rows remain: row steps that concern the label drop rows
 * whose label they reject (when the rows hold the label). `rows` holds the original row
 * number of each output row, `lines` their lines (from `lines`), both null when no row went.
 */
export function applyFeaturizeRows(state: FeaturizeState, frame: Frame, lines?: ArrayLike<number>): { frame: Frame; rows: Int32Array | null; lines: ArrayLike<number> | undefined; rowDrops: RowDrop[] } {
  const label = frame.source ?? 'input';
  const have = new Map(frame.columns.map((c) => [c.name, c]));
  const missing = Object.keys(state.inputs).filter((n) => !have.has(n));
  if (missing.length) {
    throw new InputError(`${label}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} needed by the feature transform`, {
      file: label, columns: missing,
    });
  }
  const recipe = targetRecipe(state);
  const sources = recipe?.sources ?? new Set<string>();
  const derived = recipe !== undefined && [...sources].every((n) => have.has(n));
  const cols = frame.columns
    .filter((c) => c.name in state.inputs || (c.name === state.target && !recipe) || (derived && sources.has(c.name)))
    .map((c) => (c.name in state.inputs ? coerce(c, state.inputs[c.name], label) : c));
  const w = new Work(cols, frame.nRows, label, lines);
  // The label's sources are there (rows to evaluate): make the label, as when fitting.
  if (derived) {
    applyDerive(w, [recipe.item], () => noAt(state.target_expr !== undefined ? 'target.expr' : 'target'));
    for (const c of sources) w.remove(c);
  }
  const rowDrops: RowDrop[] = [];
  for (const s of state.steps) {
    if (!isRowStep(s)) runStep(w, s, noAt);
    else {
      const d = replayLabelRows(w, s, state.target);
      if (d) rowDrops.push(d);
    }
  }
  const out: Column[] = [];
  for (const name of state.outputs) {
    if (name === state.target && !w.has(name)) continue;
    out.push(modelReady(w.get(name)));
  }
  return { frame: { columns: out, nRows: w.nRows, source: label }, rows: w.rows, lines: w.rows ? w.lines : lines, rowDrops };
}

/** Sorted-key JSON, so the same fit always writes the same bytes. */
export function canonicalStateJson(state: FeaturizeState): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(state), null, 2) + '\n';
}

export const statePathFor = (outCsv: string): string => `${outCsv}.featurize.json`;

export async function readFeaturizeState(path: string): Promise<FeaturizeState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot read the featurize state`, { file: path });
  }
  try {
    return loadFeaturizeState(JSON.parse(text), path);
  } catch (e) {
    if (e instanceof SyntaxError) throw new InputError(`${path}: not valid JSON (${e.message})`, { file: path });
    throw e;
  }
}

export interface FeaturizeResult {
  rows: number;
  /** Rows each row step dropped (when fitting; when replaying, the label's part). */
  row_steps?: RowDrop[];
  inputs: string[];
  outputs: string[];
  output: string;
  state_file: string;
}

export async function featurizeFile(specPath: string, inPath: string, outPath: string): Promise<FeaturizeResult & { state: FeaturizeState }> {
  const spec = await readSpec(specPath);
  const { frame, lines } = await readCsvWithLines(inPath, { target: spec.targetDerive ? undefined : spec.target });
  const { frame: out, state, rowDrops } = await fitFeaturize(spec, frame, lines);
  await writeCsv(outPath, out);
  const statePath = statePathFor(outPath);
  writeFileAtomic(statePath, canonicalStateJson(state), USER_OUTPUT);
  return {
    rows: out.nRows, ...(rowDrops.length ? { row_steps: rowDrops } : {}),
    inputs: Object.keys(state.inputs), outputs: state.outputs, output: outPath, state_file: statePath, state,
  };
}

/**
 * Replays a fitted transform (`<out>.featurize.json`) on other rows, typically the test
 * rows of a split: nothing is fitted on them. The target passes through when present.
 */
export async function applyFeaturizeFile(statePath: string, inPath: string, outPath: string, label = inPath): Promise<FeaturizeResult> {
  const state = await readFeaturizeState(statePath);
  const columnTypes: Record<string, ColumnType> = {};
  const header = new Set(await readCsvHeader(inPath, label));
  for (const [name, type] of Object.entries(state.inputs)) if (header.has(name)) columnTypes[name] = type;
  const frame = await readCsv(inPath, { label, columnTypes });
  const { frame: out, rowDrops } = applyFeaturizeRows(state, frame);
  await writeCsv(outPath, out);
  return {
    rows: out.nRows, ...(rowDrops.length ? { row_steps: rowDrops } : {}),
    inputs: Object.keys(state.inputs), outputs: out.columns.map((c) => c.name), output: outPath, state_file: statePath,
  };
}

// parseExpr is re-exported for tests of the expression language.
export { parseExpr };
