/**
 * `mlv.lock` (docs/FORMAT.md, "mlv.lock"): YAML with sorted keys, one block per stage
 * separated by blank lines, so branches that changed different stages merge cleanly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { toJSOf, yaml } from '../yaml.js';
import { cachedParse } from './parseCache.js';
import { InputError } from '../errors/index.js';
import { checkPathText, workPath } from './workpath.js';
import { writeFileAtomic } from '../store/atomic.js';
import { formatHash, parseHash } from '../store/hash.js';

/** A file or directory as recorded in mlv.lock. */
export interface LockedPath {
  path: string;
  kind: 'file' | 'dir';
  hash: string; // hex
  size: number;
  files: number;
}

export interface LockedOut extends LockedPath {
  cache: boolean;
}

export interface LockedMetric extends LockedOut {
  /** Every number in the file, flattened: `{ "accuracy": 0.93, "train.loss": 0.2 }`. */
  values: Record<string, number>;
}

export interface EnvFingerprint {
  node: string;
  mlv: string;
  os: string;
  arch: string;
  /** The dependency lockfile of what the stage runs (package-lock.json, requirements.txt…). */
  lockfile?: { path: string; hash: string };
}

export interface LockStage {
  cmd: string[];
  deps: LockedPath[];
  /** params file → key → value. */
  params: Record<string, Record<string, unknown>>;
  outs: LockedOut[];
  metrics: LockedMetric[];
  env: EnvFingerprint;
}

export interface Lock {
  stages: Record<string, LockStage>;
}
import { isChunkedId } from '../store/chunklist.js';

export const LOCK_FILE = 'mlv.lock';
const HEADER = '# mlv.lock: written by `mlv repro`; what each stage used and produced. Commit it.\n';

const STAGE_KEYS = new Set(['cmd', 'deps', 'params', 'outs', 'metrics', 'env']);

/**
 * Parse mlv.lock text. Problems name the file, stage and key.
 * @example
 *   const lock = readLock(readFileSync('mlv.lock', 'utf8'), 'mlv.lock');
 */
export function readLock(text: string, file: string): Lock {
  const lc = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { prettyErrors: false, lineCounter: lc });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`${file}:${e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line}: bad YAML: ${e.message.split('\n')[0]}`, { file });
  }
  const raw = (toJSOf(doc, file) ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${file}: expected a mapping`, { file });
  if (raw.schema !== 1 && raw.schema !== 2) throw new InputError(`${file}: lock schema ${JSON.stringify(raw.schema)} is not supported by this mlv (1, 2)`, { file, key: 'schema' });
  for (const k of Object.keys(raw)) if (k !== 'schema' && k !== 'stages') throw new InputError(`${file}: unknown key '${k}'`, { file, key: k });
  const stagesRaw = (raw.stages ?? {}) as Record<string, unknown>;
  if (typeof stagesRaw !== 'object' || Array.isArray(stagesRaw)) throw new InputError(`${file}: 'stages' must be a mapping`, { file });
  const stages: Record<string, LockStage> = {};
  for (const [name, v] of Object.entries(stagesRaw)) stages[name] = readStage(v, `${file}: stage '${name}'`);
  return { stages };
}

/**
 * mlv.lock text where a lock that is absent, damaged or from a newer mlv must not stop the
 * reader (a commit of the history shown without its values): the lock, or undefined.
 */
export function readLockIfValid(text: string | undefined, file = LOCK_FILE): Lock | undefined {
  if (text === undefined) return undefined;
  try { return readLock(text, file); } catch { return undefined; }
}

function readStage(v: unknown, where: string): LockStage {
  const bad = (msg: string): never => { throw new InputError(`${where}: ${msg}`, { where }); };
  if (!v || typeof v !== 'object' || Array.isArray(v)) return bad('expected a mapping');
  const s = v as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!STAGE_KEYS.has(k)) bad(`unknown key '${k}'`);
  const cmd = typeof s.cmd === 'string' ? [s.cmd] : Array.isArray(s.cmd) ? s.cmd.map(String) : bad("'cmd' is missing");
  const list = (x: unknown, key: string): Record<string, unknown>[] => {
    if (x === undefined || x === null) return [];
    if (!Array.isArray(x)) return bad(`'${key}' must be a list`);
    return x as Record<string, unknown>[];
  };
  const path = (e: Record<string, unknown>, key: string): LockedPath => {
    const hash = parseHash(e.hash);
    if (typeof e.path !== 'string' || !hash) return bad(`an entry of '${key}' needs a path and a sha256 hash`);
    checkPathText(e.path, `${where} (${key})`);
    return {
      path: e.path,
      kind: e.kind === 'dir' ? 'dir' : 'file',
      hash,
      size: typeof e.size === 'number' ? e.size : 0,
      files: typeof e.files === 'number' ? e.files : 1,
    };
  };
  const out = (e: Record<string, unknown>, key: string): LockedOut => ({ ...path(e, key), cache: e.cache !== false });
  const params = (s.params ?? {}) as Record<string, Record<string, unknown>>;
  if (typeof params !== 'object' || Array.isArray(params)) bad("'params' must be a mapping of file → values");
  const env = (s.env ?? {}) as Record<string, unknown>;
  const lockfile = env.lockfile as { path?: unknown; hash?: unknown } | undefined;
  return {
    cmd,
    deps: list(s.deps, 'deps').map((e) => path(e, 'deps')),
    params,
    outs: list(s.outs, 'outs').map((e) => out(e, 'outs')),
    metrics: list(s.metrics, 'metrics').map((e): LockedMetric => ({ ...out(e, 'metrics'), values: (e.values ?? {}) as Record<string, number> })),
    env: {
      node: String(env.node ?? ''),
      mlv: String(env.mlv ?? ''),
      os: String(env.os ?? ''),
      arch: String(env.arch ?? ''),
      ...(lockfile && typeof lockfile.path === 'string' ? { lockfile: { path: lockfile.path, hash: parseHash(lockfile.hash) ?? String(lockfile.hash) } } : {}),
    },
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

function pathRecord(p: LockedPath): Record<string, unknown> {
  const r: Record<string, unknown> = { path: p.path, kind: p.kind, hash: formatHash(p.hash), size: p.size };
  if (p.kind === 'dir') r.files = p.files;
  return r;
}

function stageRecord(s: LockStage): Record<string, unknown> {
  const env: Record<string, unknown> = { node: s.env.node, mlv: s.env.mlv, os: s.env.os, arch: s.env.arch };
  if (s.env.lockfile) env.lockfile = { path: s.env.lockfile.path, hash: formatHash(s.env.lockfile.hash) };
  const rec: Record<string, unknown> = {
    cmd: s.cmd.length === 1 ? s.cmd[0] : s.cmd,
    deps: [...s.deps].sort(byPath).map(pathRecord),
    env,
  };
  if (Object.keys(s.params).length) rec.params = s.params;
  if (s.outs.length) rec.outs = [...s.outs].sort(byPath).map((o) => ({ ...pathRecord(o), cache: o.cache }));
  if (s.metrics.length) rec.metrics = [...s.metrics].sort(byPath).map((m) => ({ ...pathRecord(m), cache: m.cache, values: m.values }));
  return sortKeys(rec) as Record<string, unknown>;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The exact bytes of mlv.lock for `lock`: same lock, same bytes. */
export function renderLock(lock: Lock): string {
  const names = Object.keys(lock.stages).sort();
  // Schema 2 only when a chunked file is named: other locks stay as schema 1 wrote them.
  const schema = names.some((n) => namesChunked(lock.stages[n])) ? 2 : 1;
  let text = HEADER + `schema: ${schema}\nstages:\n`;
  if (names.length === 0) return HEADER + 'schema: 1\nstages: {}\n';
  const blocks = names.map((name) => {
    const body = yaml().stringify({ [name]: stageRecord(lock.stages[name]) }, { lineWidth: 0, indent: 2 });
    return body.trimEnd().split('\n').map((l) => '  ' + l).join('\n') + '\n';
  });
  text += blocks.join('\n');
  return text;
}

const namesChunked = (s: LockStage): boolean => [...s.deps, ...s.outs, ...s.metrics].some((p) => isChunkedId(p.hash));

/** The lock of a work tree; an empty lock when there is none yet. */
export function loadLock(root: string, file = LOCK_FILE): Lock {
  const p = workPath(root, file, file, { leaf: true });
  if (!existsSync(p)) return { stages: {} };
  const text = readFileSync(p, 'utf8');
  // Parsing costs ~10 ms per stage in a fresh process: the parsed lock is cached by its text's hash.
  return file === LOCK_FILE ? cachedParse(root, LOCK_FILE, text, () => readLock(text, file)) : readLock(text, file);
}

export function writeLock(root: string, lock: Lock, file = LOCK_FILE): void {
  const p = workPath(root, file, file, { leaf: true });
  const text = renderLock(lock);
  if (existsSync(p) && readFileSync(p, 'utf8') === text) return;
  writeFileAtomic(p, text);
  // The next read of this text need not parse it: render → read round-trips exactly.
  if (file === LOCK_FILE) cachedParse(root, LOCK_FILE, text, () => lock);
}

export function envOf(e: EnvFingerprint): Record<string, string> {
  const r: Record<string, string> = { node: e.node, mlv: e.mlv, os: e.os, arch: e.arch };
  if (e.lockfile) r[`lockfile ${e.lockfile.path}`] = e.lockfile.hash;
  return r;
}
