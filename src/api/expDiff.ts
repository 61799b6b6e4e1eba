import type { VersionDiff } from '../compare/types.js';
import { diffVersions, rowFor } from '../experiments/compare.js';
import { listExps } from '../experiments/refs.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';

export interface ExpDiffOptions extends RepoOptions {
  /** Experiment names (or refs) or git revisions. */
  a: string;
  b: string;
}

export interface ExpDiffResult extends VersionDiff {
  aRev: string;
  bRev: string;
}

/**
 * Params that differ, every metric with its delta, and changed artifacts between two
 * experiments (or an experiment and a commit).
 * @example
 *   const d = await expDiff({ cwd, a: 'brisk-otter-042', b: 'HEAD' });
 */
export async function expDiff(opts: ExpDiffOptions): Promise<ExpDiffResult> {
  const repo = openRepo(opts);
  const exps = listExps(repo.root);
  const a = await rowFor(repo.root, opts.a, exps);
  const b = await rowFor(repo.root, opts.b, exps);
  return { ...(await diffVersions(repo, a, b)), a: opts.a, b: opts.b, aRev: a.rev, bRev: b.rev };
}
