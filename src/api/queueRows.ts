/**
 * The experiment queue's jobs as rows of `mlv exp show` and `mlv ui`: queued and running
 * experiments with their state, failed ones with their error (until `mlv queue retry` or
 * `mlv queue cancel` takes them away), and finished ones whose experiment ref this clone
 * has not fetched yet, with the command that fetches them. When .mlv/config names no
 * queue nothing is connected and BullMQ is not loaded; when Redis does not answer
 * within the timeout the rows are missing and one warning says why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ParamValue, VersionJob, VersionRow } from '../compare/types.js';
import { EXP_PREFIX, expRefName } from '../experiments/refs.js';
import { versionValues } from '../experiments/versions.js';
import { gitSync } from '../git/porcelain.js';
import { loadConfig } from '../repo/config.js';
import { DEFAULT_PARAMS } from '../pipeline/load.js';
import { bullmq, closeQueue, dropQueue, openQueue, type ExpJob } from '../queue/bull.js';
import { queueSettings, type Env, type QueueSettings } from '../queue/settings.js';
import { jobRow, type QueueJobRow, type QueueJobState } from './queueStatus.js';

/** How long a reader waits for Redis before showing the table without the queue. */
export const QUEUE_READ_TIMEOUT = 2000;
/** Failed, and finished-but-not-fetched, jobs listed at most (newest first). */
export const QUEUE_ROWS_LIMIT = 50;

export interface QueueRowsOptions {
  /** Where MLV_QUEUE_PASSWORD and friends come from (the CLI passes process.env). */
  env: Env;
  /** ms (default: MLV_QUEUE_READ_TIMEOUT of `env`, else 2000). */
  timeoutMs?: number;
  /** Failed and not-fetched jobs to list, newest first (default 50). */
  limit?: number;
}

export interface QueueRowsSummary {
  /** BullMQ queue name. */
  name: string;
  /** The queue's URL, password masked. */
  where: string;
  /** Rows by state. */
  queued: number;
  running: number;
  failed: number;
  /** Finished on a worker; the experiment ref is not in this clone yet. */
  notFetched: number;
  /** The command that fetches them (`mlv exp pull <git remote>`), when there are any. */
  fetch?: string;
}

export interface QueueRows {
  /** Undefined when .mlv/config names no queue. */
  summary?: QueueRowsSummary;
  rows: VersionRow[];
  /** Why the queue's rows are missing (Redis unreachable, a bad queue setting). */
  warning?: string;
}

const ORDER: Record<string, number> = { active: 0, waiting: 1, prioritized: 1, delayed: 1, failed: 2, completed: 3 };

/** A stage's last event (pipeline StageEvent status) in words. */
const STAGE_WORDS: Record<string, string> = { start: 'running', ran: 'done', cached: 'from the run cache', 'up-to-date': 'up to date', failed: 'failed' };

/** A local time of day, `16:41:07`. */
function clock(iso: string | undefined): string {
  if (!iso) return '?';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}

const firstLine = (text: string | undefined, max = 160): string => {
  const l = (text ?? '').split('\n').find((x) => x.trim()) ?? '';
  return l.length > max ? `${l.slice(0, max - 1)}…` : l;
};

function progressOf(p: unknown): VersionJob['progress'] | undefined {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return undefined;
  const { stage, status } = p as { stage?: unknown; status?: unknown };
  const out = { ...(typeof stage === 'string' ? { stage } : {}), ...(typeof status === 'string' ? { status } : {}) };
  return Object.keys(out).length ? out : undefined;
}

/** The words a job's row carries in its message: its state and what it waits on or did. */
export function describeJob(j: VersionJob, error?: string): string {
  switch (j.state) {
    case 'active': {
      const p = j.progress?.stage ? `, stage ${j.progress.stage} ${STAGE_WORDS[j.progress.status ?? 'start'] ?? j.progress.status}` : '';
      return `running on ${j.worker ?? '?'} since ${clock(j.started)}${p}${j.attempts > 1 ? ` (run ${j.attempts} of ${j.maxAttempts})` : ''}`;
    }
    case 'failed': return `failed after ${j.attempts} run(s): ${firstLine(error) || 'no error recorded'}`;
    case 'completed': return `done on ${j.worker ?? '?'}, not fetched: ${j.fetch}`;
    default: return `queued by ${j.submitter} at ${clock(j.submitted)}${j.attempts > 0 ? ` (run ${j.attempts + 1} of ${j.maxAttempts} next)` : ''}`;
  }
}

/** Params of a job: its baseline's, with the overrides put in (as the run will). */
function jobParams(base: Record<string, ParamValue>, point: Record<string, unknown>): { params: Record<string, ParamValue>; changed: string[] } {
  const params = { ...base };
  const changed: string[] = [];
  for (const [key, v] of Object.entries(point)) {
    const k = key.startsWith(`${DEFAULT_PARAMS}:`) ? key.slice(DEFAULT_PARAMS.length + 1) : key;
    const value = (v !== null && typeof v === 'object' ? JSON.stringify(v) : v) as ParamValue;
    if (params[k] !== value) changed.push(k);
    params[k] = value;
  }
  return { params, changed: changed.sort() };
}

function toVersionRow(j: QueueJobRow, queue: string, fetch: string, base: Record<string, ParamValue>): VersionRow & { changedParams: string[] } {
  const job: VersionJob = {
    queue, id: j.id, sweep: j.sweep, state: j.state, submitter: j.submitter, submitted: j.submitted,
    ...(j.started ? { started: j.started } : {}),
    ...(j.finished ? { finished: j.finished } : {}),
    ...(j.worker ? { worker: j.worker } : {}),
    attempts: j.attempts, maxAttempts: j.maxAttempts,
    ...(j.state === 'active' && progressOf(j.progress) ? { progress: progressOf(j.progress) } : {}),
    ...(j.state === 'completed' ? { fetch } : {}),
  };
  const { params, changed } = jobParams(base, j.point);
  const status: VersionRow['status'] = j.state === 'active' ? 'running' : j.state === 'failed' ? 'failed' : j.state === 'completed' ? 'ok' : 'queued';
  return {
    id: `job:${queue}/${j.id}`, kind: 'job', rev: j.baseline, name: j.name, baseline: j.baseline,
    date: j.submitted, message: describeJob(job, j.error), params,
    metrics: j.state === 'completed' ? { ...(j.result?.metrics ?? {}) } : {},
    status, ...(j.state === 'failed' && j.error ? { error: j.error } : {}), job, changedParams: changed,
  };
}

/** MLV_QUEUE_READ_TIMEOUT (ms) when it is a positive number, else 2000. */
function readTimeout(env: Env): number {
  const v = Number(env.MLV_QUEUE_READ_TIMEOUT);
  return Number.isFinite(v) && v > 0 ? v : QUEUE_READ_TIMEOUT;
}

/** Settings of the workspace's queue; undefined when .mlv/config names none (nothing is loaded). */
function settingsOf(root: string, env: Env): QueueSettings | undefined {
  const mlvDir = join(root, '.mlv');
  if (!existsSync(mlvDir)) return undefined;
  const config = loadConfig(mlvDir);
  if (!config.queue) return undefined;
  return queueSettings(config, env);
}

/** Local experiment refs among `refs`. */
function localRefs(root: string, refs: string[]): Set<string> {
  if (refs.length === 0) return new Set();
  const out = gitSync(root, ['for-each-ref', '--format=%(refname)', EXP_PREFIX], { allowFail: true });
  const have = new Set(out.split('\n').filter(Boolean));
  return new Set(refs.filter((r) => have.has(r)));
}

async function jobsOf(s: QueueSettings, timeoutMs: number, limit: number): Promise<QueueJobRow[]> {
  // The clock runs while Redis is waited for, not while BullMQ loads.
  await bullmq();
  const t0 = Date.now();
  const queue = await openQueue(s, { timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  try {
    const read = (async () => {
      const rows: QueueJobRow[] = [];
      for (const state of ['active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed'] as QueueJobState[]) {
        const finished = state === 'failed' || state === 'completed';
        const list = (await queue.getJobs([state], 0, finished ? limit - 1 : -1, !finished)) as ExpJob[];
        for (const job of list) if (job?.data?.baseline) rows.push(jobRow(job, state));
      }
      return rows;
    })();
    read.catch(() => undefined);
    const left = Math.max(1, timeoutMs - (Date.now() - t0));
    const rows = await Promise.race([read, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`queue ${s.where}: no answer within ${timeoutMs} ms`)), left); })]);
    await closeQueue(queue);
    return rows;
  } catch (e) {
    await dropQueue(queue);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The queue's jobs as rows (not yet placed among the commits: see placeQueueRows).
 * Completed jobs whose experiment ref is already in this clone are left out: their
 * experiment is a row of its own.
 * @example
 *   const { rows, warning } = await queueRows('/repo', { env: process.env });
 */
export async function queueRows(root: string, opts: QueueRowsOptions): Promise<QueueRows> {
  let s: QueueSettings | undefined;
  try {
    s = settingsOf(root, opts.env);
  } catch (e) {
    return { rows: [], warning: `queued experiments not shown: ${(e as Error).message}` };
  }
  if (!s) return { rows: [] };
  let jobs: QueueJobRow[];
  try {
    jobs = await jobsOf(s, opts.timeoutMs ?? readTimeout(opts.env), opts.limit ?? QUEUE_ROWS_LIMIT);
  } catch (e) {
    const why = (e as Error).message.replace(/^queue \S+: (cannot reach Redis: )?/, '');
    return { rows: [], warning: `queue '${s.name}' at ${s.where} not reached (${why}); queued and running experiments not shown` };
  }
  const fetched = localRefs(root, jobs.filter((j) => j.state === 'completed').map((j) => j.result?.ref ?? expRefName(j.baseline, j.name)));
  jobs = jobs.filter((j) => j.state !== 'completed' || !fetched.has(j.result?.ref ?? expRefName(j.baseline, j.name)));
  jobs.sort((a, b) => ORDER[a.state] - ORDER[b.state]);
  const fetch = `mlv exp pull ${s.gitRemote}`;
  const baselines = [...new Set(jobs.map((j) => j.baseline))];
  const values = await versionValues(root, baselines);
  const base = new Map(baselines.map((b, i) => [b, values[i].params]));
  const rows = jobs.map((j) => toVersionRow(j, s!.name, fetch, base.get(j.baseline) ?? {}));
  const count = (st: VersionRow['status']) => rows.filter((r) => r.status === st).length;
  const notFetched = count('ok');
  return {
    summary: { name: s.name, where: s.where, queued: count('queued'), running: count('running'), failed: count('failed'), notFetched, ...(notFetched ? { fetch } : {}) },
    rows,
  };
}

/**
 * Job rows beneath their baseline commit, before its experiments (they are the newest);
 * those whose baseline is not among the rows go last.
 */
export function placeQueueRows<R extends VersionRow>(rows: R[], jobs: R[]): R[] {
  if (jobs.length === 0) return rows;
  const byBaseline = new Map<string, R[]>();
  for (const j of jobs) byBaseline.set(j.baseline!, [...(byBaseline.get(j.baseline!) ?? []), j]);
  const out: R[] = [];
  for (const r of rows) {
    out.push(r);
    if (r.kind !== 'commit') continue;
    const mine = byBaseline.get(r.rev);
    if (mine) { out.push(...mine); byBaseline.delete(r.rev); }
  }
  for (const rest of byBaseline.values()) out.push(...rest);
  return out;
}

/** One line on the queue's rows: how many in each state, and the fetch command. */
export function queueNotice(q: QueueRows): string | undefined {
  if (q.warning) return q.warning;
  const s = q.summary;
  if (!s) return undefined;
  const parts = [`${s.queued} queued`, `${s.running} running`, ...(s.failed ? [`${s.failed} failed`] : []), ...(s.notFetched ? [`${s.notFetched} done, not fetched (${s.fetch})`] : [])];
  return `queue '${s.name}': ${parts.join(', ')}`;
}
