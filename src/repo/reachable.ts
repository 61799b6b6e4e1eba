/**
 * Which tracked items (and so which objects) a set of versions refers to.
 */
import { gitSync, catBlobs } from '../git/porcelain.js';
import { parsePointer, dataPathFor, POINTER_SUFFIX } from './pointer.js';
import type { Repo } from './Repo.js';
import { isLockFile, lockTracked, trackedAtCommit, trackedInWorkspace, type Tracked } from './tracked.js';
import { readManifest } from './workspace.js';
import { addObjectsOf } from '../store/chunked.js';
import { isChunkedId, objectOf } from '../store/chunklist.js';

export interface Scope {
  /** The pointers and lock files in the work tree. */
  workspace?: boolean;
  /** Every commit reachable from a branch, tag, HEAD or refs/mlv/*. */
  allCommits?: boolean;
  /** Every commit reachable from refs/mlv/exps/*. */
  exps?: boolean;
  /** Also the `cache: false` outputs of mlv.lock files (marked `uncached`; gc's run-cache policy matches on them). */
  uncached?: boolean;
  /**
   * Linked work trees of runs in progress (`exp run`, `repro --rev`, queue jobs): their
   * pointers and lock files as they are now, and as their HEAD commit has them, which is
   * what the run restores and uses. One that cannot be read (being made or removed) is skipped.
   */
  worktrees?: string[];
}

/** Tracked items referenced by the versions in scope (deduplicated by kind+hash). */
export async function trackedInScope(repo: Repo, scope: Scope): Promise<Tracked[]> {
  const all: Tracked[] = [];
  if (scope.workspace) all.push(...trackedInWorkspace(repo.root, scope.uncached));
  for (const dir of scope.worktrees ?? []) {
    try { all.push(...trackedInWorkspace(dir, scope.uncached)); } catch { /* being made or removed meanwhile */ }
    try { all.push(...(await trackedAtCommit(dir, 'HEAD'))); } catch { /* no HEAD yet */ }
  }
  const revArgs: string[] = [];
  if (scope.allCommits) revArgs.push('--all');
  else if (scope.exps) revArgs.push('--glob=refs/mlv/exps/*');
  if (revArgs.length) {
    // One `rev-list --objects` walk names every blob of every commit with its path.
    const out = gitSync(repo.root, ['rev-list', '--objects', ...revArgs, '--']);
    const rows: Array<{ oid: string; path: string }> = [];
    for (const line of out.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const path = line.slice(sp + 1);
      if (path.endsWith(POINTER_SUFFIX) || isLockFile(path)) rows.push({ oid: line.slice(0, sp), path });
    }
    const blobs = await catBlobs(repo.root, rows.map((r) => r.oid));
    for (const r of rows) {
      const text = blobs.get(r.oid)?.toString('utf8');
      if (text === undefined) continue; // a tree with that name, not a blob
      try {
        if (r.path.endsWith(POINTER_SUFFIX)) all.push({ ...parsePointer(text, r.path), path: dataPathFor(r.path), source: { type: 'pointer', file: r.path } });
        else all.push(...lockTracked(text, r.path, scope.uncached));
      } catch {
        // A damaged pointer in old history must not stop gc or push of everything else.
      }
    }
  }
  const seen = new Set<string>();
  return all.filter((t) => { const k = `${t.kind}:${t.hash}${t.uncached ? ':u' : ''}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

/**
 * Every object hash those items need: blobs, manifests, chunk lists, and what manifests
 * and lists name (when cached). `unknownManifests` are manifests and chunk lists not
 * cached: once fetched, they name more.
 */
export function objectsOfTracked(repo: Repo, items: Tracked[]): ObjectsOf {
  const objects = new Set<string>();
  const unknownManifests: string[] = [];
  const manifests = new Set<string>();
  const lists = new Set<string>();
  const add = (id: string) => {
    if (isChunkedId(id)) lists.add(objectOf(id));
    addObjectsOf(repo.store, id, objects, unknownManifests);
  };
  for (const t of items) {
    if (t.kind !== 'dir') { add(t.hash); continue; }
    objects.add(t.hash);
    manifests.add(t.hash);
    if (!repo.store.has(t.hash)) { unknownManifests.push(t.hash); continue; }
    for (const e of readManifest(repo, t.hash, t.path)) add(e.hash);
  }
  return { objects, unknownManifests, manifests, lists };
}

export interface ObjectsOf {
  objects: Set<string>;
  unknownManifests: string[];
  /** Of `objects`, the directory manifests and the chunk lists: they name the others. */
  manifests: Set<string>;
  lists: Set<string>;
}

/** Objects in the order a push sends them: data, then chunk lists, then manifests. */
export function pushOrder(o: ObjectsOf): string[][] {
  const data = [...o.objects].filter((h) => !o.lists.has(h) && !o.manifests.has(h));
  return [data, [...o.lists].filter((h) => !o.manifests.has(h)), [...o.manifests]];
}
