import { checkCount, UsageError } from '../errors/index.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { reproduce, type ReproduceOptions, type ReproduceResult } from '../pipeline/reproduce.js';
import { verifyRev, type VerifyOptions, type VerifyResult } from '../pipeline/verify.js';
import { noteOf, recordReproNote } from '../pipeline/reproNote.js';
import { resolveRev } from '../git/porcelain.js';

export interface ReproOptions extends RepoOptions, Omit<ReproduceOptions, 'root' | 'lock' | 'storeOutputs' | 'ignoreFrozen' | 'writeLock'> {}

/**
 * Run the stale stages of the pipeline (or `stages` and their upstream) in dependency
 * order and record mlv.lock.
 * @example
 *   const { ran, cached, upToDate } = await repro({ cwd, jobs: 2 });
 */
export async function repro(opts: ReproOptions): Promise<ReproduceResult> {
  const repo = openRepo(opts);
  checkCount('--jobs', opts.jobs);
  return reproduce({ ...opts, root: repo.root });
}

export interface ReproRevOptions extends RepoOptions, Omit<VerifyOptions, 'root'> {
  /** The clock for the recorded outcome (default: now). */
  now?: () => Date;
}

/**
 * Rebuild the pipeline of a past commit in a temporary worktree and compare every
 * output hash and metric with that commit's mlv.lock. `match` is false on any mismatch.
 * The outcome is recorded as a git note (refs/notes/mlv-repro); `noteError` says why
 * it could not be.
 * @example
 *   const r = await reproRev({ cwd, rev: 'HEAD~2' }); r.match // true
 */
export async function reproRev(opts: ReproRevOptions): Promise<VerifyResult & { noteError?: string }> {
  const repo = openRepo(opts);
  checkCount('--jobs', opts.jobs);
  if (opts.tolerance !== undefined && !(opts.tolerance >= 0)) throw new UsageError(`--tolerance ${opts.tolerance}: expected a non-negative number`);
  const commit = resolveRev(repo.root, opts.rev);
  const now = opts.now ?? (() => new Date());
  let r: VerifyResult;
  try {
    r = await verifyRev({ ...opts, root: repo.root });
  } catch (e) {
    if (!opts.signal?.aborted) recordReproNote(repo.root, commit, noteOf(undefined, now(), e));
    throw e;
  }
  const noteError = recordReproNote(repo.root, r.commit, noteOf(r, now()));
  return noteError ? { ...r, noteError } : r;
}

export type { ReproduceResult, StageEvent } from '../pipeline/reproduce.js';
export type { VerifyResult };
export { StageFailedError } from '../pipeline/errors.js';
