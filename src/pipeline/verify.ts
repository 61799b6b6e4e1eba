/**
 * `repro --rev`: rebuild a past commit's pipeline in a throwaway git worktree from the
 * cached inputs, and compare every output hash and metric with what that commit's
 * mlv.lock recorded. The user's work tree, index and HEAD are never touched.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckFailedError, CorruptObjectError, NotFoundError } from '../errors/index.js';
import { resolveRev } from '../git/porcelain.js';
import { addWorktree, removeWorktreeSync } from '../git/worktree.js';
import { openRepoAt, type Repo } from '../repo/Repo.js';
import { trackedAtCommit } from '../repo/tracked.js';
import { applyRestore, planRestore } from '../repo/workspace.js';
import { fetchMissing } from '../remote/fetch.js';
import { PIPELINE_FILE, parsePipeline } from './load.js';
import { readText } from './params.js';
import { envOf, LOCK_FILE, readLock } from '../repo/lockfile.js';
import { canonicalMetricValues, DEFAULT_TOLERANCE, toleranceFor, withinTolerance } from './metrics.js';
import { reproduce, type ReproduceOptions, type StageEvent } from './reproduce.js';
import type { Lock, MetricDef } from './types.js';

export interface VerifyRow {
  stage: string;
  kind: 'out' | 'metric' | 'stage';
  /** The output path, or `file:key` for a metric. */
  name: string;
  recorded: string | number | null;
  rebuilt: string | number | null;
  match: boolean;
  tolerance?: number;
}

export interface VerifyResult {
  rev: string;
  commit: string;
  match: boolean;
  rows: VerifyRow[];
  /** Stages whose environment fingerprint differs from the recorded one. */
  envDiffers: Array<{ stage: string; key: string; recorded: string | undefined; now: string | undefined }>;
  seconds: { setup: number; run: number; total: number };
}

export interface VerifyOptions {
  root: string;
  rev: string;
  /** Relative tolerance for metrics without their own (default 1e-9). */
  tolerance?: number;
  jobs?: number;
  signal?: AbortSignal;
  onStage?: (e: StageEvent) => void;
  onOutput?: ReproduceOptions['onOutput'];
  env?: NodeJS.ProcessEnv;
}

/**
 * @example
 *   const r = await verifyRev({ root, rev: 'HEAD~2' });
 *   if (!r.match) report(r.rows.filter((x) => !x.match));
 */
export async function verifyRev(opts: VerifyOptions): Promise<VerifyResult> {
  const t0 = Date.now();
  const repo = openRepoAt(opts.root);
  const commit = resolveRev(repo.root, opts.rev);
  const lockText = await readText(repo.root, commit, LOCK_FILE);
  if (lockText === undefined) throw new NotFoundError('lock', `${opts.rev}: that commit has no ${LOCK_FILE}; nothing was recorded to verify against`, { rev: opts.rev, commit });
  const recorded = readLock(lockText, `${LOCK_FILE} at ${opts.rev}`);
  const yamlText = await readText(repo.root, commit, PIPELINE_FILE);
  if (yamlText === undefined) throw new NotFoundError('pipeline', `${opts.rev}: that commit has no ${PIPELINE_FILE}`, { rev: opts.rev, commit });
  const declared = parsePipeline(yamlText, `${PIPELINE_FILE} at ${opts.rev}`, repo.root);

  const wt = await addWorktree(repo.root, commit, `repro-${commit.slice(0, 8)}`);
  let rebuilt: Lock;
  let t1: number;
  try {
    if (!existsSync(join(wt, '.mlv'))) mkdirSync(join(wt, '.mlv'));
    await materialiseInputs(repo, openRepoAt(wt), commit);
    t1 = Date.now();
    const r = await reproduce({ root: wt, force: true, runCache: false, storeOutputs: false, writeLock: false, ignoreFrozen: true, jobs: opts.jobs, signal: opts.signal, onStage: opts.onStage, onOutput: opts.onOutput, env: opts.env });
    rebuilt = r.lock;
  } finally {
    removeWorktreeSync(wt);
  }
  const t2 = Date.now();
  const result = compareLocks(recorded, rebuilt, declared.stages, opts.tolerance ?? DEFAULT_TOLERANCE);
  return { rev: opts.rev, commit, ...result, seconds: { setup: (t1 - t0) / 1000, run: (t2 - t1) / 1000, total: (t2 - t0) / 1000 } };
}

/** Data tracked by `mlv add` at the commit, from the cache (pulled from the default remote if missing). */
async function materialiseInputs(main: Repo, wt: Repo, commit: string): Promise<void> {
  const items = (await trackedAtCommit(main.root, commit)).filter((t) => t.source.type === 'pointer');
  if (items.length === 0) return;
  await fetchMissing(main, items);
  for (const t of items) {
    try {
      const { steps } = await planRestore(wt, t.path, t, true);
      await applyRestore(wt, t.path, steps);
    } catch (e) {
      if (e instanceof CorruptObjectError) {
        throw new CheckFailedError(`${t.path}: its cached data is damaged (object ${String(e.data.hash)} does not match its hash); the input cannot be trusted — run mlv fsck, then mlv pull`, { path: t.path, hash: e.data.hash }, 'ECORRUPT');
      }
      throw e;
    }
  }
  wt.state().save();
}

export function compareLocks(recorded: Lock, rebuilt: Lock, defs: Map<string, { metrics: MetricDef[] }>, tolerance: number): Pick<VerifyResult, 'match' | 'rows' | 'envDiffers'> {
  const rows: VerifyRow[] = [];
  const envDiffers: VerifyResult['envDiffers'] = [];
  for (const stage of Object.keys(recorded.stages).sort()) {
    const was = recorded.stages[stage];
    const now = rebuilt.stages[stage];
    if (!now) {
      rows.push({ stage, kind: 'stage', name: stage, recorded: 'recorded', rebuilt: null, match: false });
      continue;
    }
    const nowOuts = new Map([...now.outs, ...now.metrics].map((o) => [o.path, o]));
    for (const o of was.outs) {
      const n = nowOuts.get(o.path);
      rows.push({ stage, kind: 'out', name: o.path, recorded: o.hash, rebuilt: n?.hash ?? null, match: n?.hash === o.hash && n.kind === o.kind });
    }
    const nowMetrics = new Map(now.metrics.map((m) => [m.path, m]));
    for (const m of was.metrics) {
      const n = nowMetrics.get(m.path);
      const def = defs.get(stage)?.metrics.find((d) => d.path === m.path);
      // A commit recorded by an older mlv train names its metrics the old way (metrics.r2.mean).
      const wasValues = canonicalMetricValues(m.values);
      const nowValues = canonicalMetricValues(n?.values ?? {});
      const keys = [...new Set([...Object.keys(wasValues), ...Object.keys(nowValues)])].sort();
      if (!n) rows.push({ stage, kind: 'metric', name: m.path, recorded: 'recorded', rebuilt: null, match: false });
      for (const key of keys) {
        const a = wasValues[key];
        const b = n ? nowValues[key] : undefined;
        const tol = toleranceFor(def, key, tolerance);
        rows.push({ stage, kind: 'metric', name: `${m.path}:${key}`, recorded: a ?? null, rebuilt: b ?? null, match: withinTolerance(a, b, tol), tolerance: tol });
      }
    }
    const e1 = envOf(was.env);
    const e2 = envOf(now.env);
    for (const key of [...new Set([...Object.keys(e1), ...Object.keys(e2)])].sort()) {
      if (e1[key] !== e2[key]) envDiffers.push({ stage, key, recorded: e1[key], now: e2[key] });
    }
  }
  for (const stage of Object.keys(rebuilt.stages).sort()) {
    if (!recorded.stages[stage]) rows.push({ stage, kind: 'stage', name: stage, recorded: null, rebuilt: 'rebuilt', match: false });
  }
  return { match: rows.every((r) => r.match), rows, envDiffers };
}
