/**
 * One queued experiment on a worker: fetch the baseline, pull the inputs it needs, run
 * it through the same `runExperiments()` as `mlv exp run` (worktree, reproduce, commit),
 * then push the outputs to the mlv remote and only then create the experiment ref on
 * the git remote (data before what points to it). The commit carries
 * `Mlv-Exp-Job: <queue>/<job id>`; a ref already on the remote with this job's tag means
 * an earlier attempt finished, so nothing runs twice and no second ref appears.
 */
import { spawnSync } from 'node:child_process';
import { NotFoundError, UsageError } from '../errors/index.js';
import type { PipelineHooks, StageEvent } from '../experiments/pipeline.js';
import { expRefName, parseExpMessage, TRAILER } from '../experiments/refs.js';
import { runExperiments, type ExpEvent } from '../experiments/run.js';
import { fetchMissing } from '../remote/fetch.js';
import { openRemote } from '../remote/open.js';
import { pushObjects } from '../remote/transfer.js';
import { objectsOfTracked } from '../repo/reachable.js';
import { openRepoAt, type Repo } from '../repo/Repo.js';
import { trackedAtCommit } from '../repo/tracked.js';
import { commitMessage, fetchCommit, fetchRef, pushCreateOnly, remoteRef } from './gitRemote.js';
import { jobTag, type ExpJobData, type ExpJobResult, type ExpJobTimings } from './job.js';
import type { QueueSettings } from './settings.js';

export interface RunJobContext {
  /** The worker's clone. */
  root: string;
  settings: QueueSettings;
  hooks: PipelineHooks;
  host: string;
  worker: string;
}

/** The BullMQ job, as far as running it needs. */
export interface JobHandle {
  id: string;
  data: ExpJobData;
  log(line: string): Promise<unknown> | void;
  progress(p: Record<string, unknown>): Promise<unknown> | void;
}

/** A job that cannot succeed by running it again (missing commit or inputs, a name taken). */
export class PermanentJobError extends Error {}

const since = (t: number) => Date.now() - t;

/**
 * Run one job; 'cancelled' when `signal` stopped it before its ref was pushed.
 * Throws PermanentJobError for what no retry can fix, Error for a failed run.
 */
export async function runQueuedExp(ctx: RunJobContext, job: JobHandle, signal?: AbortSignal): Promise<ExpJobResult | 'cancelled'> {
  const t0 = Date.now();
  const timings: ExpJobTimings = { git: 0, objects: 0, run: 0, total: 0 };
  const { root, settings: s } = ctx;
  const d = job.data;
  const tag = jobTag(s.name, job.id);
  const ref = expRefName(d.baseline, d.name);
  const base = { name: d.name, baseline: d.baseline, host: ctx.host, worker: ctx.worker, params: d.point };

  let t = Date.now();
  const done = await alreadyPushed(ctx, ref, tag);
  timings.git += since(t);
  if (done) {
    await job.log(`${ref} is already on git remote '${s.gitRemote}' from an earlier attempt (${done.commit.slice(0, 7)}); not run again`);
    return { ...base, ...done, status: 'ok', ref, seconds: 0, reused: true, timings: { ...timings, total: since(t0) }, objects: { pulled: 0, pushed: 0 } };
  }

  t = Date.now();
  if (!(await fetchCommit(root, s.gitRemote, d.baseline))) {
    throw new PermanentJobError(`baseline ${d.baseline.slice(0, 12)} is not on git remote '${s.gitRemote}' (the submitter must push it: git push ${s.gitRemote} <branch>)`);
  }
  timings.git += since(t);

  await clearLeftover(root, ref, tag);

  t = Date.now();
  const repo = openRepoAt(root);
  const items = await trackedAtCommit(root, d.baseline);
  let pulled = 0;
  try {
    pulled += await fetchMissing(repo, items.filter((i) => i.source.type === 'pointer'));
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof UsageError) throw new PermanentJobError(`inputs of baseline ${d.baseline.slice(0, 7)}: ${e.message}`);
    throw e;
  }
  // Outputs the baseline recorded spare stages the new params leave alone; a stage whose
  // outputs are not on the remote simply runs.
  try { pulled += await fetchMissing(repo, items.filter((i) => i.source.type === 'lock')); } catch { /* reproduce runs them */ }
  timings.objects += since(t);
  await job.log(`baseline ${d.baseline.slice(0, 7)} ready; ${pulled} object(s) pulled`);

  t = Date.now();
  const onEvent = (e: ExpEvent) => {
    if (e.type !== 'stage') return;
    const ev: StageEvent = e.event;
    void job.log(`stage ${ev.stage}: ${ev.status}${ev.message ? ` (${ev.message.split('\n')[0]})` : ''}`);
    void job.progress({ stage: ev.stage, status: ev.status });
  };
  const [r] = await runExperiments({
    root, baseline: d.baseline, runs: [{ name: d.name, point: d.point }], message: d.message, signal,
    hooks: ctx.hooks, carry: [], trailers: { [TRAILER.job]: tag }, onEvent,
  });
  timings.run += since(t);
  if (r.status === 'cancelled') return 'cancelled';
  if (r.status === 'failed') {
    // The queue records the failure (and retries); the worker's clone keeps no ref of it.
    if (r.ref && r.commit) spawnSync('git', ['update-ref', '-d', r.ref, r.commit], { cwd: root });
    await job.log(`failed: ${r.error ?? 'unknown error'}`);
    throw new Error(r.error ?? 'the run failed');
  }

  t = Date.now();
  const pushed = await pushOutputs(repo, r.commit!);
  timings.objects += since(t);

  t = Date.now();
  const outcome = await pushCreateOnly(root, s.gitRemote, r.commit!, ref);
  timings.git += since(t);
  if (outcome === 'exists') {
    // Another worker ran this very job meanwhile (its lock had lapsed) and pushed first.
    const other = await alreadyPushed(ctx, ref, tag);
    if (!other) throw new PermanentJobError(`${ref}: created on git remote '${s.gitRemote}' by another experiment meanwhile; queue again with another --name`);
    return { ...base, ...other, status: 'ok', ref, seconds: r.seconds, reused: true, timings: { ...timings, total: since(t0) }, objects: { pulled, pushed } };
  }
  await job.log(`pushed ${pushed} object(s) and ${ref} (${r.commit!.slice(0, 7)})`);
  return { ...base, status: 'ok', ref, commit: r.commit!, metrics: r.metrics, seconds: r.seconds, reused: false, timings: { ...timings, total: since(t0) }, objects: { pulled, pushed } };
}

/** The remote's commit for `ref` when it is this job's; PermanentJobError when another experiment holds the name. */
async function alreadyPushed(ctx: RunJobContext, ref: string, tag: string): Promise<{ commit: string; metrics: Record<string, number> } | undefined> {
  const oid = await remoteRef(ctx.root, ctx.settings.gitRemote, ref);
  if (!oid) return undefined;
  await fetchRef(ctx.root, ctx.settings.gitRemote, ref);
  const msg = parseExpMessage(await commitMessage(ctx.root, oid));
  if (msg.job !== tag) {
    throw new PermanentJobError(`${ref} already exists on git remote '${ctx.settings.gitRemote}' for ${msg.job ? `job ${msg.job}` : 'an experiment run elsewhere'}; queue again with another --name`);
  }
  return { commit: oid, metrics: msg.metrics ?? {} };
}

/**
 * An attempt of this job that ran here but never pushed its ref left a local ref of the
 * name (refs are created only where none exists): it goes. A local experiment of the
 * same name that is not this job's stays, and fails the job.
 */
async function clearLeftover(root: string, ref: string, tag: string): Promise<void> {
  const r = spawnSync('git', ['rev-parse', '-q', '--verify', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return;
  const oid = r.stdout.trim();
  if (parseExpMessage(await commitMessage(root, oid)).job !== tag) {
    throw new PermanentJobError(`${ref} already exists in the worker's clone (${root}) for another experiment; remove it there (mlv exp remove) or queue again with another --name`);
  }
  spawnSync('git', ['update-ref', '-d', ref, oid], { cwd: root });
}

/** Every cached object the experiment commit refers to goes to the mlv remote (those already there are skipped). */
async function pushOutputs(repo: Repo, commit: string): Promise<number> {
  const { objects } = objectsOfTracked(repo, await trackedAtCommit(repo.root, commit));
  if (objects.size === 0) return 0;
  if (Object.keys(repo.config.remotes).length === 0) throw new PermanentJobError('no mlv remote configured in the worker\'s clone: the outputs could not be shared (mlv remote add … --default)');
  const remote = await openRemote(repo.config, repo.root);
  try {
    const r = await pushObjects(repo.store, remote, objects);
    if (r.failed.length) throw new Error(`push to mlv remote '${remote.name}': ${r.failed.length} object(s) failed: ${r.failed[0].error}`);
    return r.transferred;
  } finally {
    await remote.close();
  }
}
