import { statSync } from 'node:fs';
import { checkCount } from '../errors/index.js';
import { listRuns, removeRun, runCachePolicy, runObjects, type RunEntry } from '../pipeline/runCache.js';
import { liveMlvWorktrees, liveWorktreesSince, repairDeadWorktrees } from '../git/worktree.js';
import { withRepoLock } from '../repo/lock.js';
import { objectsOfTracked, trackedInScope } from '../repo/reachable.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { expandIds } from '../store/chunked.js';

export interface GcOptions extends RepoOptions {
  dryRun?: boolean;
  allCommits?: boolean;
  keepExps?: boolean;
  /** Keep the N most recently written or restored run-cache entries whatever they hold (default 0). */
  keepRuns?: number;
}

/** One run-cache entry gc drops: its key, command, outputs and the bytes only it kept. */
export interface DroppedRun {
  key: string;
  cmd: string[];
  outs: string[];
  bytes: number;
}

export interface GcResult {
  removed: Array<{ hash: string; size: number }>;
  bytes: number;
  kept: number;
  dryRun: boolean;
  /** Of the removed, how many older commits (or experiments) still refer to: those versions can then only come back from a remote. */
  fromHistory: number;
  /** Worktrees of killed `exp run`/`repro --rev` removed, with git's records of them. */
  worktrees: string[];
  /** The run cache before gc (entries, bytes of the objects they name) and the entries dropped. */
  runCache: { entries: number; bytes: number; kept: number; dropped: DroppedRun[] };
}

/**
 * Delete cached objects that nothing in scope refers to: the workspace by default;
 * every branch, tag and refs/mlv/* commit with `allCommits`; experiments with `keepExps`.
 * Run-cache entries are kept when a version in scope recorded their outputs, when they
 * are among the `keepRuns` most recent, or when a run in progress may have written them;
 * the others are deleted with the objects only they named. A run in progress (`exp run`,
 * `repro --rev`, a queue job, each in a live worktree under `.mlv/tmp/`) keeps what its
 * worktree names and what was written or reused since it began.
 * @example
 *   const { removed, bytes, runCache } = await gc({ cwd, dryRun: true, keepRuns: 5 });
 */
export async function gc(opts: GcOptions): Promise<GcResult> {
  const keepRuns = opts.keepRuns ?? 0;
  checkCount('--keep-runs', keepRuns, 0);
  const repo = openRepo(opts);
  return withRepoLock(repo, 'gc', async () => {
    // Runs in progress do not hold this lock: what they use, and what they wrote that no
    // ref names yet (named by their worktree's mlv.lock, or newer than the worktree), is kept.
    const live = liveMlvWorktrees(repo.root);
    const items = await trackedInScope(repo, { workspace: true, allCommits: opts.allCommits, exps: opts.keepExps, uncached: true, worktrees: live.map((w) => w.dir) });
    const { objects: keep } = objectsOfTracked(repo, items.filter((t) => !t.uncached));
    const since = liveWorktreesSince(live);
    const runs = runCachePolicy(repo, { referenced: new Set(items.map((t) => t.hash)), keepRuns, since });
    // Kept entries may name chunked files: their lists and chunks are kept.
    const ofRun = new Map<string, Set<string>>();
    const objectsOf = (e: RunEntry) => {
      let ids = ofRun.get(e.key);
      if (!ids) { ids = expandIds(repo.store, runObjects(repo, e.stage)); ofRun.set(e.key, ids); }
      return ids;
    };
    for (const e of runs.kept) for (const h of objectsOf(e)) keep.add(h);
    for (const e of runs.dropped) objectsOf(e); // before their manifests go
    const removed: GcResult['removed'] = [];
    let bytes = 0;
    let kept = 0;
    for (const hash of repo.store.list()) {
      if (keep.has(hash) || (since !== undefined && newerThan(repo.store.path(hash), since))) { kept++; continue; }
      const size = repo.store.size(hash);
      removed.push({ hash, size });
      bytes += size;
      if (!opts.dryRun) repo.store.remove(hash);
    }
    const sizes = new Map(removed.map((r) => [r.hash, r.size]));
    const dropped = runs.dropped.map((e): DroppedRun => ({
      key: e.key,
      cmd: e.stage?.cmd ?? [],
      outs: e.stage ? [...e.stage.outs, ...e.stage.metrics].map((o) => o.path) : [],
      bytes: [...objectsOf(e)].reduce((n, h) => n + (sizes.get(h) ?? 0), 0),
    }));
    if (!opts.dryRun) for (const e of runs.dropped) removeRun(repo, e.key);
    const runCache = { entries: runs.kept.length + runs.dropped.length, bytes: runCacheBytes(repo, [...runs.kept, ...runs.dropped].map(objectsOf), sizes), kept: runs.kept.length, dropped };
    if (!opts.dryRun) repo.store.sweepTemp();
    const worktrees = opts.dryRun ? [] : repairDeadWorktrees(repo.root);
    let fromHistory = 0;
    if (removed.length && !opts.allCommits) {
      const history = objectsOfTracked(repo, await trackedInScope(repo, { allCommits: true })).objects;
      fromHistory = removed.filter((r) => history.has(r.hash)).length;
    }
    return { removed, bytes, kept, dryRun: Boolean(opts.dryRun), fromHistory, worktrees, runCache };
  });
}

function newerThan(path: string, since: number): boolean {
  try { return statSync(path).mtimeMs >= since; } catch { return false; }
}

/** Bytes of the distinct cached objects the entries name (removed ones by their recorded size). */
function runCacheBytes(repo: { store: { has(h: string): boolean; size(h: string): number } }, sets: Array<Set<string>>, removedSizes: Map<string, number>): number {
  const seen = new Set<string>();
  let n = 0;
  for (const ids of sets) {
    for (const h of ids) {
      if (seen.has(h)) continue;
      seen.add(h);
      const r = removedSizes.get(h);
      if (r !== undefined) n += r;
      else if (repo.store.has(h)) { try { n += repo.store.size(h); } catch { /* removed meanwhile */ } }
    }
  }
  return n;
}
