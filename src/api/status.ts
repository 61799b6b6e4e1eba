import '../pipeline/register.js';
import { statusHooks } from './hooks.js';
import type { OnProgress } from '../progress.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { trackedInWorkspace, type Tracked } from '../repo/tracked.js';
import { compareWithWorkspace, type DataState, type FileChange } from '../repo/workspace.js';

export interface StatusRow {
  path: string;
  kind: 'file' | 'dir';
  state: DataState;
  /** The pointer or lock file recording it. */
  recordedIn: string;
  stage?: string;
  changes: FileChange[];
}

export interface StatusResult {
  data: StatusRow[];
  /** Pipeline stages whose inputs changed (filled by the pipeline module's hook). */
  stages: Array<{ stage: string; reasons: string[] }>;
  clean: boolean;
  /** Files answered from the state index vs. hashed: how tests see that nothing was re-read. */
  hashing: { fromIndex: number; hashed: number };
}


/**
 * Tracked data that is modified, missing or not cached, without re-hashing files whose
 * size, mtime and inode are unchanged.
 * @example
 *   const { clean, data } = await status({ cwd });
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
    });
  }
  const state = repo.state();
  state.save();
  const stages: StatusResult['stages'] = [];
  for (const h of statusHooks) stages.push(...(await h(repo.root)));
  return { data, stages, clean: data.length === 0 && stages.length === 0, hashing: { fromIndex: state.hits, hashed: state.misses } };
}
