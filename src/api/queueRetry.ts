import { InputError } from '../errors/index.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { openQueue } from '../queue/bull.js';
import { findJob } from '../queue/lookup.js';
import { queueSettings, type Env } from '../queue/settings.js';

export interface QueueRetryOptions extends RepoOptions {
  env?: Env;
  job: string;
}

export interface QueueRetryResult {
  job: string;
  name: string;
  /** Runs it may take again (the queue's attempts). */
  attempts: number;
}

/**
 * Put a failed job back in the queue with its attempts renewed.
 * @example
 *   await queueRetry({ cwd, env: process.env, job: '1a2b3c4d-1' });
 */
export async function queueRetry(opts: QueueRetryOptions): Promise<QueueRetryResult> {
  const repo = openRepo(opts);
  const s = queueSettings(repo.config, opts.env ?? {});
  const queue = await openQueue(s);
  try {
    const job = await findJob(queue, s, opts.job);
    const state = await job.getState();
    if (state !== 'failed') throw new InputError(`job ${opts.job}: ${state}, not failed; only a failed job can be retried`, { job: opts.job, state }, 'ENOTFAILED');
    if (job.data.cancel) await job.updateData({ ...job.data, cancel: undefined });
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return { job: opts.job, name: job.data.name, attempts: job.opts.attempts ?? 1 };
  } finally {
    await queue.close();
  }
}
