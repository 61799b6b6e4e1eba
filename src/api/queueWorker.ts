import { hostname } from 'node:os';
import { checkCount, InputError } from '../errors/index.js';
import { defaultHooks, type PipelineHooks } from '../experiments/pipeline.js';
import { gitRootOrThrow, openRepoAt, type RepoOptions } from '../repo/Repo.js';
import { bullmq, openWorker, persistenceOf, type ExpJob } from '../queue/bull.js';
import type { ExpJobData, ExpJobResult } from '../queue/job.js';
import { PermanentJobError, runQueuedExp } from '../queue/runJob.js';
import { queueSettings, scrub, type Env } from '../queue/settings.js';

const CANCEL_POLL_MS = 1000;

export type WorkerEvent =
  | { type: 'ready'; queue: string; where: string; worker: string }
  | { type: 'warning'; message: string }
  | { type: 'start'; job: string; data: ExpJobData; attempt: number }
  | { type: 'done'; job: string; result: ExpJobResult }
  | { type: 'failed'; job: string; name: string; error: string; final: boolean }
  | { type: 'handed-back'; job: string; name: string }
  | { type: 'error'; message: string };

export interface QueueWorkerOptions extends RepoOptions {
  env?: Env;
  /** Jobs at once, each in its own worktree (default 1). */
  concurrency?: number;
  /** Stop once the queue has nothing waiting, delayed or active. */
  exitWhenIdle?: boolean;
  /** Stop after taking this many jobs. */
  maxJobs?: number;
  /** Aborted: take no new job, finish the current ones, return. */
  stop?: AbortSignal;
  /** Aborted: stop the current runs and hand their jobs back to the queue. */
  handBack?: AbortSignal;
  /** Name stored on each job it takes (default `<host>:<pid>`). */
  workerName?: string;
  host?: string;
  hooks?: PipelineHooks;
  onEvent?: (e: WorkerEvent) => void;
}

export interface QueueWorkerResult {
  worker: string;
  ok: number;
  failed: number;
  handedBack: number;
}

/**
 * `mlv worker`: take experiment jobs from the queue and run them in this clone, until
 * stopped, idle (`exitWhenIdle`) or `maxJobs` are done.
 * @example
 *   await queueWorker({ cwd, env: process.env, exitWhenIdle: true });
 */
export async function queueWorker(opts: QueueWorkerOptions): Promise<QueueWorkerResult> {
  const concurrency = opts.concurrency ?? 1;
  checkCount('--concurrency', concurrency);
  checkCount('--max-jobs', opts.maxJobs);
  const root = gitRootOrThrow(opts.cwd);
  const repo = openRepoAt(root);
  const s = queueSettings(repo.config, opts.env ?? {});
  const host = opts.host ?? hostname();
  const workerName = opts.workerName ?? `${host}:${process.pid}`;
  const emit = opts.onEvent ?? (() => undefined);
  const ctx = { root, settings: s, hooks: opts.hooks ?? defaultHooks(), host, worker: workerName };
  const result: QueueWorkerResult = { worker: workerName, ok: 0, failed: 0, handedBack: 0 };
  let taken = 0;
  let active = 0;

  // Queue counts (--exit-when-idle) and cancel marks, on a connection that rides out Redis restarts like the worker's.
  const { Job, Queue, UnrecoverableError, WaitingError } = await bullmq();
  const watcher = new Queue(s.name, { connection: { ...s.connection, maxRetriesPerRequest: null } });
  watcher.on('error', () => undefined);
  const worker = await openWorker(s, async (job: ExpJob, token?: string, signal?: AbortSignal) => {
    taken++;
    active++;
    // The last job this worker may take: no new fetch while it runs.
    if (opts.maxJobs !== undefined && taken >= opts.maxJobs) void worker.close();
    emit({ type: 'start', job: job.id!, data: job.data, attempt: job.attemptsMade + 1 });
    // `mlv queue cancel` marks the job's data; look for the mark while it runs.
    const cancel = new AbortController();
    let cancelledBy: string | undefined;
    let looking = false;
    const look = async () => {
      if (looking) return;
      looking = true;
      try {
        const fresh = await Job.fromId<ExpJobData, ExpJobResult, string>(watcher, job.id!);
        if (fresh?.data.cancel && !cancel.signal.aborted) { cancelledBy = fresh.data.cancel.by; cancel.abort(); }
      } catch { /* Redis away: look again */ } finally { looking = false; }
    };
    const poll = setInterval(() => void look(), CANCEL_POLL_MS);
    const stops = [signal, opts.handBack, cancel.signal].filter((x): x is AbortSignal => x !== undefined);
    try {
      if (job.data.cancel) { cancelledBy = job.data.cancel.by; cancel.abort(); }
      const r = await runQueuedExp(ctx, {
        id: job.id!, data: job.data,
        log: (line) => job.log(line).catch(() => undefined),
        progress: (p) => job.updateProgress(p).catch(() => undefined),
      }, stops.length ? AbortSignal.any(stops) : undefined);
      if (r === 'cancelled' && cancelledBy) throw new PermanentJobError(`cancelled by ${cancelledBy}`);
      if (r === 'cancelled') {
        await job.moveToWait(token);
        result.handedBack++;
        emit({ type: 'handed-back', job: job.id!, name: job.data.name });
        throw new WaitingError();
      }
      result.ok++;
      emit({ type: 'done', job: job.id!, result: r });
      return r;
    } catch (e) {
      if (e instanceof WaitingError) throw e;
      const message = scrub((e as Error)?.message ?? String(e), s);
      const permanent = e instanceof PermanentJobError;
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) result.failed++;
      emit({ type: 'failed', job: job.id!, name: job.data.name, error: message, final });
      throw permanent ? new UnrecoverableError(message) : new Error(message);
    } finally {
      clearInterval(poll);
      active--;
    }
  }, { concurrency, workerName, onError: (message) => emit({ type: 'error', message }) });

  const stopAll = () => { void worker.close(); };
  opts.stop?.addEventListener('abort', stopAll, { once: true });
  opts.handBack?.addEventListener('abort', stopAll, { once: true });
  let idleTimer: NodeJS.Timeout | undefined;
  try {
    const running = worker.run();
    await worker.waitUntilReady();
    emit({ type: 'ready', queue: s.name, where: s.where, worker: workerName });
    const p = await persistenceOf(worker);
    if (p && !p.aof) emit({ type: 'warning', message: `queue ${s.where}: Redis keeps no append-only file; a Redis restart can lose queued jobs (set appendonly yes)` });
    if (opts.exitWhenIdle) {
      const check = async () => {
        try {
          const c = await watcher.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (active === 0 && Object.values(c).every((n) => n === 0)) { stopAll(); return; }
        } catch { /* Redis away: look again later */ }
        if (worker.isRunning()) idleTimer = setTimeout(() => void check(), 500);
      };
      void check();
    }
    await running;
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    opts.stop?.removeEventListener('abort', stopAll);
    opts.handBack?.removeEventListener('abort', stopAll);
    await worker.close();
    await watcher.close();
  }
  return result;
}
