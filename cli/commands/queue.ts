/**
 * `mlv queue …` — the experiment queue on Redis (src/api/queue*.ts).
 */
import type { Program } from '../program.js';
import { count } from '../options.js';
import type { QueueJobRow, QueueStatusResult } from '../../src/api/queueStatus.js';
import { UsageError } from '../../src/errors/index.js';
import { describePoint } from '../../src/api/expRun.js';
import { cwd, out, printJson } from '../io.js';
import { color, formatNumber, table } from '../format.js';


export function register(program: Program): void {
  const queue = program.command('queue').description('the experiment queue on Redis: jobs made by mlv exp run --queue, run by mlv worker');

  queue.command('status')
    .description('jobs waiting, active (which worker, since when, progress), completed and failed')
    .option('--sweep <id>', 'only the jobs of one exp run --queue')
    .option('--limit <N>', 'completed and failed jobs to list, newest first', count('--limit'), 50)
    .option('--json', 'print the status as JSON')
    .action(async (o: { sweep?: string; limit: number; json?: boolean }) => {
      const { queueStatus } = await import('../../src/api/queueStatus.js');
      const r = await queueStatus({ cwd: cwd(), env: process.env, sweep: o.sweep, limit: o.limit });
      if (o.json) return printJson(r);
      out(renderStatus(r, Date.now()));
    });

  queue.command('logs')
    .description('what the worker(s) of one job logged: stages, transfers, errors')
    .argument('<job>')
    .option('--json', 'print the log as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const { queueLogs } = await import('../../src/api/queueLogs.js');
      const r = await queueLogs({ cwd: cwd(), env: process.env, job: id });
      if (o.json) return printJson(r);
      out(`Job ${r.job.id}: ${r.job.name} (${r.job.state}${r.job.worker ? `, ${r.job.worker}` : ''})`);
      if (r.job.error) out(`error: ${r.job.error}`);
      out(r.lines.length ? r.lines.join('\n') : '(no log yet)');
    });

  queue.command('cancel')
    .description('remove waiting jobs; stop running ones (their worker fails them as cancelled)')
    .argument('[jobs...]')
    .option('-A, --all', 'every job not completed')
    .option('--sweep <id>', 'with --all: only this sweep')
    .option('--json', 'print the result as JSON')
    .action(async (jobs: string[], o: { all?: boolean; sweep?: string; json?: boolean }) => {
      if (o.all && jobs.length) throw new UsageError('give job ids or --all, not both');
      const { queueCancel } = await import('../../src/api/queueCancel.js');
      const r = await queueCancel({ cwd: cwd(), env: process.env, jobs, all: o.all, sweep: o.sweep });
      if (o.json) return printJson(r);
      out(`Removed ${r.removed.length} waiting job(s)${r.stopping.length ? `; stopping ${r.stopping.length} running: ${r.stopping.map((x) => x.job + (x.worker ? ` on ${x.worker}` : '')).join(', ')}` : ''}.`);
      if (r.completed.length) out(`Left ${r.completed.length} completed job(s) alone (${r.completed.join(', ')}): their experiments exist (mlv exp remove).`);
    });

  queue.command('retry')
    .description('put a failed job back in the queue, with its attempts renewed')
    .argument('<job>')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const { queueRetry } = await import('../../src/api/queueRetry.js');
      const r = await queueRetry({ cwd: cwd(), env: process.env, job: id });
      if (o.json) return printJson(r);
      out(`Job ${r.job} (${r.name}) is waiting again (up to ${r.attempts} run(s)).`);
    });
}

const STATE_COLOR: Record<string, (s: string) => string> = {
  active: color.yellow, completed: color.green, failed: color.red,
};

function ago(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function detail(j: QueueJobRow, now: number): string {
  if (j.state === 'active') {
    const p = j.progress as { stage?: string; status?: string } | undefined;
    return `for ${ago(j.started, now)}${p?.stage ? `, stage ${p.stage} ${p.status ?? ''}`.trimEnd() : ''}`;
  }
  if (j.state === 'completed' && j.result) {
    const m = Object.entries(j.result.metrics).slice(0, 2).map(([k, v]) => `${k}=${formatNumber(v)}`).join(' ');
    return `${j.result.reused ? 'reused' : `${j.result.seconds.toFixed(1)} s`}${m ? `  ${m}` : ''}`;
  }
  if (j.state === 'failed') return (j.error ?? '').split('\n')[0].slice(0, 100);
  return `queued ${ago(j.submitted, now)} ago by ${j.submitter}`;
}

export function renderStatus(r: QueueStatusResult, now: number): string {
  const c = r.counts;
  const head = `Queue '${r.queue}' (${r.where}): ${c.waiting + c.prioritized + c.delayed} waiting, ${c.active} active, ${c.completed} completed, ${c.failed} failed`;
  if (r.jobs.length === 0) return `${head}\nNo jobs.`;
  const rows = r.jobs.map((j) => [
    j.id,
    (STATE_COLOR[j.state] ?? ((s: string) => s))(j.state),
    j.name,
    describePoint(j.point),
    j.worker ?? '',
    `${j.attempts}/${j.maxAttempts}`,
    detail(j, now),
  ]);
  return `${head}\n${table(['Job', 'State', 'Experiment', 'Params', 'Worker', 'Runs', ''], rows)}`;
}
