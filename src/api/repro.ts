import { UsageError } from '../errors/index.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { reproduce, type ReproduceOptions, type ReproduceResult } from '../pipeline/reproduce.js';
import { verifyRev, type VerifyOptions, type VerifyResult } from '../pipeline/verify.js';

export interface ReproOptions extends RepoOptions, Omit<ReproduceOptions, 'root' | 'lock' | 'storeOutputs' | 'ignoreFrozen' | 'writeLock'> {}

/**
 * Run the stale stages of the pipeline (or `stages` and their upstream) in dependency
 * order and record mlv.lock.
 * @example
 *   const { ran, cached, upToDate } = await repro({ cwd, jobs: 2 });
 */
export async function repro(opts: ReproOptions): Promise<ReproduceResult> {
  const repo = openRepo(opts);
  if (opts.jobs !== undefined && (!Number.isInteger(opts.jobs) || opts.jobs < 1)) throw new UsageError(`-j ${opts.jobs}: expected a positive whole number`);
  return reproduce({ ...opts, root: repo.root });
}

export interface ReproRevOptions extends RepoOptions, Omit<VerifyOptions, 'root'> {}

/**
 * Rebuild the pipeline of a past commit in a temporary worktree and compare every
 * output hash and metric with that commit's mlv.lock. `match` is false on any mismatch.
 * @example
 *   const r = await reproRev({ cwd, rev: 'HEAD~2' }); r.match // true
 */
export async function reproRev(opts: ReproRevOptions): Promise<VerifyResult> {
  const repo = openRepo(opts);
  if (opts.tolerance !== undefined && !(opts.tolerance >= 0)) throw new UsageError(`--tolerance ${opts.tolerance}: expected a non-negative number`);
  return verifyRev({ ...opts, root: repo.root });
}

export type { ReproduceResult, StageEvent } from '../pipeline/reproduce.js';
export type { VerifyResult };
export { StageFailedError } from '../pipeline/errors.js';
