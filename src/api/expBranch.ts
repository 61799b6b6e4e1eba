import { InputError } from '../errors/index.js';
import { resolveExp } from '../experiments/refs.js';
import { gitSync } from '../git/porcelain.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';

export interface ExpBranchOptions extends RepoOptions {
  exp: string;
  branch: string;
}

/**
 * Make a git branch of an experiment's commit (its parent is the baseline), without
 * switching to it.
 * @example
 *   await expBranch({ cwd, exp: 'brisk-otter-042', branch: 'more-trees' });
 */
export async function expBranch(opts: ExpBranchOptions): Promise<{ branch: string; commit: string; exp: string }> {
  const root = gitRootOrThrow(opts.cwd);
  const exp = resolveExp(root, opts.exp);
  const ok = gitSync(root, ['check-ref-format', '--branch', opts.branch], { allowFail: true }).trim();
  if (!ok) throw new InputError(`${opts.branch}: not a valid branch name`, { branch: opts.branch }, 'EBRANCH');
  if (gitSync(root, ['rev-parse', '-q', '--verify', `refs/heads/${opts.branch}`], { allowFail: true }).trim()) {
    throw new InputError(`${opts.branch}: a branch of that name already exists`, { branch: opts.branch }, 'EBRANCHEXISTS');
  }
  gitSync(root, ['branch', opts.branch, exp.commit]);
  return { branch: opts.branch, commit: exp.commit, exp: exp.name };
}
