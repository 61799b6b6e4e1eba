/**
 * A tracked directory answered from its record in the state index (docs/FORMAT.md,
 * "State index, version 3") without a walk: while no directory of it and no
 * `.mlvignore` above or in it changed, its names are the recorded ones, so each file
 * costs one lstat compared against numbers read straight from the index's buffer.
 * Files whose stat moved are hashed, and only they; the item's base keeps the list of
 * files edited since its manifest, so no later check needs a manifest to say what changed.
 */
import { existsSync, lstatSync } from 'node:fs';
import type { ManifestEntry } from '../store/manifest.js';
import { fileId } from '../store/chunked.js';
import type { Repo } from './Repo.js';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KIND_FILE, KIND_IGNORE, KIND_SPECIAL, KIND_SYMLINK, type Item, type Section, type StateIndex } from './state.js';
import { scanSections, type ScanResult, type ScanTask } from './sectionScan.js';
import type { Skipped } from './walk.js';

export interface TreeAnswer {
  /** The manifest id: the recorded one, or rebuilt from the sections when files were edited. */
  hash: () => string;
  size: number;
  files: number;
  skipped: Skipped[];
  /** The manifest's entries, read from the index. */
  entries: () => ManifestEntry[];
  /**
   * When files were edited in place since manifest `from` (the item's base): those
   * whose content differs from it, and whether all of its objects were cached when the
   * cache looked like `cache` ('' unknown). Names are unchanged here, so this is the
   * whole difference: nobody needs to parse `from` to diff against it.
   */
  delta?: { from: string; cache: string; changes: Array<{ path: string; oldSize: number; newSize: number; oldId: string }> };
}

const NO_STAT = { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };

/** Undefined when the directory has no usable record or its names may have changed: walk it. */
export async function checkTree(repo: Repo, path: string, manifestOf: (entries: ManifestEntry[]) => string, onBytes?: (n: number) => void): Promise<TreeAnswer | undefined> {
  const state = repo.state();
  const item = state.item(path);
  if (!item) return undefined;
  const root = repo.root;
  for (const r of item.rules) {
    const st = lstatSync(`${root}/${r.path}`, { throwIfNoEntry: false });
    const s = st?.isFile() ? st : NO_STAT;
    if (s.size !== r.size || s.mtimeMs !== r.mtime || s.ctimeMs !== r.ctime || s.ino !== r.ino) return undefined;
  }
  const tasks: ScanTask[] = [];
  let rawEntries = 0;
  const here: ScanResult = { files: 0, size: 0, structural: false, changed: [], skipped: [] };
  let sab: SharedArrayBuffer | undefined;
  for (const dir of item.dirs) {
    const s = state.section(dir);
    if (!s || !s.complete) return undefined;
    const absDir = dir ? `${root}/${dir}` : root;
    const dst = lstatSync(absDir, { throwIfNoEntry: false });
    if (!dst?.isDirectory() || dst.mtimeMs !== s.stat.mtime || dst.ctimeMs !== s.stat.ctime || dst.ino !== s.stat.ino) return undefined;
    if (s.raw && s.raw.buf.buffer instanceof SharedArrayBuffer) {
      // Untouched since loaded: checked in place, possibly on another thread.
      tasks.push({ dir, absDir, start: s.raw.start, count: s.raw.count });
      rawEntries += s.raw.count;
      sab = s.raw.buf.buffer;
    } else {
      // Decoded (touched in this process, or smudged as racy): checked here, from objects.
      const part = scanDecoded(state, s, dir, absDir);
      if (part.structural) return undefined;
      merge(here, part);
    }
  }
  const parts = await scanInParallel(sab, tasks, rawEntries);
  for (const part of parts) {
    if (part.structural) return undefined;
    merge(here, part);
  }
  const { files, size, skipped } = here;
  const changed = here.changed;
  state.hits += files - changed.length;
  const entries = () => entriesOfItem(state, item);
  if (changed.length > 0) {
    const edits = [];
    for (const c of changed) {
      const abs = c.dir ? `${root}/${c.dir}/${c.name}` : `${root}/${c.name}`;
      // Named as its entry was: a big file recorded whole (format 1) is hashed whole.
      const id = await fileId(abs, c.size, onBytes, state.entries(state.section(c.dir)!).get(c.name)?.id);
      state.misses++;
      const rel = c.dir === item.path ? c.name : `${c.dir.slice(item.path.length + 1)}/${c.name}`;
      edits.push({ dir: c.dir, name: c.name, rel, st: c, id, exec: c.exec });
    }
    state.recordEdits(path, edits);
  }
  let memo = item.manifest;
  const hash = () => {
    if (memo === '') {
      memo = manifestOf(entries());
      state.recordManifest(path, memo);
    }
    return memo;
  };
  const base = item.base;
  if (!base) return { hash, size, files, skipped, entries };
  const changes: NonNullable<TreeAnswer['delta']>['changes'] = [];
  for (const f of base.edits.values()) {
    const dir = f.path.includes('/') ? `${item.path}/${f.path.slice(0, f.path.lastIndexOf('/'))}` : item.path;
    const now = state.entries(state.section(dir)!).get(f.path.slice(f.path.lastIndexOf('/') + 1));
    changes.push({ path: f.path, oldSize: f.size, newSize: now?.size ?? 0, oldId: f.id });
  }
  return { hash, size, files, skipped, entries, delta: { from: base.from, cache: base.cache, changes } };
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

function merge(into: ScanResult, part: ScanResult): void {
  into.files += part.files;
  into.size += part.size;
  into.structural ||= part.structural;
  for (const c of part.changed) into.changed.push(c);
  for (const k of part.skipped) into.skipped.push(k);
}

/** scanSections() for a section held as objects. */
function scanDecoded(state: StateIndex, s: Section, dir: string, absDir: string): ScanResult {
  const out: ScanResult = { files: 0, size: 0, structural: false, changed: [], skipped: [] };
  state.scan(s, (kind, exec, name, esize, mtime, ctime, ino) => {
    if (kind === KIND_SYMLINK || kind === KIND_SPECIAL) {
      out.skipped.push({ path: `${dir}/${name}`, reason: kind === KIND_SYMLINK ? 'symlink' : 'special' });
      return true;
    }
    const st = lstatSync(`${absDir}/${name}`, { throwIfNoEntry: false });
    if (kind === KIND_IGNORE) {
      out.structural = !st || st.size !== esize || st.mtimeMs !== mtime || st.ctimeMs !== ctime || st.ino !== ino;
      return !out.structural;
    }
    if (!st?.isFile()) { out.structural = true; return false; }
    out.files++;
    out.size += st.size;
    const x = (st.mode & 0o111) !== 0;
    if (st.size !== esize || st.mtimeMs !== mtime || st.ctimeMs !== ctime || st.ino !== ino || x !== exec) {
      out.changed.push({ dir, name, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, exec: x });
    }
    return true;
  });
  return out;
}

/**
 * Below this many files a worker's start-up (~30-50 ms) costs more than it saves.
 * (README, "Benchmarks": measured with MLV_STAT_THREADS.)
 */
const PARALLEL_MIN = 20_000;

/**
 * Check the tasks on this thread and on worker threads, one share each: one thread per
 * idle core, at most 4. A worker costs ~0.1-0.2 s of CPU to start and helps only while a
 * core is idle: on this 2-core machine under a load of ~20 it made a 100k-file status
 * 0.2 s dearer and no faster (README, "Benchmarks"). MLV_STAT_THREADS sets the number
 * (1: this thread only), for benchmarks.
 */
function statThreads(): number {
  const set = process.env.MLV_STAT_THREADS;
  if (set !== undefined && /^\d+$/.test(set)) return Number(set);
  const cores = availableParallelism();
  return Math.max(1, Math.min(4, Math.floor(cores - loadavg()[0])));
}

async function scanInParallel(sab: SharedArrayBuffer | undefined, tasks: ScanTask[], entries: number): Promise<ScanResult[]> {
  // Set explicitly, the number applies at any size (tests run the workers on small trees).
  const threads = process.env.MLV_STAT_THREADS === undefined && entries < PARALLEL_MIN ? 1 : statThreads();
  const url = new URL('./statWorker.js', import.meta.url);
  if (!sab || threads <= 1 || tasks.length < 2 || !existsSync(url)) return [scanSections(sab ? new Uint8Array(sab) : new Uint8Array(0), tasks)];
  // Shares of about equal entry counts, in order (their results are concatenated).
  const shares: ScanTask[][] = [];
  const per = Math.ceil(entries / threads);
  let cur: ScanTask[] = [];
  let n = 0;
  for (const t of tasks) {
    cur.push(t);
    n += t.count;
    if (n >= per && shares.length < threads - 1) { shares.push(cur); cur = []; n = 0; }
  }
  shares.push(cur);
  const mine = shares.shift()!;
  const workers = shares.map((share) => new Promise<ScanResult>((resolve, reject) => {
    const w = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    w.once('message', (r: ScanResult) => { resolve(r); void w.terminate(); });
    w.once('error', reject);
    w.postMessage({ sab, tasks: share });
  }));
  const first = scanSections(new Uint8Array(sab), mine);
  return [first, ...(await Promise.all(workers))];
}
