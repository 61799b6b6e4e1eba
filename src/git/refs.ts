/**
 * Ref updates that say what they expect, as git's `ref_transaction_update` does: two
 * writers never silently overwrite each other.
 */
import { spawnSync } from 'node:child_process';
import { GitError } from '../errors/index.js';

function refValue(root: string, ref: string): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{}`], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Create `ref` at `value` only if it does not exist (`git update-ref <ref> <new> <zero>`).
 * False when the ref exists, with any value; throws on any other failure.
 * @example
 *   if (!createRef(root, 'refs/mlv/exps/<base>/swift-owl-042', commit)) pickAnotherName();
 */
export function createRef(root: string, ref: string, value: string, message = 'mlv'): boolean {
  const zero = '0'.repeat(value.length);
  let last = '';
  // git waits core.filesRefLockTimeout (100 ms) for a `<ref>.lock` another writer holds;
  // when that writer is slower, look again a few times before calling it an error.
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = spawnSync('git', ['update-ref', '-m', message, ref, value, zero], { cwd: root, encoding: 'utf8' });
    if (r.error) throw new GitError(`git update-ref ${ref}: ${r.error.message}`, { ref });
    if (r.status === 0) return true;
    if (refValue(root, ref) !== undefined) return false;
    last = (r.stderr || r.stdout).trim().split('\n').pop() ?? '';
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * (attempt + 1));
  }
  throw new GitError(`git update-ref ${ref}: ${last}`, { ref });
}
