import { EXP_PREFIX, listExps } from '../experiments/refs.js';
import { transferRefs } from '../git/porcelain.js';
import type { OnProgress } from '../progress.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { push, type PushResult } from './push.js';

export interface ExpPushOptions extends RepoOptions {
  /** The git remote that receives `refs/mlv/exps/*`. */
  gitRemote: string;
  /** mlv remote for the data (default: the configured default); skipped when none is configured. */
  remote?: string;
  /** Replace experiment refs that differ on the git remote. */
  force?: boolean;
  onProgress?: OnProgress;
}

export interface ExpPushResult {
  gitRemote: string;
  refs: number;
  objects?: PushResult;
}

/**
 * Share experiments: first the cached objects they refer to go to the mlv remote, then
 * `refs/mlv/exps/*` go to the git remote (data before what points to it).
 * @example
 *   await expPush({ cwd, gitRemote: 'origin' });
 */
export async function expPush(opts: ExpPushOptions): Promise<ExpPushResult> {
  const repo = openRepo(opts);
  const refs = listExps(repo.root).length;
  const hasMlvRemote = Object.keys(repo.config.remotes).length > 0;
  const objects = hasMlvRemote ? await push({ cwd: opts.cwd, remote: opts.remote, exps: true, onProgress: opts.onProgress }) : undefined;
  if (refs > 0) await transferRefs(repo.root, 'push', opts.gitRemote, `${opts.force ? '+' : ''}${EXP_PREFIX}*:${EXP_PREFIX}*`);
  return { gitRemote: opts.gitRemote, refs, ...(objects ? { objects } : {}) };
}
