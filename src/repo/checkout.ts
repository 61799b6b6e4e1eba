import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import { gitSync, HOOK_GUARD, resolveRev } from '../git/porcelain.js';
import type { OnProgress } from '../progress.js';
import { withRepoLock } from './lock.js';
import { checkRoom } from './space.js';
import { toRepoPath } from './paths.js';
import type { Repo, RepoOptions } from './Repo.js';
import { refuseLinksAtCommit, sourceName, trackedAtCommit, trackedInWorkspace, type Tracked } from './tracked.js';
import { applyRestore, conflictError, planRestore, readManifest } from './workspace.js';
import type { ManifestEntry } from '../store/manifest.js';

export interface CheckoutOptions extends RepoOptions {
  rev?: string;
  paths?: string[];
  force?: boolean;
  /**
   * Skip data in neither the work tree nor the cache (not pulled, as `status` says) and
   * list it in `notPulled`, instead of failing. The CLI sets it; the default fails.
   */
  skipNotPulled?: boolean;
  onProgress?: OnProgress;
}

export interface CheckoutResult {
  rev?: string;
  commit?: string;
  changed: Array<{ path: string; written: number; removed: number }>;
  /** With `skipNotPulled`: paths left alone because their data is not pulled (`mlv pull <path>`). */
  notPulled: string[];
}

/**
 * Checkout planning and writing, under `mlv checkout`, `pull` and experiment worktrees:
 * make the workspace's data match the pointers at `rev` (default: the pointers in the
 * work tree, i.e. HEAD after a git checkout). With a rev and no paths, git moves there
 * too; with paths, only those pointers are taken from `rev` (like `git checkout rev --
 * paths`). Nothing whose content is not in the cache is overwritten without `force`,
 * and every check runs before anything changes. Data whose object is not cached cannot be
 * written: absent from the work tree it was not pulled (skipped with `skipNotPulled`); in
 * place of another version, nothing is done and the checkout fails.
 * `opts.cwd` is where relative `paths` start.
 */
export async function checkoutData(repo: Repo, opts: CheckoutOptions): Promise<CheckoutResult> {
  const commit = opts.rev ? resolveRev(repo.root, opts.rev) : undefined;
  const filter = (opts.paths ?? []).map((p) => toRepoPath(repo.root, opts.cwd, p).replace(/\.mlv$/, ''));
  const inScope = (t: { path: string }) => filter.length === 0 || filter.some((f) => t.path === f || t.path.startsWith(f + '/') || f.startsWith(t.path + '/'));

  return withRepoLock(repo, 'checkout', async () => {
    const current = trackedInWorkspace(repo.root).filter(inScope);
    const target = (commit ? await trackedAtCommit(repo.root, commit) : current).filter(inScope);
    if (filter.length && target.length === 0 && current.length === 0) {
      throw new NotFoundError('path', `${opts.paths!.join(', ')}: not tracked by mlv${opts.rev ? ` at ${opts.rev}` : ''}`);
    }
    const plans = await planAll(repo, current, target, Boolean(opts.force));
    const conflicts = plans.flatMap((p) => p.conflicts);
    if (conflicts.length) throw conflictError(conflicts, 'commit them (mlv add) first');
    const { notPulled, blocked } = splitUncached(repo, plans, Boolean(opts.skipNotPulled));
    if (blocked.length) {
      const fix = commit ? 'mlv fetch --all-commits' : 'mlv pull';
      const other = opts.skipNotPulled ? ' (the work tree holds another version)' : '';
      throw new NotFoundError('object', `${blocked.slice(0, 5).join(', ')}${blocked.length > 5 ? ` and ${blocked.length - 5} more` : ''}: not in the cache; run ${fix} first${other}`, { paths: blocked });
    }
    // Room for every copy before git moves or a byte is written.
    checkRoom(repo.root, plans.reduce((n, p) => n + p.steps.reduce((m, st) => m + (st.kind === 'write' ? st.size : 0), 0), 0), repo.config.link, 'checkout');
    if (commit) {
      refuseLinksAtCommit(repo.root, commit, target);
      moveGit(repo, commit, opts.rev!, filter, target, current);
    }
    const changed: CheckoutResult['changed'] = [];
    let done = 0;
    const onBytes = opts.onProgress ? (n: number) => { done += n; opts.onProgress!({ unit: 'bytes', done }); } : undefined;
    try {
      for (const p of plans) {
        if (p.steps.length === 0) continue;
        const r = await applyRestore(repo, p.path, p.steps, onBytes, sourceName(p.target));
        changed.push({ path: p.path, ...r });
      }
    } finally {
      repo.state().save();
    }
    return { rev: opts.rev, commit, changed, notPulled };
  });
}

type Plan = Awaited<ReturnType<typeof planRestore>> & { path: string; missingManifest: boolean; target?: Tracked };

async function planAll(repo: Repo, current: Tracked[], target: Tracked[], force: boolean): Promise<Plan[]> {
  const plans: Plan[] = [];
  const targetPaths = new Set(target.map((t) => t.path));
  for (const t of target) {
    if (t.kind === 'dir' && !repo.store.has(t.hash)) { plans.push({ path: t.path, steps: [], conflicts: [], missingManifest: true }); continue; }
    plans.push({ path: t.path, ...(await planRestore(repo, t.path, t, force)), missingManifest: false, target: t });
  }
  for (const c of current) {
    if (targetPaths.has(c.path)) continue;
    plans.push({ path: c.path, ...(await planRestore(repo, c.path, undefined, force)), missingManifest: false });
  }
  return plans;
}

/**
 * Take out of the plans every write whose object is not cached. Into `notPulled` when
 * nothing is at its place in the work tree and `skip` is set; otherwise into `blocked`.
 */
function splitUncached(repo: Repo, plans: Plan[], skip: boolean): { notPulled: string[]; blocked: string[] } {
  const notPulled: string[] = [];
  const blocked: string[] = [];
  const absent = (path: string) => skip && !existsSync(join(repo.root, ...path.split('/')));
  for (const p of plans) {
    if (p.missingManifest) { (absent(p.path) ? notPulled : blocked).push(p.path); continue; }
    const lacking = new Set<string>();
    p.steps = p.steps.filter((s) => {
      if (s.kind !== 'write' || repo.store.has(s.hash)) return true;
      const path = s.rel ? `${p.path}/${s.rel}` : p.path;
      if (absent(path)) lacking.add(s.rel);
      else blocked.push(path);
      return false;
    });
    if (!lacking.size) continue;
    if (p.target?.kind === 'dir') notPulled.push(...collapse(p.path, readManifest(repo, p.target.hash, p.path), lacking));
    else notPulled.push(p.path);
  }
  return { notPulled, blocked };
}

/** Files of a directory that are not pulled, a folder none of whose files is here named once (`data/raw/other`, not each file). */
function collapse(path: string, entries: ManifestEntry[], lacking: Set<string>): string[] {
  const ancestors = (rel: string) => { const parts = rel.split('/'); return parts.map((_, i) => parts.slice(0, i).join('/')); };
  const total = new Map<string, number>();
  const gone = new Map<string, number>();
  for (const e of entries) {
    for (const d of ancestors(e.path)) {
      total.set(d, (total.get(d) ?? 0) + 1);
      if (lacking.has(e.path)) gone.set(d, (gone.get(d) ?? 0) + 1);
    }
  }
  const out = new Set<string>();
  for (const rel of lacking) out.add(ancestors(rel).find((d) => gone.get(d) === total.get(d)) ?? rel);
  return [...out].sort().map((r) => (r ? `${path}/${r}` : path));
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
