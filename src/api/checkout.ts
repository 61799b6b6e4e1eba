import { checkoutData, type CheckoutOptions, type CheckoutResult } from '../repo/checkout.js';
import { openRepo } from '../repo/Repo.js';

export type { CheckoutOptions, CheckoutResult } from '../repo/checkout.js';

/**
 * Make the workspace's data match the pointers at `rev` (default: the pointers in the
 * work tree, i.e. HEAD after a git checkout). With a rev and no paths, git moves there
 * too; with paths, only those pointers are taken from `rev` (like `git checkout rev --
 * paths`). Nothing whose content is not in the cache is overwritten without `force`,
 * and every check runs before anything changes (src/repo/checkout.ts).
 * @example
 *   await checkout({ cwd, rev: 'HEAD~1' })
 */
export async function checkout(opts: CheckoutOptions): Promise<CheckoutResult> {
  return checkoutData(openRepo(opts), opts);
}
