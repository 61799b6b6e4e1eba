import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { openQueue } from '../queue/bull.js';
import { findJob } from '../queue/lookup.js';
import { queueSettings, type Env } from '../queue/settings.js';
import { jobRow, type QueueJobRow } from './queueStatus.js';

export interface QueueLogsOptions extends RepoOptions {
  env?: Env;
  job: string;
}

export interface QueueLogsResult {
  job: QueueJobRow;
  /** What its workers logged, oldest first: stages, pulls and pushes, errors. */
  lines: string[];
}

/**
 * The log of one queued experiment, as its worker(s) wrote it.
 * @example
 *   const { lines } = await queueLogs({ cwd, env: process.env, job: '1a2b3c4d-1' });
 */
export async function queueLogs(opts: QueueLogsOptions): Promise<QueueLogsResult> {
  const repo = openRepo(opts);
  const s = queueSettings(repo.config, opts.env ?? {});
  const queue = await openQueue(s);
  try {
    const job = await findJob(queue, s, opts.job);
    const state = await job.getState();
    const { logs } = await queue.getJobLogs(opts.job, 0, -1, true);
    return { job: jobRow(job, state as QueueJobRow['state']), lines: logs };
  } finally {
    await queue.close();
  }
}
