/**
 * DVC's metafiles as documented (dvc.org, "DVC Files and Directories"): `.dvc` files,
 * `dvc.yaml` and `dvc.lock` (schema 2.0), read into plain records. Templates
 * (`foreach`, `matrix`, `vars`, `${…}`) are refused with the line that uses them.
 */
import { posix } from 'node:path';
import { InputError } from '../errors/index.js';
import { yaml } from '../yaml.js';

/** An output or dependency as DVC records it: md5 (`<hex>.dir` for a directory), size, nfiles. */
export interface DvcEntry {
  /** Repo-relative path. */
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  /** `hash: md5` (DVC 3.x): the object is in `files/md5/`; without it, 2.x layout and md5. */
  v3: boolean;
  cache: boolean;
  persist: boolean;
  desc?: string;
}

export interface DvcFile {
  file: string;
  outs: DvcEntry[];
  /** `dvc import`/`import-url` sources: noted, not imported. */
  deps: string[];
  frozen: boolean;
}

export interface DvcStageDecl {
  name: string;
  /** Line in dvc.yaml, for messages. */
  where: string;
  cmd: string[];
  wdir: string;
  deps: string[];
  /** mlv.yaml `params` entries as written: `key` or `{file: [keys]}`. */
  params: Array<string | Record<string, string[]>>;
  outs: Array<{ path: string; cache: boolean; persist: boolean; desc?: string }>;
  metrics: Array<{ path: string; cache: boolean; persist: boolean }>;
  plots: Array<{ path: string; cache: boolean; persist: boolean }>;
  frozen: boolean;
  desc?: string;
  alwaysChanged: boolean;
}

export interface DvcYaml {
  stages: DvcStageDecl[];
  /** Top-level keys kept only as notes (plots, metrics, params, artifacts). */
  notes: string[];
}

export interface DvcLockStage {
  cmd: string[];
  deps: DvcEntry[];
  params: Record<string, Record<string, unknown>>;
  outs: DvcEntry[];
}

const MD5 = /^[0-9a-f]{32}(\.dir)?$/;

type Doc = ReturnType<ReturnType<typeof yaml>['parseDocument']>;

function parse(text: string, file: string): { doc: Doc; lineOf: (node: unknown) => number | undefined } {
  const y = yaml();
  const lc = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`${file}:${e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line}: bad YAML: ${e.message.split('\n')[0]}`, { file });
  }
  const lineOf = (node: unknown) => {
    const r = (node as { range?: [number, number, number] } | undefined)?.range;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  return { doc, lineOf };
}

const join = (dir: string, p: string) => posix.normalize(dir === '.' ? p : `${dir}/${p}`);

function entry(raw: unknown, dir: string, where: string): DvcEntry {
  const e = raw as Record<string, unknown>;
  if (!e || typeof e !== 'object' || typeof e.path !== 'string') throw new InputError(`${where}: an entry has no path`, { where });
  const md5 = e.md5 ?? (e.hash === 'md5' ? undefined : e.checksum);
  if (md5 !== undefined && (typeof md5 !== 'string' || !MD5.test(md5))) throw new InputError(`${where}: ${e.path}: md5 ${JSON.stringify(md5)} is not a DVC md5 (32 hex, '.dir' for a directory)`, { where });
  const path = join(dir, e.path);
  if (path.startsWith('../') || path === '..' || posix.isAbsolute(path)) throw new InputError(`${where}: ${e.path} is outside the repository`, { where });
  return {
    path,
    ...(typeof md5 === 'string' ? { md5 } : {}),
    ...(typeof e.size === 'number' ? { size: e.size } : {}),
    ...(typeof e.nfiles === 'number' ? { nfiles: e.nfiles } : {}),
    v3: e.hash === 'md5',
    cache: e.cache !== false,
    persist: e.persist === true,
    ...(typeof e.desc === 'string' ? { desc: e.desc } : {}),
  };
}

/** A `.dvc` file at repo path `file`; its outs' paths are relative to its directory (and wdir). */
export function readDvcFile(text: string, file: string): DvcFile {
  const { doc } = parse(text, file);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (!Array.isArray(raw.outs)) throw new InputError(`${file}: no 'outs' list (not a .dvc file of DVC 2.x or 3.x)`, { file });
  const dir = join(posix.dirname(file), typeof raw.wdir === 'string' ? raw.wdir : '.');
  return {
    file,
    outs: raw.outs.map((o) => entry(o, dir, file)),
    deps: Array.isArray(raw.deps) ? raw.deps.map((d) => String((d as Record<string, unknown>)?.path ?? d)) : [],
    frozen: raw.frozen === true,
  };
}

const TEMPLATE = /\$\{/;

/** dvc.yaml at the repository root. */
export function readDvcYaml(text: string, file = 'dvc.yaml'): DvcYaml {
  const { doc, lineOf } = parse(text, file);
  const y = yaml();
  const top = doc.contents;
  const at = (node: unknown) => `${file}:${lineOf(node) ?? 1}`;
  if (!y.isMap(top)) throw new InputError(`${file}: expected a mapping with 'stages'`, { file });
  const notes: string[] = [];
  for (const pair of top.items) {
    const k = String((pair.key as { value?: unknown })?.value ?? pair.key);
    if (k === 'vars') throw new InputError(`${at(pair.key)}: 'vars' templating is not supported by mlv import-dvc; write the values into the stages (or params.yaml) and run it again`, { file, key: k });
    if (k !== 'stages') notes.push(`${file}: top-level '${k}' is not imported (${k === 'plots' ? 'mlv has no plots; the files stay as they are' : 'no mlv equivalent'})`);
  }
  const stagesNode = top.get('stages', true);
  const stages: DvcStageDecl[] = [];
  if (!stagesNode) return { stages, notes };
  if (!y.isMap(stagesNode)) throw new InputError(`${at(stagesNode)}: 'stages' must be a mapping`, { file });
  for (const pair of stagesNode.items) {
    const name = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const where = at(pair.key);
    const node = pair.value;
    if (!y.isMap(node)) throw new InputError(`${where}: stage '${name}' must be a mapping`, { file, stage: name });
    for (const p of node.items) {
      const k = String((p.key as { value?: unknown })?.value ?? p.key);
      if (k === 'foreach' || k === 'matrix' || k === 'do') {
        throw new InputError(`${at(p.key)}: stage '${name}' uses '${k}' templating, which mlv import-dvc does not expand; write one stage per item (dvc stage list shows them) and run it again`, { file, stage: name, key: k });
      }
    }
    const s = node.toJSON() as Record<string, unknown>;
    const template = JSON.stringify(s).match(/\$\{[^}]*\}/);
    if (template && TEMPLATE.test(template[0])) {
      throw new InputError(`${where}: stage '${name}' uses the template ${template[0]}, which mlv import-dvc does not expand; write the value in and run it again`, { file, stage: name });
    }
    const wdir = typeof s.wdir === 'string' ? posix.normalize(s.wdir) : '.';
    const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
    const outsOf = (v: unknown, cacheDefault: boolean) => list(v).map((o) => {
      if (typeof o === 'string') return { path: o, cache: cacheDefault, persist: false };
      const [path, opts] = Object.entries(o as Record<string, Record<string, unknown> | null>)[0];
      return { path, cache: opts?.cache === undefined ? cacheDefault : opts.cache !== false, persist: opts?.persist === true, ...(typeof opts?.desc === 'string' ? { desc: opts.desc } : {}) };
    });
    const params = list(s.params).map((p): string | Record<string, string[]> => {
      if (typeof p === 'string') return p;
      const [f, keys] = Object.entries(p as Record<string, unknown>)[0];
      if (!Array.isArray(keys) || keys.length === 0) {
        throw new InputError(`${where}: stage '${name}' tracks all of ${f}; mlv tracks named keys: list them (${f}: [key, …]) and run it again`, { file, stage: name });
      }
      return { [f]: keys.map(String) };
    });
    stages.push({
      name,
      where,
      cmd: list(s.cmd).map(String),
      wdir,
      deps: list(s.deps).map(String),
      params,
      outs: outsOf(s.outs, true),
      metrics: outsOf(s.metrics, true),
      plots: outsOf(s.plots, true),
      frozen: s.frozen === true,
      ...(typeof s.desc === 'string' ? { desc: s.desc } : {}),
      alwaysChanged: s.always_changed === true,
    });
  }
  return { stages, notes };
}

/** dvc.lock (schema 2.0, DVC 2.x and 3.x); paths in it are relative to each stage's wdir. */
export function readDvcLock(text: string, wdirOf: (stage: string) => string, file = 'dvc.lock'): Map<string, DvcLockStage> {
  const { doc } = parse(text, file);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (String(raw.schema) !== '2.0') throw new InputError(`${file}: schema ${JSON.stringify(raw.schema)} is not supported (DVC 2.x and 3.x write '2.0'); run dvc repro with DVC 2 or later first`, { file, key: 'schema' });
  const out = new Map<string, DvcLockStage>();
  for (const [name, v] of Object.entries((raw.stages ?? {}) as Record<string, Record<string, unknown>>)) {
    const dir = wdirOf(name);
    const where = `${file}: stage '${name}'`;
    const list = (x: unknown) => (Array.isArray(x) ? x : []);
    out.set(name, {
      cmd: (Array.isArray(v.cmd) ? v.cmd : [v.cmd]).map(String),
      deps: list(v.deps).map((e) => entry(e, dir, where)),
      params: (v.params ?? {}) as Record<string, Record<string, unknown>>,
      outs: list(v.outs).map((e) => entry(e, dir, where)),
    });
  }
  return out;
}
