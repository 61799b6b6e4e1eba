/**
 * Running experiments: each point of a sweep in its own temporary worktree at the
 * baseline, through the pipeline's `reproduce()`, recorded as a commit on
 * `refs/mlv/exps/<baseline>/<name>`. The workspace and HEAD are never touched; a
 * failed run is recorded with its error and does not stop the others; on abort no
 * new run starts and no ref is written for a run that did not finish.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConflictError, GitError, NotFoundError } from '../errors/index.js';
import { checkoutData } from '../repo/checkout.js';
import { openRepoAt } from '../repo/Repo.js';
import { fromRepoPath } from '../repo/paths.js';
import { gitIdentity, writeExpCommit, type FileChange, type Identity } from './commit.js';
import { recordExp } from './record.js';
import { describePoint, type Point } from './overrides.js';
import type { PipelineHooks, StageEvent } from './pipeline.js';
import { expMessage } from './refs.js';
import { metricsOf, paramsOf } from './versions.js';
import { LOCK_FILE, readLockIfValid } from '../repo/lockfile.js';
import { DEFAULT_PARAMS } from '../pipeline/load.js';
import { addWorktree, removeWorktreeSync } from '../git/worktree.js';

export interface PlannedRun {
  name: string;
  point: Point;
  /** Where a generated name came from: a name another process takes meanwhile is re-picked from it. */
  seed?: string;
}

export interface ExpResult {
  name: string;
  baseline: string;
  status: 'ok' | 'failed' | 'cancelled';
  ref?: string;
  commit?: string;
  error?: string;
  params: Point;
  metrics: Record<string, number>;
  seconds: number;
  /** Files left out of the commit because they are too big for git (they belong in the cache). */
  skipped?: string[];
}

export type ExpEvent =
  | { type: 'start'; name: string; point: Point }
  | { type: 'stage'; name: string; event: StageEvent }
  | { type: 'done'; result: ExpResult };

export interface RunExpsOptions {
  /** The main work tree's root. */
  root: string;
  baseline: string;
  runs: PlannedRun[];
  message?: string;
  jobs?: number;
  signal?: AbortSignal;
  onEvent?: (e: ExpEvent) => void;
  hooks: PipelineHooks;
  /** Uncommitted files to copy into each worktree; default: the workspace's (workspaceCarry). A queue worker passes none. */
  carry?: Carry[];
  /** Extra `Mlv-Exp-*` trailers for the commit message (a queue worker's job id). */
  trailers?: Record<string, string>;
}

/** Files bigger than this never go into an experiment commit: data belongs in the cache. */
export const MAX_COMMITTED_BYTES = 8 * 1024 * 1024;

export type Carry = { path: string; content: Buffer | null };

/** `git status` as (path, deleted) pairs, untracked files included. */
function changedFiles(dir: string): Array<{ path: string; deleted: boolean }> {
  const r = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) throw new GitError(`git status in ${dir}: ${(r.error?.message ?? r.stderr).trim()}`, { dir });
  const out: Array<{ path: string; deleted: boolean }> = [];
  for (const rec of r.stdout.split('\0')) {
    if (rec.length < 4) continue;
    const xy = rec.slice(0, 2);
    out.push({ path: rec.slice(3), deleted: xy.includes('D') && !existsSync(join(dir, rec.slice(3))) });
  }
  return out;
}

/**
 * Uncommitted changes of the workspace that a run includes (like DVC's `exp run`):
 * mlv.yaml, the params files and `.mlv` pointers. Code changes are not carried: commit
 * them first. Read once per sweep, written into every worktree.
 */
export function workspaceCarry(root: string, paramsFiles: string[]): Carry[] {
  const wanted = new Set(['mlv.yaml', ...paramsFiles]);
  return changedFiles(root)
    .filter((f) => wanted.has(f.path) || (f.path.endsWith('.mlv') && !f.path.startsWith('.mlv/')))
    .map((f) => ({ path: f.path, content: f.deleted ? null : readFileSync(fromRepoPath(root, f.path)) }));
}

/**
 * Run every planned point, `jobs` at a time.
 * @example
 *   await runExperiments({ root, baseline, runs: [{ name: 'a', point: { 'train.trees': 50 } }], hooks });
 */
export async function runExperiments(opts: RunExpsOptions): Promise<ExpResult[]> {
  const carry = opts.carry ?? workspaceCarry(opts.root, opts.hooks.paramsFiles(opts.root));
  const identity = gitIdentity(opts.root);
  const results: ExpResult[] = opts.runs.map((r) => ({ name: r.name, baseline: opts.baseline, status: 'cancelled', params: r.point, metrics: {}, seconds: 0 }));
  let next = 0;
  const worker = async () => {
    while (next < opts.runs.length && !opts.signal?.aborted) {
      const i = next++;
      results[i] = await runOne(opts, opts.runs[i], carry, identity);
      opts.onEvent?.({ type: 'done', result: results[i] });
    }
  };
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, opts.runs.length));
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}

async function runOne(opts: RunExpsOptions, run: PlannedRun, carry: Carry[], identity: Identity): Promise<ExpResult> {
  const t0 = Date.now();
  const base: ExpResult = { name: run.name, baseline: opts.baseline, status: 'cancelled', params: run.point, metrics: {}, seconds: 0 };
  const finish = (r: Partial<ExpResult>): ExpResult => ({ ...base, ...r, seconds: (Date.now() - t0) / 1000 });
  opts.onEvent?.({ type: 'start', name: run.name, point: run.point });
  const dir = await addWorktree(opts.root, opts.baseline, `exp-${run.name}`);
  try {
    let error: string | undefined;
    try {
      prepare(opts.root, dir, carry);
      for (const [key, value] of Object.entries(run.point)) await opts.hooks.setParam(dir, key, value);
      await restoreData(dir);
      await opts.hooks.reproduce({
        root: dir, signal: opts.signal,
        onStage: (event) => opts.onEvent?.({ type: 'stage', name: run.name, event }),
      });
    } catch (e) {
      if (opts.signal?.aborted) return finish({ status: 'cancelled', error: 'interrupted' });
      error = (e as Error)?.message ?? String(e);
    }
    if (opts.signal?.aborted && error === undefined && !existsSync(join(dir, LOCK_FILE))) return finish({ status: 'cancelled', error: 'interrupted' });
    const { changes, skipped } = collectChanges(dir);
    const status = error === undefined ? 'ok' : 'failed';
    const lock = readLockIfValid(readText(join(dir, LOCK_FILE)));
    const metrics = status === 'ok' ? metricsOf(lock) : {};
    const params = paramsOf(readText(join(dir, DEFAULT_PARAMS)), lock);
    const message = (name: string) => expMessage({ name, summary: describePoint(run.point), status, overrides: run.point, error, message: opts.message, params, trailers: opts.trailers, ...(status === 'ok' ? { metrics } : {}) });
    // The ref is written last, create-only: it only ever names a complete commit, and
    // never replaces another run's.
    let recorded;
    try {
      recorded = await recordExp({ root: opts.root, baseline: opts.baseline, name: run.name, seed: run.seed, commit: (name) => writeExpCommit(opts.root, { baseline: opts.baseline, changes, message: message(name), identity }) });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return finish({ status: 'failed', error: e.message, metrics, ...(typeof e.data.commit === 'string' ? { commit: e.data.commit } : {}) });
    }
    return finish({ name: recorded.name, status, ref: recorded.ref, commit: recorded.commit, error, metrics, ...(skipped.length ? { skipped } : {}) });
  } finally {
    removeWorktreeSync(dir);
  }
}

function readText(p: string): string | undefined {
  try { return readFileSync(p, 'utf8'); } catch { return undefined; }
}

/** The workspace's uncommitted pipeline files and the machine-local config go into the worktree. */
function prepare(root: string, dir: string, carry: Carry[]): void {
  for (const c of carry) {
    const abs = fromRepoPath(dir, c.path);
    if (c.content === null) { rmSync(abs, { force: true }); continue; }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, c.content);
  }
  mkdirSync(join(dir, '.mlv'), { recursive: true });
  for (const f of ['config', 'config.local']) {
    const src = join(root, '.mlv', f);
    if (existsSync(src) && !existsSync(join(dir, '.mlv', f))) copyFileSync(src, join(dir, '.mlv', f));
  }
}

/**
 * Put the baseline's data into the worktree from the shared cache, so stages whose
 * inputs did not change stay up to date. Outputs missing from the cache are left to
 * reproduce; inputs tracked by pointers must be there.
 */
async function restoreData(dir: string): Promise<void> {
  try {
    await checkoutData(openRepoAt(dir), { cwd: dir, force: true });
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    const pointers = trackedPointerFiles(dir);
    if (pointers.length) await checkoutData(openRepoAt(dir), { cwd: dir, force: true, paths: pointers });
  }
}

function trackedPointerFiles(dir: string): string[] {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.mlv'], { cwd: dir, encoding: 'utf8' });
  return r.stdout.split('\0').filter((p) => p.endsWith('.mlv') && !p.startsWith('.mlv/'));
}

function collectChanges(dir: string): { changes: FileChange[]; skipped: string[] } {
  const changes: FileChange[] = [];
  const skipped: string[] = [];
  for (const f of changedFiles(dir)) {
    if (f.deleted) { changes.push({ path: f.path, content: null }); continue; }
    const abs = fromRepoPath(dir, f.path);
    let st;
    try { st = lstatSync(abs); } catch { continue; }
    if (!st.isFile()) continue;
    if (st.size > MAX_COMMITTED_BYTES) { skipped.push(f.path); continue; }
    changes.push({ path: f.path, content: readFileSync(abs), executable: (st.mode & 0o111) !== 0 });
  }
  return { changes, skipped };
}
