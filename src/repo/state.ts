/**
 * The state index (docs/FORMAT.md, "State index, version 3"): per directory of the work
 * tree, the stat and object id of every file hashed there, so a file whose stat is
 * unchanged is not hashed again; and per tracked directory, the manifest its walk gave
 * and the directories that walk saw, so an unchanged tree is answered by one lstat per
 * file and nothing else (see treeCheck.ts).
 *
 * The file is read whole into one Buffer, but only section headers are decoded: a
 * directory's entries become objects when one of its files is looked up, and a section
 * nobody touched is written back as the same bytes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import type { FileStat } from './walk.js';

export const KIND_FILE = 1;
export const KIND_SYMLINK = 2;
export const KIND_SPECIAL = 3;
export const KIND_IGNORE = 4;

/** ctime of an entry whose ctime is not known (read from a version 1 index): not compared. */
const CTIME_UNKNOWN = -2;
/** ctime of a racy entry written back unchecked: never matches (git's "smudged" entry). */
const CTIME_SMUDGED = -1;

export interface Entry { kind: number; exec: boolean; size: number; mtime: number; ctime: number; ino: number; id: string }

/** A directory's stat as the index keeps it (zeros: none, or not known). */
export interface DirStat { mtime: number; ctime: number; ino: number }

export interface Section {
  dir: string;
  stat: DirStat;
  /** Every entry a walk saw, and only those: the names are known while `stat` matches. */
  complete: boolean;
  /** The loaded file and this section's entries in it, until they are decoded. */
  raw?: { buf: Buffer; start: number; count: number; bytes: Buffer };
  entries?: Map<string, Entry>;
}

export interface RuleStat { path: string; size: number; mtime: number; ctime: number; ino: number }

/** A file of a tracked directory as it is in an item's base manifest. */
export interface BaseFile { path: string; id: string; size: number; exec: boolean }

/**
 * Files edited in place since manifest `from` (docs/FORMAT.md, "base"): the sections
 * differ from it in exactly these files, keyed by path in the tracked directory.
 */
export interface Base { from: string; cache: string; edits: Map<string, BaseFile> }

export interface Item {
  path: string;
  /** '' while files were edited since it was computed (rebuilt when asked for). */
  manifest: string;
  cache: string;
  dirs: string[];
  rules: RuleStat[];
  base?: Base;
}

const MAGIC = Buffer.from('mlv-state 3\n');
const MAGIC_V2 = Buffer.from('mlv-state 2\n');
const HEADER_V1 = 'mlv-state 1\n';
const ENTRY_FIXED = 1 + 1 + 2 + 8 * 4 + 1; // kind, exec, name length, 4 f64, id length

export class StateIndex {
  private readonly file: string;
  private readonly sections = new Map<string, Section>();
  private readonly items = new Map<string, Item>();
  /** The loaded file's mtime: entries not older than it are racy (docs/FORMAT.md). */
  private loadedAt = -Infinity;
  private dirty = false;
  /** Paths looked up and found fresh, and paths (re)hashed: tests assert on these. */
  hits = 0;
  misses = 0;

  constructor(mlvDir: string) {
    this.file = join(mlvDir, 'state');
    let buf: Buffer;
    try {
      const fd = openSync(this.file, 'r');
      try {
        const st = fstatSync(fd);
        this.loadedAt = st.mtimeMs;
        // Shared memory: worker threads check sections in place (treeCheck.ts).
        buf = Buffer.from(new SharedArrayBuffer(st.size));
        for (let at = 0; at < st.size;) {
          const n = readSync(fd, buf, at, st.size - at, at);
          if (n === 0) throw new Error('short read');
          at += n;
        }
      } finally { closeSync(fd); }
    } catch { return; } // no index yet
    try {
      if (buf.subarray(0, MAGIC.length).equals(MAGIC)) this.readV2(buf, true);
      else if (buf.subarray(0, MAGIC.length).equals(MAGIC_V2)) { this.readV2(buf, false); this.dirty = true; }
      else if (buf.toString('latin1', 0, HEADER_V1.length) === HEADER_V1) this.readV1(buf.toString('utf8'));
    } catch {
      // Damaged: start afresh, it is only a cache.
      this.sections.clear();
      this.items.clear();
    }
  }

  /** Versions 2 and 3 (`bases`: items end with their base). */
  private readV2(buf: Buffer, bases: boolean): void {
    let at = MAGIC.length;
    if (buf.readUInt32LE(at) !== buf.length) throw new Error('truncated');
    const nSections = buf.readUInt32LE(at + 4);
    const nItems = buf.readUInt32LE(at + 8);
    at += 12;
    for (let i = 0; i < nSections; i++) {
      const start = at;
      const len = buf.readUInt32LE(at);
      const end = start + len;
      if (len < 4 || end > buf.length) throw new Error('bad section');
      at += 4;
      const dirLen = buf.readUInt16LE(at);
      const dir = buf.toString('utf8', at + 2, at + 2 + dirLen);
      at += 2 + dirLen;
      const stat = { mtime: buf.readDoubleLE(at), ctime: buf.readDoubleLE(at + 8), ino: buf.readDoubleLE(at + 16) };
      const newest = buf.readDoubleLE(at + 24);
      const complete = (buf[at + 32] & 1) === 1;
      const count = buf.readUInt32LE(at + 33);
      at += 37;
      const s: Section = { dir, stat, complete, raw: { buf, start: at, count, bytes: buf.subarray(start, end) } };
      this.sections.set(dir, s);
      if (newest >= this.loadedAt) this.smudge(s);
      at = end;
    }
    for (let i = 0; i < nItems; i++) {
      const r = reader(buf, at);
      const path = r.str16();
      const manifest = r.str8();
      const cache = r.str8();
      const dirs: string[] = [];
      for (let n = r.u32(); n > 0; n--) dirs.push(r.str16());
      const rules: RuleStat[] = [];
      for (let n = r.u32(); n > 0; n--) rules.push({ path: r.str16(), size: r.f64(), mtime: r.f64(), ctime: r.f64(), ino: r.f64() });
      let base: Base | undefined;
      if (bases) {
        const from = r.str8();
        const cache = r.str8();
        const edits = new Map<string, BaseFile>();
        for (let n = r.u32(); n > 0; n--) {
          const f = { path: r.str16(), id: r.str8(), size: r.f64(), exec: r.u8() === 1 };
          edits.set(f.path, f);
        }
        if (from !== '') base = { from, cache, edits };
      }
      at = r.at();
      // A rule file changed in the index's own tick may have changed again unseen.
      if (rules.some((x) => Math.max(x.mtime, x.ctime) >= this.loadedAt)) { this.dirty = true; continue; }
      this.items.set(path, { path, manifest, cache, dirs, rules, base });
    }
    if (at !== buf.length) throw new Error('trailing bytes');
  }

  /** Version 1: file lines are kept (ctime unknown); directory lines are dropped. */
  private readV1(text: string): void {
    const lines = text.split('\n');
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const a = line.indexOf('\t');
      if (a !== 64) continue; // blank, a directory line, or damaged
      const b = line.indexOf('\t', a + 1);
      const c = line.indexOf('\t', b + 1);
      const d = line.indexOf('\t', c + 1);
      if (d < 0) continue;
      const path = line.slice(d + 1);
      const mtime = Number(line.slice(b + 1, c));
      if (mtime >= this.loadedAt) continue; // racy
      this.entriesOf(dirOf(path), true).set(baseOf(path), {
        kind: KIND_FILE, exec: false, size: Number(line.slice(a + 1, b)), mtime, ctime: CTIME_UNKNOWN,
        ino: Number(line.slice(c + 1, d)), id: line.slice(0, a),
      });
    }
    this.dirty = true; // written back as version 2
  }

  /** Racy entries of a section loaded from the file stop matching (docs/FORMAT.md). */
  private smudge(s: Section): void {
    const entries = this.decode(s);
    for (const e of entries.values()) if (Math.max(e.mtime, e.ctime) >= this.loadedAt) e.ctime = CTIME_SMUDGED;
    if (Math.max(s.stat.mtime, s.stat.ctime) >= this.loadedAt) s.complete = false;
    this.dirty = true;
  }

  private decode(s: Section): Map<string, Entry> {
    if (s.entries) return s.entries;
    const m = new Map<string, Entry>();
    if (s.raw) {
      const { buf, count } = s.raw;
      let at = s.raw.start;
      for (let i = 0; i < count; i++) {
        const nameLen = buf.readUInt16LE(at + 2);
        const name = buf.toString('utf8', at + 4, at + 4 + nameLen);
        const p = at + 4 + nameLen;
        const idLen = buf[p + 32];
        m.set(name, {
          kind: buf[at], exec: buf[at + 1] === 1,
          size: buf.readDoubleLE(p), mtime: buf.readDoubleLE(p + 8), ctime: buf.readDoubleLE(p + 16), ino: buf.readDoubleLE(p + 24),
          id: buf.toString('latin1', p + 33, p + 33 + idLen),
        });
        at = p + 33 + idLen;
      }
    }
    s.raw = undefined;
    return (s.entries = m);
  }

  /** A directory's decoded entries; `touch` marks its section as changed (written anew). */
  private entriesOf(dir: string, create: boolean): Map<string, Entry> {
    let s = this.sections.get(dir);
    if (!s) {
      if (!create) return EMPTY;
      s = { dir, stat: { mtime: 0, ctime: 0, ino: 0 }, complete: false };
      this.sections.set(dir, s);
    }
    return this.decode(s);
  }

  private find(path: string): Entry | undefined {
    const s = this.sections.get(dirOf(path));
    return s ? this.decode(s).get(baseOf(path)) : undefined;
  }

  /** The recorded hash, if the file's stat still matches. */
  lookup(path: string, st: FileStat): string | undefined {
    const hash = this.peek(path, st);
    if (hash !== undefined) this.hits++;
    else this.misses++;
    return hash;
  }

  /** lookup() without counting: for answers already counted as hits. */
  peek(path: string, st: FileStat): string | undefined {
    const e = this.find(path);
    return e && e.kind === KIND_FILE && statMatches(e, st) ? e.id : undefined;
  }

  record(path: string, st: FileStat, hash: string, exec?: boolean): void {
    const dir = dirOf(path);
    const name = baseOf(path);
    const entries = this.entriesOf(dir, true);
    const e = entries.get(name);
    const x = exec ?? e?.exec ?? false;
    if (e && e.kind === KIND_FILE && e.id === hash && e.exec === x && statMatches(e, st) && e.ctime === st.ctimeMs) return;
    // A name a walk did not see, or content its item's manifest does not hold: the
    // section no longer answers for the directory until it is walked again.
    if (!e || e.id !== hash || e.exec !== x) this.sections.get(dir)!.complete = false;
    entries.set(name, { kind: KIND_FILE, exec: x, size: st.size, mtime: st.mtimeMs, ctime: st.ctimeMs, ino: st.ino, id: hash });
    this.dirty = true;
  }

  forget(path: string): void {
    const s = this.sections.get(dirOf(path));
    if (s && this.decode(s).delete(baseOf(path))) { s.complete = false; this.dirty = true; }
    if (this.items.delete(path)) this.dirty = true;
  }

  /** The record of a tracked directory, if one was made. */
  item(path: string): Item | undefined {
    return this.items.get(path);
  }

  section(dir: string): Section | undefined {
    return this.sections.get(dir);
  }

  /**
   * Visit a section's entries without decoding it into objects: only each name
   * becomes a string. `visit` returns false to stop. Returns false if stopped.
   */
  scan(s: Section, visit: (kind: number, exec: boolean, name: string, size: number, mtime: number, ctime: number, ino: number) => boolean): boolean {
    if (s.entries) {
      for (const [name, e] of s.entries) if (!visit(e.kind, e.exec, name, e.size, e.mtime, e.ctime, e.ino)) return false;
      return true;
    }
    if (!s.raw) return true;
    const { buf, count } = s.raw;
    let at = s.raw.start;
    for (let i = 0; i < count; i++) {
      const nameLen = buf.readUInt16LE(at + 2);
      const p = at + 4 + nameLen;
      if (!visit(buf[at], buf[at + 1] === 1, buf.toString('utf8', at + 4, p), buf.readDoubleLE(p), buf.readDoubleLE(p + 8), buf.readDoubleLE(p + 16), buf.readDoubleLE(p + 24))) return false;
      at = p + 33 + buf[p + 32];
    }
    return true;
  }

  /** Entries of a section, decoding it (for the rare section that is needed whole). */
  entries(s: Section): Map<string, Entry> {
    return this.decode(s);
  }

  /**
   * Replace the sections of a tracked directory's walk with what it saw, and record
   * the manifest it gave. `dirs[i].entries` are exactly the directory's walked names.
   */
  recordTree(path: string, manifest: string, dirs: Array<{ dir: string; stat: DirStat; entries: Map<string, Entry> }>, rules: RuleStat[]): void {
    const old = this.items.get(path);
    // Directories of the last walk that are gone: their sections would only grow the file.
    if (old) for (const d of old.dirs) this.sections.delete(d);
    for (const d of dirs) this.sections.set(d.dir, { dir: d.dir, stat: d.stat, complete: true, entries: d.entries });
    this.items.set(path, { path, manifest, cache: old?.manifest === manifest ? old.cache : '', dirs: dirs.map((d) => d.dir), rules });
    this.dirty = true;
  }

  /**
   * Files of tracked directory `path` edited in place, found by its check: their
   * entries change (the section still lists the directory), the manifest id waits
   * until asked for, and the item's base lists them. `files[i].rel` is the path in
   * the tracked directory.
   */
  recordEdits(path: string, files: Array<{ dir: string; name: string; rel: string; st: FileStat; id: string; exec: boolean }>): void {
    const it = this.items.get(path);
    if (!it) return;
    if (!it.base && it.manifest !== '') it.base = { from: it.manifest, cache: it.cache, edits: new Map() };
    for (const f of files) {
      const entries = this.entriesOf(f.dir, true);
      const old = entries.get(f.name);
      if (it.base && old) {
        const was = it.base.edits.get(f.rel);
        if (!was) {
          if (old.id !== f.id || old.exec !== f.exec) it.base.edits.set(f.rel, { path: f.rel, id: old.id, size: old.size, exec: old.exec });
        } else if (was.id === f.id && was.exec === f.exec) it.base.edits.delete(f.rel);
      }
      if (old && (old.id !== f.id || old.exec !== f.exec)) { it.manifest = ''; it.cache = ''; }
      entries.set(f.name, { kind: KIND_FILE, exec: f.exec, size: f.st.size, mtime: f.st.mtimeMs, ctime: f.st.ctimeMs, ino: f.st.ino, id: f.id });
    }
    this.dirty = true;
  }

  /** The manifest id of an item whose files were edited, once rebuilt. */
  recordManifest(path: string, manifest: string): void {
    const it = this.items.get(path);
    if (!it || it.manifest === manifest) return;
    it.manifest = manifest;
    it.cache = '';
    this.dirty = true;
  }

  /** Were all of the objects of manifest `hash` in the cache when it looked like `cache`? */
  dirCached(path: string, hash: string, cache: string): boolean {
    const e = this.items.get(path);
    return e !== undefined && e.manifest === hash && e.cache !== '' && e.cache === cache;
  }

  recordDirCached(path: string, hash: string, cache: string): void {
    const e = this.items.get(path);
    if (!e) return;
    if (e.manifest === hash && e.cache !== cache) { e.cache = cache; this.dirty = true; }
    if (e.base && e.base.from === hash && e.base.cache !== cache) { e.base.cache = cache; this.dirty = true; }
  }

  save(): void {
    if (!this.dirty) return;
    const parts: Buffer[] = [];
    const head = Buffer.alloc(MAGIC.length + 12);
    MAGIC.copy(head);
    parts.push(head);
    let total = head.length;
    let nSections = 0;
    for (const s of this.sections.values()) {
      const b = s.raw ? s.raw.bytes : encodeSection(s);
      if (!b) continue; // empty
      parts.push(b);
      total += b.length;
      nSections++;
    }
    for (const it of this.items.values()) {
      const b = encodeItem(it);
      parts.push(b);
      total += b.length;
    }
    head.writeUInt32LE(total, MAGIC.length);
    head.writeUInt32LE(nSections, MAGIC.length + 4);
    head.writeUInt32LE(this.items.size, MAGIC.length + 8);
    writeFileAtomic(this.file, Buffer.concat(parts, total));
    this.dirty = false;
  }
}

const EMPTY = new Map<string, Entry>();

export function statMatches(e: Entry, st: FileStat): boolean {
  return e.size === st.size && e.mtime === st.mtimeMs && e.ino === st.ino && (e.ctime === st.ctimeMs || e.ctime === CTIME_UNKNOWN);
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function encodeSection(s: Section): Buffer | undefined {
  const entries = s.entries!;
  if (entries.size === 0 && !s.complete) return undefined;
  const names = [...entries.keys()];
  const dir = Buffer.from(s.dir);
  let len = 4 + 2 + dir.length + 37;
  const nameBufs = names.map((n) => Buffer.from(n));
  for (let i = 0; i < names.length; i++) len += ENTRY_FIXED + nameBufs[i].length + entries.get(names[i])!.id.length;
  const b = Buffer.alloc(len);
  let at = b.writeUInt32LE(len, 0);
  at = b.writeUInt16LE(dir.length, at);
  at += dir.copy(b, at);
  at = b.writeDoubleLE(s.stat.mtime, at);
  at = b.writeDoubleLE(s.stat.ctime, at);
  at = b.writeDoubleLE(s.stat.ino, at);
  let newest = Math.max(s.stat.mtime, s.stat.ctime);
  for (const e of entries.values()) newest = Math.max(newest, e.mtime, e.ctime);
  at = b.writeDoubleLE(newest, at);
  at = b.writeUInt8(s.complete ? 1 : 0, at);
  at = b.writeUInt32LE(names.length, at);
  for (let i = 0; i < names.length; i++) {
    const e = entries.get(names[i])!;
    at = b.writeUInt8(e.kind, at);
    at = b.writeUInt8(e.exec ? 1 : 0, at);
    at = b.writeUInt16LE(nameBufs[i].length, at);
    at += nameBufs[i].copy(b, at);
    at = b.writeDoubleLE(e.size, at);
    at = b.writeDoubleLE(e.mtime, at);
    at = b.writeDoubleLE(e.ctime, at);
    at = b.writeDoubleLE(e.ino, at);
    at = b.writeUInt8(e.id.length, at);
    at += b.write(e.id, at, 'latin1');
  }
  return b;
}

function encodeItem(it: Item): Buffer {
  const w: Buffer[] = [];
  const str16 = (s: string) => { const x = Buffer.from(s); const h = Buffer.alloc(2); h.writeUInt16LE(x.length); w.push(h, x); };
  const str8 = (s: string) => { const x = Buffer.from(s, 'latin1'); w.push(Buffer.from([x.length]), x); };
  const u32 = (n: number) => { const h = Buffer.alloc(4); h.writeUInt32LE(n); w.push(h); };
  const u8 = (n: number) => w.push(Buffer.from([n]));
  const f64 = (n: number) => { const h = Buffer.alloc(8); h.writeDoubleLE(n); w.push(h); };
  str16(it.path);
  str8(it.manifest);
  str8(it.cache);
  u32(it.dirs.length);
  for (const d of it.dirs) str16(d);
  u32(it.rules.length);
  for (const r of it.rules) { str16(r.path); f64(r.size); f64(r.mtime); f64(r.ctime); f64(r.ino); }
  str8(it.base?.from ?? '');
  str8(it.base?.cache ?? '');
  u32(it.base?.edits.size ?? 0);
  for (const f of it.base?.edits.values() ?? []) { str16(f.path); str8(f.id); f64(f.size); u8(f.exec ? 1 : 0); }
  return Buffer.concat(w);
}

function reader(buf: Buffer, start: number) {
  let at = start;
  return {
    at: () => at,
    u32: () => { const v = buf.readUInt32LE(at); at += 4; return v; },
    u8: () => { const v = buf.readUInt8(at); at += 1; return v; },
    f64: () => { const v = buf.readDoubleLE(at); at += 8; return v; },
    str8: () => { const n = buf[at]; if (at + 1 + n > buf.length) throw new Error('bad'); const v = buf.toString('latin1', at + 1, at + 1 + n); at += 1 + n; return v; },
    str16: () => { const n = buf.readUInt16LE(at); if (at + 2 + n > buf.length) throw new Error('bad'); const v = buf.toString('utf8', at + 2, at + 2 + n); at += 2 + n; return v; },
  };
}
