/**
 * `<path>.mlv` pointer files (docs/FORMAT.md, "Pointers").
 */
import { toJSOf, yaml } from '../yaml.js';
import { InputError } from '../errors/index.js';
import { formatHash, parseHash } from '../store/hash.js';
import { isChunkedId } from '../store/chunklist.js';

export const POINTER_SUFFIX = '.mlv';

export interface Pointer {
  kind: 'file' | 'dir';
  hash: string; // hex of the blob or manifest
  size: number;
  files: number;
  desc?: string;
}

const KEYS = new Set(['format', 'kind', 'hash', 'size', 'files', 'desc']);

export function pointerPathFor(dataPath: string): string {
  return dataPath + POINTER_SUFFIX;
}

export function dataPathFor(pointerPath: string): string {
  return pointerPath.slice(0, -POINTER_SUFFIX.length);
}

export function renderPointer(p: Pointer): string {
  const lines = [
    '# mlv pointer: the data lives in the mlv cache; commit this file.',
    // Format 2 only where needed: a chunked file's name, which format 1 cannot hold.
    `format: ${isChunkedId(p.hash) ? 2 : 1}`,
    `kind: ${p.kind}`,
    `hash: ${formatHash(p.hash)}`,
    `size: ${p.size}`,
    `files: ${p.files}`,
  ];
  if (p.desc !== undefined && p.desc !== '') lines.push(`desc: ${JSON.stringify(p.desc)}`);
  return lines.join('\n') + '\n';
}

const CANONICAL = /^# mlv pointer: [^\n]*\nformat: [12]\nkind: (file|dir)\nhash: (?:sha256:([0-9a-f]{64})|(sha256-chunks:[0-9a-f]{64}))\nsize: (\d{1,15})\nfiles: (\d{1,15})\n(?:desc: ("[^\n]*")\n)?$/;

/**
 * A pointer exactly as renderPointer writes it, read without the YAML parser (status
 * reads every pointer, and loading `yaml` alone costs more than reading hundreds).
 * Anything else, hand edits included, goes through YAML.
 */
function parseCanonical(text: string): Pointer | undefined {
  const m = CANONICAL.exec(text);
  if (!m) return undefined;
  let desc: string | undefined;
  if (m[6] !== undefined) {
    try { desc = JSON.parse(m[6]) as string; } catch { return undefined; }
    if (typeof desc !== 'string') return undefined;
  }
  const p: Pointer = { kind: m[1] as 'file' | 'dir', hash: m[2] ?? m[3], size: Number(m[4]), files: Number(m[5]), desc };
  return renderPointer(p).slice(text.indexOf('\n')) === text.slice(text.indexOf('\n')) ? p : undefined;
}

/** Parse a pointer; every problem names the file (and line, where YAML knows it). */
export function parsePointer(text: string, file: string): Pointer {
  const fast = parseCanonical(text);
  if (fast) return fast;
  const doc = yaml().parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new InputError(`${file}${line ? `:${line}` : ''}: not a valid pointer (bad YAML: ${e.message.split('\n')[0]})`, { file, line });
  }
  const raw = toJSOf(doc, file) as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${file}: not a valid pointer (expected a mapping)`, { file });
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) throw new InputError(`${file}: unknown key '${k}' in pointer`, { file, key: k });
  for (const k of ['format', 'kind', 'hash', 'size', 'files']) if (raw[k] === undefined) throw new InputError(`${file}: pointer has no '${k}'`, { file, key: k });
  if (raw.format !== 1 && raw.format !== 2) throw new InputError(`${file}: pointer format ${JSON.stringify(raw.format)} is not supported (1, 2)`, { file, key: 'format' });
  if (raw.kind !== 'file' && raw.kind !== 'dir') throw new InputError(`${file}: kind must be 'file' or 'dir'`, { file, key: 'kind' });
  const hash = parseHash(raw.hash);
  if (!hash) throw new InputError(`${file}: hash must be sha256:<64 hex digits> or sha256-chunks:<64 hex digits>, got ${JSON.stringify(raw.hash)}`, { file, key: 'hash' });
  if (isChunkedId(hash) && raw.format !== 2) throw new InputError(`${file}: a chunked file's hash (sha256-chunks:) needs format: 2`, { file, key: 'format' });
  for (const k of ['size', 'files'] as const) {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InputError(`${file}: ${k} must be a non-negative integer`, { file, key: k });
  }
  if (raw.desc !== undefined && typeof raw.desc !== 'string') throw new InputError(`${file}: desc must be text`, { file, key: 'desc' });
  return { kind: raw.kind, hash, size: raw.size as number, files: raw.files as number, desc: raw.desc as string | undefined };
}
