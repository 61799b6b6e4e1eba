/**
 * Directory manifests (docs/FORMAT.md, "Object kinds"): canonical JSON, so the same
 * directory always hashes the same.
 */
import { InputError } from '../errors/index.js';
import { formatHash, parseHash } from './hash.js';

export interface ManifestEntry {
  path: string;
  hash: string; // hex
  size: number;
  exec: boolean;
}

export const MANIFEST_FORMAT = 'mlv-manifest';

const byteOrder = (a: string, b: string): number => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
};

export function sortEntries(entries: ManifestEntry[]): ManifestEntry[] {
  return [...entries].sort((a, b) => (a.path === b.path ? 0 : byteOrder(a.path, b.path)));
}

export function serializeManifest(entries: ManifestEntry[]): string {
  const sorted = sortEntries(entries);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path) throw new InputError(`manifest: duplicate path ${sorted[i].path}`);
  }
  const body = sorted
    .map((e) => `{"path":${JSON.stringify(e.path)},"hash":"${formatHash(e.hash)}","size":${e.size},"exec":${e.exec}}`)
    .join(',');
  return `{"format":"${MANIFEST_FORMAT}","version":1,"entries":[${body}]}`;
}

/** A relative path that stays inside its directory: no absolute, `.`, `..` or empty segments. */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
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
  if (d.version !== 1) throw new InputError(`${where}: manifest version ${String(d.version)} is newer than this mlv understands`, { where });
  if (!Array.isArray(d.entries)) throw new InputError(`${where}: manifest has no entries list`, { where });
  return d.entries.map((raw: unknown, i: number) => {
    const e = raw as Record<string, unknown>;
    const hash = parseHash(e?.hash);
    if (typeof e?.path !== 'string' || !isSafeRelativePath(e.path)) {
      throw new InputError(`${where}: entry ${i} has an unsafe path ${JSON.stringify(e?.path)} (absolute, '..' or empty segments)`, { where, entry: i });
    }
    if (!hash) throw new InputError(`${where}: entry ${i} (${e.path}) has a bad hash`, { where, entry: i });
    if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) {
      throw new InputError(`${where}: entry ${i} (${e.path}) has a bad size`, { where, entry: i });
    }
    return { path: e.path, hash, size: e.size, exec: e.exec === true };
  });
}
