/**
 * features.yaml: reading and validating the spec. Every error names the file, the line
 * and the key path (`features.yaml:14: steps[3].encode.season: ...`).
 * The format is documented in docs/ml-data.md.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YNode } from 'yaml';
import { InputError } from '../../errors/index.js';
import { parseExpr, ExprError, type Node as ExprNode } from './expr.js';

export const DATE_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'dayofweek', 'dayofyear', 'weekend', 'date'] as const;
export type DatePart = (typeof DATE_PARTS)[number];
export const IMPUTE = ['mean', 'median', 'mode', 'constant'] as const;
export const ENCODE = ['onehot', 'ordinal', 'frequency', 'hash'] as const;
export const SCALE = ['standard', 'minmax'] as const;

/** Where a spec item came from, for error messages at fit time. */
export interface At {
  where: string;
  line: number;
}

export type Derive =
  | { name: string; at: At; kind: 'date_part'; part: DatePart; of: string }
  | { name: string; at: At; kind: 'expr'; expr: string; tree: ExprNode }
  | { name: string; at: At; kind: 'bucket'; of: string; edges: number[]; labels: string[] };

export type Step =
  | { kind: 'derive'; at: At; items: Derive[] }
  | { kind: 'join'; at: At; file: string; on: string; right_on: string; columns?: string[]; prefix: string }
  | { kind: 'cross'; at: At; items: Array<{ name: string; at: At; columns: string[]; sep: string }> }
  | { kind: 'impute'; at: At; items: Array<{ column: string; at: At; strategy: (typeof IMPUTE)[number]; value?: string | number }> }
  | { kind: 'encode'; at: At; items: Array<{ column: string; at: At; method: (typeof ENCODE)[number]; categories?: string[]; unknown: 'ignore' | 'error'; buckets: number }> }
  | { kind: 'scale'; at: At; items: Array<{ column: string; at: At; method: (typeof SCALE)[number] }> }
  | { kind: 'drop'; at: At; columns: string[] }
  | { kind: 'keep'; at: At; columns: string[] }
  // Row steps: they drop rows instead of making columns.
  | { kind: 'filter'; at: At; expr: string; tree: ExprNode }
  | { kind: 'drop_missing'; at: At; columns: string[] | 'all' };

export const STEP_KINDS = ['derive', 'join', 'cross', 'impute', 'encode', 'scale', 'drop', 'keep', 'filter', 'drop_missing'] as const;

export interface FeaturizeSpec {
  file: string;
  baseDir: string;
  target?: string;
  /**
   * A derived target: `target: {name, expr}` or another `derive` form
   * (`{name, date_part, of}`, `{name, bucket, edges, labels}`); its source columns never
   * reach a step.
   */
  targetDerive?: Derive;
  allowPersonal: string[];
  steps: Step[];
}

class Reader {
  constructor(readonly file: string, private readonly lc: LineCounter) {}
  line(node: YNode | null | undefined): number {
    const r = (node as { range?: [number, number, number] } | null)?.range;
    return r ? this.lc.linePos(r[0]).line : 1;
  }
  at(node: YNode | null | undefined, where: string): At {
    return { where, line: this.line(node) };
  }
  fail(node: YNode | null | undefined, where: string, msg: string): never {
    const line = this.line(node);
    throw new InputError(`${this.file}:${line}: ${where}: ${msg}`, { file: this.file, line, key: where });
  }
  /** Entries of a mapping, in order. */
  entries(node: YNode | null | undefined, where: string): Array<[string, YNode | null, YNode]> {
    if (!isMap(node)) this.fail(node, where, 'expected a mapping (key: value)');
    return node.items.map((pair) => {
      const k = pair.key as YNode;
      if (!isScalar(k)) this.fail(k, where, 'keys must be plain names');
      return [String(k.value), (pair.value as YNode | null) ?? null, k];
    });
  }
  str(node: YNode | null | undefined, where: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') this.fail(node, where, 'expected a value');
    return String(node.value);
  }
  num(node: YNode | null | undefined, where: string): number {
    if (!isScalar(node) || typeof node.value !== 'number') this.fail(node, where, 'expected a number');
    return node.value;
  }
  strList(node: YNode | null | undefined, where: string): string[] {
    if (isScalar(node) && node.value !== null) return [String(node.value)];
    if (!isSeq(node)) this.fail(node, where, 'expected a list');
    return node.items.map((it, i) => this.str(it as YNode, `${where}[${i}]`));
  }
  oneOf<T extends string>(node: YNode | null | undefined, where: string, allowed: readonly T[]): T {
    const v = this.str(node, where);
    if (!allowed.includes(v as T)) this.fail(node, where, `unknown value "${v}" (expected one of ${allowed.join(', ')})`);
    return v as T;
  }
  /** `key: name` or `key: {method: name, ...options}` */
  method<T extends string>(node: YNode | null, where: string, allowed: readonly T[]): { method: T; opts: Map<string, [YNode | null, YNode]> } {
    if (isScalar(node)) return { method: this.oneOf(node, where, allowed), opts: new Map() };
    const opts = new Map<string, [YNode | null, YNode]>();
    let method: T | undefined;
    for (const [k, v, kn] of this.entries(node, where)) {
      if (k === 'method') method = this.oneOf(v, `${where}.method`, allowed);
      else opts.set(k, [v, kn]);
    }
    if (!method) this.fail(node, where, `missing "method" (one of ${allowed.join(', ')})`);
    return { method, opts };
  }
  noExtra(opts: Map<string, [YNode | null, YNode]>, where: string, known: string[]): void {
    for (const [k, [, kn]] of opts) if (!known.includes(k)) this.fail(kn, `${where}.${k}`, `unknown option (expected ${known.join(', ') || 'none'})`);
  }
}

type Fields = Map<string, { val: YNode | null; kn: YNode }>;

function parseExprAt(r: Reader, node: YNode | null, where: string): { expr: string; tree: ExprNode } {
  const expr = r.str(node, where);
  try {
    return { expr, tree: parseExpr(expr) };
  } catch (e) {
    if (e instanceof ExprError) r.fail(node, where, `${e.message} (at character ${e.position + 1} of ${JSON.stringify(expr)})`);
    throw e;
  }
}

function parseDerive(r: Reader, node: YNode | null, where: string): Derive[] {
  return r.entries(node, where).map(([name, v]) => {
    const w = `${where}.${name}`;
    return parseDeriveItem(r, name, v, w, new Map(r.entries(v, w).map(([k, val, kn]) => [k, { val, kn }])));
  });
}

/** One derived column from its fields (`expr`, `date_part`/`of`, `bucket`/`edges`/`labels`). */
function parseDeriveItem(r: Reader, name: string, v: YNode | null, w: string, fields: Fields): Derive {
  const at = r.at(v, w);
  const known = (ks: string[]) => { for (const [k, { kn }] of fields) if (!ks.includes(k)) r.fail(kn, `${w}.${k}`, `unknown option (expected ${ks.join(', ')})`); };
  if (fields.has('date_part')) {
    known(['date_part', 'of']);
    const of = fields.get('of');
    if (!of) r.fail(v, w, 'date_part needs "of: <date column>"');
    return { name, at, kind: 'date_part', part: r.oneOf(fields.get('date_part')!.val, `${w}.date_part`, DATE_PARTS), of: r.str(of.val, `${w}.of`) };
  }
  if (fields.has('expr')) {
    known(['expr']);
    const node = fields.get('expr')!.val;
    return { name, at, kind: 'expr', ...parseExprAt(r, node, `${w}.expr`) };
  }
  if (fields.has('bucket')) {
    known(['bucket', 'edges', 'labels']);
    const edgesNode = fields.get('edges')?.val;
    const labelsNode = fields.get('labels')?.val;
    if (!isSeq(edgesNode)) r.fail(v, w, 'bucket needs "edges: [numbers]"');
    const edges = edgesNode.items.map((it, i) => r.num(it as YNode, `${w}.edges[${i}]`));
    for (let i = 1; i < edges.length; i++) if (!(edges[i] > edges[i - 1])) r.fail(edgesNode, `${w}.edges`, 'edges must increase');
    const labels = labelsNode ? r.strList(labelsNode, `${w}.labels`) : Array.from({ length: edges.length + 1 }, (_, i) => `b${i}`);
    if (labels.length !== edges.length + 1) r.fail(labelsNode ?? v, `${w}.labels`, `${edges.length} edges make ${edges.length + 1} buckets, so ${edges.length + 1} labels are needed (got ${labels.length})`);
    return { name, at, kind: 'bucket', of: r.str(fields.get('bucket')!.val, `${w}.bucket`), edges, labels };
  }
  return r.fail(v, w, 'a derived column needs one of date_part, expr, bucket');
}

export function parseSpecText(text: string, file: string): FeaturizeSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? 1;
    throw new InputError(`${file}:${line}: ${e.message.split('\n')[0]}`, { file, line });
  }
  const r: Reader = new Reader(file, lc);
  const spec: FeaturizeSpec = { file, baseDir: dirname(file), allowPersonal: [], steps: [] };
  let stepsNode = null as YNode | null;
  for (const [k, v, kn] of r.entries(doc.contents as YNode, '(top level)')) {
    if (k === 'target' && isMap(v)) {
      const f: Fields = new Map(r.entries(v, 'target').map(([key, val, kn2]) => [key, { val, kn: kn2 }]));
      if (!f.has('name')) r.fail(v, 'target', 'a derived target needs "name" and one of expr, date_part, bucket (target: {name: label, expr: "x > 0"})');
      spec.target = r.str(f.get('name')!.val, 'target.name');
      f.delete('name');
      const d = parseDeriveItem(r, spec.target, v, 'target', f);
      // Errors about an expression point at it (`target.expr`), as for a step's.
      spec.targetDerive = d.kind === 'expr' ? { ...d, at: r.at(f.get('expr')!.val, 'target.expr') } : d;
    } else if (k === 'target') spec.target = r.str(v, 'target');
    else if (k === 'allow_personal') spec.allowPersonal = r.strList(v, 'allow_personal');
    else if (k === 'steps') stepsNode = v;
    else if (k === 'version') { if (r.num(v, 'version') !== 1) r.fail(v, 'version', 'only version 1 is known'); }
    else r.fail(kn, k, 'unknown key (expected version, target, allow_personal, steps)');
  }
  if (!isSeq(stepsNode)) r.fail(stepsNode ?? (doc.contents as YNode), 'steps', 'expected a list of steps');
  stepsNode.items.forEach((item, i) => {
    const where = `steps[${i}]`;
    const entries = r.entries(item as YNode, where);
    if (entries.length !== 1) r.fail(item as YNode, where, `each step has exactly one kind (${STEP_KINDS.join(', ')})`);
    const [kind, v, kn] = entries[0];
    const w = `${where}.${kind}`;
    const at = r.at(kn, w);
    switch (kind) {
      case 'derive':
        spec.steps.push({ kind, at, items: parseDerive(r, v, w) });
        break;
      case 'join': {
        const f = new Map(r.entries(v, w).map(([k, val, kn2]) => [k, { val, kn: kn2 }]));
        for (const [k, { kn: kn2 }] of f) if (!['file', 'on', 'right_on', 'columns', 'prefix'].includes(k)) r.fail(kn2, `${w}.${k}`, 'unknown option (expected file, on, right_on, columns, prefix)');
        if (!f.has('file')) r.fail(v, w, 'needs "file: <csv to join>"');
        if (!f.has('on')) r.fail(v, w, 'needs "on: <key column>"');
        const on = r.str(f.get('on')!.val, `${w}.on`);
        spec.steps.push({
          kind, at, file: r.str(f.get('file')!.val, `${w}.file`), on,
          right_on: f.has('right_on') ? r.str(f.get('right_on')!.val, `${w}.right_on`) : on,
          columns: f.has('columns') ? r.strList(f.get('columns')!.val, `${w}.columns`) : undefined,
          prefix: f.has('prefix') ? r.str(f.get('prefix')!.val, `${w}.prefix`) : '',
        });
        break;
      }
      case 'cross':
        spec.steps.push({
          kind, at, items: r.entries(v, w).map(([name, val]) => {
            const cw = `${w}.${name}`;
            if (isSeq(val)) {
              const columns = r.strList(val, cw);
              if (columns.length < 2) r.fail(val, cw, 'a cross needs at least two columns');
              return { name, at: r.at(val, cw), columns, sep: '-' };
            }
            const f = new Map(r.entries(val, cw).map(([k, x, kn2]) => [k, { x, kn: kn2 }]));
            for (const [k, { kn: kn2 }] of f) if (!['columns', 'sep'].includes(k)) r.fail(kn2, `${cw}.${k}`, 'unknown option (expected columns, sep)');
            const columns = r.strList(f.get('columns')?.x, `${cw}.columns`);
            if (columns.length < 2) r.fail(val, cw, 'a cross needs at least two columns');
            return { name, at: r.at(val, cw), columns, sep: f.has('sep') ? r.str(f.get('sep')!.x, `${cw}.sep`) : '-' };
          }),
        });
        break;
      case 'impute':
        spec.steps.push({
          kind, at, items: r.entries(v, w).map(([column, val]) => {
            const cw = `${w}.${column}`;
            const { method, opts } = r.method(val, cw, IMPUTE);
            r.noExtra(opts, cw, method === 'constant' ? ['value'] : []);
            let value: string | number | undefined;
            if (method === 'constant') {
              const vn = opts.get('value')?.[0];
              if (!isScalar(vn) || vn.value === null) r.fail(val, cw, 'constant needs "value"');
              value = typeof vn.value === 'number' ? vn.value : String(vn.value);
            }
            return { column, at: r.at(val, cw), strategy: method, value };
          }),
        });
        break;
      case 'encode':
        spec.steps.push({
          kind, at, items: r.entries(v, w).map(([column, val]) => {
            const cw = `${w}.${column}`;
            const { method, opts } = r.method(val, cw, ENCODE);
            r.noExtra(opts, cw, method === 'frequency' ? [] : method === 'hash' ? ['buckets'] : ['categories', 'unknown']);
            const cats = opts.get('categories');
            const unk = opts.get('unknown');
            const bk = opts.get('buckets');
            const buckets = bk ? r.num(bk[0], `${cw}.buckets`) : 16;
            if (!Number.isInteger(buckets) || buckets < 2 || buckets > 1 << 16) r.fail(bk?.[0] ?? val, `${cw}.buckets`, 'buckets must be a whole number from 2 to 65536');
            return {
              column, at: r.at(val, cw), method, buckets,
              categories: cats ? r.strList(cats[0], `${cw}.categories`) : undefined,
              unknown: unk ? r.oneOf(unk[0], `${cw}.unknown`, ['ignore', 'error'] as const) : 'ignore',
            };
          }),
        });
        break;
      case 'scale':
        spec.steps.push({
          kind, at, items: r.entries(v, w).map(([column, val]) => {
            const cw = `${w}.${column}`;
            const { method, opts } = r.method(val, cw, SCALE);
            r.noExtra(opts, cw, []);
            return { column, at: r.at(val, cw), method };
          }),
        });
        break;
      case 'drop':
      case 'keep':
        spec.steps.push({ kind, at, columns: r.strList(v, w) });
        break;
      case 'filter':
        spec.steps.push({ kind, at, ...parseExprAt(r, v, w) });
        break;
      case 'drop_missing': {
        const all = isScalar(v) && v.value === 'all';
        const columns = all ? 'all' : r.strList(v, w);
        if (columns !== 'all' && columns.length === 0) r.fail(v, w, 'expected a list of columns, or "all"');
        spec.steps.push({ kind, at, columns });
        break;
      }
      default:
        r.fail(kn, w, `unknown step (expected ${STEP_KINDS.join(', ')})`);
    }
  });
  return spec;
}

export async function readSpec(path: string): Promise<FeaturizeSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${path}: no such spec file`, { file: path });
    throw e;
  }
  return parseSpecText(text, path);
}
