/**
 * Parameters: values read from params.yaml (or other YAML/JSON files) by dotted key,
 * flattened views for diffs, and edits that keep the file's comments (`-S key=value`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJSOf, yaml } from '../yaml.js';
import { cachedParse } from '../repo/parseCache.js';
import { InputError, NotFoundError } from '../errors/index.js';
import { resolveRev } from '../git/porcelain.js';
import { writeFileAtomic } from '../store/atomic.js';
import { workPath } from '../repo/workpath.js';
import { DEFAULT_PARAMS, PIPELINE_FILE, parsePipeline } from './load.js';
import { MAX_WHOLE_PARAMS_BYTES, SECTION_MIN_BYTES, topLevelSections } from './yamlSections.js';

const MISSING = Symbol('missing');

/** Parse a params or metrics file by its extension (JSON for .json, YAML otherwise). */
export function parseDataFile(text: string, file: string, what = 'params'): unknown {
  if (file.endsWith('.json')) {
    try { return JSON.parse(text); } catch (e) {
      throw new InputError(`${file}: not valid JSON (${(e as Error).message})`, { file }, what === 'metrics' ? 'EMETRICS' : 'EPARAMS');
    }
  }
  const lc = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { prettyErrors: false, lineCounter: lc });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`${file}:${e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line}: not valid ${what === 'metrics' ? 'JSON or YAML' : 'YAML'} (${e.message.split('\n')[0]})`, { file }, what === 'metrics' ? 'EMETRICS' : 'EPARAMS');
  }
  return toJSOf(doc, file);
}

/**
 * A params file as far as `keys` (dotted) need it. A YAML file over SECTION_MIN_BYTES is
 * parsed only in the top-level entries the keys start with (pipeline/yamlSections.ts);
 * one that cannot be cut is parsed whole up to MAX_WHOLE_PARAMS_BYTES, and refused past
 * that with one line naming the file. `root` enables the parse cache (whole files only).
 */
export function parseParamsFile(root: string | undefined, file: string, text: string, keys: Iterable<string>): unknown {
  const whole = () => cachedParse(root, `params:${file}`, text, () => parseDataFile(text, file));
  if (file.endsWith('.json') || text.length < SECTION_MIN_BYTES) return whole();
  const cut = topLevelSections(text, new Set([...keys].map((k) => k.split('.')[0])));
  if ('text' in cut) return parseDataFile(cut.text, file) ?? {};
  if (text.length <= MAX_WHOLE_PARAMS_BYTES) return whole();
  const mib = (text.length / 1024 / 1024).toFixed(1);
  throw new InputError(`${file}: ${mib} MiB of YAML that mlv cannot read by section (${cut.reason}); a params file is parsed whole only up to ${MAX_WHOLE_PARAMS_BYTES / 1024 / 1024} MiB (docs/pipelines.md, "Limits")`, { file, reason: cut.reason, limit: MAX_WHOLE_PARAMS_BYTES }, 'EPARAMSIZE');
}

/** Value at a dotted key; MISSING when absent. */
export function getPath(obj: unknown, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.prototype.hasOwnProperty.call(cur, part)) cur = (cur as Record<string, unknown>)[part];
    else if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
    else return MISSING;
  }
  return cur;
}

export function isMissing(v: unknown): boolean {
  return v === MISSING;
}

/** `{ train: { n: 1 } }` → `{ 'train.n': 1 }`; lists stay whole values. */
export function flatten(obj: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    const entries = Object.entries(obj as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = {};
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = obj;
  return out;
}

/** Reads files of the work tree (rev undefined) or of a commit. */
export async function readText(root: string, rev: string | undefined, file: string): Promise<string | undefined> {
  if (rev === undefined) {
    const p = workPath(root, file, file, { leaf: true });
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }
  // isomorphic-git costs ~0.5 s to load: only commands that read old commits pay for it.
  const { readFileAt } = await import('../git/iso.js');
  const commit = /^[0-9a-f]{40}$/.test(rev) ? rev : resolveRev(root, rev);
  return (await readFileAt(root, commit, file))?.toString('utf8');
}

/**
 * Every parameter of a version, flattened: keys of params.yaml bare
 * (`train.n_estimators`), keys of other params files the pipeline names as
 * `file:key`. Of a YAML file over 256 KiB, only the top-level entries stages use
 * (parseParamsFile). `rev` is a revision (commit id, branch, HEAD~1…); undefined reads the work tree.
 * @example
 *   await readParams(root)          // { 'train.n_estimators': 100, 'conf.json:lr': 0.1 }
 *   await readParams(root, commit)
 */
export async function readParams(root: string, rev?: string): Promise<Record<string, unknown>> {
  const files = new Set<string>([DEFAULT_PARAMS]);
  const used = new Map<string, string[]>(); // file → keys stages name (what a big file is read for)
  const pipelineText = await readText(root, rev, PIPELINE_FILE);
  if (pipelineText !== undefined) {
    try {
      for (const s of parsePipeline(pipelineText, PIPELINE_FILE, root).stages.values()) {
        for (const p of s.params) { files.add(p.file); used.set(p.file, [...(used.get(p.file) ?? []), p.key]); }
      }
    } catch {
      // An old commit's broken mlv.yaml must not hide its params.yaml.
    }
  }
  const out: Record<string, unknown> = {};
  for (const file of [...files].sort((a, b) => (a === DEFAULT_PARAMS ? -1 : b === DEFAULT_PARAMS ? 1 : a < b ? -1 : 1))) {
    const text = await readText(root, rev, file);
    if (text === undefined) continue;
    const flat = flatten(parseParamsFile(rev === undefined ? root : undefined, file, text, used.get(file) ?? []));
    for (const [k, v] of Object.entries(flat)) out[file === DEFAULT_PARAMS ? k : `${file}:${k}`] = v;
  }
  return out;
}

/** Split `file:key` (or a bare key of params.yaml). */
export function splitParamKey(spec: string): { file: string; key: string } {
  const colon = spec.lastIndexOf(':');
  return colon > 0 ? { file: spec.slice(0, colon), key: spec.slice(colon + 1) } : { file: DEFAULT_PARAMS, key: spec };
}

/** Values of the given params, read from the work tree; a missing file or key is an InputError. */
export function paramValues(root: string, refs: Array<{ file: string; key: string }>, usedBy: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const parsed = new Map<string, unknown>();
  for (const { file, key } of refs) {
    if (!parsed.has(file)) {
      const p = workPath(root, file, usedBy, { leaf: true });
      if (!existsSync(p)) throw new NotFoundError('params', `${file}: params file not found (${usedBy} uses '${key}')`, { file, key });
      const text = readFileSync(p, 'utf8');
      parsed.set(file, parseParamsFile(root, file, text, refs.filter((r) => r.file === file).map((r) => r.key)));
    }
    const v = getPath(parsed.get(file), key);
    if (v === MISSING) throw new InputError(`${file}: no parameter '${key}' (${usedBy} uses it)`, { file, key }, 'EPARAMKEY');
    (out[file] ??= {})[key] = v;
  }
  return out;
}

/** Parse a command-line value with YAML scalar rules: `50` → 50, `true` → true, `abc` → 'abc'. */
export function parseParamValue(text: string): unknown {
  try { return yaml().parse(text); } catch { return text; }
}

/**
 * Set one parameter, keeping the file's comments and layout (YAML via the `yaml`
 * Document API; JSON rewritten with 2-space indent). The key must exist unless `create`.
 * @example
 *   setParam(root, 'train.n_estimators', 200)
 *   setParam(root, 'conf.json:lr', 0.05)
 */
export function setParam(root: string, spec: string, value: unknown, opts: { create?: boolean } = {}): void {
  const { file, key } = splitParamKey(spec);
  const p = workPath(root, file, `parameter '${spec}'`, { leaf: true });
  if (!existsSync(p)) throw new NotFoundError('params', `${file}: params file not found (setting '${key}')`, { file, key });
  const text = readFileSync(p, 'utf8');
  const path = key.split('.');
  if (file.endsWith('.json')) {
    const obj = parseDataFile(text, file);
    if (!opts.create && getPath(obj, key) === MISSING) throw new InputError(`${file}: no parameter '${key}' to set`, { file, key }, 'EPARAMKEY');
    let cur = obj as Record<string, unknown>;
    for (const part of path.slice(0, -1)) {
      if (cur[part] === undefined && opts.create) cur[part] = {};
      if (!cur[part] || typeof cur[part] !== 'object') throw new InputError(`${file}: '${key}' goes through '${part}', which is not a mapping`, { file, key });
      cur = cur[part] as Record<string, unknown>;
    }
    cur[path[path.length - 1]] = value;
    writeFileAtomic(p, JSON.stringify(obj, null, 2) + '\n');
    return;
  }
  const doc = yaml().parseDocument(text);
  if (doc.errors.length) parseDataFile(text, file);
  if (!opts.create && !doc.hasIn(path)) throw new InputError(`${file}: no parameter '${key}' to set`, { file, key }, 'EPARAMKEY');
  for (let i = 1; i < path.length; i++) {
    const parent = doc.getIn(path.slice(0, i), true);
    if (parent !== undefined && !yaml().isMap(parent)) throw new InputError(`${file}: '${key}' goes through '${path.slice(0, i).join('.')}', which is not a mapping`, { file, key });
  }
  const node = doc.getIn(path, true);
  // A fresh node (so a quoted "100" does not stay a string) that keeps the old one's comments.
  const fresh = doc.createNode(value);
  if (yaml().isScalar(node) || yaml().isMap(node)) {
    fresh.comment = node.comment;
    fresh.commentBefore = node.commentBefore;
    fresh.spaceBefore = node.spaceBefore;
  }
  doc.setIn(path, fresh);
  writeFileAtomic(p, doc.toString());
}
