/**
 * A tracked directory answered from its record in the state index (docs/FORMAT.md,
 * "State index, version 2") without a walk: while no directory of it and no
 * `.mlvignore` above or in it changed, its names are the recorded ones, so each file
 * costs one lstat compared against numbers read straight from the index's buffer.
 * Files whose stat moved are hashed, and only they.
 */
import { lstatSync } from 'node:fs';
import type { ManifestEntry } from '../store/manifest.js';
import { CHUNK, hashFile, hashFileSync } from '../store/hash.js';
import type { Repo } from './Repo.js';
import { KIND_FILE, KIND_IGNORE, KIND_SPECIAL, KIND_SYMLINK, type Item, type StateIndex } from './state.js';
import type { Skipped } from './walk.js';

export interface TreeAnswer {
  /** The manifest id: the recorded one, or rebuilt when files changed. */
  hash: string;
  size: number;
  files: number;
  skipped: Skipped[];
  /** Set when the manifest was rebuilt; otherwise `entries()` reads them from the index. */
  rebuilt?: ManifestEntry[];
  entries: () => ManifestEntry[];
}

interface Changed { dir: string; name: string; st: { size: number; mtimeMs: number; ctimeMs: number; ino: number }; exec: boolean }

const NO_STAT = { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };

/** Undefined when the directory has no usable record or its names may have changed: walk it. */
export async function checkTree(repo: Repo, path: string, onBytes?: (n: number) => void, manifestOf?: (entries: ManifestEntry[]) => string): Promise<TreeAnswer | undefined> {
  const state = repo.state();
  const item = state.item(path);
  if (!item) return undefined;
  const root = repo.root;
  for (const r of item.rules) {
    const st = lstatSync(`${root}/${r.path}`, { throwIfNoEntry: false });
    const s = st?.isFile() ? st : NO_STAT;
    if (s.size !== r.size || s.mtimeMs !== r.mtime || s.ctimeMs !== r.ctime || s.ino !== r.ino) return undefined;
  }
  let files = 0;
  let size = 0;
  let structural = false;
  const changed: Changed[] = [];
  const skipped: Skipped[] = [];
  for (const dir of item.dirs) {
    const s = state.section(dir);
    if (!s || !s.complete) return undefined;
    const absDir = dir ? `${root}/${dir}` : root;
    const dst = lstatSync(absDir, { throwIfNoEntry: false });
    if (!dst?.isDirectory() || dst.mtimeMs !== s.stat.mtime || dst.ctimeMs !== s.stat.ctime || dst.ino !== s.stat.ino) return undefined;
    state.scan(s, (kind, exec, name, esize, mtime, ctime, ino) => {
      if (kind === KIND_SYMLINK || kind === KIND_SPECIAL) {
        skipped.push({ path: `${dir}/${name}`, reason: kind === KIND_SYMLINK ? 'symlink' : 'special' });
        return true;
      }
      const st = lstatSync(`${absDir}/${name}`, { throwIfNoEntry: false });
      if (kind === KIND_IGNORE) {
        structural = !st || st.size !== esize || st.mtimeMs !== mtime || st.ctimeMs !== ctime || st.ino !== ino;
        return !structural;
      }
      if (!st?.isFile()) { structural = true; return false; }
      files++;
      size += st.size;
      const x = (st.mode & 0o111) !== 0;
      if (st.size !== esize || st.mtimeMs !== mtime || st.ctimeMs !== ctime || st.ino !== ino || x !== exec) {
        changed.push({ dir, name, st: { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino }, exec: x });
      }
      return true;
    });
    if (structural) return undefined;
  }
  state.hits += files - changed.length;
  const entries = () => entriesOfItem(state, item);
  if (changed.length === 0) return { hash: item.manifest, size, files, skipped, entries };
  for (const c of changed) {
    const abs = c.dir ? `${root}/${c.dir}/${c.name}` : `${root}/${c.name}`;
    const hash = c.st.size <= CHUNK ? hashFileSync(abs) : await hashFile(abs, onBytes);
    if (c.st.size <= CHUNK) onBytes?.(c.st.size);
    state.misses++;
    state.record(c.dir ? `${c.dir}/${c.name}` : c.name, c.st, hash, c.exec);
  }
  const rebuilt = entries();
  const hash = manifestOf ? manifestOf(rebuilt) : '';
  state.recordManifest(path, hash);
  return { hash, size, files, skipped, rebuilt, entries: () => rebuilt };
}

/** A recorded tracked directory's manifest entries, from its sections. */
function entriesOfItem(state: StateIndex, item: Item): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (const dir of item.dirs) {
    const rel = dir === item.path ? '' : dir.slice(item.path.length + 1);
    const s = state.section(dir);
    if (!s) continue;
    for (const [name, e] of state.entries(s)) {
      if (e.kind === KIND_FILE) out.push({ path: rel ? `${rel}/${name}` : name, hash: e.id, size: e.size, exec: e.exec });
    }
  }
  return out;
}
