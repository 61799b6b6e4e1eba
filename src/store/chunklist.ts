/**
 * Chunk lists and the names of chunked files (docs/FORMAT.md, "Chunked files"). A chunked
 * file's id is `sha256-chunks:<hex of its chunk list>` everywhere a hash is kept; a blob's
 * id stays its bare hex.
 */
import { InputError } from '../errors/index.js';
import { formatHash, parseHash } from './hash.js';

export const CHUNKED_PREFIX = 'sha256-chunks:';
export const CHUNKS_FORMAT = 'mlv-chunks';

export interface Chunk {
  hash: string; // hex
  size: number;
}

export const isChunkedId = (id: string): boolean => id.startsWith(CHUNKED_PREFIX);
export const chunkedId = (listHex: string): string => CHUNKED_PREFIX + listHex;
/** The chunk list object's hash of a chunked id; the id itself for a blob. */
export const objectOf = (id: string): string => (isChunkedId(id) ? id.slice(CHUNKED_PREFIX.length) : id);

export function serializeChunkList(chunks: readonly Chunk[]): string {
  let size = 0;
  const body: string[] = [];
  for (const c of chunks) {
    size += c.size;
    body.push(`{"hash":"${formatHash(c.hash)}","size":${c.size}}`);
  }
  return `{"format":"${CHUNKS_FORMAT}","version":1,"size":${size},"chunks":[${body.join(',')}]}`;
}

export function parseChunkList(data: Buffer | string, where: string): { size: number; chunks: Chunk[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString());
  } catch {
    throw new InputError(`${where}: chunk list is not valid JSON`, { where });
  }
  const d = doc as { format?: unknown; version?: unknown; size?: unknown; chunks?: unknown };
  if (d?.format !== CHUNKS_FORMAT) throw new InputError(`${where}: not a chunk list (format ${JSON.stringify(d?.format)})`, { where });
  if (d.version !== 1) throw new InputError(`${where}: chunk list version ${String(d.version)} is newer than this mlv understands`, { where });
  if (!Array.isArray(d.chunks)) throw new InputError(`${where}: chunk list has no chunks`, { where });
  let total = 0;
  const chunks = d.chunks.map((raw: unknown, i: number): Chunk => {
    const c = raw as Record<string, unknown>;
    const hash = parseHash(c?.hash);
    if (!hash || isChunkedId(hash)) throw new InputError(`${where}: chunk ${i} has a bad hash`, { where, chunk: i });
    if (typeof c.size !== 'number' || !Number.isSafeInteger(c.size) || c.size <= 0) throw new InputError(`${where}: chunk ${i} has a bad size`, { where, chunk: i });
    total += c.size;
    return { hash, size: c.size };
  });
  if (d.size !== total) throw new InputError(`${where}: chunk sizes add up to ${total}, the list says ${String(d.size)}`, { where });
  return { size: total, chunks };
}
