/**
 * Chunked files in the store (docs/FORMAT.md, "Chunked files"): cutting a file into
 * chunks while hashing and storing them from the same buffers, and assembling a file
 * from its verified chunks.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { InputError, NotFoundError } from '../errors/index.js';
import { CHUNKING, findCut, type ChunkParams } from './chunker.js';
import { chunkedId, isChunkedId, objectOf, parseChunkList, serializeChunkList, type Chunk } from './chunklist.js';
import { CHUNK, hashBytes, hashFile, hashFileSync } from './hash.js';

/** What chunking needs of the object store (ObjectStore; an interface, so neither imports the other). */
export interface ObjectStore {
  has(hash: string): boolean;
  missing(hashes: Iterable<string>): string[];
  path(hash: string): string;
  tempPath(hint?: string): string;
  installTemp(tmp: string, hash: string): void;
  addBytes(data: Uint8Array | string): { hash: string; size: number };
  readVerified(hash: string): Buffer;
  corrupt(hash: string, actual: string, what?: string): Error;
}

/** Bytes read per call: big reads (4 MiB and up) are what make a stream fast here. */
const READ = 16 << 20;
/** Chunks being written at once (each holds its window of the file in memory). */
const IN_FLIGHT = 8;
/** Read windows reused in turn by cutFile: one being cut, one being read, one whose chunks are still being written. */
const WINDOWS = 3;

export interface CutResult {
  id: string;
  size: number;
  chunks: Chunk[];
}

/**
 * Cut a file into chunks and hash each; with `store`, also write each new chunk and then
 * the chunk list (data before what names it). Each byte is read once and hashed once:
 * the chunk's SHA-256 is its name, and the file's id is that of the list of them.
 * Throws InputError when the file changed while being read.
 */
export async function cutFile(path: string, opts: { store?: ObjectStore; onBytes?: (n: number) => void; params?: ChunkParams } = {}): Promise<CutResult> {
  const p = opts.params ?? CHUNKING;
  const before = await stat(path);
  const fh = await open(path, 'r');
  const chunks: Chunk[] = [];
  // Each window has `p.max` bytes of head room, where the unfinished chunk of the
  // previous window is copied: chunks are contiguous without copying whole reads.
  // WINDOWS buffers are reused in turn (fresh ones cost a page fault per 4 KiB, about a
  // third more system time); a window is read into again only once the chunk writes
  // that point into it are done.
  const head = p.max;
  const len = Math.max(READ, p.max);
  const windows = Array.from({ length: Math.min(WINDOWS, Math.ceil(before.size / len) + 1) }, () => ({ buf: Buffer.allocUnsafeSlow(head + len), writes: [] as Array<Promise<void>> }));
  let inFlight = 0;
  const emit = async (w: (typeof windows)[number], data: Buffer) => {
    const hash = createHash('sha256').update(data).digest('hex');
    chunks.push({ hash, size: data.length });
    opts.onBytes?.(data.length);
    if (!opts.store || opts.store.has(hash)) return;
    inFlight++;
    const write = writeChunk(opts.store, hash, data).finally(() => { inFlight--; });
    write.catch(() => {}); // handled where it is awaited: by the next read into this window, or at the end
    w.writes.push(write);
    if (inFlight >= IN_FLIGHT) await write;
  };
  const read = async (k: number, off: number) => {
    const w = windows[k % windows.length];
    await Promise.all(w.writes.splice(0));
    const n = await readInto(fh, w.buf, head, len, off);
    return { w, n };
  };
  let total = 0;
  try {
    let k = 0;
    let pending = read(k, 0);
    let leftover: Buffer | undefined;
    for (;;) {
      const { w, n } = await pending;
      total += n;
      const eof = n === 0;
      const start = head - (leftover?.length ?? 0);
      // The unfinished chunk moves to this window's head before the next read can reuse its window.
      if (leftover) leftover.copy(w.buf, start);
      if (!eof) pending = read(++k, total);
      const buf = w.buf;
      const end = head + n;
      let s = start;
      while (s < end) {
        let c = findCut(buf, s, end, p);
        if (c === -1) {
          if (!eof) break;
          c = end;
        }
        await emit(w, buf.subarray(s, c));
        s = c;
      }
      leftover = s < end ? buf.subarray(s, end) : undefined;
      if (eof) break;
    }
    await Promise.all(windows.flatMap((w) => w.writes));
  } finally {
    await Promise.allSettled(windows.flatMap((w) => w.writes));
    await fh.close();
  }
  const after = await stat(path);
  if (total !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new InputError(`${path}: the file changed while it was being read; try again`, { path });
  }
  const list = serializeChunkList(chunks);
  const listHash = opts.store ? opts.store.addBytes(list).hash : hashBytes(list);
  return { id: chunkedId(listHash), size: total, chunks };
}

async function readInto(fh: FileHandle, buf: Buffer, at: number, len: number, position: number): Promise<number> {
  let n = 0;
  while (n < len) {
    const r = await fh.read(buf, at + n, len - n, position + n);
    if (r.bytesRead === 0) break;
    n += r.bytesRead;
  }
  return n;
}

async function writeChunk(store: ObjectStore, hash: string, data: Buffer): Promise<void> {
  const tmp = store.tempPath('chunk');
  try {
    await writeFile(tmp, data, { mode: 0o444 });
    store.installTemp(tmp, hash);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The chunks of a chunked id, from its list in the cache (verified). */
export function readChunkList(store: ObjectStore, id: string, where: string): { size: number; chunks: Chunk[] } {
  const listHash = objectOf(id);
  return parseChunkList(store.readVerified(listHash), `${where} (chunk list ${listHash.slice(0, 12)})`);
}

/**
 * Write a chunked file to `dest` from its chunks, verifying each against its name as it
 * goes: one read and one hash per byte. Reads run ahead of the hashing and the writes
 * behind it, on libuv's pool, so the three overlap.
 */
export async function assemble(store: ObjectStore, id: string, dest: string, where: string, onBytes?: (n: number) => void): Promise<void> {
  const { chunks } = readChunkList(store, id, where);
  for (let i = 0; i < chunks.length; i++) {
    if (!store.has(chunks[i].hash)) {
      throw new NotFoundError('object', `${where}: chunk ${i + 1} of ${chunks.length} (${chunks[i].hash}) is not in the cache (.mlv/cache); run mlv pull`, { hash: chunks[i].hash, chunk: i });
    }
  }
  const fh = await open(dest, 'w', 0o644);
  // Buffers are reused (a fresh one per chunk costs a page fault per 4 KiB): IN_FLIGHT
  // being read, one hashed, one written; each returns to `free` once written.
  const largest = chunks.reduce((m, c) => Math.max(m, c.size), 0);
  const free: Buffer[] = Array.from({ length: Math.min(chunks.length, IN_FLIGHT + 2) }, () => Buffer.allocUnsafeSlow(largest));
  const readChunk = async (i: number, buf: Buffer): Promise<{ buf: Buffer; data: Buffer }> => {
    const src = await open(store.path(chunks[i].hash), 'r');
    try {
      return { buf, data: buf.subarray(0, await readInto(src, buf, 0, buf.length, 0)) };
    } finally {
      await src.close();
    }
  };
  try {
    const reads: Array<Promise<{ buf: Buffer; data: Buffer }>> = [];
    let next = 0;
    const ahead = () => { while (next < chunks.length && free.length > 0) reads.push(readChunk(next++, free.pop()!)); };
    ahead();
    let pos = 0;
    let writing: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < chunks.length; i++) {
      const { buf, data } = await reads.shift()!;
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== chunks[i].hash) {
        throw store.corrupt(chunks[i].hash, actual, `chunk ${i + 1} of ${chunks.length} of ${where}`);
      }
      const at = pos;
      pos += data.length;
      await writing;
      writing = fh.write(data, 0, data.length, at).then(() => { free.push(buf); });
      ahead();
      onBytes?.(data.length);
    }
    await writing;
  } finally {
    await fh.close();
  }
}

/** Whether a chunked file can be restored from the cache: its list and every chunk. */
export function chunkedComplete(store: ObjectStore, id: string): boolean {
  if (!store.has(objectOf(id))) return false;
  try {
    const { chunks } = readChunkList(store, id, id);
    return store.missing(chunks.map((c) => c.hash)).length === 0;
  } catch {
    return false;
  }
}

/**
 * A workspace file's id as `mlv add` would name it: a blob's hash, or a chunked file's.
 * `like`: the recorded id it will be compared with; a blob's hash there (a big file
 * added in format 1, before chunking) means the file is hashed whole, as it was named then.
 */
export async function fileId(path: string, size: number, onBytes?: (n: number) => void, like?: string): Promise<string> {
  if (size > CHUNKING.threshold && (like === undefined || isChunkedId(like))) return (await cutFile(path, { onBytes })).id;
  if (size <= CHUNK) {
    const hash = hashFileSync(path);
    onBytes?.(size);
    return hash;
  }
  return hashFile(path, onBytes);
}

/** The same, synchronously (rare paths: a file the state index lost track of). */
export function fileIdSync(path: string, p: ChunkParams = CHUNKING): string {
  const size = statSync(path).size;
  if (size <= p.threshold) return hashFileSync(path);
  const fd = openSync(path, 'r');
  const chunks: Chunk[] = [];
  try {
    const buf = Buffer.allocUnsafe(p.max + READ);
    let have = 0; // bytes in buf from the current chunk's start
    let eof = false;
    while (!eof || have > 0) {
      while (!eof && have < buf.length) {
        const n = readSync(fd, buf, have, buf.length - have, null);
        if (n === 0) eof = true;
        have += n;
      }
      let s = 0;
      while (s < have) {
        let c = findCut(buf, s, have, p);
        if (c === -1) {
          if (!eof) break;
          c = have;
        }
        chunks.push({ hash: hashBytes(buf.subarray(s, c)), size: c - s });
        s = c;
      }
      buf.copy(buf, 0, s, have);
      have -= s;
    }
  } finally {
    closeSync(fd);
  }
  return chunkedId(hashBytes(serializeChunkList(chunks)));
}

/**
 * Add the objects an id needs to `objects`: a blob itself; a chunked file's list and,
 * when the list is cached, its chunks. A list that is not cached goes to `unknown` too:
 * what it names is known only once it is fetched.
 */
export function addObjectsOf(store: ObjectStore, id: string, objects: Set<string>, unknown: string[]): void {
  if (!isChunkedId(id)) { objects.add(id); return; }
  const listHash = objectOf(id);
  objects.add(listHash);
  if (!store.has(listHash)) { unknown.push(listHash); return; }
  for (const c of readChunkList(store, id, id).chunks) objects.add(c.hash);
}

/** A set of ids with every chunked id replaced by its list and chunks (gc's keep set). */
export function expandIds(store: ObjectStore, ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const unknown: string[] = [];
  for (const id of ids) addObjectsOf(store, id, out, unknown);
  return out;
}

/**
 * Copy `src` to `dest` and return the SHA-256 of the bytes copied: one read, hashed and
 * written from the same buffers, the next read and the last write in flight while this
 * thread hashes (checkout's verify-while-copying of a whole-file blob; a local remote's
 * verified upload). Three buffers turn: one being read, one hashed, one written.
 * `mode` applies at creation; with `sync`, the data is on disk before this resolves.
 */
export async function copyHashing(src: string, dest: string, onBytes?: (n: number) => void, opts: { mode?: number; sync?: boolean } = {}): Promise<string> {
  const h = createHash('sha256');
  const input = await open(src, 'r');
  try {
    const size = (await input.stat()).size;
    const len = Math.min(CHUNK, Math.max(size, 1));
    const bufs = Array.from({ length: 3 }, () => Buffer.allocUnsafeSlow(len));
    const output = await open(dest, 'w', opts.mode ?? 0o644);
    try {
      let k = 0;
      const read = async (position: number) => {
        const buf = bufs[k++ % bufs.length];
        const { bytesRead } = await input.read(buf, 0, len, position);
        return buf.subarray(0, bytesRead);
      };
      let pos = 0;
      let next = read(0);
      let writing: Promise<unknown> = Promise.resolve();
      for (;;) {
        const buf = await next;
        if (buf.length === 0) break;
        // The buffer read into next was last written from two turns ago: that write is done.
        next = read(pos + buf.length);
        h.update(buf);
        await writing;
        writing = output.write(buf, 0, buf.length, pos);
        pos += buf.length;
        onBytes?.(buf.length);
      }
      await writing;
      if (opts.sync) await output.datasync();
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  return h.digest('hex');
}
