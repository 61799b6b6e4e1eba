/**
 * The state index (docs/FORMAT.md, "Local state"): path → (size, mtime, inode, hash),
 * so a file whose stat is unchanged is not hashed again. Plain text, loaded into a Map,
 * rewritten atomically only when something changed.
 *
 * Tracked directories get a line too: the fingerprint of their walk (every file's
 * path, size, mtime, inode and exec bit) → the manifest hash it gave, so an unchanged
 * directory is answered without building its manifest; and, once all its objects were
 * seen in the cache, the cache's fingerprint at that moment (see ObjectStore.fingerprint).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import type { FileStat } from './walk.js';

interface Entry { hash: string; size: number; mtime: number; ino: number }
interface DirEntry { hash: string; walk: string; cache: string }

const DIR = 'dir';

const HEADER = 'mlv-state 1';

export class StateIndex {
  private readonly file: string;
  private parsedEntries: Map<string, Entry> | undefined;
  private dirs = new Map<string, DirEntry>();
  /** The file's text: file lines are parsed on first use (an unchanged directory needs none). */
  private text = '';
  private dirty = false;
  /** Paths looked up and found fresh, and paths (re)hashed: tests assert on these. */
  hits = 0;
  misses = 0;

  constructor(mlvDir: string) {
    this.file = join(mlvDir, 'state');
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    if (!text.startsWith(HEADER + '\n')) return; // unknown or damaged: start afresh, it is only a cache
    this.text = text;
    // dir\t<manifest hash>\t<walk fingerprint>\t<cache fingerprint or ->\t<path>
    for (let at = text.indexOf('\ndir\t'); at !== -1; at = text.indexOf('\ndir\t', at + 1)) {
      const end = text.indexOf('\n', at + 1);
      const f = text.slice(at + 1, end === -1 ? text.length : end).split('\t');
      if (f.length === 5) this.dirs.set(f[4], { hash: f[1], walk: f[2], cache: f[3] === '-' ? '' : f[3] });
    }
  }

  private get entries(): Map<string, Entry> {
    if (this.parsedEntries) return this.parsedEntries;
    const entries = new Map<string, Entry>();
    const lines = this.text.split('\n');
    this.text = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const a = line.indexOf('\t');
      if (a !== 64) continue; // blank, a directory line, or damaged
      const b = line.indexOf('\t', a + 1);
      const c = line.indexOf('\t', b + 1);
      const d = line.indexOf('\t', c + 1);
      if (d < 0) continue;
      entries.set(line.slice(d + 1), {
        hash: line.slice(0, a),
        size: Number(line.slice(a + 1, b)),
        mtime: Number(line.slice(b + 1, c)),
        ino: Number(line.slice(c + 1, d)),
      });
    }
    return (this.parsedEntries = entries);
  }

  /** The recorded hash, if the file's stat still matches. */
  lookup(path: string, st: FileStat): string | undefined {
    const e = this.entries.get(path);
    if (e && e.size === st.size && e.mtime === st.mtimeMs && e.ino === st.ino) {
      this.hits++;
      return e.hash;
    }
    this.misses++;
    return undefined;
  }

  /** lookup() without counting: for answers already counted as hits. */
  peek(path: string, st: FileStat): string | undefined {
    const e = this.entries.get(path);
    return e && e.size === st.size && e.mtime === st.mtimeMs && e.ino === st.ino ? e.hash : undefined;
  }

  record(path: string, st: FileStat, hash: string): void {
    const e = this.entries.get(path);
    if (e && e.hash === hash && e.size === st.size && e.mtime === st.mtimeMs && e.ino === st.ino) return;
    this.entries.set(path, { hash, size: st.size, mtime: st.mtimeMs, ino: st.ino });
    this.dirty = true;
  }

  forget(path: string): void {
    if (this.entries.delete(path)) this.dirty = true;
    if (this.dirs.delete(path)) this.dirty = true;
  }

  /** The manifest hash a directory gave when its walk had this fingerprint. */
  lookupDir(path: string, walk: string): string | undefined {
    const e = this.dirs.get(path);
    return e && e.walk === walk ? e.hash : undefined;
  }

  recordDir(path: string, walk: string, hash: string): void {
    const e = this.dirs.get(path);
    if (e && e.walk === walk && e.hash === hash) return;
    this.dirs.set(path, { hash, walk, cache: '' });
    this.dirty = true;
  }

  /** Were all of the objects of manifest `hash` in the cache when it looked like `cache`? */
  dirCached(path: string, hash: string, cache: string): boolean {
    const e = this.dirs.get(path);
    return e !== undefined && e.hash === hash && e.cache !== '' && e.cache === cache;
  }

  recordDirCached(path: string, hash: string, cache: string): void {
    const e = this.dirs.get(path);
    if (!e || e.hash !== hash || e.cache === cache) return;
    e.cache = cache;
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    const parts: string[] = [HEADER];
    for (const [p, e] of this.entries) parts.push(`${e.hash}\t${e.size}\t${e.mtime}\t${e.ino}\t${p}`);
    for (const [p, e] of this.dirs) parts.push(`${DIR}\t${e.hash}\t${e.walk}\t${e.cache || '-'}\t${p}`);
    writeFileAtomic(this.file, parts.join('\n') + '\n');
    this.dirty = false;
  }
}
