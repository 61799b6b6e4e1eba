/**
 * Directory manifests (docs/FORMAT.md, "Object kinds"): canonical JSON, so the same
 * directory always hashes the same.
 */
import { InputError } from '../errors/index.js';
import { formatHash, parseHash } from './hash.js';
import { isChunkedId } from './chunklist.js';

export interface ManifestEntry {
  path: string;
  hash: string; // hex
  size: number;
  exec: boolean;
}

export const MANIFEST_FORMAT = 'mlv-manifest';

/**
 * UTF-8 byte order without encoding: UTF-16 code units already sort that way, except
 * that surrogates (U+D800–DFFF, astral code points) must sort above U+E000–FFFF.
 */
function unitRank(u: number): number {
  if (u < 0xd800) return u;
  return u < 0xe000 ? u + 0x2000 : u - 0x800;
}

export function byteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

/** Entries in manifest order; a walk usually yields them sorted already, so check first. */
export function sortEntries(entries: ManifestEntry[]): ManifestEntry[] {
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = byteOrder(entries[i - 1].path, entries[i].path) < 0;
  return sorted ? entries : [...entries].sort((a, b) => byteOrder(a.path, b.path));
}

export function serializeManifest(entries: ManifestEntry[]): string {
  const sorted = sortEntries(entries);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path) throw new InputError(`manifest: duplicate path ${sorted[i].path}`);
  }
  let version = 1;
  const body = sorted
    .map((e) => {
      if (isChunkedId(e.hash)) version = 2;
      return `{"path":${JSON.stringify(e.path)},"hash":"${formatHash(e.hash)}","size":${e.size},"exec":${e.exec}}`;
    })
    .join(',');
  // Version 2 only when an entry is a chunked file: other manifests stay as version 1 wrote them.
  return `{"format":"${MANIFEST_FORMAT}","version":${version},"entries":[${body}]}`;
}

/** A relative path that stays inside its directory: no absolute, `.`, `..` or empty segments. */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.includes('\\') || p.includes('\0')) return false;
  // Check each '/'-separated segment in place (manifests hold many thousands of paths).
  for (let start = 0; start <= p.length;) {
    let end = p.indexOf('/', start);
    if (end === -1) end = p.length;
    const len = end - start;
    if (len === 0) return false;
    if (p.charCodeAt(start) === 46 && (len === 1 || (len === 2 && p.charCodeAt(start + 1) === 46))) return false;
    start = end + 1;
  }
  return true;
}

export function parseManifest(data: Buffer | string, where: string): ManifestEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString());
  } catch {
    throw new InputError(`${where}: manifest is not valid JSON`, { where });
  }
  const d = doc as { format?: unknown; version?: unknown; entries?: unknown };
  if (d?.format !== MANIFEST_FORMAT) throw new InputError(`${where}: not a manifest (format ${JSON.stringify(d?.format)})`, { where });
  if (d.version !== 1 && d.version !== 2) throw new InputError(`${where}: manifest version ${String(d.version)} is newer than this mlv understands`, { where });
  if (!Array.isArray(d.entries)) throw new InputError(`${where}: manifest has no entries list`, { where });
  const entries = d.entries.map((raw: unknown, i: number) => {
    const e = raw as Record<string, unknown>;
    const hash = parseHash(e?.hash);
    if (typeof e?.path !== 'string' || !isSafeRelativePath(e.path)) {
      throw new InputError(`${where}: entry ${i} has an unsafe path ${JSON.stringify(e?.path)} (absolute, '..' or empty segments)`, { where, entry: i });
    }
    if (!hash) throw new InputError(`${where}: entry ${i} (${e.path}) has a bad hash`, { where, entry: i });
    if (d.version === 1 && isChunkedId(hash)) throw new InputError(`${where}: entry ${i} (${e.path}) names a chunked file, which needs manifest version 2`, { where, entry: i });
    if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) {
      throw new InputError(`${where}: entry ${i} (${e.path}) has a bad size`, { where, entry: i });
    }
    return { path: e.path, hash, size: e.size, exec: e.exec === true };
  });
  checkNoOverlap(entries, where);
  return entries;
}

/**
 * Each path once, and no file that is also a directory (`a` and `a/b`): checkout would
 * write both, or fail half-way with EEXIST. Checked when read, before any write.
 */
function checkNoOverlap(entries: ManifestEntry[], where: string): void {
  const files = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i].path;
    if (files.has(p)) throw new InputError(`${where}: entry ${i} (${p}) is listed twice`, { where, entry: i });
    files.add(p);
  }
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i].path;
    for (let cut = p.indexOf('/'); cut > 0; cut = p.indexOf('/', cut + 1)) {
      if (files.has(p.slice(0, cut))) throw new InputError(`${where}: entry ${i} (${p}) lies under ${p.slice(0, cut)}, which is a file in the same manifest`, { where, entry: i });
    }
  }
}
