import { EXP_PREFIX } from '../experiments/refs.js';
import type { ExpResult } from '../experiments/run.js';
import { transferRefs } from '../git/porcelain.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import { bullmq, openQueue, type ExpJob } from '../queue/bull.js';
import { queueSettings, type Env } from '../queue/settings.js';
import type { ExpRunResult } from './expRun.js';
import { jobRow, type QueueJobRow } from './queueStatus.js';

export interface QueueWaitOptions extends RepoOptions {
  env?: Env;
  baseline: string;
  /** Job ids to follow. */
  jobs: string[];
  /** Polling period in ms (default 500). */
  every?: number;
  signal?: AbortSignal;
  /** Told of each job whose state changed. */
  onChange?: (row: QueueJobRow) => void;
}

/**
 * Follow queued jobs until each is completed or failed, then fetch their experiment refs
 * from the git remote, and return what a local sweep returns (`exp run --queue --wait`).
 * @example
 *   const r = await queueWait({ cwd, env: process.env, baseline, jobs: ['1a2b3c4d-1'] });
 */
export async function queueWait(opts: QueueWaitOptions): Promise<ExpRunResult> {
  const repo = openRepo(opts);
  const s = queueSettings(repo.config, opts.env ?? {});
  const { Job } = await bullmq();
  const queue = await openQueue(s);
  const rows = new Map<string, QueueJobRow>();
  const seen = new Map<string, string>();
  try {
    for (;;) {
      for (const id of opts.jobs) {
        if (rows.get(id)?.state === 'completed' || rows.get(id)?.state === 'failed') continue;
        const job = (await Job.fromId(queue, id)) as ExpJob | undefined;
        if (!job) continue; // removed (mlv queue cancel): reported as cancelled
        const state = await job.getState();
        if (state === 'unknown' || state === 'waiting-children') continue;
        const row = jobRow(job, state as QueueJobRow['state']);
        rows.set(id, row);
        const key = `${row.state}:${row.attempts}:${row.worker ?? ''}`;
        if (seen.get(id) !== key) { seen.set(id, key); opts.onChange?.(row); }
      }
      const open = opts.jobs.filter((id) => { const st = rows.get(id)?.state; return st !== 'completed' && st !== 'failed'; });
      const gone = await Promise.all(open.map(async (id) => !(await Job.fromId(queue, id))));
      if (open.length === 0 || gone.every(Boolean) || opts.signal?.aborted) break;
      await new Promise((r) => setTimeout(r, opts.every ?? 500));
    }
  } finally {
    await queue.close();
  }
  const results: ExpResult[] = opts.jobs.map((id) => {
    const row = rows.get(id);
    const base = { name: row?.name ?? id, baseline: opts.baseline, params: row?.point ?? {}, metrics: {}, seconds: 0 };
    if (row?.state === 'completed' && row.result) return { ...base, status: 'ok', ref: row.result.ref, commit: row.result.commit, metrics: row.result.metrics, seconds: row.result.seconds };
    if (row?.state === 'failed') return { ...base, status: 'failed', error: row.error };
    return { ...base, status: 'cancelled' };
  });
  if (results.some((r) => r.status === 'ok')) {
    await transferRefs(repo.root, 'fetch', s.gitRemote, `+${EXP_PREFIX}${opts.baseline}/*:${EXP_PREFIX}${opts.baseline}/*`);
  }
  return {
    baseline: opts.baseline,
    results,
    ok: results.filter((r) => r.status === 'ok').length,
    failed: results.filter((r) => r.status === 'failed').length,
    cancelled: results.filter((r) => r.status === 'cancelled').length,
  };
}
