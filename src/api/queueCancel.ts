import { hostname, userInfo } from 'node:os';
import { UsageError } from '../errors/index.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { openQueue, type ExpJob } from '../queue/bull.js';
import { findJob } from '../queue/lookup.js';
import { queueSettings, type Env } from '../queue/settings.js';

export interface QueueCancelOptions extends RepoOptions {
  env?: Env;
  jobs?: string[];
  /** Every job not yet completed (of `sweep` when given). */
  all?: boolean;
  sweep?: string;
}

export interface QueueCancelResult {
  /** Jobs taken out of the queue before any worker ran them (or after they failed). */
  removed: string[];
  /** Running jobs told to stop: their worker stops the run and fails the job as cancelled. */
  stopping: Array<{ job: string; worker?: string }>;
  /** Completed jobs are left alone: their experiment exists (mlv exp remove). */
  completed: string[];
}

/**
 * Cancel queued experiments: waiting ones are removed; running ones are stopped by
 * their worker, which records the job as failed ("cancelled") and pushes nothing.
 * @example
 *   await queueCancel({ cwd, env: process.env, all: true });
 */
export async function queueCancel(opts: QueueCancelOptions): Promise<QueueCancelResult> {
  if (!opts.all && !opts.jobs?.length) throw new UsageError('name the job(s) to cancel, or --all', {}, 'EUSAGE');
  const repo = openRepo(opts);
  const s = queueSettings(repo.config, opts.env ?? {});
  const queue = await openQueue(s);
  const result: QueueCancelResult = { removed: [], stopping: [], completed: [] };
  const by = `${safeUser()}@${hostname()}`;
  try {
    const jobs: ExpJob[] = opts.all
      ? ((await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active'])) as ExpJob[]).filter((j) => j && (!opts.sweep || j.data.sweep === opts.sweep))
      : await Promise.all(opts.jobs!.map((id) => findJob(queue, s, id)));
    for (const job of jobs) {
      const state = await job.getState();
      if (state === 'completed') { result.completed.push(job.id!); continue; }
      if (state === 'active') {
        await job.updateData({ ...job.data, cancel: { by, at: new Date().toISOString() } });
        result.stopping.push({ job: job.id!, ...(job.processedBy ? { worker: job.processedBy } : {}) });
        continue;
      }
      try {
        await job.remove();
        result.removed.push(job.id!);
      } catch {
        // Taken by a worker meanwhile: stop it there.
        await job.updateData({ ...job.data, cancel: { by, at: new Date().toISOString() } });
        result.stopping.push({ job: job.id! });
      }
    }
    return result;
  } finally {
    await queue.close();
  }
}

function safeUser(): string {
  try { return userInfo().username; } catch { return 'unknown'; }
}
