import type { VersionJob } from '../compare/types.js';
import { checkCount } from '../errors/index.js';
import type { Point } from '../experiments/overrides.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { openQueue, type ExpJob } from '../queue/bull.js';
import type { ExpJobResult } from '../queue/job.js';
import { queueSettings, type Env } from '../queue/settings.js';

export type QueueJobState = VersionJob['state'];

/** A job as `mlv queue status` lists it; the fields it shares with a job's row of `exp show` are documented there (VersionJob). */
export interface QueueJobRow extends Pick<VersionJob, 'id' | 'sweep' | 'state' | 'submitter' | 'submitted' | 'started' | 'finished' | 'worker' | 'attempts' | 'maxAttempts'> {
  name: string;
  baseline: string;
  point: Point;
  progress?: unknown;
  error?: string;
  result?: ExpJobResult;
}

export interface QueueStatusResult {
  queue: string;
  where: string;
  counts: Record<QueueJobState, number>;
  jobs: QueueJobRow[];
}

export interface QueueStatusOptions extends RepoOptions {
  env?: Env;
  /** Jobs of each finished state to list, newest first (default 50). */
  limit?: number;
  /** Only the jobs of this sweep. */
  sweep?: string;
}

const STATES: QueueJobState[] = ['active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed'];

export function jobRow(job: ExpJob, state: QueueJobState): QueueJobRow {
  const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);
  const d = job.data;
  return {
    id: job.id!,
    state,
    name: d.name,
    baseline: d.baseline,
    sweep: d.sweep,
    point: d.point,
    submitter: d.submitter,
    submitted: d.submitted,
    ...(job.processedOn ? { started: iso(job.processedOn) } : {}),
    ...(job.finishedOn ? { finished: iso(job.finishedOn) } : {}),
    ...(job.processedBy ? { worker: job.processedBy } : {}),
    attempts: job.attemptsStarted ?? job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    ...(job.progress !== undefined && job.progress !== 0 ? { progress: job.progress } : {}),
    ...(state === 'failed' && job.failedReason ? { error: job.failedReason } : {}),
    ...(state === 'completed' && job.returnvalue ? { result: job.returnvalue } : {}),
  };
}

/**
 * Jobs of the experiment queue by state: waiting, active (which worker, since when,
 * progress), completed (where and how it ran) and failed (why).
 * @example
 *   const { counts } = await queueStatus({ cwd, env: process.env });
 */
export async function queueStatus(opts: QueueStatusOptions): Promise<QueueStatusResult> {
  const repo = openRepo(opts);
  const s = queueSettings(repo.config, opts.env ?? {});
  const limit = opts.limit ?? 50;
  checkCount('--limit', limit);
  const queue = await openQueue(s);
  try {
    const counts = (await queue.getJobCounts(...STATES)) as Record<QueueJobState, number>;
    const jobs: QueueJobRow[] = [];
    for (const state of STATES) {
      const finished = state === 'completed' || state === 'failed';
      const list = (await queue.getJobs([state], 0, finished ? limit - 1 : -1, !finished)) as ExpJob[];
      for (const job of list) if (job && (!opts.sweep || job.data?.sweep === opts.sweep)) jobs.push(jobRow(job, state));
    }
    return { queue: s.name, where: s.where, counts, jobs };
  } finally {
    await queue.close();
  }
}
