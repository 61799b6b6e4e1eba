/**
 * reproduce(): run the stale stages of a work tree's pipeline in dependency order and
 * record mlv.lock.
 *
 * Interface note (for experiments and other callers):
 * - `reproduce({ root, stages?, force?, runCache?, jobs?, onStage?, onOutput?, signal? })`
 *   works on any work tree, including a linked worktree (its cache is the main one's).
 * - It takes `.mlv/lock` of that work tree unless `lock: false` (pass that when you
 *   already hold it).
 * - Events: a stale stage gets `start` then `ran` | `cached` | `failed`; a fresh one
 *   only `up-to-date`. Stage output goes to `onOutput` (never to the console).
 * - Each command runs with `sh -c` in the stage's wdir; outputs are hashed after it returns.
 * - A failed stage throws StageFailedError (exit 1): mlv.lock keeps its previous entry,
 *   and its previous outputs are put back where they were.
 * - mlv.lock is rewritten (atomically) after every stage that ran or was restored.
 * - Helpers: `loadPipeline(root)`, `readLock(text, file)`, `readParams(root, rev?)`,
 *   `setParam(root, 'key' | 'file.yaml:key', value)`, `parseParamValue(text)`.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import { ignoreInGit } from '../repo/gitignore.js';
import { withRepoLock, type OnLockWait } from '../repo/lock.js';
import { fromRepoPath } from '../repo/paths.js';
import { openRepoAt, type Repo } from '../repo/Repo.js';
import { applyRestore, hashPath, planRestore } from '../repo/workspace.js';
import { fingerprint, stageEnv } from './env.js';
import { StageFailedError } from './errors.js';
import { outPaths, selectStages } from './graph.js';
import { loadPipeline } from './load.js';
import { loadLock, writeLock } from '../repo/lockfile.js';
import { readMetricFile } from './metrics.js';
import { readRun, runComplete, runKey, touchRun, writeRun } from './runCache.js';
import { runCommands, Stage, type Changes, type RunContext } from './stage.js';
import type { Lock, LockedMetric, LockedOut, LockedPath, LockStage, Pipeline, StageDef } from './types.js';

export { loadPipeline } from './load.js';
export { readLock } from '../repo/lockfile.js';
export { readParams, setParam, parseParamValue } from './params.js';
import { paramValues } from './params.js';
export { Stage, type RunContext } from './stage.js';
export type { Lock, LockStage, Pipeline, StageDef } from './types.js';

export interface StageEvent { stage: string; status: 'start' | 'ran' | 'cached' | 'up-to-date' | 'failed'; message?: string }

export interface ReproduceOptions {
  /** Work tree root (may be a linked worktree; the cache is shared automatically). */
  root: string;
  /** Targets (and their upstream); default all. */
  stages?: string[];
  /** Run even if not stale (and never from the run cache). */
  force?: boolean;
  /** Restore outputs of a run seen before instead of running (default true). */
  runCache?: boolean;
  /** Independent stages run in parallel, at most this many at once (default 1). */
  jobs?: number;
  onStage?: (e: StageEvent) => void;
  onOutput?: (stage: string, chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Abort running commands (SIGTERM to their process group); lock and outputs stay intact. */
  signal?: AbortSignal;
  /** Take `.mlv/lock` of the work tree (default true). */
  lock?: boolean;
  /** Told once when waiting for `.mlv/lock` starts. */
  onLockWait?: OnLockWait;
  /** Store cached outputs in the object store (default true; verification only hashes). */
  storeOutputs?: boolean;
  /** Write mlv.lock and .gitignore entries (default true; verification only needs the result). */
  writeLock?: boolean;
  /** Run frozen stages too (verification rebuilds everything). */
  ignoreFrozen?: boolean;
  /** Environment of the commands (default process.env) and the runtime fingerprinted. */
  env?: NodeJS.ProcessEnv;
  nodePath?: string;
  runtime?: { node: string; platform: string; arch: string };
}

export interface ReproduceResult { ran: string[]; cached: string[]; upToDate: string[]; lock: Lock }

/**
 * @example
 *   const r = await reproduce({ root: '/repo', jobs: 2, onStage: (e) => log(e) });
 *   r.ran // ['prepare', 'train']
 */
export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const repo = openRepoAt(opts.root, opts);
  const run = () => reproduceIn(repo, opts);
  return opts.lock === false ? run() : withRepoLock(repo, 'repro', run);
}

async function reproduceIn(repo: Repo, opts: ReproduceOptions): Promise<ReproduceResult> {
  const pipeline = loadPipeline(repo.root);
  for (const t of opts.stages ?? []) {
    if (!pipeline.stages.has(t)) throw new NotFoundError('stage', `${t}: no such stage in mlv.yaml (stages: ${[...pipeline.stages.keys()].join(', ') || 'none'})`, { stage: t });
  }
  const selected = selectStages(pipeline, opts.stages);
  // Every parameter the selected stages name must exist before any stage runs, so a
  // typo in mlv.yaml does not surface after upstream stages have already run.
  for (const name of selected) {
    const def = pipeline.stages.get(name)!;
    paramValues(repo.root, def.params, `stage '${name}' (${def.where})`);
  }
  const lock = loadLock(repo.root);
  const result: ReproduceResult = { ran: [], cached: [], upToDate: [], lock };
  const ctx: Ctx = {
    repo, pipeline, lock, opts,
    env: stageEnv(opts.env ?? process.env, opts.nodePath ?? process.execPath),
    runtime: opts.runtime ?? { node: process.version, platform: process.platform, arch: process.arch },
    store: opts.storeOutputs !== false,
    produced: new Set(),
  };
  try {
    await schedule(selected, pipeline, Math.max(1, opts.jobs ?? 1), async (name) => {
      const outcome = await reproduceStage(ctx, new Stage(pipeline.stages.get(name)!));
      (outcome === 'ran' ? result.ran : outcome === 'cached' ? result.cached : result.upToDate).push(name);
    });
  } finally {
    repo.state().save();
  }
  return result;
}

interface Ctx {
  repo: Repo;
  pipeline: Pipeline;
  lock: Lock;
  opts: ReproduceOptions;
  env: NodeJS.ProcessEnv;
  runtime: { node: string; platform: string; arch: string };
  store: boolean;
  /** Outputs of the stages that ran (or were restored) in this call. */
  produced: Set<string>;
}

/** Run `work` over stages, each after its upstream, up to `jobs` at a time; the first failure stops new starts. */
async function schedule(names: string[], p: Pipeline, jobs: number, work: (name: string) => Promise<void>): Promise<void> {
  const inSet = new Set(names);
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const pending = [...names];
  let failure: unknown;
  while ((pending.length || running.size) && failure === undefined) {
    while (running.size < jobs) {
      const i = pending.findIndex((n) => [...(p.upstream.get(n) ?? [])].every((u) => !inSet.has(u) || done.has(u)));
      if (i < 0) break;
      const name = pending.splice(i, 1)[0];
      running.set(name, work(name).then(() => { done.add(name); }, (e) => { failure ??= e; }).finally(() => running.delete(name)));
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.all(running.values());
  if (failure !== undefined) throw failure;
}

async function reproduceStage(ctx: Ctx, stage: Stage): Promise<'ran' | 'cached' | 'up-to-date'> {
  const { repo, opts } = ctx;
  const def = stage.def;
  const emit = (status: StageEvent['status'], message?: string) => opts.onStage?.({ stage: def.name, status, message });
  if (def.frozen && !opts.ignoreFrozen) { emit('up-to-date', 'frozen'); return 'up-to-date'; }
  const locked = ctx.lock.stages[def.name];
  const changes = await stage.changed(repo, locked);
  if (changes.reasons.length === 0 && !opts.force) { emit('up-to-date', notPulledNote(changes.notPulled)); return 'up-to-date'; }
  // An output an earlier stage of this run wrote is complete, whatever an old record says.
  const fresh = (p: string) => [...ctx.produced].some((o) => p === o || p.startsWith(o + '/'));
  const unpulled = changes.notPulled.filter((n) => n.role === 'dep' && !fresh(n.path)).map((n) => n.path);
  if (unpulled.length) throw new InputError(`stage '${def.name}' (${def.where}): dependency ${unpulled.join(', ')} is not pulled (some or all of its data is in neither the work tree nor the cache); run mlv pull ${unpulled.join(' ')} first`, { stage: def.name, deps: unpulled }, 'ENOTPULLED');
  const missing = changes.deps.filter((d) => 'missing' in d).map((d) => d.path);
  if (missing.length) throw new InputError(`stage '${def.name}' (${def.where}): dependency ${missing.join(', ')} does not exist`, { stage: def.name, deps: missing }, 'EMISSINGDEP');
  const deps = changes.deps as LockedPath[];
  emit('start', opts.force && changes.reasons.length === 0 ? 'forced' : changes.reasons.join('; '));

  const useRunCache = opts.runCache !== false && !opts.force && !stage.hasPersist;
  const key = runKey(def.cmd, deps, changes.params);
  if (useRunCache) {
    const hit = readRun(repo, key);
    if (hit && runComplete(repo, hit) && sameOuts(def, hit)) {
      await restoreOutputs(repo, hit);
      touchRun(repo, key);
      const entry: LockStage = { ...hit, cmd: def.cmd, deps, params: changes.params };
      commit(ctx, def, entry);
      for (const p of outPaths(def)) ctx.produced.add(p);
      emit('cached', 'restored from the run cache');
      return 'cached';
    }
  }

  const backup = moveAside(repo, def);
  try {
    for (const p of outPaths(def)) mkdirSync(dirname(fromRepoPath(repo.root, p)), { recursive: true });
    const runCtx: RunContext = { root: repo.root, cwd: fromRepoPath(repo.root, def.wdir), env: ctx.env, signal: opts.signal, onOutput: opts.onOutput };
    await runCommands(def, runCtx);
    if (opts.signal?.aborted) throw new StageFailedError(def.name, `stage '${def.name}': stopped`, { aborted: true });
    const after = await stage.hashDeps(repo, locked);
    for (let i = 0; i < deps.length; i++) {
      const a = after[i];
      if ('missing' in a || a.hash !== deps[i].hash) {
        throw new StageFailedError(def.name, `stage '${def.name}': dependency ${deps[i].path} changed while the stage ran; mlv.lock was not updated`, { dep: deps[i].path });
      }
    }
    const keepRun = ctx.store && opts.runCache !== false && !stage.hasPersist;
    const entry = await recordOutputs(ctx, def, deps, changes.params, keepRun);
    commit(ctx, def, entry);
    if (keepRun) writeRun(repo, key, entry);
    for (const p of outPaths(def)) ctx.produced.add(p);
    backup.drop();
    emit('ran');
    return 'ran';
  } catch (e) {
    backup.restore();
    emit('failed', (e as Error).message);
    throw e;
  }
}

const notPulledNote = (n: Changes['notPulled']) =>
  n.length ? `not pulled: ${n.map((x) => x.path).join(', ')}` : undefined;

function sameOuts(def: StageDef, hit: LockStage): boolean {
  const want = outPaths(def).sort().join('\0');
  const have = [...hit.outs, ...hit.metrics].map((o) => o.path).sort().join('\0');
  return want === have;
}

function commit(ctx: Ctx, def: StageDef, entry: LockStage): void {
  ctx.lock.stages[def.name] = entry;
  for (const name of Object.keys(ctx.lock.stages)) if (!ctx.pipeline.stages.has(name)) delete ctx.lock.stages[name];
  if (ctx.opts.writeLock === false) return;
  writeLock(ctx.repo.root, ctx.lock);
  for (const o of [...def.outs, ...def.metrics]) if (o.cache) ignoreInGit(ctx.repo.root, o.path);
}

/**
 * Outputs are moved (renamed, not copied) into `.mlv/tmp/` before the stage runs, and
 * moved back if it fails, so a failed run leaves the previous outputs as they were.
 */
function moveAside(repo: Repo, def: StageDef): { restore: () => void; drop: () => void } {
  const dir = join(repo.mlvDir, 'tmp', `stage-${def.name}-${randomBytes(4).toString('hex')}`);
  const moved: Array<{ from: string; to: string }> = [];
  const targets = [...def.outs, ...def.metrics].filter((o) => !o.persist).map((o) => fromRepoPath(repo.root, o.path));
  targets.forEach((abs, i) => {
    if (!existsSync(abs)) return;
    mkdirSync(dir, { recursive: true });
    const to = join(dir, String(i));
    renameSync(abs, to);
    moved.push({ from: abs, to });
  });
  return {
    restore() {
      for (const abs of targets) if (!moved.some((m) => m.from === abs)) rmSync(abs, { recursive: true, force: true });
      for (const m of moved) {
        rmSync(m.from, { recursive: true, force: true });
        mkdirSync(dirname(m.from), { recursive: true });
        renameSync(m.to, m.from);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    drop() { rmSync(dir, { recursive: true, force: true }); },
  };
}

async function recordOutputs(ctx: Ctx, def: StageDef, deps: LockedPath[], params: LockStage['params'], forRunCache: boolean): Promise<LockStage> {
  const { repo } = ctx;
  const hashOut = async (path: string, cache: boolean): Promise<LockedOut> => {
    // The run cache keeps even `cache: false` outputs, so a hit can restore them.
    const h = await hashPath(repo, path, { store: ctx.store && (cache || forRunCache) });
    if (!h) throw new StageFailedError(def.name, `stage '${def.name}' did not produce its output '${path}'`, { out: path });
    return { path, kind: h.kind, hash: h.hash, size: h.size, files: h.files, cache };
  };
  const outs: LockedOut[] = [];
  for (const o of def.outs) outs.push(await hashOut(o.path, o.cache));
  const metrics: LockedMetric[] = [];
  for (const m of def.metrics) {
    const h = await hashOut(m.path, m.cache);
    if (h.kind !== 'file') throw new InputError(`${m.path}: a metrics file must be a file, not a directory (stage '${def.name}')`, { stage: def.name, path: m.path }, 'EMETRICS');
    metrics.push({ ...h, values: readMetricFile(fromRepoPath(repo.root, m.path), m.path) });
  }
  return { cmd: def.cmd, deps, params, outs, metrics, env: fingerprint(repo.root, def, ctx.runtime) };
}

async function restoreOutputs(repo: Repo, hit: LockStage): Promise<void> {
  for (const o of [...hit.outs, ...hit.metrics]) {
    const { steps } = await planRestore(repo, o.path, o, true);
    await applyRestore(repo, o.path, steps);
  }
}
