import '../pipeline/register.js';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import { gitSync, HOOK_GUARD, resolveRev } from '../git/porcelain.js';
import type { OnProgress } from '../progress.js';
import { withLock } from '../repo/lock.js';
import { toRepoPath } from '../repo/paths.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import { trackedAtCommit, trackedInWorkspace, type Tracked } from '../repo/tracked.js';
import { applyRestore, conflictError, planRestore } from '../repo/workspace.js';

export interface CheckoutOptions extends RepoOptions {
  rev?: string;
  paths?: string[];
  force?: boolean;
  onProgress?: OnProgress;
}

export interface CheckoutResult {
  rev?: string;
  commit?: string;
  changed: Array<{ path: string; written: number; removed: number }>;
}


/**
 * Make the workspace's data match the pointers at `rev` (default: the pointers in the
 * work tree, i.e. HEAD after a git checkout). With a rev and no paths, git moves there
 * too; with paths, only those pointers are taken from `rev` (like `git checkout rev --
 * paths`). Nothing whose content is not in the cache is overwritten without `force`,
 * and every check runs before anything changes.
 * @example
 *   await checkout({ cwd, rev: 'HEAD~1' })
 */
export async function checkout(opts: CheckoutOptions): Promise<CheckoutResult> {
  const repo = openRepo(opts);
  const commit = opts.rev ? resolveRev(repo.root, opts.rev) : undefined;
  const filter = (opts.paths ?? []).map((p) => toRepoPath(repo.root, opts.cwd, p).replace(/\.mlv$/, ''));
  const inScope = (t: { path: string }) => filter.length === 0 || filter.some((f) => t.path === f || t.path.startsWith(f + '/') || f.startsWith(t.path + '/'));

  return withLock(repo.mlvDir, 'checkout', async () => {
    const current = trackedInWorkspace(repo.root).filter(inScope);
    const target = (commit ? await trackedAtCommit(repo.root, commit) : current).filter(inScope);
    if (filter.length && target.length === 0 && current.length === 0) {
      throw new NotFoundError('path', `${opts.paths!.join(', ')}: not tracked by mlv${opts.rev ? ` at ${opts.rev}` : ''}`);
    }
    const plans = await planAll(repo, current, target, Boolean(opts.force));
    const conflicts = plans.flatMap((p) => p.conflicts);
    if (conflicts.length) throw conflictError(conflicts, 'commit them (mlv add) first');
    const missing = plans.flatMap((p) => p.steps.filter((s) => s.kind === 'write' && !repo.store.has(s.hash)).map((s) => (s.rel ? `${p.path}/${s.rel}` : p.path)));
    const unknownManifests = plans.filter((p) => p.missingManifest).map((p) => p.path);
    if (missing.length || unknownManifests.length) {
      const list = [...unknownManifests, ...missing];
      throw new NotFoundError('object', `${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}: not in the cache; run mlv pull first`, { paths: list });
    }
    if (commit) moveGit(repo, commit, opts.rev!, filter, target, current);
    const changed: CheckoutResult['changed'] = [];
    let done = 0;
    const onBytes = opts.onProgress ? (n: number) => { done += n; opts.onProgress!({ unit: 'bytes', done }); } : undefined;
    try {
      for (const p of plans) {
        if (p.steps.length === 0) continue;
        const r = await applyRestore(repo, p.path, p.steps, onBytes);
        changed.push({ path: p.path, ...r });
      }
    } finally {
      repo.state().save();
    }
    return { rev: opts.rev, commit, changed };
  });
}

type Plan = Awaited<ReturnType<typeof planRestore>> & { path: string; missingManifest: boolean };

async function planAll(repo: Repo, current: Tracked[], target: Tracked[], force: boolean): Promise<Plan[]> {
  const plans: Plan[] = [];
  const targetPaths = new Set(target.map((t) => t.path));
  for (const t of target) {
    if (t.kind === 'dir' && !repo.store.has(t.hash)) { plans.push({ path: t.path, steps: [], conflicts: [], missingManifest: true }); continue; }
    plans.push({ path: t.path, ...(await planRestore(repo, t.path, t, force)), missingManifest: false });
  }
  for (const c of current) {
    if (targetPaths.has(c.path)) continue;
    plans.push({ path: c.path, ...(await planRestore(repo, c.path, undefined, force)), missingManifest: false });
  }
  return plans;
}

function moveGit(repo: Repo, commit: string, rev: string, filter: string[], target: Tracked[], current: Tracked[]): void {
  const env = { [HOOK_GUARD]: '1' };
  if (filter.length === 0) {
    // Check out a branch by name so HEAD stays attached; anything else detaches.
    const isBranch = gitSync(repo.root, ['rev-parse', '--verify', '-q', `refs/heads/${rev}`], { allowFail: true }).trim() === commit;
    try {
      gitSync(repo.root, ['checkout', '-q', isBranch ? rev : commit, '--'], { env });
    } catch (e) {
      throw new InputError(`git checkout ${rev} failed (${(e as Error).message}); commit or stash your changes first`);
    }
    return;
  }
  const files = target.filter((t) => t.source.type === 'pointer').map((t) => t.source.file);
  if (files.length) gitSync(repo.root, ['checkout', '-q', commit, '--', ...files], { env });
  for (const c of current) {
    if (c.source.type !== 'pointer' || target.some((t) => t.path === c.path)) continue;
    const abs = join(repo.root, ...c.source.file.split('/'));
    if (existsSync(abs)) rmSync(abs);
  }
}
