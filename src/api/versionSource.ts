/**
 * The versions of a repository (commits and experiments) as a VersionSource: rows with
 * params and metrics, per-version detail and pairwise diffs. What `mlv ui` browses.
 * With `queue`, and a queue named in .mlv/config, the queue's jobs are rows too (as in
 * `mlv exp show`), asked again every `refreshMs`.
 * @example
 *   const source = await openVersionSource('/repo', { queue: { env: process.env } });
 *   const rows = await source.rows();
 */
import type { VersionJob, VersionSource } from '../compare/types.js';
import { openVersionSource as openExperimentSource, type SourceOptions as ExperimentSourceOptions } from '../experiments/source.js';
import { queueConfigured } from '../queue/settings.js';
import type { QueueRowsOptions } from './queueRows.js';

export interface SourceOptions extends ExperimentSourceOptions {
  /** Also the queue's jobs, when .mlv/config names a queue (nothing is connected otherwise). */
  queue?: QueueRowsOptions & {
    /** How often the UI asks again, ms (default 5000). */
    refreshMs?: number;
  };
}

export async function openVersionSource(repoRoot: string, opts: SourceOptions = {}): Promise<VersionSource> {
  const source = await openExperimentSource(repoRoot, opts);
  const q = opts.queue;
  if (!q || !queueConfigured(repoRoot)) return source;
  const { placeQueueRows, queueNotice, queueRows } = await import('./queueRows.js');
  let notice: string | undefined;
  return {
    ...source,
    rows: async () => {
      const [rows, jobs] = await Promise.all([source.rows(), queueRows(repoRoot, q)]);
      notice = queueNotice(jobs);
      return placeQueueRows(rows, jobs.rows);
    },
    // A job has no commit of its own: its detail is the row (state, error, the command to run).
    detail: async (row) => (row.kind === 'job' ? { row, artifacts: [], reproCommand: jobCommand(row.job!) } : source.detail(row)),
    refreshMs: q.refreshMs ?? 5000,
    notice: () => notice,
  };
}

/** What to type about a job: fetch a finished one, read a failed one's log, follow the others. */
function jobCommand(job: VersionJob): string {
  return job.fetch ?? `mlv queue logs ${job.id}`;
}
