import { staleStages, type StageStatus } from '../pipeline/status.js';
import type { OnProgress } from '../progress.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace, type Tracked } from '../repo/tracked.js';
import { compareWithWorkspace, type DataState, type FileChange, type HashedPath, type NotPulled } from '../repo/workspace.js';

export interface StatusRow {
  path: string;
  kind: 'file' | 'dir';
  state: DataState;
  /** The pointer or lock file recording it. */
  recordedIn: string;
  stage?: string;
  changes: FileChange[];
  /** Recorded files in neither the work tree nor the cache (state `not-pulled`, or beside other changes). */
  notPulled?: NotPulled;
  /** The command that brings this path back in line. */
  hint: string;
}

export interface StatusResult {
  data: StatusRow[];
  /**
   * Pipeline stages whose inputs changed (filled by the pipeline module's hook); a stage
   * with empty `reasons` is listed only for deps or outputs `notPulled`, and is not stale.
   */
  stages: StageStatus[];
  /**
   * Nothing modified, missing or not cached, and no stage stale: what `status --check`
   * tests. Data that is only not pulled does not count: it holds no change of the user's.
   */
  clean: boolean;
  /** No tracked data is left to pull: what `status --check --complete` tests too. */
  complete: boolean;
  /** Files answered from the state index vs. hashed: how tests see that nothing was re-read. */
  hashing: { fromIndex: number; hashed: number };
}


/**
 * Tracked data that is modified, missing, not pulled or not cached, without re-hashing
 * files whose size, mtime and inode are unchanged.
 * @example
 *   const { clean, complete, data } = await status({ cwd });
 */
export async function status(opts: RepoOptions & { onProgress?: OnProgress }): Promise<StatusResult> {
  const repo = openRepo(opts);
  const tracked: Tracked[] = trackedInWorkspace(repo.root);
  const data: StatusRow[] = [];
  for (const t of tracked) {
    const r = await compareWithWorkspace(repo, t.path, t);
    if (r.state === 'ok') continue;
    data.push({
      path: t.path,
      kind: t.kind,
      state: r.state,
      recordedIn: t.source.file,
      stage: t.source.type === 'lock' ? t.source.stage : undefined,
      changes: r.changes,
      notPulled: r.notPulled,
      hint: r.state === 'modified' && r.cached && holdsCachedVersion(repo, r.current, r.changes)
        ? (t.source.type === 'lock' ? 'mlv checkout' : `mlv checkout ${quote(t.path)}`)
        : hintFor(r.state, t, r.object),
    });
  }
  const state = repo.state();
  state.save();
  const stages: StatusResult['stages'] = [];
  stages.push(...(await staleStages(repo.root)));
  return {
    data,
    stages,
    clean: data.every((d) => d.state === 'not-pulled') && stages.every((s) => s.reasons.length === 0),
    complete: data.every((d) => !d.notPulled) && stages.every((s) => !s.notPulled),
    hashing: { fromIndex: state.hits, hashed: state.misses },
  };
}

/**
 * Whether what the work tree holds is a version mlv already has (every changed file's
 * content is cached): a checkout killed after git moved (its data still the other
 * version), or a `git checkout` without mlv's hook. Then `mlv checkout` is the fix, and
 * loses nothing; `mlv add` would record the other version's data under this commit.
 */
function holdsCachedVersion(repo: Repo, current: HashedPath | undefined, changes: FileChange[]): boolean {
  if (!current) return false;
  if (current.kind !== 'dir' || !current.entries) return repo.store.has(current.hash);
  const changed = new Set(changes.filter((c) => c.change !== 'deleted').map((c) => c.path));
  return current.entries.every((e) => !changed.has(e.path) || repo.store.has(e.hash));
}

const quote = (p: string) => (/^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

/**
 * The command that brings a row back in line. A modified directory pulled in part is
 * still `mlv add`: add keeps the files that were never pulled as recorded, where
 * `mlv pull` would refuse to overwrite the user's change.
 */
function hintFor(state: DataState, t: Tracked, object?: string): string {
  const p = quote(t.path);
  const fromLock = t.source.type === 'lock';
  switch (state) {
    case 'not-pulled': return `mlv pull ${p}`;
    // The CLI takes a missing path for a revision unless a pointer names it: outputs are restored with the rest.
    case 'missing': return fromLock ? 'mlv checkout' : `mlv checkout ${p}`;
    // Re-adding stores the work tree's copy; a stage's output can only be fetched again.
    case 'not-cached': return fromLock ? `mlv pull ${p}` : `mlv add ${p}`;
    // The edit is in the file and in the cache object it shares: record it, then drop the object.
    case 'damaged': return `${fromLock ? `mlv repro ${quote((t.source as { stage: string }).stage)}` : `mlv add ${p}`}, then delete the damaged cache object${object ? ` ${quote(object)}` : `(s) named beside its damaged files`} (docs/FORMAT.md, "Hard links")`;
    default: return fromLock ? `mlv repro ${quote((t.source as { stage: string }).stage)}` : `mlv add ${p}`;
  }
}
