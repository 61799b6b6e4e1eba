import { resolveRev } from '../git/porcelain.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { paramsDiffRows, type DiffRow } from '../pipeline/compare.js';

export interface ParamsDiffOptions extends RepoOptions {
  a?: string;
  b?: string;
  /** Include unchanged params. */
  all?: boolean;
}

export interface ParamsDiffResult { a: string; b: string; params: DiffRow[] }

/**
 * Parameters that differ between two versions (default HEAD and the workspace). Keys
 * of params.yaml are bare (`train.n_estimators`); other files' are `file:key`.
 * @example
 *   const { params } = await paramsDiff({ cwd, a: 'HEAD~1' });
 */
export async function paramsDiff(opts: ParamsDiffOptions): Promise<ParamsDiffResult> {
  const repo = openRepo(opts);
  const a = resolveRev(repo.root, opts.a ?? 'HEAD');
  const b = opts.b ? resolveRev(repo.root, opts.b) : undefined;
  return { a: opts.a ?? 'HEAD', b: opts.b ?? 'workspace', params: await paramsDiffRows(repo.root, a, b, opts.all) };
}
