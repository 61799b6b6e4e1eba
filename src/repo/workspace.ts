/**
 * The data in the work tree against what pointers record: hashing (through the state
 * index, so unchanged files are not read), storing, comparing and restoring.
 */
import { lstatSync, readdirSync, rmdirSync, rmSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { ConflictError, InputError } from '../errors/index.js';
import { parseManifest, serializeManifest, type ManifestEntry } from '../store/manifest.js';
import { hashBytes } from '../store/hash.js';
import { isChunkedId } from '../store/chunklist.js';
import { fileId } from '../store/chunked.js';
import { CHUNKING } from '../store/chunker.js';
import type { OnProgress } from '../progress.js';
import type { Repo } from './Repo.js';
import { fromRepoPath } from './paths.js';
import { sourceName, type Tracked } from './tracked.js';
import { WorkTree } from './workpath.js';
import type { Pointer } from './pointer.js';
import { walkTracked, type FileStat, type RuleFileStat, type Skipped, type WalkedDir, type WalkedFile } from './walk.js';
import { KIND_FILE, KIND_IGNORE, KIND_SPECIAL, KIND_SYMLINK, type Entry } from './state.js';
import { checkTree, type TreeAnswer } from './treeCheck.js';

export interface HashedPath extends Pointer {
  entries?: ManifestEntry[];
  skipped: Skipped[];
  /** Only files edited in place since the state index recorded manifest `from` (treeCheck.ts). */
  delta?: TreeAnswer['delta'];
}

function statOrUndefined(p: string): Stats | undefined {
  try { return lstatSync(p); } catch { return undefined; }
}

/** Hash one workspace file, asking the state index first. */
async function hashOne(repo: Repo, repoPath: string, abs: string, st: FileStat, onBytes?: (n: number) => void, like?: () => string | undefined): Promise<string> {
  const state = repo.state();
  const known = state.lookup(repoPath, st);
  if (known) return known;
  // A file recorded whole (format 1, before chunking) is hashed whole to compare with it.
  const hash = await fileId(abs, st.size, onBytes, st.size > CHUNKING.threshold ? like?.() : undefined);
  state.record(repoPath, st, hash);
  return hash;
}

/**
 * Hash a file or directory of the work tree; with `store`, also put every object in
 * the cache (what `mlv add` does). Returns undefined when the path does not exist.
 * `like`: the recorded id it will be compared with (a file's, or a directory's
 * manifest): big files recorded whole in format 1 are then hashed whole, not chunked.
 */
export async function hashPath(repo: Repo, repoPath: string, opts: { store?: boolean; onProgress?: OnProgress; source?: string; like?: string } = {}): Promise<HashedPath | undefined> {
  const abs = fromRepoPath(repo.root, repoPath, opts.source);
  const st = statOrUndefined(abs);
  if (!st) return undefined;
  let done = 0;
  let total: number | undefined = st.isFile() ? st.size : undefined;
  const onBytes = opts.onProgress ? (n: number) => { done += n; opts.onProgress!({ unit: 'bytes', done, total }); } : undefined;
  if (st.isSymbolicLink()) throw new InputError(`${repoPath}: is a symbolic link; mlv tracks the data itself, not links`, { path: repoPath });
  if (st.isFile()) {
    let hash: string;
    if (opts.store) {
      const known = repo.state().lookup(repoPath, st);
      hash = (await repo.store.addFile(abs, onBytes, known, st)).hash;
      repo.state().record(repoPath, st, hash);
    } else hash = await hashOne(repo, repoPath, abs, st, onBytes, () => opts.like);
    return { kind: 'file', hash, size: st.size, files: 1, skipped: [] };
  }
  if (!st.isDirectory()) throw new InputError(`${repoPath}: is not a regular file or directory`, { path: repoPath });
  if (!opts.store) {
    // Recorded and no directory of it changed: one lstat per file, no walk.
    const known = await checkTree(repo, repoPath, (e) => hashBytes(serializeManifest(e)), onBytes);
    if (known) {
      const out = { kind: 'dir', size: known.size, files: known.files, skipped: known.skipped, delta: known.delta } as HashedPath;
      return lazy(lazy(out, 'hash', known.hash), 'entries', known.entries);
    }
  }
  const { files, skipped, dirs, ruleFiles } = walkTracked(repo.root, repoPath);
  total = files.reduce((s, f) => s + f.stat.size, 0);
  const entries: ManifestEntry[] = [];
  const likeOf = recordedIds(repo, opts.like, repoPath);
  for (const f of files) {
    const fileRepoPath = `${repoPath}/${f.rel}`;
    let hash: string;
    if (opts.store) {
      const known = repo.state().lookup(fileRepoPath, f.stat);
      hash = (await repo.store.addFile(f.abs, onBytes, known, f.stat)).hash;
      repo.state().record(fileRepoPath, f.stat, hash);
    } else hash = await hashOne(repo, fileRepoPath, f.abs, f.stat, onBytes, () => likeOf(f.rel));
    entries.push({ path: f.rel, hash, size: f.stat.size, exec: f.exec });
    opts.onProgress?.({ unit: 'bytes', done, total });
  }
  const manifest = serializeManifest(entries);
  const hash = opts.store ? repo.store.addBytes(manifest).hash : hashBytes(manifest);
  recordWalk(repo, repoPath, hash, files, entries, dirs, ruleFiles);
  return { kind: 'dir', hash, size: total, files: entries.length, entries, skipped };
}

/**
 * The ids manifest `like` records, by path: read only when a big file is hashed
 * without a state entry, and only if the manifest is cached (else nothing is known).
 */
function recordedIds(repo: Repo, like: string | undefined, where: string): (rel: string) => string | undefined {
  let ids: Map<string, string> | undefined;
  return (rel) => {
    if (like === undefined || isChunkedId(like)) return undefined;
    if (!ids) {
      ids = new Map();
      try {
        if (repo.store.has(like)) for (const e of readManifest(repo, like, where)) ids.set(e.path, e.hash);
      } catch { /* not a manifest (the path was a file): nothing recorded */ }
    }
    return ids.get(rel);
  };
}

/** The walk's directories, as complete sections of the state index, and the tracked directory's record. */
function recordWalk(repo: Repo, repoPath: string, hash: string, files: WalkedFile[], entries: ManifestEntry[], dirs: WalkedDir[], ruleFiles: RuleFileStat[]): void {
  const sections = dirs.map((d) => {
    const m = new Map<string, Entry>();
    if (d.ignore) m.set('.mlvignore', { kind: KIND_IGNORE, exec: false, size: d.ignore.size, mtime: d.ignore.mtimeMs, ctime: d.ignore.ctimeMs, ino: d.ignore.ino, id: '' });
    for (const k of d.skipped) m.set(k.name, { kind: k.reason === 'symlink' ? KIND_SYMLINK : KIND_SPECIAL, exec: false, size: 0, mtime: 0, ctime: 0, ino: 0, id: '' });
    return { dir: d.path, stat: d.stat, entries: m };
  });
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    sections[f.dir].entries.set(f.name, { kind: KIND_FILE, exec: f.exec, size: f.stat.size, mtime: f.stat.mtimeMs, ctime: f.stat.ctimeMs, ino: f.stat.ino, id: entries[i].hash });
  }
  repo.state().recordTree(repoPath, hash, sections, ruleFiles);
}

/** `entries` or the manifest's `hash`, computed only if a caller reads them (a diff, a restore plan, add). */
function lazy<K extends 'hash' | 'entries'>(out: HashedPath, key: K, make: () => NonNullable<HashedPath[K]>): HashedPath {
  let memo: HashedPath[K] | undefined;
  Object.defineProperty(out, key, { enumerable: true, get: () => (memo ??= make()) });
  return out;
}

export function readManifest(repo: Repo, hash: string, where: string): ManifestEntry[] {
  return parseManifest(repo.store.readVerified(hash), `${where} (manifest ${hash.slice(0, 12)})`);
}

/**
 * `missing`: not in the work tree, but the cache can restore it (`mlv checkout`).
 * `not-pulled`: files neither in the work tree nor in the cache, e.g. after a partial
 * `mlv pull <path>` or in a fresh clone: nothing was changed, the data was never fetched.
 * `not-cached`: the work tree matches, but the cache lacks the objects.
 * `damaged`: the file was written in place while hard-linked to its cache object, so the
 * edit changed the cached version too (only root can: objects are read-only).
 */
export type DataState = 'ok' | 'modified' | 'missing' | 'not-pulled' | 'not-cached' | 'damaged';

/**
 * A file's change inside a tracked directory. `damaged`: modified, and the work-tree file
 * is its recorded object itself (a hard link written in place); `object` is that
 * object's file.
 */
export interface FileChange { path: string; change: EntryChange['change'] | 'damaged'; oldSize?: number; newSize?: number; object?: string }

/** A file's change between two manifests. */
export interface EntryChange { path: string; change: 'added' | 'modified' | 'deleted'; oldSize?: number; newSize?: number }

/** Recorded files that are neither in the work tree nor in the cache. */
export interface NotPulled { files: number; bytes: number }

/** Compare a tracked item with the work tree. */
export async function compareWithWorkspace(repo: Repo, path: string, p: Pointer): Promise<{ state: DataState; current?: HashedPath; changes: FileChange[]; cached: boolean; notPulled?: NotPulled; object?: string }> {
  // An unchanged directory whose objects were all cached when the cache looked as it
  // does now: neither the manifest nor the cache need reading (docs/FORMAT.md, state).
  const cacheNow = p.kind === 'dir' ? repo.store.fingerprint() : '';
  const source = sourceName(p as Tracked);
  let current = p.kind === 'dir' ? await hashPath(repo, path, { source, like: p.hash }) : undefined;
  // Files edited in place in a directory recorded as it is in the pointer, all of whose
  // objects were cached: the edited files are the whole diff (no manifest read or
  // rebuilt, no cache listing). None left: it is the pointer's content again.
  const d = current?.kind === 'dir' ? current.delta : undefined;
  if (d && d.from === p.hash && d.cache !== '' && d.cache === cacheNow) {
    const changes = d.changes.map((c): FileChange => ({ path: c.path, change: 'modified', oldSize: c.oldSize, newSize: c.newSize }));
    const was = new Map(d.changes.map((c) => [c.path, c.oldId]));
    const damaged = markDamaged(repo, path, changes, (rel) => was.get(rel));
    return { state: damaged ? 'damaged' : changes.length ? 'modified' : 'ok', current, changes: changes.sort((x, y) => (x.path < y.path ? -1 : 1)), cached: true };
  }
  if (current?.kind === 'dir' && current.hash === p.hash && repo.state().dirCached(path, p.hash, cacheNow)) {
    return { state: 'ok', current, changes: [], cached: true };
  }
  // The recorded manifest is read (and verified) once, for both questions below.
  const recorded = p.kind === 'dir' && repo.store.has(p.hash) ? readManifest(repo, p.hash, path) : undefined;
  const uncached = new Set(p.kind === 'file' ? repo.store.missing([p.hash]) : recorded ? repo.store.missing(recorded.map((e) => e.hash)) : []);
  const cached = p.kind === 'file' ? uncached.size === 0 : recorded !== undefined && uncached.size === 0;
  if (cached && p.kind === 'dir') repo.state().recordDirCached(path, p.hash, cacheNow);
  if (p.kind === 'file') current = await hashPath(repo, path, { source, like: p.hash });
  if (!current) {
    if (cached) return { state: 'missing', changes: [], cached };
    // Without the manifest its files are unknown: count what the pointer records.
    const lacking = recorded?.filter((e) => uncached.has(e.hash));
    const notPulled = lacking ? count(lacking) : { files: p.files, bytes: p.size };
    // Part of it is cached (pulled, then removed): checkout restores that part.
    return { state: lacking && lacking.length < recorded!.length ? 'missing' : 'not-pulled', changes: [], cached, notPulled };
  }
  if (current.hash === p.hash && current.kind === p.kind) return { state: cached ? 'ok' : 'not-cached', current, changes: [], cached };
  if (p.kind === 'file' && current.kind === 'file' && sharesInode(repo, path, p.hash)) return { state: 'damaged', current, changes: [], cached, object: objectFile(repo, p.hash) };
  const all = recorded && current.kind === 'dir' ? diffEntries(recorded, current.entries ?? []) : [];
  // A recorded file absent from the work tree whose object is not cached was not pulled, not deleted.
  const hashOf = new Map(recorded?.map((e) => [e.path, e.hash]));
  const notPulledPaths = new Set(all.filter((c) => c.change === 'deleted' && uncached.has(hashOf.get(c.path)!)).map((c) => c.path));
  const changes: FileChange[] = all.filter((c) => !notPulledPaths.has(c.path));
  const notPulled = notPulledPaths.size ? count(recorded!.filter((e) => notPulledPaths.has(e.path))) : undefined;
  if (markDamaged(repo, path, changes, (rel) => hashOf.get(rel))) return { state: 'damaged', current, changes, cached, notPulled };
  return { state: notPulled && changes.length === 0 ? 'not-pulled' : 'modified', current, changes, cached, notPulled };
}

/**
 * Mark the modified files of a tracked directory that are their recorded object itself
 * (a hard link written in place) as `damaged`, naming the object's file; true if any.
 * Costs two stats per modified file, none per unchanged one.
 */
function markDamaged(repo: Repo, path: string, changes: FileChange[], recordedId: (rel: string) => string | undefined): boolean {
  let any = false;
  for (const c of changes) {
    const id = c.change === 'modified' ? recordedId(c.path) : undefined;
    if (id === undefined || !sharesInode(repo, `${path}/${c.path}`, id)) continue;
    c.change = 'damaged';
    c.object = objectFile(repo, id);
    any = true;
  }
  return any;
}

/** A cache object's file as typed from the repository root (absolute when the cache is elsewhere). */
export function objectFile(repo: Repo, hash: string): string {
  const abs = repo.store.path(hash);
  const rel = relative(repo.root, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** Whether the work-tree file is the cache object itself (a hard link), which now differs from its name. */
function sharesInode(repo: Repo, path: string, hash: string): boolean {
  if (isChunkedId(hash)) return false; // assembled: always a copy
  const a = statOrUndefined(fromRepoPath(repo.root, path));
  const b = statOrUndefined(repo.store.path(hash));
  return a !== undefined && b !== undefined && a.ino === b.ino && a.dev === b.dev;
}

const count = (entries: ManifestEntry[]): NotPulled => ({ files: entries.length, bytes: entries.reduce((s, e) => s + e.size, 0) });

export function diffEntries(before: ManifestEntry[], after: ManifestEntry[]): EntryChange[] {
  // One map, of the older side: each newer entry is looked up and struck off, and what
  // is left was deleted. (A map per side, built from [path, entry] pairs, was a third of
  // a status of 20k files after one was added, with its garbage.)
  const a = new Map<string, ManifestEntry>();
  for (const e of before) a.set(e.path, e);
  const out: EntryChange[] = [];
  for (const n of after) {
    const e = a.get(n.path);
    if (e === undefined) { out.push({ path: n.path, change: 'added', newSize: n.size }); continue; }
    a.delete(n.path);
    if (n.hash !== e.hash) out.push({ path: n.path, change: 'modified', oldSize: e.size, newSize: n.size });
  }
  for (const [p, e] of a) out.push({ path: p, change: 'deleted', oldSize: e.size });
  return out.sort((x, y) => (x.path < y.path ? -1 : 1));
}

interface Step { kind: 'write'; rel: string; hash: string; exec: boolean; size: number } 
interface Removal { kind: 'remove'; rel: string }

/**
 * Plan making `path` match pointer `p` (or removing it when `p` is undefined). Every
 * file that would be overwritten or removed must have its current content in the cache
 * (so it can be recovered), unless `force`: otherwise the whole plan is refused.
 */
export async function planRestore(repo: Repo, path: string, p: Pointer | undefined, force: boolean, source?: string): Promise<{ steps: Array<Step | Removal>; conflicts: string[] }> {
  const steps: Array<Step | Removal> = [];
  const conflicts: string[] = [];
  const file = source ?? sourceName(p as Tracked | undefined);
  const tree = new WorkTree(repo.root);
  const abs = tree.path(path, file);
  const st = statOrUndefined(abs);
  const current = st ? await hashPath(repo, path, { source: file, like: p?.hash }) : undefined;
  const guard = (rel: string, hash: string | undefined) => {
    if (!force && hash !== undefined && !repo.store.has(hash)) conflicts.push(rel);
  };
  const currentFiles = new Map<string, string>(); // rel → hash
  if (current?.kind === 'file') currentFiles.set('', current.hash);
  else if (current?.kind === 'dir') for (const e of current.entries ?? []) currentFiles.set(e.path, e.hash);

  // Every write and removal is proven inside the work tree before the first one happens.
  const checked = () => {
    for (const s of steps) if (s.rel) tree.path(`${path}/${s.rel}`, file);
    return { steps, conflicts };
  };
  if (!p) {
    for (const [rel, h] of currentFiles) { guard(rel ? `${path}/${rel}` : path, h); steps.push({ kind: 'remove', rel }); }
    return checked();
  }
  if (p.kind === 'file') {
    if (current?.kind === 'file' && current.hash === p.hash) return { steps, conflicts };
    if (current?.kind === 'dir') for (const [rel, h] of currentFiles) { guard(`${path}/${rel}`, h); steps.push({ kind: 'remove', rel }); }
    else if (current) guard(path, current.hash);
    steps.push({ kind: 'write', rel: '', hash: p.hash, exec: false, size: p.size });
    return checked();
  }
  const wanted = readManifest(repo, p.hash, path);
  if (current?.kind === 'file') { guard(path, current.hash); steps.push({ kind: 'remove', rel: '' }); currentFiles.clear(); }
  const wantedSet = new Set(wanted.map((e) => e.path));
  for (const [rel, h] of currentFiles) {
    if (!wantedSet.has(rel)) { guard(`${path}/${rel}`, h); steps.push({ kind: 'remove', rel }); }
  }
  for (const e of wanted) {
    const have = currentFiles.get(e.path);
    if (have === e.hash) continue;
    if (have !== undefined) guard(`${path}/${e.path}`, have);
    steps.push({ kind: 'write', rel: e.path, hash: e.hash, exec: e.exec, size: e.size });
  }
  return checked();
}

/** Carry out a plan from planRestore. Objects are verified as they are written out. */
export async function applyRestore(repo: Repo, path: string, steps: Array<Step | Removal>, onBytes?: (n: number) => void, source = 'path'): Promise<{ written: number; removed: number }> {
  // Checked again as written: a git checkout between plan and apply may have made links.
  const tree = new WorkTree(repo.root);
  const base = tree.path(path, source);
  let written = 0;
  let removed = 0;
  const touchedDirs = new Set<string>();
  for (const s of steps) {
    const target = s.rel ? tree.path(`${path}/${s.rel}`, source) : base;
    if (s.kind === 'remove') {
      rmSync(target, { force: true });
      repo.state().forget(s.rel ? `${path}/${s.rel}` : path);
      touchedDirs.add(dirname(target));
      removed++;
      continue;
    }
    const tst = statOrUndefined(target);
    if (tst?.isDirectory()) rmSync(target, { recursive: true, force: true });
    await repo.store.checkoutTo(s.hash, target, repo.config.link, { exec: s.exec, onBytes, what: s.rel ? `${path}/${s.rel}` : path });
    repo.state().record(s.rel ? `${path}/${s.rel}` : path, lstatSync(target), s.hash);
    written++;
  }
  // Remove directories emptied by removals, up to the tracked path itself.
  for (const d of [...touchedDirs].sort((a, b) => b.length - a.length)) pruneEmpty(d, dirname(base));
  return { written, removed };
}

function pruneEmpty(dir: string, stopAt: string): void {
  let d = dir;
  while (d.length > stopAt.length && d.startsWith(stopAt)) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch { return; }
    d = dirname(d);
  }
}

export function conflictError(conflicts: string[], hint: string): ConflictError {
  const list = conflicts.slice(0, 10).join(', ') + (conflicts.length > 10 ? ` and ${conflicts.length - 10} more` : '');
  return new ConflictError(`${list}: has changes that are not in the cache and would be lost; ${hint}, or use --force`, { paths: conflicts });
}
