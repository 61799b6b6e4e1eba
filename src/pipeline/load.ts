/**
 * Reading and validating `mlv.yaml`. Every error names the file and line, so a typo
 * is found before anything runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { toJSOf, yaml, type Node, type Pair } from '../yaml.js';
import { cachedParse } from '../repo/parseCache.js';
import { unsafeReason, WorkTree, workPath } from '../repo/workpath.js';
import { InputError, NotFoundError } from '../errors/index.js';
import { buildGraph } from './graph.js';
import type { MetricDef, OutDef, ParamRef, Pipeline, StageDef } from './types.js';

export const PIPELINE_FILE = 'mlv.yaml';
export const DEFAULT_PARAMS = 'params.yaml';

const TOP_KEYS = new Set(['stages']);
const STAGE_KEYS = new Set(['cmd', 'deps', 'params', 'outs', 'metrics', 'wdir', 'frozen', 'desc']);
const OUT_KEYS = new Set(['cache', 'persist', 'desc']);
const METRIC_KEYS = new Set(['cache', 'persist', 'tolerance', 'desc']);
const STAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Whether a path exists in the work tree as data or as data tracked by a pointer. */
export type Exists = (repoPath: string) => boolean;

/**
 * The pipeline of a work tree.
 * @example
 *   const p = loadPipeline('/repo'); p.order // ['prepare', 'train']
 */
export function loadPipeline(root: string): Pipeline {
  const file = workPath(root, PIPELINE_FILE, PIPELINE_FILE, { leaf: true });
  if (!existsSync(file)) throw new NotFoundError('pipeline', `${PIPELINE_FILE}: no pipeline in ${root} (declare stages in mlv.yaml)`, { file: PIPELINE_FILE });
  const exists: Exists = (p) => existsSync(join(root, p)) || existsSync(join(root, p + '.mlv'));
  const text = readFileSync(file, 'utf8');
  // Parsed stages are cached by the text's hash; the graph and the deps on disk are checked every time.
  const stages = cachedParse(root, PIPELINE_FILE, text, () => [...parseStages(text, PIPELINE_FILE)]);
  return graphOf(new Map(stages), PIPELINE_FILE, root, exists);
}

export function hasPipeline(root: string): boolean {
  return existsSync(join(root, PIPELINE_FILE));
}

/** Parse mlv.yaml text; `exists` (when given) checks that every dep is on disk or produced by a stage. */
export function parsePipeline(text: string, file: string, root: string, exists?: Exists): Pipeline {
  return graphOf(parseStages(text, file), file, root, exists);
}

function graphOf(stages: Map<string, StageDef>, file: string, root: string, exists?: Exists): Pipeline {
  const pipeline = buildGraph(root, file, stages);
  if (exists) { checkOnDisk(pipeline, root); checkDepsExist(pipeline, exists); }
  return pipeline;
}

/** The stages declared in mlv.yaml text, each validated on its own (the graph is checked after). */
function parseStages(text: string, file: string): Map<string, StageDef> {
  const { LineCounter, parseDocument, isMap, isScalar } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (node: unknown): string => {
    const r = (node as { range?: [number, number, number] } | undefined)?.range;
    return r ? `${file}:${lc.linePos(r[0]).line}` : file;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    throw new InputError(`${file}:${line}: bad YAML: ${e.message.split('\n')[0]}`, { file, line });
  }
  const stages = new Map<string, StageDef>();
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return stages;
  if (!isMap(top)) throw new InputError(`${at(top)}: expected a mapping with 'stages'`, { file });
  for (const pair of top.items) {
    const k = keyOf(pair);
    if (!TOP_KEYS.has(k)) throw new InputError(`${at(pair.key)}: unknown key '${k}' (expected 'stages')`, { file, key: k });
  }
  const stagesNode = top.get('stages', true) as Node | undefined;
  if (stagesNode === undefined || (isScalar(stagesNode) && stagesNode.value === null)) return stages;
  if (!isMap(stagesNode)) throw new InputError(`${at(stagesNode)}: 'stages' must be a mapping of stage names`, { file, key: 'stages' });
  for (const pair of stagesNode.items) {
    const name = keyOf(pair);
    const where = at(pair.key);
    if (!STAGE_NAME.test(name)) throw new InputError(`${where}: '${name}' is not a valid stage name (letters, digits, _ . -)`, { file, stage: name });
    stages.set(name, parseStage(name, pair.value as Node | null, where, at, file));
  }
  return stages;
}

function keyOf(pair: Pair): string {
  return yaml().isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

type At = (node: unknown) => string;

function parseStage(name: string, node: Node | null, where: string, at: At, file: string): StageDef {
  if (!yaml().isMap(node)) throw new InputError(`${where}: stage '${name}' must be a mapping with at least 'cmd'`, { file, stage: name });
  for (const pair of node.items) {
    const k = keyOf(pair);
    if (!STAGE_KEYS.has(k)) throw new InputError(`${at(pair.key)}: unknown key '${k}' in stage '${name}' (expected one of ${[...STAGE_KEYS].join(', ')})`, { file, stage: name, key: k });
  }
  const js = toJSOf({ toJS: () => node.toJSON() }, where) as Record<string, unknown>;
  const fail = (key: string, msg: string): never => {
    throw new InputError(`${at(node.get(key, true) ?? node)}: stage '${name}': ${msg}`, { file, stage: name, key });
  };
  const cmdRaw = js.cmd;
  let cmd: string[];
  if (typeof cmdRaw === 'string' && cmdRaw.trim()) cmd = [cmdRaw];
  else if (Array.isArray(cmdRaw) && cmdRaw.length && cmdRaw.every((c) => typeof c === 'string' && c.trim())) cmd = cmdRaw as string[];
  else return fail('cmd', "'cmd' must be a command or a list of commands");
  const wdirRaw = js.wdir ?? '.';
  if (typeof wdirRaw !== 'string') return fail('wdir', "'wdir' must be a directory path");
  const wdir = normalise(wdirRaw, '.', (why) => fail('wdir', `'${wdirRaw}' ${why}`));
  const inWdir = (p: unknown, key: string): string => {
    if (typeof p !== 'string' || !p.trim()) return fail(key, `${key} entries must be paths`);
    return normalise(p, wdir, (why) => fail(key, `'${p}' ${why}`));
  };
  const deps = listOf(js.deps, 'deps', fail).map((d) => inWdir(d, 'deps'));
  const params = listOf(js.params, 'params', fail).flatMap((p) => parseParam(p, wdir, fail));
  const outs = listOf(js.outs, 'outs', fail).map((o) => parseOut(o, 'outs', OUT_KEYS, true, inWdir, fail));
  const metrics = listOf(js.metrics, 'metrics', fail).map((o) => parseOut(o, 'metrics', METRIC_KEYS, false, inWdir, fail) as MetricDef);
  if (js.frozen !== undefined && typeof js.frozen !== 'boolean') return fail('frozen', "'frozen' must be true or false");
  if (js.desc !== undefined && typeof js.desc !== 'string') return fail('desc', "'desc' must be text");
  const seen = new Set<string>();
  for (const o of [...outs, ...metrics]) {
    if (seen.has(o.path)) fail('outs', `'${o.path}' is listed twice as an output`);
    seen.add(o.path);
  }
  return { name, cmd, wdir, deps: [...new Set(deps)], params, outs, metrics, frozen: js.frozen === true, desc: js.desc as string | undefined, where };
}

function listOf(v: unknown, key: string, fail: (k: string, m: string) => never): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(key, `'${key}' must be a list`);
  return v;
}

/** `train.lr` (params.yaml), `conf.yaml:train.lr`, or `{ conf.yaml: [a, b] }`. */
function parseParam(p: unknown, wdir: string, fail: (k: string, m: string) => never): ParamRef[] {
  const file = (f: string) => normalise(f, wdir, (why) => fail('params', `'${f}' ${why}`));
  if (typeof p === 'string' && p.trim()) {
    const colon = p.lastIndexOf(':');
    if (colon > 0) return [{ file: file(p.slice(0, colon)), key: checkKey(p.slice(colon + 1), fail) }];
    return [{ file: file('params.yaml'), key: checkKey(p, fail) }];
  }
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const entries = Object.entries(p);
    if (entries.length !== 1) fail('params', 'a params entry is a key, file:key, or { file: [keys] }');
    const [f, keys] = entries[0];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return fail('params', `params of '${f}' must be a list of keys`);
    return keys.map((k) => ({ file: file(f), key: checkKey(k as string, fail) }));
  }
  return fail('params', 'a params entry is a key, file:key, or { file: [keys] }');
}

function checkKey(k: string, fail: (k: string, m: string) => never): string {
  if (!/^[^.\s]+(\.[^.\s]+)*$/.test(k)) fail('params', `'${k}' is not a parameter key (dotted, like train.n_estimators)`);
  return k;
}

function parseOut(o: unknown, key: string, allowed: Set<string>, cacheDefault: boolean, inWdir: (p: unknown, k: string) => string, fail: (k: string, m: string) => never): OutDef | MetricDef {
  if (typeof o === 'string') return { path: inWdir(o, key), cache: cacheDefault, persist: false };
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    const entries = Object.entries(o);
    if (entries.length !== 1) return fail(key, `an entry of '${key}' is a path or { path: { options } }`);
    const [path, opts] = entries[0];
    const options = (opts ?? {}) as Record<string, unknown>;
    if (typeof options !== 'object' || Array.isArray(options)) return fail(key, `options of '${path}' must be a mapping`);
    for (const k of Object.keys(options)) if (!allowed.has(k)) fail(key, `unknown option '${k}' for '${path}' (expected one of ${[...allowed].join(', ')})`);
    for (const k of ['cache', 'persist']) if (options[k] !== undefined && typeof options[k] !== 'boolean') fail(key, `'${k}' of '${path}' must be true or false`);
    const out: MetricDef = { path: inWdir(path, key), cache: (options.cache as boolean | undefined) ?? cacheDefault, persist: options.persist === true };
    const tol = options.tolerance;
    if (tol !== undefined) {
      const ok = (v: unknown) => typeof v === 'number' && v >= 0 && Number.isFinite(v);
      if (ok(tol)) out.tolerance = tol as number;
      else if (tol && typeof tol === 'object' && !Array.isArray(tol) && Object.values(tol).every(ok)) out.tolerance = tol as Record<string, number>;
      else fail(key, `'tolerance' of '${path}' must be a non-negative number or a mapping of metric → number`);
    }
    return out;
  }
  return fail(key, `an entry of '${key}' is a path or { path: { options } }`);
}

/** A path relative to `base` as a repo-relative posix path; calls `bad` when it escapes or enters .git/. */
function normalise(p: string, base: string, bad: (why: string) => never): string {
  if (p.startsWith('/')) bad('is outside the repository (absolute)');
  const n = posix.normalize(posix.join(base, p.replace(/\\/g, '/'))).replace(/\/+$/, '');
  if (n === '..' || n.startsWith('../')) bad('is outside the repository');
  if (n !== '.' && n !== '') { const why = unsafeReason(n); if (why) bad(why); }
  return n === '' ? '.' : n;
}

/**
 * Every path of every stage proven inside the work tree as it is now (workpath.ts):
 * no link on the way to a wdir, dep, out, metrics or params file, nor at its end.
 */
function checkOnDisk(p: Pipeline, root: string): void {
  const tree = new WorkTree(root);
  for (const s of p.stages.values()) {
    const at = (key: string) => `${s.where}: stage '${s.name}' (${key})`;
    tree.path(s.wdir, at('wdir'), { leaf: true });
    for (const d of s.deps) tree.path(d, at('deps'), { leaf: true });
    for (const o of s.outs) tree.path(o.path, at('outs'), { leaf: true });
    for (const m of s.metrics) tree.path(m.path, at('metrics'), { leaf: true });
    for (const f of new Set(s.params.map((x) => x.file))) tree.path(f, at('params'), { leaf: true });
  }
}

function checkDepsExist(p: Pipeline, exists: Exists): void {
  const produced = [...p.stages.values()].flatMap((s) => [...s.outs, ...s.metrics].map((o) => o.path));
  for (const s of p.stages.values()) {
    for (const d of s.deps) {
      if (produced.some((o) => o === d || d.startsWith(o + '/') || o.startsWith(d + '/'))) continue;
      if (!exists(d)) throw new InputError(`${s.where}: stage '${s.name}' depends on '${d}', which does not exist and no stage produces`, { file: p.file, stage: s.name, dep: d }, 'EMISSINGDEP');
    }
  }
}
