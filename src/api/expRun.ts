import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkCount, InputError, UsageError } from '../errors/index.js';
import { resolveRev } from '../git/porcelain.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { uniqueName, validateName } from '../experiments/names.js';
import { gridPoints, parseOverride, randomPoints, type Point } from '../experiments/overrides.js';
import { defaultHooks, type PipelineHooks } from '../experiments/pipeline.js';
import { EXP_PREFIX, listExps } from '../experiments/refs.js';
import { runExperiments, type ExpEvent, type ExpResult, type PlannedRun } from '../experiments/run.js';
import { gitSync } from '../git/porcelain.js';
import { readParams } from '../pipeline/params.js';

export interface ExpRunOptions extends RepoOptions {
  /** `-S` arguments: `key=value`, `key=a,b,c` (grid), `key=range(a,b[,log])` (with `random`). */
  set?: string[];
  name?: string;
  message?: string;
  /** Sample this many points instead of the full grid. */
  random?: number;
  seed?: number;
  jobs?: number;
  signal?: AbortSignal;
  onEvent?: (e: ExpEvent) => void;
  /** Defaults to the pipeline module's reproduce() and setParam(). */
  hooks?: PipelineHooks;
}

export interface ExpRunResult {
  baseline: string;
  results: ExpResult[];
  ok: number;
  failed: number;
  cancelled: number;
}

/** The runs a set of `-S` arguments asks for, named; nothing runs. */
export function planRuns(root: string, baseline: string, opts: Pick<ExpRunOptions, 'set' | 'name' | 'random' | 'seed'>): PlannedRun[] {
  const specs = (opts.set ?? []).map(parseOverride);
  checkCount('--random', opts.random);
  checkCount('--seed', opts.seed, -Infinity);
  const points: Point[] = opts.random !== undefined ? randomPoints(specs, opts.random, opts.seed ?? 0) : gridPoints(specs);
  const existing = listExps(root);
  const taken = new Set(existing.map((e) => e.name));
  if (opts.name !== undefined) {
    validateName(opts.name);
    const names = points.length === 1 ? [opts.name] : points.map((_, i) => `${opts.name}-${i + 1}`);
    const clash = names.find((n) => existing.some((e) => e.baseline === baseline && e.name === n));
    if (clash) throw new InputError(`--name ${opts.name}: experiment '${clash}' already exists for ${baseline.slice(0, 7)} (mlv exp remove ${clash}, or pick another name)`, { name: clash }, 'EEXPEXISTS');
    return points.map((point, i) => ({ name: names[i], point }));
  }
  return points.map((point, i) => {
    const seed = `${baseline}\0${JSON.stringify(point)}\0${i}`;
    return { name: uniqueName(seed, taken), point, seed };
  });
}

/**
 * Run the pipeline with parameter overrides as experiments: one commit on
 * `refs/mlv/exps/<HEAD>/<name>` per point of the grid (or random sample), each in its
 * own temporary worktree, `jobs` at a time. The workspace and HEAD stay untouched.
 * @example
 *   await expRun({ cwd, set: ['train.trees=50,100', 'train.depth=4,8'], jobs: 2 });
 */
export async function expRun(opts: ExpRunOptions): Promise<ExpRunResult> {
  const repo = openRepo(opts);
  checkCount('--jobs', opts.jobs);
  const baseline = resolveRev(repo.root, 'HEAD');
  const hasPipeline = existsSync(join(repo.root, 'mlv.yaml')) || gitSync(repo.root, ['ls-tree', '--name-only', baseline, 'mlv.yaml'], { allowFail: true }).trim() !== '';
  if (!hasPipeline) throw new UsageError('mlv.yaml: no pipeline to run; declare stages first (see mlv repro)', { file: 'mlv.yaml' }, 'ENOPIPELINE');
  const runs = planRuns(repo.root, baseline, opts);
  await checkKeys(repo.root, runs);
  const hooks = opts.hooks ?? defaultHooks();
  const results = await runExperiments({ root: repo.root, baseline, runs, message: opts.message, jobs: opts.jobs, signal: opts.signal, onEvent: opts.onEvent, hooks });
  return {
    baseline,
    results,
    ok: results.filter((r) => r.status === 'ok').length,
    failed: results.filter((r) => r.status === 'failed').length,
    cancelled: results.filter((r) => r.status === 'cancelled').length,
  };
}

/** Every overridden key must exist in the workspace's params (caught before any run starts). */
export async function checkKeys(root: string, runs: PlannedRun[]): Promise<void> {
  const known = await readParams(root);
  const has = (key: string) => {
    const k = key.startsWith('params.yaml:') ? key.slice('params.yaml:'.length) : key;
    return k in known || Object.keys(known).some((p) => p.startsWith(k + '.'));
  };
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.point)))];
  const bad = keys.filter((k) => !has(k));
  if (bad.length) {
    throw new InputError(`-S ${bad[0]}: no such parameter in ${bad[0].includes(':') ? bad[0].slice(0, bad[0].lastIndexOf(':')) : 'params.yaml'} (params: ${Object.keys(known).slice(0, 12).join(', ')}${Object.keys(known).length > 12 ? ', …' : ''})`, { key: bad[0] }, 'EPARAMKEY');
  }
}

export { EXP_PREFIX };

export type { ExpEvent, ExpResult } from '../experiments/run.js';
export { describePoint } from '../experiments/overrides.js';
/** Removes the worktrees of runs still going, for an interrupt (Ctrl-C) handler. */
export { removeLiveWorktreesSync } from '../git/worktree.js';
