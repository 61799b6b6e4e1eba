/**
 * The state index (docs/FORMAT.md, "Local state"): path → (size, mtime, inode, hash),
 * so a file whose stat is unchanged is not hashed again. Plain text, loaded into a Map,
 * rewritten atomically only when something changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import type { FileStat } from './walk.js';

interface Entry { hash: string; size: number; mtime: number; ino: number }

const HEADER = 'mlv-state 1';

export class StateIndex {
  private readonly file: string;
  private entries = new Map<string, Entry>();
  private dirty = false;
  /** Paths looked up and found fresh, and paths (re)hashed: tests assert on these. */
  hits = 0;
  misses = 0;

  constructor(mlvDir: string) {
    this.file = join(mlvDir, 'state');
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    const lines = text.split('\n');
    if (lines[0] !== HEADER) return; // unknown or damaged: start afresh, it is only a cache
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (!line) continue;
      const a = line.indexOf('\t');
      const b = line.indexOf('\t', a + 1);
      const c = line.indexOf('\t', b + 1);
      const d = line.indexOf('\t', c + 1);
      if (d < 0) continue;
      this.entries.set(line.slice(d + 1), {
        hash: line.slice(0, a),
        size: Number(line.slice(a + 1, b)),
        mtime: Number(line.slice(b + 1, c)),
        ino: Number(line.slice(c + 1, d)),
      });
    }
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

  record(path: string, st: FileStat, hash: string): void {
    const e = this.entries.get(path);
    if (e && e.hash === hash && e.size === st.size && e.mtime === st.mtimeMs && e.ino === st.ino) return;
    this.entries.set(path, { hash, size: st.size, mtime: st.mtimeMs, ino: st.ino });
    this.dirty = true;
  }

  forget(path: string): void {
    if (this.entries.delete(path)) this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    const parts: string[] = [HEADER];
    for (const [p, e] of this.entries) parts.push(`${e.hash}\t${e.size}\t${e.mtime}\t${e.ino}\t${p}`);
    writeFileAtomic(this.file, parts.join('\n') + '\n');
    this.dirty = false;
  }
}
