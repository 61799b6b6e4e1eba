import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { checkCount, InputError, UsageError } from '../errors/index.js';
import { uniqueName, validateName } from '../experiments/names.js';
import { gridPoints, parseOverride, randomPoints, type Point } from '../experiments/overrides.js';
import { paramsFilesOf } from '../experiments/pipeline.js';
import { EXP_PREFIX, listExps } from '../experiments/refs.js';
import { workspaceCarry, type PlannedRun } from '../experiments/run.js';
import { gitSync, resolveRev } from '../git/porcelain.js';
import { openRemote } from '../remote/open.js';
import { objectsOfTracked } from '../repo/reachable.js';
import { openRepo, type Repo, type RepoOptions } from '../repo/Repo.js';
import { trackedAtCommit } from '../repo/tracked.js';
import { openQueue, persistenceOf } from '../queue/bull.js';
import { onRemote, remoteRefsUnder } from '../queue/gitRemote.js';
import { EXP_JOB, type ExpJobData } from '../queue/job.js';
import { queueSettings, type Env } from '../queue/settings.js';
import { checkKeys } from './expRun.js';

export interface QueueSubmitOptions extends RepoOptions {
  /** `-S` arguments, as for `exp run`. */
  set?: string[];
  name?: string;
  message?: string;
  random?: number;
  seed?: number;
  /** The environment: MLV_QUEUE_URL / MLV_QUEUE_USERNAME / MLV_QUEUE_PASSWORD. */
  env?: Env;
}

export interface QueuedJob {
  id: string;
  name: string;
  point: Point;
}

export interface QueueSubmitResult {
  queue: string;
  /** The queue's URL, password masked. */
  where: string;
  sweep: string;
  baseline: string;
  jobs: QueuedJob[];
  warnings: string[];
}

/**
 * `mlv exp run --queue`: each point of the sweep becomes one BullMQ job instead of a
 * local run. Refuses (and names what to push) unless the baseline is on the git remote
 * and its tracked inputs are on the mlv remote, since a worker on another machine has
 * only those.
 * @example
 *   const r = await queueSubmit({ cwd, set: ['train.trees=50,100'], env: process.env });
 */
export async function queueSubmit(opts: QueueSubmitOptions): Promise<QueueSubmitResult> {
  const repo = openRepo(opts);
  const s = queueSettings(repo.config, opts.env ?? {});
  const root = repo.root;
  const baseline = resolveRev(root, 'HEAD');
  if (gitSync(root, ['ls-tree', '--name-only', baseline, 'mlv.yaml'], { allowFail: true }).trim() === '') {
    throw new UsageError(`mlv.yaml: not committed at ${baseline.slice(0, 7)}; a queued run starts from the commit, so commit and push the pipeline first`, { file: 'mlv.yaml' }, 'ENOPIPELINE');
  }
  const carry = workspaceCarry(root, paramsFilesOf(root));
  if (carry.length) {
    throw new InputError(`${carry.map((c) => c.path).join(', ')}: uncommitted; a queued run starts from the commit ${baseline.slice(0, 7)}, so commit and push first (or run locally without --queue)`, { paths: carry.map((c) => c.path) }, 'EUNCOMMITTED');
  }
  if (!(await onRemote(root, s.gitRemote, baseline))) {
    throw new InputError(`baseline ${baseline.slice(0, 7)} is not on git remote '${s.gitRemote}'; push it first (git push ${s.gitRemote} HEAD)`, { baseline, remote: s.gitRemote }, 'ENOTPUSHED');
  }
  await checkInputsOnRemote(repo, baseline);

  const sweep = randomBytes(4).toString('hex');
  const runs = await plan(root, s.gitRemote, baseline, sweep, opts);
  await checkKeys(root, runs);

  const submitter = `${safeUser()}@${hostname()}`;
  const submitted = new Date().toISOString();
  const queue = await openQueue(s);
  const warnings: string[] = [];
  try {
    const p = await persistenceOf(queue);
    if (p && !p.aof) warnings.push(`queue ${s.where}: Redis keeps no append-only file; a Redis restart can lose queued jobs (set appendonly yes)`);
    const jobs = await queue.addBulk(runs.map((r, i) => ({
      name: EXP_JOB,
      data: { v: 1, sweep, baseline, name: r.name, point: r.point, ...(opts.message ? { message: opts.message } : {}), submitter, submitted } satisfies ExpJobData,
      opts: { jobId: `${sweep}-${i + 1}`, attempts: s.attempts, removeOnComplete: false, removeOnFail: false },
    })));
    return { queue: s.name, where: s.where, sweep, baseline, jobs: jobs.map((j, i) => ({ id: j.id!, name: runs[i].name, point: runs[i].point })), warnings };
  } finally {
    await queue.close();
  }
}

function safeUser(): string {
  try { return userInfo().username; } catch { return 'unknown'; }
}

/**
 * Names like a local sweep's, but seeded with the sweep id and checked against the git
 * remote too: two people queueing the same grid at once get different names.
 */
async function plan(root: string, gitRemote: string, baseline: string, sweep: string, opts: QueueSubmitOptions): Promise<PlannedRun[]> {
  const specs = (opts.set ?? []).map(parseOverride);
  checkCount('--random', opts.random);
  checkCount('--seed', opts.seed, -Infinity);
  const points: Point[] = opts.random !== undefined ? randomPoints(specs, opts.random, opts.seed ?? 0) : gridPoints(specs);
  const prefix = `${EXP_PREFIX}${baseline}/`;
  const taken = new Set([
    ...listExps(root, baseline).map((e) => e.name),
    ...(await remoteRefsUnder(root, gitRemote, prefix)).map((r) => r.slice(prefix.length)),
  ]);
  if (opts.name !== undefined) {
    validateName(opts.name);
    const names = points.length === 1 ? [opts.name] : points.map((_, i) => `${opts.name}-${i + 1}`);
    const clash = names.find((n) => taken.has(n));
    if (clash) throw new InputError(`--name ${opts.name}: experiment '${clash}' already exists for ${baseline.slice(0, 7)} (here or on '${gitRemote}'); pick another name`, { name: clash }, 'EEXPEXISTS');
    return points.map((point, i) => ({ name: names[i], point }));
  }
  return points.map((point, i) => ({ name: uniqueName(`${baseline}\0${sweep}\0${JSON.stringify(point)}\0${i}`, taken), point }));
}

/** Every object the baseline's `.mlv` pointers name must be on the mlv remote. */
async function checkInputsOnRemote(repo: Repo, baseline: string): Promise<void> {
  const inputs = (await trackedAtCommit(repo.root, baseline)).filter((t) => t.source.type === 'pointer');
  if (inputs.length === 0) return;
  if (Object.keys(repo.config.remotes).length === 0) {
    throw new UsageError(`${inputs[0].path}: workers need the data from an mlv remote, and none is configured (mlv remote add <name> <url> --default, then mlv push)`, {}, 'ENOREMOTE');
  }
  const remote = await openRemote(repo.config, repo.root);
  try {
    const present = await remote.list();
    const lacking = inputs.filter((t) => {
      const { objects, unknownManifests } = objectsOfTracked(repo, [t]);
      return [...objects].some((h) => !present.has(h)) || unknownManifests.some((h) => !present.has(h));
    });
    if (lacking.length) {
      const names = lacking.map((t) => t.path);
      throw new InputError(`${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}: not on mlv remote '${remote.name}'; push the data first (mlv push)`, { paths: names, remote: remote.name }, 'ENOTPUSHED');
    }
  } finally {
    await remote.close();
  }
}
