/**
 * The content-addressed object store (docs/FORMAT.md, "The cache"). Objects are
 * immutable, read-only, written atomically and verified when read.
 */

import {
  chmodSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, linkSync,
  mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Stats } from 'node:fs';
import { CorruptObjectError, InputError, NotFoundError } from '../errors/index.js';
import { fsyncDir, fsyncFile, namePath, tmpDirFor, tmpName } from './atomic.js';
import { CHUNK, hashBytes, hashFile, HEX64 } from './hash.js';
import { CHUNKING } from './chunker.js';
import { assemble, chunkedComplete, copyHashing, cutFile } from './chunked.js';
import { isChunkedId } from './chunklist.js';

export type LinkType = 'reflink' | 'hardlink' | 'symlink' | 'copy';
export const LINK_TYPES: readonly LinkType[] = ['reflink', 'hardlink', 'symlink', 'copy'];

export interface StoredObject {
  hash: string;
  size: number;
}

/** What repairs a damaged object in the cache that a checkout needs (docs/remotes.md, "Integrity"). */
const CACHE_FIX = 'delete that file, then mlv pull fetches it again from a remote (mlv fetch --all-commits for another version; mlv fsck checks the whole cache)';
/** What repairs a damaged object in the cache that a push was sending. */
export const PUSH_FIX = 'delete that file: mlv status then says whether mlv add (from the work tree) or mlv pull (from a remote that has it) stores it again; mlv fsck checks the whole cache';

/**
 * The error for a cached object whose bytes do not match its name: names the object's
 * file as seen from the repository root, and `what` uses it (a path, a chunk of one, a push).
 */
export function corruptInCache(hash: string, actual: string, what?: string, fix = CACHE_FIX): CorruptObjectError {
  return new CorruptObjectError(hash, actual, `.mlv/cache/objects/sha256/${hash.slice(0, 2)}/${hash.slice(2)}${what ? ` (${what})` : ''}`, fix);
}

export class ObjectStore {
  readonly root: string;
  readonly objectsDir: string;
  readonly tmpDir: string;

  /**
   * fsync each object before it is renamed into place. Off by default, as git's
   * core.fsync is: fsync makes writes disk-bound (~220 MB/s here against ~1.3 GB/s
   * hashing). Without it a crash can leave a truncated object, which verify-on-read
   * and `mlv fsck` catch; a killed process never leaves one (temp + rename).
   */
  readonly durable: boolean;
  /** Prefix directories known to exist: one mkdir per prefix, not per object. */
  private readonly knownDirs = new Set<string>();

  /**
   * Content just hashed that is already cached is stored again by making its object
   * recent, as git freshens a loose object it would write: `mlv gc` keeps objects newer
   * than a run in progress, and a run that rebuilds an old output writes nothing new.
   * Not done for a hash the state index knew (that skips hashing; it is no new write).
   * A cache this user may not touch (another's, read-only) keeps its times.
   */
  private freshen(hash: string): void {
    const now = new Date();
    try { utimesSync(this.path(hash), now, now); } catch { /* not ours to touch, or removed meanwhile */ }
  }

  constructor(cacheDir: string, opts: { durable?: boolean } = {}) {
    this.durable = opts.durable ?? false;
    this.root = cacheDir;
    this.objectsDir = join(cacheDir, 'objects', 'sha256');
    this.tmpDir = join(cacheDir, 'tmp');
  }

  path(hash: string): string {
    return join(this.objectsDir, hash.slice(0, 2), hash.slice(2));
  }

  /** The error for a cached object whose bytes do not match its name (`corruptInCache`). */
  corrupt(hash: string, actual: string, what?: string): CorruptObjectError {
    return corruptInCache(hash, actual, what);
  }

  /**
   * Whether an object is cached. For a chunked file's id (`sha256-chunks:…`): whether
   * its list and every chunk it names are, so the file can be restored.
   */
  has(hash: string): boolean {
    if (isChunkedId(hash)) {
      if (this.completeChunked.has(hash)) return true;
      const ok = chunkedComplete(this, hash);
      if (ok) this.completeChunked.add(hash);
      return ok;
    }
    return existsSync(this.path(hash));
  }

  /** Chunked ids seen complete (objects are only removed by gc, which clears this). */
  private readonly completeChunked = new Set<string>();

  /**
   * Which of many hashes are missing. Past a few hundred, listing the 2-hex prefix
   * directories they fall in is cheaper than one stat per object.
   */
  missing(hashes: Iterable<string>): string[] {
    const list = [...hashes];
    if (list.length < 512 || list.some(isChunkedId)) return list.filter((h) => !this.has(h));
    const byPrefix = new Map<string, Set<string>>();
    for (const h of list) {
      const p = h.slice(0, 2);
      if (!byPrefix.has(p)) {
        let names: string[] = [];
        try { names = readdirSync(join(this.objectsDir, p)); } catch { /* no such prefix yet */ }
        byPrefix.set(p, new Set(names));
      }
    }
    return list.filter((h) => !byPrefix.get(h.slice(0, 2))!.has(h.slice(2)));
  }

  /**
   * A fingerprint of which objects exist: the modification times of the prefix
   * directories (an object appearing or disappearing changes its directory's mtime).
   * Equal fingerprints mean no object was added or removed in between, so a "these
   * objects are all cached" answer still holds; about 260 stats instead of one per
   * object. Used by the state index for tracked directories.
   *
   * Taken once per store (status asks for every tracked directory) and again after a
   * remove(). Objects added since only make it older: a later process then computes a
   * different one and re-checks; an "all cached" answer never rests on it wrongly.
   */
  fingerprint(): string {
    return (this.fingerprintMemo ??= this.computeFingerprint());
  }

  private fingerprintMemo: string | undefined;

  private computeFingerprint(): string {
    let names: string[];
    try {
      names = readdirSync(this.objectsDir).sort();
    } catch {
      return 'empty';
    }
    let text = String(statSync(this.objectsDir).mtimeMs);
    for (const n of names) {
      const m = statSync(join(this.objectsDir, n), { throwIfNoEntry: false })?.mtimeMs;
      text += `\n${n} ${m}`;
    }
    return hashBytes(text).slice(0, 32);
  }

  private tmpReady = false;
  private newTmp(hint: string): string {
    if (!this.tmpReady) { mkdirSync(this.tmpDir, { recursive: true }); this.tmpReady = true; }
    return tmpName(this.tmpDir, hint);
  }

  /**
   * Object names of each prefix directory, listed once when `mlv add` first asks about
   * it: one readdir per prefix instead of a stat per object. Objects this store
   * installs or removes are added and dropped; another process adding one meanwhile
   * only makes an answer "absent" when it is present, and the object is then written
   * again, identically (the rename replaces it).
   */
  private readonly listed = new Map<string, Set<string>>();

  /** has() for a plain object, from the prefix directory's listing. */
  private hasListed(hash: string): boolean {
    const prefix = hash.slice(0, 2);
    let names = this.listed.get(prefix);
    if (!names) {
      try { names = new Set(readdirSync(join(this.objectsDir, prefix))); } catch { names = new Set(); }
      this.listed.set(prefix, names);
    }
    return names.has(hash.slice(2));
  }

  /**
   * Move a complete, verified temp file (from tempPath) into place under its hash.
   * `readOnly`: the temp file was created with mode 0444 already (no chmod).
   */
  installTemp(tmp: string, hash: string, readOnly = false): void {
    if (this.hasListed(hash)) {
      rmSync(tmp, { force: true });
      this.freshen(hash);
      return;
    }
    const dest = this.path(hash);
    const dir = dirname(dest);
    if (!this.knownDirs.has(dir)) { mkdirSync(dir, { recursive: true }); this.knownDirs.add(dir); }
    if (!readOnly) chmodSync(tmp, 0o444);
    renameSync(tmp, dest);
    this.listed.get(hash.slice(0, 2))?.add(hash.slice(2));
    if (this.durable) fsyncDir(dir);
  }

  /**
   * Store a file. The copy into the cache (copy_file_range in libuv's pool) runs while
   * this thread hashes the source, so a big file costs about one hash pass, not two.
   * If the source changed meanwhile (size or mtime moved), the copy is discarded.
   */
  async addFile(src: string, onBytes?: (n: number) => void, knownHash?: string, st?: Pick<Stats, 'size' | 'mtimeMs'>): Promise<StoredObject> {
    const before = st ?? statSync(src);
    if (knownHash && (isChunkedId(knownHash) ? this.has(knownHash) : this.hasListed(knownHash))) return { hash: knownHash, size: before.size };
    if (before.size > CHUNKING.threshold) {
      const { id, size } = await cutFile(src, { store: this, onBytes });
      return { hash: id, size };
    }
    if (before.size <= CHUNK) {
      // Small files: one read, one hash, one write; no thread-pool round trips.
      const data = readSmall(src, before.size);
      onBytes?.(data.length);
      return this.addBytes(data);
    }
    const tmp = this.newTmp('add');
    try {
      const [hash] = await Promise.all([hashFile(src, onBytes), copyFile(src, tmp)]);
      const after = await stat(src);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new InputError(`${src}: the file changed while it was being added; try again`, { path: src });
      }
      if (this.has(hash)) { rmSync(tmp, { force: true }); this.freshen(hash); return { hash, size: before.size }; }
      if (this.durable) fsyncFile(tmp);
      this.installTemp(tmp, hash);
      return { hash, size: before.size };
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Store bytes (small files, manifests, lock snapshots). The temp file is created
   * read-only (its descriptor still writes) and renamed into place once complete: the
   * rename is what keeps a kill from leaving a partial object under its name.
   */
  addBytes(data: Uint8Array | string): StoredObject {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const hash = hashBytes(buf);
    if (this.hasListed(hash)) {
      this.freshen(hash);
      return { hash, size: buf.length };
    }
    const tmp = this.newTmp('bytes');
    try {
      writeAll(tmp, buf, this.durable, 0o444);
      this.installTemp(tmp, hash, true);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return { hash, size: buf.length };
  }

  /**
   * Take a file fetched from elsewhere (a remote) into the store: it is hashed (or its
   * hash taken from the copy that wrote it, `hashed`) and enters the cache only if its
   * bytes match `expected`; otherwise it is deleted.
   */
  async adoptTemp(tmp: string, expected: string, where: string, hashed?: string): Promise<void> {
    const actual = hashed ?? (await hashFile(tmp));
    if (actual !== expected) {
      rmSync(tmp, { force: true });
      throw new CorruptObjectError(expected, actual, where);
    }
    if (this.durable) fsyncFile(tmp);
    this.installTemp(tmp, expected);
  }

  /** A temp path inside the cache, for downloads that `adoptTemp` will install. */
  tempPath(hint = 'fetch'): string {
    return this.newTmp(hint);
  }

  private requirePath(hash: string): string {
    const p = this.path(hash);
    if (!existsSync(p)) throw new NotFoundError('object', `object ${hash} is not in the cache (.mlv/cache); run mlv pull`, { hash });
    return p;
  }

  /** Read a small object whole, verified. */
  readVerified(hash: string): Buffer {
    const data = readFileSync(this.requirePath(hash));
    const actual = hashBytes(data);
    if (actual !== hash) throw this.corrupt(hash, actual);
    return data;
  }

  /** Re-hash an object; returns the actual hash (equal to `hash` when intact). */
  async rehash(hash: string, onBytes?: (n: number) => void): Promise<string> {
    return hashFile(this.requirePath(hash), onBytes);
  }

  async verify(hash: string, onBytes?: (n: number) => void): Promise<void> {
    const actual = await this.rehash(hash, onBytes);
    if (actual !== hash) throw this.corrupt(hash, actual);
  }

  /**
   * Materialise an object at `dest` with the first link type that works, verifying the
   * object on the way. `dest` is replaced atomically (temp file in the work tree's
   * `.mlv/tmp/` when on the same filesystem, else beside it; then rename).
   */
  /** `what`: the data's path from the repository root, for messages (default: `dest`). */
  async checkoutTo(hash: string, dest: string, links: readonly LinkType[], opts: { exec?: boolean; onBytes?: (n: number) => void; what?: string } = {}): Promise<LinkType> {
    if (isChunkedId(hash)) return this.assembleTo(hash, dest, opts);
    const src = this.requirePath(hash);
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = tmpName(tmpDirFor(dirname(dest)), 'checkout');
    const fail = (actual: string) => this.corrupt(hash, actual, opts.what ?? dest);
    try {
      for (const link of links) {
        const done = await tryLink(link, src, tmp, hash, fail, opts.onBytes);
        if (!done) continue;
        if (link === 'copy' || link === 'reflink') chmodSync(tmp, opts.exec ? 0o755 : 0o644);
        renameSync(tmp, dest);
        return link;
      }
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    throw new InputError(`none of the link types ${links.join(', ')} works here (.mlv/config: link)`);
  }

  /** A chunked file is always assembled, whatever the link types: no one object holds it. */
  private async assembleTo(id: string, dest: string, opts: { exec?: boolean; onBytes?: (n: number) => void; what?: string }): Promise<LinkType> {
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = tmpName(tmpDirFor(dirname(dest)), 'checkout');
    try {
      await assemble(this, id, tmp, opts.what ?? dest, opts.onBytes);
      chmodSync(tmp, opts.exec ? 0o755 : 0o644);
      renameSync(tmp, dest);
      return 'copy';
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /** Every object hash in the store. */
  *list(): Generator<string> {
    if (!existsSync(this.objectsDir)) return;
    for (const prefix of readdirSync(this.objectsDir).sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const rest of readdirSync(join(this.objectsDir, prefix)).sort()) {
        const hash = prefix + rest;
        if (HEX64.test(hash)) yield hash;
      }
    }
  }

  size(hash: string): number {
    return statSync(this.path(hash)).size;
  }

  remove(hash: string): void {
    this.fingerprintMemo = undefined;
    this.completeChunked.clear();
    this.listed.get(hash.slice(0, 2))?.delete(hash.slice(2));
    rmSync(this.path(hash), { force: true });
  }

  /** Temp files older than `ageMs` (left by killed processes). */
  sweepTemp(ageMs = 3600_000): number {
    if (!existsSync(this.tmpDir)) return 0;
    let n = 0;
    for (const name of readdirSync(this.tmpDir)) {
      const p = join(this.tmpDir, name);
      try {
        if (Date.now() - statSync(p).mtimeMs > ageMs) { rmSync(p, { force: true, recursive: true }); n++; }
      } catch { /* gone already */ }
    }
    return n;
  }
}

function writeAll(path: string, data: Uint8Array, sync = true, mode = 0o644): void {
  const fd = openSync(path, 'w', mode);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    if (sync) fsyncSync(fd);
  } catch (e) {
    throw namePath(e, path);
  } finally {
    closeSync(fd);
  }
}

/** Read buffer for small files, reused: addBytes is done with the bytes before the next read. */
let smallBuf = Buffer.allocUnsafe(64 << 10);

/**
 * A small file's bytes, read with one open and read (no fstat, no new buffer), in a
 * view that is valid until the next call. A size other than `size` means the file
 * changed since it was listed.
 */
function readSmall(src: string, size: number): Buffer {
  if (smallBuf.length < size + 1) smallBuf = Buffer.allocUnsafe(Math.max(size + 1, smallBuf.length * 2));
  const fd = openSync(src, 'r');
  let n = 0;
  try {
    for (let r; n <= size && (r = readSync(fd, smallBuf, n, size + 1 - n, null)) > 0;) n += r;
  } finally {
    closeSync(fd);
  }
  if (n !== size) throw new InputError(`${src}: the file changed while it was being added; try again`, { path: src });
  return smallBuf.subarray(0, n);
}

async function tryLink(link: LinkType, src: string, tmp: string, hash: string, corrupt: (actual: string) => CorruptObjectError, onBytes?: (n: number) => void): Promise<boolean> {
  if (link === 'copy') {
    const size = statSync(src).size;
    if (size <= CHUNK) {
      const data = readFileSync(src);
      const actual = hashBytes(data);
      if (actual !== hash) throw corrupt(actual);
      writeAll(tmp, data, false);
      onBytes?.(data.length);
      return true;
    }
    // One pass: read, hash and write from the same buffers (verify while copying).
    const actual = await copyHashing(src, tmp, onBytes);
    if (actual !== hash) { rmSync(tmp, { force: true }); throw corrupt(actual); }
    return true;
  }
  try {
    const actual = await hashFile(src, onBytes);
    if (actual !== hash) throw corrupt(actual);
    if (link === 'reflink') copyFileSync(src, tmp, constants.COPYFILE_FICLONE_FORCE);
    else if (link === 'hardlink') linkSync(src, tmp);
    else symlinkSync(src, tmp);
    return true;
  } catch (e) {
    if (e instanceof CorruptObjectError) throw e;
    rmSync(tmp, { force: true });
    return false;
  }
}

