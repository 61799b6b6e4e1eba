import { UsageError } from '../errors/index.js';
import { deleteExpRefs, listExps, resolveExp, type ExpRef } from '../experiments/refs.js';
import { gitRootOrThrow, type RepoOptions } from '../repo/Repo.js';

export interface ExpRemoveOptions extends RepoOptions {
  names?: string[];
  /** Every experiment of every baseline. */
  all?: boolean;
}

/**
 * Delete experiment refs (their commits go with the next `git gc`; their cached data
 * with the next `mlv gc` that does not `--keep-exps`).
 * @example
 *   await expRemove({ cwd, names: ['brisk-otter-042'] });
 */
export async function expRemove(opts: ExpRemoveOptions): Promise<{ removed: Array<{ name: string; ref: string }> }> {
  const root = gitRootOrThrow(opts.cwd);
  const all = listExps(root);
  if (!opts.all && !opts.names?.length) throw new UsageError('name the experiments to remove, or use --all', {}, 'EUSAGE');
  const chosen: ExpRef[] = opts.all ? all : opts.names!.map((n) => resolveExp(root, n, all));
  const unique = [...new Map(chosen.map((e) => [e.ref, e])).values()];
  deleteExpRefs(root, unique);
  return { removed: unique.map((e) => ({ name: e.name, ref: e.ref })) };
}
