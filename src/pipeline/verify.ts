/**
 * `repro --rev`: rebuild a past commit's pipeline in a throwaway git worktree from the
 * cached inputs, and compare every output hash and metric with what that commit's
 * mlv.lock recorded. The user's work tree, index and HEAD are never touched.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
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
  /**
   * What a newer mlv writes beside what was recorded: top-level keys of an mlv JSON file
   * (a model, a featurize state) whose every recorded key rebuilt equal, or a metric the
   * commit did not record. Such a row matches: everything recorded was reproduced.
   */
  added?: string[];
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
  let laterKeys = new Map<string, string[]>();
  let t1: number;
  try {
    if (!existsSync(join(wt, '.mlv'))) mkdirSync(join(wt, '.mlv'));
    await materialiseInputs(repo, openRepoAt(wt), commit);
    t1 = Date.now();
    const r = await reproduce({ root: wt, force: true, runCache: false, storeOutputs: false, writeLock: false, ignoreFrozen: true, jobs: opts.jobs, signal: opts.signal, onStage: opts.onStage, onOutput: opts.onOutput, env: opts.env });
    rebuilt = r.lock;
    laterKeys = explainJsonOuts(repo, wt, recorded, rebuilt);
  } finally {
    removeWorktreeSync(wt);
  }
  const t2 = Date.now();
  const result = compareLocks(recorded, rebuilt, declared.stages, opts.tolerance ?? DEFAULT_TOLERANCE, laterKeys);
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

/** Largest mlv JSON file compared key by key when its hash differs. */
const JSON_COMPARE_MAX = 64 << 20;

/**
 * Outputs whose hash differs only because a newer mlv adds keys to its own JSON files
 * (a model's `training_data`, say): for each such file output, keyed `stage\0path`, the
 * top-level keys the rebuilt file adds. The recorded file must be in the cache, both must
 * be JSON objects of an mlv format (`format: "mlv-…"`, the same one), and every recorded
 * key must rebuild deep-equal; anything else stays a mismatch.
 */
function explainJsonOuts(repo: Repo, wt: string, recorded: Lock, rebuilt: Lock): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [stage, was] of Object.entries(recorded.stages)) {
    const now = rebuilt.stages[stage];
    if (!now) continue;
    for (const o of was.outs) {
      const n = now.outs.find((x) => x.path === o.path);
      if (!n || n.hash === o.hash || o.kind !== 'file' || n.kind !== 'file' || o.size > JSON_COMPARE_MAX || n.size > JSON_COMPARE_MAX) continue;
      try {
        if (!repo.store.has(o.hash)) continue;
        const a: unknown = JSON.parse(repo.store.readVerified(o.hash).toString('utf8'));
        const b: unknown = JSON.parse(readFileSync(join(wt, o.path), 'utf8'));
        const added = addedKeys(a, b);
        if (added) out.set(`${stage}\0${o.path}`, added);
      } catch {
        // Not JSON, not cached, unreadable: the hashes decide.
      }
    }
  }
  return out;
}

/** The keys `b` adds to `a` when both are the same mlv JSON format and `b` holds all of `a` unchanged; otherwise undefined. */
function addedKeys(a: unknown, b: unknown): string[] | undefined {
  if (!isObject(a) || !isObject(b)) return undefined;
  if (typeof a.format !== 'string' || !a.format.startsWith('mlv-') || a.format !== b.format) return undefined;
  for (const k of Object.keys(a)) if (!(k in b) || !isDeepStrictEqual(a[k], b[k])) return undefined;
  const added = Object.keys(b).filter((k) => !(k in a));
  return added.length ? added.sort() : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function compareLocks(recorded: Lock, rebuilt: Lock, defs: Map<string, { metrics: MetricDef[] }>, tolerance: number, laterKeys: Map<string, string[]> = new Map()): Pick<VerifyResult, 'match' | 'rows' | 'envDiffers'> {
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
      const added = laterKeys.get(`${stage}\0${o.path}`);
      rows.push({ stage, kind: 'out', name: o.path, recorded: o.hash, rebuilt: n?.hash ?? null, match: (n?.hash === o.hash && n.kind === o.kind) || added !== undefined, ...(added ? { added } : {}) });
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
        // A metric the commit did not record (a newer mlv train writes train_accuracy, say) is shown, not held against it.
        const later = a === undefined && b !== undefined;
        rows.push({ stage, kind: 'metric', name: `${m.path}:${key}`, recorded: a ?? null, rebuilt: b ?? null, match: later || withinTolerance(a, b, tol), tolerance: tol, ...(later ? { added: [key] } : {}) });
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
